//! A hint to the processor to load a cache line that will be read soon. The engine
//! issues it a few events ahead, so that the memory latency of touching an image among
//! a million overlaps with the work on the events before it.

/// Starts loading the cache line that holds `*p`. Never faults, changes nothing.
#[inline(always)]
pub fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` only hints the cache; it never dereferences the pointer, and
    // SSE, which provides it, is part of every x86_64 target.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
