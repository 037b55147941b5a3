// Installed by the bridge into every frame of a page it controls, before the page's own
// scripts: sees every data-channel message both ways and mixes the bridge's speech into the
// microphone the page captures, without the page changing a line.
//
// What pages rely on is kept: constructors and methods are proxies of the originals (same
// name, length, `instanceof`, and they print as native code), errors are the originals'
// errors, and the bridge's listeners are capture listeners, which run before the page's own
// (`onmessage` and `addEventListener` alike) without changing their order.
//
// The bridge passes CONFIG: {binding, api, dropIceServers, watchTools}. Reports go to the
// binding as `bridgeReport("channel", text)`, text a JSON list of
// {dir: "client"|"server", label, peer, at, text} entries, batched.
((CONFIG) => {
  "use strict";
  if (Object.prototype.hasOwnProperty.call(window, CONFIG.api)) return;

  const REPORT_BATCH_MS = 20;
  const MAX_PENDING_REPORTS = 5_000;
  const SAMPLE_RATE_HZ = 48_000;
  const RECORDER_FRAMES = 4_096;
  const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

  // --- proxies that read as the originals ------------------------------------------------
  const originals = new WeakMap();
  const nativeToString = Function.prototype.toString;
  const maskedToString = new Proxy(nativeToString, {
    apply(target, self, args) {
      return Reflect.apply(target, originals.get(self) ?? self, args);
    },
  });
  originals.set(maskedToString, nativeToString);
  Function.prototype.toString = maskedToString;

  function proxied(original, handler) {
    const proxy = new Proxy(original, handler);
    originals.set(proxy, original);
    return proxy;
  }

  function replaceMethod(owner, name, apply) {
    const original = owner?.[name];
    if (typeof original !== "function") return;
    const descriptor = Object.getOwnPropertyDescriptor(owner, name);
    Object.defineProperty(owner, name, { ...descriptor, value: proxied(original, { apply }) });
  }

  // --- reports ---------------------------------------------------------------------------
  const pending = [];
  let flushTimer = null;

  function report(dir, channel, text) {
    if (typeof text !== "string") return; // binary messages are not realtime events
    if (pending.length >= MAX_PENDING_REPORTS) pending.shift();
    pending.push({ dir, label: channel.label, peer: peerIds.get(channelPeers.get(channel)) ?? null,
      at: performance.timeOrigin + performance.now(), text });
    flushTimer ??= setTimeout(flush, REPORT_BATCH_MS);
  }

  function flush() {
    flushTimer = null;
    const send = window[CONFIG.binding];
    if (typeof send !== "function") {
      // The binding arrives with the bridge; keep what was seen until it does.
      if (pending.length) flushTimer = setTimeout(flush, REPORT_BATCH_MS * 5);
      return;
    }
    const batch = pending.splice(0, pending.length);
    Promise.resolve(send("channel", JSON.stringify(batch))).catch(() => {});
  }

  // --- peers and channels ----------------------------------------------------------------
  const peerIds = new WeakMap();
  const channelPeers = new WeakMap();
  const observedChannels = new WeakSet();
  const peers = [];
  let nextPeerId = 1;

  function observeChannel(channel, pc) {
    if (pc && !channelPeers.has(channel)) channelPeers.set(channel, pc);
    if (observedChannels.has(channel)) return;
    observedChannels.add(channel);
    channel.addEventListener("message", (event) => {
      watchServerEvent(channel, event.data);
      report("server", channel, event.data);
    }, { capture: true });
  }

  function loopbackOnly(config) {
    if (!CONFIG.dropIceServers || !config || !Array.isArray(config.iceServers)) return config;
    const local = (url) => {
      const host = String(url).replace(/^(stuns?|turns?):/i, "").split("?")[0]
        .replace(/:\d+$/, "");
      return LOOPBACK.test(host);
    };
    const iceServers = config.iceServers.filter((server) => {
      const urls = Array.isArray(server?.urls) ? server.urls : [server?.urls];
      return urls.every(local);
    });
    return { ...config, iceServers };
  }

  function watchPeer(pc) {
    peerIds.set(pc, nextPeerId++);
    peers.push(new WeakRef(pc));
    pc.addEventListener("datachannel", (event) => observeChannel(event.channel, pc),
      { capture: true });
    pc.addEventListener("track", (event) => {
      if (event.track.kind === "audio") audio.addRemote(event.track);
    }, { capture: true });
  }

  const NativePeerConnection = window.RTCPeerConnection;
  if (typeof NativePeerConnection === "function") {
    const Peer = proxied(NativePeerConnection, {
      construct(target, args, newTarget) {
        const [config, ...rest] = args;
        const pc = Reflect.construct(target, [loopbackOnly(config), ...rest], newTarget);
        watchPeer(pc);
        return pc;
      },
    });
    window.RTCPeerConnection = Peer;
    Object.defineProperty(NativePeerConnection.prototype, "constructor", { value: Peer });
    if (window.webkitRTCPeerConnection === NativePeerConnection) {
      window.webkitRTCPeerConnection = Peer;
    }
    replaceMethod(NativePeerConnection.prototype, "setConfiguration", (target, self, args) =>
      Reflect.apply(target, self, [loopbackOnly(args[0]), ...args.slice(1)]));
    replaceMethod(NativePeerConnection.prototype, "createDataChannel", (target, self, args) => {
      const channel = Reflect.apply(target, self, args);
      observeChannel(channel, self);
      return channel;
    });
  }
  if (typeof window.RTCDataChannel === "function") {
    replaceMethod(RTCDataChannel.prototype, "send", (target, self, args) => {
      const result = Reflect.apply(target, self, args); // throws as the page expects
      observeChannel(self, null);
      watchClientEvent(self, args[0]);
      report("client", self, args[0]);
      return result;
    });
  }

  /** The open channel that carries realtime events (the latest one, if several). */
  function realtimeChannel() {
    let found = null;
    for (const ref of peers) {
      const pc = ref.deref();
      if (!pc || pc.connectionState === "closed") continue;
      for (const channel of realtime.channels) {
        if (channelPeers.get(channel) === pc && channel.readyState === "open") found = channel;
      }
    }
    return found;
  }

  // --- tool calls: what the DOM did between a call and its output -------------------------
  const realtime = { channels: new Set(), calls: new Map() };

  function parsedEvent(text) {
    if (typeof text !== "string" || text.charCodeAt(0) !== 123 /* { */) return null;
    try {
      const event = JSON.parse(text);
      return event && typeof event.type === "string" ? event : null;
    } catch {
      return null;
    }
  }

  function watchServerEvent(channel, text) {
    const event = parsedEvent(text);
    if (!event) return;
    if (event.type === "session.created") realtime.channels.add(channel);
    const item = event.item;
    const callId = event.call_id ?? (item?.type === "function_call" ? item.call_id : null);
    if (callId && CONFIG.watchTools && !realtime.calls.has(callId)) {
      realtime.calls.set(callId, watchMutations(event.name ?? item?.name ?? null));
    }
  }

  function watchClientEvent(channel, text) {
    const event = parsedEvent(text);
    if (!event) return;
    if (event.type === "session.update") realtime.channels.add(channel);
    const item = event.item;
    if (event.type === "conversation.item.create" && item?.type === "function_call_output") {
      realtime.calls.get(item.call_id)?.outputSent();
    }
  }

  function watchMutations(name) {
    const summary = { name, added: 0, removed: 0, attributes: 0, styles: 0, text: 0,
      samples: [], outputAt: null, startedAt: performance.timeOrigin + performance.now() };
    const sample = (line) => { if (summary.samples.length < 8) summary.samples.push(line); };
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === "childList") {
          summary.added += record.addedNodes.length;
          summary.removed += record.removedNodes.length;
          for (const node of record.addedNodes) sample(`added ${describe(node)}`);
        } else if (record.type === "attributes") {
          if (record.attributeName === "style") summary.styles += 1;
          else summary.attributes += 1;
          sample(`${record.attributeName} of ${describe(record.target)}`);
        } else {
          summary.text += 1;
          sample(`text of ${describe(record.target.parentNode)}`);
        }
      }
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true,
      characterData: true });
    return {
      summary,
      outputSent() {
        summary.outputAt ??= performance.timeOrigin + performance.now();
      },
      take() {
        for (const record of observer.takeRecords()) void record;
        observer.disconnect();
        return summary;
      },
    };
  }

  function describe(node) {
    if (!node) return "?";
    if (node.nodeType !== Node.ELEMENT_NODE) return node.nodeName.toLowerCase();
    const id = node.id ? `#${node.id}` : "";
    const testId = node.getAttribute?.("data-testid");
    return `${node.localName}${id}${testId ? `[data-testid=${testId}]` : ""}`;
  }

  // --- the microphone: the page's capture mixed with what the bridge plays ----------------
  const audio = {
    ctx: null,
    inject: null,
    mixes: new Map(), // mixed track -> {source, destination, mic}
    remotes: new Set(),
    recorder: null,

    context() {
      if (!this.ctx) {
        this.ctx = new AudioContext({ sampleRate: SAMPLE_RATE_HZ, latencyHint: "interactive" });
        this.inject = new GainNode(this.ctx);
      }
      if (this.ctx.state !== "running") this.ctx.resume().catch(() => {});
      return this.ctx;
    },

    mix(stream) {
      const mic = stream.getAudioTracks()[0];
      if (!mic) return stream;
      let ctx;
      try {
        ctx = this.context();
      } catch {
        return stream; // no WebAudio here: the page gets its microphone untouched
      }
      const source = ctx.createMediaStreamSource(new MediaStream([mic]));
      const destination = new MediaStreamAudioDestinationNode(ctx, { channelCount: 1,
        channelCountMode: "explicit" });
      source.connect(destination);
      this.inject.connect(destination);
      if (this.recorder) source.connect(this.recorder);
      const [track] = destination.stream.getAudioTracks();
      // The page reads its microphone's name as before; the device id is the mix's own.
      Object.defineProperty(track, "label", { get: () => mic.label, configurable: true });
      this.mixes.set(track, { source, destination, mic });
      return new MediaStream([track, ...stream.getVideoTracks()]);
    },

    stopped(track) {
      const mixed = this.mixes.get(track);
      if (!mixed) return;
      this.mixes.delete(track);
      mixed.mic.stop();
      mixed.source.disconnect();
      try {
        this.inject.disconnect(mixed.destination);
      } catch {
        // already disconnected
      }
    },

    live() {
      return [...this.mixes.keys()].some((track) => track.readyState === "live");
    },

    async play(base64) {
      if (!this.live()) {
        throw new Error("the page has not opened its microphone (getUserMedia) yet");
      }
      const ctx = this.context();
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const buffer = await ctx.decodeAudioData(bytes.buffer);
      const source = new AudioBufferSourceNode(ctx, { buffer });
      source.connect(this.inject);
      if (this.recorder) source.connect(this.recorder);
      const ended = new Promise((resolve) => { source.onended = resolve; });
      const startAt = ctx.currentTime + 0.02;
      const startedAtMs = epochMsOf(ctx, startAt);
      source.start(startAt);
      await ended;
      source.disconnect();
      return { startedAtMs, endedAtMs: startedAtMs + buffer.duration * 1000,
        durationMs: buffer.duration * 1000 };
    },

    addRemote(track) {
      this.remotes.add(track);
      if (this.recorder) this.tapRemote(track);
    },

    tapRemote(track) {
      if (track.readyState !== "live") return;
      this.context().createMediaStreamSource(new MediaStream([track])).connect(this.recorder);
    },

    startRecording(binding) {
      if (typeof window[binding] !== "function") {
        throw new Error(`the page has no ${binding} binding: only the bridge can record`);
      }
      if (this.recorder) throw new Error("a recording is already running");
      const ctx = this.context();
      // A ScriptProcessor needs no module URL, so a page's Content-Security-Policy cannot
      // refuse it as it could an AudioWorklet loaded from a blob.
      const recorder = ctx.createScriptProcessor(RECORDER_FRAMES, 1, 1);
      const silent = new GainNode(ctx, { gain: 0 });
      recorder.connect(silent).connect(ctx.destination); // a processor runs only when pulled
      recorder.onaudioprocess = (event) => {
        ship(binding, ctx, event.inputBuffer.getChannelData(0), event.playbackTime);
      };
      this.recorder = recorder;
      this.recorderSink = silent;
      this.inject.connect(recorder);
      for (const { source } of this.mixes.values()) source.connect(recorder);
      for (const track of this.remotes) this.tapRemote(track);
    },

    async stopRecording() {
      const recorder = this.recorder;
      if (!recorder) return;
      this.recorder = null;
      recorder.onaudioprocess = null;
      recorder.disconnect();
      this.recorderSink.disconnect();
      await Promise.allSettled([...shipping]);
    },
  };

  function epochMsOf(ctx, contextTime) {
    return performance.timeOrigin + performance.now() + (contextTime - ctx.currentTime) * 1000;
  }

  const shipping = new Set();
  function ship(binding, ctx, samples, playbackTime) {
    const pcm = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i += 1) {
      pcm[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767)));
    }
    const bytes = new Uint8Array(pcm.buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    const chunk = { epochMs: epochMsOf(ctx, playbackTime), sampleRate: ctx.sampleRate,
      pcm: btoa(binary) };
    const sent = Promise.resolve(window[binding](chunk)).catch(() => {});
    shipping.add(sent);
    sent.finally(() => shipping.delete(sent));
  }

  if (navigator.mediaDevices && typeof MediaDevices === "function") {
    replaceMethod(MediaDevices.prototype, "getUserMedia", (target, self, args) =>
      Reflect.apply(target, self, args).then((stream) => audio.mix(stream)));
  }
  if (typeof MediaStreamTrack === "function") {
    replaceMethod(MediaStreamTrack.prototype, "stop", (target, self, args) => {
      const result = Reflect.apply(target, self, args);
      audio.stopped(self);
      return result;
    });
  }

  // --- what the bridge calls ---------------------------------------------------------------
  const api = Object.freeze({
    play: (base64) => audio.play(base64),
    microphoneOpen: () => audio.live(),
    startRecording: (binding) => audio.startRecording(binding),
    stopRecording: () => audio.stopRecording(),
    /** Sends a client event on the page's realtime channel; false if none is open. */
    send(text) {
      const channel = realtimeChannel();
      if (!channel) return false;
      channel.send(text);
      return true;
    },
    /** The DOM changes seen since the function call `callId` arrived, and stops watching. */
    takeMutations(callId) {
      const watch = realtime.calls.get(callId);
      realtime.calls.delete(callId);
      return watch ? watch.take() : null;
    },
    channels() {
      const out = [];
      for (const ref of peers) {
        const pc = ref.deref();
        if (pc) out.push({ peer: peerIds.get(pc), state: pc.connectionState });
      }
      return { peers: out, realtime: [...realtime.channels].map((c) => ({ label: c.label,
        state: c.readyState })) };
    },
  });
  Object.defineProperty(window, CONFIG.api, { value: api });
})(__CONFIG__);
