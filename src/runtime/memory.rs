//! Linear memories: each 32-bit memory reserves 8 GiB + 64 KiB of address space (a 32-bit
//! index plus a 32-bit offset plus the access width never leaves it), of which only the
//! current size is readable and writable. Compiled code therefore needs no bounds checks: an
//! access past the size faults in the guard and becomes an "out of bounds memory access" trap:
//! the reservation is registered with the fault handler, which claims faults there only.
//!
//! A 64-bit memory can hold at most [`MAX_RESERVATION_64`] (64 GiB; wasmtime caps such memories
//! by its own limits too) and reserves that much plus a 4 GiB + 64 KiB guard, whatever its
//! maximum. Compiled code then needs one compare of the index with a
//! constant (below 64 GiB, see `compile::memory`) for an access whose offset is under 4 GiB,
//! and the guard catches the rest as it does for 32-bit memories. A grow past 64 GiB fails as a
//! grow past the maximum does: `memory.grow` returns -1.
use super::faults::Region;
use super::vm::MemoryData;

pub const PAGE: u64 = 65536;
const RESERVATION: usize = (8usize << 30) + 65536;
/// The most a 64-bit memory can hold: 64 GiB, so even a few such memories leave most of the
/// 128 TiB user address space free. Compiled code checks a 64-bit index against this constant
/// (`compile::memory`), so it is part of the code's contract with the runtime.
pub const MAX_RESERVATION_64: u64 = 64 << 30;
/// The offsets (plus access width) of 64-bit accesses that compiled code leaves to the guard.
pub const GUARD_64: u64 = 4 << 30;
/// What a 64-bit memory reserves: its largest size plus a guard, so an index below
/// [`MAX_RESERVATION_64`] plus an offset and width up to [`GUARD_64`] stays inside it (the
/// extra 64 KiB as for 32-bit memories).
const RESERVATION_64: usize = (MAX_RESERVATION_64 + GUARD_64) as usize + 65536;
/// The largest page count a 64-bit memory type may declare (2^64 bytes).
const MAX_PAGES_64: u64 = 1 << 48;

/// Owns the reservation behind a [`MemoryData`] (boxed so compiled code can hold pointers).
pub struct LinearMemory {
    pub data: Box<MemoryData>,
    /// Registers the whole reservation with the fault handler while it is mapped.
    region: Region,
}

impl LinearMemory {
    pub fn new(
        min_pages: u64,
        max_pages: Option<u64>,
        memory64: bool,
    ) -> Result<LinearMemory, String> {
        let (max, reservation) = if memory64 {
            let max = max_pages.unwrap_or(MAX_PAGES_64).min(MAX_PAGES_64);
            (max, RESERVATION_64)
        } else {
            (max_pages.unwrap_or(65536).min(65536), RESERVATION)
        };
        if min_pages.saturating_mul(PAGE) > MAX_RESERVATION_64.min(reservation as u64) {
            return Err(if memory64 {
                format!("a 64-bit memory's initial size is limited to {MAX_RESERVATION_64} bytes")
            } else {
                "memory size must be at most 65536 pages (4GiB)".into()
            });
        }
        // SAFETY: a fresh anonymous PROT_NONE mapping; nothing aliases it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                reservation,
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
        let region = unsafe { Region::memory(base, reservation)? };
        let mut mem = LinearMemory {
            data: Box::new(MemoryData {
                base: base as *mut u8,
                size_bytes: 0,
                max_pages: max,
                reserved: reservation,
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
    // Neither memory kind may grow into its guard: 32-bit memories stop at 4 GiB by their
    // page limit, 64-bit ones at `MAX_RESERVATION_64`.
    if new > data.max_pages || new.checked_mul(PAGE)? > MAX_RESERVATION_64.min(data.reserved as u64)
    {
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
