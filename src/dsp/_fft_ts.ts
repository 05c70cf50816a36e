// Pure-TypeScript real FFT of any length: the fallback where FFI is not allowed and the
// readable reference. Same algorithm as native/src/dsp/fft.rs: a mixed-radix Stockham
// autosort (radices 4, 2, 3, 5, generic odd up to 31) or Bluestein for larger prime
// factors; even lengths run a half-length complex FFT on the samples read as complex
// pairs, then split the result into the real spectrum. Work is done in float64.
//
// Plans own their scratch and are cached per length: JS runs one call at a time per
// isolate, so sharing a plan (and its scratch) between transforms is safe.

import type { FftBackend } from "../ffi/fft.ts";

/** Largest prime handled by the generic butterfly; larger ones use Bluestein. */
const MAX_GENERIC_RADIX = 31;

/** Largest supported length (same as the native library). */
export const MAX_FFT_SIZE = 1 << 22;

/** `exp(-2*pi*i*num/den)` with the angle reduced exactly. */
function twiddle(num: number, den: number): [number, number] {
  const a = (-2 * Math.PI * (num % den)) / den;
  return [Math.cos(a), Math.sin(a)];
}

/** Radices in pass order, or null when a prime factor exceeds MAX_GENERIC_RADIX. */
export function factorize(n: number): number[] | null {
  const out: number[] = [];
  let rem = n;
  while (rem % 4 === 0) {
    out.push(4);
    rem /= 4;
  }
  if (rem % 2 === 0) {
    out.push(2);
    rem /= 2;
  }
  for (const p of [3, 5]) {
    while (rem % p === 0) {
      out.push(p);
      rem /= p;
    }
  }
  for (let p = 7; rem > 1; p += 2) {
    if (p > MAX_GENERIC_RADIX) return null;
    while (rem % p === 0) {
      out.push(p);
      rem /= p;
    }
  }
  return out;
}

interface Stage {
  radix: number;
  m: number;
  s: number;
  /** w^(p*j), p < m, 1 <= j < radix, interleaved at 2*(p*(radix-1) + j-1). */
  tw: Float64Array;
  /** exp(-2*pi*i*t/radix), t < radix (generic radix only). */
  roots: Float64Array;
  /** Scratch for the generic butterfly's inputs. */
  tmp: Float64Array;
}

const C3 = Math.sqrt(3) / 2;
const C51 = Math.cos((2 * Math.PI) / 5);
const C52 = Math.cos((4 * Math.PI) / 5);
const S51 = Math.sin((2 * Math.PI) / 5);
const S52 = Math.sin((4 * Math.PI) / 5);

function pass2(x: Float64Array, y: Float64Array, st: Stage): void {
  const { m, s, tw } = st;
  const dk = 2 * s * m;
  for (let p = 0; p < m; p++) {
    const wr = tw[2 * p]!, wi = tw[2 * p + 1]!;
    const ib = 2 * s * p, ob = 4 * s * p;
    for (let q = 0; q < 2 * s; q += 2) {
      const i0 = ib + q, i1 = i0 + dk;
      const ar = x[i0]!, ai = x[i0 + 1]!, br = x[i1]!, bi = x[i1 + 1]!;
      const o0 = ob + q, o1 = o0 + 2 * s;
      y[o0] = ar + br;
      y[o0 + 1] = ai + bi;
      const dr = ar - br, di = ai - bi;
      y[o1] = dr * wr - di * wi;
      y[o1 + 1] = dr * wi + di * wr;
    }
  }
}

function pass3(x: Float64Array, y: Float64Array, st: Stage): void {
  const { m, s, tw } = st;
  const dk = 2 * s * m, ds = 2 * s;
  for (let p = 0; p < m; p++) {
    const w1r = tw[4 * p]!, w1i = tw[4 * p + 1]!, w2r = tw[4 * p + 2]!, w2i = tw[4 * p + 3]!;
    const ib = 2 * s * p, ob = 6 * s * p;
    for (let q = 0; q < ds; q += 2) {
      const i0 = ib + q, i1 = i0 + dk, i2 = i1 + dk;
      const a0r = x[i0]!, a0i = x[i0 + 1]!;
      const a1r = x[i1]!, a1i = x[i1 + 1]!;
      const a2r = x[i2]!, a2i = x[i2 + 1]!;
      const tr = a1r + a2r, ti = a1i + a2i;
      const ur = a0r - 0.5 * tr, ui = a0i - 0.5 * ti;
      // v = -i * (a1 - a2) * sqrt(3)/2
      const vr = (a1i - a2i) * C3, vi = -(a1r - a2r) * C3;
      const o0 = ob + q, o1 = o0 + ds, o2 = o1 + ds;
      y[o0] = a0r + tr;
      y[o0 + 1] = a0i + ti;
      const b1r = ur + vr, b1i = ui + vi, b2r = ur - vr, b2i = ui - vi;
      y[o1] = b1r * w1r - b1i * w1i;
      y[o1 + 1] = b1r * w1i + b1i * w1r;
      y[o2] = b2r * w2r - b2i * w2i;
      y[o2 + 1] = b2r * w2i + b2i * w2r;
    }
  }
}

function pass4(x: Float64Array, y: Float64Array, st: Stage): void {
  const { m, s, tw } = st;
  const dk = 2 * s * m, ds = 2 * s;
  for (let p = 0; p < m; p++) {
    const t = 6 * p;
    const w1r = tw[t]!, w1i = tw[t + 1]!, w2r = tw[t + 2]!, w2i = tw[t + 3]!;
    const w3r = tw[t + 4]!, w3i = tw[t + 5]!;
    const ib = 2 * s * p, ob = 8 * s * p;
    for (let q = 0; q < ds; q += 2) {
      const i0 = ib + q, i1 = i0 + dk, i2 = i1 + dk, i3 = i2 + dk;
      const a0r = x[i0]!, a0i = x[i0 + 1]!;
      const a1r = x[i1]!, a1i = x[i1 + 1]!;
      const a2r = x[i2]!, a2i = x[i2 + 1]!;
      const a3r = x[i3]!, a3i = x[i3 + 1]!;
      const t0r = a0r + a2r, t0i = a0i + a2i;
      const t1r = a0r - a2r, t1i = a0i - a2i;
      const t2r = a1r + a3r, t2i = a1i + a3i;
      // t3 = -i * (a1 - a3)
      const t3r = a1i - a3i, t3i = a3r - a1r;
      const o0 = ob + q, o1 = o0 + ds, o2 = o1 + ds, o3 = o2 + ds;
      y[o0] = t0r + t2r;
      y[o0 + 1] = t0i + t2i;
      const b1r = t1r + t3r, b1i = t1i + t3i;
      const b2r = t0r - t2r, b2i = t0i - t2i;
      const b3r = t1r - t3r, b3i = t1i - t3i;
      y[o1] = b1r * w1r - b1i * w1i;
      y[o1 + 1] = b1r * w1i + b1i * w1r;
      y[o2] = b2r * w2r - b2i * w2i;
      y[o2 + 1] = b2r * w2i + b2i * w2r;
      y[o3] = b3r * w3r - b3i * w3i;
      y[o3 + 1] = b3r * w3i + b3i * w3r;
    }
  }
}

function pass5(x: Float64Array, y: Float64Array, st: Stage): void {
  const { m, s, tw } = st;
  const dk = 2 * s * m, ds = 2 * s;
  for (let p = 0; p < m; p++) {
    const t = 8 * p;
    const w1r = tw[t]!, w1i = tw[t + 1]!, w2r = tw[t + 2]!, w2i = tw[t + 3]!;
    const w3r = tw[t + 4]!, w3i = tw[t + 5]!, w4r = tw[t + 6]!, w4i = tw[t + 7]!;
    const ib = 2 * s * p, ob = 10 * s * p;
    for (let q = 0; q < ds; q += 2) {
      const i0 = ib + q, i1 = i0 + dk, i2 = i1 + dk, i3 = i2 + dk, i4 = i3 + dk;
      const a0r = x[i0]!, a0i = x[i0 + 1]!;
      const a1r = x[i1]!, a1i = x[i1 + 1]!;
      const a2r = x[i2]!, a2i = x[i2 + 1]!;
      const a3r = x[i3]!, a3i = x[i3 + 1]!;
      const a4r = x[i4]!, a4i = x[i4 + 1]!;
      const t1r = a1r + a4r, t1i = a1i + a4i, t2r = a2r + a3r, t2i = a2i + a3i;
      const d1r = a1r - a4r, d1i = a1i - a4i, d2r = a2r - a3r, d2i = a2i - a3i;
      const x1r = a0r + C51 * t1r + C52 * t2r, x1i = a0i + C51 * t1i + C52 * t2i;
      const x2r = a0r + C52 * t1r + C51 * t2r, x2i = a0i + C52 * t1i + C51 * t2i;
      // y1 = -i * (S51 d1 + S52 d2), y2 = -i * (S52 d1 - S51 d2)
      const e1r = S51 * d1r + S52 * d2r, e1i = S51 * d1i + S52 * d2i;
      const e2r = S52 * d1r - S51 * d2r, e2i = S52 * d1i - S51 * d2i;
      const y1r = e1i, y1i = -e1r, y2r = e2i, y2i = -e2r;
      const o0 = ob + q, o1 = o0 + ds, o2 = o1 + ds, o3 = o2 + ds, o4 = o3 + ds;
      y[o0] = a0r + t1r + t2r;
      y[o0 + 1] = a0i + t1i + t2i;
      let br = x1r + y1r, bi = x1i + y1i;
      y[o1] = br * w1r - bi * w1i;
      y[o1 + 1] = br * w1i + bi * w1r;
      br = x2r + y2r, bi = x2i + y2i;
      y[o2] = br * w2r - bi * w2i;
      y[o2 + 1] = br * w2i + bi * w2r;
      br = x2r - y2r, bi = x2i - y2i;
      y[o3] = br * w3r - bi * w3i;
      y[o3 + 1] = br * w3i + bi * w3r;
      br = x1r - y1r, bi = x1i - y1i;
      y[o4] = br * w4r - bi * w4i;
      y[o4 + 1] = br * w4i + bi * w4r;
    }
  }
}

function passGeneric(x: Float64Array, y: Float64Array, st: Stage): void {
  const { radix: r, m, s, tw, roots, tmp } = st;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < s; q++) {
      for (let k = 0; k < r; k++) {
        const i = 2 * (q + s * (p + k * m));
        tmp[2 * k] = x[i]!;
        tmp[2 * k + 1] = x[i + 1]!;
      }
      for (let j = 0; j < r; j++) {
        let accr = tmp[0]!, acci = tmp[1]!;
        let t = 0;
        for (let k = 1; k < r; k++) {
          t += j;
          if (t >= r) t -= r;
          const ar = tmp[2 * k]!, ai = tmp[2 * k + 1]!, cr = roots[2 * t]!, ci = roots[2 * t + 1]!;
          accr += ar * cr - ai * ci;
          acci += ar * ci + ai * cr;
        }
        const o = 2 * (q + s * (r * p + j));
        if (j === 0) {
          y[o] = accr;
          y[o + 1] = acci;
        } else {
          const w = 2 * (p * (r - 1) + j - 1);
          const wr = tw[w]!, wi = tw[w + 1]!;
          y[o] = accr * wr - acci * wi;
          y[o + 1] = accr * wi + acci * wr;
        }
      }
    }
  }
}

function runPass(x: Float64Array, y: Float64Array, st: Stage): void {
  switch (st.radix) {
    case 2:
      return pass2(x, y, st);
    case 3:
      return pass3(x, y, st);
    case 4:
      return pass4(x, y, st);
    case 5:
      return pass5(x, y, st);
    default:
      return passGeneric(x, y, st);
  }
}

/** A complex forward FFT of one length, with its own scratch. */
class ComplexPlan {
  readonly n: number;
  #stages: Stage[] | null = null;
  #bufA: Float64Array;
  #bufB: Float64Array;
  // Bluestein
  #inner: ComplexPlan | null = null;
  #chirp: Float64Array | null = null;
  #filter: Float64Array | null = null;
  #conv: Float64Array | null = null;

  constructor(n: number) {
    this.n = n;
    const radices = factorize(n);
    if (radices !== null) {
      this.#stages = [];
      let s = 1, len = n;
      for (const r of radices) {
        const m = len / r;
        const tw = new Float64Array(2 * m * (r - 1));
        for (let p = 0; p < m; p++) {
          for (let j = 1; j < r; j++) {
            const [c, si] = twiddle(p * j, len);
            tw[2 * (p * (r - 1) + j - 1)] = c;
            tw[2 * (p * (r - 1) + j - 1) + 1] = si;
          }
        }
        const roots = new Float64Array(r > 5 ? 2 * r : 0);
        if (r > 5) {
          for (let t = 0; t < r; t++) {
            const [c, si] = twiddle(t, r);
            roots[2 * t] = c;
            roots[2 * t + 1] = si;
          }
        }
        this.#stages.push({ radix: r, m, s, tw, roots, tmp: new Float64Array(2 * r) });
        s *= r;
        len = m;
      }
      this.#bufA = new Float64Array(2 * n);
      this.#bufB = new Float64Array(2 * n);
    } else {
      let len = 1;
      while (len < 2 * n - 1) len *= 2;
      const inner = new ComplexPlan(len);
      const chirp = new Float64Array(2 * n);
      for (let k = 0; k < n; k++) {
        // exp(-pi*i*k^2/n), k^2 reduced mod 2n exactly (BigInt beyond 2^53).
        const k2 = (k * k) % (2 * n); // exact: k < 2^22, so k^2 < 2^53
        const [c, s] = twiddle(k2, 2 * n);
        chirp[2 * k] = c;
        chirp[2 * k + 1] = s;
      }
      const b = new Float64Array(2 * len);
      for (let k = 0; k < n; k++) {
        const c = chirp[2 * k]! / len, s = -chirp[2 * k + 1]! / len;
        b[2 * k] = c;
        b[2 * k + 1] = s;
        if (k > 0) {
          b[2 * (len - k)] = c;
          b[2 * (len - k) + 1] = s;
        }
      }
      this.#filter = new Float64Array(inner.forward(b).slice(0, 2 * len));
      this.#inner = inner;
      this.#chirp = chirp;
      this.#conv = new Float64Array(2 * len);
      this.#bufA = new Float64Array(2 * n);
      this.#bufB = this.#bufA;
    }
  }

  /**
   * Forward DFT of `src` (2n floats, not modified). Returns the buffer holding the result
   * (owned by the plan; valid until the next call).
   */
  forward(src: Float64Array): Float64Array {
    const stages = this.#stages;
    if (stages !== null) {
      if (stages.length === 0) {
        this.#bufA.set(src.subarray(0, 2 * this.n));
        return this.#bufA;
      }
      let from = src, to = this.#bufA;
      for (const st of stages) {
        runPass(from, to, st);
        from = to;
        to = to === this.#bufA ? this.#bufB : this.#bufA;
      }
      return from;
    }
    const n = this.n, c = this.#chirp!, f = this.#filter!, a = this.#conv!;
    for (let k = 0; k < n; k++) {
      const xr = src[2 * k]!, xi = src[2 * k + 1]!, cr = c[2 * k]!, ci = c[2 * k + 1]!;
      a[2 * k] = xr * cr - xi * ci;
      a[2 * k + 1] = xr * ci + xi * cr;
    }
    a.fill(0, 2 * n);
    let fa = this.#inner!.forward(a);
    for (let i = 0; i < a.length; i += 2) {
      const vr = fa[i]!, vi = fa[i + 1]!, fr = f[i]!, fi = f[i + 1]!;
      a[i] = vr * fr - vi * fi;
      a[i + 1] = -(vr * fi + vi * fr);
    }
    fa = this.#inner!.forward(a);
    const out = this.#bufA;
    for (let k = 0; k < n; k++) {
      const vr = fa[2 * k]!, vi = -fa[2 * k + 1]!, cr = c[2 * k]!, ci = c[2 * k + 1]!;
      out[2 * k] = vr * cr - vi * ci;
      out[2 * k + 1] = vr * ci + vi * cr;
    }
    return out;
  }
}

/** A real FFT plan of one length (float64), with its own scratch. */
export class TsRealPlan {
  /** Transform length. */
  readonly n: number;
  #half: ComplexPlan | null = null;
  #full: ComplexPlan | null = null;
  /** -i W^k / 2 (forward split) and i conj(W^k) (inverse merge), k <= m/2. */
  #post = new Float64Array(0);
  #pre = new Float64Array(0);
  #work: Float64Array;

  constructor(n: number) {
    this.n = n;
    if (n > 1 && n % 2 === 0) {
      const m = n / 2;
      this.#half = new ComplexPlan(m);
      this.#post = new Float64Array(2 * (Math.floor(m / 2) + 1));
      this.#pre = new Float64Array(this.#post.length);
      for (let k = 0; k <= m / 2; k++) {
        const [c, s] = twiddle(k, n);
        this.#post[2 * k] = 0.5 * s;
        this.#post[2 * k + 1] = -0.5 * c;
        this.#pre[2 * k] = s;
        this.#pre[2 * k + 1] = c;
      }
      this.#work = new Float64Array(n);
    } else if (n > 1) {
      this.#full = new ComplexPlan(n);
      this.#work = new Float64Array(2 * n);
    } else {
      this.#work = new Float64Array(2);
    }
  }

  /** Floats in a spectrum: 2*(n/2+1). */
  get spectrumLength(): number {
    return 2 * (Math.floor(this.n / 2) + 1);
  }

  /** Forward transform of `x` (n values) into `out` (spectrumLength values). */
  forward(x: Float64Array, out: Float64Array): void {
    const n = this.n;
    if (n === 1) {
      out[0] = x[0]!;
      out[1] = 0;
      return;
    }
    if (this.#half !== null) {
      const m = n / 2;
      const z = this.#half.forward(x);
      const tw = this.#post;
      const z0r = z[0]!, z0i = z[1]!;
      out[0] = z0r + z0i;
      out[1] = 0;
      out[n] = z0r - z0i;
      out[n + 1] = 0;
      for (let k = 1; 2 * k <= m; k++) {
        const j = m - k;
        const ar = z[2 * k]!, ai = z[2 * k + 1]!, br = z[2 * j]!, bi = -z[2 * j + 1]!;
        const er = (ar + br) * 0.5, ei = (ai + bi) * 0.5;
        const dr = ar - br, di = ai - bi;
        const wr = tw[2 * k]!, wi = tw[2 * k + 1]!;
        const tr = dr * wr - di * wi, ti = dr * wi + di * wr;
        out[2 * k] = er + tr;
        out[2 * k + 1] = ei + ti;
        out[2 * j] = er - tr;
        out[2 * j + 1] = ti - ei;
      }
      return;
    }
    const cin = this.#work;
    for (let k = 0; k < n; k++) {
      cin[2 * k] = x[k]!;
      cin[2 * k + 1] = 0;
    }
    const z = this.#full!.forward(cin);
    const len = this.spectrumLength;
    for (let i = 0; i < len; i++) out[i] = z[i]!;
    out[1] = 0;
  }

  /** Inverse transform of `spec` (spectrumLength values) into `out` (n values), scaled by 1/n. */
  inverse(spec: Float64Array, out: Float64Array): void {
    const n = this.n;
    if (n === 1) {
      out[0] = spec[0]!;
      return;
    }
    const w = this.#work;
    if (this.#half !== null) {
      const m = n / 2, scale = 0.5 / m, tw = this.#pre;
      const x0 = spec[0]!, xm = spec[n]!;
      w[0] = (x0 + xm) * scale;
      w[1] = -(x0 - xm) * scale;
      for (let k = 1; 2 * k <= m; k++) {
        const j = m - k;
        const ar = spec[2 * k]!, ai = spec[2 * k + 1]!, br = spec[2 * j]!, bi = -spec[2 * j + 1]!;
        const er = (ar + br) * scale, ei = (ai + bi) * scale;
        const dr = ar - br, di = ai - bi;
        const wr = tw[2 * k]!, wi = tw[2 * k + 1]!;
        const tr = (dr * wr - di * wi) * scale, ti = (dr * wi + di * wr) * scale;
        w[2 * k] = er + tr;
        w[2 * k + 1] = -(ei + ti);
        w[2 * j] = er - tr;
        w[2 * j + 1] = ei - ti;
      }
      const z = this.#half.forward(w);
      for (let i = 0; i < n; i += 2) {
        out[i] = z[i]!;
        out[i + 1] = -z[i + 1]!;
      }
      return;
    }
    w[0] = spec[0]!;
    w[1] = 0;
    for (let k = 1; 2 * k < n; k++) {
      const re = spec[2 * k]!, im = spec[2 * k + 1]!;
      w[2 * k] = re;
      w[2 * k + 1] = -im;
      w[2 * (n - k)] = re;
      w[2 * (n - k) + 1] = im;
    }
    const z = this.#full!.forward(w);
    for (let j = 0; j < n; j++) out[j] = z[2 * j]! / n;
  }
}

const plans = new Map<number, TsRealPlan>();
/** Plans kept; the least recently created is dropped beyond this. */
const MAX_CACHED_PLANS = 64;

/**
 * The cached TS plan for length `n` (validated by the caller).
 *
 * @param n Transform length.
 * @returns The shared plan.
 */
export function tsPlan(n: number): TsRealPlan {
  let p = plans.get(n);
  if (p === undefined) {
    p = new TsRealPlan(n);
    if (plans.size >= MAX_CACHED_PLANS) plans.delete(plans.keys().next().value!);
    plans.set(n, p);
  }
  return p;
}

/** The TS implementation of {@link FftBackend} (float32 in and out, float64 inside). */
export class TsFft implements FftBackend {
  readonly size: number;
  #plan: TsRealPlan;
  #x: Float64Array;
  #spec: Float64Array;

  constructor(n: number) {
    this.size = n;
    this.#plan = tsPlan(n);
    this.#x = new Float64Array(n);
    this.#spec = new Float64Array(this.#plan.spectrumLength);
  }

  forward(input: Float32Array, output: Float32Array): void {
    this.#x.set(input);
    this.#plan.forward(this.#x, this.#spec);
    output.set(this.#spec);
  }

  inverse(input: Float32Array, output: Float32Array): void {
    this.#spec.set(input);
    this.#plan.inverse(this.#spec, this.#x);
    output.set(this.#x);
  }

  close(): void {}
}
