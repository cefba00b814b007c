// Audio worklets of the gemini-live console (one module: both processors share the resampler).
//
// "pcm-capture": microphone at the context rate -> 16 kHz PCM16 frames of 20 ms, posted to the
//   page with their RMS level (the page sends them to the relay).
// "pcm-playback": 24 kHz PCM16 from the relay -> a jitter buffer at the context rate. Playback
//   starts once PREBUFFER_MS are queued (or the turn's end is announced), an underrun goes back
//   to buffering, and "flush" empties the buffer at once (barge-in).

/** Streaming windowed-sinc resampler (Blackman window, cutoff below the lower Nyquist). */
class Resampler {
  constructor(inRate, outRate, zeroCrossings = 8) {
    this.step = inRate / outRate;
    this.passthrough = inRate === outRate;
    const scale = Math.min(1, outRate / inRate);
    this.cut = 0.9 * scale; // relative to the input Nyquist frequency
    this.half = Math.ceil(zeroCrossings / this.cut); // kernel half-width in input samples
    this.res = 64; // table entries per input sample
    const n = this.half * this.res;
    this.table = new Float32Array(n + 2);
    for (let i = 0; i <= n; i++) {
      const d = i / this.res;
      const x = Math.PI * this.cut * d;
      const sinc = i === 0 ? 1 : Math.sin(x) / x;
      const w = 0.42 + 0.5 * Math.cos((Math.PI * d) / this.half) +
        0.08 * Math.cos((2 * Math.PI * d) / this.half);
      this.table[i] = this.cut * sinc * w;
    }
    this.buf = new Float32Array(4096);
    this.len = this.half; // starts with `half` samples of silence as history
    this.pos = this.half;
  }

  reset() {
    this.buf.fill(0);
    this.len = this.half;
    this.pos = this.half;
  }

  /** Feed input samples; returns the output samples now computable. */
  process(input) {
    if (this.passthrough) return Float32Array.from(input);
    if (this.len + input.length > this.buf.length) {
      const bigger = new Float32Array(Math.max(this.buf.length * 2, this.len + input.length));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    this.buf.set(input, this.len);
    this.len += input.length;
    const h = this.half;
    const res = this.res;
    const table = this.table;
    const buf = this.buf;
    const count = Math.max(0, Math.ceil((this.len - h - this.pos) / this.step));
    const out = new Float32Array(count);
    let produced = 0;
    while (produced < count && this.pos + h < this.len) {
      const centre = Math.floor(this.pos);
      let acc = 0;
      for (let k = centre - h + 1; k <= centre + h; k++) {
        const d = Math.abs(this.pos - k) * res;
        const i = d | 0;
        if (i <= h * res) acc += buf[k] * (table[i] + (table[i + 1] - table[i]) * (d - i));
      }
      out[produced++] = acc;
      this.pos += this.step;
    }
    const drop = Math.floor(this.pos) - h;
    if (drop > 0) {
      buf.copyWithin(0, drop, this.len);
      this.len -= drop;
      this.pos -= drop;
    }
    return produced === count ? out : out.subarray(0, produced);
  }
}

const TARGET_RATE = 16000;
const FRAME_SAMPLES = 320; // 20 ms at 16 kHz

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.resampler = new Resampler(sampleRate, TARGET_RATE);
    this.frame = new Int16Array(FRAME_SAMPLES);
    this.filled = 0;
    this.sumSquares = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    const samples = this.resampler.process(channel);
    for (let i = 0; i < samples.length; i++) {
      const s = Math.max(-1, Math.min(1, samples[i]));
      this.sumSquares += s * s;
      this.frame[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.filled === FRAME_SAMPLES) {
        const rms = Math.sqrt(this.sumSquares / FRAME_SAMPLES);
        const pcm = this.frame.buffer;
        this.port.postMessage({ pcm, rms }, [pcm]);
        this.frame = new Int16Array(FRAME_SAMPLES);
        this.filled = 0;
        this.sumSquares = 0;
      }
    }
    return true;
  }
}

const SOURCE_RATE = 24000;
const PREBUFFER_MS = 80;
const CAPACITY_SECONDS = 90;
const STATUS_EVERY_BLOCKS = 24; // about 64 ms at 48 kHz

class PlaybackProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.resampler = new Resampler(SOURCE_RATE, sampleRate);
    this.ring = new Float32Array(Math.round(sampleRate * CAPACITY_SECONDS));
    this.read = 0;
    this.size = 0;
    this.playing = false;
    this.draining = false;
    this.prebuffer = Math.round((sampleRate * PREBUFFER_MS) / 1000);
    this.underruns = 0;
    this.overflowed = 0;
    this.blocks = 0;
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(message) {
    if (message.type === "push") {
      const pcm = new Int16Array(message.pcm);
      const floats = new Float32Array(pcm.length);
      for (let i = 0; i < pcm.length; i++) floats[i] = pcm[i] / 0x8000;
      this.write(this.resampler.process(floats));
      this.draining = false;
    } else if (message.type === "drain") {
      this.draining = true; // the turn ended: play what is left even below the prebuffer
    } else if (message.type === "flush") {
      const droppedMs = (this.size / sampleRate) * 1000;
      this.size = 0;
      this.read = 0;
      this.playing = false;
      this.draining = false;
      this.resampler.reset();
      this.port.postMessage({ type: "flushed", droppedMs });
      this.status();
    }
  }

  write(samples) {
    const cap = this.ring.length;
    let data = samples;
    if (data.length > cap) data = data.subarray(data.length - cap);
    const overflow = this.size + data.length - cap;
    if (overflow > 0) {
      // Never grow without bound: the oldest audio goes, and the page is told.
      this.read = (this.read + overflow) % cap;
      this.size -= overflow;
      this.overflowed += overflow;
    }
    let write = (this.read + this.size) % cap;
    for (let i = 0; i < data.length; i++) {
      this.ring[write] = data[i];
      write = write + 1 === cap ? 0 : write + 1;
    }
    this.size += data.length;
  }

  status() {
    this.port.postMessage({
      type: "status",
      bufferedMs: (this.size / sampleRate) * 1000,
      playing: this.playing,
      underruns: this.underruns,
      overflowedMs: (this.overflowed / sampleRate) * 1000,
    });
  }

  process(_inputs, outputs) {
    const out = outputs[0];
    const first = out[0];
    const frames = first.length;
    if (!this.playing && (this.size >= this.prebuffer || (this.draining && this.size > 0))) {
      this.playing = true;
      this.port.postMessage({ type: "started" });
    }
    if (this.playing) {
      const cap = this.ring.length;
      const n = Math.min(frames, this.size);
      for (let i = 0; i < n; i++) {
        first[i] = this.ring[this.read];
        this.read = this.read + 1 === cap ? 0 : this.read + 1;
      }
      this.size -= n;
      if (n < frames) {
        first.fill(0, n);
        this.playing = false;
        if (!this.draining) this.underruns += 1;
        this.draining = false;
        this.port.postMessage({ type: "stopped" });
      }
    } else {
      first.fill(0);
    }
    for (let c = 1; c < out.length; c++) out[c].set(first);
    if (++this.blocks % STATUS_EVERY_BLOCKS === 0) this.status();
    return true;
  }
}

registerProcessor("pcm-capture", CaptureProcessor);
registerProcessor("pcm-playback", PlaybackProcessor);
