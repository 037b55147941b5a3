  // --- instrument part: peer connections and data channels -------------------------------
  // (joined into core.js by page.py; shares its scope)
  const MAX_PEERS = 64;
  const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
  // A well-formed STUN/TURN URL (RFC 7064/7065). Anything else is left in the configuration, so
  // that the browser refuses it with its own error, exactly as without the instrument.
  const ICE_URL = /^(?:stuns?|turns?):(\[[0-9a-f:.]+\]|[^\s:?/[\]@]+)(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?$/i;

  const peerIds = new WeakMap(); // pc -> number
  const peerChannels = new WeakMap(); // pc -> Set of its channels
  const channelPeers = new WeakMap(); // channel -> pc
  const ufrags = new WeakMap(); // pc -> the remote description's first ice-ufrag
  const observedChannels = new WeakSet();
  const realtimeChannels = new Set(); // channels that carried realtime events, oldest first
  const droppedIceUrls = [];
  let peerRefs = []; // WeakRefs, oldest first
  let nextPeerId = 1;

  const NativePeerConnection = window.RTCPeerConnection;
  const remoteDescriptionOf = typeof NativePeerConnection === "function"
    ? Object.getOwnPropertyDescriptor(NativePeerConnection.prototype, "remoteDescription")?.get
    : undefined;

  function peerOf(channel) {
    return channelPeers.get(channel) ?? null;
  }

  function peerIdOf(pc) {
    return pc ? peerIds.get(pc) ?? null : null;
  }

  /** The ice-ufrag of the peer's remote description (the answer the bridge returned), read
   * through the browser's own getter once it is there; the first one is kept. */
  function ufragOf(pc) {
    if (!pc) return null;
    let ufrag = ufrags.get(pc);
    if (ufrag === undefined && remoteDescriptionOf) {
      const sdp = Reflect.apply(remoteDescriptionOf, pc, [])?.sdp;
      const match = typeof sdp === "string" ? /^a=ice-ufrag:(\S+)/m.exec(sdp) : null;
      if (match) {
        ufrag = match[1];
        ufrags.set(pc, ufrag);
      }
    }
    return ufrag ?? null;
  }

  function droppable(url, server) {
    const match = typeof url === "string" ? ICE_URL.exec(url) : null;
    // A TURN server without credentials is refused by the browser: left for it to refuse.
    const refused = /^turns?:/i.test(url) && (server.username === undefined
      || server.credential === undefined);
    return match !== null && !refused && !LOOPBACK_HOST.test(match[1]);
  }

  /** The configuration without STUN/TURN servers beyond loopback. Everything else is read by
   * the browser from the page's own object (a view over it), as without the instrument. */
  function loopbackOnly(config) {
    if (!CONFIG.dropIceServers || config === null || typeof config !== "object"
        || !Array.isArray(config.iceServers)) {
      return config;
    }
    const iceServers = [];
    for (const server of config.iceServers) {
      const urls = server !== null && typeof server === "object" ? server.urls : undefined;
      const list = typeof urls === "string" ? [urls] : Array.isArray(urls) ? urls : null;
      if (!list) {
        iceServers.push(server);
        continue;
      }
      const kept = list.filter((url) => !droppable(url, server));
      for (const url of list) {
        if (droppable(url, server) && droppedIceUrls.length < 16) droppedIceUrls.push(url);
      }
      if (kept.length === list.length) iceServers.push(server);
      else if (kept.length) iceServers.push(Object.create(server, { urls: { value: kept, enumerable: true } }));
    }
    return Object.create(config, { iceServers: { value: iceServers, enumerable: true } });
  }

  function watchPeer(pc) {
    peerIds.set(pc, nextPeerId++);
    peerChannels.set(pc, new Set());
    if (peerRefs.length >= MAX_PEERS) {
      peerRefs = peerRefs.filter((ref) => ref.deref()?.connectionState !== "closed"
        && ref.deref() !== undefined).slice(-(MAX_PEERS - 1));
    }
    peerRefs.push(new WeakRef(pc));
    pc.addEventListener("datachannel", (event) => observeChannel(event.channel, pc),
      { capture: true });
    pc.addEventListener("track", (event) => {
      if (event.track.kind === "audio") audio.addRemote(event.track);
    }, { capture: true });
  }

  function observeChannel(channel, pc) {
    if (observedChannels.has(channel)) return;
    observedChannels.add(channel);
    if (pc) {
      channelPeers.set(channel, pc);
      peerChannels.get(pc)?.add(channel);
    }
    channel.addEventListener("message", (event) => {
      const text = event.data;
      if (typeof text !== "string") return;
      quietly(() => {
        const event = eventToWatch(channel, text, "server");
        if (event) tools.serverEvent(event);
      });
      quietly(() => report("server", channel, text));
    }, { capture: true });
  }

  /** The parsed event if the tool watch or the realtime channel's choice needs it: a channel
   * is known as realtime once it carried a `session.*` event; after that only texts that can
   * be function calls are parsed. */
  function eventToWatch(channel, text, dir) {
    const known = realtimeChannels.has(channel);
    if (known && !text.includes("function_call")) return null;
    const event = parsedEvent(text);
    if (!known && event?.type.startsWith("session.")) {
      for (const old of realtimeChannels) {
        if (old.readyState === "closed") realtimeChannels.delete(old);
      }
      realtimeChannels.add(channel);
    }
    return event && (dir === "server" || event.type === "conversation.item.create") ? event : null;
  }

  if (typeof NativePeerConnection === "function") {
    const Peer = proxied(NativePeerConnection, {
      construct(target, args, newTarget) {
        try {
          const pc = Reflect.construct(target, [loopbackOnly(args[0]), ...args.slice(1)],
            newTarget);
          watchPeer(pc);
          return pc;
        } catch (error) {
          throw scrubbed(error);
        }
      },
    });
    for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection"]) {
      if (window[name] === NativePeerConnection) {
        Object.defineProperty(window, name, { ...Object.getOwnPropertyDescriptor(window, name),
          value: Peer });
      }
    }
    Object.defineProperty(NativePeerConnection.prototype, "constructor", { value: Peer });
    replace(NativePeerConnection.prototype, "setConfiguration", (target, self, args) =>
      Reflect.apply(target, self, [loopbackOnly(args[0]), ...args.slice(1)]));
    replace(NativePeerConnection.prototype, "createDataChannel", (target, self, args) => {
      const channel = Reflect.apply(target, self, args);
      observeChannel(channel, self);
      return channel;
    });
  }

  if (typeof window.RTCDataChannel === "function") {
    replace(RTCDataChannel.prototype, "send", (target, self, args) => {
      const result = Reflect.apply(target, self, args); // throws as the page expects
      const text = args[0];
      if (typeof text === "string") {
        observeChannel(self, null);
        quietly(() => {
          const event = eventToWatch(self, text, "client");
          if (event) tools.clientEvent(event);
        });
        quietly(() => report("client", self, text));
      }
      return result;
    });
  }

  /** The open channel that carries realtime events (the latest one, if several). */
  function realtimeChannel() {
    let found = null;
    for (const channel of realtimeChannels) {
      if (channel.readyState === "open") found = channel;
    }
    return found;
  }

  function peersState() {
    const peers = [];
    for (const ref of peerRefs) {
      const pc = ref.deref();
      if (!pc) continue;
      const channels = [...(peerChannels.get(pc) ?? [])].map((channel) => ({
        label: channel.label, state: channel.readyState, realtime: realtimeChannels.has(channel),
      }));
      peers.push({ peer: peerIds.get(pc), state: pc.connectionState, ufrag: ufragOf(pc), channels });
    }
    const channel = realtimeChannel();
    return { peers, realtime: channel ? { label: channel.label, peer: peerIdOf(peerOf(channel)) }
      : null, droppedIceServers: [...droppedIceUrls], microphones: audio.liveCount() };
  }
