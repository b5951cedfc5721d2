//! An in-process loader for the ELF relocatable objects LLVM emits: map the allocated
//! sections into one region, apply the x86-64 relocations, make the region executable.
//! Compiled code references nothing outside itself except a few libc routines LLVM may
//! synthesise (memset/memcpy/memmove), reached through stubs placed after the sections.
use object::elf;
use object::read::elf::ElfFile64;
use object::{
    Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionFlags,
};
use std::collections::HashMap;

/// Native code mapped into this process.
pub struct LoadedCode {
    base: *mut u8,
    len: usize,
    /// Defined symbols: name -> (address, size).
    pub symbols: HashMap<String, (usize, usize)>,
}

// SAFETY: the mapping is immutable after loading; it is only read and executed.
unsafe impl Send for LoadedCode {}
unsafe impl Sync for LoadedCode {}

impl LoadedCode {
    pub fn symbol(&self, name: &str) -> Option<usize> {
        self.symbols.get(name).map(|s| s.0)
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.base as usize..self.base as usize + self.len
    }
}

impl Drop for LoadedCode {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `load`.
        unsafe {
            libc::munmap(self.base as *mut libc::c_void, self.len);
        }
    }
}

fn external_symbol(name: &str) -> Option<usize> {
    Some(match name {
        "memset" => libc::memset as *const () as usize,
        "memcpy" => libc::memcpy as *const () as usize,
        "memmove" => libc::memmove as *const () as usize,
        _ => return None,
    })
}

const STUB_SIZE: usize = 16;

pub fn load(bytes: &[u8]) -> Result<LoadedCode, String> {
    let file =
        ElfFile64::<object::Endianness>::parse(bytes).map_err(|e| format!("bad object: {e}"))?;
    // Lay out allocated sections (minus unwind tables, which nothing uses).
    let mut offsets: HashMap<object::SectionIndex, usize> = HashMap::new();
    let mut size = 0usize;
    for s in file.sections() {
        let alloc = matches!(s.flags(), SectionFlags::Elf { sh_flags } if sh_flags & u64::from(elf::SHF_ALLOC) != 0);
        if !alloc || s.name().unwrap_or("") == ".eh_frame" {
            continue;
        }
        let align = s.align().max(1) as usize;
        size = size.div_ceil(align) * align;
        offsets.insert(s.index(), size);
        size += s.size() as usize;
    }
    // Stubs (and GOT slots) for external symbols.
    let mut externals: Vec<(String, usize)> = Vec::new();
    for sym in file.symbols() {
        if sym.is_undefined() {
            let name = sym.name().unwrap_or("");
            if name.is_empty() {
                continue;
            }
            let addr = external_symbol(name)
                .ok_or_else(|| format!("compiled code references unknown symbol `{name}`"))?;
            externals.push((name.to_string(), addr));
        }
    }
    size = size.div_ceil(16) * 16;
    let stubs_at = size;
    size += externals.len() * STUB_SIZE;
    let page = 4096;
    let len = size.max(1).div_ceil(page) * page;
    // SAFETY: a fresh private mapping.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err("could not map memory for compiled code".into());
    }
    let code = LoadedCode {
        base: base as *mut u8,
        len,
        symbols: HashMap::new(),
    };
    let image = unsafe { std::slice::from_raw_parts_mut(code.base, len) };
    for s in file.sections() {
        if let Some(&off) = offsets.get(&s.index()) {
            if let Ok(data) = s.data() {
                if !data.is_empty() {
                    image[off..off + data.len()].copy_from_slice(data);
                }
            }
        }
    }
    let mut stub_addr: HashMap<String, usize> = HashMap::new();
    for (i, (name, addr)) in externals.iter().enumerate() {
        // jmp *0(%rip); .quad addr  -- the quad doubles as the symbol's GOT slot.
        let at = stubs_at + i * STUB_SIZE;
        image[at..at + 6].copy_from_slice(&[0xff, 0x25, 0, 0, 0, 0]);
        image[at + 6..at + 14].copy_from_slice(&(*addr as u64).to_le_bytes());
        stub_addr.insert(name.clone(), code.base as usize + at);
    }
    let sym_addr = |idx: object::SymbolIndex| -> Result<(usize, Option<usize>), String> {
        let sym = file.symbol_by_index(idx).map_err(|e| e.to_string())?;
        if sym.is_undefined() {
            let name = sym.name().unwrap_or("");
            let stub = stub_addr[name];
            return Ok((stub, Some(stub + 6)));
        }
        let sec = sym
            .section_index()
            .ok_or("relocation against an absolute symbol")?;
        let off = offsets
            .get(&sec)
            .ok_or("relocation against an unloaded section")?;
        Ok((code.base as usize + off + sym.address() as usize, None))
    };
    for s in file.sections() {
        let Some(&sec_off) = offsets.get(&s.index()) else {
            continue;
        };
        for (at, rel) in s.relocations() {
            let RelocationTarget::Symbol(idx) = rel.target() else {
                return Err("unsupported relocation target".into());
            };
            let (target, got) = sym_addr(idx)?;
            let place = code.base as usize + sec_off + at as usize;
            let a = rel.addend();
            let RelocationFlags::Elf { r_type } = rel.flags() else {
                return Err("not an ELF relocation".into());
            };
            let p = sec_off + at as usize;
            match r_type {
                elf::R_X86_64_64 => {
                    let v = (target as i64 + a) as u64;
                    image[p..p + 8].copy_from_slice(&v.to_le_bytes());
                }
                elf::R_X86_64_PC64 => {
                    let v = target as i64 + a - place as i64;
                    image[p..p + 8].copy_from_slice(&v.to_le_bytes());
                }
                elf::R_X86_64_PC32 | elf::R_X86_64_PLT32 => {
                    let v = target as i64 + a - place as i64;
                    let v = i32::try_from(v).map_err(|_| "PC32 relocation out of range")?;
                    image[p..p + 4].copy_from_slice(&v.to_le_bytes());
                }
                elf::R_X86_64_GOTPCREL | elf::R_X86_64_GOTPCRELX | elf::R_X86_64_REX_GOTPCRELX => {
                    let slot = got.ok_or("GOT relocation against a local symbol")?;
                    let v = slot as i64 + a - place as i64;
                    let v = i32::try_from(v).map_err(|_| "GOTPCREL relocation out of range")?;
                    image[p..p + 4].copy_from_slice(&v.to_le_bytes());
                }
                other => return Err(format!("unsupported relocation type {other}")),
            }
        }
    }
    let mut code = code;
    for sym in file.symbols() {
        if sym.is_definition() {
            if let (Ok(name), Some(sec)) = (sym.name(), sym.section_index()) {
                if let Some(off) = offsets.get(&sec) {
                    let addr = code.base as usize + off + sym.address() as usize;
                    code.symbols
                        .insert(name.to_string(), (addr, sym.size() as usize));
                }
            }
        }
    }
    // SAFETY: our own mapping; from here on it is only read and executed.
    let rc = unsafe { libc::mprotect(base, len, libc::PROT_READ | libc::PROT_EXEC) };
    if rc != 0 {
        return Err("could not make compiled code executable".into());
    }
    Ok(code)
}
