//! The memory an argon2id worker hashes in, asked of the kernel as transparent huge pages.
//!
//! argon2id reads its 19 MiB block at data-dependent places, so with 4 KiB pages nearly every
//! read of another block misses the TLB (4 864 pages against a TLB of some 1 500 entries) and
//! walks the page tables; in 2 MiB pages the whole block takes ten entries. The advice is only a
//! request: where the kernel's transparent huge pages are `never`, or no huge page is free when
//! the block is first touched, the block is ordinary pages and hashes exactly as before.

use argon2::Block;

/// One transparent huge page on x86-64 and on most arm64 kernels.
const HUGE_PAGE: usize = 2 << 20;

pub struct BlockMemory {
    blocks: Vec<Block>,
    /// The first block of the worker's memory: the first block boundary at or past a huge-page
    /// boundary, so the block's pages are whole huge pages.
    start: usize,
    /// Whether the kernel took the advice (not whether huge pages were free for it).
    advised: bool,
}

impl BlockMemory {
    /// `count` zeroed blocks; the memory is advised before it is first written, which is when
    /// the kernel decides how to back it.
    pub fn new(count: usize) -> Self {
        let size = size_of::<Block>();
        let span = (count * size).next_multiple_of(HUGE_PAGE);
        // Room for the span from the first huge-page boundary in the allocation.
        let mut blocks: Vec<Block> = Vec::with_capacity((span + HUGE_PAGE) / size);
        let base = blocks.as_ptr() as usize;
        let boundary = base.next_multiple_of(HUGE_PAGE);
        let start = (boundary - base).div_ceil(size);
        let advised = advise_huge_pages(boundary, span);
        blocks.resize(start + count, Block::new());
        Self {
            blocks,
            start,
            advised,
        }
    }

    pub fn blocks(&mut self) -> &mut [Block] {
        &mut self.blocks[self.start..]
    }

    pub fn advised(&self) -> bool {
        self.advised
    }
}

/// `madvise(MADV_HUGEPAGE)` over `len` bytes from `addr` (both multiples of the huge page).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn advise_huge_pages(addr: usize, len: usize) -> bool {
    // SAFETY: the range lies inside the live allocation `BlockMemory::new` holds (its capacity
    // covers a huge page more than the span, and it is not resized past that), and MADV_HUGEPAGE
    // changes only how the kernel backs the pages — never their contents, their addresses or
    // whether they may be accessed. (The advice is taken before the pages are first written only
    // so that they are huge from the start; an allocation glibc reuses is advised just as safely.)
    unsafe { libc::madvise(addr as *mut libc::c_void, len, libc::MADV_HUGEPAGE) == 0 }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_addr: usize, _len: usize) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel's transparent huge page mode, the bracketed word of
    /// /sys/kernel/mm/transparent_hugepage/enabled (`always`, `madvise` or `never`).
    fn thp_mode() -> Option<String> {
        let text = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").ok()?;
        let open = text.find('[')?;
        let close = text[open..].find(']')?;
        Some(text[open + 1..open + close].to_owned())
    }

    /// The `VmFlags` line of the mapping of /proc/self/smaps that holds `addr`.
    fn vm_flags_at(addr: usize) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("smaps");
        let mut inside = false;
        for line in smaps.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            if let Some((lo, hi)) = first.split_once('-')
                && let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                inside = lo <= addr && addr < hi;
            } else if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
                return flags.trim().to_owned();
            }
        }
        panic!("no mapping holds {addr:#x}")
    }

    #[test]
    fn the_block_is_zeroed_starts_on_a_huge_page_and_has_the_asked_length() {
        let mut memory = BlockMemory::new(19_456);
        let blocks = memory.blocks();
        assert_eq!(blocks.len(), 19_456);
        let first = blocks.as_ptr() as usize;
        // At or just past a huge-page boundary: less than one block in.
        assert!(first % HUGE_PAGE < size_of::<Block>(), "{first:#x}");
        assert!(blocks.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)));
        // The memory is the worker's to write, end to end.
        blocks[19_455].as_mut()[127] = 7;
        assert_eq!(memory.blocks()[19_455].as_ref()[127], 7);
    }

    #[test]
    fn the_kernel_is_asked_for_huge_pages_where_it_offers_them() {
        let memory = BlockMemory::new(4_096);
        let first = memory.blocks.as_ptr() as usize + memory.start * size_of::<Block>();
        match thp_mode().as_deref() {
            Some("always" | "madvise") => {
                assert!(memory.advised(), "madvise(MADV_HUGEPAGE) was refused");
                // `hg`: the mapping carries the huge-page advice (smaps(5)).
                let flags = vm_flags_at(first);
                assert!(flags.split(' ').any(|f| f == "hg"), "VmFlags: {flags}");
            }
            // Transparent huge pages switched off (or not built into the kernel): the advice may be
            // refused or ignored; the memory is plain pages and hashes as before (test above).
            mode => eprintln!("transparent huge pages {mode:?}: the advice is not checked here"),
        }
    }
}
