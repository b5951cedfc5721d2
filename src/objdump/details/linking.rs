//! The tool-convention sections of relocatable objects in `-x`: the `linking` section's
//! symbol table and segment info, and `reloc.*` relocations, in wabt's words.
use super::super::names::cstr;
use super::super::{c_alt_hex, Ctx, Out};
use crate::module::Section;
use std::fmt::Write as _;
use wasmparser::{KnownCustom, Linking, SymbolFlags, SymbolInfo};

/// Prints what wabt shows for a `linking` or `reloc.*` section; false for other sections.
pub(super) fn print(ctx: &Ctx, s: &Section, out: &mut Out) -> bool {
    let Some(reader) = ctx.module.custom_section_reader(s) else {
        return false;
    };
    match reader.as_known() {
        KnownCustom::Linking(linking) => {
            // Like wabt, print as far as the section reads.
            for subsection in linking.subsections() {
                let Ok(subsection) = subsection else { break };
                linking_subsection(ctx, subsection, out);
            }
            true
        }
        KnownCustom::Reloc(reloc) => {
            relocations(ctx, s, reloc, out);
            true
        }
        _ => false,
    }
}

fn linking_subsection(ctx: &Ctx, subsection: Linking<'_>, out: &mut Out) {
    match subsection {
        Linking::SymbolTable(symbols) => {
            let _ = writeln!(out, "  - symbol table [count={}]", symbols.count());
            for (i, symbol) in symbols.into_iter().enumerate() {
                let Ok(symbol) = symbol else { break };
                let _ = writeln!(out, "   - {i}: {}", symbol_text(ctx, &symbol));
            }
        }
        Linking::SegmentInfo(segments) => {
            let _ = writeln!(out, "  - segment info [count={}]", segments.count());
            for (i, segment) in segments.into_iter().enumerate() {
                let Ok(segment) = segment else { break };
                let mut flags = String::new();
                if segment.flags.contains(wasmparser::SegmentFlags::STRINGS) {
                    flags.push_str(" STRINGS");
                }
                if segment.flags.contains(wasmparser::SegmentFlags::TLS) {
                    flags.push_str(" TLS");
                }
                let _ = writeln!(
                    out,
                    "   - {i}: {} p2align={} [{flags} ]",
                    cstr(segment.name),
                    segment.alignment
                );
            }
        }
        Linking::InitFuncs(funcs) => {
            let _ = writeln!(out, "  - init functions [count={}]", funcs.count());
            for func in funcs.into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "   - {}: priority={}",
                    func.symbol_index, func.priority
                );
            }
        }
        _ => {}
    }
}

/// `F <name> func=4 [ binding=global vis=hidden ]` and its kin.
fn symbol_text(ctx: &Ctx, symbol: &SymbolInfo<'_>) -> String {
    let names = &ctx.names;
    let or_index_name = |name: Option<&str>, fallback: Option<&str>| {
        cstr(name.or(fallback).unwrap_or("")).to_string()
    };
    let (kind, name, what, flags) = match symbol {
        SymbolInfo::Func { flags, index, name } => (
            'F',
            or_index_name(*name, names.func(*index)),
            format!(" func={index}"),
            *flags,
        ),
        SymbolInfo::Global { flags, index, name } => (
            'G',
            or_index_name(*name, names.global(*index)),
            format!(" global={index}"),
            *flags,
        ),
        SymbolInfo::Table { flags, index, name } => (
            'T',
            or_index_name(*name, names.table(*index)),
            format!(" table={index}"),
            *flags,
        ),
        SymbolInfo::Event { flags, index, name } => (
            'E',
            or_index_name(*name, names.tags.get(index).map(String::as_str)),
            format!(" event={index}"),
            *flags,
        ),
        SymbolInfo::Data {
            flags,
            name,
            symbol,
        } => (
            'D',
            cstr(name).to_string(),
            symbol.map_or(String::new(), |d| {
                format!(" segment={} offset={} size={}", d.index, d.offset, d.size)
            }),
            *flags,
        ),
        SymbolInfo::Section { flags, section } => (
            'S',
            section_name(ctx, *section),
            format!(" section={section}"),
            *flags,
        ),
    };
    format!("{kind} <{name}>{what}{}", symbol_flags(flags))
}

/// ` [ undefined binding=global vis=default ]`: the flags wabt spells out.
fn symbol_flags(flags: SymbolFlags) -> String {
    let binding = if flags.contains(SymbolFlags::BINDING_LOCAL) {
        "local"
    } else if flags.contains(SymbolFlags::BINDING_WEAK) {
        "weak"
    } else {
        "global"
    };
    let visibility = if flags.contains(SymbolFlags::VISIBILITY_HIDDEN) {
        "hidden"
    } else {
        "default"
    };
    let mut text = String::from(" [");
    for (flag, word) in [
        (SymbolFlags::UNDEFINED, " undefined"),
        (SymbolFlags::EXPORTED, " exported"),
        (SymbolFlags::EXPLICIT_NAME, " explicit_name"),
        (SymbolFlags::NO_STRIP, " no_strip"),
        (SymbolFlags::TLS, " tls"),
        (SymbolFlags::ABSOLUTE, " abs"),
    ] {
        if flags.contains(flag) {
            text.push_str(word);
        }
    }
    let _ = write!(text, " binding={binding} vis={visibility} ]");
    text
}

/// The relocation type names of the tool conventions, by type code.
const RELOCATION_TYPES: [&str; 27] = [
    "R_WASM_FUNCTION_INDEX_LEB",
    "R_WASM_TABLE_INDEX_SLEB",
    "R_WASM_TABLE_INDEX_I32",
    "R_WASM_MEMORY_ADDR_LEB",
    "R_WASM_MEMORY_ADDR_SLEB",
    "R_WASM_MEMORY_ADDR_I32",
    "R_WASM_TYPE_INDEX_LEB",
    "R_WASM_GLOBAL_INDEX_LEB",
    "R_WASM_FUNCTION_OFFSET_I32",
    "R_WASM_SECTION_OFFSET_I32",
    "R_WASM_TAG_INDEX_LEB",
    "R_WASM_MEMORY_ADDR_REL_SLEB",
    "R_WASM_TABLE_INDEX_REL_SLEB",
    "R_WASM_GLOBAL_INDEX_I32",
    "R_WASM_MEMORY_ADDR_LEB64",
    "R_WASM_MEMORY_ADDR_SLEB64",
    "R_WASM_MEMORY_ADDR_I64",
    "R_WASM_MEMORY_ADDR_REL_SLEB64",
    "R_WASM_TABLE_INDEX_SLEB64",
    "R_WASM_TABLE_INDEX_I64",
    "R_WASM_TABLE_NUMBER_LEB",
    "R_WASM_MEMORY_ADDR_TLS_SLEB",
    "R_WASM_FUNCTION_OFFSET_I64",
    "R_WASM_MEMORY_ADDR_LOCREL_I32",
    "R_WASM_TABLE_INDEX_REL_SLEB64",
    "R_WASM_MEMORY_ADDR_TLS_SLEB64",
    "R_WASM_FUNCTION_INDEX_I32",
];

fn relocations(
    ctx: &Ctx,
    reloc_section: &Section,
    reloc: wasmparser::RelocSectionReader<'_>,
    out: &mut Out,
) {
    let m = ctx.module;
    let target = m.sections.get(reloc.section_index() as usize);
    let entries = reloc.entries();
    let _ = writeln!(
        out,
        "  - relocations for section: {} ({}) [{}]",
        reloc.section_index(),
        section_name(ctx, reloc.section_index()),
        entries.count()
    );
    let symbols = symbol_names(ctx);
    // File offsets count from the target's payload; wabt keeps one start per section kind,
    // so for a custom target that is the last custom section read: this one.
    let base = match target {
        Some(t) if t.id != 0 => t.range.start,
        _ => reloc_section.range.start,
    };
    for entry in entries.into_iter() {
        let Ok(entry) = entry else { break };
        let ty = entry.ty as u8;
        let name = RELOCATION_TYPES
            .get(ty as usize)
            .copied()
            .unwrap_or("unknown");
        let _ = write!(
            out,
            "   - {name} offset={}(file={}) ",
            c_alt_hex(entry.offset as usize, 8),
            c_alt_hex(base + entry.offset as usize, 8)
        );
        if entry.ty == wasmparser::RelocationType::TypeIndexLeb {
            let _ = writeln!(out, "type={}", entry.index);
            continue;
        }
        let symbol = symbols
            .get(entry.index as usize)
            .map_or(String::new(), |s| s.clone());
        let _ = write!(out, "symbol={} <{symbol}>", entry.index);
        if entry.addend != 0 {
            let _ = write!(out, "+{:#x}", entry.addend);
        }
        out.push('\n');
    }
}

/// A section symbol's name: its custom section's name, or its kind.
fn section_name(ctx: &Ctx, section: u32) -> String {
    ctx.module
        .sections
        .get(section as usize)
        .map_or(String::new(), |s| match &s.custom_name {
            Some(name) => cstr(name).to_string(),
            None => s.kind_name().to_string(),
        })
}

/// The name a relocation shows for each symbol, in symbol-table order: what the symbol
/// refers to is named as everywhere else (a function by its function name, which may come
/// from another symbol), data by the symbol's own name.
fn symbol_names(ctx: &Ctx) -> Vec<String> {
    let m = ctx.module;
    let names = &ctx.names;
    let mut out = Vec::new();
    for s in &m.sections {
        let Some(reader) = m.custom_section_reader(s) else {
            continue;
        };
        let KnownCustom::Linking(linking) = reader.as_known() else {
            continue;
        };
        for subsection in linking.subsections().flatten() {
            let Linking::SymbolTable(symbols) = subsection else {
                continue;
            };
            for symbol in symbols.into_iter().flatten() {
                let name = match symbol {
                    SymbolInfo::Func { index, .. } => names.func(index).map(str::to_owned),
                    SymbolInfo::Global { index, .. } => names.global(index).map(str::to_owned),
                    SymbolInfo::Table { index, .. } => names.table(index).map(str::to_owned),
                    SymbolInfo::Event { index, .. } => names.tags.get(&index).cloned(),
                    SymbolInfo::Data { name, .. } => Some(name.to_string()),
                    SymbolInfo::Section { section, .. } => Some(section_name(ctx, section)),
                };
                out.push(cstr(&name.unwrap_or_default()).to_string());
            }
        }
    }
    out
}

/// A relocation as `-r` shows it, under the instruction (or data segment) it patches.
pub(crate) struct InlineRelocation {
    /// File offset of the patched bytes.
    pub offset: usize,
    /// `R_WASM_FUNCTION_INDEX_LEB 1 <env.sin>`
    pub text: String,
}

/// The relocations of the section with id `section_id` (code or data), by file offset.
pub(crate) fn relocations_of(ctx: &Ctx, section_id: u8) -> Vec<InlineRelocation> {
    let m = ctx.module;
    let Some(code) = m.sections.iter().position(|s| s.id == section_id) else {
        return Vec::new();
    };
    let symbols = symbol_names(ctx);
    let mut found = Vec::new();
    for s in &m.sections {
        let Some(reader) = m.custom_section_reader(s) else {
            continue;
        };
        let KnownCustom::Reloc(reloc) = reader.as_known() else {
            continue;
        };
        if reloc.section_index() as usize != code {
            continue;
        }
        let base = m.sections[code].range.start;
        for entry in reloc.entries().into_iter().map_while(Result::ok) {
            let name = RELOCATION_TYPES
                .get(entry.ty as usize)
                .copied()
                .unwrap_or("unknown");
            let mut text = format!("{name} {}", entry.index);
            if entry.addend != 0 {
                let _ = write!(text, " + {}", entry.addend);
            }
            if entry.ty != wasmparser::RelocationType::TypeIndexLeb {
                let symbol = symbols.get(entry.index as usize).map_or("", String::as_str);
                let _ = write!(text, " <{symbol}>");
            }
            found.push(InlineRelocation {
                offset: base + entry.offset as usize,
                text,
            });
        }
    }
    found.sort_by_key(|r| r.offset);
    found
}
