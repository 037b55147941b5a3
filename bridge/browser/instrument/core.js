// Installed by the bridge into every frame of a page it controls, before the page's own
// scripts: sees every data-channel message both ways, mixes the bridge's speech into the
// microphone the page captures, and notes what the DOM did while the page ran a tool call,
// without the page changing a line.
//
// What pages rely on is kept: constructors and methods are proxies of the originals (same
// name, length, `instanceof`, `.constructor`, and they print as native code), errors are the
// originals' errors (the instrument's own frames are taken out of their stacks), and the
// bridge's listeners are capture listeners, which run before the page's own (`onmessage` and
// `addEventListener` alike) without changing their order.
//
// `page.py` joins this file with the bridge's page's idle-pause.js, peers.js, tools.js and
// audio.js (in that order, at the parts marker below) into one init script; the
// parts share this function's scope. CONFIG: {binding, api, dropIceServers, watchTools,
// maxWatches, maxPendingReports, releaseDeviceMic, pauseIdleMic}. Reports go to the binding as `binding("channel", text)`, text
// a JSON list of {dir: "client"|"server", label, peer, ufrag, at, text} entries (`at`: epoch
// milliseconds), or {dropped, at} when reports had to be let go before the binding existed.
((CONFIG) => {
  "use strict";
  // One instrument per frame, however many times it is installed: a second install only makes
  // the API reachable under its own name as well.
  const MARK = Symbol.for("rtc-bridge.instrument");
  if (Object.prototype.hasOwnProperty.call(window, MARK)) {
    if (!Object.prototype.hasOwnProperty.call(window, CONFIG.api)) {
      Object.defineProperty(window, CONFIG.api, { value: window[MARK] });
    }
    return;
  }

  const SOURCE_URL = "rtc-bridge-instrument.js";
  const REPORT_BATCH_MS = 20;
  const REPORT_RETRY_MS = 100;
  // Small enough that Playwright decodes a batch without holding up the bridge's loop for long.
  const MAX_BATCH_CHARS = 262_144;

  // The page may replace these later; the instrument keeps the originals.
  const setTimer = window.setTimeout.bind(window);
  const clearTimer = window.clearTimeout.bind(window);
  const stringify = JSON.stringify;
  const parseJson = JSON.parse;
  const promiseThen = Promise.prototype.then;
  const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const epochMs = () => performance.timeOrigin + performance.now();

  // --- proxies that read as the originals ------------------------------------------------
  const originals = new WeakMap();
  const nativeToString = Function.prototype.toString;
  const maskedToString = new Proxy(nativeToString, {
    apply(target, self, args) {
      return Reflect.apply(target, originals.get(self) ?? self, args);
    },
  });
  originals.set(maskedToString, nativeToString);
  Object.defineProperty(Function.prototype, "toString", {
    ...Object.getOwnPropertyDescriptor(Function.prototype, "toString"), value: maskedToString,
  });

  /** An error as the page would have seen it without the instrument's frames in its stack. */
  function scrubbed(error) {
    try {
      const stack = error?.stack;
      if (typeof stack === "string" && stack.includes(SOURCE_URL)) {
        error.stack = stack.split("\n").filter((line) => !line.includes(SOURCE_URL)).join("\n");
      }
    } catch {
      // a frozen error or an exotic value: thrown as it is
    }
    return error;
  }

  /** The promise's rejection, scrubbed the same way (the error was made under our frame). */
  function scrubRejection(promise) {
    return Reflect.apply(promiseThen, promise, [undefined, (error) => { throw scrubbed(error); }]);
  }

  /** The instrument's own work around a page's call or event: whatever fails in it, the
   * page's message is delivered and its call returns as it would without the instrument. */
  function quietly(work) {
    try {
      work();
    } catch {
      // nothing of the instrument's may reach the page
    }
  }

  function proxied(original, handler) {
    const proxy = new Proxy(original, handler);
    originals.set(proxy, original);
    return proxy;
  }

  /** Replaces the function `owner[name]` (`key` "value"), or the getter of that accessor
   * (`key` "get"), by a proxy whose call is `apply(original, this, args)`. */
  function replace(owner, name, apply, key = "value") {
    const descriptor = owner && Object.getOwnPropertyDescriptor(owner, name);
    const original = descriptor?.[key];
    if (typeof original !== "function" || originals.has(original)) return;
    const proxy = proxied(original, {
      apply(target, self, args) {
        try {
          return apply(target, self, args);
        } catch (error) {
          throw scrubbed(error);
        }
      },
    });
    Object.defineProperty(owner, name, { ...descriptor, [key]: proxy });
  }

  // --- reports: batched, one binding call in flight, bounded until the binding exists -----
  const reports = { pending: [], dropped: 0, timer: null, inFlight: false, binding: null };

  function report(dir, channel, text) {
    if (typeof text !== "string") return; // binary messages are not realtime events
    const pending = reports.pending;
    if (pending.length >= CONFIG.maxPendingReports && !binding()) {
      // Only while no binding takes them (a page the bridge does not watch): drop the oldest
      // half at once, so that a flood costs amortised constant time per message. Once the
      // binding is there nothing is dropped: a flood waits for it, batch after batch.
      const dropped = pending.splice(0, Math.ceil(pending.length / 2)).length;
      reports.dropped += dropped;
    }
    const pc = peerOf(channel);
    pending.push({ dir, label: channel.label, peer: peerIdOf(pc), ufrag: ufragOf(pc),
      at: epochMs(), text });
    scheduleFlush(REPORT_BATCH_MS);
  }

  function scheduleFlush(delayMs) {
    reports.timer ??= setTimer(flushReports, delayMs);
  }

  function binding() {
    // Kept once found: a page that later assigns the same name cannot intercept the reports.
    if (!reports.binding && typeof window[CONFIG.binding] === "function") {
      reports.binding = window[CONFIG.binding];
    }
    return reports.binding;
  }

  function nextBatch() {
    const pending = reports.pending;
    let chars = 0;
    let count = 0;
    while (count < pending.length && (count === 0 || chars < MAX_BATCH_CHARS)) {
      chars += pending[count].text.length;
      count += 1;
    }
    const batch = pending.splice(0, count);
    if (reports.dropped) {
      batch.unshift({ dropped: reports.dropped, at: epochMs() });
      reports.dropped = 0;
    }
    return batch;
  }

  /** Sends what is pending; resolves once the binding has taken it (or could not). */
  function flushReports({ force = false } = {}) {
    reports.timer = null;
    if ((reports.inFlight && !force) || !reports.pending.length) return Promise.resolve();
    const send = binding();
    if (!send) {
      scheduleFlush(REPORT_RETRY_MS);
      return Promise.resolve();
    }
    const batch = nextBatch();
    reports.inFlight = true;
    let sent;
    try {
      sent = Promise.resolve(send("channel", stringify(batch)));
    } catch {
      sent = Promise.resolve();
    }
    return Reflect.apply(promiseThen, sent, [null, () => {}]).finally(() => {
      reports.inFlight = false;
      if (reports.pending.length) scheduleFlush(0);
    });
  }

  // A frame that unloads sends what it has without waiting for the batch (best effort:
  // Playwright drops a binding call whose document is gone by the time it reads it).
  window.addEventListener("pagehide", () => flushReports({ force: true }), { capture: true });

  function parsedEvent(text) {
    if (typeof text !== "string" || text.charCodeAt(0) !== 123 /* { */) return null;
    try {
      const event = parseJson(text);
      return event && typeof event.type === "string" ? event : null;
    } catch {
      return null;
    }
  }

  /* @parts */

  // --- what the bridge calls ---------------------------------------------------------------
  const api = Object.freeze({
    /** Plays encoded audio (base64) into every live microphone mix; resolves once played:
     * {startedAtMs, endedAtMs, durationMs}, epoch milliseconds. */
    play: (base64) => audio.play(base64),
    /** Whether the page holds a live microphone track the bridge can speak into. */
    microphoneOpen: () => audio.live(),
    startRecording: (name) => audio.startRecording(name),
    stopRecording: () => audio.stopRecording(),
    /** Sends a client event (text) on the page's realtime channel; false if none is open. */
    send(text) {
      const channel = realtimeChannel();
      if (!channel) return false;
      channel.send(text);
      return true;
    },
    /** The DOM changes seen since the function call `callId` arrived; stops watching it. */
    takeMutations: (callId) => tools.take(callId),
    /** Per tool, the CSS selectors counted when a call of it arrives (see instrument-tools). */
    setCountSelectors: (selectors) => { countSelectors = selectors ?? {}; },
    /** Peers, their channels and which one carries realtime events, for diagnostics. */
    channels: () => peersState(),
    /** Sends every pending report now; true once the binding has taken them all. */
    flushReports: async () => {
      while (binding() && (reports.pending.length || reports.inFlight)) {
        await (reports.inFlight ? new Promise((resolve) => setTimer(resolve, 5))
          : flushReports());
      }
      return reports.pending.length === 0;
    },
  });
  Object.defineProperty(window, CONFIG.api, { value: api });
  Object.defineProperty(window, MARK, { value: api });
})(__CONFIG__);
//# sourceURL=rtc-bridge-instrument.js
