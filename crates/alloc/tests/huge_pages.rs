//! The allocator in a real process: blocks keep their contents through
//! growth, and on Linux with transparent huge pages enabled (`always` or
//! `madvise`) a large block is backed by huge pages.

#[global_allocator]
static ALLOC: rct_alloc::HugePages = rct_alloc::HugePages;

#[test]
fn large_blocks_keep_their_contents_through_growth() {
    let mut v: Vec<u64> = (0..1_000_000).collect();
    for i in 1_000_000..3_000_000 {
        v.push(i);
    }
    v.shrink_to_fit();
    assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
    let z = vec![0u8; 64 << 20];
    assert!(z.iter().all(|&b| b == 0));
}

/// Kilobytes of anonymous huge pages of the mapping that holds `addr`,
/// from /proc/self/smaps.
#[cfg(target_os = "linux")]
fn huge_kb_at(addr: usize) -> Option<u64> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut inside = false;
    for line in smaps.lines() {
        if let Some((range, _)) = line.split_once(' ') {
            if let Some((lo, hi)) = range.split_once('-') {
                if let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
                {
                    inside = (lo..hi).contains(&addr);
                    continue;
                }
            }
        }
        if inside {
            if let Some(rest) = line.strip_prefix("AnonHugePages:") {
                return rest.trim().trim_end_matches("kB").trim().parse().ok();
            }
        }
    }
    None
}

#[cfg(target_os = "linux")]
#[test]
fn large_blocks_get_huge_pages_when_the_kernel_offers_them() {
    let mode =
        std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").unwrap_or_default();
    let enabled = mode.contains("[always]") || mode.contains("[madvise]");
    let mut v = vec![0u8; 64 << 20];
    // Touch every page.
    for i in (0..v.len()).step_by(4096) {
        v[i] = 1;
    }
    // The advice splits the mapping at the first huge page boundary.
    let aligned = (v.as_ptr() as usize + (2 << 20) - 1) & !((2 << 20) - 1);
    let huge = huge_kb_at(aligned).unwrap_or(0);
    eprintln!(
        "THP mode {:?}: {huge} kB of huge pages in a 64 MiB block",
        mode.trim()
    );
    if enabled && std::env::var_os("RCT_REQUIRE_HUGE_PAGES").is_some() {
        assert!(
            huge > 0,
            "no huge pages in a 64 MiB block with THP {mode:?}"
        );
    }
    assert_eq!(
        v.iter().map(|&b| u64::from(b)).sum::<u64>(),
        (64 << 20) / 4096
    );
}
