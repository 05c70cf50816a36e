//! `rm_resampler_*`: the streaming resampler behind an opaque handle.
//!
//! Lengths are `u32` element counts (floats), frame counts are in frames. Out-params are
//! written only on success.

use super::convert::disjoint;
use super::{free_handle, guard, guard_ptr, handle, slice, slice_mut};
use crate::dsp::resample::{Kernel, Quality, Resampler};
use crate::error::{Error, Result, Status};

/// Opaque handle: the resampler plus the address of the last output buffer written,
/// so tests can prove outputs land in the caller's memory.
pub struct RmResampler {
    inner: Resampler,
    last_output: usize,
}

/// Number of values `rm_resampler_info` can write.
pub const INFO_LEN: usize = 9;

fn out_u32(p: *mut u32, v: u64, what: &str) -> Result<()> {
    let v = u32::try_from(v).map_err(|_| Error::invalid(format!("{what} {v} exceeds u32")))?;
    // SAFETY: callers pass `p` straight from the C caller, who promises one writable u32.
    let out = unsafe { slice_mut(p, 1, what)? };
    out[0] = v;
    Ok(())
}

/// Create a resampler for `channels` interleaved channels (1..=64); `quality` is 0 fast,
/// 1 default, 2 high. Returns null on failure (see `rm_last_error`).
#[no_mangle]
pub extern "C" fn rm_resampler_new(
    in_rate: u32,
    out_rate: u32,
    channels: u32,
    quality: u32,
) -> *mut RmResampler {
    guard_ptr("rm_resampler_new", || {
        let q = Quality::from_code(quality)?;
        let inner = Resampler::new(in_rate, out_rate, channels as usize, q)?;
        Ok(Box::into_raw(Box::new(RmResampler {
            inner,
            last_output: 0,
        })))
    })
}

/// Free a resampler; null is a no-op.
///
/// # Safety
/// `h` must be null or a live handle from `rm_resampler_new`, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_free(h: *mut RmResampler) {
    // SAFETY: forwarded caller contract.
    unsafe { free_handle(h) }
}

/// Resample `n` interleaved floats (a multiple of the channel count) from `input` into
/// `output` (`out_len` floats, at least `output_frames_next * channels`). Writes the
/// frames produced to `*out_written`.
///
/// # Safety
/// `h` must be a live handle; `input` must hold `n` readable floats, `output` `out_len`
/// writable floats (not overlapping `input`), `out_written` one writable u32.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_process(
    h: *mut RmResampler,
    input: *const f32,
    n: u32,
    output: *mut f32,
    out_len: u32,
    out_written: *mut u32,
) -> i32 {
    guard("rm_resampler_process", || {
        disjoint(input, n, output, out_len)?;
        // SAFETY: caller contract above; ranges checked disjoint.
        let (r, x, y) = unsafe {
            (
                handle(h, "resampler")?,
                slice(input, n, "input")?,
                slice_mut(output, out_len, "output")?,
            )
        };
        if out_written.is_null() {
            return Err(Error::new(Status::NullPointer, "out_written is null"));
        }
        let frames = r.inner.process(x, y)?;
        r.last_output = output as usize;
        out_u32(out_written, frames as u64, "out_written")
    })
}

/// Write the rest of the stream (padding the input with silence) into `output`
/// (`out_len` floats, at least `flush_frames * channels`), then reset. Writes the frames
/// produced to `*out_written`.
///
/// # Safety
/// `h` must be a live handle; `output` must hold `out_len` writable floats,
/// `out_written` one writable u32.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_flush(
    h: *mut RmResampler,
    output: *mut f32,
    out_len: u32,
    out_written: *mut u32,
) -> i32 {
    guard("rm_resampler_flush", || {
        // SAFETY: caller contract above.
        let (r, y) = unsafe {
            (
                handle(h, "resampler")?,
                slice_mut(output, out_len, "output")?,
            )
        };
        if out_written.is_null() {
            return Err(Error::new(Status::NullPointer, "out_written is null"));
        }
        let frames = r.inner.flush(y)?;
        r.last_output = output as usize;
        out_u32(out_written, frames as u64, "out_written")
    })
}

/// Forget all input (back to the state after `rm_resampler_new`).
///
/// # Safety
/// `h` must be a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_reset(h: *mut RmResampler) -> i32 {
    guard("rm_resampler_reset", || {
        // SAFETY: caller contract above.
        unsafe { handle(h, "resampler")? }.inner.reset();
        Ok(())
    })
}

/// Latency in output frames: stream output `j` is the signal at `(j - delay) / out_rate`.
///
/// # Safety
/// `h` must be a live handle; `out` one writable u32.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_delay(h: *mut RmResampler, out: *mut u32) -> i32 {
    guard("rm_resampler_delay", || {
        // SAFETY: caller contract above.
        let r = unsafe { handle(h, "resampler")? };
        out_u32(out, r.inner.delay(), "out")
    })
}

/// Output frames the next process of `input_frames` frames writes.
///
/// # Safety
/// `h` must be a live handle; `out` one writable u32.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_output_frames_next(
    h: *mut RmResampler,
    input_frames: u32,
    out: *mut u32,
) -> i32 {
    guard("rm_resampler_output_frames_next", || {
        // SAFETY: caller contract above.
        let r = unsafe { handle(h, "resampler")? };
        out_u32(out, r.inner.output_frames_next(input_frames as u64), "out")
    })
}

/// Input frames needed before at least `output_frames` more output frames are written.
///
/// # Safety
/// `h` must be a live handle; `out` one writable u32.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_input_frames_next(
    h: *mut RmResampler,
    output_frames: u32,
    out: *mut u32,
) -> i32 {
    guard("rm_resampler_input_frames_next", || {
        // SAFETY: caller contract above.
        let r = unsafe { handle(h, "resampler")? };
        out_u32(out, r.inner.input_frames_next(output_frames as u64), "out")
    })
}

/// Output frames the next flush writes.
///
/// # Safety
/// `h` must be a live handle; `out` one writable u32.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_flush_frames(h: *mut RmResampler, out: *mut u32) -> i32 {
    guard("rm_resampler_flush_frames", || {
        // SAFETY: caller contract above.
        let r = unsafe { handle(h, "resampler")? };
        out_u32(out, r.inner.flush_frames(), "out")
    })
}

/// Describe the resampler: writes up to `n` of `[in_rate, out_rate, channels, quality,
/// up (L), down (M), taps per phase, delay, kernel (0 scalar, 1 avx2)]`.
///
/// # Safety
/// `h` must be a live handle; `out` must hold `n` writable u32.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_info(h: *mut RmResampler, out: *mut u32, n: u32) -> i32 {
    guard("rm_resampler_info", || {
        // SAFETY: caller contract above.
        let (r, o) = unsafe { (handle(h, "resampler")?, slice_mut(out, n, "out")?) };
        let r = &r.inner;
        let (up, down) = r.ratio();
        let kernel = match r.kernel() {
            Kernel::Scalar => 0,
            #[allow(unreachable_patterns)]
            _ => 1,
        };
        let info = [
            r.in_rate(),
            r.out_rate(),
            r.channels() as u32,
            r.quality() as u32,
            up as u32,
            down as u32,
            r.taps() as u32,
            r.delay() as u32,
            kernel,
        ];
        let k = o.len().min(INFO_LEN);
        o[..k].copy_from_slice(&info[..k]);
        Ok(())
    })
}

/// Address of the output buffer the last successful process or flush wrote to (null
/// before the first, or for a null handle): tests compare it with the caller's buffer.
///
/// # Safety
/// `h` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_resampler_last_output(h: *mut RmResampler) -> *const f32 {
    if h.is_null() {
        return std::ptr::null();
    }
    // SAFETY: caller contract above.
    unsafe { (*h).last_output as *const f32 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::{null, null_mut};

    #[test]
    fn null_handles_and_bad_buffers_are_errors() {
        let mut w = 0u32;
        let mut out = [0f32; 8];
        unsafe {
            assert_eq!(
                rm_resampler_process(null_mut(), null(), 0, out.as_mut_ptr(), 8, &mut w),
                Status::NullPointer as i32
            );
            assert!(rm_resampler_new(0, 16_000, 1, 1).is_null());
            assert!(rm_resampler_new(16_000, 8_000, 0, 1).is_null());
            assert!(rm_resampler_new(16_000, 8_000, 65, 1).is_null());
            assert!(rm_resampler_new(16_000, 8_000, 1, 3).is_null());
            assert!(rm_resampler_new(44_100, 44_101, 1, 1).is_null());
            rm_resampler_free(null_mut());
            assert!(rm_resampler_last_output(null_mut()).is_null());

            let h = rm_resampler_new(48_000, 16_000, 2, 1);
            assert!(!h.is_null());
            let input = vec![0.25f32; 960 * 2];
            // Odd length for 2 channels.
            assert_eq!(
                rm_resampler_process(h, input.as_ptr(), 3, out.as_mut_ptr(), 8, &mut w),
                Status::InvalidArgument as i32
            );
            // Null input with a length.
            assert_eq!(
                rm_resampler_process(h, null(), 4, out.as_mut_ptr(), 8, &mut w),
                Status::NullPointer as i32
            );
            // Undersized output; out-param untouched.
            w = 12345;
            assert_eq!(
                rm_resampler_process(h, input.as_ptr(), 1920, out.as_mut_ptr(), 8, &mut w),
                Status::BufferTooSmall as i32
            );
            assert_eq!(w, 12345);
            let mut need = 0u32;
            assert_eq!(rm_resampler_output_frames_next(h, 960, &mut need), 0);
            let mut big = vec![0f32; need as usize * 2];
            assert_eq!(
                rm_resampler_process(h, input.as_ptr(), 1920, big.as_mut_ptr(), need * 2, &mut w),
                0
            );
            assert_eq!(w, need);
            assert_eq!(rm_resampler_last_output(h), big.as_ptr());
            // Null out_written.
            assert_eq!(
                rm_resampler_process(h, input.as_ptr(), 0, big.as_mut_ptr(), 0, null_mut()),
                Status::NullPointer as i32
            );
            let mut f = 0u32;
            assert_eq!(rm_resampler_flush_frames(h, &mut f), 0);
            assert!(f > 0);
            assert_eq!(
                rm_resampler_flush(h, out.as_mut_ptr(), 0, &mut w),
                Status::BufferTooSmall as i32
            );
            let mut info = [0u32; INFO_LEN];
            assert_eq!(rm_resampler_info(h, info.as_mut_ptr(), INFO_LEN as u32), 0);
            assert_eq!(&info[..6], &[48_000, 16_000, 2, 1, 1, 3]);
            assert_eq!(rm_resampler_reset(h), 0);
            assert_eq!(rm_resampler_flush_frames(h, &mut f), 0);
            assert_eq!(f, 0);
            rm_resampler_free(h);
        }
    }
}
