// Baselines built on npm:fft.js, the FFT a Deno/JS user typically picks. fft.js only
// supports power-of-two sizes, so a non-power-of-two length (Whisper's n = 400) goes
// through Bluestein's chirp-z transform on top of two power-of-two fft.js transforms:
// what a user of fft.js has to write to get exact 400-point bins.

import FFT from "fft.js";

/** Real forward FFT of length n with fft.js: direct for powers of two, else Bluestein. */
export class FftJsReal {
  readonly n: number;
  #pow2: FFT | null = null;
  #out: number[] = [];
  #in: number[] = [];
  // Bluestein state
  #big: FFT | null = null;
  #chirp = new Float64Array(0);
  #filter: number[] = [];
  #a: number[] = [];
  #fa: number[] = [];

  constructor(n: number) {
    this.n = n;
    if (n >= 2 && (n & (n - 1)) === 0) {
      this.#pow2 = new FFT(n);
      this.#out = this.#pow2.createComplexArray();
      this.#in = new Array(n).fill(0);
      return;
    }
    let m = 2;
    while (m < 2 * n - 1) m *= 2;
    const big = new FFT(m);
    this.#big = big;
    this.#chirp = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      const a = (-Math.PI * ((k * k) % (2 * n))) / n;
      this.#chirp[2 * k] = Math.cos(a);
      this.#chirp[2 * k + 1] = Math.sin(a);
    }
    const b = big.createComplexArray().fill(0);
    for (let k = 0; k < n; k++) {
      const c = this.#chirp[2 * k]!, s = -this.#chirp[2 * k + 1]!;
      b[2 * k] = c;
      b[2 * k + 1] = s;
      if (k > 0) {
        b[2 * (m - k)] = c;
        b[2 * (m - k) + 1] = s;
      }
    }
    this.#filter = big.createComplexArray();
    big.transform(this.#filter, b);
    this.#a = big.createComplexArray().fill(0);
    this.#fa = big.createComplexArray();
  }

  /** Bins 0..n/2 of the DFT of `x`, interleaved re, im, into `out`. */
  forward(x: ArrayLike<number>, out: Float64Array | Float32Array): void {
    const n = this.n, half = 2 * (Math.floor(n / 2) + 1);
    if (this.#pow2 !== null) {
      const inp = this.#in;
      for (let i = 0; i < n; i++) inp[i] = x[i]!;
      this.#pow2.realTransform(this.#out, inp);
      for (let i = 0; i < half; i++) out[i] = this.#out[i]!;
      return;
    }
    const big = this.#big!, c = this.#chirp, a = this.#a, fa = this.#fa, f = this.#filter;
    for (let k = 0; k < n; k++) {
      a[2 * k] = x[k]! * c[2 * k]!;
      a[2 * k + 1] = x[k]! * c[2 * k + 1]!;
    }
    for (let i = 2 * n; i < a.length; i++) a[i] = 0;
    big.transform(fa, a);
    for (let i = 0; i < fa.length; i += 2) {
      const vr = fa[i]!, vi = fa[i + 1]!, fr = f[i]!, fi = f[i + 1]!;
      a[i] = vr * fr - vi * fi;
      a[i + 1] = vr * fi + vi * fr;
    }
    big.inverseTransform(fa, a);
    for (let k = 0; 2 * k < half; k++) {
      const vr = fa[2 * k]!, vi = fa[2 * k + 1]!, cr = c[2 * k]!, ci = c[2 * k + 1]!;
      out[2 * k] = vr * cr - vi * ci;
      out[2 * k + 1] = vr * ci + vi * cr;
    }
  }
}

/**
 * Whisper log-mel the way a user would port whisper's numpy code onto fft.js: per frame
 * window, FFT (Bluestein, n = 400), power, dense `W @ P`, then log10 and the global clamp.
 */
export function fftJsLogMel(x: Float32Array, filters: Float32Array, nMels: number): Float32Array {
  const L = x.length, nf = Math.floor(L / 160);
  const fft = new FftJsReal(400);
  const win = Float64Array.from(
    { length: 400 },
    (_, k) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / 400),
  );
  const frame = new Float64Array(400), spec = new Float64Array(402), p = new Float64Array(201);
  const out = new Float32Array(nMels * nf);
  let mx = -Infinity;
  for (let t = 0; t < nf; t++) {
    for (let j = 0; j < 400; j++) {
      let i = 160 * t + j - 200;
      if (i < 0) i = -i;
      else if (i >= L) i = 2 * (L - 1) - i;
      frame[j] = x[i]! * win[j]!;
    }
    fft.forward(frame, spec);
    for (let k = 0; k < 201; k++) p[k] = spec[2 * k]! ** 2 + spec[2 * k + 1]! ** 2;
    for (let m = 0; m < nMels; m++) {
      let s = 0;
      for (let k = 0; k < 201; k++) s += filters[m * 201 + k]! * p[k]!;
      const v = Math.log10(Math.max(s, 1e-10));
      out[m * nf + t] = v;
      if (v > mx) mx = v;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = (Math.max(out[i]!, mx - 8) + 4) / 4;
  return out;
}
