// An audio graph that pauses while nothing needs it, and the clips the bridge plays into it: where a page's outgoing mix carries only
// what the bridge plays, the AudioContext is suspended between clips, so nothing is rendered,
// encoded or sent (the track stays live, as a sender with DTX does). It runs on for a hangover
// after the last clip, so that the end of a turn is heard as real silence.
//
// Written once for the bridge's page (this ES module) and for the instrument the bridge puts
// into users' pages, which joins this text into its own script with `export` dropped.

/**
 * `context()`: the AudioContext (null before there is one); `busy()`: true while it must run
 * whatever plays (a microphone device mixed in, a recording). `held(work)` runs `work` with the
 * context kept from pausing; `settle()` pauses it after the hangover if nothing needs it.
 */
export function idlePause({ context, busy, hangoverMs, setTimer = setTimeout,
  clearTimer = clearTimeout }) {
  const state = { enabled: false, holds: 0, timer: null, suspending: null };
  const needed = () => state.holds > 0 || busy();

  function settle() {
    clearTimer(state.timer);
    state.timer = null;
    if (!state.enabled || !context() || needed()) return;
    state.timer = setTimer(() => {
      state.timer = null;
      const ctx = context();
      if (!ctx || needed() || ctx.state !== "running") return;
      state.suspending = ctx.suspend().catch(() => {})
        .finally(() => { state.suspending = null; });
    }, hangoverMs);
  }

  return {
    enable(on) {
      state.enabled = on;
      settle();
    },
    settle,
    async held(work) {
      state.holds += 1;
      clearTimer(state.timer);
      try {
        // A suspend on its way still reads as "running": let it land, so that it is resumed.
        await state.suspending;
        return await work();
      } finally {
        state.holds -= 1;
        settle();
      }
    },
  };
}

/**
 * Plays encoded audio (base64: a WAV, or anything decodeAudioData reads) into `node` of `ctx`.
 * Resolves once it has played with `{startedAtMs, endedAtMs, durationMs}` (wall clock); rejects
 * if it has not ended `graceMs` after its duration: its graph stopped under it, and waiting
 * longer would wait for good.
 */
export async function playClip(ctx, node, base64, { graceMs = 5_000, setTimer = setTimeout,
  clearTimer = clearTimeout } = {}) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const buffer = await ctx.decodeAudioData(bytes.buffer);
  const durationMs = buffer.duration * 1000;
  const source = new AudioBufferSourceNode(ctx, { buffer });
  source.connect(node);
  const ended = new Promise((resolve) => { source.onended = () => resolve(true); });
  let timer;
  const late = new Promise((resolve) => { timer = setTimer(resolve, durationMs + graceMs, false); });
  const startAt = ctx.currentTime + 0.02;
  const startedAtMs = performance.timeOrigin + performance.now()
    + (startAt - ctx.currentTime) * 1000;
  source.start(startAt);
  const played = await Promise.race([ended, late]);
  clearTimer(timer);
  source.disconnect();
  if (!played) throw new Error(`the page's audio graph stopped while playing (${ctx.state})`);
  return { startedAtMs, endedAtMs: startedAtMs + durationMs, durationMs };
}
