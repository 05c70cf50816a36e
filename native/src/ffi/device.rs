//! `rm_device_*`, `rm_ort_*`, `rm_queue_*`, `rm_onnx_*`: accelerator dispatch.
//!
//! Memory contract of the asynchronous calls: a buffer passed to `rm_queue_submit_*` or
//! bound with `rm_onnx_binding_bind` is read and written by a worker thread later. The
//! caller keeps it alive and does not touch it until the job's completion has been
//! polled (or, for bindings, until the binding is freed and no run is in flight).
//!
//! Handles used from two threads at once (`rm_queue_wait` runs on a blocking thread
//! while the JS thread submits and polls) are only ever borrowed shared: every queue,
//! session and binding method takes `&self` and synchronizes internally.

pub mod mem;
pub mod ort;

use super::{copy_str_out, free_handle, guard, guard_ptr, guard_value, slice, slice_mut};
use crate::device::onnx::{OnnxBinding, OnnxSession, Provider, SessionConfig, SessionStats};
use crate::device::queue::{Job, Queue, QueueStats, RunClaim};
use crate::device::{self, DeviceKind};
use crate::error::{Error, Result, Status};
use mem::ExternMem;
use std::sync::Arc;
use std::time::Duration;

/// Opaque queue handle.
pub struct RmQueue(Queue);
/// Opaque session handle (one shared session; many handles may not exist: TS caches).
pub struct RmOnnxSession(Arc<OnnxSession>);
/// Opaque binding handle.
pub struct RmOnnxBinding(Arc<OnnxBinding>);

/// Borrow a handle shared (`&T`): these objects synchronize internally and may be used
/// from several threads at once.
///
/// # Safety
/// `h` must be null or a live pointer returned by the matching `rm_*_new`.
unsafe fn shared<'a, T>(h: *const T, what: &str) -> Result<&'a T> {
    if h.is_null() {
        return Err(Error::new(
            Status::NullPointer,
            format!("{what} handle is null"),
        ));
    }
    // SAFETY: the caller guarantees a live handle; only shared borrows are made.
    Ok(unsafe { &*h })
}

/// Read a UTF-8 string argument.
///
/// # Safety
/// `p` must be null or point to `n` readable bytes.
unsafe fn utf8<'a>(p: *const u8, n: u32, what: &str) -> Result<&'a str> {
    // SAFETY: forwarded caller contract.
    let b = unsafe { slice(p, n, what)? };
    std::str::from_utf8(b).map_err(|_| Error::invalid(format!("{what} is not valid UTF-8")))
}

/// Copy `s` out like `rm_last_error`, returning its full length as i32.
///
/// # Safety
/// `buf` must be null or point to `cap` writable bytes.
unsafe fn str_out(s: &str, buf: *mut u8, cap: u32) -> Result<i32> {
    if buf.is_null() && cap > 0 {
        return Err(Error::new(
            Status::NullPointer,
            "buf is null but cap is not 0",
        ));
    }
    if s.len() > i32::MAX as usize {
        return Err(Error::invalid("description too long"));
    }
    // SAFETY: forwarded caller contract.
    Ok(unsafe { copy_str_out(s, buf, cap) } as i32)
}

// ---- devices and the runtime ----------------------------------------------------------

/// Number of devices usable now (the native cpu device, plus one per available ONNX
/// Runtime execution provider once the runtime is loaded).
#[no_mangle]
pub extern "C" fn rm_device_count() -> u32 {
    guard_value("rm_device_count", 0, || Ok(device::devices().len() as u32))
}

/// Describe device `index` as JSON (`name`, `kind`, `backend`, `provider`,
/// `capabilities`) into `buf` (NUL-terminated, truncated to `cap - 1`). Returns the full
/// length in bytes, or a negative status (`RM_ERR_INVALID_ARGUMENT` for a bad index).
///
/// # Safety
/// `buf` must be null (with `cap` 0) or point to `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn rm_device_describe(index: u32, buf: *mut u8, cap: u32) -> i32 {
    let mut len = 0;
    let st = guard("rm_device_describe", || {
        let d = device::devices();
        let dev = d.get(index as usize).ok_or_else(|| {
            Error::invalid(format!(
                "device index {index} is out of range (0..{})",
                d.len()
            ))
        })?;
        // SAFETY: forwarded caller contract.
        len = unsafe { str_out(&dev.to_json(), buf, cap)? };
        Ok(())
    });
    if st < 0 {
        st
    } else {
        len
    }
}

/// Load ONNX Runtime's C library from `path` (UTF-8, `path_len` bytes) once per process,
/// and probe its execution providers. A second call returns 0 and keeps the first.
///
/// # Safety
/// `path` must point to `path_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rm_ort_load(path: *const u8, path_len: u32) -> i32 {
    guard("rm_ort_load", || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { utf8(path, path_len, "path")? };
        if p.is_empty() {
            return Err(Error::invalid("path is empty"));
        }
        let rt = ort::load(p)?;
        crate::device::onnx::probe(rt);
        Ok(())
    })
}

/// Describe the loaded runtime as JSON (path, version, compiled providers, and each
/// provider of the priority list with why it is or is not available); `{"loaded":false}`
/// before `rm_ort_load`. Returns the full length or a negative status.
///
/// # Safety
/// `buf` must be null (with `cap` 0) or point to `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn rm_ort_info(buf: *mut u8, cap: u32) -> i32 {
    let mut len = 0;
    let st = guard("rm_ort_info", || {
        // SAFETY: forwarded caller contract.
        len = unsafe { str_out(&crate::device::onnx::runtime_json(), buf, cap)? };
        Ok(())
    });
    if st < 0 {
        st
    } else {
        len
    }
}

// ---- queues ---------------------------------------------------------------------------

/// Create a queue for device `device` with `threads` worker threads (1..64).
#[no_mangle]
pub extern "C" fn rm_queue_new(device: u32, threads: u32) -> *mut RmQueue {
    guard_ptr("rm_queue_new", || {
        let n = device::devices().len() as u32;
        if device >= n {
            return Err(Error::invalid(format!(
                "device index {device} is out of range (0..{n})"
            )));
        }
        Ok(Box::into_raw(Box::new(RmQueue(Queue::new(
            device, threads,
        )?))))
    })
}

/// Shut a queue down (queued jobs complete as `RM_ERR_CANCELLED`; waiters wake), wait
/// for running jobs, and free it. Null is a no-op. No `rm_queue_wait` may be in flight.
///
/// # Safety
/// `queue` must be null or a live handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_free(queue: *mut RmQueue) {
    // SAFETY: forwarded caller contract.
    unsafe { free_handle(queue) }
}

/// Stop accepting jobs, cancel queued ones and wake every `rm_queue_wait`. Idempotent.
///
/// # Safety
/// `queue` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_shutdown(queue: *mut RmQueue) -> i32 {
    guard("rm_queue_shutdown", || {
        // SAFETY: forwarded caller contract.
        unsafe { shared(queue, "queue")? }.0.shutdown();
        Ok(())
    })
}

fn submit(symbol: &str, queue: *mut RmQueue, job: impl FnOnce() -> Result<Job>) -> i32 {
    let mut ticket = 0i32;
    let st = guard(symbol, || {
        // SAFETY: every caller forwards the contract "queue is null or live".
        let q = unsafe { shared(queue, "queue")? };
        ticket = q.0.submit(job()?)? as i32;
        Ok(())
    });
    if st < 0 {
        st
    } else {
        ticket
    }
}

/// Submit an empty job. Returns its ticket (>= 0) or a negative status.
///
/// # Safety
/// `queue` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_submit_empty(queue: *mut RmQueue) -> i32 {
    submit("rm_queue_submit_empty", queue, || Ok(Job::Empty))
}

/// Submit `buf[0..n] *= gain` (cpu backend). Returns the ticket or a negative status.
///
/// # Safety
/// `queue` null or live; `buf` must point to `n` floats, kept alive and untouched until
/// the job's completion is polled.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_submit_gain(
    queue: *mut RmQueue,
    buf: *mut f32,
    n: u32,
    gain: f32,
) -> i32 {
    submit("rm_queue_submit_gain", queue, || {
        if !gain.is_finite() {
            return Err(Error::invalid(format!("gain {gain} is not finite")));
        }
        // SAFETY: forwarded caller contract (validates null/alignment first).
        unsafe { slice_mut(buf, n, "buf")? };
        // SAFETY: as above; the job's lifetime is covered by the contract.
        let buf = unsafe { ExternMem::new(buf.cast(), n as usize * 4, "buf")? };
        Ok(Job::Gain { buf, gain })
    })
}

/// Submit `out[0] = a . b` over `n` floats. Returns the ticket or a negative status.
///
/// # Safety
/// `queue` null or live; `a`, `b` point to `n` floats and `out` to one, all kept alive
/// and untouched until the completion is polled; `out` must not overlap `a` or `b`.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_submit_dot(
    queue: *mut RmQueue,
    a: *const f32,
    b: *const f32,
    n: u32,
    out: *mut f32,
) -> i32 {
    submit("rm_queue_submit_dot", queue, || {
        // SAFETY: forwarded caller contract (validates null/alignment first).
        unsafe {
            slice(a, n, "a")?;
            slice(b, n, "b")?;
            slice_mut(out, 1, "out")?;
        }
        super::convert::disjoint(a, n, out, 1)?;
        super::convert::disjoint(b, n, out, 1)?;
        // SAFETY: as above; only `out` is written, and it overlaps neither input.
        let (a, b, out) = unsafe {
            (
                ExternMem::new(a.cast_mut().cast(), n as usize * 4, "a")?,
                ExternMem::new(b.cast_mut().cast(), n as usize * 4, "b")?,
                ExternMem::new(out.cast(), 4, "out")?,
            )
        };
        Ok(Job::Dot { a, b, out })
    })
}

/// Submit the loading of `session` (provider selection, model load). Returns the ticket.
///
/// # Safety
/// `queue` and `session` must be null or live handles.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_submit_load(
    queue: *mut RmQueue,
    session: *mut RmOnnxSession,
) -> i32 {
    submit("rm_queue_submit_load", queue, || {
        // SAFETY: forwarded caller contract.
        let s = unsafe { shared(session, "session")? };
        Ok(Job::Load(s.0.clone()))
    })
}

/// Submit one run of `binding`. `RM_ERR_BUSY` if it is already running.
///
/// # Safety
/// `queue` and `binding` must be null or live handles; the bound memory follows the
/// module's contract.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_submit_run(
    queue: *mut RmQueue,
    binding: *mut RmOnnxBinding,
) -> i32 {
    submit("rm_queue_submit_run", queue, || {
        // SAFETY: forwarded caller contract.
        let b = unsafe { shared(binding, "binding")? };
        Ok(Job::Run(RunClaim::new(b.0.clone())?))
    })
}

/// Block up to `timeout_ms` until a completion is ready or the queue shuts down.
/// Returns the number of completions ready (0 on timeout). Meant for a
/// `nonblocking: true` binding.
///
/// # Safety
/// `queue` must be null or a live handle that is not freed while this call runs.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_wait(queue: *mut RmQueue, timeout_ms: u32) -> i32 {
    let mut n = 0;
    let st = guard("rm_queue_wait", || {
        // SAFETY: forwarded caller contract.
        let q = unsafe { shared(queue, "queue")? };
        n =
            q.0.wait(Duration::from_millis(timeout_ms as u64))
                .min(i32::MAX as usize) as i32;
        Ok(())
    });
    if st < 0 {
        st
    } else {
        n
    }
}

/// Move completions into `out` as `(ticket, status)` pairs (`n` ints, so `n / 2`
/// completions at most). Returns the number of completions written.
///
/// # Safety
/// `queue` null or live; `out` must point to `n` writable int32s.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_poll(queue: *mut RmQueue, out: *mut i32, n: u32) -> i32 {
    let mut count = 0;
    let st = guard("rm_queue_poll", || {
        // SAFETY: forwarded caller contract.
        let (q, o) = unsafe { (shared(queue, "queue")?, slice_mut(out, n, "out")?) };
        if o.len() < 2 {
            return Err(Error::too_small("out", 2, o.len()));
        }
        count = q.0.poll(o) as i32;
        Ok(())
    });
    if st < 0 {
        st
    } else {
        count
    }
}

/// Report the error of the failed job `ticket`: returns its status and makes its
/// message this thread's last error (`rm_last_error`). `RM_ERR_INVALID_ARGUMENT` when no
/// error is kept for the ticket.
///
/// # Safety
/// `queue` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_job_error(queue: *mut RmQueue, ticket: i32) -> i32 {
    let mut kept: Option<Error> = None;
    let st = guard("rm_queue_job_error", || {
        // SAFETY: forwarded caller contract.
        let q = unsafe { shared(queue, "queue")? };
        if ticket < 0 {
            return Err(Error::invalid(format!("ticket {ticket} is negative")));
        }
        kept = Some(
            q.0.take_error(ticket as u32)
                .ok_or_else(|| Error::invalid(format!("no error is kept for ticket {ticket}")))?,
        );
        Ok(())
    });
    match kept {
        Some(e) if st == 0 => {
            super::set_last_error(&e.message);
            e.status as i32
        }
        _ => st,
    }
}

/// Completion callback: called with the `id` given to `rm_queue_set_callback`.
pub type NotifyFn = extern "C" fn(u32);

/// Set (non-null `cb`) or clear (null) the completion callback. A notifier thread calls
/// `cb(id)` once per batch of completions; `rm_queue_poll` re-arms it. `cb` must stay
/// callable while set and for one call after it is cleared or the queue shut down.
///
/// # Safety
/// `queue` must be null or a live handle; `cb` null or a valid function pointer.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_set_callback(
    queue: *mut RmQueue,
    cb: Option<NotifyFn>,
    id: u32,
) -> i32 {
    guard("rm_queue_set_callback", || {
        // SAFETY: forwarded caller contract.
        let q = unsafe { shared(queue, "queue")? };
        q.0.set_notify(cb.map(|f| -> crate::device::queue::Notify { Arc::new(move || f(id)) }))
    })
}

/// Write the queue statistics as 13 doubles: submitted, completed, failed, cancelled,
/// wait ns total, wait ns max, exec ns total, exec ns min, exec ns max, model runs,
/// batch items, batch max, queue depth max.
///
/// # Safety
/// `queue` null or live; `out` must point to `n` writable doubles.
#[no_mangle]
pub unsafe extern "C" fn rm_queue_stats(queue: *mut RmQueue, out: *mut f64, n: u32) -> i32 {
    guard("rm_queue_stats", || {
        // SAFETY: forwarded caller contract.
        let (q, o) = unsafe { (shared(queue, "queue")?, slice_mut(out, n, "out")?) };
        if o.len() < QueueStats::LEN {
            return Err(Error::too_small("stats output", QueueStats::LEN, o.len()));
        }
        o[..QueueStats::LEN].copy_from_slice(&q.0.stats().to_array());
        Ok(())
    })
}

// ---- ONNX sessions and bindings ---------------------------------------------------------

/// Create an (unloaded) session for the model at `path`. `provider`: 0 auto, 1 VitisAI,
/// 2 OpenVINO, 3 QNN, 4 CUDA, 5 CPU; `kind`: 0 any, 1 cpu, 2 gpu, 3 npu; threads
/// (0 = ORT default); `opt_level` 0, 1, 2 or 99. Load it with `rm_queue_submit_load`
/// or `rm_onnx_session_load`. Null on failure.
///
/// # Safety
/// `path` must point to `path_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_session_new(
    path: *const u8,
    path_len: u32,
    provider: u32,
    kind: u32,
    intra_threads: u32,
    inter_threads: u32,
    opt_level: u32,
) -> *mut RmOnnxSession {
    guard_ptr("rm_onnx_session_new", || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { utf8(path, path_len, "path")? };
        let provider = Provider::from_code(provider)
            .ok_or_else(|| Error::invalid(format!("provider code {provider} is not 0..5")))?;
        let kind = DeviceKind::from_code(kind)
            .ok_or_else(|| Error::invalid(format!("device kind code {kind} is not 0..3")))?;
        let s = OnnxSession::new(SessionConfig {
            path: p.to_string(),
            provider,
            kind,
            intra_threads,
            inter_threads,
            opt_level,
        })?;
        Ok(Box::into_raw(Box::new(RmOnnxSession(Arc::new(s)))))
    })
}

/// Free a session handle (bindings keep the shared session alive). Null is a no-op.
///
/// # Safety
/// `session` must be null or a live handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_session_free(session: *mut RmOnnxSession) {
    // SAFETY: forwarded caller contract.
    unsafe { free_handle(session) }
}

/// Load the session now, on the calling thread (blocking). Idempotent.
///
/// # Safety
/// `session` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_session_load(session: *mut RmOnnxSession) -> i32 {
    guard("rm_onnx_session_load", || {
        // SAFETY: forwarded caller contract.
        unsafe { shared(session, "session")? }.0.load().map(|_| ())
    })
}

/// Describe the session as JSON (provider chosen, providers tried and why they were
/// skipped, inputs and outputs). Returns the full length or a negative status.
///
/// # Safety
/// `session` null or live; `buf` null (with `cap` 0) or `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_session_info(
    session: *mut RmOnnxSession,
    buf: *mut u8,
    cap: u32,
) -> i32 {
    let mut len = 0;
    let st = guard("rm_onnx_session_info", || {
        // SAFETY: forwarded caller contract.
        let s = unsafe { shared(session, "session")? };
        // SAFETY: forwarded caller contract.
        len = unsafe { str_out(&s.0.info_json(), buf, cap)? };
        Ok(())
    });
    if st < 0 {
        st
    } else {
        len
    }
}

/// Write the session statistics as 8 doubles: load ns, first run ns, steady runs,
/// steady ns total, steady ns min, steady ns max, errors, provider fallbacks.
///
/// # Safety
/// `session` null or live; `out` must point to `n` writable doubles.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_session_stats(
    session: *mut RmOnnxSession,
    out: *mut f64,
    n: u32,
) -> i32 {
    guard("rm_onnx_session_stats", || {
        // SAFETY: forwarded caller contract.
        let (s, o) = unsafe { (shared(session, "session")?, slice_mut(out, n, "out")?) };
        if o.len() < SessionStats::LEN {
            return Err(Error::too_small("stats output", SessionStats::LEN, o.len()));
        }
        o[..SessionStats::LEN].copy_from_slice(&s.0.stats()?.to_array());
        Ok(())
    })
}

/// Create a binding for a loaded session. Null on failure.
///
/// # Safety
/// `session` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_binding_new(session: *mut RmOnnxSession) -> *mut RmOnnxBinding {
    guard_ptr("rm_onnx_binding_new", || {
        // SAFETY: forwarded caller contract.
        let s = unsafe { shared(session, "session")? };
        let b = OnnxBinding::new(s.0.clone())?;
        Ok(Box::into_raw(Box::new(RmOnnxBinding(Arc::new(b)))))
    })
}

/// Free a binding handle. A run in flight keeps the binding alive until it completes
/// (the bound memory must stay valid until then). Null is a no-op.
///
/// # Safety
/// `binding` must be null or a live handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_binding_free(binding: *mut RmOnnxBinding) {
    // SAFETY: forwarded caller contract.
    unsafe { free_handle(binding) }
}

/// Bind `bytes` bytes at `data` as the input (`is_output` 0) or output (1) named `name`
/// (UTF-8), with element type `elem_type` (ORT codes: 1 float32, 7 int64, ...) and the
/// `rank` dimensions at `shape`. No copy: ORT reads and writes `data` in place.
///
/// # Safety
/// `binding` null or live; `name` `name_len` readable bytes; `shape` `rank` int64s;
/// `data` `bytes` bytes that stay valid until the binding is freed (module contract).
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_binding_bind(
    binding: *mut RmOnnxBinding,
    is_output: u32,
    name: *const u8,
    name_len: u32,
    elem_type: u32,
    shape: *const i64,
    rank: u32,
    data: *mut u8,
    bytes: u32,
) -> i32 {
    guard("rm_onnx_binding_bind", || {
        // SAFETY: forwarded caller contract.
        let b = unsafe { shared(binding, "binding")? };
        if is_output > 1 {
            return Err(Error::invalid(format!(
                "is_output {is_output} is not 0 or 1"
            )));
        }
        // SAFETY: forwarded caller contract.
        let name = unsafe { utf8(name, name_len, "name")? };
        // SAFETY: forwarded caller contract.
        let shape = unsafe { slice(shape, rank, "shape")? };
        if rank > 16 {
            return Err(Error::invalid(format!("rank {rank} exceeds 16")));
        }
        let elem = ort::ElemType::from_code(elem_type).ok_or_else(|| {
            Error::invalid(format!("element type code {elem_type} is not supported"))
        })?;
        // SAFETY: forwarded caller contract (null and zero length rejected inside).
        let mem = unsafe { ExternMem::new(data, bytes as usize, "data")? };
        b.0.bind(is_output == 1, name, elem, shape, mem)
    })
}

/// The data pointer ORT holds for a bound tensor (`GetTensorMutableData`): equal to the
/// bound memory's address, which proves no copy. Null on failure.
///
/// # Safety
/// `binding` null or live; `name` `name_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_binding_data_ptr(
    binding: *mut RmOnnxBinding,
    is_output: u32,
    name: *const u8,
    name_len: u32,
) -> *const u8 {
    guard_ptr("rm_onnx_binding_data_ptr", || {
        // SAFETY: forwarded caller contract.
        let b = unsafe { shared(binding, "binding")? };
        // SAFETY: forwarded caller contract.
        let name = unsafe { utf8(name, name_len, "name")? };
        Ok(b.0.data_addr(is_output == 1, name)? as *mut u8)
    })
    .cast_const()
}

/// Run the binding on the calling thread (blocking; the asynchronous path is
/// `rm_queue_submit_run`). `RM_ERR_BUSY` while a queued run is in flight.
///
/// # Safety
/// `binding` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_onnx_binding_run(binding: *mut RmOnnxBinding) -> i32 {
    guard("rm_onnx_binding_run", || {
        // SAFETY: forwarded caller contract.
        unsafe { shared(binding, "binding")? }.0.run().map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::{null, null_mut};

    #[test]
    fn null_and_bad_arguments_are_errors() {
        unsafe {
            assert!(rm_device_count() >= 1);
            assert_eq!(
                rm_device_describe(9999, null_mut(), 0),
                Status::InvalidArgument as i32
            );
            let mut buf = [0u8; 256];
            let n = rm_device_describe(0, buf.as_mut_ptr(), 256);
            assert!(n > 0 && (n as usize) < 256);
            assert_eq!(
                rm_device_describe(0, null_mut(), 4),
                Status::NullPointer as i32
            );
            assert_eq!(rm_ort_load(null(), 3), Status::NullPointer as i32);
            assert_eq!(rm_ort_load(b"".as_ptr(), 0), Status::InvalidArgument as i32);
            assert!(rm_queue_new(9999, 1).is_null());
            assert!(rm_queue_new(0, 0).is_null());
            assert_eq!(
                rm_queue_submit_empty(null_mut()),
                Status::NullPointer as i32
            );
            assert_eq!(rm_queue_wait(null_mut(), 0), Status::NullPointer as i32);
            assert_eq!(
                rm_queue_poll(null_mut(), null_mut(), 0),
                Status::NullPointer as i32
            );
            assert_eq!(rm_queue_shutdown(null_mut()), Status::NullPointer as i32);
            assert_eq!(
                rm_queue_job_error(null_mut(), 0),
                Status::NullPointer as i32
            );
            assert_eq!(
                rm_queue_stats(null_mut(), null_mut(), 0),
                Status::NullPointer as i32
            );
            assert_eq!(
                rm_queue_set_callback(null_mut(), None, 0),
                Status::NullPointer as i32
            );
            let q = rm_queue_new(0, 1);
            assert!(!q.is_null());
            let mut v = [1f32, 2.0];
            assert_eq!(
                rm_queue_submit_gain(q, null_mut(), 2, 1.0),
                Status::NullPointer as i32
            );
            assert_eq!(
                rm_queue_submit_gain(q, v.as_mut_ptr(), 2, f32::NAN),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_queue_submit_gain(q, v.as_mut_ptr(), 0, 1.0),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_queue_submit_dot(q, v.as_ptr(), v.as_ptr(), 2, v.as_mut_ptr()),
                Status::InvalidArgument as i32
            );
            assert_eq!(
                rm_queue_submit_load(q, null_mut()),
                Status::NullPointer as i32
            );
            assert_eq!(
                rm_queue_submit_run(q, null_mut()),
                Status::NullPointer as i32
            );
            let mut out = [0i32; 1];
            assert_eq!(
                rm_queue_poll(q, out.as_mut_ptr(), 1),
                Status::BufferTooSmall as i32
            );
            assert_eq!(rm_queue_job_error(q, -1), Status::InvalidArgument as i32);
            assert_eq!(rm_queue_job_error(q, 5), Status::InvalidArgument as i32);
            let mut s = [0f64; 13];
            assert_eq!(
                rm_queue_stats(q, s.as_mut_ptr(), 12),
                Status::BufferTooSmall as i32
            );
            let t = rm_queue_submit_gain(q, v.as_mut_ptr(), 2, 3.0);
            assert!(t >= 0);
            assert_eq!(rm_queue_wait(q, 5000), 1);
            let mut rec = [0i32; 4];
            assert_eq!(rm_queue_poll(q, rec.as_mut_ptr(), 4), 1);
            assert_eq!(rec[..2], [t, 0]);
            assert_eq!(v, [3.0, 6.0]);
            assert_eq!(rm_queue_stats(q, s.as_mut_ptr(), 13), 0);
            assert_eq!(s[0], 1.0);
            assert_eq!(rm_queue_shutdown(q), 0);
            assert_eq!(rm_queue_submit_empty(q), Status::Cancelled as i32);
            rm_queue_free(q);
            rm_queue_free(null_mut());

            assert!(rm_onnx_session_new(null(), 4, 0, 0, 1, 1, 99).is_null());
            assert!(rm_onnx_session_new(b"m".as_ptr(), 1, 6, 0, 1, 1, 99).is_null());
            assert!(rm_onnx_session_new(b"m".as_ptr(), 1, 0, 4, 1, 1, 99).is_null());
            assert!(rm_onnx_session_new(b"m".as_ptr(), 1, 0, 0, 1, 1, 3).is_null());
            assert!(rm_onnx_session_new(b"m".as_ptr(), 1, 4, 3, 1, 1, 99).is_null());
            let s = rm_onnx_session_new(b"m".as_ptr(), 1, 0, 0, 1, 1, 99);
            assert!(!s.is_null());
            assert!(rm_onnx_binding_new(s).is_null());
            assert!(rm_onnx_binding_new(null_mut()).is_null());
            let mut st = [0f64; 8];
            assert_eq!(rm_onnx_session_stats(s, st.as_mut_ptr(), 8), 0);
            assert_eq!(rm_onnx_session_stats(null_mut(), st.as_mut_ptr(), 8), -1);
            assert_eq!(rm_onnx_session_info(null_mut(), null_mut(), 0), -1);
            assert!(rm_onnx_session_info(s, null_mut(), 0) > 0);
            assert_eq!(rm_onnx_session_load(null_mut()), -1);
            rm_onnx_session_free(s);
            rm_onnx_session_free(null_mut());
            assert_eq!(
                rm_onnx_binding_bind(null_mut(), 0, null(), 0, 1, null(), 0, null_mut(), 0),
                -1
            );
            assert!(rm_onnx_binding_data_ptr(null_mut(), 0, null(), 0).is_null());
            assert_eq!(rm_onnx_binding_run(null_mut()), -1);
            rm_onnx_binding_free(null_mut());
        }
    }
}
