//! remotemedia native library: DSP kernels and accelerator dispatch behind a C ABI.
//!
//! Layering (see DESIGN.md): `ffi/` is the only module with `extern "C"` functions and
//! raw-pointer dereferences. Everything else is safe Rust over slices and is unit-tested
//! directly against naive references.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod device;
pub mod dsp;
pub mod error;
pub mod ffi;
pub mod pool;

pub use error::{Error, Status};

/// ABI version checked by the TypeScript loader right after `dlopen`.
/// Bump on any change to a signature in `include/remotemedia.h`.
pub const ABI_VERSION: u32 = 1;

/// Crate version, NUL-terminated for `rm_version`.
pub const VERSION_CSTR: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
