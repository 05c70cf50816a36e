//! `rm_fft_*`: real FFT handles. A handle owns its scratch and shares the length's plan
//! with every other handle of that length (the plan cache in `dsp::fft`).

use super::convert::disjoint;
use super::{free_handle, guard, guard_ptr, guard_value, handle, slice, slice_mut};
use crate::dsp::fft::RealFft;
use std::ffi::c_char;
use std::sync::Arc;

/// Opaque FFT handle.
pub struct RmFft(RealFft);

/// Create a real FFT of length `n` (1..=4194304). Null on failure (see `rm_last_error`).
#[no_mangle]
pub extern "C" fn rm_fft_new(n: u32) -> *mut RmFft {
    guard_ptr("rm_fft_new", || {
        Ok(Box::into_raw(Box::new(RmFft(RealFft::new(n as usize)?))))
    })
}

/// Free a handle. Null is a no-op.
///
/// # Safety
/// `h` must be null or a live handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn rm_fft_free(h: *mut RmFft) {
    // SAFETY: forwarded caller contract.
    unsafe { free_handle(h) }
}

/// Transform length of `h` (0 for a null handle).
///
/// # Safety
/// `h` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_fft_size(h: *mut RmFft) -> u32 {
    guard_value("rm_fft_size", 0, || {
        // SAFETY: forwarded caller contract.
        Ok(unsafe { handle(h, "fft")? }.0.len() as u32)
    })
}

/// Address of the shared plan `h` runs (equal for handles of the same length while the
/// plan is alive). Null for a null handle.
///
/// # Safety
/// `h` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_fft_plan_addr(h: *mut RmFft) -> *const u8 {
    guard_value("rm_fft_plan_addr", std::ptr::null(), || {
        // SAFETY: forwarded caller contract.
        let f = unsafe { handle(h, "fft")? };
        Ok(Arc::as_ptr(f.0.plan()) as *const u8)
    })
}

/// Static NUL-terminated name of the instruction set `h` uses (`"avx2"`, `"scalar"`).
///
/// # Safety
/// `h` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_fft_isa(h: *mut RmFft) -> *const c_char {
    guard_value("rm_fft_isa", c"".as_ptr(), || {
        // SAFETY: forwarded caller contract.
        let f = unsafe { handle(h, "fft")? };
        Ok(match f.0.plan().isa().name() {
            "avx2" => c"avx2".as_ptr(),
            _ => c"scalar".as_ptr(),
        })
    })
}

/// Forward transform: `n` real samples to `2*(n/2+1)` interleaved `re, im` floats
/// (`out_len` at least that). Unnormalized.
///
/// # Safety
/// `h` must be null or a live handle; `input` must point to `n` floats and `out` to
/// `out_len` writable floats (either may be null when its length is 0).
#[no_mangle]
pub unsafe extern "C" fn rm_fft_forward(
    h: *mut RmFft,
    input: *const f32,
    n: u32,
    out: *mut f32,
    out_len: u32,
) -> i32 {
    guard("rm_fft_forward", || {
        disjoint(input, n, out, out_len)?;
        // SAFETY: forwarded caller contract; ranges checked disjoint.
        let (f, i, o) = unsafe {
            (
                handle(h, "fft")?,
                slice(input, n, "input")?,
                slice_mut(out, out_len, "output")?,
            )
        };
        f.0.forward(i, o)
    })
}

/// Inverse transform: `2*(n/2+1)` spectrum floats to `n` samples, scaled by `1/n` so that
/// the inverse of the forward transform is the input. Imaginary parts of bin 0 and (even
/// `n`) bin `n/2` are ignored.
///
/// # Safety
/// As for `rm_fft_forward`.
#[no_mangle]
pub unsafe extern "C" fn rm_fft_inverse(
    h: *mut RmFft,
    input: *const f32,
    in_len: u32,
    out: *mut f32,
    out_len: u32,
) -> i32 {
    guard("rm_fft_inverse", || {
        disjoint(input, in_len, out, out_len)?;
        // SAFETY: forwarded caller contract; ranges checked disjoint.
        let (f, i, o) = unsafe {
            (
                handle(h, "fft")?,
                slice(input, in_len, "input")?,
                slice_mut(out, out_len, "output")?,
            )
        };
        f.0.inverse(i, o)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use std::ptr::{null, null_mut};

    #[test]
    fn bad_arguments_return_codes() {
        unsafe {
            assert!(rm_fft_new(0).is_null());
            let h = rm_fft_new(8);
            assert!(!h.is_null());
            assert_eq!(rm_fft_size(h), 8);
            let x = [1.0f32; 8];
            let mut out = [0.0f32; 10];
            assert_eq!(rm_fft_forward(h, x.as_ptr(), 8, out.as_mut_ptr(), 10), 0);
            assert_eq!(out[0], 8.0);
            assert_eq!(
                rm_fft_forward(null_mut(), x.as_ptr(), 8, out.as_mut_ptr(), 10),
                Status::NullPointer as i32
            );
            assert_eq!(
                rm_fft_forward(h, null(), 8, out.as_mut_ptr(), 10),
                Status::NullPointer as i32
            );
            assert_eq!(
                rm_fft_forward(h, x.as_ptr(), 7, out.as_mut_ptr(), 10),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_fft_forward(h, x.as_ptr(), 8, out.as_mut_ptr(), 9),
                Status::BufferTooSmall as i32
            );
            assert_eq!(
                rm_fft_inverse(h, out.as_ptr(), 10, out.as_mut_ptr().add(2), 8),
                Status::InvalidArgument as i32,
                "overlap"
            );
            let mut back = [0.0f32; 8];
            assert_eq!(rm_fft_inverse(h, out.as_ptr(), 10, back.as_mut_ptr(), 8), 0);
            assert_eq!(back, x);
            let h2 = rm_fft_new(8);
            assert_eq!(rm_fft_plan_addr(h), rm_fft_plan_addr(h2));
            assert!(rm_fft_plan_addr(null_mut()).is_null());
            rm_fft_free(h2);
            rm_fft_free(h);
            rm_fft_free(null_mut());
        }
    }
}
