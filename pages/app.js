// The voice page: microphone → WebRTC → an OpenAI-Realtime-GA-compatible upstream reached
// through the bridge, and the tools the agent calls, run in this page's DOM.

import {
  closeOutgoing, outgoingStream, pauseWhenIdle, playAudio, setRemoteStream, startMixTap,
  startRecording, stopMixTap, stopRecording,
} from "./audio.js";
import { loadTools, runTool, sessionTools } from "./tools.js";
import { Turns } from "./turns.js";

const DEFAULT_ENDPOINT = "api/rtc-connect";
const MAX_LOG_ENTRIES = 200;
const MAX_TRANSCRIPT_LINES = 500;
const ICE_GATHERING_CAP_MS = 2_000;
// Chromium gathers its UDP host candidates at once and its TCP ones ~130 ms later; a peer that
// answers over UDP needs no more, so the offer goes once the UDP candidates have settled.
const ICE_SETTLE_MS = 15;
const REPORT_BATCH_MS = 20;
const LINES_RENDER_MS = 100;
const HTTP_TIMEOUT_MS = 20_000;
const CHANNEL_OPEN_TIMEOUT_MS = 15_000;
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 10_000;
const TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe";
// A call's verdict and the `verified` it stands for: checked in the DOM and confirmed or not,
// nothing to check, or no bridge watching this page (so nobody checked).
const VERIFIED = { verified: true, not_verified: false, unchecked: null, unwatched: null };

const state = {
  ui: null,
  endpoint: DEFAULT_ENDPOINT,
  ready: null,
  defs: null,
  status: "idle",
  micNote: null,
  // The bridge's controlled browser: its microphone device plays only the bridge's silence,
  // so the page does not open it (`release_mic`); what the bridge plays is the microphone.
  releaseMic: false,
  pc: null,
  dc: null,
  mic: null,
  callId: null,
  abort: null,
  openTimer: null,
  // Bumped whenever a connection is abandoned, so that late callbacks of an old one do nothing.
  generation: 0,
  wantConnected: false,
  reconnectAttempt: 0,
  reconnectTimer: null,
  responses: new Map(),
  startedCalls: new Set(),
  toolQueue: Promise.resolve(),
  // Who asks for the next response, and when (turns.js); made in init().
  turns: null,
  // Events waiting to go to the bridge in one binding call; lines waiting to be shown.
  reports: [],
  lines: new Map(),
  callsRunning: 0, // tool calls between their arrival and their output
  linesWaiting: [], // lists whose lines wait for the running calls to end
};

/** Connects (no-op while a connection exists); resolves to true once the answer is applied. */
function connect() {
  if (state.pc) return Promise.resolve(true);
  state.reconnectAttempt = 0;
  return openConnection(false);
}

async function openConnection(reconnecting) {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  state.wantConnected = true;
  state.callId = null;
  const generation = ++state.generation;
  const stale = () => generation !== state.generation;
  setStatus("connecting", reconnecting ? "reconnecting…" : "connecting…");
  try {
    // The microphone opens while the tool definitions load: both take a while.
    const microphone = openMicrophone();
    try {
      await state.ready;
      state.defs ??= await loadTools();
    } catch (err) {
      stopStream((await microphone).stream);
      throw err;
    }
    const { stream, note } = await microphone;
    if (stale()) {
      stopStream(stream);
      return false;
    }
    state.mic = stream;
    state.micNote = note;
    if (note) setStatus("connecting", `connecting… (${note})`);

    // The peer sends the audio graph's mix (microphone + audio played on demand).
    const { stream: outgoing, mixed } = await outgoingStream(stream);
    // No device (a remote browser without fake-media flags): the graph alone is the microphone.
    if (!stream && mixed && !state.releaseMic) {
      state.micNote = "no microphone device: sending what the bridge plays";
    }
    if (stale()) {
      stopStream(stream);
      return false;
    }
    const { pc, dc } = createPeer(outgoing, generation);
    await negotiate(pc, state.abort.signal);
    // On a fast link the channel may already be open by the time the answer is applied.
    if (!stale() && dc.readyState !== "open") {
      setStatus("connecting", "waiting for the data channel…");
      const lost = () => connectionLost(generation, "the data channel did not open");
      state.openTimer = setTimeout(lost, CHANNEL_OPEN_TIMEOUT_MS);
    }
    return !stale();
  } catch (err) {
    if (stale()) return false;
    state.generation += 1;
    teardown();
    if (reconnecting) {
      scheduleReconnect(messageOf(err));
    } else {
      state.wantConnected = false;
      setStatus("error", `error: ${messageOf(err)}`);
    }
    return false;
  }
}

async function openMicrophone() {
  if (state.releaseMic) return { stream: null, note: null };
  if (!navigator.mediaDevices?.getUserMedia) {
    return { stream: null, note: "no microphone: this page is not in a secure context" };
  }
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ audio: true }), note: null };
  } catch (err) {
    return { stream: null, note: `no microphone: ${err.name || "Error"}: ${messageOf(err)}` };
  }
}

function createPeer(stream, generation) {
  const current = () => generation === state.generation;
  const pc = new RTCPeerConnection({ iceServers: [] });
  state.pc = pc;
  state.abort = new AbortController();
  pc.ontrack = (event) => playAgentAudio(event);
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === "failed") connectionLost(generation, "the connection failed");
  };
  const track = stream?.getAudioTracks()[0];
  if (track) {
    pc.addTransceiver(track, { direction: "sendrecv", streams: [stream] });
  } else {
    pc.addTransceiver("audio", { direction: "recvonly" });
  }
  const dc = pc.createDataChannel("oai-events");
  state.dc = dc;
  dc.onopen = () => current() && onChannelOpen();
  dc.onmessage = (message) => current() && onServerMessage(message.data);
  dc.onclose = () => connectionLost(generation, "the data channel closed");
  return { pc, dc };
}

/** Offer → bridge → answer; keeps the call id from the Location header in state.callId. */
async function negotiate(pc, signal) {
  await pc.setLocalDescription(await pc.createOffer());
  await waitForIceGathering(pc, ICE_GATHERING_CAP_MS);
  let response;
  let body;
  try {
    response = await fetch(state.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sdp" },
      body: pc.localDescription.sdp,
      signal: AbortSignal.any([signal, AbortSignal.timeout(HTTP_TIMEOUT_MS)]),
    });
    body = await response.text();
  } catch (err) {
    if (err.name === "AbortError") throw err;
    if (err.name === "TimeoutError") {
      throw new Error(`${state.endpoint} did not answer within ${HTTP_TIMEOUT_MS / 1000} s`);
    }
    throw new Error(`could not reach ${state.endpoint}: ${messageOf(err)}`);
  }
  if (!response.ok) throw new Error(describeHttpError(response, body));
  if (!body.trimStart().startsWith("v=")) {
    throw new Error(`${state.endpoint} answered HTTP ${response.status} without an SDP answer`);
  }
  state.callId = callIdFrom(response.headers.get("Location"));
  await pc.setRemoteDescription({ type: "answer", sdp: body });
}

function waitForIceGathering(pc, capMs, settleMs = ICE_SETTLE_MS) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, capMs);
    let settle = null;
    function onChange() {
      if (pc.iceGatheringState === "complete") finish();
    }
    function onCandidate(event) {
      if (event.candidate?.protocol !== "udp") return;
      clearTimeout(settle);
      settle = setTimeout(finish, settleMs);
    }
    function finish() {
      clearTimeout(timer);
      clearTimeout(settle);
      pc.removeEventListener("icegatheringstatechange", onChange);
      pc.removeEventListener("icecandidate", onCandidate);
      resolve();
    }
    pc.addEventListener("icegatheringstatechange", onChange);
    pc.addEventListener("icecandidate", onCandidate);
    if (/ udp /i.test(pc.localDescription?.sdp ?? "")) settle = setTimeout(finish, settleMs);
  });
}

function describeHttpError(response, body) {
  try {
    const message = JSON.parse(body)?.error?.message;
    if (typeof message === "string" && message) return message;
  } catch {
    // Not JSON (a proxy's or a static server's error page): the status says enough.
  }
  const reason = response.statusText ? ` ${response.statusText}` : "";
  return `${state.endpoint} answered HTTP ${response.status}${reason}`;
}

function callIdFrom(location) {
  return location?.split(/[?#]/)[0].replace(/\/+$/, "").split("/").pop() || null;
}

function playAgentAudio(event) {
  const audio = state.ui.audio;
  audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
  setRemoteStream(audio.srcObject);
  audio.play().catch((err) => {
    if (err.name === "NotAllowedError") logLine("error", `agent audio blocked: ${messageOf(err)}`);
  });
}

function onChannelOpen() {
  clearTimeout(state.openTimer);
  state.reconnectAttempt = 0;
  sendEvent({
    type: "session.update",
    session: {
      type: "realtime",
      tools: sessionTools(state.defs),
      tool_choice: "auto",
      audio: { input: { transcription: { model: TRANSCRIPTION_MODEL } } },
    },
  });
  setStatus("connected", connectedText());
}

function connectedText(extra = "") {
  const parts = [state.callId ? `connected (${state.callId})` : "connected", state.micNote, extra];
  return parts.filter(Boolean).join(" — ");
}

function onServerMessage(raw) {
  let event;
  try {
    event = JSON.parse(raw);
  } catch (err) {
    logLine("error", `invalid JSON from the server: ${messageOf(err)}`);
    return;
  }
  if (event === null || typeof event !== "object" || typeof event.type !== "string") {
    logLine("error", "a server message without a type was ignored");
    return;
  }
  reportEvent("server", raw);
  logEvent("server", event);
  handleServerEvent(event);
  state.turns.onServerEvent(event);
}

function handleServerEvent(event) {
  switch (event.type) {
    case "response.created":
      responseEntry(event.response?.id);
      break;
    case "response.output_item.done": {
      const entry = responseEntry(event.response_id);
      if (event.item?.type === "function_call" && !entry.done) startCall(entry, event.item);
      break;
    }
    case "response.done":
      finishResponse(event.response ?? {});
      break;
    case "conversation.item.input_audio_transcription.completed":
      addTranscript("user", event.transcript);
      break;
    case "response.output_audio_transcript.done":
      addTranscript("agent", event.transcript);
      break;
    case "response.output_text.done":
      addTranscript("agent", event.text);
      break;
    case "error":
      if (state.status === "connected") {
        setStatus("connected", connectedText(`last error: ${event.error?.message ?? "unknown"}`));
      }
      break;
    default:
      break;
  }
}

function responseEntry(id) {
  const key = id ?? "";
  if (!state.responses.has(key)) {
    state.responses.set(key, { cancelled: false, cancelAsked: false, done: false, calls: [] });
  }
  return state.responses.get(key);
}

// A call runs once, only when its item is complete and its response has not been cancelled;
// calls run one after another so that two changes to the same element land in order. A
// response this page asked to cancel runs its calls only if the server completed it all the
// same (the cancel crossed its response.done): the call is then in the conversation, and the
// command it carries would be lost.
function startCall(entry, item) {
  if (entry.cancelled || (entry.cancelAsked && !entry.done)) return;
  if (item.status && item.status !== "completed") return;
  if (!item.call_id || state.startedCalls.has(item.call_id)) return;
  state.startedCalls.add(item.call_id);
  const call = { call_id: item.call_id, name: item.name, arguments: item.arguments ?? "" };
  const run = state.toolQueue.then(() => handleFunctionCall(call, entry));
  state.toolQueue = run.catch(ignore);
  entry.calls.push(run);
}

async function finishResponse(response) {
  const entry = responseEntry(response.id);
  if (entry.done) return;
  entry.done = true;
  if (response.status !== "completed") {
    entry.cancelled = true;
    return;
  }
  for (const item of response.output ?? []) {
    if (item?.type === "function_call") startCall(entry, item);
  }
  const calls = entry.calls.splice(0);
  if (calls.length === 0) return;
  const generation = state.generation;
  await Promise.allSettled(calls);
  // Only now, after response.done and every output; and only once no other response is active.
  if (generation === state.generation) state.turns.answerOutputs();
}

/** Runs one call ({call_id, name, arguments}) past the bridge's checks and sends its output. */
async function handleFunctionCall(call, entry = null) {
  state.callsRunning += 1;
  try {
    return await runFunctionCall(call, entry);
  } finally {
    state.callsRunning -= 1;
    if (state.callsRunning === 0) for (const list of state.linesWaiting.splice(0)) showLines(list);
  }
}

async function runFunctionCall(call, entry) {
  let output;
  if (entry?.cancelled) {
    output = { ok: false, error: "the response was cancelled before this call ran" };
  } else if (typeof window.bridgeReport === "function") {
    output = await runThroughBridge(call);
  } else {
    // Nobody watches this page (no bridge binding): the result goes out unverified.
    const result = await runTool(state.defs ?? [], call.name, call.arguments);
    output = result.ok ? { ...result, verified: null, verdict: "unwatched" } : result;
  }
  sendEvent({
    type: "conversation.item.create",
    item: { type: "function_call_output", call_id: call.call_id, output: JSON.stringify(output) },
  });
  showToolCall(call, output);
  return output;
}

// In the controlled browser the bridge gates the call, runs this page's tool (rtcBridge.runTool)
// and reads the DOM back, all in one step: one round trip instead of three.
async function runThroughBridge(call) {
  const answer = await askBridge("tool_call", { call }, "allowed");
  if (!answer.allowed) return { ok: false, error: answer.reason ?? "the bridge refused this call" };
  const result = answer.result;
  if (result === null || typeof result !== "object") {
    return { ok: false, error: "the bridge returned no result for this call" };
  }
  if (!result.ok) return result;
  const verdict = verdictOf(answer);
  const observed = answer.observed ?? {};
  const output = { ...result, verified: VERIFIED[verdict], verdict, observed };
  if (answer.reason !== undefined) output.reason = answer.reason;
  else if (verdict === "not_verified" && typeof answer.verified !== "boolean") {
    output.reason = "the bridge did not verify it";
  }
  return output;
}

// An answer without a verdict is judged by its `verified` alone; one with neither, not verified.
function verdictOf(answer) {
  if (Object.hasOwn(VERIFIED, answer.verdict)) return answer.verdict;
  return answer.verified === true ? "verified" : "not_verified";
}

async function askBridge(kind, payload, flag) {
  try {
    const answer = await report(kind, payload);
    if (typeof answer?.[flag] === "boolean") return answer;
    return { [flag]: false, reason: `the bridge gave no usable answer to ${kind}` };
  } catch (err) {
    return { [flag]: false, reason: `the bridge's ${kind} check failed: ${messageOf(err)}` };
  }
}

/** Calls the bridge's binding when the page runs in the controlled browser; else null. */
function report(kind, payload) {
  if (typeof window.bridgeReport !== "function") return Promise.resolve(null);
  // Events still waiting go with it, so that the bridge learns them before what they led to.
  const events = takeReports();
  return callBinding(kind, events ? { ...payload, events } : payload);
}

function callBinding(kind, payload) {
  try {
    return Promise.resolve(window.bridgeReport(kind, payload));
  } catch (err) {
    return Promise.reject(err);
  }
}

// Data-channel events go to the bridge a burst at a time, as one JSON text that embeds each
// event's own text as it crossed the channel, and when the page saw it: one binding call per
// event cost more than the tools they lead to, and the bridge parses each event once. A tool
// call carries what is waiting, so the bridge always learns the events before their effects.
function reportEvent(dir, raw) {
  if (typeof window.bridgeReport !== "function") return;
  const session = JSON.stringify(state.callId);
  const at = performance.timeOrigin + performance.now();
  state.reports.push(`{"dir":"${dir}","session":${session},"at":${at},"event":${raw}}`);
  if (state.reports.length === 1) setTimeout(flushReports, REPORT_BATCH_MS);
}

function flushReports() {
  const events = typeof window.bridgeReport === "function" ? takeReports() : null;
  if (events) callBinding("events", events).catch(ignore);
}

function takeReports() {
  if (state.reports.length === 0) return null;
  const events = `[${state.reports.join(",")}]`;
  state.reports = [];
  return events;
}

function sendEvent(event) {
  const dc = state.dc;
  if (dc?.readyState !== "open") {
    logLine("error", `not sent, not connected: ${event.type}`);
    return false;
  }
  const text = JSON.stringify(event);
  try {
    dc.send(text);
  } catch (err) {
    logLine("error", `could not send ${event.type}: ${messageOf(err)}`);
    return false;
  }
  if (event.type === "response.cancel") {
    for (const [id, entry] of state.responses) {
      if (!entry.done && (!event.response_id || event.response_id === id)) {
        entry.cancelAsked = true;
      }
    }
  }
  reportEvent("client", text);
  logEvent("client", event);
  return true;
}

/** Sends a typed message and asks for a response, interrupting or after an answer under way
 * (turns.js). Returns false when not connected. */
function sendText(text) {
  const message = String(text ?? "").trim();
  if (!message || state.dc?.readyState !== "open") return false;
  addTranscript("user", message);
  state.turns.message(message);
  return true;
}

/** Stops the microphone and closes the connection; harmless when already disconnected. */
function disconnect() {
  state.wantConnected = false;
  state.generation += 1;
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  teardown();
  setStatus("disconnected", "disconnected");
}

function teardown() {
  state.abort?.abort();
  clearTimeout(state.openTimer);
  stopStream(state.mic);
  closeOutgoing();
  if (state.dc) {
    state.dc.onopen = state.dc.onmessage = state.dc.onclose = null;
    state.dc.close();
  }
  if (state.pc) {
    state.pc.ontrack = state.pc.onconnectionstatechange = null;
    state.pc.close();
  }
  Object.assign(state, { abort: null, mic: null, dc: null, pc: null });
  state.ui.audio.srcObject = null;
  state.responses.clear();
  state.startedCalls.clear();
  state.turns.reset();
  refreshControls();
}

function connectionLost(generation, reason) {
  if (generation !== state.generation || !state.wantConnected) return;
  state.generation += 1;
  teardown();
  scheduleReconnect(reason);
}

function scheduleReconnect(reason) {
  const delayMs = Math.min(RECONNECT_FIRST_MS * 2 ** state.reconnectAttempt, RECONNECT_MAX_MS);
  state.reconnectAttempt += 1;
  setStatus("connecting", `reconnecting in ${delayMs / 1000} s — ${reason}`);
  state.reconnectTimer = setTimeout(() => openConnection(true), delayMs);
}

function stopStream(stream) {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function setStatus(kind, text) {
  state.status = kind;
  state.ui.status.dataset.state = kind;
  state.ui.status.textContent = text;
  refreshControls();
}

function refreshControls() {
  const { button, input, send } = state.ui;
  button.textContent = state.wantConnected ? "Disconnect" : "Connect";
  input.disabled = send.disabled = state.dc?.readyState !== "open";
}

function logEvent(dir, event) {
  let detail = "";
  if (event.type === "error") detail = `: ${event.error?.message ?? "unknown error"}`;
  else if (event.item?.type === "function_call") detail = `: ${event.item.name}`;
  const arrow = dir === "client" ? "→" : "←";
  logLine(event.type === "error" ? "error" : dir, `${arrow} ${event.type}${detail}`);
}

function logLine(kind, text) {
  const line = document.createElement("li");
  line.className = kind;
  line.textContent = kind === "client" || kind === "server" ? text : `· ${text}`;
  line.title = line.textContent;
  queueLine(state.ui.eventLog, line, MAX_LOG_ENTRIES);
}

function addTranscript(role, text) {
  if (typeof text !== "string" || !text.trim()) return;
  const line = document.createElement("li");
  line.className = role;
  line.textContent = text.trim();
  queueLine(state.ui.transcript, line, MAX_TRANSCRIPT_LINES);
}

function showToolCall(call, output) {
  let verdict = "done, verified";
  if (!output.ok) verdict = `failed: ${output.error}`;
  else if (output.verdict === "unwatched") verdict = "done (not verified: no bridge)";
  else if (output.verdict === "unchecked") verdict = "done (unchecked: nothing to check)";
  else if (!output.verified) verdict = `done, NOT verified: ${output.reason ?? "no reason given"}`;
  addTranscript("tool", `${call.name} ${call.arguments || "{}"} → ${verdict}`);
  const failed = !output.ok || output.verified === false;
  logLine(failed ? "error" : "local", `${call.name} → ${verdict}`);
}

// Lines reach the lists at most every LINES_RENDER_MS: laying out and painting the lists for
// every event kept the page's main thread busy while tool calls waited on it.
function queueLine(list, line, max) {
  let pending = state.lines.get(list);
  if (!pending) {
    pending = { lines: [], max };
    state.lines.set(list, pending);
    setTimeout(() => showLines(list), LINES_RENDER_MS);
  }
  pending.lines.push(line);
  if (pending.lines.length > max) pending.lines.shift();
}

function showLines(list) {
  // Laying the lists out while a call runs would hold up its DOM reads: after it, then.
  if (state.callsRunning > 0) {
    if (!state.linesWaiting.includes(list)) state.linesWaiting.push(list);
    return;
  }
  const pending = state.lines.get(list);
  state.lines.delete(list);
  if (!pending) return;
  list.append(...pending.lines);
  while (list.childElementCount > pending.max) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

function ignore() {}

async function loadDefinitions() {
  try {
    state.defs = await loadTools();
    return true;
  } catch (err) {
    setStatus("error", `error: ${messageOf(err)}`);
    return false;
  }
}

function init() {
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  state.ui = {
    button: byTestId("connect-button"),
    status: byTestId("status"),
    transcript: byTestId("transcript"),
    eventLog: byTestId("event-log"),
    form: byTestId("message-form"),
    input: byTestId("message-input"),
    send: byTestId("send-button"),
    audio: byTestId("agent-audio"),
  };
  const params = new URLSearchParams(location.search);
  state.endpoint = params.get("endpoint") || DEFAULT_ENDPOINT;
  state.turns = new Turns(sendEvent, params.get("type_while_speaking") ?? undefined);
  state.releaseMic = params.get("release_mic") === "1";
  pauseWhenIdle(params.get("pause_idle_mic") === "1");

  state.ui.button.addEventListener("click", () => (state.wantConnected ? disconnect() : connect()));
  state.ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sendText(state.ui.input.value)) state.ui.input.value = "";
  });
  window.addEventListener("pagehide", () => state.wantConnected && disconnect());

  state.ready = loadDefinitions();
  refreshControls();
  if (["1", "true"].includes(params.get("autoconnect"))) connect();
}

window.rtcBridge = Object.freeze({
  connect,
  disconnect,
  sendText,
  handleFunctionCall,
  runTool: (name, args) => runTool(state.defs ?? [], name, args),
  playAudio: (base64) => {
    if (!state.pc) return Promise.reject(new Error("not connected: nothing would hear it"));
    return playAudio(base64);
  },
  startRecording,
  stopRecording,
  startMixTap,
  stopMixTap,
  get ready() { return state.ready; },
  get state() { return state.status; },
  get pc() { return state.pc; },
  get dc() { return state.dc; },
  get callId() { return state.callId; },
  get typeWhileSpeaking() { return state.turns.mode; },
  get tools() { return state.defs; },
});

init();
