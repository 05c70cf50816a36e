//! The AVX2 instantiation of the sub-frame kernel.
//!
//! The kernel's loops are written to vectorize (independent lanes, no floating-point
//! reductions across lanes), and every function on the path is `#[inline(always)]`, so
//! compiling the same code with AVX2 enabled gives 4-wide `f64` arithmetic with exactly
//! the scalar results: no FMA is enabled and nothing is reassociated. Reachable only
//! through [`super::Isa::detect`], which checks the CPU first.

use super::Vad;

impl Vad {
    /// One 10 ms sub-frame with AVX2 code generation.
    ///
    /// # Safety
    /// The CPU must support AVX2 (checked by `Isa::detect` before this path is chosen).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn sub_frame_avx2(&mut self, x: &[f32]) -> bool {
        self.sub_frame_inline(x)
    }
}
