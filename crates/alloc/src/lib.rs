//! The global allocator of rct's binaries.
//!
//! It is the system allocator, with one addition: on Linux, blocks of
//! [`LARGE`] bytes or more are marked for transparent huge pages
//! (`madvise(MADV_HUGEPAGE)`), on the 2 MiB-aligned part of the block.
//!
//! Why: a column of ten million doubles is 80 MB, and the first write to
//! each 4 KiB page of a new block costs a page fault. On the virtual
//! machines rct runs on, a fault costs 1 to 2 microseconds, so writing a
//! fresh 80 MB column spends 20 to 40 ms in the kernel, as long as the
//! arithmetic on it. With huge pages one fault maps 2 MiB. Kernels set to
//! `madvise` mode (the Debian default) give huge pages only to memory that
//! asks for them; with `always` the advice changes nothing and with
//! `never` it is ignored. Errors from `madvise` are ignored too: the advice
//! is an optimisation, never needed for correctness.
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: rct_alloc::HugePages = rct_alloc::HugePages;
//! ```

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks at least this large are advised (4 MiB: two huge pages, so at
/// least one aligned huge page lies inside).
pub const LARGE: usize = 4 << 20;

/// The huge page size the advice is aligned to.
const HUGE_PAGE: usize = 2 << 20;

/// The system allocator, with huge pages for large blocks.
#[derive(Debug, Clone, Copy, Default)]
pub struct HugePages;

/// The aligned huge pages inside `[start, start + size)`, as (address,
/// length), when the block is large enough to have any.
fn huge_span(start: usize, size: usize) -> Option<(usize, usize)> {
    if size < LARGE {
        return None;
    }
    let first = start.checked_add(HUGE_PAGE - 1)? & !(HUGE_PAGE - 1);
    let end = start.checked_add(size)? & !(HUGE_PAGE - 1);
    (end > first).then(|| (first, end - first))
}

#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, size: usize) {
    if ptr.is_null() {
        return;
    }
    if let Some((start, len)) = huge_span(ptr as usize, size) {
        // SAFETY: [start, start + len) lies inside the block just returned
        // by the system allocator, and MADV_HUGEPAGE changes only how the
        // kernel backs the pages, never their contents or validity.
        #[allow(unsafe_code)]
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_: *mut u8, _: usize) {}

// SAFETY: every method forwards to `System` with the same arguments and
// returns its result unchanged; `advise` only gives the kernel advice about
// memory the block owns.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        advise(new, new_size);
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_aligned_and_inside_the_block() {
        assert_eq!(huge_span(4096, LARGE - 1), None);
        // A block starting just past a huge page boundary.
        let start = 3 * HUGE_PAGE + 16;
        let (first, len) = huge_span(start, LARGE).unwrap_or_default();
        assert_eq!(first, 4 * HUGE_PAGE);
        assert_eq!(len, HUGE_PAGE);
        assert!(first >= start && first + len <= start + LARGE);
        // An aligned block is advised whole.
        assert_eq!(huge_span(HUGE_PAGE, LARGE), Some((HUGE_PAGE, LARGE)));
        // No overflow at the top of the address space.
        assert_eq!(huge_span(usize::MAX - 10, LARGE), None);
    }
}
