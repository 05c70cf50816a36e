//! Diagnostics used by tests and benchmarks: pointer echo, the panic guard, an empty call.

use super::{guard, slice, slice_mut};

/// Return the address received, so tests can prove a buffer crossed without a copy.
#[no_mangle]
pub extern "C" fn rm_debug_addr(p: *const u8, _len: u32) -> *const u8 {
    p
}

/// Deliberately panic inside the guard; returns `RM_ERR_PANIC`.
#[no_mangle]
pub extern "C" fn rm_debug_panic() -> i32 {
    guard("rm_debug_panic", || {
        panic!("deliberate panic to exercise the guard")
    })
}

/// An empty call (no guard): the FFI overhead baseline.
#[no_mangle]
pub extern "C" fn rm_noop() -> i32 {
    0
}

/// Fill `n` floats with `value` (used to prove a TS view aliases native memory).
///
/// # Safety
/// `p` must point to `n` writable floats.
#[no_mangle]
pub unsafe extern "C" fn rm_debug_fill(p: *mut f32, n: u32, value: f32) -> i32 {
    guard("rm_debug_fill", || {
        // SAFETY: forwarded caller contract.
        unsafe { slice_mut(p, n, "buf")? }.fill(value);
        Ok(())
    })
}

/// Sum of `n` floats (f64 accumulation); NaN on error.
///
/// # Safety
/// `p` must point to `n` readable floats.
#[no_mangle]
pub unsafe extern "C" fn rm_debug_sum(p: *const f32, n: u32) -> f64 {
    super::guard_value("rm_debug_sum", f64::NAN, || {
        // SAFETY: forwarded caller contract.
        Ok(unsafe { slice(p, n, "buf")? }
            .iter()
            .map(|&x| x as f64)
            .sum())
    })
}
