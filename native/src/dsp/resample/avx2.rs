//! AVX2 + FMA dot products. [`Avx2`] can only be built by [`Avx2::new`], which checks the
//! CPU; every method is therefore safe to call, and the `unsafe` target-feature code is
//! reachable only through it (after [`Run::check`] has validated every index).

use super::kernel::Run;
use std::arch::x86_64::*;

/// Proof that the CPU supports AVX2 and FMA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avx2(());

impl Avx2 {
    /// `Some` when the running CPU has AVX2 and FMA.
    pub fn new() -> Option<Avx2> {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            Some(Avx2(()))
        } else {
            None
        }
    }

    /// See [`super::kernel::Kernel::dot`].
    #[inline]
    pub fn dot(self, row: &[f32], x: &[f32]) -> f32 {
        assert!(x.len() >= row.len() && row.len().is_multiple_of(16));
        // SAFETY: `self` proves AVX2+FMA; lengths checked above.
        unsafe { dot1(row.as_ptr(), x.as_ptr(), row.len()) }
    }

    /// See [`super::kernel::Kernel::run`]; the caller has run [`Run::check`].
    pub fn run(self, run: &Run, out: &mut [f32], stride: usize, n: usize) {
        run.check(n, out, stride);
        // SAFETY: `self` proves AVX2+FMA; `check` bounds every window, row and output.
        unsafe { run_avx2(run, out, stride, n) }
    }
}

/// Canonical reduction of two 8-lane accumulators (see `kernel.rs`).
#[target_feature(enable = "avx2,fma")]
#[inline]
fn reduce(a: __m256, b: __m256) -> f32 {
    let v = _mm256_add_ps(a, b);
    let w = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    // (w0 + w2, w1 + w3)
    let u = _mm_add_ps(w, _mm_movehl_ps(w, w));
    _mm_cvtss_f32(_mm_add_ss(u, _mm_shuffle_ps::<1>(u, u)))
}

/// Load 8 floats at `p + i`.
///
/// # Safety
/// `p + i .. p + i + 8` must be readable.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn ld(p: *const f32, i: usize) -> __m256 {
    // SAFETY: forwarded caller contract.
    unsafe { _mm256_loadu_ps(p.add(i)) }
}

/// One dot product of `n` (a multiple of 16) taps.
///
/// # Safety
/// `r` and `x` must each point to `n` readable floats.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn dot1(r: *const f32, x: *const f32, n: usize) -> f32 {
    let mut a = _mm256_setzero_ps();
    let mut b = _mm256_setzero_ps();
    let mut i = 0;
    // SAFETY: i + 16 <= n in every iteration.
    unsafe {
        while i < n {
            a = _mm256_fmadd_ps(ld(r, i), ld(x, i), a);
            b = _mm256_fmadd_ps(ld(r, i + 8), ld(x, i + 8), b);
            i += 16;
        }
    }
    reduce(a, b)
}

/// Four dot products `r[k] . x[k]`; `SAME_ROW` / `SAME_X` share the loads of row 0 /
/// window 0 (the caller passes equal pointers then). Per output the arithmetic is
/// exactly that of [`dot1`].
///
/// # Safety
/// Every `r[k]` and `x[k]` must point to `n` readable floats.
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn dot4<const SAME_ROW: bool, const SAME_X: bool>(
    r: [*const f32; 4],
    x: [*const f32; 4],
    n: usize,
) -> [f32; 4] {
    let z = _mm256_setzero_ps();
    let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
    let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
    let mut i = 0;
    // SAFETY: i + 16 <= n in every iteration.
    unsafe {
        while i < n {
            for h in [0, 8] {
                let r0 = ld(r[0], i + h);
                let x0 = ld(x[0], i + h);
                let (r1, r2, r3) = if SAME_ROW {
                    (r0, r0, r0)
                } else {
                    (ld(r[1], i + h), ld(r[2], i + h), ld(r[3], i + h))
                };
                let (x1, x2, x3) = if SAME_X {
                    (x0, x0, x0)
                } else {
                    (ld(x[1], i + h), ld(x[2], i + h), ld(x[3], i + h))
                };
                if h == 0 {
                    a0 = _mm256_fmadd_ps(r0, x0, a0);
                    a1 = _mm256_fmadd_ps(r1, x1, a1);
                    a2 = _mm256_fmadd_ps(r2, x2, a2);
                    a3 = _mm256_fmadd_ps(r3, x3, a3);
                } else {
                    b0 = _mm256_fmadd_ps(r0, x0, b0);
                    b1 = _mm256_fmadd_ps(r1, x1, b1);
                    b2 = _mm256_fmadd_ps(r2, x2, b2);
                    b3 = _mm256_fmadd_ps(r3, x3, b3);
                }
            }
            i += 16;
        }
    }
    [
        reduce(a0, b0),
        reduce(a1, b1),
        reduce(a2, b2),
        reduce(a3, b3),
    ]
}

/// Compute the run. When there are at least `4·up` outputs, they go in phase-major
/// order: outputs `r, r + up, r + 2·up, ...` share coefficient row `phase(r)` and their
/// windows are `down` samples apart, so four of them at a time load the row once (and a
/// large table is read from memory once per block instead of once per output). The
/// remainder goes in output order, four at a time with separate rows. Every output is
/// computed with the same arithmetic either way.
///
/// # Safety
/// AVX2+FMA must be available and `run.check(n, out, stride)` must have passed.
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx2(run: &Run, out: &mut [f32], stride: usize, n: usize) {
    let taps = run.taps;
    let up = run.up as usize;
    let down = run.step_int * up + run.step_frac as usize;
    let t = run.table.as_ptr();
    let x = run.lane.as_ptr();
    let o = out.as_mut_ptr();
    let (mut off, mut phase) = (run.off, run.phase);
    let reps = n / (4 * up) * 4;
    // SAFETY (whole body): `check` proved that every window `off .. off + taps` of the
    // `n` outputs lies in `lane`, every phase is < up (a row of `table`) and every
    // `k * stride` is inside `out`; the phase-major loop visits exactly outputs
    // `0 .. reps * up`, whose windows are those of the run.
    unsafe {
        if reps > 0 {
            for r in 0..up {
                let row = t.add(phase as usize * taps);
                let mut i = 0;
                while i < reps {
                    let xs = [0, 1, 2, 3].map(|g| x.add(off + (i + g) * down));
                    let y = dot4::<true, false>([row; 4], xs, taps);
                    for (g, v) in y.into_iter().enumerate() {
                        *o.add((r + (i + g) * up) * stride) = v;
                    }
                    i += 4;
                }
                run.step(&mut off, &mut phase);
            }
            // `up` steps from output 0 reached output `up`; continue at `reps * up`.
            off += (reps - 1) * down;
        }
        let mut k = reps * up;
        while k + 4 <= n {
            let mut offs = [0usize; 4];
            let mut rows = [t; 4];
            for g in 0..4 {
                offs[g] = off;
                rows[g] = t.add(phase as usize * taps);
                run.step(&mut off, &mut phase);
            }
            let xs = offs.map(|q| x.add(q));
            let y = if offs[0] == offs[3] {
                dot4::<false, true>(rows, xs, taps)
            } else {
                dot4::<false, false>(rows, xs, taps)
            };
            for (g, v) in y.into_iter().enumerate() {
                *o.add((k + g) * stride) = v;
            }
            k += 4;
        }
        while k < n {
            *o.add(k * stride) = dot1(t.add(phase as usize * taps), x.add(off), taps);
            run.step(&mut off, &mut phase);
            k += 1;
        }
    }
}
