//! DSP kernels: safe Rust over slices, one file per algorithm.

pub mod convert;
pub mod fft;
pub mod mel;
pub mod resample;
pub mod vad;
