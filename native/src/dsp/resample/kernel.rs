//! Dot products of a coefficient row with an input window, the resampler's inner loop.
//!
//! Every output sample is `sum(row[i] * x[i])` over `row.len()` taps (a multiple of 16),
//! accumulated in one canonical order: two 8-lane partial sums (even and odd blocks of 8
//! taps), added lane-wise, then reduced `(lanes 0..4 + lanes 4..8)`, `(0 + 2, 1 + 3)`,
//! `0 + 1`. The batched forms follow the same order per output, so an output does not
//! depend on which form computed it (chunk invariance is exact, not approximate).
//!
//! [`Kernel`] picks the implementation: AVX2+FMA when the CPU has it (checked once by
//! [`Kernel::detect`]), otherwise the portable scalar code.

#[cfg(target_arch = "x86_64")]
use super::avx2::Avx2;

/// The dot-product implementation in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Portable Rust (the compiler may still vectorize it).
    Scalar,
    /// AVX2 + FMA intrinsics; only constructed after a CPU feature check.
    #[cfg(target_arch = "x86_64")]
    Avx2(Avx2),
}

impl Kernel {
    /// The fastest kernel this CPU supports.
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = Avx2::new() {
            return Kernel::Avx2(k);
        }
        Kernel::Scalar
    }

    /// Short name for diagnostics (`"avx2"` or `"scalar"`).
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2(_) => "avx2",
        }
    }

    /// `sum(row[i] * x[i])`; `x` must hold at least `row.len()` samples.
    #[inline]
    pub fn dot(self, row: &[f32], x: &[f32]) -> f32 {
        match self {
            Kernel::Scalar => dot(row, x),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2(k) => k.dot(row, x),
        }
    }
}

/// A run of consecutive outputs of one channel: where the first one's window starts in
/// `lane`, its phase row, and how both advance per output (`down/up` input samples).
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// `up` rows of `taps` coefficients.
    pub table: &'a [f32],
    /// Taps per row (a multiple of 16).
    pub taps: usize,
    /// Interpolation factor (rows in `table`).
    pub up: u64,
    /// `down / up`, whole input samples per output.
    pub step_int: usize,
    /// `down % up`, phase increment per output.
    pub step_frac: u64,
    /// The channel's planar history.
    pub lane: &'a [f32],
    /// Window start of the first output in `lane`.
    pub off: usize,
    /// Phase row of the first output.
    pub phase: u64,
}

impl Run<'_> {
    /// Advance `(off, phase)` by one output.
    #[inline(always)]
    pub fn step(&self, off: &mut usize, phase: &mut u64) {
        *off += self.step_int;
        *phase += self.step_frac;
        if *phase >= self.up {
            *phase -= self.up;
            *off += 1;
        }
    }

    /// Panic unless `n` outputs stay inside `lane`, `table` and `out` (written at
    /// `k * stride`). The SIMD code relies on this check.
    pub fn check(&self, n: usize, out: &[f32], stride: usize) {
        assert!(self.taps.is_multiple_of(16) && self.up >= 1 && self.phase < self.up);
        assert!(self.step_frac < self.up);
        assert!(self.table.len() >= self.up as usize * self.taps);
        if n == 0 {
            return;
        }
        let total = self.phase as u128 + (n as u128 - 1) * self.step_frac as u128;
        let last =
            self.off as u128 + (n as u128 - 1) * self.step_int as u128 + total / self.up as u128;
        assert!(
            last + self.taps as u128 <= self.lane.len() as u128,
            "window out of range"
        );
        assert!(
            stride >= 1 && (n - 1) * stride < out.len(),
            "output out of range"
        );
    }
}

impl Kernel {
    /// Compute `n` consecutive outputs of a [`Run`] into `out[k * stride]`.
    pub fn run(self, run: &Run, out: &mut [f32], stride: usize, n: usize) {
        run.check(n, out, stride);
        match self {
            Kernel::Scalar => {
                let (mut off, mut phase) = (run.off, run.phase);
                for k in 0..n {
                    let p = phase as usize * run.taps;
                    out[k * stride] = dot(&run.table[p..p + run.taps], &run.lane[off..]);
                    run.step(&mut off, &mut phase);
                }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2(k) => k.run(run, out, stride, n),
        }
    }
}

/// Reduce two 8-lane partial sums in the canonical order.
#[inline(always)]
pub(crate) fn reduce16(p: &[f32; 16]) -> f32 {
    let mut v = [0f32; 8];
    for l in 0..8 {
        v[l] = p[l] + p[8 + l];
    }
    let w = [v[0] + v[4], v[1] + v[5], v[2] + v[6], v[3] + v[7]];
    let u = [w[0] + w[2], w[1] + w[3]];
    u[0] + u[1]
}

/// Portable dot product in the canonical order (without fused multiply-add).
pub fn dot(row: &[f32], x: &[f32]) -> f32 {
    let x = &x[..row.len()];
    let mut p = [0f32; 16];
    for (r, x) in row.chunks_exact(16).zip(x.chunks_exact(16)) {
        for l in 0..16 {
            p[l] += r[l] * x[l];
        }
    }
    reduce16(&p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn kernels_agree_with_f64_reference_and_runs_are_bit_identical() {
        let k = Kernel::detect();
        for (taps, up, down) in [
            (16usize, 1u64, 3u64),
            (32, 3, 1),
            (48, 160, 441),
            (336, 1, 3),
            (112, 3, 1),
        ] {
            let table = data(taps * up as usize, 7);
            let lane = data(
                taps + (8 * up as usize + 40) * down as usize / up as usize + 8,
                100,
            );
            let run = Run {
                table: &table,
                taps,
                up,
                step_int: (down / up) as usize,
                step_frac: down % up,
                lane: &lane,
                off: 3,
                phase: up / 2,
            };
            // Enough outputs for the phase-major path (>= 4·up) plus a remainder.
            let n = 8 * up as usize + 37;
            let mut whole = vec![0f32; n];
            k.run(&run, &mut whole, 1, n);
            let (mut off, mut phase) = (run.off, run.phase);
            for (j, &w) in whole.iter().enumerate() {
                let row = &table[phase as usize * taps..][..taps];
                let want: f64 = row
                    .iter()
                    .zip(&lane[off..])
                    .map(|(&a, &b)| a as f64 * b as f64)
                    .sum();
                assert!(
                    (w as f64 - want).abs() < 1e-5,
                    "taps {taps} out {j}: {w} vs {want}"
                );
                assert!((dot(row, &lane[off..]) as f64 - want).abs() < 1e-5);
                // One output at a time (the tail path) gives the same bits as a batch.
                let mut one = [0f32; 1];
                k.run(&Run { off, phase, ..run }, &mut one, 1, 1);
                assert_eq!(one[0].to_bits(), w.to_bits(), "taps {taps} out {j}");
                run.step(&mut off, &mut phase);
            }
            // Strided output into a larger buffer.
            let mut strided = vec![0f32; n * 3];
            k.run(&run, &mut strided, 3, n);
            for j in 0..n {
                assert_eq!(strided[j * 3].to_bits(), whole[j].to_bits());
            }
        }
    }

    #[test]
    #[should_panic(expected = "window out of range")]
    fn run_check_rejects_windows_past_the_lane() {
        let table = [0f32; 16];
        let lane = [0f32; 20];
        let run = Run {
            table: &table,
            taps: 16,
            up: 1,
            step_int: 3,
            step_frac: 0,
            lane: &lane,
            off: 0,
            phase: 0,
        };
        Kernel::detect().run(&run, &mut [0f32; 4], 1, 3);
    }
}
