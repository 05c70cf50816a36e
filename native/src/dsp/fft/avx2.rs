//! AVX2 + FMA kernels for the FFT: Stockham passes of radix 2, 3, 4 and 5 (four complex
//! values per 256-bit register) and the real-FFT pre/post-processing.
//!
//! Everything here is reachable only through [`Avx2`], a token that can be made only by
//! [`Avx2::detect`] after `is_x86_feature_detected!` confirmed both features, so the
//! `#[target_feature]` functions never run on a CPU without them.

use super::complex::{butterfly_one, stage_scalar, Stage, C51, C52, S51, S52, SQRT3_2};
use std::arch::x86_64::*;

/// Proof that the CPU supports AVX2 and FMA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Avx2 {
    _private: (),
}

impl Avx2 {
    /// The token, when the running CPU has AVX2 and FMA.
    pub fn detect() -> Option<Avx2> {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            Some(Avx2 { _private: () })
        } else {
            None
        }
    }

    /// One Stockham pass (see `complex.rs`).
    pub(crate) fn stage(self, st: &Stage, src: &[f32], dst: &mut [f32]) {
        // SAFETY: the token exists only when AVX2 and FMA are available.
        unsafe { stage(st, src, dst) }
    }

    /// Real-FFT post-processing, in place (see `super::real_post_scalar`).
    pub(crate) fn real_post(self, buf: &mut [f32], m: usize, tw: &[f32]) {
        // SAFETY: as above.
        unsafe { real_post(buf, m, tw) }
    }

    /// Real-FFT inverse pre-processing (see `super::real_pre_scalar`).
    pub(crate) fn real_pre(self, x: &[f32], z: &mut [f32], m: usize, tw: &[f32], scale: f32) {
        // SAFETY: as above.
        unsafe { real_pre(x, z, m, tw, scale) }
    }
}

// ---- helpers ----------------------------------------------------------------------------

#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn ld(p: *const f32) -> __m256 {
    // SAFETY: the caller guarantees 8 readable floats at `p`.
    unsafe { _mm256_loadu_ps(p) }
}

#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn stv(p: *mut f32, v: __m256) {
    // SAFETY: the caller guarantees 8 writable floats at `p`.
    unsafe { _mm256_storeu_ps(p, v) }
}

/// One complex value (two floats at `p`) repeated four times.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn bcast(p: *const f32) -> __m256 {
    // SAFETY: the caller guarantees 2 readable floats at `p`; unaligned read.
    let bits = unsafe { std::ptr::read_unaligned(p as *const f64) };
    _mm256_castpd_ps(_mm256_set1_pd(bits))
}

/// Element-wise complex product of interleaved vectors.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn cmul(a: __m256, w: __m256) -> __m256 {
    let wr = _mm256_moveldup_ps(w);
    let wi = _mm256_movehdup_ps(w);
    let sw = _mm256_permute_ps(a, 0xB1);
    _mm256_fmaddsub_ps(a, wr, _mm256_mul_ps(sw, wi))
}

/// The sign bit of every imaginary lane.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn im_sign() -> __m256 {
    _mm256_castsi256_ps(_mm256_set1_epi64x(i64::MIN))
}

/// `-i * a` for each complex lane.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn neg_i(a: __m256) -> __m256 {
    let sw = _mm256_permute_ps(a, 0xB1);
    _mm256_xor_ps(sw, im_sign())
}

/// Complex conjugate of each lane.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn conj(a: __m256) -> __m256 {
    _mm256_xor_ps(a, im_sign())
}

/// Reverse the order of the four complex lanes.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn rev(a: __m256) -> __m256 {
    let d = _mm256_castps_pd(a);
    let sw = _mm256_permute2f128_pd(d, d, 0x01);
    _mm256_castpd_ps(_mm256_permute_pd(sw, 0b0101))
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn add(a: __m256, b: __m256) -> __m256 {
    _mm256_add_ps(a, b)
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn sub(a: __m256, b: __m256) -> __m256 {
    _mm256_sub_ps(a, b)
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn mul(a: __m256, k: f32) -> __m256 {
    _mm256_mul_ps(a, _mm256_set1_ps(k))
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn fma(a: __m256, k: f32, c: __m256) -> __m256 {
    _mm256_fmadd_ps(a, _mm256_set1_ps(k), c)
}

/// Radix-R butterfly in place (no twiddles), R in {2, 3, 4, 5}.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn butterfly<const R: usize>(a: &mut [__m256; R]) {
    let a: &mut [__m256] = a;
    match R {
        2 => {
            let (a0, a1) = (a[0], a[1]);
            a[0] = add(a0, a1);
            a[1] = sub(a0, a1);
        }
        3 => {
            let (a0, a1, a2) = (a[0], a[1], a[2]);
            let t = add(a1, a2);
            let u = fma(t, -0.5, a0);
            let v = mul(neg_i(sub(a1, a2)), SQRT3_2);
            a[0] = add(a0, t);
            a[1] = add(u, v);
            a[2] = sub(u, v);
        }
        4 => {
            let (a0, a1, a2, a3) = (a[0], a[1], a[2], a[3]);
            let t0 = add(a0, a2);
            let t1 = sub(a0, a2);
            let t2 = add(a1, a3);
            let t3 = neg_i(sub(a1, a3));
            a[0] = add(t0, t2);
            a[1] = add(t1, t3);
            a[2] = sub(t0, t2);
            a[3] = sub(t1, t3);
        }
        5 => {
            let (a0, a1, a2, a3, a4) = (a[0], a[1], a[2], a[3], a[4]);
            let t1 = add(a1, a4);
            let t2 = add(a2, a3);
            let d1 = sub(a1, a4);
            let d2 = sub(a2, a3);
            let x1 = fma(t2, C52, fma(t1, C51, a0));
            let x2 = fma(t2, C51, fma(t1, C52, a0));
            let y1 = neg_i(fma(d2, S52, mul(d1, S51)));
            let y2 = neg_i(fma(d2, -S51, mul(d1, S52)));
            a[0] = add(add(a0, t1), t2);
            a[1] = add(x1, y1);
            a[2] = add(x2, y2);
            a[3] = sub(x2, y2);
            a[4] = sub(x1, y1);
        }
        _ => unreachable!("radix {R} has no vector butterfly"),
    }
}

// ---- Stockham passes ----------------------------------------------------------------------

#[target_feature(enable = "avx2,fma")]
fn stage(st: &Stage, src: &[f32], dst: &mut [f32]) {
    let n = st.radix * st.m * st.s;
    assert!(src.len() >= 2 * n && dst.len() >= 2 * n);
    assert!(st.tw.len() >= 2 * st.m * (st.radix - 1));
    match (st.radix, st.s) {
        (2, s) if s >= 4 => over_q::<2>(st, src, dst),
        (3, s) if s >= 4 => over_q::<3>(st, src, dst),
        (4, s) if s >= 4 => over_q::<4>(st, src, dst),
        (5, s) if s >= 4 => over_q::<5>(st, src, dst),
        (2, 1) if st.m >= 4 => over_p::<2>(st, src, dst),
        (4, 1) if st.m >= 4 => over_p::<4>(st, src, dst),
        _ => stage_scalar(st, src, dst),
    }
}

/// Vectorized over `q` (four consecutive `q` per register), twiddles broadcast per `p`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn over_q<const R: usize>(st: &Stage, src: &[f32], dst: &mut [f32]) {
    let (m, s) = (st.m, st.s);
    let qv = s & !3;
    let sp = src.as_ptr();
    let dp = dst.as_mut_ptr();
    let tw = st.tw.as_ptr();
    for p in 0..m {
        for q in (0..qv).step_by(4) {
            let mut a = [_mm256_setzero_ps(); R];
            for (k, v) in a.iter_mut().enumerate() {
                // SAFETY: q + 3 < s and p + k*m < r*m, so the index is < n - 3
                // (checked in `stage`: src holds 2n floats).
                *v = unsafe { ld(sp.add(2 * (q + s * (p + k * m)))) };
            }
            butterfly::<R>(&mut a);
            for (j, v) in a.iter().enumerate() {
                let v = if j == 0 || p == 0 {
                    *v
                } else {
                    // SAFETY: p*(R-1) + j-1 < m*(R-1), the twiddle count.
                    cmul(*v, unsafe { bcast(tw.add(2 * (p * (R - 1) + j - 1))) })
                };
                // SAFETY: q + 3 + s*(R*p + j) < s*R*m = n.
                unsafe { stv(dp.add(2 * (q + s * (R * p + j))), v) };
            }
        }
    }
    if qv < s {
        for p in 0..m {
            for q in qv..s {
                butterfly_one(st, src, dst, p, q);
            }
        }
    }
}

/// Vectorized over `p` for the first pass (`s == 1`): four consecutive `p` per register,
/// then a 4xR complex transpose so each `p`'s R outputs are stored contiguously.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn over_p<const R: usize>(st: &Stage, src: &[f32], dst: &mut [f32]) {
    let m = st.m;
    let pv = m & !3;
    let sp = src.as_ptr();
    let dp = dst.as_mut_ptr();
    let tw = st.tw_t.as_ptr();
    assert!(st.tw_t.len() >= 2 * m * (R - 1));
    for p in (0..pv).step_by(4) {
        let mut a = [_mm256_setzero_ps(); R];
        for (k, v) in a.iter_mut().enumerate() {
            // SAFETY: p + 3 + k*m < R*m = n.
            *v = unsafe { ld(sp.add(2 * (p + k * m))) };
        }
        butterfly::<R>(&mut a);
        for (j, v) in a.iter_mut().enumerate().skip(1) {
            // SAFETY: (j-1)*m + p + 3 < (R-1)*m, the transposed twiddle count.
            *v = cmul(*v, unsafe { ld(tw.add(2 * ((j - 1) * m + p))) });
        }
        // SAFETY: outputs R*p .. R*(p+4) - 1 < R*m = n.
        unsafe {
            let o = dp.add(2 * R * p);
            if R == 4 {
                let (b0, b1, b2, b3) = (
                    _mm256_castps_pd(a[0]),
                    _mm256_castps_pd(a[1]),
                    _mm256_castps_pd(a[2 % R]),
                    _mm256_castps_pd(a[3 % R]),
                );
                let t0 = _mm256_unpacklo_pd(b0, b1);
                let t1 = _mm256_unpackhi_pd(b0, b1);
                let t2 = _mm256_unpacklo_pd(b2, b3);
                let t3 = _mm256_unpackhi_pd(b2, b3);
                stv(o, _mm256_castpd_ps(_mm256_permute2f128_pd(t0, t2, 0x20)));
                stv(
                    o.add(8),
                    _mm256_castpd_ps(_mm256_permute2f128_pd(t1, t3, 0x20)),
                );
                stv(
                    o.add(16),
                    _mm256_castpd_ps(_mm256_permute2f128_pd(t0, t2, 0x31)),
                );
                stv(
                    o.add(24),
                    _mm256_castpd_ps(_mm256_permute2f128_pd(t1, t3, 0x31)),
                );
            } else {
                let (b0, b1) = (_mm256_castps_pd(a[0]), _mm256_castps_pd(a[1]));
                let t0 = _mm256_unpacklo_pd(b0, b1);
                let t1 = _mm256_unpackhi_pd(b0, b1);
                stv(o, _mm256_castpd_ps(_mm256_permute2f128_pd(t0, t1, 0x20)));
                stv(
                    o.add(8),
                    _mm256_castpd_ps(_mm256_permute2f128_pd(t0, t1, 0x31)),
                );
            }
        }
    }
    for p in pv..m {
        butterfly_one(st, src, dst, p, 0);
    }
}

// ---- real FFT pre/post-processing -----------------------------------------------------------

/// Vector form of `super::real_post_scalar`: pairs (k, m-k) four at a time.
#[target_feature(enable = "avx2,fma")]
fn real_post(buf: &mut [f32], m: usize, tw: &[f32]) {
    assert!(buf.len() >= 2 * m + 2 && tw.len() >= 2 * (m / 2 + 1));
    let bp = buf.as_mut_ptr();
    let tp = tw.as_ptr();
    let half = _mm256_set1_ps(0.5);
    let mut k = 1;
    while 2 * k + 6 < m {
        // SAFETY: k + 3 < m - k - 3 <= m - 4, so both ranges lie inside 0..m and are
        // disjoint; tw holds m/2 + 1 > k + 3 entries.
        unsafe {
            let j = m - k - 3;
            let a = ld(bp.add(2 * k));
            let b = conj(rev(ld(bp.add(2 * j))));
            let w = ld(tp.add(2 * k));
            let e = _mm256_mul_ps(add(a, b), half);
            let t = cmul(sub(a, b), w);
            stv(bp.add(2 * k), add(e, t));
            stv(bp.add(2 * j), rev(conj(sub(e, t))));
        }
        k += 4;
    }
    super::real_post_tail(buf, m, tw, k);
}

/// Vector form of `super::real_pre_scalar`.
#[target_feature(enable = "avx2,fma")]
fn real_pre(x: &[f32], z: &mut [f32], m: usize, tw: &[f32], scale: f32) {
    assert!(x.len() >= 2 * m + 2 && z.len() >= 2 * m && tw.len() >= 2 * (m / 2 + 1));
    let xp = x.as_ptr();
    let zp = z.as_mut_ptr();
    let tp = tw.as_ptr();
    let sc = _mm256_set1_ps(scale);
    let mut k = 1;
    while 2 * k + 6 < m {
        // SAFETY: as in `real_post`.
        unsafe {
            let j = m - k - 3;
            let a = ld(xp.add(2 * k));
            let b = conj(rev(ld(xp.add(2 * j))));
            let w = ld(tp.add(2 * k));
            let e = _mm256_mul_ps(add(a, b), sc);
            let t = _mm256_mul_ps(cmul(sub(a, b), w), sc);
            // z[k] = conj(e + t); z[m-k] = e - t  (conj trick for the inverse)
            stv(zp.add(2 * k), conj(add(e, t)));
            stv(zp.add(2 * j), rev(sub(e, t)));
        }
        k += 4;
    }
    super::real_pre_tail(x, z, m, tw, scale, k);
}
