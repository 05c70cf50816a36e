//! The per-frame log-mel kernel compiled for AVX2 + FMA: the same source as the scalar
//! path (`FrameKernel::load`/`compute`, inlined here), vectorized 8 wide by the compiler.
//! Callable only with an [`Avx2`] token, which proves the CPU has both features. Rust does
//! not contract multiply-adds into FMAs, so the windowing, power, filterbank and log steps
//! round exactly as the scalar code does; the FFT underneath runs its own AVX2 kernels.

use super::FrameKernel;
use crate::dsp::fft::Avx2;

/// [`FrameKernel::frame`] with AVX2 code generation.
pub(super) fn frame(_: Avx2, k: &mut FrameKernel, x: &[f32], t: usize, out: &mut [f32]) -> f32 {
    // SAFETY: the token exists only when AVX2 and FMA are available.
    unsafe { frame_tf(k, x, t, out) }
}

/// [`FrameKernel::frame_padded`] with AVX2 code generation.
pub(super) fn frame_padded(_: Avx2, k: &mut FrameKernel, xpad: &[f32], out: &mut [f32]) -> f32 {
    // SAFETY: as above.
    unsafe { frame_padded_tf(k, xpad, out) }
}

#[target_feature(enable = "avx2,fma")]
fn frame_tf(k: &mut FrameKernel, x: &[f32], t: usize, out: &mut [f32]) -> f32 {
    k.load(x, t);
    k.compute(out)
}

#[target_feature(enable = "avx2,fma")]
fn frame_padded_tf(k: &mut FrameKernel, xpad: &[f32], out: &mut [f32]) -> f32 {
    k.load_padded(xpad);
    k.compute(out)
}
