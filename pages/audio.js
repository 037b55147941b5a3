// The page's outgoing audio as one WebAudio graph: the microphone and any audio played on
// demand (spoken commands, WAV files) are mixed into a MediaStreamAudioDestinationNode whose
// track is what the peer connection sends. While a recording runs, a worklet taps that mix
// plus the agent's voice and hands 16-bit chunks to the bridge; a second tap, the mix tap,
// hands over the outgoing mix alone (what the microphone track carries, nothing of the agent).
//
// A mix that carries no microphone device can pause while nothing plays into it, where the
// bridge asks for that (`pauseWhenIdle`; see idle-pause.js).

import { idlePause, playClip } from "./idle-pause.js";

const SAMPLE_RATE_HZ = 48_000;
const RESUME_TIMEOUT_MS = 1_000;
const RECORDER_CHUNK_FRAMES = 12_000; // 250 ms at 48 kHz
const DEFAULT_RECORDER_BINDING = "bridgeRecordAudio";
const IDLE_HANGOVER_MS = 1_000;

const graph = {
  ctx: null,
  mix: null,
  destination: null,
  micSource: null,
  workletLoaded: false,
  recorder: null,
  mixTap: null,
  remoteSource: null,
  remoteStream: null,
  binding: DEFAULT_RECORDER_BINDING,
  pending: new Set(),
};

const idle = idlePause({
  context: () => graph.ctx,
  busy: () => Boolean(graph.micSource || graph.recorder || graph.mixTap),
  hangoverMs: IDLE_HANGOVER_MS,
});

/** Lets the graph pause while nothing plays into it and it carries no microphone device. */
export function pauseWhenIdle(enabled) {
  idle.enable(enabled);
}

/**
 * The stream to send: the graph's output with `mic` mixed in, or `mic` itself when the
 * browser will not run an AudioContext (no user gesture yet), so a real microphone still works.
 */
export async function outgoingStream(mic) {
  const ctx = await runningContext();
  if (!ctx) return { stream: mic, mixed: false };
  closeOutgoing();
  const track = mic?.getAudioTracks()[0];
  if (track) {
    graph.micSource = ctx.createMediaStreamSource(new MediaStream([track]));
    graph.micSource.connect(graph.mix);
  }
  // A destination per connection, so that disconnecting ends the track that was sent.
  graph.destination = new MediaStreamAudioDestinationNode(ctx, {
    channelCount: 1,
    channelCountMode: "explicit",
  });
  graph.mix.connect(graph.destination);
  idle.settle();
  return { stream: graph.destination.stream, mixed: true };
}

/** Ends the outgoing track and lets go of the microphone's source node. */
export function closeOutgoing() {
  graph.micSource?.disconnect();
  graph.micSource = null;
  if (graph.destination) {
    graph.mix.disconnect(graph.destination);
    for (const track of graph.destination.stream.getTracks()) track.stop();
    graph.destination = null;
  }
}

async function runningContext() {
  if (!graph.ctx) {
    try {
      graph.ctx = new AudioContext({ sampleRate: SAMPLE_RATE_HZ, latencyHint: "interactive" });
    } catch {
      return null;
    }
    graph.mix = new GainNode(graph.ctx);
    // A source that never ends: with no microphone, the last played clip's disconnecting
    // would otherwise leave the mix without inputs, and Chromium stops pulling it (the track
    // sends nothing more, not even silence).
    const hold = new ConstantSourceNode(graph.ctx, { offset: 0 });
    hold.connect(graph.mix);
    hold.start();
  }
  if (graph.ctx.state !== "running") {
    const timeout = new Promise((resolve) => setTimeout(resolve, RESUME_TIMEOUT_MS));
    await Promise.race([graph.ctx.resume().catch(() => {}), timeout]);
  }
  return graph.ctx.state === "running" ? graph.ctx : null;
}

/** Wall-clock milliseconds (like Date.now(), sub-millisecond) of an AudioContext time. */
function epochMsOf(contextTime) {
  return performance.timeOrigin + performance.now() + (contextTime - graph.ctx.currentTime) * 1000;
}

/**
 * Plays encoded audio (a WAV, or anything decodeAudioData reads; base64) into the outgoing
 * track, so the upstream hears it as if spoken into the microphone. Resolves when it has
 * played: `{startedAtMs, endedAtMs, durationMs}`, wall-clock milliseconds.
 */
export function playAudio(base64) {
  return idle.held(async () => {
    const ctx = graph.ctx && graph.destination ? await runningContext() : null;
    if (!ctx) {
      throw new Error("the page's audio graph is not running: connect first (a browser that "
        + "blocks audio until a user gesture needs a click on Connect)");
    }
    return playClip(ctx, graph.mix, base64);
  });
}

/** Where the agent's voice arrives; recorded too while a recording runs. */
export function setRemoteStream(stream) {
  graph.remoteStream = stream;
  if (graph.recorder) tapRemote();
}

function tapRemote() {
  graph.remoteSource?.disconnect();
  graph.remoteSource = null;
  if (graph.remoteStream?.getAudioTracks().length && graph.recorder) {
    graph.remoteSource = graph.ctx.createMediaStreamSource(graph.remoteStream);
    graph.remoteSource.connect(graph.recorder);
  }
}

/**
 * Starts sending the outgoing mix plus the agent's voice to the bridge's recording binding
 * (`binding`, a function the bridge exposed on window), as `{epochMs, sampleRate, pcm}` chunks
 * (`pcm`: base64 little-endian int16, mono).
 */
export function startRecording(binding = DEFAULT_RECORDER_BINDING) {
  return idle.held(async () => {
    const ctx = graph.ctx && await runningContext();
    if (!ctx) throw new Error("no running audio graph to record");
    if (typeof window[binding] !== "function") {
      throw new Error(`the page has no ${binding} binding: only the bridge can record`);
    }
    if (graph.recorder) throw new Error("a recording is already running");
    graph.binding = binding;
    const recorder = await tapNode(ctx, binding);
    graph.recorder = recorder;
    graph.mix.connect(recorder);
    tapRemote();
  });
}

/** A worklet node that ships what reaches it to `binding`. */
async function tapNode(ctx, binding) {
  if (!graph.workletLoaded) {
    await ctx.audioWorklet.addModule(new URL("recorder-worklet.js", import.meta.url));
    graph.workletLoaded = true;
  }
  const node = new AudioWorkletNode(ctx, "bridge-recorder", {
    numberOfInputs: 1,
    numberOfOutputs: 0,
    channelCount: 1,
    channelCountMode: "explicit",
    processorOptions: { chunkFrames: RECORDER_CHUNK_FRAMES },
  });
  node.port.onmessage = ({ data }) => {
    if (data.samples) ship(binding, data);
  };
  return node;
}

/**
 * Starts sending the outgoing mix alone (the microphone and what is played into it, never the
 * agent's voice) to `binding`, in the recording's chunks; runs beside a recording.
 */
export function startMixTap(binding) {
  return idle.held(async () => {
    const ctx = graph.ctx && await runningContext();
    if (!ctx) throw new Error("no running audio graph to tap");
    if (typeof window[binding] !== "function") {
      throw new Error(`the page has no ${binding} binding: only the bridge can tap the mix`);
    }
    if (graph.mixTap) throw new Error("the mix is already tapped");
    graph.mixTap = { node: await tapNode(ctx, binding), binding };
    graph.mix.connect(graph.mixTap.node);
  });
}

/** Stops the mix tap once every chunk it captured has reached the bridge. */
export async function stopMixTap() {
  const tap = graph.mixTap;
  if (!tap) return;
  graph.mixTap = null;
  await flush(tap.node, tap.binding);
  graph.mix.disconnect(tap.node);
  idle.settle();
  await Promise.allSettled([...graph.pending]);
}

async function flush(node, binding) {
  const flushed = new Promise((resolve) => {
    node.port.onmessage = ({ data }) => {
      if (data.samples) ship(binding, data);
      if (data.flushed) resolve();
    };
  });
  node.port.postMessage("stop");
  await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, 1_000))]);
  node.port.onmessage = null;
  node.port.close();
}

function ship(binding, { frame, samples }) {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767)));
  }
  const bytes = new Uint8Array(pcm.buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  const chunk = {
    frame,
    epochMs: epochMsOf(frame / graph.ctx.sampleRate),
    sampleRate: graph.ctx.sampleRate,
    pcm: btoa(binary),
  };
  const sent = Promise.resolve(window[binding](chunk)).catch(() => {});
  graph.pending.add(sent);
  sent.finally(() => graph.pending.delete(sent));
}

/** Stops the recording tap once every captured chunk has reached the bridge. */
export async function stopRecording() {
  const recorder = graph.recorder;
  if (!recorder) return;
  await flush(recorder, graph.binding);
  graph.mix.disconnect(recorder);
  graph.remoteSource?.disconnect();
  graph.remoteSource = null;
  graph.recorder = null;
  idle.settle();
  await Promise.allSettled([...graph.pending]);
}
