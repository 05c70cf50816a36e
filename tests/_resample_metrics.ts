// The resampling metrics of shared/testdata/README.md §2 (SNR vs ideal, alias level,
// image energy, flatness), written from the README's definitions, plus the small FFT
// they need (radix-2, and Bluestein for other lengths). Test helpers only.

/** In-place iterative radix-2 complex FFT (length a power of two). */
function fft2(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = -2 * Math.PI / len;
    const half = len >> 1;
    const wr = new Float64Array(half), wi = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      wr[k] = Math.cos(ang * k);
      wi[k] = Math.sin(ang * k);
    }
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const a = i + k, b = a + half;
        const xr = re[b]! * wr[k]! - im[b]! * wi[k]!;
        const xi = re[b]! * wi[k]! + im[b]! * wr[k]!;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

/** |DFT(x)|^2 for any length (Bluestein's chirp-z through a radix-2 FFT). */
export function powerSpectrum(x: Float64Array): Float64Array {
  const n = x.length;
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  // chirp w[k] = exp(-i pi k^2 / n); k^2 mod 2n keeps the angle exact.
  const cr = new Float64Array(n), ci = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const a = Math.PI * ((k * k) % (2 * n)) / n;
    cr[k] = Math.cos(a);
    ci[k] = -Math.sin(a);
  }
  const ar = new Float64Array(m), ai = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    ar[k] = x[k]! * cr[k]!;
    ai[k] = x[k]! * ci[k]!;
  }
  const br = new Float64Array(m), bi = new Float64Array(m);
  br[0] = cr[0]!;
  bi[0] = -ci[0]!;
  for (let k = 1; k < n; k++) {
    br[k] = br[m - k] = cr[k]!;
    bi[k] = bi[m - k] = -ci[k]!;
  }
  fft2(ar, ai);
  fft2(br, bi);
  for (let k = 0; k < m; k++) {
    const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
    const i = ar[k]! * bi[k]! + ai[k]! * br[k]!;
    ar[k] = r;
    ai[k] = -i; // conjugate: inverse FFT via forward FFT of the conjugate
  }
  fft2(ar, ai);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = ar[k]! / m, i = -ai[k]! / m;
    const yr = r * cr[k]! - i * ci[k]!;
    const yi = r * ci[k]! + i * cr[k]!;
    out[k] = yr * yr + yi * yi;
  }
  return out;
}

/** `E = round(0.1 * fs)`: samples ignored at each end. */
export function edge(fs: number): number {
  return Math.round(0.1 * fs);
}

function trimmed(x: ArrayLike<number>, fs: number): Float64Array {
  const e = edge(fs);
  return Float64Array.from({ length: x.length - 2 * e }, (_, i) => x[e + i]!);
}

/** SNR (dB) of `out` against `ideal`, both trimmed by 100 ms at each end. */
export function snrDb(out: ArrayLike<number>, ideal: ArrayLike<number>, fsOut: number): number {
  const e = edge(fsOut);
  let s = 0, n = 0;
  for (let k = e; k < ideal.length - e; k++) {
    const d = out[k]! - ideal[k]!;
    s += ideal[k]! * ideal[k]!;
    n += d * d;
  }
  return 10 * Math.log10(s / n);
}

function meanSquare(x: ArrayLike<number>, fs: number): number {
  const t = trimmed(x, fs);
  let s = 0;
  for (const v of t) s += v * v;
  return s / t.length;
}

/** Alias level (dB): trimmed output power relative to trimmed input power. */
export function aliasLevelDb(
  out: ArrayLike<number>,
  input: ArrayLike<number>,
  fsOut: number,
  fsIn: number,
): number {
  return 10 * Math.log10(meanSquare(out, fsOut)) - 10 * Math.log10(meanSquare(input, fsIn));
}

/**
 * Image energy (dB): share of the trimmed output's periodogram energy (4-term
 * Blackman-Harris window) at frequencies from fsIn/2 up to fsOut/2.
 */
export function imageEnergyDb(out: ArrayLike<number>, fsIn: number, fsOut: number): number {
  const x = trimmed(out, fsOut);
  const n = x.length;
  const [a0, a1, a2, a3] = [0.35875, 0.48829, 0.14128, 0.01168];
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * i / (n - 1);
    x[i] = x[i]! * (a0 - a1 * Math.cos(t) + a2 * Math.cos(2 * t) - a3 * Math.cos(3 * t));
  }
  const p = powerSpectrum(x);
  let total = 0, above = 0;
  for (let k = 0; k < n; k++) {
    const f = Math.min(k, n - k) * fsOut / n;
    total += p[k]!;
    if (f >= fsIn / 2) above += p[k]!;
  }
  return 10 * Math.log10(above / total);
}

/** Welch PSD (Hann, 50% overlap, segments of `seg` samples), one-sided, per bin. */
export function welch(x: Float64Array, seg: number): Float64Array {
  const w = Float64Array.from(
    { length: seg },
    (_, i) => 0.5 - 0.5 * Math.cos(2 * Math.PI * i / seg),
  );
  const hop = Math.floor(seg / 2);
  const psd = new Float64Array(Math.floor(seg / 2) + 1);
  let count = 0;
  for (let s = 0; s + seg <= x.length; s += hop) {
    const frame = Float64Array.from({ length: seg }, (_, i) => x[s + i]! * w[i]!);
    const p = powerSpectrum(frame);
    for (let k = 0; k < psd.length; k++) psd[k] = psd[k]! + p[k]!;
    count++;
  }
  let u = 0;
  for (const v of w) u += v * v;
  for (let k = 0; k < psd.length; k++) psd[k] = psd[k]! / (count * u);
  return psd;
}

/**
 * Flatness (dB): Welch PSDs of trimmed input and output (1024-sample segments at fsOut,
 * the same duration at fsIn), averaged in 1/3-octave bands from 50 Hz to 0.8 of the
 * common Nyquist; the largest |10 log10(out / in)| over the bands. The PSDs are scaled
 * per sample (power per bin divided by the sample rate), so a perfect resampler of
 * white noise gives equal densities.
 */
export function flatnessDb(
  out: ArrayLike<number>,
  input: ArrayLike<number>,
  fsIn: number,
  fsOut: number,
): number {
  const segOut = 1024;
  const segIn = Math.round(1024 * fsIn / fsOut);
  const po = welch(trimmed(out, fsOut), segOut);
  const pi = welch(trimmed(input, fsIn), segIn);
  const top = 0.8 * Math.min(fsIn, fsOut) / 2;
  const bandMean = (p: Float64Array, seg: number, fs: number, lo: number, hi: number) => {
    let s = 0, n = 0;
    for (let k = 0; k < p.length; k++) {
      const f = k * fs / seg;
      if (f >= lo && f < hi) {
        s += p[k]! / fs;
        n++;
      }
    }
    return n > 0 ? s / n : NaN;
  };
  let worst = 0;
  for (let lo = 50; lo < top; lo *= 2 ** (1 / 3)) {
    const hi = Math.min(lo * 2 ** (1 / 3), top);
    const a = bandMean(po, segOut, fsOut, lo, hi);
    const b = bandMean(pi, segIn, fsIn, lo, hi);
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    worst = Math.max(worst, Math.abs(10 * Math.log10(a / b)));
  }
  return worst;
}
