//! GDB's JIT interface: telling a debugger about code compiled with debug information
//! (`-D debug-info=y`, see `compile::debuginfo`).
//!
//! gdb keeps a breakpoint in `__jit_debug_register_code` and, when it is hit, reads the
//! in-memory object file that `__jit_debug_descriptor.relevant_entry` points to. The
//! protocol: link an entry into the descriptor's list, set the action, call the function.
//! The C shim defines both symbols weak (`shim/gdbjit.c`): the `rt` executable links no
//! LLVM, and a process that links LLVM's definitions (for its own JIT) uses those instead,
//! so there is always exactly one descriptor for a debugger to read.
//!
//! The object handed over is a copy of the relocatable object the loader mapped, with each
//! loaded section's `sh_addr` set to where it went and the debug sections' relocations
//! applied against those addresses; gdb then places every symbol and line where the code is.
use super::loader::LoadedCode;
use std::sync::Mutex;

#[repr(C)]
struct JitCodeEntry {
    next: *mut JitCodeEntry,
    prev: *mut JitCodeEntry,
    symfile_addr: *const u8,
    symfile_size: u64,
}

#[repr(C)]
struct JitDescriptor {
    version: u32,
    action_flag: u32,
    relevant_entry: *mut JitCodeEntry,
    first_entry: *mut JitCodeEntry,
}

const JIT_REGISTER_FN: u32 = 1;
const JIT_UNREGISTER_FN: u32 = 2;

extern "C" {
    static mut __jit_debug_descriptor: JitDescriptor;
    fn __jit_debug_register_code();
}

/// The descriptor is process-wide; entries come and go from any thread.
static LOCK: Mutex<()> = Mutex::new(());

/// The objects of one loaded module, registered with the debugger until dropped.
pub(crate) struct Registration {
    /// The entries (boxed: the debugger holds their addresses) and the images they point to.
    entries: Vec<(Box<JitCodeEntry>, Box<[u8]>)>,
}

// SAFETY: the entries are only touched under `LOCK`; the images are immutable.
unsafe impl Send for Registration {}
unsafe impl Sync for Registration {}

/// Register every object of `code` that carries debug information.
pub(crate) fn register(objects: &[Vec<u8>], code: &LoadedCode) -> Registration {
    let mut entries = Vec::new();
    for (n, bytes) in objects.iter().enumerate() {
        let Some(image) = debug_image(n, bytes, code) else {
            continue;
        };
        let image = image.into_boxed_slice();
        let mut entry = Box::new(JitCodeEntry {
            next: std::ptr::null_mut(),
            prev: std::ptr::null_mut(),
            symfile_addr: image.as_ptr(),
            symfile_size: image.len() as u64,
        });
        let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: the descriptor's list is only changed under `LOCK` (rt never uses LLVM's
        // own JIT, the other writer); the entry is boxed, so its address stays valid until
        // `Drop` unlinks it.
        unsafe {
            let d = &raw mut __jit_debug_descriptor;
            let e: *mut JitCodeEntry = &mut *entry;
            (*e).next = (*d).first_entry;
            if !(*d).first_entry.is_null() {
                (*(*d).first_entry).prev = e;
            }
            (*d).first_entry = e;
            (*d).relevant_entry = e;
            (*d).action_flag = JIT_REGISTER_FN;
            __jit_debug_register_code();
        }
        entries.push((entry, image));
    }
    Registration { entries }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for (entry, _) in &mut self.entries {
            // SAFETY: as in `register`; the entry is linked (it was registered).
            unsafe {
                let d = &raw mut __jit_debug_descriptor;
                let e: *mut JitCodeEntry = &mut **entry;
                if !(*e).prev.is_null() {
                    (*(*e).prev).next = (*e).next;
                } else {
                    (*d).first_entry = (*e).next;
                }
                if !(*e).next.is_null() {
                    (*(*e).next).prev = (*e).prev;
                }
                (*d).relevant_entry = e;
                (*d).action_flag = JIT_UNREGISTER_FN;
                __jit_debug_register_code();
            }
        }
    }
}

/// Object `n` as the debugger should see it (None without debug info or if it is not the
/// 64-bit little-endian ELF the compiler writes).
fn debug_image(n: usize, bytes: &[u8], code: &LoadedCode) -> Option<Vec<u8>> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(bytes).ok()?;
    file.section_by_name(".debug_info")?;
    let mut image = bytes.to_vec();
    // ELF64 header: e_shoff at 0x28, e_shentsize at 0x3a, e_shnum at 0x3c.
    let shoff = u64::from_le_bytes(bytes.get(0x28..0x30)?.try_into().ok()?) as usize;
    let shentsize = u16::from_le_bytes(bytes.get(0x3a..0x3c)?.try_into().ok()?) as usize;
    if bytes.get(4) != Some(&2) || shentsize != 64 {
        return None;
    }
    for (&(obj, index), &addr) in &code.sections {
        if obj != n {
            continue;
        }
        // sh_addr is at offset 16 of a section header.
        let at = shoff.checked_add(index.checked_mul(shentsize)?)? + 16;
        image
            .get_mut(at..at + 8)?
            .copy_from_slice(&(addr as u64).to_le_bytes());
    }
    let relocated = super::addrmap::relocate_object(n, bytes, code)?;
    for (name, data) in relocated {
        let Some((start, size)) = file.section_by_name(name).and_then(|s| s.file_range()) else {
            continue;
        };
        let (start, size) = (start as usize, size as usize);
        if data.len() == size {
            image.get_mut(start..start + size)?.copy_from_slice(&data);
        }
    }
    Some(image)
}
