//! Real FFT of any size `n >= 1` (f32 data, twiddles computed in f64).
//!
//! - Even `n = 2m`: the real input is read in place as `m` complex values
//!   `z_j = x_2j + i*x_2j+1`, transformed with one complex FFT of length `m`, and split
//!   into the `m + 1` bins of the real spectrum (the usual "half-size complex" method).
//! - Odd `n`: a complex FFT of length `n` on the zero-imaginary input.
//! - The complex FFT is a mixed-radix Stockham autosort (radices 4, 2, 3, 5, generic odd
//!   up to 31) or, for sizes with a larger prime factor, Bluestein's algorithm.
//!
//! Spectrum layout: `n/2 + 1` interleaved `re, im` pairs (FFTW's r2c layout). `forward` is
//! unnormalized; `inverse` scales by `1/n`, so `inverse(forward(x)) == x`. The inverse
//! ignores the imaginary parts of bin 0 and (for even `n`) bin `n/2`.
//!
//! Plans are immutable, shared through a global cache ([`plan`]), and run without
//! allocating: a [`RealFft`] owns the scratch one caller needs. A plan picks the best
//! instruction set the CPU offers ([`Isa::best`]): AVX2+FMA when available, else scalar.

mod complex;

#[cfg(target_arch = "x86_64")]
mod avx2;

#[cfg(target_arch = "x86_64")]
pub use avx2::Avx2;

use crate::error::{Error, Result};
use complex::{twiddle, ComplexPlan};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Largest supported transform length.
pub const MAX_FFT_SIZE: usize = 1 << 22;

/// The instruction set a plan's kernels use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// Portable scalar code.
    Scalar,
    /// AVX2 + FMA (the token proves the CPU has both).
    #[cfg(target_arch = "x86_64")]
    Avx2(Avx2),
}

impl Isa {
    /// The fastest instruction set this CPU supports.
    pub fn best() -> Isa {
        #[cfg(target_arch = "x86_64")]
        if let Some(t) = Avx2::detect() {
            return Isa::Avx2(t);
        }
        Isa::Scalar
    }

    /// A short name (`"avx2"`, `"scalar"`).
    pub fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2(_) => "avx2",
        }
    }
}

enum Kind {
    /// `n == 1`: the spectrum is the sample.
    One,
    /// `n = 2m`: half-size complex FFT plus split.
    Even {
        half: ComplexPlan,
        /// `-i * W^k / 2`, `k <= m/2`, `W = exp(-2*pi*i/n)` (forward split).
        post: Vec<f32>,
        /// `i * conj(W^k)`, `k <= m/2` (inverse merge).
        pre: Vec<f32>,
    },
    /// Odd `n`: full complex FFT.
    Odd { full: ComplexPlan },
}

/// An immutable real-FFT plan for one length. Share it with [`Arc`]; run it with
/// caller-provided scratch ([`RealFftPlan::scratch_len`] floats) or through [`RealFft`].
pub struct RealFftPlan {
    n: usize,
    kind: Kind,
    isa: Isa,
}

impl std::fmt::Debug for RealFftPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealFftPlan")
            .field("n", &self.n)
            .field("isa", &self.isa)
            .finish()
    }
}

fn check_size(n: usize) -> Result<()> {
    if n == 0 || n > MAX_FFT_SIZE {
        return Err(Error::invalid(format!(
            "FFT size {n} is outside 1..={MAX_FFT_SIZE}"
        )));
    }
    Ok(())
}

impl RealFftPlan {
    /// Plan a real FFT of length `n` with the given instruction set.
    pub fn new(n: usize, isa: Isa) -> Result<RealFftPlan> {
        check_size(n)?;
        let kind = if n == 1 {
            Kind::One
        } else if n.is_multiple_of(2) {
            let m = n / 2;
            let mut post = Vec::with_capacity(2 * (m / 2 + 1));
            let mut pre = Vec::with_capacity(2 * (m / 2 + 1));
            for k in 0..=m / 2 {
                let (c, s) = twiddle(k, n);
                post.push(0.5 * s);
                post.push(-0.5 * c);
                pre.push(s);
                pre.push(c);
            }
            Kind::Even {
                half: ComplexPlan::new(m, isa),
                post,
                pre,
            }
        } else {
            Kind::Odd {
                full: ComplexPlan::new(n, isa),
            }
        };
        Ok(RealFftPlan { n, kind, isa })
    }

    /// Transform length.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (a plan has length >= 1); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Floats in a spectrum: `2 * (n/2 + 1)`.
    pub fn spectrum_len(&self) -> usize {
        2 * (self.n / 2 + 1)
    }

    /// The instruction set the kernels use.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Floats of scratch [`RealFftPlan::forward`] and [`RealFftPlan::inverse`] need.
    pub fn scratch_len(&self) -> usize {
        match &self.kind {
            Kind::One => 0,
            Kind::Even { half, .. } => self.n + half.scratch_len(),
            Kind::Odd { full } => 4 * self.n + full.scratch_len(),
        }
    }

    fn check(
        &self,
        what: &str,
        input: usize,
        want_in: usize,
        output: usize,
        want_out: usize,
    ) -> Result<()> {
        if input != want_in {
            return Err(Error::invalid(format!(
                "{what} input holds {input} floats, expected {want_in} for FFT size {}",
                self.n
            )));
        }
        if output < want_out {
            return Err(Error::too_small(
                &format!("{what} output"),
                want_out,
                output,
            ));
        }
        Ok(())
    }

    /// Forward transform: `input` (`n` floats) to `output` (`2*(n/2+1)` floats,
    /// interleaved `re, im`). Unnormalized.
    pub fn forward(&self, input: &[f32], output: &mut [f32], scratch: &mut [f32]) -> Result<()> {
        self.check(
            "forward",
            input.len(),
            self.n,
            output.len(),
            self.spectrum_len(),
        )?;
        if scratch.len() < self.scratch_len() {
            return Err(Error::too_small(
                "FFT scratch",
                self.scratch_len(),
                scratch.len(),
            ));
        }
        self.forward_unchecked(input, output, scratch);
        Ok(())
    }

    /// [`RealFftPlan::forward`] without the length checks (they are asserted instead).
    pub(crate) fn forward_unchecked(&self, input: &[f32], output: &mut [f32], scratch: &mut [f32]) {
        let n = self.n;
        match &self.kind {
            Kind::One => {
                output[0] = input[0];
                output[1] = 0.0;
            }
            Kind::Even { half, post, .. } => {
                let m = n / 2;
                half.forward(&input[..n], &mut output[..n], scratch);
                let out = &mut output[..n + 2];
                let (z0r, z0i) = (out[0], out[1]);
                out[0] = z0r + z0i;
                out[1] = 0.0;
                out[n] = z0r - z0i;
                out[n + 1] = 0.0;
                match self.isa {
                    Isa::Scalar => real_post_tail(out, m, post, 1),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2(t) => t.real_post(out, m, post),
                }
            }
            Kind::Odd { full } => {
                let (cin, rest) = scratch.split_at_mut(2 * n);
                let (cout, inner) = rest.split_at_mut(2 * n);
                for (c, &x) in cin.chunks_exact_mut(2).zip(input) {
                    c[0] = x;
                    c[1] = 0.0;
                }
                full.forward(cin, cout, inner);
                let len = self.spectrum_len();
                output[..len].copy_from_slice(&cout[..len]);
                output[1] = 0.0;
            }
        }
    }

    /// Inverse transform: `input` (`2*(n/2+1)` floats) to `output` (`n` floats), scaled by
    /// `1/n` so that `inverse(forward(x)) == x`.
    pub fn inverse(&self, input: &[f32], output: &mut [f32], scratch: &mut [f32]) -> Result<()> {
        self.check(
            "inverse",
            input.len(),
            self.spectrum_len(),
            output.len(),
            self.n,
        )?;
        if scratch.len() < self.scratch_len() {
            return Err(Error::too_small(
                "FFT scratch",
                self.scratch_len(),
                scratch.len(),
            ));
        }
        let n = self.n;
        match &self.kind {
            Kind::One => output[0] = input[0],
            Kind::Even { half, pre, .. } => {
                let m = n / 2;
                let (z, inner) = scratch.split_at_mut(n);
                let scale = 0.5 / m as f32;
                // k = 0 pairs bin 0 with bin m (real parts only).
                let (x0, xm) = (input[0], input[n]);
                z[0] = (x0 + xm) * scale;
                z[1] = -(x0 - xm) * scale;
                match self.isa {
                    Isa::Scalar => real_pre_tail(input, z, m, pre, scale, 1),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2(t) => t.real_pre(input, z, m, pre, scale),
                }
                let out = &mut output[..n];
                half.forward(z, out, inner);
                for v in out.iter_mut().skip(1).step_by(2) {
                    *v = -*v;
                }
            }
            Kind::Odd { full } => {
                let (cin, rest) = scratch.split_at_mut(2 * n);
                let (cout, inner) = rest.split_at_mut(2 * n);
                // conj of the full Hermitian spectrum: the inverse is Re(FFT(conj X)) / n.
                cin[0] = input[0];
                cin[1] = 0.0;
                for k in 1..=n / 2 {
                    let (re, im) = (input[2 * k], input[2 * k + 1]);
                    cin[2 * k] = re;
                    cin[2 * k + 1] = -im;
                    cin[2 * (n - k)] = re;
                    cin[2 * (n - k) + 1] = im;
                }
                full.forward(cin, cout, inner);
                let scale = 1.0 / n as f32;
                for (o, c) in output[..n].iter_mut().zip(cout.chunks_exact(2)) {
                    *o = c[0] * scale;
                }
            }
        }
        Ok(())
    }
}

/// Forward split for pairs `k0..=m/2`: from `Z = FFT_m(z)` in `buf[..2m]`, write
/// `X[k] = E + T`, `X[m-k] = conj(E - T)` with `E = (Z[k] + conj Z[m-k]) / 2` and
/// `T = (Z[k] - conj Z[m-k]) * (-i W^k / 2)`.
pub(crate) fn real_post_tail(buf: &mut [f32], m: usize, tw: &[f32], k0: usize) {
    for k in k0..=m / 2 {
        let j = m - k;
        let (ar, ai) = (buf[2 * k], buf[2 * k + 1]);
        let (br, bi) = (buf[2 * j], -buf[2 * j + 1]);
        let (er, ei) = ((ar + br) * 0.5, (ai + bi) * 0.5);
        let (dr, di) = (ar - br, ai - bi);
        let (wr, wi) = (tw[2 * k], tw[2 * k + 1]);
        let (tr, ti) = (dr * wr - di * wi, dr * wi + di * wr);
        buf[2 * k] = er + tr;
        buf[2 * k + 1] = ei + ti;
        buf[2 * j] = er - tr;
        buf[2 * j + 1] = -(ei - ti);
    }
}

/// Inverse merge for pairs `k0..=m/2`, writing `conj(Z) * scale`-style values so a forward
/// FFT followed by a conjugation gives the inverse: `z[k] = conj(E + T)`, `z[m-k] = E - T`
/// with `E = (X[k] + conj X[m-k]) * scale`, `T = (X[k] - conj X[m-k]) * i conj(W^k) * scale`.
pub(crate) fn real_pre_tail(x: &[f32], z: &mut [f32], m: usize, tw: &[f32], scale: f32, k0: usize) {
    for k in k0..=m / 2 {
        let j = m - k;
        let (ar, ai) = (x[2 * k], x[2 * k + 1]);
        let (br, bi) = (x[2 * j], -x[2 * j + 1]);
        let (er, ei) = ((ar + br) * scale, (ai + bi) * scale);
        let (dr, di) = (ar - br, ai - bi);
        let (wr, wi) = (tw[2 * k], tw[2 * k + 1]);
        let (tr, ti) = ((dr * wr - di * wi) * scale, (dr * wi + di * wr) * scale);
        z[2 * k] = er + tr;
        z[2 * k + 1] = -(ei + ti);
        z[2 * j] = er - tr;
        z[2 * j + 1] = ei - ti;
    }
}

type Cache = Mutex<HashMap<usize, Weak<RealFftPlan>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The shared plan for length `n` (best instruction set). Plans stay cached while any
/// holder keeps them alive; a later call for the same `n` returns the same plan.
pub fn plan(n: usize) -> Result<Arc<RealFftPlan>> {
    check_size(n)?;
    let mut map = cache().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = map.get(&n).and_then(Weak::upgrade) {
        return Ok(p);
    }
    let p = Arc::new(RealFftPlan::new(n, Isa::best())?);
    map.retain(|_, w| w.strong_count() > 0);
    map.insert(n, Arc::downgrade(&p));
    Ok(p)
}

/// A real FFT of one length: a shared plan plus this user's scratch. `forward` and
/// `inverse` allocate nothing.
#[derive(Debug)]
pub struct RealFft {
    plan: Arc<RealFftPlan>,
    scratch: Vec<f32>,
}

impl RealFft {
    /// A transform of length `n` using the shared plan.
    pub fn new(n: usize) -> Result<RealFft> {
        Ok(RealFft::with_plan(plan(n)?))
    }

    /// A transform running `plan`.
    pub fn with_plan(plan: Arc<RealFftPlan>) -> RealFft {
        let scratch = vec![0.0; plan.scratch_len()];
        RealFft { plan, scratch }
    }

    /// The plan.
    pub fn plan(&self) -> &Arc<RealFftPlan> {
        &self.plan
    }

    /// Transform length.
    pub fn len(&self) -> usize {
        self.plan.n
    }

    /// Always false; see [`RealFftPlan::is_empty`].
    pub fn is_empty(&self) -> bool {
        false
    }

    /// See [`RealFftPlan::forward`].
    pub fn forward(&mut self, input: &[f32], output: &mut [f32]) -> Result<()> {
        self.plan.forward(input, output, &mut self.scratch)
    }

    /// Forward without length checks (asserted; for kernels with fixed sizes).
    pub(crate) fn forward_unchecked(&mut self, input: &[f32], output: &mut [f32]) {
        assert!(input.len() == self.plan.n && output.len() >= self.plan.spectrum_len());
        self.plan
            .forward_unchecked(input, output, &mut self.scratch)
    }

    /// See [`RealFftPlan::inverse`].
    pub fn inverse(&mut self, input: &[f32], output: &mut [f32]) -> Result<()> {
        self.plan.inverse(input, output, &mut self.scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    /// Seeded uniform noise in [-1, 1).
    pub(crate) fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    /// The obvious O(n^2) DFT in f64 (angles reduced exactly).
    fn naive(x: &[f32]) -> Vec<f64> {
        let n = x.len();
        let mut out = vec![0.0; 2 * (n / 2 + 1)];
        for k in 0..=n / 2 {
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for (j, &v) in x.iter().enumerate() {
                let a = -2.0 * std::f64::consts::PI * ((j * k) % n) as f64 / n as f64;
                re += v as f64 * a.cos();
                im += v as f64 * a.sin();
            }
            out[2 * k] = re;
            out[2 * k + 1] = im;
        }
        out
    }

    fn isas() -> Vec<Isa> {
        let mut v = vec![Isa::Scalar];
        if Isa::best() != Isa::Scalar {
            v.push(Isa::best());
        }
        v
    }

    const SIZES: &[usize] = &[
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 20, 24, 25, 27, 30, 31, 32, 37,
        40, 48, 49, 50, 60, 62, 64, 74, 77, 96, 97, 100, 120, 125, 127, 128, 160, 194, 200, 243,
        250, 256, 320, 361, 400, 480, 500, 511, 512, 640, 960, 1000, 1009, 1024, 2018, 2048, 4093,
        4096,
    ];

    /// Error bound relative to the signal: `max|X - X_ref| <= tol * sqrt(n) * rms(x)`.
    fn tolerance(n: usize) -> f64 {
        1.2e-7 * (2.0 + (n as f64).log2())
    }

    #[test]
    fn forward_matches_naive_dft_over_size_grid() {
        for isa in isas() {
            for &n in SIZES {
                let x = noise(n, n as u64);
                let want = naive(&x);
                let plan = RealFftPlan::new(n, isa).unwrap();
                let mut out = vec![f32::NAN; plan.spectrum_len()];
                let mut scratch = vec![f32::NAN; plan.scratch_len()];
                plan.forward(&x, &mut out, &mut scratch).unwrap();
                let rms = (x.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / n as f64).sqrt();
                let scale = (n as f64).sqrt() * rms;
                for (i, (&g, &w)) in out.iter().zip(&want).enumerate() {
                    let err = (g as f64 - w).abs() / scale;
                    assert!(
                        err <= tolerance(n),
                        "n={n} isa={} index {i}: expected {w}, got {g} (rel err {err:e})",
                        isa.name()
                    );
                }
            }
        }
    }

    #[test]
    fn inverse_round_trips_over_size_grid() {
        for isa in isas() {
            for &n in SIZES {
                let x = noise(n, 7 * n as u64 + 1);
                let plan = RealFftPlan::new(n, isa).unwrap();
                let mut spec = vec![0.0; plan.spectrum_len()];
                let mut back = vec![f32::NAN; n];
                let mut scratch = vec![f32::NAN; plan.scratch_len()];
                plan.forward(&x, &mut spec, &mut scratch).unwrap();
                plan.inverse(&spec, &mut back, &mut scratch).unwrap();
                for (i, (&g, &w)) in back.iter().zip(&x).enumerate() {
                    assert!(
                        (g - w).abs() <= 4.0 * tolerance(n) as f32,
                        "n={n} isa={} index {i}: expected {w}, got {g}",
                        isa.name()
                    );
                }
            }
        }
    }

    #[test]
    fn inverse_matches_naive_inverse_dft() {
        // A spectrum not produced by `forward`, checked against sum_k X_k e^{+2 pi i jk/n} / n
        // over the Hermitian extension (imaginary parts of DC and Nyquist ignored).
        for isa in isas() {
            for &n in &[1usize, 2, 5, 8, 9, 12, 97, 400, 512] {
                let plan = RealFftPlan::new(n, isa).unwrap();
                let spec = noise(plan.spectrum_len(), 99 + n as u64);
                let mut out = vec![0.0; n];
                let mut scratch = vec![0.0; plan.scratch_len()];
                plan.inverse(&spec, &mut out, &mut scratch).unwrap();
                for (j, &got) in out.iter().enumerate() {
                    let mut acc = spec[0] as f64;
                    for k in 1..n.div_ceil(2) {
                        let a = 2.0 * std::f64::consts::PI * ((j * k) % n) as f64 / n as f64;
                        let (re, im) = (spec[2 * k] as f64, spec[2 * k + 1] as f64);
                        acc += 2.0 * (re * a.cos() - im * a.sin());
                    }
                    if n % 2 == 0 && n > 1 {
                        acc += spec[n] as f64 * if j % 2 == 0 { 1.0 } else { -1.0 };
                    }
                    let want = acc / n as f64;
                    assert!(
                        (got as f64 - want).abs() <= 1e-5,
                        "n={n} isa={} index {j}: expected {want}, got {got}",
                        isa.name()
                    );
                }
            }
        }
    }

    #[test]
    fn plans_are_cached_and_shared() {
        let a = plan(400).unwrap();
        let b = plan(400).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let f = RealFft::new(400).unwrap();
        assert!(Arc::ptr_eq(f.plan(), &a));
        assert_eq!(a.isa(), Isa::best());
    }

    #[test]
    fn bad_sizes_and_lengths_are_errors() {
        assert_eq!(plan(0).unwrap_err().status, Status::InvalidArgument);
        assert_eq!(
            plan(MAX_FFT_SIZE + 1).unwrap_err().status,
            Status::InvalidArgument
        );
        let mut f = RealFft::new(8).unwrap();
        let mut out = [0.0; 10];
        let e = f.forward(&[0.0; 7], &mut out).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        let e = f.forward(&[0.0; 8], &mut out[..9]).unwrap_err();
        assert_eq!(e.status, Status::BufferTooSmall);
        let e = f.inverse(&[0.0; 9], &mut [0.0; 8]).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        let e = f.inverse(&[0.0; 10], &mut [0.0; 7]).unwrap_err();
        assert_eq!(e.status, Status::BufferTooSmall);
    }

    #[test]
    fn simd_and_scalar_agree_closely() {
        if Isa::best() == Isa::Scalar {
            return;
        }
        for &n in &[400usize, 512, 480, 320] {
            let x = noise(n, 3);
            let a = RealFftPlan::new(n, Isa::Scalar).unwrap();
            let b = RealFftPlan::new(n, Isa::best()).unwrap();
            let mut oa = vec![0.0; a.spectrum_len()];
            let mut ob = vec![0.0; b.spectrum_len()];
            let mut s = vec![0.0; a.scratch_len().max(b.scratch_len())];
            a.forward(&x, &mut oa, &mut s).unwrap();
            b.forward(&x, &mut ob, &mut s).unwrap();
            for (i, (p, q)) in oa.iter().zip(&ob).enumerate() {
                assert!(
                    (p - q).abs() <= 1e-4,
                    "n={n} index {i}: scalar {p}, simd {q}"
                );
            }
        }
    }
}
