// Pure-TypeScript Whisper log-mel: the fallback where FFI is not allowed and the readable
// reference. Same recipe and structure as native/src/dsp/mel.rs (periodic Hann 400, hop
// 160, reflect padding 200, power, Slaney filterbank applied over each filter's non-zero
// bins, log10 clamp, global max - 8 clamp, (x + 4) / 4), computed in float64 with the
// real FFT of _fft_ts.ts. Log values are rounded to float32 where they are stored, in the
// batch and the streaming form alike, so both give the same numbers.

import type { MelBackend, MelLayoutCode, MelStreamBackend } from "../ffi/mel.ts";
import { tsPlan, type TsRealPlan } from "./_fft_ts.ts";

const SAMPLE_RATE = 16000;
const N_FFT = 400;
const HOP = 160;
const PAD = 200;
const N_BINS = 201;

/** Slaney mel scale (librosa `hz_to_mel`, `htk=False`). */
function hzToMel(f: number): number {
  const fSp = 200 / 3, minLogHz = 1000, minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  return f >= minLogHz ? minLogMel + Math.log(f / minLogHz) / logstep : f / fSp;
}

/** Inverse of {@link hzToMel} (librosa `mel_to_hz`). */
function melToHz(m: number): number {
  const fSp = 200 / 3, minLogHz = 1000, minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  return m >= minLogMel ? minLogHz * Math.exp(logstep * (m - minLogMel)) : fSp * m;
}

const filterCache = new Map<number, Float32Array>();

/**
 * The `[nMels][201]` filterbank of `librosa.filters.mel(sr=16000, n_fft=400, n_mels)`,
 * following librosa's order of operations: triangles in float64 cast to float32, then the
 * Slaney area normalisation multiplied in float64 and cast to float32.
 *
 * @param nMels 80 or 128 (validated by the caller).
 * @returns The cached matrix (do not modify).
 */
export function melFilters(nMels: number): Float32Array {
  const hit = filterCache.get(nMels);
  if (hit) return hit;
  const val = 1 / (N_FFT * (1 / SAMPLE_RATE)); // np.fft.rfftfreq spacing
  const start = hzToMel(0), stop = hzToMel(SAMPLE_RATE / 2);
  const num = nMels + 2;
  const step = (stop - start) / (num - 1);
  const edges = Array.from(
    { length: num },
    (_, i) => melToHz(i === num - 1 ? stop : i * step + start),
  );
  const w = new Float32Array(nMels * N_BINS);
  const tri = new Float32Array(1);
  for (let m = 0; m < nMels; m++) {
    const lo = edges[m]!, mid = edges[m + 1]!, hi = edges[m + 2]!;
    const enorm = 2 / (hi - lo);
    for (let k = 0; k < N_BINS; k++) {
      const f = k * val;
      const lower = -(lo - f) / (mid - lo);
      const upper = (hi - f) / (hi - mid);
      tri[0] = Math.max(0, Math.min(lower, upper));
      w[m * N_BINS + k] = tri[0]! * enorm;
    }
  }
  filterCache.set(nMels, w);
  return w;
}

let hann: Float64Array | undefined;

/** Periodic Hann window of 400 samples. */
function window(): Float64Array {
  return hann ??= Float64Array.from(
    { length: N_FFT },
    (_, k) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / N_FFT),
  );
}

/** Per-frame work: window, FFT, power, sparse filterbank, log10. */
class FrameKernel {
  readonly nMels: number;
  #plan: TsRealPlan = tsPlan(N_FFT);
  #win = window();
  #w: Float32Array;
  /** Non-zero bin range [start, end) of each filter. */
  #start: Int32Array;
  #end: Int32Array;
  #frame = new Float64Array(N_FFT);
  #spec = new Float64Array(2 * N_BINS);
  #power = new Float64Array(N_BINS);

  constructor(nMels: number) {
    this.nMels = nMels;
    this.#w = melFilters(nMels);
    this.#start = new Int32Array(nMels);
    this.#end = new Int32Array(nMels);
    for (let m = 0; m < nMels; m++) {
      let a = 0, b = N_BINS;
      while (a < N_BINS && this.#w[m * N_BINS + a] === 0) a++;
      while (b > a && this.#w[m * N_BINS + b - 1] === 0) b--;
      this.#start[m] = a;
      this.#end[m] = b;
    }
  }

  /** Window frame `t` of `x` (reflect-padded virtually). */
  load(x: Float32Array, t: number): void {
    const len = x.length, win = this.#win, f = this.#frame;
    const start = t * HOP - PAD; // index into x of the frame's first sample
    if (start >= 0 && start + N_FFT <= len) {
      for (let j = 0; j < N_FFT; j++) f[j] = x[start + j]! * win[j]!;
    } else {
      for (let j = 0; j < N_FFT; j++) {
        let i = start + j;
        if (i < 0) i = -i;
        else if (i >= len) i = 2 * (len - 1) - i;
        f[j] = x[i]! * win[j]!;
      }
    }
  }

  /** Window 400 padded samples starting at `buf[off]`. */
  loadPadded(buf: Float32Array, off: number): void {
    const win = this.#win, f = this.#frame;
    for (let j = 0; j < N_FFT; j++) f[j] = buf[off + j]! * win[j]!;
  }

  /**
   * Log10 mel values of the loaded frame into `out[at + m * stride]` (rounded to float32
   * by the store). Returns their maximum (as stored).
   */
  compute(out: Float32Array, at: number, stride: number): number {
    const spec = this.#spec, power = this.#power, w = this.#w;
    this.#plan.forward(this.#frame, spec);
    for (let k = 0; k < N_BINS; k++) {
      const re = spec[2 * k]!, im = spec[2 * k + 1]!;
      power[k] = re * re + im * im;
    }
    let mx = -Infinity;
    for (let m = 0; m < this.nMels; m++) {
      let acc = 0;
      const row = m * N_BINS;
      for (let k = this.#start[m]!, e = this.#end[m]!; k < e; k++) acc += w[row + k]! * power[k]!;
      const v = Math.fround(Math.log10(acc > 1e-10 ? acc : 1e-10));
      out[at + m * stride] = v;
      if (v > mx) mx = v;
    }
    return mx;
  }
}

/** `(max(v, max - 8) + 4) / 4` in place. */
function finalize(out: Float32Array, max: number): void {
  const floor = max - 8;
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    out[i] = ((v > floor ? v : floor) + 4) / 4;
  }
}

function batch(
  x: Float32Array,
  nMels: number,
  layout: MelLayoutCode,
  out: Float32Array,
): void {
  const nf = Math.floor(x.length / HOP);
  const k = new FrameKernel(nMels);
  let mx = -Infinity;
  for (let t = 0; t < nf; t++) {
    k.load(x, t);
    const v = layout === 0 ? k.compute(out, t, nf) : k.compute(out, t * nMels, 1);
    if (v > mx) mx = v;
  }
  finalize(out.subarray(0, nMels * nf), mx);
}

/** Streaming form; see `LogMelStream` in native/src/dsp/mel.rs for the bookkeeping. */
class TsMelStream implements MelStreamBackend {
  #k: FrameKernel;
  #layout: MelLayoutCode;
  /** Raw samples before the start padding; afterwards the padded signal from `#base`. */
  #pad = new Float32Array(4 * N_FFT);
  #padLen = 0;
  #base = 0;
  #total = 0;
  #started = false;
  #next = 0;
  /** log10 mel values of frames 0..next, frame-major. */
  #mels: Float32Array;
  #max = -Infinity;

  constructor(nMels: number, layout: MelLayoutCode, capacityFrames: number) {
    this.#k = new FrameKernel(nMels);
    this.#layout = layout;
    this.#mels = new Float32Array(Math.max(1, capacityFrames) * nMels);
  }

  /** Make room for `n` more samples (grows geometrically, so pushes rarely allocate). */
  #reserve(n: number): void {
    if (this.#padLen + n > this.#pad.length) {
      const grown = new Float32Array(Math.max(2 * this.#pad.length, this.#padLen + n));
      grown.set(this.#pad.subarray(0, this.#padLen));
      this.#pad = grown;
    }
  }

  push(samples: Float32Array): number {
    this.#total += samples.length;
    this.#reserve(samples.length);
    this.#pad.set(samples, this.#padLen);
    this.#padLen += samples.length;
    if (!this.#started) {
      if (this.#padLen <= PAD) return 0;
      // Prepend x[200], x[199], ..., x[1].
      this.#reserve(PAD);
      const p = this.#pad;
      p.copyWithin(PAD, 0, this.#padLen);
      this.#padLen += PAD;
      for (let i = 0; i < PAD; i++) p[i] = p[2 * PAD - i]!;
      this.#started = true;
      this.#base = 0;
    }
    this.#run();
    return this.#next;
  }

  #run(): void {
    const k = this.#k, nMels = k.nMels;
    while (HOP * this.#next + N_FFT <= this.#base + this.#padLen) {
      const at = this.#next * nMels;
      if (at + nMels > this.#mels.length) {
        const grown = new Float32Array(2 * this.#mels.length + nMels);
        grown.set(this.#mels);
        this.#mels = grown;
      }
      k.loadPadded(this.#pad, HOP * this.#next - this.#base);
      const v = k.compute(this.#mels, at, 1);
      if (v > this.#max) this.#max = v;
      this.#next++;
    }
    const drop = HOP * this.#next - this.#base;
    if (drop > 0) {
      this.#pad.copyWithin(0, drop, this.#padLen);
      this.#padLen -= drop;
      this.#base += drop;
    }
  }

  finish(out: Float32Array): number {
    const nMels = this.#k.nMels, nf = Math.floor(this.#total / HOP);
    if (this.#next < nf) {
      // End padding x[L-2], ..., x[L-201] sits at padded index PAD + L - 2 - i.
      const end = PAD + this.#total - this.#base;
      this.#reserve(PAD);
      const p = this.#pad, at = this.#padLen;
      for (let i = 0; i < PAD; i++) p[at + i] = p[end - 2 - i]!;
      this.#padLen += PAD;
      this.#run();
    }
    const floor = this.#max - 8, mels = this.#mels;
    if (this.#layout === 1) {
      for (let i = 0; i < nMels * nf; i++) {
        const v = mels[i]!;
        out[i] = ((v > floor ? v : floor) + 4) / 4;
      }
    } else {
      for (let t = 0; t < nf; t++) {
        for (let m = 0; m < nMels; m++) {
          const v = mels[t * nMels + m]!;
          out[m * nf + t] = ((v > floor ? v : floor) + 4) / 4;
        }
      }
    }
    this.reset();
    return nf;
  }

  reset(): void {
    this.#padLen = 0;
    this.#base = 0;
    this.#total = 0;
    this.#started = false;
    this.#next = 0;
    this.#max = -Infinity;
  }

  close(): void {}
}

/** The TS implementation of the log-mel kernels (threads are ignored: one JS thread). */
export const tsMel: MelBackend = {
  batch(samples, nMels, layout, _threads, out) {
    batch(samples, nMels, layout, out);
  },
  batchAsync(samples, nMels, layout, _threads, out) {
    try {
      batch(samples, nMels, layout, out);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  },
  filters(nMels, out) {
    out.set(melFilters(nMels));
  },
  createStream(nMels, layout, capacityFrames) {
    return new TsMelStream(nMels, layout, capacityFrames);
  },
};
