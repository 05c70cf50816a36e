//! [`ExternMem`]: a borrow of memory owned by the caller (TypeScript typed arrays or
//! native pool blocks), carried by asynchronous jobs and ORT tensors.
//!
//! The raw pointer lives only here. Whoever creates an `ExternMem` (an `rm_*` export)
//! promises, in the documented contract of that export, that the memory stays valid and
//! untouched by anyone else until the job completes or the binding is freed.

use crate::error::{Error, Result, Status};
use std::ptr::NonNull;

/// Caller-owned memory: `len` bytes at a fixed address.
pub struct ExternMem {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the creator's contract gives the job (and only the job) access to the memory
// until it completes, so moving the borrow to a worker thread is sound.
unsafe impl Send for ExternMem {}

impl ExternMem {
    /// Borrow `len` bytes at `p`.
    ///
    /// # Safety
    /// `p` must be valid for reads and writes of `len` bytes until the returned value is
    /// dropped, and nobody else may access the memory while a job uses it.
    pub unsafe fn new(p: *mut u8, len: usize, what: &str) -> Result<ExternMem> {
        let ptr = NonNull::new(p)
            .ok_or_else(|| Error::new(Status::NullPointer, format!("{what} is null")))?;
        if len == 0 {
            return Err(Error::invalid(format!("{what} has length 0")));
        }
        Ok(ExternMem { ptr, len })
    }

    /// Byte length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false (construction rejects empty memory).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The address, for identity checks.
    pub fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// Raw pointer, for the ORT binding in this module's sibling.
    pub(crate) fn as_mut_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    fn check_f32(&self, what: &str) -> Result<usize> {
        if !self.addr().is_multiple_of(4) || !self.len.is_multiple_of(4) {
            return Err(Error::invalid(format!(
                "{what} at {:#x} ({} bytes) is not a whole, aligned float32 array",
                self.addr(),
                self.len
            )));
        }
        Ok(self.len / 4)
    }

    /// The memory as float32 samples.
    pub fn f32_mut(&mut self, what: &str) -> Result<&mut [f32]> {
        let n = self.check_f32(what)?;
        // SAFETY: aligned, `n * 4 == len` bytes valid and exclusive by the creation contract;
        // the borrow of `self` prevents a second slice.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr().cast::<f32>(), n) })
    }

    /// The memory as float32 samples (read-only).
    pub fn f32(&self, what: &str) -> Result<&[f32]> {
        let n = self.check_f32(what)?;
        // SAFETY: as for `f32_mut`, shared.
        Ok(unsafe { std::slice::from_raw_parts(self.ptr.as_ptr().cast::<f32>(), n) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_null_empty_and_misaligned() {
        let mut buf = [0f32; 4];
        let p = buf.as_mut_ptr().cast::<u8>();
        unsafe {
            assert_eq!(
                ExternMem::new(std::ptr::null_mut(), 4, "x")
                    .err()
                    .unwrap()
                    .status,
                Status::NullPointer
            );
            assert_eq!(
                ExternMem::new(p, 0, "x").err().unwrap().status,
                Status::InvalidArgument
            );
            let mut m = ExternMem::new(p.add(1), 8, "x").unwrap();
            assert_eq!(m.f32_mut("x").unwrap_err().status, Status::InvalidArgument);
            let mut m = ExternMem::new(p, 16, "x").unwrap();
            m.f32_mut("x").unwrap()[2] = 3.0;
            assert_eq!(m.f32("x").unwrap().len(), 4);
        }
        assert_eq!(buf[2], 3.0);
    }
}
