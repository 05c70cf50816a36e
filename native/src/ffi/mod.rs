//! The C ABI. The only module with `extern "C"` functions and raw-pointer dereferences.
//!
//! Every exported function runs its body through [`guard`] (or [`guard_ptr`] /
//! [`guard_value`]): a returned `Err` or a panic becomes a negative status code plus a
//! thread-local message readable with `rm_last_error`. Pointers are validated by
//! [`slice`] / [`slice_mut`] before any use; a null pointer with a zero length is an
//! empty slice (Deno passes null for empty typed arrays).

use crate::error::{Error, Result, Status};
use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub mod convert;
pub mod debug;
pub mod device;
pub mod fft;
pub mod mel;
pub mod pool;
pub mod resample;
pub mod vad;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

pub(crate) fn set_last_error(msg: &str) {
    LAST_ERROR.with(|e| {
        let mut e = e.borrow_mut();
        e.clear();
        e.push_str(msg);
    });
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

fn record(symbol: &str, r: std::thread::Result<Result<()>>) -> i32 {
    match r {
        Ok(Ok(())) => Status::Ok as i32,
        Ok(Err(e)) => {
            set_last_error(&format!("{symbol}: {}", e.message));
            e.status as i32
        }
        Err(p) => {
            set_last_error(&format!("{symbol}: internal panic: {}", panic_message(&*p)));
            Status::Panic as i32
        }
    }
}

/// Run `f` for the exported function `symbol`, turning errors and panics into a status.
pub(crate) fn guard(symbol: &str, f: impl FnOnce() -> Result<()>) -> i32 {
    record(symbol, catch_unwind(AssertUnwindSafe(f)))
}

/// Like [`guard`] for constructors: returns null on failure.
pub(crate) fn guard_ptr<T>(symbol: &str, f: impl FnOnce() -> Result<*mut T>) -> *mut T {
    let mut out = std::ptr::null_mut();
    let status = guard(symbol, || {
        out = f()?;
        Ok(())
    });
    if status != 0 {
        std::ptr::null_mut()
    } else {
        out
    }
}

/// Like [`guard`] for functions returning a value: returns `default` on failure.
pub(crate) fn guard_value<T: Copy>(symbol: &str, default: T, f: impl FnOnce() -> Result<T>) -> T {
    let mut out = default;
    let status = guard(symbol, || {
        out = f()?;
        Ok(())
    });
    if status != 0 {
        default
    } else {
        out
    }
}

fn check_ptr<T>(p: *const T, n: usize, what: &str) -> Result<bool> {
    if p.is_null() {
        if n == 0 {
            return Ok(false);
        }
        return Err(Error::new(
            Status::NullPointer,
            format!("{what} is null but its length is {n}"),
        ));
    }
    if !(p as usize).is_multiple_of(std::mem::align_of::<T>()) {
        return Err(Error::invalid(format!(
            "{what} at {:#x} is not aligned to {} bytes",
            p as usize,
            std::mem::align_of::<T>()
        )));
    }
    Ok(true)
}

/// View `n` elements at `p` as a slice.
///
/// # Safety
/// If `p` is non-null it must point to `n` readable, initialized `T`s that stay valid and
/// unaliased by writers for `'a`. The caller (the TS wrapper) checks lengths against the
/// typed array it passes.
pub(crate) unsafe fn slice<'a, T>(p: *const T, n: u32, what: &str) -> Result<&'a [T]> {
    let n = n as usize;
    if !check_ptr(p, n, what)? {
        return Ok(&[]);
    }
    // SAFETY: non-null, aligned, and the caller guarantees `n` valid elements.
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
}

/// Mutable counterpart of [`slice`].
///
/// # Safety
/// As for [`slice`], and no other reference to the memory may exist for `'a`.
pub(crate) unsafe fn slice_mut<'a, T>(p: *mut T, n: u32, what: &str) -> Result<&'a mut [T]> {
    let n = n as usize;
    if !check_ptr(p, n, what)? {
        return Ok(&mut []);
    }
    // SAFETY: non-null, aligned, and the caller guarantees `n` valid, exclusive elements.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, n) })
}

/// Borrow a handle created by `Box::into_raw`.
///
/// # Safety
/// `h` must be null or a live pointer returned by the matching `rm_*_new`.
pub(crate) unsafe fn handle<'a, T>(h: *mut T, what: &str) -> Result<&'a mut T> {
    if h.is_null() {
        return Err(Error::new(
            Status::NullPointer,
            format!("{what} handle is null"),
        ));
    }
    // SAFETY: the caller guarantees a live handle; TS never shares one across threads.
    Ok(unsafe { &mut *h })
}

/// Drop a handle created by `Box::into_raw`; null is a no-op.
///
/// # Safety
/// `h` must be null or a live pointer returned by the matching `rm_*_new`, not used after.
pub(crate) unsafe fn free_handle<T>(h: *mut T) {
    if !h.is_null() {
        // SAFETY: the caller guarantees `h` came from Box::into_raw and is freed once.
        drop(unsafe { Box::from_raw(h) });
    }
}

/// Copy `s` NUL-terminated into `buf` (capacity `cap`); returns the full length of `s`.
///
/// # Safety
/// `buf` must be null or point to `cap` writable bytes.
pub(crate) unsafe fn copy_str_out(s: &str, buf: *mut u8, cap: u32) -> u32 {
    let bytes = s.as_bytes();
    if !buf.is_null() && cap > 0 {
        let n = bytes.len().min(cap as usize - 1);
        // SAFETY: `buf` holds `cap` bytes; we write `n + 1 <= cap`.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf, n);
            *buf.add(n) = 0;
        }
    }
    bytes.len() as u32
}

/// ABI version; the TS loader refuses a library whose version differs from its own.
#[no_mangle]
pub extern "C" fn rm_abi_version() -> u32 {
    crate::ABI_VERSION
}

/// Library version as a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn rm_version() -> *const c_char {
    crate::VERSION_CSTR.as_ptr().cast()
}

/// Static NUL-terminated name of a status code (`"RM_ERR_UNKNOWN"` for unknown codes).
#[no_mangle]
pub extern "C" fn rm_status_str(code: i32) -> *const c_char {
    match Status::from_code(code) {
        Some(s) => s.name_cstr().as_ptr(),
        None => c"RM_ERR_UNKNOWN".as_ptr(),
    }
}

/// Copy this thread's last error message into `buf` (NUL-terminated, truncated to
/// `cap - 1` bytes). Returns the message's full length in bytes; `buf` may be null to ask.
///
/// # Safety
/// `buf` must be null or point to `cap` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn rm_last_error(buf: *mut u8, cap: u32) -> u32 {
    LAST_ERROR.with(|e| {
        // SAFETY: forwarded caller contract.
        unsafe { copy_str_out(&e.borrow(), buf, cap) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_panic_into_status() {
        let s = guard("t", || panic!("boom"));
        assert_eq!(s, Status::Panic as i32);
        let mut buf = [0u8; 64];
        let n = unsafe { rm_last_error(buf.as_mut_ptr(), 64) };
        let msg = std::str::from_utf8(&buf[..n as usize]).unwrap();
        assert!(msg.contains("boom"), "{msg}");
    }

    #[test]
    fn last_error_truncates() {
        set_last_error("abcdef");
        let mut buf = [0xffu8; 4];
        assert_eq!(unsafe { rm_last_error(buf.as_mut_ptr(), 4) }, 6);
        assert_eq!(&buf, b"abc\0");
        assert_eq!(unsafe { rm_last_error(std::ptr::null_mut(), 0) }, 6);
    }

    #[test]
    fn null_with_length_is_error() {
        let r = unsafe { slice::<f32>(std::ptr::null(), 3, "input") };
        assert_eq!(r.unwrap_err().status, Status::NullPointer);
        let r = unsafe { slice::<f32>(std::ptr::null(), 0, "input") };
        assert!(r.unwrap().is_empty());
    }
}
