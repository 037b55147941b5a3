// An audio graph that pauses while nothing needs it: where a page's outgoing mix carries only
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
 * True once `ended` (a clip's end) resolves; false if it has not `graceMs` after the clip's
 * `durationMs`: its graph stopped under it, and waiting longer would wait for good.
 */
export function untilEnded(ended, durationMs, graceMs, setTimer = setTimeout,
  clearTimer = clearTimeout) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimer(resolve, durationMs + graceMs, false); });
  return Promise.race([ended.then(() => true), late]).finally(() => clearTimer(timer));
}
