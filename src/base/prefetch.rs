//! A hint to the processor to load a cache line that will be read soon. The engine
//! issues it a few events ahead, so that the memory latency of touching an image among
//! a million overlaps with the work on the events before it.

#[inline(always)]
fn hint(addr: *const i8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` only hints the cache; it never dereferences the address (an
    // invalid one is ignored), and SSE, which provides it, is part of every x86_64 target.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(addr);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = addr;
}

/// Starts loading the cache line that holds the start of `*p`. Changes nothing.
#[inline(always)]
pub fn prefetch<T>(p: &T) {
    hint((p as *const T).cast());
}

/// Starts loading every cache line `*p` spans (a value may straddle lines).
#[inline(always)]
pub fn prefetch_all<T>(p: &T) {
    let start: *const i8 = (p as *const T).cast();
    let offset = start as usize & 63;
    // The base of the first line, then one address per line up to the value's end.
    let line = start.wrapping_sub(offset);
    for k in (0..offset + std::mem::size_of::<T>()).step_by(64) {
        hint(line.wrapping_add(k));
    }
}
