//! The AVX2 instantiation of the sub-frame kernel.
//!
//! The kernel's loops are written to vectorize (independent lanes, no floating-point
//! reductions across lanes), and every function on the path is `#[inline(always)]`, so
//! compiling the same code with AVX2 enabled gives 8-wide `f32` / 4-wide `f64` arithmetic
//! with exactly the scalar results: FMA is not enabled and nothing is reassociated. The
//! windowed FFT, whose bit-reversed data flow the compiler vectorizes poorly, is written
//! out with intrinsics ([`Avx2Fft`]) and performs the very same operations as
//! [`super::frontend::fft64`]. Reachable only through [`super::Isa::detect`], which
//! checks the CPU first.

use super::frontend::{FftKernel, HANN, NFFT, TW_IM, TW_RE};
use super::Vad;
use std::arch::x86_64::*;

impl Vad {
    /// One 10 ms sub-frame with AVX2 code generation.
    ///
    /// # Safety
    /// The CPU must support AVX2 (checked by `Isa::detect` before this path is chosen).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn sub_frame_avx2(&mut self, x: &[f32]) -> bool {
        self.sub_frame_inline::<Avx2Fft>(x)
    }
}

/// The windowed FFT with AVX2 intrinsics. Only instantiated inside
/// [`Vad::sub_frame_avx2`], i.e. after AVX2 was detected.
pub(super) struct Avx2Fft;

impl FftKernel for Avx2Fft {
    #[inline(always)]
    fn window_fft(low: &[f32; NFFT], re: &mut [f32; 64], im: &mut [f32; 64]) {
        // SAFETY: only called from `sub_frame_avx2`, which requires AVX2.
        unsafe { window_fft(low, re, im) }
    }
}

/// Hann window split into even and odd samples (`HANN[2n]`, `HANN[2n + 1]`).
const HANN_EVEN: [f32; 64] = {
    let mut t = [0.0; 64];
    let mut n = 0;
    while n < 64 {
        t[n] = HANN[2 * n];
        n += 1;
    }
    t
};
const HANN_ODD: [f32; 64] = {
    let mut t = [0.0; 64];
    let mut n = 0;
    while n < 64 {
        t[n] = HANN[2 * n + 1];
        n += 1;
    }
    t
};

#[derive(Clone, Copy)]
struct C8 {
    re: __m256,
    im: __m256,
}

#[inline(always)]
unsafe fn load8(p: &[f32]) -> __m256 {
    debug_assert!(p.len() >= 8);
    // SAFETY: `p` holds at least 8 floats (callers pass fixed ranges of fixed arrays).
    unsafe { _mm256_loadu_ps(p.as_ptr()) }
}

/// The generic radix-2 butterfly `t = b w; b = a - t; a = a + t`, lane-wise, in the
/// operation order of `fft_stage`.
#[inline(always)]
unsafe fn butterfly(a: &mut C8, b: &mut C8, wr: __m256, wi: __m256) {
    unsafe {
        let tr = _mm256_sub_ps(_mm256_mul_ps(b.re, wr), _mm256_mul_ps(b.im, wi));
        let ti = _mm256_add_ps(_mm256_mul_ps(b.re, wi), _mm256_mul_ps(b.im, wr));
        b.re = _mm256_sub_ps(a.re, tr);
        b.im = _mm256_sub_ps(a.im, ti);
        a.re = _mm256_add_ps(a.re, tr);
        a.im = _mm256_add_ps(a.im, ti);
    }
}

/// Butterfly with w = 1 (`t = b`).
#[inline(always)]
unsafe fn butterfly_one(a: &mut C8, b: &mut C8) {
    unsafe {
        let (tr, ti) = (b.re, b.im);
        b.re = _mm256_sub_ps(a.re, tr);
        b.im = _mm256_sub_ps(a.im, ti);
        a.re = _mm256_add_ps(a.re, tr);
        a.im = _mm256_add_ps(a.im, ti);
    }
}

/// Butterfly with w = -i (`t = (b.im, -b.re)`).
#[inline(always)]
unsafe fn butterfly_minus_i(a: &mut C8, b: &mut C8) {
    unsafe {
        let tr = b.im;
        let ti = _mm256_xor_ps(b.re, _mm256_set1_ps(-0.0)); // exact negation
        b.re = _mm256_sub_ps(a.re, tr);
        b.im = _mm256_sub_ps(a.im, ti);
        a.re = _mm256_add_ps(a.re, tr);
        a.im = _mm256_add_ps(a.im, ti);
    }
}

/// 8x8 transpose: `out[i][j] = v[j][i]`.
#[inline(always)]
unsafe fn transpose8(v: [__m256; 8]) -> [__m256; 8] {
    unsafe {
        let t0 = _mm256_unpacklo_ps(v[0], v[1]);
        let t1 = _mm256_unpackhi_ps(v[0], v[1]);
        let t2 = _mm256_unpacklo_ps(v[2], v[3]);
        let t3 = _mm256_unpackhi_ps(v[2], v[3]);
        let t4 = _mm256_unpacklo_ps(v[4], v[5]);
        let t5 = _mm256_unpackhi_ps(v[4], v[5]);
        let t6 = _mm256_unpacklo_ps(v[6], v[7]);
        let t7 = _mm256_unpackhi_ps(v[6], v[7]);
        let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        [
            _mm256_permute2f128_ps::<0x20>(u0, u4),
            _mm256_permute2f128_ps::<0x20>(u1, u5),
            _mm256_permute2f128_ps::<0x20>(u2, u6),
            _mm256_permute2f128_ps::<0x20>(u3, u7),
            _mm256_permute2f128_ps::<0x31>(u0, u4),
            _mm256_permute2f128_ps::<0x31>(u1, u5),
            _mm256_permute2f128_ps::<0x31>(u2, u6),
            _mm256_permute2f128_ps::<0x31>(u3, u7),
        ]
    }
}

/// Windowed FFT64 with the data flow of `fft64` (radix-2 decimation in time on
/// bit-reversed input), organised for 8-lane vectors: with `Z[a][b] = z[8a + b]`, the
/// first three stages are 8-point transforms down the columns (lane b), done across the
/// eight row vectors; a transpose then puts each block of 8 consecutive positions in one
/// vector, and the last three stages combine whole vectors.
#[target_feature(enable = "avx2")]
unsafe fn window_fft(low: &[f32; NFFT], re: &mut [f32; 64], im: &mut [f32; 64]) {
    unsafe {
        // Rows a = 0..8 of z, windowed: lane b holds z[8a + b] (even/odd low samples).
        let mut z = [C8 {
            re: _mm256_setzero_ps(),
            im: _mm256_setzero_ps(),
        }; 8];
        for (a, za) in z.iter_mut().enumerate() {
            let lo = load8(&low[16 * a..]);
            let hi = load8(&low[16 * a + 8..]);
            // even: [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6] -> [lo0 lo2 lo4 lo6 hi0 hi2 hi4 hi6]
            let ev = _mm256_castpd_ps(_mm256_permute4x64_pd::<0xD8>(_mm256_castps_pd(
                _mm256_shuffle_ps::<0x88>(lo, hi),
            )));
            let od = _mm256_castpd_ps(_mm256_permute4x64_pd::<0xD8>(_mm256_castps_pd(
                _mm256_shuffle_ps::<0xDD>(lo, hi),
            )));
            za.re = _mm256_mul_ps(ev, load8(&HANN_EVEN[8 * a..]));
            za.im = _mm256_mul_ps(od, load8(&HANN_ODD[8 * a..]));
        }
        // Column transforms: u[i] = Z[rev3(i)], stages of sizes 2, 4 and 8.
        let [mut u0, mut u4, mut u2, mut u6, mut u1, mut u5, mut u3, mut u7] = z;
        butterfly_one(&mut u0, &mut u1);
        butterfly_one(&mut u2, &mut u3);
        butterfly_one(&mut u4, &mut u5);
        butterfly_one(&mut u6, &mut u7);
        butterfly_one(&mut u0, &mut u2);
        butterfly_minus_i(&mut u1, &mut u3);
        butterfly_one(&mut u4, &mut u6);
        butterfly_minus_i(&mut u5, &mut u7);
        let w = |k: usize| (_mm256_set1_ps(TW_RE[k]), _mm256_set1_ps(TW_IM[k]));
        let (w0r, w0i) = w(0);
        let (w1r, w1i) = w(1);
        let (w2r, w2i) = w(2);
        let (w3r, w3i) = w(3);
        butterfly(&mut u0, &mut u4, w0r, w0i);
        butterfly(&mut u1, &mut u5, w1r, w1i);
        butterfly(&mut u2, &mut u6, w2r, w2i);
        butterfly(&mut u3, &mut u7, w3r, w3i);
        // Block v (positions 8v..8v+8) is column rev3(v): transpose, then index by rev3.
        let tr = transpose8([u0.re, u1.re, u2.re, u3.re, u4.re, u5.re, u6.re, u7.re]);
        let ti = transpose8([u0.im, u1.im, u2.im, u3.im, u4.im, u5.im, u6.im, u7.im]);
        const REV3: [usize; 8] = [0, 4, 2, 6, 1, 5, 3, 7];
        let mut a = [C8 {
            re: _mm256_setzero_ps(),
            im: _mm256_setzero_ps(),
        }; 8];
        for (v, av) in a.iter_mut().enumerate() {
            *av = C8 {
                re: tr[REV3[v]],
                im: ti[REV3[v]],
            };
        }
        // size 16: (2j, 2j+1), twiddles TW[4..12]
        let (wr, wi) = (load8(&TW_RE[4..]), load8(&TW_IM[4..]));
        for j in 0..4 {
            let (x, y) = a.split_at_mut(2 * j + 1);
            butterfly(&mut x[2 * j], &mut y[0], wr, wi);
        }
        // size 32: (4j + i, 4j + 2 + i), twiddles TW[12 + 8i..]
        for i in 0..2 {
            let (wr, wi) = (load8(&TW_RE[12 + 8 * i..]), load8(&TW_IM[12 + 8 * i..]));
            for j in 0..2 {
                let (x, y) = a.split_at_mut(4 * j + 2 + i);
                butterfly(&mut x[4 * j + i], &mut y[0], wr, wi);
            }
        }
        // size 64: (i, 4 + i), twiddles TW[28 + 8i..]
        for i in 0..4 {
            let (wr, wi) = (load8(&TW_RE[28 + 8 * i..]), load8(&TW_IM[28 + 8 * i..]));
            let (x, y) = a.split_at_mut(4 + i);
            butterfly(&mut x[i], &mut y[0], wr, wi);
        }
        for (v, av) in a.iter().enumerate() {
            // SAFETY: 8 floats at 8v < 64 in each output array.
            _mm256_storeu_ps(re[8 * v..].as_mut_ptr(), av.re);
            _mm256_storeu_ps(im[8 * v..].as_mut_ptr(), av.im);
        }
    }
}
