//! A buffer pool of 64-byte aligned blocks in power-of-two size classes.
//!
//! Blocks are owned boxes of cache lines; the pool hands out their addresses and keeps
//! the box in a map until the block is released, then keeps it on a free list for reuse.
//! Nothing here dereferences a pointer: the `ffi` layer turns addresses into pointers.

use crate::error::{Error, Result, Status};
use std::collections::HashMap;

/// One cache line; blocks are whole numbers of lines, so every block is 64-byte aligned.
#[repr(C, align(64))]
#[derive(Clone, Copy)]
struct Line([u8; 64]);

/// Alignment of every block, in bytes.
pub const ALIGN: usize = 64;
/// Largest block the pool hands out (1 GiB).
pub const MAX_BLOCK: usize = 1 << 30;
const MIN_CLASS: u32 = 6; // 64 bytes
const CLASSES: usize = 31 - MIN_CLASS as usize;

/// Pool statistics, in the order `rm_pool_stats` writes them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub blocks_created: u64,
    pub blocks_in_use: u64,
    pub high_water_blocks: u64,
    pub bytes_reserved: u64,
    pub bytes_in_use: u64,
    pub acquires: u64,
    pub releases: u64,
    pub reuses: u64,
}

impl PoolStats {
    pub const LEN: usize = 8;
    pub fn to_array(self) -> [u64; Self::LEN] {
        [
            self.blocks_created,
            self.blocks_in_use,
            self.high_water_blocks,
            self.bytes_reserved,
            self.bytes_in_use,
            self.acquires,
            self.releases,
            self.reuses,
        ]
    }
}

#[derive(Default)]
pub struct Pool {
    free: Vec<Vec<Box<[Line]>>>,
    live: HashMap<usize, Box<[Line]>>,
    stats: PoolStats,
}

fn class_of(bytes: usize) -> Result<u32> {
    if bytes == 0 {
        return Err(Error::invalid("cannot acquire a block of 0 bytes"));
    }
    if bytes > MAX_BLOCK {
        return Err(Error::new(
            Status::InvalidArgument,
            format!("block of {bytes} bytes exceeds the pool maximum of {MAX_BLOCK}"),
        ));
    }
    Ok(bytes.next_power_of_two().trailing_zeros().max(MIN_CLASS))
}

impl Pool {
    pub fn new() -> Self {
        Pool {
            free: (0..CLASSES).map(|_| Vec::new()).collect(),
            ..Default::default()
        }
    }

    /// Acquire a block of at least `bytes` bytes; returns its address.
    pub fn acquire(&mut self, bytes: usize) -> Result<usize> {
        let class = class_of(bytes)?;
        let idx = (class - MIN_CLASS) as usize;
        let size = 1usize << class;
        let block = match self.free[idx].pop() {
            Some(b) => {
                self.stats.reuses += 1;
                b
            }
            None => {
                let mut v = Vec::new();
                v.try_reserve_exact(size / ALIGN).map_err(|_| {
                    Error::new(Status::OutOfMemory, format!("cannot allocate {size} bytes"))
                })?;
                v.resize(size / ALIGN, Line([0; 64]));
                self.stats.blocks_created += 1;
                self.stats.bytes_reserved += size as u64;
                v.into_boxed_slice()
            }
        };
        let addr = block.as_ptr() as usize;
        self.live.insert(addr, block);
        self.stats.acquires += 1;
        self.stats.blocks_in_use += 1;
        self.stats.bytes_in_use += size as u64;
        self.stats.high_water_blocks = self.stats.high_water_blocks.max(self.stats.blocks_in_use);
        Ok(addr)
    }

    /// Return a block; an address the pool did not hand out is an `InvalidHandle` error.
    pub fn release(&mut self, addr: usize) -> Result<()> {
        let block = self.live.remove(&addr).ok_or_else(|| {
            Error::new(
                Status::InvalidHandle,
                format!("address {addr:#x} is not a live block of this pool"),
            )
        })?;
        let size = block.len() * ALIGN;
        let idx = (size.trailing_zeros() - MIN_CLASS) as usize;
        self.free[idx].push(block);
        self.stats.releases += 1;
        self.stats.blocks_in_use -= 1;
        self.stats.bytes_in_use -= size as u64;
        Ok(())
    }

    /// Capacity in bytes of a live block.
    pub fn block_size(&self, addr: usize) -> Option<usize> {
        self.live.get(&addr).map(|b| b.len() * ALIGN)
    }

    pub fn stats(&self) -> PoolStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_state_reuses_blocks() {
        let mut p = Pool::new();
        for _ in 0..1000 {
            let a = p.acquire(3840).unwrap();
            let b = p.acquire(1920).unwrap();
            assert_eq!(a % ALIGN, 0);
            p.release(a).unwrap();
            p.release(b).unwrap();
        }
        let s = p.stats();
        assert_eq!(s.blocks_created, 2);
        assert_eq!(s.blocks_in_use, 0);
        assert_eq!(s.high_water_blocks, 2);
        assert_eq!(s.acquires, 2000);
        assert_eq!(s.reuses, 1998);
    }

    #[test]
    fn bad_requests_are_errors() {
        let mut p = Pool::new();
        assert_eq!(p.acquire(0).unwrap_err().status, Status::InvalidArgument);
        assert_eq!(
            p.acquire(MAX_BLOCK + 1).unwrap_err().status,
            Status::InvalidArgument
        );
        assert_eq!(p.release(12345).unwrap_err().status, Status::InvalidHandle);
        let a = p.acquire(1).unwrap();
        assert_eq!(p.block_size(a), Some(64));
        p.release(a).unwrap();
        assert_eq!(p.release(a).unwrap_err().status, Status::InvalidHandle);
    }
}
