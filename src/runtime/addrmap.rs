//! Detailed trap backtraces: native pc -> wasm instruction -> source position.
//!
//! Code compiled with an address map (`compile::addrmap`) carries LLVM debug info whose
//! "lines" are wasm byte offsets; reading an object's DWARF with `addr2line` therefore turns
//! a native pc into the offsets of the wasm instructions it came from: the innermost one,
//! then one per call that LLVM inlined, which become frames of their own (as they were in
//! the wasm program). The module's own DWARF (custom sections `.debug_*`, as `clang -g` and
//! `rustc` write them, addressed relative to the code section) then gives each instruction
//! its source function, file, line and column.
//!
//! All of this runs only when a trap is reported with details asked for; the objects' debug
//! sections are relocated into private copies (the loaded code has none of them).
use super::loader::LoadedCode;
use super::store::CompiledModule;
use super::trap::{FrameInfo, FrameSymbol};
use crate::module::Module;
use gimli::{EndianSlice, LittleEndian, SectionId};
use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget};
use std::collections::HashMap;

type Reader<'a> = EndianSlice<'a, LittleEndian>;
type Context<'a> = addr2line::Context<Reader<'a>>;

/// One compiled module's address map and DWARF, parsed for a trap's frames.
pub(crate) struct Symbolizer<'a> {
    module: &'a Module,
    /// One context per object (partition) that has an address map.
    natives: Vec<Context<'a>>,
    /// The module's own DWARF, if it has any.
    wasm: Option<Context<'a>>,
    /// Where the code section's payload starts: wasm DWARF addresses are relative to it.
    code_start: u64,
}

/// Debug sections relocated for reading, by name (what `Symbolizer` borrows from).
pub(crate) struct Sections {
    objects: Vec<HashMap<&'static str, Vec<u8>>>,
}

/// The debug sections of every object of `code`, with their relocations applied against the
/// addresses the loader gave the code sections (debug sections refer to each other by
/// offsets from their own starts, so a symbol in a non-loaded section counts from 0).
pub(crate) fn relocated_sections(objects: &[Vec<u8>], code: &LoadedCode) -> Sections {
    let objects = objects
        .iter()
        .enumerate()
        .map(|(n, bytes)| relocate_object(n, bytes, code).unwrap_or_default())
        .collect();
    Sections { objects }
}

pub(crate) fn relocate_object(
    n: usize,
    bytes: &[u8],
    code: &LoadedCode,
) -> Option<HashMap<&'static str, Vec<u8>>> {
    let file = object::File::parse(bytes).ok()?;
    let mut out = HashMap::new();
    for id in DEBUG_SECTIONS {
        let Some(section) = file.section_by_name(id.name()) else {
            continue;
        };
        let mut data = section.data().ok()?.to_vec();
        for (at, rel) in section.relocations() {
            let RelocationTarget::Symbol(idx) = rel.target() else {
                continue;
            };
            let Ok(sym) = file.symbol_by_index(idx) else {
                continue;
            };
            let base = match sym.section_index() {
                Some(sec) => code.sections.get(&(n, sec.0)).copied().unwrap_or(0),
                None => continue,
            };
            let value = (base as u64)
                .wrapping_add(sym.address())
                .wrapping_add(rel.addend() as u64);
            let at = at as usize;
            match rel.size() {
                64 if at + 8 <= data.len() => {
                    data[at..at + 8].copy_from_slice(&value.to_le_bytes())
                }
                32 if at + 4 <= data.len() => {
                    data[at..at + 4].copy_from_slice(&(value as u32).to_le_bytes())
                }
                _ => {}
            }
        }
        out.insert(id.name(), data);
    }
    Some(out)
}

/// The sections `addr2line` reads.
const DEBUG_SECTIONS: [SectionId; 11] = [
    SectionId::DebugAbbrev,
    SectionId::DebugAddr,
    SectionId::DebugInfo,
    SectionId::DebugLine,
    SectionId::DebugLineStr,
    SectionId::DebugRanges,
    SectionId::DebugRngLists,
    SectionId::DebugStr,
    SectionId::DebugStrOffsets,
    SectionId::DebugAranges,
    SectionId::DebugTypes,
];

fn context<'a>(section: impl Fn(SectionId) -> &'a [u8]) -> Option<Context<'a>> {
    let dwarf = gimli::Dwarf::load(|id| -> Result<Reader<'a>, ()> {
        Ok(EndianSlice::new(section(id), LittleEndian))
    })
    .ok()?;
    addr2line::Context::from_dwarf(dwarf).ok()
}

impl<'a> Symbolizer<'a> {
    pub fn new(compiled: &'a CompiledModule, sections: &'a Sections) -> Symbolizer<'a> {
        let module = &*compiled.module;
        let natives = sections
            .objects
            .iter()
            .filter(|o| o.contains_key(SectionId::DebugLine.name()))
            .filter_map(|o| context(|id| o.get(id.name()).map_or(&[][..], |v| &v[..])))
            .collect();
        let custom = |id: SectionId| -> &'a [u8] {
            module
                .custom_sections
                .iter()
                .find(|c| c.name == id.name())
                .and_then(|c| module.bytes.get(c.data.clone()))
                .unwrap_or(&[])
        };
        let has_dwarf = !custom(SectionId::DebugInfo).is_empty();
        let wasm = if has_dwarf { context(custom) } else { None };
        let code_start = module
            .sections
            .iter()
            .find(|s| s.id == 10)
            .map_or(0, |s| s.range.start as u64);
        Symbolizer {
            module,
            natives,
            wasm,
            code_start,
        }
    }

    /// The wasm frames at native pc `pc` (inside an instruction: a return address minus
    /// one), innermost first: more than one where calls were inlined.
    pub fn frames(&self, pc: usize, func_index: u32) -> Vec<FrameInfo> {
        let mut offsets = Vec::new();
        // Code compiled with debug info (`-D debug-info`) has the source positions
        // themselves in place of the address map's wasm offsets.
        let mut source = Vec::new();
        for ctx in &self.natives {
            let Ok(mut frames) = ctx.find_frames(pc as u64).skip_all_loads() else {
                continue;
            };
            while let Ok(Some(frame)) = frames.next() {
                let file = frame.location.as_ref().and_then(|l| l.file);
                if file.is_some_and(|f| f.ends_with(crate::aot::ADDR_MAP_FILE)) {
                    let line = frame.location.and_then(|l| l.line).unwrap_or(0);
                    offsets.push(line as usize);
                } else {
                    source.push(symbol(&frame));
                }
            }
            if !offsets.is_empty() || !source.is_empty() {
                break;
            }
        }
        if offsets.is_empty() && source.iter().any(|s| s.line.is_some_and(|l| l != 0)) {
            // One frame (a debugger's view: functions LLVM inlined are its symbols).
            let mut frame = self.frame(func_index, None);
            frame.symbols = source;
            return vec![frame];
        }
        if offsets.is_empty() {
            // No address map (or no location for this pc): the function alone.
            return vec![self.frame(func_index, None)];
        }
        let mut out = Vec::new();
        for (i, &offset) in offsets.iter().enumerate() {
            // Line 0 is "no location" (code LLVM made up); the outermost frame is this
            // pc's own function.
            let outermost = i + 1 == offsets.len();
            let index = match self.func_at(offset) {
                Some(index) if offset != 0 => index,
                _ if outermost => func_index,
                _ => continue,
            };
            out.push(self.frame(index, (offset != 0).then_some(offset)));
        }
        out
    }

    fn frame(&self, func_index: u32, offset: Option<usize>) -> FrameInfo {
        FrameInfo {
            func_index,
            func_name: self.module.func_name(func_index).map(str::to_string),
            module_name: self.module.names.module.clone(),
            module_offset: offset,
            symbols: offset.map(|o| self.symbols(o)).unwrap_or_default(),
        }
    }

    /// The defined function whose body holds module offset `offset`.
    fn func_at(&self, offset: usize) -> Option<u32> {
        let code = &self.module.code;
        let i = code.partition_point(|c| c.body.start <= offset);
        let c = code.get(i.checked_sub(1)?)?;
        (offset < c.body.end).then(|| self.module.num_imported_funcs + (i - 1) as u32)
    }

    /// The source positions the module's DWARF gives the instruction at `offset`.
    fn symbols(&self, offset: usize) -> Vec<FrameSymbol> {
        let mut out = Vec::new();
        let Some(ctx) = &self.wasm else {
            return out;
        };
        let Some(probe) = (offset as u64).checked_sub(self.code_start) else {
            return out;
        };
        let Ok(mut frames) = ctx.find_frames(probe).skip_all_loads() else {
            return out;
        };
        while let Ok(Some(frame)) = frames.next() {
            out.push(symbol(&frame));
        }
        out
    }
}

/// What DWARF says about one (possibly inlined) frame.
fn symbol(frame: &addr2line::Frame<'_, Reader<'_>>) -> FrameSymbol {
    FrameSymbol {
        name: frame
            .function
            .as_ref()
            .and_then(|f| f.raw_name().ok())
            .map(|n| n.into_owned()),
        file: frame
            .location
            .as_ref()
            .and_then(|l| l.file)
            .map(str::to_string),
        line: frame.location.as_ref().and_then(|l| l.line),
        column: frame.location.as_ref().and_then(|l| l.column),
    }
}
