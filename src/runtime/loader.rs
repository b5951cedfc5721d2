//! An in-process loader for the ELF relocatable objects LLVM emits: map the allocated
//! sections into one region, apply the x86-64 relocations, make the region executable.
//! Compiled code references nothing outside itself except a few routines LLVM may synthesise
//! (memset/memcpy/memmove, bound to the shim's own; rounding fallbacks; the shim's exception
//! routines), reached through stubs placed after the sections. The mapping is registered with
//! the fault handler as wasm code, and its `.eh_frame` sections with the unwinder.
use super::faults::{self, Region};
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
    /// Where each loaded section went: (object, section index) -> address. Reading an
    /// object's debug sections (the address map, see `addrmap`) relocates against these.
    pub sections: HashMap<(usize, usize), usize>,
    /// Registers the mapping as wasm code with the fault handler while it is mapped.
    region: Region,
    /// The `.eh_frame` sections registered with the unwinder (wasm exceptions unwind through
    /// compiled code with them), deregistered before the mapping goes.
    eh_frames: Vec<usize>,
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
        for &f in &self.eh_frames {
            // SAFETY: registered by `load`, once, and still mapped.
            unsafe { __deregister_frame(f as *const u8) };
        }
        self.region.unregister();
        // SAFETY: the mapping made in `load`.
        unsafe {
            libc::munmap(self.base as *mut libc::c_void, self.len);
        }
    }
}

fn external_symbol(name: &str) -> Option<usize> {
    Some(match name {
        // The shim's, not libc's: a guest access may fault inside them (see `faults`).
        "memset" | "memcpy" | "memmove" => return faults::guest_builtin(name),
        // Throwing and catching wasm exceptions (the personality routines are named by the
        // unwind tables).
        "rt_exn_raise" | "rt_exn_uncaught" | "rt_eh_personality" | "rt_eh_personality_entry" => {
            return super::exn::external_symbol(name)
        }
        // Rounding is inline with SSE4.1; without it LLVM calls these.
        "ceilf" => math::ceilf as *const () as usize,
        "ceil" => math::ceil as *const () as usize,
        "floorf" => math::floorf as *const () as usize,
        "floor" => math::floor as *const () as usize,
        "truncf" => math::truncf as *const () as usize,
        "trunc" => math::trunc as *const () as usize,
        "roundevenf" => math::roundevenf as *const () as usize,
        "roundeven" => math::roundeven as *const () as usize,
        _ => return None,
    })
}

/// Fallbacks for the libm calls LLVM emits for rounding intrinsics on CPUs without SSE4.1.
mod math {
    pub extern "C" fn ceilf(x: f32) -> f32 {
        x.ceil()
    }
    pub extern "C" fn ceil(x: f64) -> f64 {
        x.ceil()
    }
    pub extern "C" fn floorf(x: f32) -> f32 {
        x.floor()
    }
    pub extern "C" fn floor(x: f64) -> f64 {
        x.floor()
    }
    pub extern "C" fn truncf(x: f32) -> f32 {
        x.trunc()
    }
    pub extern "C" fn trunc(x: f64) -> f64 {
        x.trunc()
    }
    pub extern "C" fn roundevenf(x: f32) -> f32 {
        x.round_ties_even()
    }
    pub extern "C" fn roundeven(x: f64) -> f64 {
        x.round_ties_even()
    }
}

const STUB_SIZE: usize = 16;

type Elf<'a> = ElfFile64<'a, object::Endianness>;

fn is_alloc(s: &object::read::elf::ElfSection64<'_, '_, object::Endianness>) -> bool {
    matches!(s.flags(), SectionFlags::Elf { sh_flags } if sh_flags & u64::from(elf::SHF_ALLOC) != 0)
}

fn is_eh_frame(s: &object::read::elf::ElfSection64<'_, '_, object::Endianness>) -> bool {
    s.name().unwrap_or("") == ".eh_frame"
}

extern "C" {
    // libgcc's (Rust's std links libgcc_s): add or remove one `.eh_frame` section, ended by
    // a zero length word, to or from the unwinder's tables.
    fn __register_frame(begin: *const u8);
    fn __deregister_frame(begin: *const u8);
}

/// Map one or more objects (partitions of one module) into a single region, resolving
/// symbols between them, and return the executable code.
pub fn load(objects: &[Vec<u8>]) -> Result<LoadedCode, String> {
    let files: Vec<Elf> = objects
        .iter()
        .map(|b| Elf::parse(b.as_slice()).map_err(|e| format!("bad object: {e}")))
        .collect::<Result<_, _>>()?;
    // Lay out every allocated section of every object.
    let mut offsets: HashMap<(usize, object::SectionIndex), usize> = HashMap::new();
    let mut size = 0usize;
    for (n, file) in files.iter().enumerate() {
        for s in file.sections() {
            if !is_alloc(&s) {
                continue;
            }
            let align = s.align().max(1) as usize;
            size = size.div_ceil(align) * align;
            offsets.insert((n, s.index()), size);
            size += s.size() as usize;
            // The unwinder reads an `.eh_frame` up to a zero length word, which the linker
            // would append: leave four (zero) bytes after it.
            if is_eh_frame(&s) {
                size += 4;
            }
        }
    }
    // Symbols defined by some object (offsets into the region), and external ones.
    let mut defined: HashMap<String, (usize, usize)> = HashMap::new();
    for (n, file) in files.iter().enumerate() {
        for sym in file.symbols() {
            if let (true, Ok(name), Some(sec)) =
                (sym.is_definition(), sym.name(), sym.section_index())
            {
                if let Some(off) = offsets.get(&(n, sec)) {
                    defined.insert(
                        name.to_string(),
                        (off + sym.address() as usize, sym.size() as usize),
                    );
                }
            }
        }
    }
    let mut externals: Vec<(String, usize)> = Vec::new();
    for file in &files {
        for sym in file.symbols() {
            let name = sym.name().unwrap_or("");
            if !sym.is_undefined() || name.is_empty() || defined.contains_key(name) {
                continue;
            }
            if externals.iter().any(|(n, _)| n == name) {
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
    // SAFETY: the mapping just made, owned by nothing else yet.
    let region = unsafe { Region::code(base, len)? };
    let mut code = LoadedCode {
        base: base as *mut u8,
        len,
        symbols: HashMap::new(),
        sections: HashMap::new(),
        region,
        eh_frames: Vec::new(),
    };
    // SAFETY: the mapping is ours, `len` bytes, writable until the mprotect below.
    let image = unsafe { std::slice::from_raw_parts_mut(code.base, len) };
    let at = |off: usize| code.base as usize + off;
    for (n, file) in files.iter().enumerate() {
        for s in file.sections() {
            if let Some(&off) = offsets.get(&(n, s.index())) {
                if let Ok(data) = s.data() {
                    image[off..off + data.len()].copy_from_slice(data);
                }
            }
        }
    }
    // External stubs: `jmp *0(%rip); .quad addr` -- the quad doubles as the GOT slot.
    let mut stub_of: HashMap<String, usize> = HashMap::new();
    for (i, (name, addr)) in externals.iter().enumerate() {
        let off = stubs_at + i * STUB_SIZE;
        image[off..off + 6].copy_from_slice(&[0xff, 0x25, 0, 0, 0, 0]);
        image[off + 6..off + 14].copy_from_slice(&(*addr as u64).to_le_bytes());
        stub_of.insert(name.clone(), at(off));
    }
    for (n, file) in files.iter().enumerate() {
        let resolve = |idx: object::SymbolIndex| -> Result<(usize, Option<usize>), String> {
            let sym = file.symbol_by_index(idx).map_err(|e| e.to_string())?;
            let name = sym.name().unwrap_or("");
            if sym.is_undefined() {
                if let Some((off, _)) = defined.get(name) {
                    return Ok((at(*off), None));
                }
                let stub = *stub_of
                    .get(name)
                    .ok_or_else(|| format!("unresolved symbol `{name}`"))?;
                return Ok((stub, Some(stub + 6)));
            }
            let sec = sym
                .section_index()
                .ok_or("relocation against an absolute symbol")?;
            let off = offsets
                .get(&(n, sec))
                .ok_or("relocation against an unloaded section")?;
            Ok((at(off + sym.address() as usize), None))
        };
        for s in file.sections() {
            let Some(&sec_off) = offsets.get(&(n, s.index())) else {
                continue;
            };
            for (r_at, rel) in s.relocations() {
                let RelocationTarget::Symbol(idx) = rel.target() else {
                    return Err("unsupported relocation target".into());
                };
                let (target, got) = resolve(idx)?;
                let RelocationFlags::Elf { r_type } = rel.flags() else {
                    return Err("not an ELF relocation".into());
                };
                let p = sec_off + r_at as usize;
                apply_relocation(image, p, at(p), r_type, target, got, rel.addend())?;
            }
        }
    }
    for (name, (off, size)) in defined {
        code.symbols.insert(name, (at(off), size));
    }
    for (&(n, sec), &off) in &offsets {
        code.sections.insert((n, sec.0), at(off));
    }
    let mut eh_frames = Vec::new();
    for (n, file) in files.iter().enumerate() {
        for s in file.sections() {
            if let (true, Some(&off)) = (
                is_eh_frame(&s) && s.size() > 0,
                offsets.get(&(n, s.index())),
            ) {
                eh_frames.push(at(off));
            }
        }
    }
    // SAFETY: our own mapping; from here on it is only read and executed.
    let rc = unsafe { libc::mprotect(base, len, libc::PROT_READ | libc::PROT_EXEC) };
    if rc != 0 {
        return Err("could not make compiled code executable".into());
    }
    for f in eh_frames {
        // SAFETY: a complete, relocated `.eh_frame` with its terminator, mapped until `code`
        // is dropped, which deregisters it.
        unsafe { __register_frame(f as *const u8) };
        code.eh_frames.push(f);
    }
    Ok(code)
}

fn put32(image: &mut [u8], p: usize, v: i64, what: &str) -> Result<(), String> {
    let v = i32::try_from(v).map_err(|_| format!("{what} relocation out of range"))?;
    image[p..p + 4].copy_from_slice(&v.to_le_bytes());
    Ok(())
}

/// Apply one x86-64 relocation at image offset `p` (address `place`).
fn apply_relocation(
    image: &mut [u8],
    p: usize,
    place: usize,
    r_type: u32,
    target: usize,
    got: Option<usize>,
    addend: i64,
) -> Result<(), String> {
    match r_type {
        elf::R_X86_64_64 => {
            image[p..p + 8].copy_from_slice(&((target as i64 + addend) as u64).to_le_bytes())
        }
        elf::R_X86_64_PC64 => {
            image[p..p + 8].copy_from_slice(&(target as i64 + addend - place as i64).to_le_bytes())
        }
        elf::R_X86_64_PC32 | elf::R_X86_64_PLT32 => {
            put32(image, p, target as i64 + addend - place as i64, "PC32")?
        }
        elf::R_X86_64_GOTPCREL | elf::R_X86_64_GOTPCRELX | elf::R_X86_64_REX_GOTPCRELX => {
            let slot = got.ok_or("GOT relocation against a local symbol")?;
            put32(image, p, slot as i64 + addend - place as i64, "GOTPCREL")?
        }
        other => return Err(format!("unsupported relocation type {other}")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::external_symbol;

    #[test]
    fn rounding_fallbacks_follow_wasm_semantics() {
        let f32_fn = |name| {
            let addr = external_symbol(name).expect("known symbol");
            // SAFETY: the address is one of the `extern "C" fn(f32) -> f32` fallbacks.
            unsafe { std::mem::transmute::<usize, extern "C" fn(f32) -> f32>(addr) }
        };
        assert_eq!(f32_fn("roundevenf")(2.5), 2.0);
        assert_eq!(f32_fn("roundevenf")(-3.5), -4.0);
        assert_eq!(f32_fn("ceilf")(-0.5).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_fn("truncf")(-1.7), -1.0);
        assert!(external_symbol("printf").is_none());
    }
}
