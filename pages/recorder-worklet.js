// Collects the audio reaching it into fixed-size mono chunks and posts each one with the
// context frame of its first sample; "stop" posts what is left, then {flushed: true}, and ends.

class BridgeRecorder extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.size = options.processorOptions?.chunkFrames ?? 12_000;
    this.buffer = new Float32Array(this.size);
    this.filled = 0;
    this.start = null;
    this.stopped = false;
    this.port.onmessage = () => {
      this.post();
      this.port.postMessage({ flushed: true });
      this.stopped = true;
    };
  }

  post() {
    if (this.filled === 0) return;
    const samples = this.buffer.slice(0, this.filled);
    this.port.postMessage({ frame: this.start, samples }, [samples.buffer]);
    this.filled = 0;
    this.start = null;
  }

  process(inputs) {
    if (this.stopped) return false;
    const channel = inputs[0]?.[0];
    const frames = channel?.length ?? 128;
    let offset = 0;
    while (offset < frames) {
      if (this.start === null) this.start = currentFrame + offset;
      const count = Math.min(frames - offset, this.size - this.filled);
      if (channel) this.buffer.set(channel.subarray(offset, offset + count), this.filled);
      else this.buffer.fill(0, this.filled, this.filled + count);
      this.filled += count;
      offset += count;
      if (this.filled === this.size) this.post();
    }
    return true;
  }
}

registerProcessor("bridge-recorder", BridgeRecorder);
