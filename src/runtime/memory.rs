//! Linear memories: each 32-bit memory reserves 8 GiB + 64 KiB of address space (a 32-bit
//! index plus a 32-bit offset plus the access width never leaves it), of which only the
//! current size is readable and writable. Compiled code therefore needs no bounds checks: an
//! access past the size faults in the guard and becomes an "out of bounds memory access" trap:
//! the reservation is registered with the fault handler, which claims faults there only.
use super::faults::Region;
use super::vm::MemoryData;

pub const PAGE: u64 = 65536;
const RESERVATION: usize = (8usize << 30) + 65536;

/// Owns the reservation behind a [`MemoryData`] (boxed so compiled code can hold pointers).
pub struct LinearMemory {
    pub data: Box<MemoryData>,
    /// Registers the whole reservation with the fault handler while it is mapped.
    region: Region,
}

impl LinearMemory {
    pub fn new(min_pages: u64, max_pages: Option<u64>) -> Result<LinearMemory, String> {
        let max = max_pages.unwrap_or(65536).min(65536);
        if min_pages > 65536 {
            return Err("memory size must be at most 65536 pages (4GiB)".into());
        }
        // SAFETY: a fresh anonymous PROT_NONE mapping; nothing aliases it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                RESERVATION,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err("could not reserve address space for a linear memory".into());
        }
        // SAFETY: the mapping just made, owned by nothing else yet.
        let region = unsafe { Region::memory(base, RESERVATION)? };
        let mut mem = LinearMemory {
            data: Box::new(MemoryData {
                base: base as *mut u8,
                size_bytes: 0,
                max_pages: max,
                reserved: RESERVATION,
            }),
            region,
        };
        if mem.grow(min_pages).is_none() {
            return Err("could not commit a linear memory's initial pages".into());
        }
        Ok(mem)
    }

    pub fn pages(&self) -> u64 {
        self.data.size_bytes / PAGE
    }

    /// Grow by `delta` pages; returns the old size in pages, or None past the maximum.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        grow_memory(&mut self.data, delta)
    }
}

/// Grow a memory by `delta` pages (also called by the compiled-code helper).
pub fn grow_memory(data: &mut MemoryData, delta: u64) -> Option<u64> {
    let old = data.size_bytes / PAGE;
    let new = old.checked_add(delta)?;
    if new > data.max_pages {
        return None;
    }
    if delta > 0 {
        // SAFETY: the range lies inside this memory's own reservation.
        let rc = unsafe {
            libc::mprotect(
                data.base.add(data.size_bytes as usize) as *mut libc::c_void,
                (delta * PAGE) as usize,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        };
        if rc != 0 {
            return None;
        }
    }
    data.size_bytes = new * PAGE;
    Some(old)
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        self.region.unregister();
        // SAFETY: unmapping exactly the reservation made in `new`.
        unsafe {
            libc::munmap(self.data.base as *mut libc::c_void, self.data.reserved);
        }
    }
}

/// The accessible bytes of a memory.
///
/// # Safety
/// `data` must describe a live memory and no other reference to its bytes may be in use.
pub unsafe fn bytes_mut<'a>(data: *mut MemoryData) -> &'a mut [u8] {
    let d = &*data;
    std::slice::from_raw_parts_mut(d.base, d.size_bytes as usize)
}
