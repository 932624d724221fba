//! Large working buffers backed by transparent huge pages where the system allows it.
//!
//! A fit at n = 1,000, m = 1M writes ~24 MB of graph edges once: with 4 KiB pages that is
//! ~6,000 first-touch page faults, about a third of the graph build here. Asking the kernel for
//! 2 MiB pages (`madvise(MADV_HUGEPAGE)`, honoured when transparent huge pages are set to
//! `madvise` or `always`) turns them into a dozen. Elsewhere, or when refused, the buffer is an
//! ordinary one: the advice changes speed, never contents.

/// `len` copies of `value`, or `Error::OutOfMemory` when the allocation fails (an OS memory
/// limit, a container's cgroup), instead of aborting the process.
pub fn try_filled<T: Clone>(len: usize, value: T) -> crate::error::Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| crate::error::Error::OutOfMemory { bytes: len.saturating_mul(std::mem::size_of::<T>()) })?;
    v.resize(len, value);
    Ok(v)
}

/// Below this many bytes the advice is not worth a system call.
const MIN_BYTES: usize = 4 << 20;

/// An empty `Vec` with room for `capacity` elements, its memory advised to use huge pages.
pub fn large_vec<T>(capacity: usize) -> Vec<T> {
    let v: Vec<T> = Vec::with_capacity(capacity);
    advise_huge(v.as_ptr() as *const u8, v.capacity().saturating_mul(std::mem::size_of::<T>()));
    v
}

/// `len` copies of `T::default()` in a [`large_vec`]: the pages are faulted in (and zeroed)
/// as huge pages while filling, instead of one 4 KiB page at a time on first use.
pub fn zeroed_large<T: Copy + Default>(len: usize) -> Vec<T> {
    let mut v = large_vec(len);
    v.resize(len, T::default());
    v
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
        let mut v: Vec<u64> = large_vec(1 << 20);
        assert!(v.is_empty() && v.capacity() >= 1 << 20);
        v.extend(0..1 << 20);
        assert_eq!(v.iter().sum::<u64>(), (1u64 << 20) * ((1 << 20) - 1) / 2);
        let small: Vec<u8> = large_vec(10);
        assert!(small.capacity() >= 10);
        let zeros: Vec<u32> = zeroed_large(3 << 20);
        assert!(zeros.len() == 3 << 20 && zeros.iter().all(|&z| z == 0));
    }
}
