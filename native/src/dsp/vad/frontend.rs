//! VAD front end: input rate -> 16 kHz -> (8 kHz low band, 4-8 kHz high-band energy) ->
//! 128-point power spectrum -> band energies, once per 10 ms sub-frame.
//!
//! The front end computes in `f32` (8 lanes per AVX2 register), every operation rounded
//! once and in a fixed order; the tables are the `f64` designs rounded to `f32`. The
//! TypeScript fallback repeats it operation for operation with `Math.fround` (an `f64`
//! operation on `f32` values rounded back to `f32` equals the `f32` operation), so both
//! produce the same bits. Buffers live in the struct: nothing allocates.

use super::math::{cos128, sin128};
use super::tables::{BAND_EDGES, DEC3, DEC3_CENTER, HALF_BAND};

/// Bands from the low-band spectrum.
pub(super) const LOW_BANDS: usize = 16;
/// Low bands plus the 4-8 kHz band (absent at 8 kHz input).
pub(super) const MAX_BANDS: usize = LOW_BANDS + 1;
/// Width, in 62.5 Hz bins, credited to the high band (4 kHz).
pub(super) const HIGH_BAND_WIDTH: f64 = 64.0;
/// Scale of the high-band energy: `sum(h^2) * 64 * 48 / 80`, i.e. the energy 64 bins of
/// the Hann-windowed 128-point DFT would hold for white noise of the same power.
const HIGH_BAND_SCALE: f32 = 38.4;

pub(super) const NFFT: usize = 128;
/// Low-band (8 kHz) samples per 10 ms.
const LOW_HOP: usize = 80;
/// 16 kHz samples per 10 ms.
const HOP16: usize = 160;
/// History, per polyphase stream, of the half-band filters (11 even + 11 odd samples).
const HB_HIST: usize = 11;
/// History, per phase, of the 48 kHz decimator (3 x 11 samples).
const D3_HIST: usize = 11;

/// Hann window, periodic, length 128: `0.5 - 0.5 cos(2 pi n / 128)` (in f64, rounded).
pub(super) const HANN: [f32; NFFT] = {
    let mut w = [0.0; NFFT];
    let mut n = 0;
    while n < NFFT {
        w[n] = (0.5 - 0.5 * cos128(n)) as f32;
        n += 1;
    }
    w
};

/// The half-band odd taps, rounded to f32.
const HB32: [f32; 6] = {
    let mut t = [0.0; 6];
    let mut j = 0;
    while j < 6 {
        t[j] = HALF_BAND[j] as f32;
        j += 1;
    }
    t
};

/// Twiddles of the radix-2 stages of sizes 8, 16, 32 and 64, stage after stage:
/// `exp(-2 pi i k / size)` for k < size / 2 (real and imaginary parts).
/// Stage offsets: size 8 at 0, 16 at 4, 32 at 12, 64 at 28.
pub(super) const TW_RE: [f32; 60] = twiddles(false);
pub(super) const TW_IM: [f32; 60] = twiddles(true);

const fn twiddles(imag: bool) -> [f32; 60] {
    let mut t = [0.0; 60];
    let mut stage = 0;
    let mut off = 0;
    while stage < 4 {
        let size = 8 << stage;
        let mut k = 0;
        while k < size / 2 {
            let idx = k * (128 / size);
            t[off + k] = if imag { -sin128(idx) } else { cos128(idx) } as f32;
            k += 1;
        }
        off += size / 2;
        stage += 1;
    }
    t
}

/// Real-FFT post-processing twiddles `exp(-2 pi i k / 128)`, k = 0..64.
const POST_RE: [f32; 65] = post_twiddles(false);
const POST_IM: [f32; 65] = post_twiddles(true);

const fn post_twiddles(imag: bool) -> [f32; 65] {
    let mut t = [0.0; 65];
    let mut k = 0;
    while k < 65 {
        t[k] = if imag { -sin128(k) } else { cos128(k) } as f32;
        k += 1;
    }
    t
}

/// 6-bit bit reversal.
const BITREV: [usize; 64] = {
    let mut t = [0usize; 64];
    let mut i = 0;
    while i < 64 {
        let mut r = 0;
        let mut b = 0;
        while b < 6 {
            r |= ((i >> b) & 1) << (5 - b);
            b += 1;
        }
        t[i] = r;
        i += 1;
    }
    t
};

/// The 48 kHz taps as (phase, index offset) of both sides plus the tap, for output m
/// centred on input index `3 m + 19` of the history-extended block (phase `r` holds
/// samples `3 i + r`).
const DEC3_TAPS: [(usize, usize, usize, usize, f32); 11] = {
    let mut t = [(0, 0, 0, 0, 0.0); 11];
    let mut i = 0;
    while i < 11 {
        let (o, h) = DEC3[i];
        let lo = 19 - o;
        let hi = 19 + o;
        t[i] = (lo % 3, lo / 3, hi % 3, hi / 3, h as f32);
        i += 1;
    }
    t
};

/// Centre tap of the 48 kHz decimator, rounded to f32.
const DEC3_CENTER32: f32 = DEC3_CENTER as f32;

/// An input sample; NaN and infinities count as silence.
#[inline(always)]
fn clean(x: f32) -> f32 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// The windowed 64-point FFT at the heart of [`FrontEnd::spectrum`], per instruction set:
/// every implementation computes the same operations on the same values (bit-identical).
pub(super) trait FftKernel {
    /// `re + i im = FFT64(z)`, `z[n] = (low[2n] + i low[2n+1])` times the Hann window.
    fn window_fft(low: &[f32; NFFT], re: &mut [f32; 64], im: &mut [f32; 64]);
}

/// Portable code: a loop the compiler may auto-vectorize.
pub(super) struct PortableFft;

impl FftKernel for PortableFft {
    #[inline(always)]
    fn window_fft(low: &[f32; NFFT], re: &mut [f32; 64], im: &mut [f32; 64]) {
        let (mut zr, mut zi) = ([0.0f32; 64], [0.0f32; 64]);
        for (n, (r, i)) in zr.iter_mut().zip(zi.iter_mut()).enumerate() {
            *r = low[2 * n] * HANN[2 * n];
            *i = low[2 * n + 1] * HANN[2 * n + 1];
        }
        fft64(&zr, &zi, re, im);
    }
}

/// The per-rate input stage.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum InputRate {
    Hz8000,
    Hz16000,
    Hz32000,
    Hz48000,
}

impl InputRate {
    pub(super) fn from_hz(hz: u32) -> Option<InputRate> {
        match hz {
            8000 => Some(InputRate::Hz8000),
            16000 => Some(InputRate::Hz16000),
            32000 => Some(InputRate::Hz32000),
            48000 => Some(InputRate::Hz48000),
            _ => None,
        }
    }

    /// Input samples per 10 ms.
    pub(super) fn hop(self) -> usize {
        match self {
            InputRate::Hz8000 => 80,
            InputRate::Hz16000 => 160,
            InputRate::Hz32000 => 320,
            InputRate::Hz48000 => 480,
        }
    }
}

/// Front-end state and scratch buffers.
#[derive(Clone)]
pub(super) struct FrontEnd {
    rate: InputRate,
    /// Input at 32 kHz (even, odd samples) or 48 kHz (three phases), history first.
    p0: [f32; D3_HIST + HOP16],
    p1: [f32; D3_HIST + HOP16],
    p2: [f32; D3_HIST + HOP16],
    /// The 16 kHz stream: even and odd samples, history first.
    ev: [f32; HB_HIST + LOW_HOP],
    od: [f32; HB_HIST + LOW_HOP],
    /// 16 kHz output of the 32/48 kHz decimators.
    y16: [f32; HOP16],
    /// Squared high-band samples of the current sub-frame.
    hi2: [f32; LOW_HOP],
    /// The last 128 low-band samples (8 kHz), oldest first.
    low: [f32; NFFT],
    re: [f32; 64],
    im: [f32; 64],
    power: [f32; 65],
    /// Sub-frames seen (saturating at 2): the first one fills the window only halfway.
    seen: u8,
}

impl FrontEnd {
    pub(super) fn new(rate: InputRate) -> FrontEnd {
        FrontEnd {
            rate,
            p0: [0.0; D3_HIST + HOP16],
            p1: [0.0; D3_HIST + HOP16],
            p2: [0.0; D3_HIST + HOP16],
            ev: [0.0; HB_HIST + LOW_HOP],
            od: [0.0; HB_HIST + LOW_HOP],
            y16: [0.0; HOP16],
            hi2: [0.0; LOW_HOP],
            low: [0.0; NFFT],
            re: [0.0; 64],
            im: [0.0; 64],
            power: [0.0; 65],
            seen: 0,
        }
    }

    pub(super) fn reset(&mut self) {
        *self = FrontEnd::new(self.rate);
    }

    /// Number of bands this front end produces.
    pub(super) fn bands(&self) -> usize {
        if self.rate == InputRate::Hz8000 {
            LOW_BANDS
        } else {
            MAX_BANDS
        }
    }

    /// Consume one 10 ms sub-frame (`x.len() == rate.hop()`) and write the band
    /// energies into `out[..self.bands()]`. Returns false while the analysis window is
    /// not yet full (the first sub-frame after construction or reset).
    #[inline(always)]
    pub(super) fn sub_frame<K: FftKernel>(
        &mut self,
        x: &[f32],
        out: &mut [f64; MAX_BANDS],
    ) -> bool {
        assert_eq!(x.len(), self.rate.hop(), "sub-frame length");
        // Shift the low-band window by one hop.
        self.low.copy_within(LOW_HOP.., 0);
        let high_energy = match self.rate {
            InputRate::Hz8000 => {
                for (d, &s) in self.low[NFFT - LOW_HOP..].iter_mut().zip(x) {
                    *d = clean(s);
                }
                None
            }
            InputRate::Hz16000 => {
                let (ev, od) = (&mut self.ev[HB_HIST..], &mut self.od[HB_HIST..]);
                for ((e, o), pair) in ev.iter_mut().zip(od.iter_mut()).zip(x.chunks_exact(2)) {
                    *e = clean(pair[0]);
                    *o = clean(pair[1]);
                }
                Some(self.split())
            }
            InputRate::Hz32000 => {
                self.decimate2(x);
                Some(self.split())
            }
            InputRate::Hz48000 => {
                self.decimate3(x);
                Some(self.split())
            }
        };
        if self.seen < 2 {
            self.seen += 1;
        }
        if self.seen < 2 {
            return false;
        }
        self.spectrum::<K>();
        for b in 0..LOW_BANDS {
            let mut s = 0.0f32;
            for &p in &self.power[BAND_EDGES[b]..BAND_EDGES[b + 1]] {
                s += p;
            }
            out[b] = s as f64;
        }
        if let Some(e) = high_energy {
            out[LOW_BANDS] = e as f64;
        }
        true
    }

    /// Store the decimators' 16 kHz output `y16` as the new even/odd samples.
    #[inline(always)]
    fn store16(&mut self) {
        let (ev, od) = (&mut self.ev[HB_HIST..], &mut self.od[HB_HIST..]);
        for ((e, o), pair) in ev
            .iter_mut()
            .zip(od.iter_mut())
            .zip(self.y16.chunks_exact(2))
        {
            *e = pair[0];
            *o = pair[1];
        }
    }

    /// 32 kHz -> 16 kHz with the half-band low-pass (polyphase: even/odd input).
    #[inline(always)]
    fn decimate2(&mut self, x: &[f32]) {
        const H: usize = HB_HIST;
        for ((e, o), pair) in self.p0[H..]
            .iter_mut()
            .zip(self.p1[H..].iter_mut())
            .zip(x.chunks_exact(2))
        {
            *e = clean(pair[0]);
            *o = clean(pair[1]);
        }
        let mut a = [0.0f32; HOP16];
        half_band_taps(&self.p1, &mut a);
        for ((y, &e), &a) in self.y16.iter_mut().zip(&self.p0[6..6 + HOP16]).zip(&a) {
            *y = 0.5 * e + a;
        }
        self.p0.copy_within(HOP16..HOP16 + H, 0);
        self.p1.copy_within(HOP16..HOP16 + H, 0);
        self.store16();
    }

    /// 48 kHz -> 16 kHz with the 33-tap low-pass (polyphase: three phases).
    #[inline(always)]
    fn decimate3(&mut self, x: &[f32]) {
        const H: usize = D3_HIST;
        for (((a, b), c), t) in self.p0[H..]
            .iter_mut()
            .zip(self.p1[H..].iter_mut())
            .zip(self.p2[H..].iter_mut())
            .zip(x.chunks_exact(3))
        {
            *a = clean(t[0]);
            *b = clean(t[1]);
            *c = clean(t[2]);
        }
        let phases = [&self.p0, &self.p1, &self.p2];
        // centre 3 m + 19 is phase 1, index m + 6
        for (m, y) in self.y16.iter_mut().enumerate() {
            *y = DEC3_CENTER32 * self.p1[m + 6];
        }
        for &(pl, il, ph, ih, h) in &DEC3_TAPS {
            let (lo, hi) = (&phases[pl][il..il + HOP16], &phases[ph][ih..ih + HOP16]);
            for ((y, &a), &b) in self.y16.iter_mut().zip(lo).zip(hi) {
                *y += h * (a + b);
            }
        }
        self.p0.copy_within(HOP16..HOP16 + H, 0);
        self.p1.copy_within(HOP16..HOP16 + H, 0);
        self.p2.copy_within(HOP16..HOP16 + H, 0);
        self.store16();
    }

    /// Split the 16 kHz even/odd streams into 80 low-band samples (appended to `low`) and
    /// the high-band energy, which it returns.
    #[inline(always)]
    fn split(&mut self) -> f32 {
        let mut a = [0.0f32; LOW_HOP];
        half_band_taps(&self.od, &mut a);
        let low = &mut self.low[NFFT - LOW_HOP..];
        for (((l, h2), &e), &a) in low
            .iter_mut()
            .zip(self.hi2.iter_mut())
            .zip(&self.ev[6..6 + LOW_HOP])
            .zip(&a)
        {
            let half = 0.5 * e;
            *l = half + a;
            let hi = half - a;
            *h2 = hi * hi;
        }
        // Four interleaved partial sums, then pairwise: a fixed order that both
        // implementations follow.
        let mut s = [0.0f32; 4];
        for q in self.hi2.chunks_exact(4) {
            s[0] += q[0];
            s[1] += q[1];
            s[2] += q[2];
            s[3] += q[3];
        }
        self.ev.copy_within(LOW_HOP..LOW_HOP + HB_HIST, 0);
        self.od.copy_within(LOW_HOP..LOW_HOP + HB_HIST, 0);
        ((s[0] + s[1]) + (s[2] + s[3])) * HIGH_BAND_SCALE
    }

    /// Power spectrum of the Hann-windowed low-band window: `power[k] = |X[k]|^2` for the
    /// bins the bands use (`BAND_EDGES[0]..BAND_EDGES[16]`), via a 64-point complex FFT
    /// of the even/odd samples.
    #[inline(always)]
    fn spectrum<K: FftKernel>(&mut self) {
        K::window_fft(&self.low, &mut self.re, &mut self.im);
        const K0: usize = BAND_EDGES[0];
        const K1: usize = BAND_EDGES[LOW_BANDS];
        // Z[64 - k] for k in K0..K1, reversed into contiguous arrays.
        let (mut rr, mut ri) = ([0.0f32; K1 - K0], [0.0f32; K1 - K0]);
        for (j, (a, b)) in rr.iter_mut().zip(ri.iter_mut()).enumerate() {
            *a = self.re[64 - K0 - j];
            *b = self.im[64 - K0 - j];
        }
        let re = &self.re[K0..K1];
        let im = &self.im[K0..K1];
        let (pc, ps) = (&POST_RE[K0..K1], &POST_IM[K0..K1]);
        for j in 0..K1 - K0 {
            let er = 0.5 * (re[j] + rr[j]);
            let ei = 0.5 * (im[j] - ri[j]);
            let or = 0.5 * (im[j] + ri[j]);
            let oi = -0.5 * (re[j] - rr[j]);
            let (c, s) = (pc[j], ps[j]);
            let xr = er + (or * c - oi * s);
            let xi = ei + (or * s + oi * c);
            self.power[K0 + j] = xr * xr + xi * xi;
        }
    }
}

/// The odd-tap part of the half-band filter for every output m: `a[m] = sum_j
/// HALF_BAND[j] (odd[m + 5 - j] + odd[m + 6 + j])`, accumulated over j in order (the
/// output for m also takes `0.5 even[m + 6]`).
#[inline(always)]
fn half_band_taps(odd: &[f32], a: &mut [f32]) {
    let n = a.len();
    for (j, &h) in HB32.iter().enumerate() {
        let lo = &odd[5 - j..5 - j + n];
        let hi = &odd[6 + j..6 + j + n];
        for ((a, &x), &y) in a.iter_mut().zip(lo).zip(hi) {
            *a += h * (x + y);
        }
    }
}

/// Forward 64-point complex FFT (`exp(-2 pi i k n / 64)`), radix-2 decimation in time:
/// input in natural order, output in natural order. The first two stages (twiddles 1 and
/// -i) are done together while reading the input in bit-reversed order.
#[inline(always)]
pub(super) fn fft64(zr: &[f32; 64], zi: &[f32; 64], re: &mut [f32; 64], im: &mut [f32; 64]) {
    // Group g holds bit-reversed positions 4g..4g+3, i.e. inputs q, q+32, q+16, q+48
    // with q = BITREV[4g].
    for g in 0..16 {
        let q = BITREV[4 * g];
        let (x0r, x0i) = (zr[q], zi[q]);
        let (x1r, x1i) = (zr[q + 32], zi[q + 32]);
        let (x2r, x2i) = (zr[q + 16], zi[q + 16]);
        let (x3r, x3i) = (zr[q + 48], zi[q + 48]);
        // size 2 (w = 1)
        let (a1r, a1i) = (x0r - x1r, x0i - x1i);
        let (a0r, a0i) = (x0r + x1r, x0i + x1i);
        let (a3r, a3i) = (x2r - x3r, x2i - x3i);
        let (a2r, a2i) = (x2r + x3r, x2i + x3i);
        // size 4 (w = 1, then w = -i: t = (a3i, -a3r))
        let o = 4 * g;
        re[o + 2] = a0r - a2r;
        im[o + 2] = a0i - a2i;
        re[o] = a0r + a2r;
        im[o] = a0i + a2i;
        re[o + 3] = a1r - a3i;
        im[o + 3] = a1i - -a3r;
        re[o + 1] = a1r + a3i;
        im[o + 1] = a1i + -a3r;
    }
    fft_stage::<4>(re, im, 0);
    fft_stage::<8>(re, im, 4);
    fft_stage::<16>(re, im, 12);
    fft_stage::<32>(re, im, 28);
}

/// One radix-2 stage of size `2 HALF` with twiddles `TW_*[off..off + HALF]`.
#[inline(always)]
fn fft_stage<const HALF: usize>(re: &mut [f32; 64], im: &mut [f32; 64], off: usize) {
    let wr: &[f32; HALF] = TW_RE[off..off + HALF].try_into().expect("twiddle table");
    let wi: &[f32; HALF] = TW_IM[off..off + HALF].try_into().expect("twiddle table");
    for (rblk, iblk) in re
        .chunks_exact_mut(2 * HALF)
        .zip(im.chunks_exact_mut(2 * HALF))
    {
        let (ra, rb) = rblk.split_at_mut(HALF);
        let (ia, ib) = iblk.split_at_mut(HALF);
        for k in 0..HALF {
            let tr = rb[k] * wr[k] - ib[k] * wi[k];
            let ti = rb[k] * wi[k] + ib[k] * wr[k];
            rb[k] = ra[k] - tr;
            ib[k] = ia[k] - ti;
            ra[k] += tr;
            ia[k] += ti;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Naive 128-point DFT power (in f64) of the Hann-windowed low band.
    fn naive_power(x: &[f32; NFFT]) -> Vec<f64> {
        (0..65)
            .map(|k| {
                let (mut r, mut i) = (0.0f64, 0.0f64);
                for (n, &v) in x.iter().enumerate() {
                    let a = -2.0 * std::f64::consts::PI * (k * n) as f64 / NFFT as f64;
                    let w = v as f64 * HANN[n] as f64;
                    r += w * a.cos();
                    i += w * a.sin();
                }
                r * r + i * i
            })
            .collect()
    }

    fn seeded(seed: u64, n: usize) -> Vec<f32> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0) as f32
            })
            .collect()
    }

    #[test]
    fn spectrum_matches_naive_dft() {
        for seed in 0..8 {
            let mut fe = FrontEnd::new(InputRate::Hz8000);
            let v = seeded(seed, NFFT);
            fe.low.copy_from_slice(&v);
            fe.spectrum::<PortableFft>();
            let want = naive_power(&fe.low);
            let scale = want.iter().cloned().fold(0.0, f64::max);
            let bins = BAND_EDGES[0]..BAND_EDGES[LOW_BANDS];
            for (k, (&got, &w)) in fe.power.iter().zip(&want).enumerate() {
                if bins.contains(&k) {
                    let got = got as f64;
                    assert!(
                        (got - w).abs() <= 1e-5 * scale,
                        "seed {seed} bin {k}: expected {w}, got {got}"
                    );
                }
            }
        }
    }

    /// Direct convolution (f64) oracle for the half-band split at 16 kHz.
    #[test]
    fn split_matches_direct_convolution() {
        let mut taps = [0.0f64; 23];
        taps[11] = 0.5;
        for (j, &h) in HALF_BAND.iter().enumerate() {
            taps[11 - (2 * j + 1)] = h;
            taps[11 + (2 * j + 1)] = h;
        }
        assert!((taps.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        let xf = seeded(7, 160 * 4);
        let xd: Vec<f64> = xf.iter().map(|&v| v as f64).collect();
        let mut fe = FrontEnd::new(InputRate::Hz16000);
        let mut out = [0.0; MAX_BANDS];
        for f in 0..4 {
            fe.sub_frame::<PortableFft>(&xf[f * 160..(f + 1) * 160], &mut out);
            let mut hi_energy = 0.0;
            for m in 0..80 {
                let t = 160 * f + 2 * m + 1; // newest tap of low-band sample m
                let mut lo = 0.0;
                for (i, &h) in taps.iter().enumerate() {
                    let idx = t as i64 - i as i64;
                    if (0..xd.len() as i64).contains(&idx) {
                        lo += h * xd[idx as usize];
                    }
                }
                let centre = t as i64 - 11;
                let c = if centre >= 0 {
                    xd[centre as usize]
                } else {
                    0.0
                };
                let got = fe.low[NFFT - LOW_HOP + m] as f64;
                assert!(
                    (got - lo).abs() < 1e-6,
                    "frame {f} m {m}: expected {lo}, got {got}"
                );
                hi_energy += (c - lo) * (c - lo);
            }
            if f >= 1 {
                let want = hi_energy * HIGH_BAND_SCALE as f64;
                assert!(
                    (out[LOW_BANDS] - want).abs() < 1e-5 * want.max(1.0),
                    "frame {f}: expected {want}, got {}",
                    out[LOW_BANDS]
                );
            }
        }
    }

    /// The decimators against direct convolution (f64) with the full filters.
    #[test]
    fn decimators_match_direct_convolution() {
        let mut d3 = [0.0f64; 33];
        d3[16] = DEC3_CENTER;
        for &(o, h) in &DEC3 {
            d3[16 - o] = h;
            d3[16 + o] = h;
        }
        assert!((d3.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mut hb = [0.0f64; 23];
        hb[11] = 0.5;
        for (j, &h) in HALF_BAND.iter().enumerate() {
            hb[11 - (2 * j + 1)] = h;
            hb[11 + (2 * j + 1)] = h;
        }
        for (rate, taps, factor, newest) in [
            (InputRate::Hz48000, &d3[..], 3usize, 2usize),
            (InputRate::Hz32000, &hb[..], 2, 1),
        ] {
            let hop = rate.hop();
            let xf = seeded(9, hop * 3);
            let mut fe = FrontEnd::new(rate);
            for f in 0..3 {
                let x = &xf[f * hop..(f + 1) * hop];
                if rate == InputRate::Hz48000 {
                    fe.decimate3(x);
                } else {
                    fe.decimate2(x);
                }
                for m in 0..HOP16 {
                    let t = hop * f + factor * m + newest;
                    let mut want = 0.0;
                    for (i, &h) in taps.iter().enumerate() {
                        let idx = t as i64 - i as i64;
                        if (0..xf.len() as i64).contains(&idx) {
                            want += h * xf[idx as usize] as f64;
                        }
                    }
                    let got = fe.y16[m] as f64;
                    assert!(
                        (got - want).abs() < 1e-6,
                        "{rate:?} frame {f} m {m}: expected {want}, got {got}"
                    );
                }
            }
        }
    }

    #[test]
    fn non_finite_input_is_silence() {
        let mut a = FrontEnd::new(InputRate::Hz16000);
        let mut b = FrontEnd::new(InputRate::Hz16000);
        let (mut oa, mut ob) = ([0.0; MAX_BANDS], [0.0; MAX_BANDS]);
        let mut x = vec![0.0f32; 160];
        let y = vec![0.0f32; 160];
        x[3] = f32::NAN;
        x[9] = f32::INFINITY;
        for _ in 0..3 {
            a.sub_frame::<PortableFft>(&x, &mut oa);
            b.sub_frame::<PortableFft>(&y, &mut ob);
        }
        assert_eq!(oa, ob);
    }
}
