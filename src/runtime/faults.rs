//! Which faults are wasm traps. The fault handler (`shim/trap.c`) claims a SIGSEGV or SIGBUS
//! only when the faulting pc lies in compiled wasm code and the faulting address in a linear
//! memory's reservation (SIGFPE and SIGILL: the pc alone); everything else is a real crash.
//! This module registers those address ranges with the handler for as long as they are mapped,
//! binds the memset/memcpy/memmove that compiled code calls to the shim's own (whose pcs the
//! handler knows), and holds the hook that lets a test fault inside a Rust helper.
use super::vm::abi::region_kind;
use super::vm::{HelperTable, VmCtx};
use std::ffi::c_void;
use std::ops::Range;

extern "C" {
    fn rt_region_register(kind: i32, start: usize, end: usize) -> *mut c_void;
    fn rt_region_unregister(token: *mut c_void);
    fn rt_guest_memset();
    fn rt_guest_memcpy();
    fn rt_guest_memmove();
}

/// A range the fault handler may claim faults in, registered until [`Region::unregister`] or
/// drop. Owners unregister before unmapping, so the handler never claims a fault in memory
/// that has since been mapped again for something else.
pub(crate) struct Region(*mut c_void);

// SAFETY: the token is only handed back to the shim, which serialises writers on a mutex.
unsafe impl Send for Region {}
unsafe impl Sync for Region {}

impl Region {
    /// Code the loader just mapped: faults whose pc lies here were raised by compiled wasm.
    ///
    /// # Safety
    /// `base..base + len` must be a mapping the caller just made and shares with nothing: it
    /// is unmapped here if registering fails.
    pub unsafe fn code(base: *mut c_void, len: usize) -> Result<Region, String> {
        Region::for_new_mapping(region_kind::CODE, base, len)
    }

    /// A linear memory's whole reservation: a guest access faulting here is out of bounds.
    ///
    /// # Safety
    /// As for [`Region::code`].
    pub unsafe fn memory(base: *mut c_void, len: usize) -> Result<Region, String> {
        Region::for_new_mapping(region_kind::MEMORY, base, len)
    }

    /// Register a mapping its caller does not own yet: on failure it is unmapped here, so the
    /// caller has nothing to clean up.
    unsafe fn for_new_mapping(kind: i32, base: *mut c_void, len: usize) -> Result<Region, String> {
        Region::register(kind, base as usize..base as usize + len).inspect_err(|_| {
            // SAFETY: the caller's fresh mapping, which nothing else refers to yet.
            libc::munmap(base, len);
        })
    }

    fn register(kind: i32, range: Range<usize>) -> Result<Region, String> {
        // SAFETY: the shim copies the range; the token stays valid until unregistered.
        let token = unsafe { rt_region_register(kind, range.start, range.end) };
        if token.is_null() {
            return Err("out of memory registering a region with the fault handler".into());
        }
        Ok(Region(token))
    }

    /// Stop claiming faults in the range (idempotent).
    pub fn unregister(&mut self) {
        if !self.0.is_null() {
            // SAFETY: a token from `rt_region_register`, unregistered once (nulled below).
            unsafe { rt_region_unregister(self.0) };
            self.0 = std::ptr::null_mut();
        }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        self.unregister();
    }
}

/// The shim's memset/memcpy/memmove, for calls LLVM synthesises in compiled code: a guest
/// access faulting inside libc's would not be recognised as wasm's (see `shim/trap.c`).
pub(crate) fn guest_builtin(name: &str) -> Option<usize> {
    let f: unsafe extern "C" fn() = match name {
        "memset" => rt_guest_memset,
        "memcpy" => rt_guest_memcpy,
        "memmove" => rt_guest_memmove,
        _ => return None,
    };
    Some(f as usize)
}

/// Test hook, off unless `RT_TEST_FAULTING_HELPER=1` is in the environment when a store is
/// created (a wasm module cannot set it): `memory.grow` then calls [`faulting_helper`]
/// instead, so a test can show that a fault in Rust code called from wasm is a crash and not
/// a wasm trap, even when it touches a guest memory's guard region.
pub(crate) fn apply_test_hooks(helpers: &mut HelperTable) {
    if std::env::var_os("RT_TEST_FAULTING_HELPER").is_some_and(|v| v == "1") {
        helpers.memory_grow = faulting_helper;
    }
}

/// A stand-in for a buggy helper: reads 4 GiB into memory 0's reservation, which is never
/// accessible (a memory is at most 4 GiB), so it faults in the guard region with its pc in
/// Rust. (`memory.grow` only validates in a module with a memory 0.)
unsafe extern "C" fn faulting_helper(vmctx: *mut VmCtx, _mem: u32, _delta: u64) -> i64 {
    let guard = (*vmctx).mem_base.wrapping_add(1 << 32);
    i64::from(std::ptr::read_volatile(guard))
}

#[cfg(test)]
mod tests {
    use super::Region;
    use crate::runtime::vm::abi::{region_kind, trap_code};
    use std::ops::Range;

    extern "C" {
        fn rt_fault_trap_code(sig: i32, pc: usize, addr: usize) -> i32;
    }

    fn trap_code_for(sig: i32, pc: usize, addr: usize) -> i32 {
        // SAFETY: a pure query of the shim's registry.
        unsafe { rt_fault_trap_code(sig, pc, addr) }
    }

    fn memory(range: Range<usize>) -> Region {
        Region::register(region_kind::MEMORY, range).unwrap()
    }

    /// Ranges above the canonical x86-64 address space: nothing real is ever mapped there,
    /// so regions other tests register in parallel cannot overlap them.
    const CODE: usize = 0x9000_0000_0000_0000;
    const MEM: usize = 0xa000_0000_0000_0000;

    #[test]
    fn a_fault_is_claimed_only_from_wasm_code_touching_a_memory() {
        let mut code = Region::register(region_kind::CODE, CODE..CODE + 4096).unwrap();
        let _mem = memory(MEM..MEM + (1 << 33));
        let (segv, bus) = (libc::SIGSEGV, libc::SIGBUS);
        // Compiled code touching a memory's reservation: out of bounds.
        assert_eq!(
            trap_code_for(segv, CODE + 8, MEM + (1 << 32)),
            trap_code::OOB_MEMORY
        );
        assert_eq!(trap_code_for(bus, CODE, MEM), trap_code::OOB_MEMORY);
        // The same access from outside compiled code (a Rust helper, libc): a real crash.
        assert_eq!(trap_code_for(segv, CODE + 4096, MEM), 0);
        assert_eq!(trap_code_for(segv, CODE - 1, MEM), 0);
        // Compiled code touching anything but a memory (null, the end of the reservation).
        assert_eq!(trap_code_for(segv, CODE, 0), 0);
        assert_eq!(trap_code_for(segv, CODE, MEM + (1 << 33)), 0);
        // SIGFPE and SIGILL depend on the pc only.
        assert_eq!(
            trap_code_for(libc::SIGFPE, CODE, 0),
            trap_code::INT_DIV_ZERO
        );
        assert_eq!(trap_code_for(libc::SIGILL, CODE, 0), trap_code::UNREACHABLE);
        assert_eq!(trap_code_for(libc::SIGFPE, CODE + 4096, 0), 0);
        // Unregistered code is no longer wasm's.
        code.unregister();
        assert_eq!(trap_code_for(segv, CODE + 8, MEM), 0);
    }

    #[test]
    fn faults_in_the_guest_builtins_are_wasm_faults() {
        let _mem = memory(MEM + (1 << 40)..MEM + (1 << 41));
        for name in ["memset", "memcpy", "memmove"] {
            let pc = super::guest_builtin(name).unwrap();
            let code = trap_code_for(libc::SIGSEGV, pc, MEM + (1 << 40));
            assert_eq!(code, trap_code::OOB_MEMORY, "{name}");
        }
        assert!(super::guest_builtin("printf").is_none());
    }

    #[test]
    fn registry_grows_past_one_chunk_and_reuses_freed_slots() {
        let base = MEM + (1 << 50);
        let regions: Vec<Region> = (0..300)
            .map(|i| memory(base + i * 16..base + i * 16 + 8))
            .collect();
        let pc = super::guest_builtin("memcpy").unwrap();
        for i in [0usize, 150, 299] {
            let at = base + i * 16 + 7;
            assert_eq!(trap_code_for(libc::SIGSEGV, pc, at), trap_code::OOB_MEMORY);
            assert_eq!(trap_code_for(libc::SIGSEGV, pc, at + 1), 0);
        }
        drop(regions);
        assert_eq!(trap_code_for(libc::SIGSEGV, pc, base), 0);
        let again = memory(base..base + 8);
        assert_eq!(
            trap_code_for(libc::SIGSEGV, pc, base),
            trap_code::OOB_MEMORY
        );
        drop(again);
    }

    /// The builtins behave as libc's do, including overlapping moves in both directions.
    #[test]
    fn guest_builtins_match_libc() {
        type Fill = unsafe extern "C" fn(*mut u8, i32, usize) -> *mut u8;
        type Copy = unsafe extern "C" fn(*mut u8, *const u8, usize) -> *mut u8;
        let addr = |n| super::guest_builtin(n).unwrap();
        // SAFETY: the builtins have libc's signatures.
        let (memset, memcpy, memmove) = unsafe {
            (
                std::mem::transmute::<usize, Fill>(addr("memset")),
                std::mem::transmute::<usize, Copy>(addr("memcpy")),
                std::mem::transmute::<usize, Copy>(addr("memmove")),
            )
        };
        let fresh = || (0..64u8).collect::<Vec<u8>>();
        // SAFETY: every range below lies inside `buf` (64 bytes).
        unsafe {
            let mut buf = fresh();
            let p = buf.as_mut_ptr();
            assert_eq!(memset(p.add(3), 0x1ab, 5), p.add(3));
            assert_eq!(&buf[2..9], &[2, 0xab, 0xab, 0xab, 0xab, 0xab, 8]);
            let src = fresh();
            let mut buf = vec![0u8; 64];
            assert_eq!(
                memcpy(buf.as_mut_ptr(), src.as_ptr().add(10), 20),
                buf.as_mut_ptr()
            );
            assert_eq!(&buf[..20], &src[10..30]);
            for (dst, src_at, len) in [(10, 4, 30), (4, 10, 30), (7, 7, 9), (0, 0, 0)] {
                let mut buf = fresh();
                let mut want = fresh();
                want.copy_within(src_at..src_at + len, dst);
                let p = buf.as_mut_ptr();
                assert_eq!(memmove(p.add(dst), p.add(src_at), len), p.add(dst));
                assert_eq!(buf, want, "memmove({dst}, {src_at}, {len})");
            }
        }
    }
}
