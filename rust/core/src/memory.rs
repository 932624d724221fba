//! Large buffers: allocated fallibly, and backed by transparent huge pages where the system
//! allows it.
//!
//! **Rule**: a buffer whose size grows with the input (n × n, rows, rounds × items, cells) is
//! allocated through this module ([`try_filled`], [`try_with_capacity`], [`large_vec`],
//! [`zeroed_large`]) or with `try_reserve`, never `vec![x; big]` / `Vec::with_capacity(big)` /
//! `collect()` of a long iterator: Rust's global allocator aborts the process when an
//! allocation fails (a `ulimit -v`, a container's cgroup limit), which no `catch_unwind`
//! catches. A failure becomes [`Error::OutOfMemory`] (→ Python `MemoryError`).
//!
//! A fit at n = 1,000, m = 1M writes ~24 MB of graph edges once: with 4 KiB pages that is
//! ~6,000 first-touch page faults, about a third of the graph build here. Asking the kernel for
//! 2 MiB pages (`madvise(MADV_HUGEPAGE)`, honoured when transparent huge pages are set to
//! `madvise` or `always`) turns them into a dozen. Elsewhere, or when refused, the buffer is an
//! ordinary one: the advice changes speed, never contents.

use crate::error::{Error, Result};

/// `len` copies of `value`, or `Error::OutOfMemory` when the allocation fails (an OS memory
/// limit, a container's cgroup), instead of aborting the process.
pub fn try_filled<T: Clone>(len: usize, value: T) -> Result<Vec<T>> {
    let mut v = try_with_capacity(len)?;
    v.resize(len, value);
    Ok(v)
}

/// An empty `Vec` with room for `capacity` elements, or `Error::OutOfMemory`.
pub fn try_with_capacity<T>(capacity: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity).map_err(|_| out_of_memory::<T>(capacity))?;
    Ok(v)
}

/// Room for `more` elements in `v`, or `Error::OutOfMemory`.
pub fn try_reserve<T>(v: &mut Vec<T>, more: usize) -> Result<()> {
    v.try_reserve_exact(more).map_err(|_| out_of_memory::<T>(more))
}

/// The elements of `iter` (at most `len` of them, its length) in a fallibly allocated `Vec`.
pub fn try_collect<T>(len: usize, iter: impl IntoIterator<Item = T>) -> Result<Vec<T>> {
    let mut v = try_with_capacity(len)?;
    v.extend(iter);
    Ok(v)
}

/// Types whose all-zero bytes are the value zero (what [`try_zeroed`] may hand out).
pub trait Zero: Copy {}
impl Zero for u8 {}
impl Zero for u32 {}
impl Zero for u64 {}
impl Zero for f64 {}

/// `len` zeros from the allocator's zeroed memory (`calloc`: pages never touched cost
/// nothing, as with `vec![0; len]`), or `Error::OutOfMemory`. For sparse tables (a bitmap
/// over an integer range) where [`try_filled`] would write every page.
pub fn try_zeroed<T: Zero>(len: usize) -> Result<Vec<T>> {
    let layout = std::alloc::Layout::array::<T>(len).map_err(|_| out_of_memory::<T>(len))?;
    if layout.size() == 0 {
        return try_filled(len, unsafe { std::mem::zeroed() });
    }
    // SAFETY: the layout has a non-zero size; the pointer, if not null, is an allocation of
    // `len` elements of T from the global allocator with T's alignment, all of whose bytes are
    // zero, which is a valid T (`Zero`), so it becomes a Vec of length and capacity `len`.
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout) as *mut T;
        if ptr.is_null() {
            return Err(out_of_memory::<T>(len));
        }
        Ok(Vec::from_raw_parts(ptr, len, len))
    }
}

/// Appends `x` to `v`, growing it (amortized doubling) fallibly: for vectors that grow one
/// element at a time to a size the input decides (a factorization's distinct names).
#[inline]
pub fn try_push<T>(v: &mut Vec<T>, x: T) -> Result<()> {
    if v.len() == v.capacity() {
        v.try_reserve(1).map_err(|_| out_of_memory::<T>(v.len().max(4)))?;
    }
    v.push(x);
    Ok(())
}

/// Room for one more entry in `map` (which then grows, amortized, fallibly), or
/// `Error::OutOfMemory`: call before each insertion into a map the input can make large.
#[inline]
pub fn try_room<K: Eq + std::hash::Hash, V, S: std::hash::BuildHasher>(map: &mut std::collections::HashMap<K, V, S>) -> Result<()> {
    if map.len() == map.capacity() {
        map.try_reserve(map.len().max(16)).map_err(|_| out_of_memory::<(K, V)>(2 * map.len().max(16)))?;
    }
    Ok(())
}

/// The parts one after the other (a bootstrap's rounds × items), fallibly allocated.
pub fn try_concat<T: Clone>(parts: Vec<Vec<T>>) -> Result<Vec<T>> {
    let mut v = try_with_capacity(parts.iter().map(Vec::len).sum())?;
    for p in parts {
        v.extend_from_slice(&p);
    }
    Ok(v)
}

fn out_of_memory<T>(len: usize) -> Error {
    Error::OutOfMemory { bytes: len.saturating_mul(std::mem::size_of::<T>()) }
}

/// Below this many bytes the advice is not worth a system call.
const MIN_BYTES: usize = 4 << 20;

/// An empty `Vec` with room for `capacity` elements, its memory advised to use huge pages
/// (`Error::OutOfMemory` when it cannot be had).
pub fn large_vec<T>(capacity: usize) -> Result<Vec<T>> {
    let v: Vec<T> = try_with_capacity(capacity)?;
    advise_huge(v.as_ptr() as *const u8, v.capacity().saturating_mul(std::mem::size_of::<T>()));
    Ok(v)
}

/// `len` copies of `T::default()` in a [`large_vec`]: the pages are faulted in (and zeroed)
/// as huge pages while filling, instead of one 4 KiB page at a time on first use.
pub fn zeroed_large<T: Copy + Default>(len: usize) -> Result<Vec<T>> {
    let mut v = large_vec(len)?;
    v.resize(len, T::default());
    Ok(v)
}

/// `len` zeros from the allocator's zeroed memory ([`try_zeroed`]) advised to use huge pages:
/// no pass fills them, each page is faulted in (zeroed by the kernel, as a huge page) by the
/// thread that first writes it. For outputs that a parallel pass writes in full (the
/// factorizer's codes), where [`zeroed_large`] would zero them on one thread first.
pub fn zeroed_huge<T: Zero>(len: usize) -> Result<Vec<T>> {
    let v = try_zeroed(len)?;
    advise_huge(v.as_ptr() as *const u8, v.capacity().saturating_mul(std::mem::size_of::<T>()));
    Ok(v)
}

#[cfg(target_os = "linux")]
fn advise_huge(ptr: *const u8, bytes: usize) {
    const HUGE: usize = 2 << 20;
    if bytes < MIN_BYTES {
        return;
    }
    // The 2 MiB-aligned part of the buffer (the kernel ignores the advice elsewhere).
    let start = (ptr as usize).div_ceil(HUGE) * HUGE;
    let end = (ptr as usize + bytes) / HUGE * HUGE;
    if end > start {
        // SAFETY: the range lies inside this process's own allocation; MADV_HUGEPAGE changes
        // how it is backed, not what it holds. A failure (e.g. no THP support) is harmless.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_ptr: *const u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_vec_is_an_ordinary_vec() {
        let mut v: Vec<u64> = large_vec(1 << 20).unwrap();
        assert!(v.is_empty() && v.capacity() >= 1 << 20);
        v.extend(0..1 << 20);
        assert_eq!(v.iter().sum::<u64>(), (1u64 << 20) * ((1 << 20) - 1) / 2);
        let small: Vec<u8> = large_vec(10).unwrap();
        assert!(small.capacity() >= 10);
        let zeros: Vec<u32> = zeroed_large(3 << 20).unwrap();
        assert!(zeros.len() == 3 << 20 && zeros.iter().all(|&z| z == 0));
        let zeros: Vec<u32> = zeroed_huge(3 << 20).unwrap();
        assert!(zeros.len() == 3 << 20 && zeros.iter().all(|&z| z == 0));
    }

    #[test]
    fn impossible_allocations_are_errors_not_aborts() {
        // More than any address space (a capacity overflow), and 256 TiB (the allocator
        // refuses: beyond the 128 TiB of user address space): errors naming the size, not an abort.
        let huge = usize::MAX / 16;
        assert!(matches!(try_filled(huge, 0.0f64), Err(Error::OutOfMemory { .. })));
        assert!(matches!(try_filled(1usize << 45, 0.0f64), Err(Error::OutOfMemory { bytes }) if bytes == 1 << 48));
        assert!(matches!(zeroed_large::<u64>(huge), Err(Error::OutOfMemory { .. })));
        assert!(matches!(try_collect(huge, 0..3u64), Err(Error::OutOfMemory { .. })));
        let mut v = vec![1u8];
        assert!(try_reserve(&mut v, usize::MAX / 2).is_err() && v == [1]);
        assert_eq!(try_collect(3, (0..3).map(|x| x * 2)).unwrap(), vec![0, 2, 4]);
        assert!(matches!(try_zeroed::<u64>(huge), Err(Error::OutOfMemory { .. })));
        assert!(matches!(try_zeroed::<u64>(1 << 45), Err(Error::OutOfMemory { .. })));
        let zeros: Vec<u32> = try_zeroed(1 << 20).unwrap();
        assert!(zeros.len() == 1 << 20 && zeros.iter().all(|&z| z == 0));
        assert!(try_zeroed::<u8>(0).unwrap().is_empty());
        let mut grown = Vec::new();
        for x in 0..1000u32 {
            try_push(&mut grown, x).unwrap();
        }
        assert_eq!(grown, (0..1000).collect::<Vec<_>>());
        let mut map = std::collections::HashMap::new();
        for x in 0..1000u32 {
            try_room(&mut map).unwrap();
            map.insert(x, x);
        }
        assert_eq!(map.len(), 1000);
    }
}
