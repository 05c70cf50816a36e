//! `rm_pool_*`: the native buffer pool behind TS `NativePool`.

use super::{free_handle, guard, guard_ptr, handle, slice_mut};
use crate::error::{Error, Result, Status};
use crate::pool::{Pool, PoolStats};
use std::sync::Mutex;

/// Opaque pool handle.
pub struct RmPool(Mutex<Pool>);

fn lock(p: &RmPool) -> Result<std::sync::MutexGuard<'_, Pool>> {
    p.0.lock()
        .map_err(|_| Error::new(Status::Panic, "pool lock poisoned by an earlier panic"))
}

/// Create a pool. Returns null on failure (see `rm_last_error`).
#[no_mangle]
pub extern "C" fn rm_pool_new() -> *mut RmPool {
    guard_ptr("rm_pool_new", || {
        Ok(Box::into_raw(Box::new(RmPool(Mutex::new(Pool::new())))))
    })
}

/// Free a pool and every block it holds. Null is a no-op.
///
/// # Safety
/// `pool` must be null or a live handle; no view of its blocks may be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn rm_pool_free(pool: *mut RmPool) {
    // SAFETY: forwarded caller contract.
    unsafe { free_handle(pool) }
}

/// Acquire a 64-byte aligned block of at least `bytes` bytes. Null on failure.
///
/// # Safety
/// `pool` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_pool_acquire(pool: *mut RmPool, bytes: u32) -> *mut u8 {
    guard_ptr("rm_pool_acquire", || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { handle(pool, "pool")? };
        let addr = lock(p)?.acquire(bytes as usize)?;
        Ok(addr as *mut u8)
    })
}

/// Return a block to its pool. An address the pool did not hand out is
/// `RM_ERR_INVALID_HANDLE`; releasing twice is an error, never a double free.
///
/// # Safety
/// `pool` must be null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn rm_pool_release(pool: *mut RmPool, block: *mut u8) -> i32 {
    guard("rm_pool_release", || {
        // SAFETY: forwarded caller contract.
        let p = unsafe { handle(pool, "pool")? };
        if block.is_null() {
            return Err(Error::new(Status::NullPointer, "block is null"));
        }
        lock(p)?.release(block as usize)
    })
}

/// Write the pool statistics as 8 u64 values: blocks created, blocks in use, high-water
/// blocks, bytes reserved, bytes in use, acquires, releases, reuses.
///
/// # Safety
/// `pool` must be null or a live handle; `out` must point to `n` writable u64s.
#[no_mangle]
pub unsafe extern "C" fn rm_pool_stats(pool: *mut RmPool, out: *mut u64, n: u32) -> i32 {
    guard("rm_pool_stats", || {
        // SAFETY: forwarded caller contract.
        let (p, o) = unsafe { (handle(pool, "pool")?, slice_mut(out, n, "out")?) };
        if o.len() < PoolStats::LEN {
            return Err(Error::too_small("stats output", PoolStats::LEN, o.len()));
        }
        let s = lock(p)?.stats().to_array();
        o[..PoolStats::LEN].copy_from_slice(&s);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::null_mut;

    #[test]
    fn pool_abi_round_trip_and_errors() {
        unsafe {
            let p = rm_pool_new();
            assert!(!p.is_null());
            let b = rm_pool_acquire(p, 100);
            assert!(!b.is_null());
            assert_eq!(b as usize % 64, 0);
            assert!(rm_pool_acquire(p, 0).is_null());
            assert!(rm_pool_acquire(null_mut(), 10).is_null());
            let mut s = [0u64; 8];
            assert_eq!(
                rm_pool_stats(p, s.as_mut_ptr(), 7),
                Status::BufferTooSmall as i32
            );
            assert_eq!(rm_pool_stats(p, s.as_mut_ptr(), 8), 0);
            assert_eq!(s[0], 1);
            assert_eq!(rm_pool_release(p, b), 0);
            assert_eq!(rm_pool_release(p, b), Status::InvalidHandle as i32);
            assert_eq!(rm_pool_release(p, null_mut()), Status::NullPointer as i32);
            rm_pool_free(p);
            rm_pool_free(null_mut());
        }
    }
}
