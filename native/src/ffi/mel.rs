//! `rm_mel_*`: Whisper log-mel, batch and streaming. Layout codes: 0 = mel-major
//! `[n_mels][n_frames]`, 1 = frame-major `[n_frames][n_mels]`.

use super::convert::disjoint;
use super::{free_handle, guard, guard_ptr, handle, slice, slice_mut};
use crate::dsp::mel::{self, Layout, LogMelStream};
use crate::error::{Error, Result};

/// Opaque streaming log-mel handle.
pub struct RmMelStream(LogMelStream);

/// The arguments of `rm_mel_batch` (shared by both exported names).
struct BatchArgs {
    samples: *const f32,
    n: u32,
    n_mels: u32,
    layout: u32,
    threads: u32,
    out: *mut f32,
    out_len: u32,
}

fn batch(symbol: &str, a: BatchArgs) -> i32 {
    guard(symbol, || {
        disjoint(a.samples, a.n, a.out, a.out_len)?;
        let layout = Layout::from_code(a.layout)?;
        // SAFETY: the caller guarantees `n` readable and `out_len` writable floats;
        // ranges checked disjoint.
        let (x, o) = unsafe {
            (
                slice(a.samples, a.n, "samples")?,
                slice_mut(a.out, a.out_len, "output")?,
            )
        };
        mel::log_mel(x, a.n_mels as usize, layout, a.threads as usize, o)
    })
}

/// Log-mel of `n` samples (16 kHz mono, `n >= 201`) into `out`
/// (`out_len >= n_mels * (n / 160)`), `n_mels` 80 or 128. `threads > 1` splits the
/// frames across that many threads (same result).
///
/// # Safety
/// `samples` must point to `n` readable floats and `out` to `out_len` writable floats.
#[no_mangle]
pub unsafe extern "C" fn rm_mel_batch(
    samples: *const f32,
    n: u32,
    n_mels: u32,
    layout: u32,
    threads: u32,
    out: *mut f32,
    out_len: u32,
) -> i32 {
    let args = BatchArgs {
        samples,
        n,
        n_mels,
        layout,
        threads,
        out,
        out_len,
    };
    batch("rm_mel_batch", args)
}

/// The same function as `rm_mel_batch`, exported under a second name so a binding can
/// declare it `nonblocking` (run on a worker thread) while `rm_mel_batch` stays a fast
/// synchronous call. A failure's message is recorded on the worker thread: the caller
/// should repeat the call synchronously to read it.
///
/// # Safety
/// As for `rm_mel_batch`; the buffers must stay valid until the call returns.
#[no_mangle]
pub unsafe extern "C" fn rm_mel_batch_nonblocking(
    samples: *const f32,
    n: u32,
    n_mels: u32,
    layout: u32,
    threads: u32,
    out: *mut f32,
    out_len: u32,
) -> i32 {
    let args = BatchArgs {
        samples,
        n,
        n_mels,
        layout,
        threads,
        out,
        out_len,
    };
    batch("rm_mel_batch_nonblocking", args)
}

/// Copy the `[n_mels][201]` Slaney filterbank (80 or 128 mels) into `out`.
///
/// # Safety
/// `out` must point to `out_len` writable floats.
#[no_mangle]
pub unsafe extern "C" fn rm_mel_filters(n_mels: u32, out: *mut f32, out_len: u32) -> i32 {
    guard("rm_mel_filters", || {
        let fb = mel::filterbank(n_mels as usize)?;
        // SAFETY: forwarded caller contract.
        let o = unsafe { slice_mut(out, out_len, "output")? };
        let d = fb.dense();
        if o.len() < d.len() {
            return Err(Error::too_small("filterbank output", d.len(), o.len()));
        }
        o[..d.len()].copy_from_slice(d);
        Ok(())
    })
}

/// Create a streaming log-mel for `n_mels` (80 or 128) and `layout`, with room for
/// `capacity_frames` frames (e.g. 3000 for a 30 s window) before it grows. Null on failure.
#[no_mangle]
pub extern "C" fn rm_mel_stream_new(
    n_mels: u32,
    layout: u32,
    capacity_frames: u32,
) -> *mut RmMelStream {
    guard_ptr("rm_mel_stream_new", || {
        let layout = Layout::from_code(layout)?;
        let s = LogMelStream::new(n_mels as usize, layout, capacity_frames as usize)?;
        Ok(Box::into_raw(Box::new(RmMelStream(s))))
    })
}

/// Free a stream. Null is a no-op.
///
/// # Safety
/// `h` must be null or a live handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn rm_mel_stream_free(h: *mut RmMelStream) {
    // SAFETY: forwarded caller contract.
    unsafe { free_handle(h) }
}

fn frames_i32(frames: usize) -> Result<i32> {
    i32::try_from(frames)
        .map_err(|_| Error::invalid(format!("{frames} frames overflow the status range")))
}

/// Append `n` samples; returns the frames computed so far (>= 0) or a negative status.
///
/// # Safety
/// `h` must be null or a live handle; `samples` must point to `n` readable floats.
#[no_mangle]
pub unsafe extern "C" fn rm_mel_stream_push(
    h: *mut RmMelStream,
    samples: *const f32,
    n: u32,
) -> i32 {
    let mut frames = 0;
    let status = guard("rm_mel_stream_push", || {
        // SAFETY: forwarded caller contract.
        let (s, x) = unsafe { (handle(h, "mel stream")?, slice(samples, n, "samples")?) };
        frames = frames_i32(s.0.push(x))?;
        Ok(())
    });
    if status < 0 {
        status
    } else {
        frames
    }
}

/// Finish the window: write `n_mels * (samples / 160)` floats into `out` (the global
/// clamp applied over the window), reset the stream, and return the frame count (>= 0) or
/// a negative status (fewer than 201 samples pushed: `RM_ERR_INVALID_ARGUMENT`).
///
/// # Safety
/// `h` must be null or a live handle; `out` must point to `out_len` writable floats.
#[no_mangle]
pub unsafe extern "C" fn rm_mel_stream_finish(
    h: *mut RmMelStream,
    out: *mut f32,
    out_len: u32,
) -> i32 {
    let mut frames = 0;
    let status = guard("rm_mel_stream_finish", || {
        // SAFETY: forwarded caller contract.
        let (s, o) = unsafe { (handle(h, "mel stream")?, slice_mut(out, out_len, "output")?) };
        frames = frames_i32(s.0.finish(o)?)?;
        Ok(())
    });
    if status < 0 {
        status
    } else {
        frames
    }
}

/// Drop the stream's audio and frames (keeps its allocations).
///
/// # Safety
/// `h` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_mel_stream_reset(h: *mut RmMelStream) -> i32 {
    guard("rm_mel_stream_reset", || {
        // SAFETY: forwarded caller contract.
        unsafe { handle(h, "mel stream")? }.0.reset();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use std::ptr::{null, null_mut};

    #[test]
    fn batch_rejects_bad_arguments() {
        let x = vec![0.1f32; 480];
        let mut out = vec![0.0f32; 240];
        unsafe {
            assert_eq!(
                rm_mel_batch(x.as_ptr(), 480, 80, 0, 1, out.as_mut_ptr(), 240),
                0
            );
            // a constant input reflects to a constant: every frame is the same
            for row in out.chunks_exact(3) {
                assert!(
                    row[0].is_finite() && row.iter().all(|&v| v == row[0]),
                    "{row:?}"
                );
            }
            assert_eq!(
                rm_mel_batch(null(), 480, 80, 0, 1, out.as_mut_ptr(), 240),
                Status::NullPointer as i32
            );
            assert_eq!(
                rm_mel_batch(x.as_ptr(), 200, 80, 0, 1, out.as_mut_ptr(), 240),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_mel_batch(x.as_ptr(), 480, 64, 0, 1, out.as_mut_ptr(), 240),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_mel_batch(x.as_ptr(), 480, 80, 2, 1, out.as_mut_ptr(), 240),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_mel_batch(x.as_ptr(), 480, 80, 1, 1, out.as_mut_ptr(), 239),
                Status::BufferTooSmall as i32
            );
            assert_eq!(
                rm_mel_batch_nonblocking(x.as_ptr(), 480, 128, 1, 2, out.as_mut_ptr(), 240),
                Status::BufferTooSmall as i32
            );
            let mut fb = vec![0.0f32; 80 * 201];
            assert_eq!(rm_mel_filters(80, fb.as_mut_ptr(), 80 * 201), 0);
            assert_eq!(
                rm_mel_filters(80, fb.as_mut_ptr(), 100),
                Status::BufferTooSmall as i32
            );
        }
    }

    #[test]
    fn stream_round_trip_and_errors() {
        let x: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.05).sin()).collect();
        let mut want = vec![0.0f32; 80 * 6];
        let mut got = vec![0.0f32; 80 * 6];
        unsafe {
            assert!(rm_mel_stream_new(64, 0, 0).is_null());
            assert!(rm_mel_stream_new(80, 9, 0).is_null());
            let h = rm_mel_stream_new(80, 0, 100);
            assert!(!h.is_null());
            assert_eq!(rm_mel_stream_push(h, x.as_ptr(), 100), 0);
            assert_eq!(
                rm_mel_stream_finish(h, got.as_mut_ptr(), 480),
                Status::InvalidArgument as i32
            );
            let ready = rm_mel_stream_push(h, x.as_ptr().add(100), 900);
            assert!((1..=6).contains(&ready), "{ready}");
            assert_eq!(
                rm_mel_stream_finish(h, got.as_mut_ptr(), 479),
                Status::BufferTooSmall as i32
            );
            assert_eq!(rm_mel_stream_finish(h, got.as_mut_ptr(), 480), 6);
            assert_eq!(
                rm_mel_batch(x.as_ptr(), 1000, 80, 0, 1, want.as_mut_ptr(), 480),
                0
            );
            assert_eq!(got, want);
            assert_eq!(rm_mel_stream_push(h, x.as_ptr(), 300), 1);
            assert_eq!(rm_mel_stream_reset(h), 0);
            assert_eq!(
                rm_mel_stream_push(h, x.as_ptr(), 300),
                1,
                "reset starts over"
            );
            assert_eq!(
                rm_mel_stream_push(null_mut(), x.as_ptr(), 3),
                Status::NullPointer as i32
            );
            assert_eq!(rm_mel_stream_reset(null_mut()), Status::NullPointer as i32);
            rm_mel_stream_free(h);
            rm_mel_stream_free(null_mut());
        }
    }
}
