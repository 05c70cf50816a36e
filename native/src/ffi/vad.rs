//! `rm_vad_*` exports: voice activity detection and speech segmentation.
//!
//! A detector is an opaque `rm_vad` handle (`rm_vad_new` / `rm_vad_free`). Frame
//! functions take `f32` samples and `u32` lengths (V8 fast calls); decisions are bytes.

use super::{free_handle, guard, guard_ptr, guard_value, handle, slice, slice_mut};
use crate::dsp::vad::{self, SegmenterConfig, Vad};
use crate::error::Error;
use std::ffi::c_char;

/// Create a detector for `sample_rate` Hz (8000, 16000, 32000, 48000), `frame_ms` ms
/// frames (10, 20, 30) and aggressiveness `mode` (0..=3). Null on bad arguments (see
/// `rm_last_error`).
#[no_mangle]
pub extern "C" fn rm_vad_new(sample_rate: u32, frame_ms: u32, mode: u32) -> *mut Vad {
    guard_ptr("rm_vad_new", || {
        Ok(Box::into_raw(Box::new(Vad::new(
            sample_rate,
            frame_ms,
            mode,
        )?)))
    })
}

/// Free a detector; null is a no-op.
///
/// # Safety
/// `h` must be null or a live handle from `rm_vad_new`, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn rm_vad_free(h: *mut Vad) {
    // SAFETY: forwarded caller contract.
    unsafe { free_handle(h) }
}

/// Samples per frame, or 0 for a null handle.
///
/// # Safety
/// `h` must be null or a live handle from `rm_vad_new`.
#[no_mangle]
pub unsafe extern "C" fn rm_vad_frame_samples(h: *mut Vad) -> u32 {
    guard_value("rm_vad_frame_samples", 0, || {
        // SAFETY: forwarded caller contract.
        let v = unsafe { handle(h, "rm_vad")? };
        Ok(v.frame_samples() as u32)
    })
}

/// Decide one frame of exactly `rm_vad_frame_samples` samples: 1 speech, 0 not, negative
/// status on error (wrong length, null pointers).
///
/// # Safety
/// `h` must be a live handle; `frame` must point to `n` readable floats.
#[no_mangle]
pub unsafe extern "C" fn rm_vad_process(h: *mut Vad, frame: *const f32, n: u32) -> i32 {
    let mut speech = false;
    let status = guard("rm_vad_process", || {
        // SAFETY: forwarded caller contract.
        let (v, x) = unsafe { (handle(h, "rm_vad")?, slice(frame, n, "frame")?) };
        speech = v.process(x)?;
        Ok(())
    });
    if status < 0 {
        status
    } else {
        speech as i32
    }
}

/// Decide every whole frame in `samples` (trailing samples that do not fill a frame are
/// ignored), writing 1/0 per frame into `decisions`, and the frame count into
/// `*out_frames`.
///
/// # Safety
/// `h` must be a live handle; `samples` must point to `n` readable floats, `decisions`
/// to `decisions_len` writable bytes and `out_frames` to one writable `u32`.
#[no_mangle]
pub unsafe extern "C" fn rm_vad_process_buffer(
    h: *mut Vad,
    samples: *const f32,
    n: u32,
    decisions: *mut u8,
    decisions_len: u32,
    out_frames: *mut u32,
) -> i32 {
    guard("rm_vad_process_buffer", || {
        super::convert::disjoint(samples, n, decisions, decisions_len)?;
        // SAFETY: forwarded caller contract; input and output checked disjoint.
        let (v, x, d, out) = unsafe {
            (
                handle(h, "rm_vad")?,
                slice(samples, n, "samples")?,
                slice_mut(decisions, decisions_len, "decisions")?,
                slice_mut(out_frames, 1, "out_frames")?,
            )
        };
        let frames = v.process_buffer(x, d)?;
        out[0] = frames as u32;
        Ok(())
    })
}

/// Forget all state (noise estimates, hangover, filter memory).
///
/// # Safety
/// `h` must be a live handle from `rm_vad_new`.
#[no_mangle]
pub unsafe extern "C" fn rm_vad_reset(h: *mut Vad) -> i32 {
    guard("rm_vad_reset", || {
        // SAFETY: forwarded caller contract.
        unsafe { handle(h, "rm_vad")? }.reset();
        Ok(())
    })
}

/// Write the last 10 ms sub-frame's statistic and threshold into `out[0..2]`.
///
/// # Safety
/// `h` must be a live handle; `out` must point to `n` writable doubles.
#[no_mangle]
pub unsafe extern "C" fn rm_vad_statistic(h: *mut Vad, out: *mut f64, n: u32) -> i32 {
    guard("rm_vad_statistic", || {
        // SAFETY: forwarded caller contract.
        let (v, o) = unsafe { (handle(h, "rm_vad")?, slice_mut(out, n, "out")?) };
        if o.len() < 2 {
            return Err(Error::too_small("statistic output", 2, o.len()));
        }
        let (s, t) = v.last_statistic();
        o[0] = s;
        o[1] = t;
        Ok(())
    })
}

/// Static NUL-terminated name of the kernel variant in use (`"avx2"`, `"portable"`), or
/// null for a null handle.
///
/// # Safety
/// `h` must be null or a live handle from `rm_vad_new`.
#[no_mangle]
pub unsafe extern "C" fn rm_vad_kernel(h: *mut Vad) -> *const c_char {
    guard_value("rm_vad_kernel", std::ptr::null(), || {
        // SAFETY: forwarded caller contract.
        let v = unsafe { handle(h, "rm_vad")? };
        Ok(match v.isa() {
            vad::Isa::Portable => c"portable".as_ptr(),
            #[cfg(target_arch = "x86_64")]
            vad::Isa::Avx2 => c"avx2".as_ptr(),
        })
    })
}

/// Speech segments of a decision sequence (one byte per `frame_ms` frame, nonzero =
/// speech) with minimum speech/silence durations and padding, all in ms. Writes
/// `[start_s, end_s]` pairs into `out` (`out_len` doubles) and the segment count into
/// `*out_count`; `RM_ERR_BUFFER_TOO_SMALL` when `out` cannot hold them all.
///
/// # Safety
/// `decisions` must point to `n` readable bytes, `out` to `out_len` writable doubles and
/// `out_count` to one writable `u32`.
#[no_mangle]
pub unsafe extern "C" fn rm_vad_segments(
    decisions: *const u8,
    n: u32,
    frame_ms: u32,
    min_speech_ms: u32,
    min_silence_ms: u32,
    pad_ms: u32,
    out: *mut f64,
    out_len: u32,
    out_count: *mut u32,
) -> i32 {
    guard("rm_vad_segments", || {
        // SAFETY: forwarded caller contract.
        let (d, o, c) = unsafe {
            (
                slice(decisions, n, "decisions")?,
                slice_mut(out, out_len, "out")?,
                slice_mut(out_count, 1, "out_count")?,
            )
        };
        let cfg = SegmenterConfig {
            frame_ms,
            min_speech_ms,
            min_silence_ms,
            pad_ms,
        };
        let k = vad::segments(d, cfg, o)?;
        c[0] = k as u32;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use std::ptr::{null, null_mut};

    #[test]
    fn bad_arguments_give_null_or_status() {
        assert!(rm_vad_new(44100, 20, 1).is_null());
        assert!(rm_vad_new(16000, 15, 1).is_null());
        assert!(rm_vad_new(16000, 20, 4).is_null());
        let h = rm_vad_new(16000, 20, 1);
        assert!(!h.is_null());
        unsafe {
            assert_eq!(rm_vad_frame_samples(h), 320);
            assert_eq!(rm_vad_frame_samples(null_mut()), 0);
            let x = [0.0f32; 320];
            assert_eq!(rm_vad_process(h, x.as_ptr(), 320), 0);
            assert_eq!(
                rm_vad_process(h, x.as_ptr(), 319),
                Status::InvalidArgument as i32
            );
            assert_eq!(rm_vad_process(h, null(), 320), Status::NullPointer as i32);
            assert_eq!(
                rm_vad_process(null_mut(), x.as_ptr(), 320),
                Status::NullPointer as i32
            );
            let mut d = [9u8; 1];
            let mut frames = 7u32;
            assert_eq!(
                rm_vad_process_buffer(h, x.as_ptr(), 320, d.as_mut_ptr(), 1, &mut frames),
                0
            );
            assert_eq!((d[0], frames), (0, 1));
            let big = [0.0f32; 960];
            assert_eq!(
                rm_vad_process_buffer(h, big.as_ptr(), 960, d.as_mut_ptr(), 1, &mut frames),
                Status::BufferTooSmall as i32
            );
            assert_eq!(frames, 1, "out-param untouched on failure");
            assert_eq!(
                rm_vad_process_buffer(h, big.as_ptr(), 960, d.as_mut_ptr(), 1, null_mut()),
                Status::NullPointer as i32
            );
            let mut st = [0.0f64; 2];
            assert_eq!(rm_vad_statistic(h, st.as_mut_ptr(), 2), 0);
            assert_eq!(
                rm_vad_statistic(h, st.as_mut_ptr(), 1),
                Status::BufferTooSmall as i32
            );
            assert!(!rm_vad_kernel(h).is_null());
            assert!(rm_vad_kernel(null_mut()).is_null());
            assert_eq!(rm_vad_reset(h), 0);
            assert_eq!(rm_vad_reset(null_mut()), Status::NullPointer as i32);
            rm_vad_free(h);
            rm_vad_free(null_mut());
        }
    }

    #[test]
    fn segments_export_checks_buffers() {
        let d = [1u8, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0];
        let mut out = [0.0f64; 4];
        let mut count = 0u32;
        unsafe {
            assert_eq!(
                rm_vad_segments(
                    d.as_ptr(),
                    11,
                    10,
                    0,
                    20,
                    0,
                    out.as_mut_ptr(),
                    4,
                    &mut count
                ),
                0
            );
            assert_eq!(count, 2);
            assert_eq!(out, [0.0, 0.03, 0.06, 0.08]);
            assert_eq!(
                rm_vad_segments(
                    d.as_ptr(),
                    11,
                    10,
                    0,
                    20,
                    0,
                    out.as_mut_ptr(),
                    3,
                    &mut count
                ),
                Status::BufferTooSmall as i32
            );
            assert_eq!(
                rm_vad_segments(d.as_ptr(), 11, 0, 0, 20, 0, out.as_mut_ptr(), 4, &mut count),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_vad_segments(null(), 11, 10, 0, 20, 0, out.as_mut_ptr(), 4, &mut count),
                Status::NullPointer as i32
            );
        }
    }
}
