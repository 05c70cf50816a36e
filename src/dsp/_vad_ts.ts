// Pure-TypeScript voice activity detector: the fallback where FFI is not allowed and a
// readable statement of the algorithm. It repeats native/src/dsp/vad/ operation for
// operation, so both give the same decisions bit for bit:
// - the front end computes in float32: every operation is rounded with Math.fround (an
//   f64 operation on f32 values rounded back to f32 equals the f32 operation) or by a
//   store into a Float32Array;
// - the detector computes in float64 with +, -, *, /, sqrt only (and the same small `ln`).
// Nothing allocates per frame.

import type { VadKernel } from "../ffi/vad.ts";

const fr = Math.fround;

// ---- tables (literals shared with native/src/dsp/vad/tables.rs) --------------------

/** cos(2 pi k / 128), k = 0..32. */
const COS_QUARTER = [
  1.0,
  0.9987954562051724,
  0.9951847266721969,
  0.989176509964781,
  0.9807852804032304,
  0.970031253194544,
  0.9569403357322088,
  0.9415440651830208,
  0.9238795325112867,
  0.9039892931234433,
  0.881921264348355,
  0.8577286100002721,
  0.8314696123025452,
  0.8032075314806449,
  0.773010453362737,
  0.7409511253549591,
  0.7071067811865476,
  0.6715589548470184,
  0.6343932841636455,
  0.5956993044924334,
  0.5555702330196022,
  0.5141027441932218,
  0.47139673682599764,
  0.4275550934302821,
  0.3826834323650898,
  0.33688985339222005,
  0.2902846772544624,
  0.2429801799032639,
  0.19509032201612828,
  0.14673047445536175,
  0.0980171403295606,
  0.049067674327418015,
  0.0,
];

/** Odd taps (offsets 1, 3, .., 11) of the 23-tap half-band low-pass; centre tap 0.5. */
const HALF_BAND = [
  0.31376287393414026,
  -0.08965340111579541,
  0.038715878704925835,
  -0.01593618842417768,
  0.005436075420446345,
  -0.002325238519539353,
];

/** 48 kHz -> 16 kHz low-pass: centre tap and (offset, tap) of one side. */
const DEC3_CENTER = 0.3334132282655737;
const DEC3: ReadonlyArray<readonly [number, number]> = [
  [1, 0.2732934013574704],
  [2, 0.1330378508398017],
  [4, -0.05964527611659198],
  [5, -0.04387216177655128],
  [7, 0.024805566387449924],
  [8, 0.018611810119440613],
  [10, -0.010035643007617627],
  [11, -0.007129832093481206],
  [13, 0.0033410898850579867],
  [14, 0.0022652328736747296],
  [16, -0.0013786526014400433],
];

/** 16 mel-spaced bands (100 Hz - 3.9 kHz) in bins of a 128-point DFT at 8 kHz. */
const BAND_EDGES = [2, 3, 5, 7, 9, 11, 13, 16, 19, 23, 27, 31, 36, 42, 48, 55, 62];

function cos128(k: number): number {
  k &= 127;
  if (k <= 32) return COS_QUARTER[k]!;
  if (k <= 64) return -COS_QUARTER[64 - k]!;
  if (k <= 96) return -COS_QUARTER[k - 64]!;
  return COS_QUARTER[128 - k]!;
}

function sin128(k: number): number {
  return cos128(k + 96);
}

const LOW_BANDS = 16;
const MAX_BANDS = 17;
const HIGH_BAND_WIDTH = 64;
const HIGH_BAND_SCALE = fr(38.4);
const NFFT = 128;
const LOW_HOP = 80;
const HOP16 = 160;
const HB_HIST = 11;
const D3_HIST = 11;

const HANN = Float32Array.from({ length: NFFT }, (_, n) => 0.5 - 0.5 * cos128(n));
const HB32 = Float32Array.from(HALF_BAND);
const DEC3_CENTER32 = fr(DEC3_CENTER);
/** Per tap: phase and index of the lower and upper input (flat, 4 per tap) and the tap. */
const DEC3_IDX = Int32Array.from(DEC3.flatMap(([o]) => {
  const lo = 19 - o, hi = 19 + o;
  return [lo % 3, Math.floor(lo / 3), hi % 3, Math.floor(hi / 3)];
}));
const DEC3_H = Float32Array.from(DEC3.map(([, h]) => h));

/** Radix-2 stage twiddles for sizes 8, 16, 32, 64 (offsets 0, 4, 12, 28). */
const TW_RE = new Float32Array(60);
const TW_IM = new Float32Array(60);
{
  let off = 0;
  for (let size = 8; size <= 64; size *= 2) {
    for (let k = 0; k < size / 2; k++) {
      const idx = k * (128 / size);
      TW_RE[off + k] = cos128(idx);
      TW_IM[off + k] = -sin128(idx);
    }
    off += size / 2;
  }
}
const POST_RE = Float32Array.from({ length: 65 }, (_, k) => cos128(k));
const POST_IM = Float32Array.from({ length: 65 }, (_, k) => -sin128(k));
const BITREV = Uint8Array.from({ length: 64 }, (_, i) => {
  let r = 0;
  for (let b = 0; b < 6; b++) r |= ((i >> b) & 1) << (5 - b);
  return r;
});

// ---- deterministic ln (same as math.rs) ---------------------------------------------

const lnF64 = new Float64Array(1);
const lnU32 = new Uint32Array(lnF64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/** Natural log of a finite x > 0 (relative error below 1e-8), bit-identical to math.rs. */
export function vadLn(x: number): number {
  lnF64[0] = x;
  const hi = lnU32[HI]!;
  const biased = hi >>> 20;
  lnU32[HI] = (hi & 0x000fffff) | 0x3ff00000;
  let m = lnF64[0]!;
  const big = m > Math.SQRT2;
  if (big) m = m * 0.5;
  const e = big ? biased - 1022 : biased - 1023;
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let p = 1 / 9;
  p = 1 / 7 + s2 * p;
  p = 1 / 5 + s2 * p;
  p = 1 / 3 + s2 * p;
  p = 1 + s2 * p;
  return e * Math.LN2 + 2 * s * p;
}

// ---- front end (float32) -------------------------------------------------------------

function clean(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** a[m] += h_j (odd[m + 5 - j] + odd[m + 6 + j]) for j = 0..5, m < n (a zeroed first). */
function halfBandTaps(odd: Float32Array, a: Float32Array, n: number): void {
  a.fill(0, 0, n);
  for (let j = 0; j < 6; j++) {
    const h = HB32[j]!;
    const lo = 5 - j, hi = 6 + j;
    for (let m = 0; m < n; m++) a[m] = a[m]! + fr(h * fr(odd[lo + m]! + odd[hi + m]!));
  }
}

class FrontEnd {
  readonly rate: number;
  readonly hop: number;
  readonly bands: number;
  p0 = new Float32Array(D3_HIST + HOP16);
  p1 = new Float32Array(D3_HIST + HOP16);
  p2 = new Float32Array(D3_HIST + HOP16);
  ev = new Float32Array(HB_HIST + LOW_HOP);
  od = new Float32Array(HB_HIST + LOW_HOP);
  y16 = new Float32Array(HOP16);
  hi2 = new Float32Array(LOW_HOP);
  low = new Float32Array(NFFT);
  zr = new Float32Array(64);
  zi = new Float32Array(64);
  re = new Float32Array(64);
  im = new Float32Array(64);
  rr = new Float32Array(60);
  ri = new Float32Array(60);
  power = new Float32Array(65);
  a = new Float32Array(HOP16);
  phases = [this.p0, this.p1, this.p2];
  seen = 0;

  constructor(rate: number) {
    this.rate = rate;
    this.hop = rate / 100;
    this.bands = rate === 8000 ? LOW_BANDS : MAX_BANDS;
  }

  reset(): void {
    for (
      const b of [this.p0, this.p1, this.p2, this.ev, this.od, this.y16, this.hi2, this.low]
    ) b.fill(0);
    this.seen = 0;
  }

  /** One 10 ms sub-frame `x[off .. off + hop)`; band energies into `out`. */
  subFrame(x: Float32Array, off: number, out: Float64Array): boolean {
    const low = this.low;
    low.copyWithin(0, LOW_HOP, NFFT);
    let high = -1;
    if (this.rate === 8000) {
      for (let i = 0; i < LOW_HOP; i++) low[NFFT - LOW_HOP + i] = clean(x[off + i]!);
    } else {
      if (this.rate === 16000) {
        const { ev, od } = this;
        for (let i = 0; i < LOW_HOP; i++) {
          ev[HB_HIST + i] = clean(x[off + 2 * i]!);
          od[HB_HIST + i] = clean(x[off + 2 * i + 1]!);
        }
      } else if (this.rate === 32000) {
        this.decimate2(x, off);
      } else {
        this.decimate3(x, off);
      }
      high = this.split();
    }
    if (this.seen < 2) this.seen++;
    if (this.seen < 2) return false;
    this.spectrum();
    const p = this.power;
    for (let b = 0; b < LOW_BANDS; b++) {
      let s = 0;
      for (let k = BAND_EDGES[b]!; k < BAND_EDGES[b + 1]!; k++) s = fr(s + p[k]!);
      out[b] = s;
    }
    if (this.rate !== 8000) out[LOW_BANDS] = high;
    return true;
  }

  store16(): void {
    const { ev, od, y16 } = this;
    for (let i = 0; i < LOW_HOP; i++) {
      ev[HB_HIST + i] = y16[2 * i]!;
      od[HB_HIST + i] = y16[2 * i + 1]!;
    }
  }

  decimate2(x: Float32Array, off: number): void {
    const { p0, p1, y16, a } = this;
    for (let i = 0; i < HOP16; i++) {
      p0[HB_HIST + i] = clean(x[off + 2 * i]!);
      p1[HB_HIST + i] = clean(x[off + 2 * i + 1]!);
    }
    halfBandTaps(p1, a, HOP16);
    for (let m = 0; m < HOP16; m++) y16[m] = fr(0.5 * p0[6 + m]!) + a[m]!;
    p0.copyWithin(0, HOP16, HOP16 + HB_HIST);
    p1.copyWithin(0, HOP16, HOP16 + HB_HIST);
    this.store16();
  }

  decimate3(x: Float32Array, off: number): void {
    const { p0, p1, p2, y16 } = this;
    for (let i = 0; i < HOP16; i++) {
      p0[D3_HIST + i] = clean(x[off + 3 * i]!);
      p1[D3_HIST + i] = clean(x[off + 3 * i + 1]!);
      p2[D3_HIST + i] = clean(x[off + 3 * i + 2]!);
    }
    const phases = this.phases;
    for (let m = 0; m < HOP16; m++) y16[m] = DEC3_CENTER32 * p1[m + 6]!;
    for (let t = 0; t < DEC3_H.length; t++) {
      const lo = phases[DEC3_IDX[4 * t]!]!, il = DEC3_IDX[4 * t + 1]!;
      const hi = phases[DEC3_IDX[4 * t + 2]!]!, ih = DEC3_IDX[4 * t + 3]!;
      const h = DEC3_H[t]!;
      for (let m = 0; m < HOP16; m++) y16[m] = y16[m]! + fr(h * fr(lo[il + m]! + hi[ih + m]!));
    }
    p0.copyWithin(0, HOP16, HOP16 + D3_HIST);
    p1.copyWithin(0, HOP16, HOP16 + D3_HIST);
    p2.copyWithin(0, HOP16, HOP16 + D3_HIST);
    this.store16();
  }

  /** Half-band split: 80 low-band samples into `low`, high-band energy returned (f32). */
  split(): number {
    const { ev, od, a, hi2, low } = this;
    halfBandTaps(od, a, LOW_HOP);
    for (let m = 0; m < LOW_HOP; m++) {
      const half = fr(0.5 * ev[6 + m]!);
      low[NFFT - LOW_HOP + m] = half + a[m]!;
      const hi = fr(half - a[m]!);
      hi2[m] = hi * hi;
    }
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let m = 0; m < LOW_HOP; m += 4) {
      s0 = fr(s0 + hi2[m]!);
      s1 = fr(s1 + hi2[m + 1]!);
      s2 = fr(s2 + hi2[m + 2]!);
      s3 = fr(s3 + hi2[m + 3]!);
    }
    ev.copyWithin(0, LOW_HOP, LOW_HOP + HB_HIST);
    od.copyWithin(0, LOW_HOP, LOW_HOP + HB_HIST);
    return fr(fr(fr(s0 + s1) + fr(s2 + s3)) * HIGH_BAND_SCALE);
  }

  spectrum(): void {
    const { low, zr, zi, re, im, rr, ri, power } = this;
    for (let n = 0; n < 64; n++) {
      zr[n] = low[2 * n]! * HANN[2 * n]!;
      zi[n] = low[2 * n + 1]! * HANN[2 * n + 1]!;
    }
    // 64-point FFT, first two radix-2 stages fused (twiddles 1 and -i).
    for (let g = 0; g < 16; g++) {
      const q = BITREV[4 * g]!;
      const x0r = zr[q]!, x0i = zi[q]!;
      const x1r = zr[q + 32]!, x1i = zi[q + 32]!;
      const x2r = zr[q + 16]!, x2i = zi[q + 16]!;
      const x3r = zr[q + 48]!, x3i = zi[q + 48]!;
      const a1r = fr(x0r - x1r), a1i = fr(x0i - x1i);
      const a0r = fr(x0r + x1r), a0i = fr(x0i + x1i);
      const a3r = fr(x2r - x3r), a3i = fr(x2i - x3i);
      const a2r = fr(x2r + x3r), a2i = fr(x2i + x3i);
      const o = 4 * g;
      re[o + 2] = a0r - a2r;
      im[o + 2] = a0i - a2i;
      re[o] = a0r + a2r;
      im[o] = a0i + a2i;
      re[o + 3] = a1r - a3i;
      im[o + 3] = a1i + a3r;
      re[o + 1] = a1r + a3i;
      im[o + 1] = a1i - a3r;
    }
    let off = 0;
    for (let half = 4; half <= 32; half *= 2) {
      for (let start = 0; start < 64; start += 2 * half) {
        for (let k = 0; k < half; k++) {
          const a = start + k, b = a + half;
          const wr = TW_RE[off + k]!, wi = TW_IM[off + k]!;
          const rb = re[b]!, ib = im[b]!;
          const tr = fr(fr(rb * wr) - fr(ib * wi));
          const ti = fr(fr(rb * wi) + fr(ib * wr));
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
      off += half;
    }
    // Real-FFT post-processing for bins 2..61.
    const k0 = BAND_EDGES[0]!, k1 = BAND_EDGES[LOW_BANDS]!;
    for (let j = 0; j < k1 - k0; j++) {
      rr[j] = re[64 - k0 - j]!;
      ri[j] = im[64 - k0 - j]!;
    }
    for (let j = 0; j < k1 - k0; j++) {
      const k = k0 + j;
      const er = fr(0.5 * fr(re[k]! + rr[j]!));
      const ei = fr(0.5 * fr(im[k]! - ri[j]!));
      const or = fr(0.5 * fr(im[k]! + ri[j]!));
      const oi = fr(-0.5 * fr(re[k]! - rr[j]!));
      const c = POST_RE[k]!, s = POST_IM[k]!;
      const xr = fr(er + fr(fr(or * c) - fr(oi * s)));
      const xi = fr(ei + fr(fr(or * s) + fr(oi * c)));
      power[k] = fr(xr * xr) + fr(xi * xi);
    }
  }
}

// ---- detector (float64) --------------------------------------------------------------

const FLOOR = 1e-6;
const S0 = 0.06;
const ALPHA_S = 0.5;
const U = 8;
const V = 12;
const DD = 0.9;
const ALPHA_N = 0.95;
const ALPHA_M = 0.995;
const INIT = 25;
const WARM_THRESHOLD = 2.0;
const PEAK_DECAY = 0.99;
const SNR_LO = 15.0;
const SNR_HI = 30.0;
const XI_MAX = 1000.0;
const CONFIRM = 2;
const SOFT = 20;
const U32_MAX = 4294967295;
const LN10 = vadLn(10);

/** Threshold factor and hangovers (10 ms sub-frames) of modes 0..3. */
const MODES: ReadonlyArray<{ k: number; hangHi: number; hangLo: number }> = [
  { k: 3.25, hangHi: 6, hangLo: 20 },
  { k: 3.5, hangHi: 5, hangLo: 18 },
  { k: 4.5, hangHi: 4, hangLo: 14 },
  { k: 6.0, hangHi: 3, hangLo: 10 },
];

class Detector {
  readonly k: number;
  readonly hangHi: number;
  readonly hangLo: number;
  readonly nb: number;
  floor = new Float64Array(MAX_BANDS);
  noise = new Float64Array(MAX_BANDS);
  smooth = new Float64Array(MAX_BANDS);
  curMin = new Float64Array(MAX_BANDS);
  winMin: Float64Array[] = Array.from({ length: U }, () => new Float64Array(MAX_BANDS));
  pastMin = new Float64Array(MAX_BANDS);
  xi = new Float64Array(MAX_BANDS);
  e = new Float64Array(MAX_BANDS);
  t1 = new Float64Array(MAX_BANDS);
  lns = new Float64Array(MAX_BANDS);
  subCount = 0;
  winIndex = 0;
  mu = 0;
  m2 = 0;
  variance = S0 * S0;
  hang = 0;
  run = 0;
  quiet = U32_MAX;
  peak = -1;
  t = 0;
  lastStat = 0;
  lastThreshold = 0;

  constructor(mode: number, nb: number) {
    const p = MODES[mode]!;
    this.k = p.k;
    this.hangHi = p.hangHi;
    this.hangLo = p.hangLo;
    this.nb = nb;
    for (let b = 0; b < LOW_BANDS; b++) {
      this.floor[b] = FLOOR * (BAND_EDGES[b + 1]! - BAND_EDGES[b]!);
    }
    this.floor[LOW_BANDS] = FLOOR * HIGH_BAND_WIDTH;
    this.reset();
  }

  reset(): void {
    this.noise.fill(0);
    this.smooth.fill(0);
    this.curMin.fill(Infinity);
    for (const w of this.winMin) w.fill(Infinity);
    this.pastMin.fill(Infinity);
    this.xi.fill(0);
    this.subCount = 0;
    this.winIndex = 0;
    this.mu = 0;
    this.m2 = 0;
    this.variance = S0 * S0;
    this.hang = 0;
    this.run = 0;
    this.quiet = U32_MAX;
    this.peak = -1;
    this.t = 0;
    this.lastStat = 0;
    this.lastThreshold = 0;
  }

  decide(energies: Float64Array): boolean {
    const nb = this.nb, t = this.t;
    const { e, noise, smooth, curMin, xi: xiState, t1, lns } = this;
    for (let b = 0; b < nb; b++) e[b] = energies[b]! + this.floor[b]!;
    if (t === 0) {
      noise.set(e);
      smooth.set(e);
    }
    for (let b = 0; b < nb; b++) {
      const eb = e[b]!;
      const s = ALPHA_S * smooth[b]! + (1 - ALPHA_S) * eb;
      smooth[b] = s;
      if (s < curMin[b]!) curMin[b] = s;
      const g = eb / noise[b]!;
      const gm1 = g - 1;
      const xi = DD * xiState[b]! + (1 - DD) * (gm1 > 0 ? gm1 : 0);
      t1[b] = g * xi / (1 + xi);
      lns[b] = vadLn(1 + xi);
      xiState[b] = xi < XI_MAX ? xi : XI_MAX;
    }
    let llrSum = 0, eTotal = 0, nTotal = 0;
    for (let b = 0; b < nb; b++) {
      llrSum += t1[b]! - lns[b]!;
      eTotal += e[b]!;
      nTotal += noise[b]!;
    }
    this.subCount++;
    if (this.subCount === V) {
      this.winMin[this.winIndex]!.set(curMin);
      this.winIndex = (this.winIndex + 1) % U;
      curMin.fill(Infinity);
      this.subCount = 0;
      const past = this.pastMin;
      past.fill(Infinity);
      for (const w of this.winMin) {
        for (let b = 0; b < MAX_BANDS; b++) if (w[b]! < past[b]!) past[b] = w[b]!;
      }
    }
    const stat = llrSum / nb;
    const sd = Math.sqrt(this.variance);
    const threshold = this.mu + this.k * (sd > S0 ? sd : S0);
    this.lastStat = stat;
    this.lastThreshold = threshold;
    const above = stat > threshold && (t >= INIT || stat > WARM_THRESHOLD);
    this.run = above ? Math.min(this.run + 1, U32_MAX) : 0;
    const raw = above && (this.run >= CONFIRM || this.quiet < SOFT);
    let speech: boolean;
    if (raw) {
      const decayed = this.peak * PEAK_DECAY;
      this.peak = this.peak < 0 || eTotal > decayed ? eTotal : decayed;
      const snr = 10 * vadLn(this.peak / nTotal) / LN10;
      const f = Math.min(Math.max((snr - SNR_LO) / (SNR_HI - SNR_LO), 0), 1);
      this.hang = Math.floor(this.hangLo + f * (this.hangHi - this.hangLo) + 0.5);
      speech = true;
    } else if (this.hang > 0) {
      this.hang--;
      speech = true;
    } else {
      speech = false;
    }
    if (t < INIT) {
      const a = 1 / (t + 1);
      for (let b = 0; b < nb; b++) noise[b] = noise[b]! + a * (e[b]! - noise[b]!);
      if (t === 0) {
        this.mu = stat;
        this.m2 = 0;
      } else {
        const d = stat - this.mu;
        this.mu += a * d;
        this.m2 += d * (stat - this.mu);
        if (t === INIT - 1) {
          const v = this.m2 / t;
          this.variance = v > S0 * S0 ? v : S0 * S0;
        }
      }
    } else if (!speech && !above) {
      for (let b = 0; b < nb; b++) noise[b] = noise[b]! + (1 - ALPHA_N) * (e[b]! - noise[b]!);
      const d = stat - this.mu;
      this.mu += (1 - ALPHA_M) * d;
      this.variance = ALPHA_M * (this.variance + (1 - ALPHA_M) * d * d);
    }
    for (let b = 0; b < nb; b++) {
      const c = curMin[b]!, p = this.pastMin[b]!;
      const m = p < c ? p : c;
      if (noise[b]! < m) noise[b] = m;
    }
    this.t++;
    this.quiet = speech ? 0 : Math.min(this.quiet + 1, U32_MAX);
    return speech;
  }
}

// ---- the kernel ----------------------------------------------------------------------

/** The TypeScript detector (arguments validated by the caller). */
export class TsVad implements VadKernel {
  readonly frameSamples: number;
  readonly kernel = "ts";
  #front: FrontEnd;
  #det: Detector;
  #hop: number;
  #energies = new Float64Array(MAX_BANDS);

  /**
   * @param sampleRate 8000, 16000, 32000 or 48000.
   * @param frameMs 10, 20 or 30.
   * @param mode 0..3.
   */
  constructor(sampleRate: number, frameMs: number, mode: number) {
    this.#front = new FrontEnd(sampleRate);
    this.#det = new Detector(mode, this.#front.bands);
    this.#hop = sampleRate / 100;
    this.frameSamples = this.#hop * (frameMs / 10);
  }

  #subFrame(x: Float32Array, off: number): boolean {
    return this.#front.subFrame(x, off, this.#energies) ? this.#det.decide(this.#energies) : false;
  }

  #frame(x: Float32Array, off: number): boolean {
    let speech = false;
    for (let s = 0; s < this.frameSamples; s += this.#hop) speech = this.#subFrame(x, off + s);
    return speech;
  }

  process(frame: Float32Array): boolean {
    return this.#frame(frame, 0);
  }

  processBuffer(samples: Float32Array, decisions: Uint8Array): number {
    const frames = Math.floor(samples.length / this.frameSamples);
    for (let f = 0; f < frames; f++) {
      decisions[f] = this.#frame(samples, f * this.frameSamples) ? 1 : 0;
    }
    return frames;
  }

  reset(): void {
    this.#front.reset();
    this.#det.reset();
  }

  statistic(out: Float64Array): void {
    out[0] = this.#det.lastStat;
    out[1] = this.#det.lastThreshold;
  }

  close(): void {}
}
