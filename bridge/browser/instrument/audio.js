  // --- instrument part: the page's microphone mixed with the bridge's speech, and the tap
  // that records the mix and every remote audio track (joined into core.js by
  // page.py; shares its scope)
  //
  // Each getUserMedia stream gets a mix of its own (a MediaStreamAudioDestinationNode fed by
  // the real microphone and by the bridge's `inject` node), so every live mix hears the
  // bridge. The page's mixed track reads as its microphone (label, settings, constraints are
  // the real track's); stopping it, and every clone of it, stops the real microphone. Where
  // WebAudio cannot run, the page gets its microphone untouched. A browser with no audio
  // device (remote, without fake-media flags) gets a microphone of the bridge's speech alone.
  //
  // CONFIG.releaseDeviceMic: the device plays only the bridge's silence, so a mix lets go of it
  // at once (the mixed track still reads as it). CONFIG.pauseIdleMic: while no mix carries a
  // device and nothing plays into them, the context pauses (`idlePause`, the part joined before
  // this one from the bridge's page, idle-pause.js).
  const SAMPLE_RATE_HZ = 48_000;
  const RESUME_TIMEOUT_MS = 1_000;
  const RECORDER_FRAMES = 4_096;
  const IDLE_HANGOVER_MS = 1_000;
  const NativeAudioContext = window.AudioContext;
  const NativeMediaStream = window.MediaStream;
  const nativeTrackStop = window.MediaStreamTrack?.prototype.stop;

  const audio = {
    ctx: null,
    inject: null, // what the bridge plays; connected to every live mix
    mixes: new Set(), // {mic, source, destination, tracks}: tracks are the page's copies
    mixOf: new WeakMap(), // a mixed track (or a clone of one) -> its mix
    remotes: new Set(),
    recording: null,

    live() {
      return this.liveCount() > 0;
    },

    liveCount() {
      let live = 0;
      for (const mix of this.mixes) {
        if ([...mix.tracks].some((track) => track.readyState === "live")) live += 1;
      }
      return live;
    },

    play(base64) {
      if (!this.live()) {
        return Promise.reject(new Error("the page has not opened its microphone "
          + "(getUserMedia), or has stopped it: nothing to speak into"));
      }
      return idle.held(async () => {
        const ctx = await runningContext();
        if (!ctx) throw new Error("the page's audio context will not run");
        return playClip(ctx, this.inject, base64, { setTimer, clearTimer });
      });
    },

    addRemote(track) {
      for (const old of this.remotes) {
        if (old.readyState === "ended") this.remotes.delete(old);
      }
      this.remotes.add(track);
      if (this.recording) tapRemote(this.recording, track);
    },

    startRecording(name) {
      return idle.held(() => this.record(name));
    },

    async record(name) {
      if (typeof window[name] !== "function") {
        throw new Error(`the page has no ${name} binding: only the bridge can record`);
      }
      if (this.recording) throw new Error("a recording is already running");
      const ctx = await runningContext();
      if (!ctx) throw new Error("the page's audio context will not run: nothing to record");
      // A ScriptProcessor needs no module URL, so a page's Content-Security-Policy cannot
      // refuse it as it could an AudioWorklet loaded from a blob.
      const node = ctx.createScriptProcessor(RECORDER_FRAMES, 1, 1);
      const sink = new GainNode(ctx, { gain: 0 });
      node.connect(sink).connect(ctx.destination); // a processor runs only when pulled
      const recording = { node, sink, taps: [], shipping: new Set(), send: window[name] };
      node.onaudioprocess = (event) => ship(recording, ctx, event.inputBuffer);
      this.recording = recording;
      this.inject.connect(node);
      for (const mix of this.mixes) mix.source?.connect(node);
      for (const track of this.remotes) tapRemote(recording, track);
    },

    async stopRecording() {
      const recording = this.recording;
      if (!recording) return;
      this.recording = null;
      recording.node.onaudioprocess = null;
      for (const tap of recording.taps) tap.disconnect();
      recording.node.disconnect();
      recording.sink.disconnect();
      disconnect(this.inject, recording.node);
      for (const mix of this.mixes) if (mix.source) disconnect(mix.source, recording.node);
      idle.settle();
      await Promise.allSettled([...recording.shipping]);
    },
  };

  // The context must run while a recording runs or a mix carries a device.
  const idle = idlePause({
    context: () => audio.ctx,
    busy: () => Boolean(audio.recording) || [...audio.mixes].some((mix) => mix.source),
    hangoverMs: IDLE_HANGOVER_MS, setTimer, clearTimer,
  });
  idle.enable(CONFIG.pauseIdleMic);

  function disconnect(from, to) {
    try {
      from.disconnect(to);
    } catch {
      // not connected (any more)
    }
  }

  async function runningContext() {
    if (!audio.ctx) {
      if (typeof NativeAudioContext !== "function") return null;
      audio.ctx = new NativeAudioContext({ sampleRate: SAMPLE_RATE_HZ,
        latencyHint: "interactive" });
      audio.inject = new GainNode(audio.ctx);
      // A source that never ends, so that a mix with no microphone is still pulled once the
      // last clip played into it has disconnected (Chromium stops pulling an idle mix).
      const hold = new ConstantSourceNode(audio.ctx, { offset: 0 });
      hold.connect(audio.inject);
      hold.start();
    }
    const ctx = audio.ctx;
    if (ctx.state !== "running") {
      const timeout = new Promise((resolve) => setTimer(resolve, RESUME_TIMEOUT_MS));
      await Promise.race([ctx.resume().catch(() => {}), timeout]);
    }
    return ctx.state === "running" ? ctx : null;
  }

  /** The stream with its microphone replaced by a mix of it and the bridge's speech; the
   * stream itself where WebAudio cannot run (no context, or one that will not start). */
  async function mixed(stream) {
    const mic = stream.getAudioTracks()[0];
    if (!mic || mic.readyState !== "live") return stream;
    try {
      const ctx = await runningContext();
      if (!ctx || mic.readyState !== "live") return stream;
      let source = null;
      if (CONFIG.releaseDeviceMic && nativeTrackStop) {
        Reflect.apply(nativeTrackStop, mic, []);
      } else {
        source = new MediaStreamAudioSourceNode(ctx, { mediaStream: new NativeMediaStream([mic]) });
      }
      const destination = new MediaStreamAudioDestinationNode(ctx, { channelCount: 1,
        channelCountMode: "explicit" });
      source?.connect(destination);
      audio.inject.connect(destination);
      const [track] = destination.stream.getAudioTracks();
      const mix = { mic, source, destination, tracks: new Set([track]) };
      audio.mixes.add(mix);
      audio.mixOf.set(track, mix);
      if (audio.recording) source?.connect(audio.recording.node);
      idle.settle();
      return new NativeMediaStream(stream.getTracks().map((t) => (t === mic ? track : t)));
    } catch {
      return stream;
    }
  }

  /** For a browser with no audio device (a remote one without fake-media flags), a request
   * for a microphone alone gets one made of the bridge's speech (silence between); any other
   * failure reaches the page as it was. */
  async function bridgeOnly(error, constraints) {
    const noDevice = error?.name === "NotFoundError" || error?.name === "NotReadableError";
    if (!noDevice || !constraints?.audio || constraints.video) throw error;
    const ctx = await runningContext();
    if (!ctx) throw error;
    const destination = new MediaStreamAudioDestinationNode(ctx, { channelCount: 1,
      channelCountMode: "explicit" });
    audio.inject.connect(destination);
    const [track] = destination.stream.getAudioTracks();
    const mix = { mic: null, source: null, destination, tracks: new Set([track]) };
    audio.mixes.add(mix);
    audio.mixOf.set(track, mix);
    idle.settle();
    return new NativeMediaStream([track]);
  }

  /** A copy of a mixed track is one more holder of its microphone. */
  function cloned(track, copy) {
    const mix = audio.mixOf.get(track);
    if (mix && audio.mixes.has(mix) && copy?.kind === track.kind) {
      mix.tracks.add(copy);
      audio.mixOf.set(copy, mix);
    }
  }

  /** The page stopped `track`: the last holder of a mix stops the real microphone. */
  function released(track, nativeStop) {
    const mix = audio.mixOf.get(track);
    if (!mix || !mix.tracks.delete(track) || mix.tracks.size) return;
    audio.mixes.delete(mix);
    if (mix.mic) Reflect.apply(nativeStop, mix.mic, []);
    mix.source?.disconnect();
    disconnect(audio.inject, mix.destination);
    idle.settle();
  }

  function tapRemote(recording, track) {
    if (track.readyState !== "live") return;
    const tap = new MediaStreamAudioSourceNode(audio.ctx,
      { mediaStream: new NativeMediaStream([track]) });
    tap.connect(recording.node);
    recording.taps.push(tap);
  }

  /** Wall-clock milliseconds (like Date.now(), sub-millisecond) of an AudioContext time. */
  function epochMsOf(ctx, contextTime) {
    return epochMs() + (contextTime - ctx.currentTime) * 1000;
  }

  function ship(recording, ctx, input) {
    const samples = input.getChannelData(0);
    const pcm = new Int16Array(samples.length);
    for (let i = 0; i < samples.length; i += 1) {
      pcm[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767)));
    }
    const bytes = new Uint8Array(pcm.buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    // The processor hands over the block that ended as this callback was queued.
    const startedAt = ctx.currentTime - input.duration;
    const chunk = { epochMs: epochMsOf(ctx, startedAt), sampleRate: ctx.sampleRate,
      pcm: btoa(binary) };
    let sent;
    try {
      sent = Promise.resolve(recording.send(chunk)).catch(() => {});
    } catch {
      return;
    }
    recording.shipping.add(sent);
    sent.finally(() => recording.shipping.delete(sent));
  }

  if (typeof MediaDevices === "function") {
    replace(MediaDevices.prototype, "getUserMedia", (target, self, args) =>
      scrubRejection(Reflect.apply(promiseThen, Reflect.apply(target, self, args),
        [mixed, (error) => bridgeOnly(error, args[0])])));
  }
  if (typeof Navigator === "function") {
    // The legacy callback forms: the success callback gets the mixed stream.
    for (const name of ["getUserMedia", "webkitGetUserMedia"]) {
      replace(Navigator.prototype, name, (target, self, args) => {
        const [constraints, onSuccess, ...rest] = args;
        if (typeof onSuccess !== "function") return Reflect.apply(target, self, args);
        const deliver = (stream) => Reflect.apply(promiseThen, mixed(stream), [(result) => {
          try {
            Reflect.apply(onSuccess, undefined, [result]);
          } catch (error) {
            window.reportError(error);
          }
        }]);
        return Reflect.apply(target, self, [constraints, deliver, ...rest]);
      });
    }
  }
  if (typeof MediaStreamTrack === "function") {
    const track = MediaStreamTrack.prototype;
    const nativeStop = track.stop;
    replace(track, "stop", (target, self, args) => {
      const result = Reflect.apply(target, self, args);
      released(self, nativeStop);
      return result;
    });
    replace(track, "clone", (target, self, args) => {
      const copy = Reflect.apply(target, self, args);
      cloned(self, copy);
      return copy;
    });
    // A mixed track reads as the microphone it carries.
    const asMicrophone = (target, self, args) =>
      Reflect.apply(target, audio.mixOf.get(self)?.mic ?? self, args);
    replace(track, "label", asMicrophone, "get");
    for (const name of ["getSettings", "getCapabilities", "getConstraints"]) {
      replace(track, name, asMicrophone);
    }
    replace(track, "applyConstraints", (target, self, args) =>
      scrubRejection(asMicrophone(target, self, args)));
  }
  if (typeof NativeMediaStream === "function") {
    replace(NativeMediaStream.prototype, "clone", (target, self, args) => {
      const copy = Reflect.apply(target, self, args);
      const copies = copy.getTracks();
      self.getTracks().forEach((track, index) => cloned(track, copies[index]));
      return copy;
    });
  }
