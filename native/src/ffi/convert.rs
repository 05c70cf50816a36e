//! `rm_*` exports for sample-format conversion, channel layout and gain.
//!
//! Lengths are element counts (`u32`, to stay on V8's fast-call path), except for packed
//! int24 and unsigned 8-bit data, whose lengths are byte counts.

use super::{guard, slice, slice_mut};
use crate::dsp::convert as k;
use crate::error::{Error, Result};

/// Reject overlapping input and output ranges: the kernels read and write through
/// separate Rust references, which must not alias.
pub(crate) fn disjoint<A, B>(a: *const A, a_len: u32, b: *const B, b_len: u32) -> Result<()> {
    let a0 = a as usize;
    let a1 = a0 + a_len as usize * std::mem::size_of::<A>();
    let b0 = b as usize;
    let b1 = b0 + b_len as usize * std::mem::size_of::<B>();
    if a_len > 0 && b_len > 0 && a0 < b1 && b0 < a1 {
        return Err(Error::invalid("input and output buffers overlap"));
    }
    Ok(())
}

macro_rules! unary {
    ($(#[$doc:meta])* $name:ident, $kernel:path, $src:ty, $dst:ty) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// `src` must point to `n` readable elements and `dst` to `dst_len` writable ones
        /// (either may be null when its length is 0).
        #[no_mangle]
        pub unsafe extern "C" fn $name(src: *const $src, n: u32, dst: *mut $dst, dst_len: u32) -> i32 {
            guard(stringify!($name), || {
                disjoint(src, n, dst, dst_len)?;
                // SAFETY: caller contract above; ranges checked disjoint.
                let (s, d) = unsafe { (slice(src, n, "src")?, slice_mut(dst, dst_len, "dst")?) };
                $kernel(s, d)
            })
        }
    };
}

unary!(
    /// int16 -> float32 (`i / 32768`).
    rm_i16_to_f32, k::i16_to_f32, i16, f32);
unary!(
    /// float32 -> int16, ties to even, saturating, NaN -> 0.
    rm_f32_to_i16, k::f32_to_i16, f32, i16);
unary!(
    /// Packed int24 (`n` bytes, a multiple of 3) -> float32.
    rm_i24_to_f32, k::i24_to_f32, u8, f32);
unary!(
    /// float32 -> packed int24 (`dst_len` bytes).
    rm_f32_to_i24, k::f32_to_i24, f32, u8);
unary!(
    /// int32 -> float32 (`i / 2^31`).
    rm_i32_to_f32, k::i32_to_f32, i32, f32);
unary!(
    /// float32 -> int32, ties to even, saturating, NaN -> 0.
    rm_f32_to_i32, k::f32_to_i32, f32, i32);
unary!(
    /// Unsigned 8-bit PCM -> float32.
    rm_u8_to_f32, k::u8_to_f32, u8, f32);
unary!(
    /// float64 -> float32.
    rm_f64_to_f32, k::f64_to_f32, f64, f32);

macro_rules! layout {
    ($(#[$doc:meta])* $name:ident, $kernel:path) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// `src` must point to `n` readable floats and `dst` to `dst_len` writable ones.
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            src: *const f32,
            n: u32,
            channels: u32,
            dst: *mut f32,
            dst_len: u32,
        ) -> i32 {
            guard(stringify!($name), || {
                disjoint(src, n, dst, dst_len)?;
                // SAFETY: caller contract above; ranges checked disjoint.
                let (s, d) = unsafe { (slice(src, n, "src")?, slice_mut(dst, dst_len, "dst")?) };
                $kernel(s, channels as usize, d)
            })
        }
    };
}

layout!(
    /// Planar `[channels][n / channels]` -> interleaved.
    rm_interleave, k::interleave);
layout!(
    /// Interleaved -> planar `[channels][n / channels]`.
    rm_deinterleave, k::deinterleave);
layout!(
    /// Interleaved N-channel -> mono (average); `dst_len >= n / channels`.
    rm_downmix, k::downmix);

/// Multiply `n` floats at `buf` by `gain`, in place.
///
/// # Safety
/// `buf` must point to `n` writable floats.
#[no_mangle]
pub unsafe extern "C" fn rm_gain(buf: *mut f32, n: u32, gain: f32) -> i32 {
    guard("rm_gain", || {
        // SAFETY: caller contract above.
        let b = unsafe { slice_mut(buf, n, "buf")? };
        k::gain_in_place(b, gain)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use std::ptr::{null, null_mut};

    #[test]
    fn null_and_short_buffers_are_errors() {
        let src = [1i16, 2, 3];
        let mut dst = [0f32; 2];
        unsafe {
            assert_eq!(
                rm_i16_to_f32(null(), 3, dst.as_mut_ptr(), 2),
                Status::NullPointer as i32
            );
            assert_eq!(
                rm_i16_to_f32(src.as_ptr(), 3, dst.as_mut_ptr(), 2),
                Status::BufferTooSmall as i32
            );
            assert_eq!(rm_i16_to_f32(null(), 0, null_mut(), 0), 0);
            assert_eq!(
                rm_i24_to_f32([0u8; 4].as_ptr(), 4, dst.as_mut_ptr(), 2),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_downmix([0f32; 3].as_ptr(), 3, 2, dst.as_mut_ptr(), 2),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_gain(dst.as_mut_ptr(), 2, f32::INFINITY),
                Status::InvalidArgument as i32
            );
        }
    }

    #[test]
    fn overlapping_buffers_are_rejected() {
        let mut buf = [0f32; 8];
        let p = buf.as_mut_ptr();
        unsafe {
            assert_eq!(
                rm_deinterleave(p, 8, 2, p.add(2), 6),
                Status::InvalidArgument as i32
            );
        }
    }
}
