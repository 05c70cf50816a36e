// Pure-TypeScript resampler: the same polyphase Kaiser-windowed sinc as the native
// library (native/src/dsp/resample.rs), computed the same way, so both give the same
// samples to within float rounding (the native code accumulates in f32, this in f64).
//
// Output frame k sits at input time t = k·M/L (in input samples) for the reduced ratio
// L/M = out/in. With t = n + p/L, it is the dot product of coefficient row p with the
// `taps` input samples n - taps/2 + 1 ..= n + taps/2. The stream starts with silence, so
// stream output j is the signal at (j - delay)/outRate with delay = floor(taps/2 · L/M).

/** Quality preset of the resampler. */
export type ResampleQuality = "fast" | "default" | "high";

/** Preset parameters: passband and stopband edges (fractions of the common Nyquist), dB. */
export const QUALITY_PARAMS: Readonly<
  Record<ResampleQuality, { code: number; pass: number; stop: number; atten: number }>
> = {
  fast: { code: 0, pass: 0.8, stop: 1.2, atten: 70 },
  default: { code: 1, pass: 0.875, stop: 1.0, atten: 105 },
  high: { code: 2, pass: 0.9, stop: 1.0, atten: 140 },
};

/** Highest sample rate accepted, in Hz. */
export const MAX_RATE = 1_536_000;
/** Largest numerator or denominator of the reduced ratio. */
export const MAX_TERM = 4096;
/** Largest conversion factor either way. */
export const MAX_FACTOR = 256;
/** Largest channel count. */
export const MAX_CHANNELS = 64;
const TAP_MULTIPLE = 16;
const BLOCK = 8192;

/** A designed polyphase filter. */
export interface ResampleDesign {
  /** Interpolation factor L. */
  up: number;
  /** Decimation factor M. */
  down: number;
  /** Taps per row (a multiple of 16). */
  taps: number;
  /** Latency in output frames. */
  delay: number;
  /** `up` rows of `taps` coefficients. */
  table: Float32Array;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** floor(a / b) for integers, b > 0, exact for |a| < 2^53. */
export function floorDiv(a: number, b: number): number {
  const r = ((a % b) + b) % b;
  return (a - r) / b;
}

/** ceil(a / b) for integers, b > 0. */
export function ceilDiv(a: number, b: number): number {
  return -floorDiv(-a, b);
}

/** Modified Bessel function of the first kind, order 0 (same series as native). */
export function besselI0(x: number): number {
  const q = x * x / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 1000; k++) {
    term = term * q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function kaiserBeta(atten: number): number {
  if (atten > 50) return 0.1102 * (atten - 8.7);
  if (atten >= 21) return 0.5842 * (atten - 21) ** 0.4 + 0.07886 * (atten - 21);
  return 0;
}

/**
 * Validate rates and reduce the ratio.
 * @returns `[up, down]` with `up/down = outRate/inRate`.
 * @throws {RangeError} for a rate out of range or an unsupported ratio.
 */
export function reduceRatio(inRate: number, outRate: number): [number, number] {
  for (const [what, r] of [["input", inRate], ["output", outRate]] as const) {
    if (!Number.isInteger(r) || r < 1 || r > MAX_RATE) {
      throw new RangeError(
        `Cannot create resampler: ${what} rate ${r} Hz is not an integer in 1..${MAX_RATE}`,
      );
    }
  }
  const g = gcd(inRate, outRate);
  const up = outRate / g, down = inRate / g;
  if (up > MAX_TERM || down > MAX_TERM) {
    throw new RangeError(
      `Cannot create resampler: ratio ${outRate}/${inRate} reduces to ${up}/${down}, ` +
        `whose terms exceed ${MAX_TERM}`,
    );
  }
  if (up > MAX_FACTOR * down || down > MAX_FACTOR * up) {
    throw new RangeError(
      `Cannot create resampler: ratio ${outRate}/${inRate} is beyond the supported factor of ${MAX_FACTOR}`,
    );
  }
  return [up, down];
}

/**
 * Design the polyphase filter (same formulas and order of operations as native).
 * @throws {RangeError} for bad rates.
 */
export function designResampler(
  inRate: number,
  outRate: number,
  quality: ResampleQuality,
): ResampleDesign {
  const [up, down] = reduceRatio(inRate, outRate);
  const { pass, stop, atten } = QUALITY_PARAMS[quality];
  const nyq = Math.min(inRate, outRate) / 2;
  const fc = (pass + stop) / 2 * nyq / inRate;
  const width = (stop - pass) * nyq / inRate;
  const n = (atten - 7.95) / (2.285 * 2 * Math.PI * width) + 1;
  const minTaps = Math.ceil(down / up) + 1;
  const taps = Math.ceil(Math.max(Math.ceil(n), minTaps) / TAP_MULTIPLE) * TAP_MULTIPLE;
  const beta = kaiserBeta(atten);
  const i0Beta = besselI0(beta);
  const half = taps / 2;
  const table = new Float32Array(up * taps);
  for (let p = 0; p < up; p++) {
    for (let i = 0; i < taps; i++) {
      const tau = ((half - 1 - i) * up + p) / up;
      const r = tau / half;
      let c = 0;
      if (r > -1 && r < 1) {
        const x = 2 * fc * tau;
        let sinc = 1;
        if (x !== 0) {
          const px = Math.PI * x;
          sinc = Math.sin(px) / px;
        }
        c = 2 * fc * sinc * besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      }
      table[p * taps + i] = c;
    }
  }
  const delay = Math.floor(half * up / down);
  return { up, down, taps, delay, table };
}

/** The operations both backends implement (the public `Resampler` wraps one). */
export interface ResamplerCore {
  readonly delay: number;
  outputFramesNext(inputFrames: number): number;
  inputFramesNext(outputFrames: number): number;
  flushFramesNext(): number;
  process(input: Float32Array, output: Float32Array): number;
  flush(output: Float32Array): number;
  reset(): void;
  close(): void;
}

/** The pure-TypeScript resampler (arguments are validated by the caller). */
export class TsResampler implements ResamplerCore {
  readonly channels: number;
  readonly up: number;
  readonly down: number;
  readonly taps: number;
  readonly delay: number;
  readonly table: Float32Array;
  #hist: Float32Array;
  #cap: number;
  #len = 0;
  #base = 0;
  #received = 0;
  #emitted = 0;

  constructor(inRate: number, outRate: number, channels: number, quality: ResampleQuality) {
    const d = designResampler(inRate, outRate, quality);
    this.channels = channels;
    this.up = d.up;
    this.down = d.down;
    this.taps = d.taps;
    this.delay = d.delay;
    this.table = d.table;
    const prefill = Math.max(0, -this.#windowStart(0));
    this.#cap = Math.max(prefill, this.taps) + BLOCK;
    this.#hist = new Float32Array(channels * this.#cap);
    this.reset();
  }

  /** First absolute input index of output j's window. */
  #windowStart(j: number): number {
    return floorDiv((j - this.delay) * this.down, this.up) - this.taps / 2 + 1;
  }

  #available(end: number): number {
    const k = this.delay + ceilDiv((end - this.taps / 2) * this.up, this.down);
    return Math.max(0, k);
  }

  outputFramesNext(inputFrames: number): number {
    return this.#available(this.#received + inputFrames) - this.#emitted;
  }

  inputFramesNext(outputFrames: number): number {
    if (outputFrames <= 0) return 0;
    const end = this.#windowStart(this.#emitted + outputFrames - 1) + this.taps;
    return Math.max(0, end - this.#received);
  }

  flushFramesNext(): number {
    if (this.#received === 0) return 0;
    const total = this.delay + ceilDiv(this.#received * this.up, this.down);
    return Math.max(0, total - this.#emitted);
  }

  reset(): void {
    this.#received = 0;
    this.#emitted = 0;
    const prefill = Math.max(0, -this.#windowStart(0));
    this.#base = -prefill;
    this.#len = prefill;
    this.#hist.fill(0);
  }

  process(input: Float32Array, output: Float32Array): number {
    const c = this.channels;
    const frames = input.length / c;
    const want = this.outputFramesNext(frames);
    let written = 0;
    let pos = 0;
    for (;;) {
      this.#compact();
      const take = Math.min(frames - pos, this.#cap - this.#len);
      this.#append(input, pos, take);
      pos += take;
      this.#received += take;
      written += this.#produce(output, written, want - written, this.#base + this.#len);
      if (pos === frames) break;
    }
    return written;
  }

  flush(output: Float32Array): number {
    const want = this.flushFramesNext();
    if (want > 0) {
      const end = this.#windowStart(this.#emitted + want - 1) + this.taps;
      let written = 0;
      while (written < want) {
        this.#compact();
        const need = Math.max(0, end - this.#base - this.#len);
        const take = Math.min(need, this.#cap - this.#len);
        this.#append(null, 0, take);
        const limit = Math.min(this.#base + this.#len, end);
        written += this.#produce(output, written, want - written, limit);
      }
    }
    this.reset();
    return want;
  }

  close(): void {}

  #compact(): void {
    const s = this.#windowStart(this.#emitted);
    const drop = Math.min(Math.max(0, s - this.#base), this.#len);
    if (drop === 0) return;
    const keep = this.#len - drop;
    for (let ch = 0; ch < this.channels; ch++) {
      const o = ch * this.#cap;
      this.#hist.copyWithin(o, o + drop, o + drop + keep);
    }
    this.#base += drop;
    this.#len = keep;
  }

  #append(input: Float32Array | null, pos: number, frames: number): void {
    const c = this.channels, cap = this.#cap, len = this.#len, h = this.#hist;
    for (let ch = 0; ch < c; ch++) {
      const o = ch * cap + len;
      if (input === null) {
        h.fill(0, o, o + frames);
      } else if (c === 1) {
        for (let i = 0; i < frames; i++) h[o + i] = input[pos + i]!;
      } else {
        for (let i = 0, k = pos * c + ch; i < frames; i++, k += c) h[o + i] = input[k]!;
      }
    }
    this.#len += frames;
  }

  /** Compute up to `room` outputs whose windows end at or before absolute index `end`. */
  #produce(out: Float32Array, at: number, room: number, end: number): number {
    const n = Math.min(this.#available(end) - this.#emitted, room);
    if (n <= 0) return 0;
    // Everything below is a small integer: `| 0` lets the JIT index with int32s.
    const c = this.channels | 0, taps = this.taps | 0, up = this.up | 0, cap = this.#cap | 0;
    const stepInt = Math.floor(this.down / up) | 0, stepFrac = (this.down % up) | 0;
    const num = (this.#emitted - this.delay) * this.down;
    const p0 = (num - floorDiv(num, up) * up) | 0;
    const off0 = (this.#windowStart(this.#emitted) - this.#base) | 0;
    const h = this.#hist, t = this.table;
    for (let ch = 0; ch < c; ch++) {
      let off = (ch * cap + off0) | 0, phase = p0;
      for (let k = 0; k < n; k++) {
        // taps is a multiple of 16: four partial sums keep the FPU busy.
        let a = 0, b = 0, d = 0, e = 0;
        for (let i = 0, r = phase * taps, j = off; i < taps; i += 4, r += 4, j += 4) {
          a += t[r]! * h[j]!;
          b += t[r + 1]! * h[j + 1]!;
          d += t[r + 2]! * h[j + 2]!;
          e += t[r + 3]! * h[j + 3]!;
        }
        out[(at + k) * c + ch] = (a + b) + (d + e);
        off += stepInt;
        phase += stepFrac;
        if (phase >= up) {
          phase -= up;
          off++;
        }
      }
    }
    this.#emitted += n;
    return n;
  }
}
