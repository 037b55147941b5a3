// The inspector's page: one event stream from the bridge (the controlled page's frames, the
// event log, the status) and the actions posted back as JSON to the same origin, so that the
// browser sends the Origin the bridge checks. No build step, no dependency.

const MAX_LINES = 1000;
const LABELS = {
  verified: "VERIFIED", not_verified: "NOT VERIFIED", unchecked: "UNCHECKED",
  unwatched: "UNWATCHED", refused: "REFUSED",
};
const RETRY_MS = 2000;

const ui = {};
const state = { source: null, frameTimes: [], retryTimer: null };

function byTestId(id) {
  return document.querySelector(`[data-testid="${id}"]`);
}

function openStream() {
  clearTimeout(state.retryTimer);
  const source = new EventSource("/inspect/stream");
  state.source = source;
  // Each connection starts with the log's recent entries: the list starts afresh with it.
  source.addEventListener("open", () => ui.log.replaceChildren());
  source.addEventListener("frame", (event) => showFrame(event.data));
  source.addEventListener("log", (event) => addEntry(JSON.parse(event.data)));
  source.addEventListener("status", (event) => showStatus(JSON.parse(event.data)));
  source.addEventListener("closing", () => {
    source.close();
    setStatus("error", "the bridge is stopping; trying again…");
    retryLater();
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) explainClosed();
    else setStatus("connecting", "lost the bridge; reconnecting…");
  });
}

function retryLater() {
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(openStream, RETRY_MS);
}

/** The stream was refused or failed for good: ask why (the guard says it in words). */
async function explainClosed() {
  try {
    const response = await fetch("/inspect/status");
    if (response.ok) {
      setStatus("connecting", "lost the bridge; trying again…");
      retryLater();
      return;
    }
    const body = await response.json().catch(() => ({}));
    setStatus("refused", `refused: ${body?.error?.message ?? response.statusText}`);
  } catch {
    setStatus("error", "the bridge cannot be reached; trying again…");
    retryLater();
  }
}

function showFrame(jpegBase64) {
  ui.screen.src = `data:image/jpeg;base64,${jpegBase64}`;
  const now = performance.now();
  state.frameTimes.push(now);
  while (state.frameTimes[0] < now - 1000) state.frameTimes.shift();
  ui.fps.textContent = `${state.frameTimes.length} frames/s`;
}

function addEntry(entry) {
  const line = document.createElement("li");
  line.dataset.kind = entry.kind;
  line.dataset.seq = String(entry.seq);
  if (entry.tool) line.dataset.tool = entry.tool;
  if (entry.verdict) {
    line.dataset.verdict = entry.verdict;
    const badge = document.createElement("span");
    badge.className = "verdict";
    badge.dataset.verdict = entry.verdict;
    badge.textContent = LABELS[entry.verdict] ?? entry.verdict.toUpperCase();
    line.append(badge, " ");
  }
  const when = typeof entry.t === "number" ? `${entry.t.toFixed(3)}  ` : "";
  line.append(document.createTextNode(when + entry.text));
  const log = ui.log;
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.append(line);
  while (log.childElementCount > MAX_LINES) log.firstElementChild.remove();
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function showStatus(status) {
  if (!status.browser) {
    setStatus("error", `no controlled browser · upstream ${status.upstream}`);
    return;
  }
  const page = status.page === "own" ? "the bridge's page" : "your page";
  const call = status.call_id ? ` · call ${status.call_id}` : "";
  const where = status.page_url ? ` ${status.page_url}` : "";
  const connected = status.connected ? "connected" : "not connected";
  setStatus(status.connected ? "connected" : "connecting",
            `${connected}${call} · ${page}${where} · upstream ${status.upstream}`);
}

function setStatus(kind, text) {
  ui.status.dataset.state = kind;
  ui.status.textContent = text;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer?.error?.message ?? `${response.status} ${response.statusText}`);
  return answer;
}

async function act(what, path, body) {
  ui.notice.textContent = "";
  try {
    return await post(path, body);
  } catch (err) {
    ui.notice.textContent = `${what} failed: ${err.message}`;
    return null;
  }
}

async function sendMessage(event) {
  event.preventDefault();
  const text = ui.input.value.trim();
  if (!text) return;
  const mode = ui.mode.value;
  ui.input.value = "";
  if (mode === "say") ui.notice.textContent = "saying it into the page's microphone…";
  const sent = await act(mode === "say" ? "saying" : "typing", "/inspect/message", { text, mode });
  if (sent && mode === "say") ui.notice.textContent = "";
  if (!sent) ui.input.value = text;
}

function init() {
  for (const name of ["status", "screen", "fps", "log", "form", "mode", "input", "notice",
                      "reload", "reconnect", "all-events"]) {
    ui[name.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = byTestId(`inspect-${name}`);
  }
  ui.form.addEventListener("submit", sendMessage);
  ui.reload.addEventListener("click", () => act("reload", "/inspect/reload"));
  ui.reconnect.addEventListener("click", () => act("reconnect", "/inspect/reconnect"));
  ui.allEvents.addEventListener("change", () =>
    ui.log.classList.toggle("all-events", ui.allEvents.checked));
  openStream();
}

init();
