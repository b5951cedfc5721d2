//! `-x`: every selected section item by item, with names and init expressions.
use super::contents::hex_dump;
use super::hexfloat::{f32_text, f64_text};
use super::names::{cstr, suffix};
use super::{Ctx, Out};
use crate::module::{
    ConstExpr, ConstOp, ElementItems, ExternKind, ImportKind, Module, Section, SegmentMode,
};
use std::fmt::Write as _;
use wasmparser::{GlobalType, MemoryType, RefType, TableType, ValType};

mod custom;
pub(super) mod linking;

pub(super) fn print(ctx: &Ctx, out: &mut Out) -> Option<crate::module::ParseError> {
    out.push_str("\nSection Details:\n\n");
    // wabt keeps the last active segment's offset and reuses it for passive ones.
    let mut state = SegmentState::default();
    for s in &ctx.module.sections {
        if !ctx.section_selected(s) {
            continue;
        }
        // The count completes the title as it is read; a section that broke before its
        // count leaves the bare name.
        match (s.id, s.count) {
            (0 | 8 | 12, _) => {
                let _ = writeln!(out, "{}:", s.kind_name());
            }
            (_, Some(count)) => {
                let _ = writeln!(out, "{}[{count}]:", s.kind_name());
            }
            (_, None) => out.push_str(s.kind_name()),
        }
        section(ctx, s, &mut state, out);
    }
    None
}

/// What wabt carries from one segment to the next: the address of the last active segment
/// with a constant offset, which it also uses to number the items of passive ones.
#[derive(Default)]
struct SegmentState {
    elem_offset: u64,
    data_offset: u64,
}

fn section(ctx: &Ctx, s: &Section, state: &mut SegmentState, out: &mut Out) {
    let m = ctx.module;
    match s.id {
        1 => {
            let mut groups = m.rec_groups.iter().peekable();
            for (i, ty) in m.types.iter().enumerate() {
                // A rec group of other than one type gets a line of its own before its types
                // (wabt 1.0.32 reads no rec groups, so the form is rt's own).
                if let Some(group) = groups.next_if(|g| g.start as usize <= i) {
                    if group.len() != 1 {
                        let _ = writeln!(out, " - rec types[{}..{}]", group.start, group.end);
                    }
                }
                let sub = m.sub_types.get(i).map(sub_prefix).unwrap_or_default();
                if let Some(gc) = m.sub_types.get(i).and_then(gc_type) {
                    let _ = writeln!(out, " - type[{i}] {sub}{gc}");
                    continue;
                }
                let params: Vec<String> = ty.params().iter().map(|t| val_type(*t)).collect();
                let results: Vec<String> = ty.results().iter().map(|t| val_type(*t)).collect();
                let results = match results.len() {
                    0 => "nil".to_string(),
                    1 => results[0].clone(),
                    _ => format!("({})", results.join(", ")),
                };
                let _ = writeln!(
                    out,
                    " - type[{i}] {sub}({}) -> {results}",
                    params.join(", ")
                );
            }
            // Empty rec groups at the end define no type but are entries all the same.
            for group in groups.filter(|g| g.is_empty()) {
                let _ = writeln!(out, " - rec types[{}..{}]", group.start, group.end);
            }
        }
        2 => imports(ctx, out),
        3 => {
            for f in m.num_imported_funcs..m.num_funcs() {
                let _ = writeln!(
                    out,
                    " - func[{f}] sig={}{}",
                    m.func_types[f as usize],
                    suffix(ctx.names.func(f))
                );
            }
        }
        4 => {
            for (i, t) in m
                .tables
                .iter()
                .enumerate()
                .skip(m.num_imported_tables as usize)
            {
                let _ = write!(
                    out,
                    " - table[{i}] {}{}",
                    table_type(t),
                    suffix(ctx.names.table(i as u32))
                );
                // Read only in a GC module (wabt reads no table initialisers).
                let init = m.table_inits.get(i - m.num_imported_tables as usize);
                if let Some(Some(init)) = init {
                    out.push_str(&init_expr(ctx, init, false));
                }
                out.push('\n');
            }
        }
        5 => {
            for (i, mem) in m
                .memories
                .iter()
                .enumerate()
                .skip(m.num_imported_memories as usize)
            {
                let _ = writeln!(out, " - memory[{i}] {}", memory_type(mem));
            }
        }
        6 => {
            let first = m.num_imported_globals as usize;
            for (i, g) in m.globals[first..].iter().enumerate() {
                let index = (first + i) as u32;
                let _ = write!(
                    out,
                    " - global[{index}] {}{}",
                    global_type(g),
                    suffix(ctx.names.global(index))
                );
                // A global whose initializer broke is shown as far as wabt got: its type.
                let Some(init) = m.global_inits.get(i) else {
                    break;
                };
                let _ = writeln!(out, "{}", init_expr(ctx, init, false));
            }
        }
        7 => {
            for e in &m.exports {
                let name = match e.kind {
                    ExternKind::Func => suffix(ctx.names.func(e.index)),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    " - {}[{}]{name} -> \"{}\"",
                    e.kind.name(),
                    e.index,
                    cstr(&e.name)
                );
            }
        }
        8 => {
            if let Some(f) = m.start {
                let _ = writeln!(out, " - start function: {f}{}", suffix(ctx.names.func(f)));
            }
        }
        9 => elements(ctx, state, out),
        10 => {
            for (i, code) in m.code.iter().enumerate() {
                let f = m.num_imported_funcs + i as u32;
                let _ = writeln!(
                    out,
                    " - func[{f}] size={}{}",
                    code.body.len(),
                    suffix(ctx.names.func(f))
                );
            }
        }
        11 => data(ctx, state, out),
        12 => {
            let _ = writeln!(out, " - data count: {}", m.data_count.unwrap_or(0));
        }
        13 => {
            for (i, sig) in m.tags.iter().enumerate().skip(m.num_imported_tags as usize) {
                let _ = writeln!(out, " - tag[{i}] sig={sig}");
            }
        }
        0 => custom::print(ctx, s, out),
        _ => {}
    }
}

fn imports(ctx: &Ctx, out: &mut Out) {
    for imp in &ctx.module.imports {
        let i = imp.index;
        let what = match imp.kind {
            ImportKind::Func(sig) => format!("func[{i}] sig={sig}{}", suffix(ctx.names.func(i))),
            ImportKind::Table(t) => format!("table[{i}] {}", table_type(&t)),
            ImportKind::Memory(mem) => format!("memory[{i}] {}", memory_type(&mem)),
            ImportKind::Global(g) => format!("global[{i}] {}", global_type(&g)),
            ImportKind::Tag(sig) => format!(
                "tag[{i}] sig={sig}{}",
                suffix(ctx.names.tags.get(&i).map(String::as_str))
            ),
        };
        let _ = writeln!(
            out,
            " - {what} <- {}.{}",
            cstr(&imp.module),
            cstr(&imp.name)
        );
    }
}

fn elements(ctx: &Ctx, state: &mut SegmentState, out: &mut Out) {
    for (i, seg) in ctx.module.elements.iter().enumerate() {
        let flags = elem_flags(&ctx.module.bytes, seg.range.start);
        let table = match &seg.mode {
            SegmentMode::Active { index, .. } => *index,
            _ => 0,
        };
        let _ = write!(
            out,
            " - segment[{i}] flags={flags} table={table} count={}",
            seg.items.len()
        );
        if let SegmentMode::Active { offset, .. } = &seg.mode {
            out.push_str(&init_expr(ctx, offset, true));
            state.elem_offset = segment_offset(offset).unwrap_or(state.elem_offset);
        }
        out.push('\n');
        let base = state.elem_offset;
        let item = |k: usize| base.wrapping_add(k as u64) as u32;
        match &seg.items {
            ElementItems::Functions(funcs) => {
                for (k, f) in funcs.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "  - elem[{}] = func[{f}]{}",
                        item(k),
                        suffix(ctx.names.func(*f))
                    );
                }
            }
            ElementItems::Exprs(exprs) => {
                for (k, e) in exprs.iter().enumerate() {
                    let stop = ctx
                        .elem_defect
                        .as_ref()
                        .filter(|d| (d.segment, d.item) == (i, k));
                    if stop.is_some_and(|d| !d.shown) {
                        return;
                    }
                    let text = match elem_expr_parts(ctx.module, e, ctx.features) {
                        (Some(ElemHead::Func(f)), _) => {
                            format!("func[{f}]{}", suffix(ctx.names.func(f)))
                        }
                        (Some(ElemHead::Null(t)), _) => format!("ref.null {t}"),
                        // Any other constant expression (GC modules: `struct.new`, ...).
                        (None, _) if ctx.features.contains(wasmparser::WasmFeatures::GC) => {
                            instruction_list(ctx, e)
                        }
                        (None, _) => "<unknown>".to_string(),
                    };
                    let _ = writeln!(out, "  - elem[{}] = {text}", item(k));
                    if stop.is_some() {
                        return;
                    }
                }
            }
        }
    }
}

/// The first instruction of an element expression, when it is one wabt accepts there.
pub(super) enum ElemHead {
    Func(u32),
    /// The null's type as a reference type.
    Null(String),
}

/// Reads the first instruction of an element item (in the language `features`); the flag
/// says whether `end` (and nothing else) follows it.
fn elem_expr_parts(
    m: &Module,
    e: &ConstExpr,
    features: wasmparser::WasmFeatures,
) -> (Option<ElemHead>, bool) {
    use wasmparser::{AbstractHeapType, HeapType, Operator};
    let mut reader = m.const_expr_operators(e, features);
    let head = match reader.read() {
        Ok(Operator::RefFunc { function_index }) => Some(ElemHead::Func(function_index)),
        // wabt knows two reference types; a GC module's nulls are of any heap type.
        Ok(Operator::RefNull { hty }) if features.contains(wasmparser::WasmFeatures::GC) => {
            wasmparser::RefType::new(true, hty)
                .map(|r| ElemHead::Null(crate::module::typetext::ref_type(r)))
        }
        Ok(Operator::RefNull { hty }) => Some(ElemHead::Null(
            match hty {
                HeapType::Abstract {
                    ty: AbstractHeapType::Extern,
                    ..
                } => "externref",
                _ => "funcref",
            }
            .to_string(),
        )),
        _ => None,
    };
    let single = matches!(reader.read(), Ok(Operator::End)) && reader.eof();
    (head, single)
}

/// Where wabt's reader rejects an element expression: it must be `ref.null` or `ref.func`
/// (else nothing of it is shown), then `end` (else the item is shown, then the error).
pub(crate) struct ElemDefect {
    pub segment: usize,
    pub item: usize,
    pub shown: bool,
    pub error: crate::module::ParseError,
}

pub(super) fn elem_expr_defect(
    m: &Module,
    features: wasmparser::WasmFeatures,
) -> Option<ElemDefect> {
    // In Wasm 3.0 (GC) an element is any constant expression; only wabt's reading limits it.
    if features.contains(wasmparser::WasmFeatures::GC) {
        return None;
    }
    for (segment, seg) in m.elements.iter().enumerate() {
        let ElementItems::Exprs(exprs) = &seg.items else {
            continue;
        };
        for (item, e) in exprs.iter().enumerate() {
            let (head, single) = elem_expr_parts(m, e, features);
            let (shown, message) = match (head, single) {
                (None, _) => (false, "expected ref.null or ref.func in element segment"),
                (Some(_), false) => (true, "expected END opcode after element expression"),
                (Some(_), true) => continue,
            };
            return Some(ElemDefect {
                segment,
                item,
                shown,
                error: crate::module::ParseError {
                    offset: e.range.start,
                    message: message.to_string(),
                },
            });
        }
    }
    None
}

fn data(ctx: &Ctx, state: &mut SegmentState, out: &mut Out) {
    let m = ctx.module;
    let relocations = if ctx.opts.relocs {
        linking::relocations_of(ctx, 11)
    } else {
        Vec::new()
    };
    for (i, seg) in m.data.iter().enumerate() {
        let name = suffix(ctx.names.datas.get(&(i as u32)).map(String::as_str));
        let _ = write!(out, " - segment[{i}]{name}");
        match &seg.mode {
            SegmentMode::Active { index, offset } => {
                let _ = write!(out, " memory={index} size={}", seg.data.len());
                out.push_str(&init_expr(ctx, offset, true));
                state.data_offset = segment_offset(offset).unwrap_or(state.data_offset);
            }
            _ => {
                let _ = write!(out, " passive size={}", seg.data.len());
            }
        }
        out.push('\n');
        hex_dump(out, m.data_bytes(seg), state.data_offset as usize, "  - ");
        // `-r`: the relocations inside this segment's bytes, at the addresses they patch.
        for r in relocations.iter().filter(|r| seg.data.contains(&r.offset)) {
            let address = state.data_offset as usize + (r.offset - seg.data.start);
            let _ = writeln!(out, "           {address:06x}: {}", r.text);
        }
    }
}

/// The segment flags byte (the first LEB of the segment).
fn elem_flags(bytes: &[u8], at: usize) -> u32 {
    let mut value = 0u32;
    for (k, b) in bytes[at..].iter().take(5).enumerate() {
        value |= ((b & 0x7f) as u32) << (7 * k);
        if b & 0x80 == 0 {
            break;
        }
    }
    value
}

/// The address an offset expression names, when wabt can know it (a constant); for
/// anything else (`global.get`) wabt keeps the previous segment's.
fn segment_offset(e: &ConstExpr) -> Option<u64> {
    match e.op {
        ConstOp::I32(v) => Some(v as u32 as u64),
        ConstOp::I64(v) => Some(v as u64),

        _ => None,
    }
}

/// ` - init ...` as wabt prints an initializer: one constant or `global.get` compactly
/// (segment offsets unsigned), anything longer as a parenthesised instruction list.
pub(super) fn init_expr(ctx: &Ctx, e: &ConstExpr, unsigned: bool) -> String {
    match e.op {
        ConstOp::I32(v) if unsigned => format!(" - init i32={}", v as u32),
        ConstOp::I32(v) => format!(" - init i32={v}"),
        ConstOp::I64(v) => format!(" - init i64={v}"),
        ConstOp::F32(bits) => format!(" - init f32={}", f32_text(bits)),
        ConstOp::F64(bits) => format!(" - init f64={}", f64_text(bits)),
        ConstOp::GlobalGet(g) => format!(" - init global={g}{}", suffix(ctx.names.global(g))),
        // wabt 1.0.32 prints an uninitialised value for these; say what the binary says.
        ConstOp::V128(bytes) => {
            let mut s = String::from(" - init v128=");
            for lane in bytes.chunks(4) {
                let v = u32::from_le_bytes([lane[0], lane[1], lane[2], lane[3]]);
                let _ = write!(s, "0x{v:08x} ");
            }
            s
        }
        ConstOp::RefFunc(f) => format!(" - init ref.func:{f}{}", suffix(ctx.names.func(f))),
        ConstOp::RefNull(_) => " - init null".to_string(),
        ConstOp::Sequence => format!(" - init {}", instruction_list(ctx, e)),
    }
}

/// `(i32.const 0, nop)`: every instruction before the final `end`. wabt ends float
/// constants with a newline here, and so does this.
fn instruction_list(ctx: &Ctx, e: &ConstExpr) -> String {
    let mut reader = ctx.module.const_expr_operators(e, ctx.features);
    let mut visitor = super::instr::InstrText::new(ctx, 0);
    let mut items = Vec::new();
    while !reader.eof() {
        if reader.visit_operator(&mut visitor).is_err() {
            break;
        }
        if reader.eof() && visitor.text == "end" {
            break;
        }
        let text = std::mem::take(&mut visitor.text);
        items.push(match text.split_once(' ') {
            // Here wabt prints i32 constants signed, and floats with a stray newline.
            Some(("i32.const", n)) => format!("i32.const {}", n.parse::<u32>().unwrap_or(0) as i32),
            Some(("f32.const" | "f64.const", _)) => text + "\n",
            _ => text,
        });
    }
    format!("({})", items.join(", "))
}

/// `sub ` for a type open to subtypes, `sub 0 ` / `sub final 0 ` for one with a declared
/// supertype; nothing for a final type without one (the plain form).
fn sub_prefix(sub: &wasmparser::SubType) -> String {
    let supers: Vec<String> = sub
        .supertype_idxs
        .iter()
        .map(|i| match i.as_module_index() {
            Some(i) => i.to_string(),
            None => i.to_string(),
        })
        .collect();
    match (sub.is_final, supers.is_empty()) {
        (true, true) => String::new(),
        (false, _) => format!(
            "sub {}",
            supers.iter().map(|s| s.clone() + " ").collect::<String>()
        ),
        (true, false) => format!("sub final {} ", supers.join(" ")),
    }
}

/// A struct or array type as `struct (FIELD, ...)` / `array FIELD`, each field its storage
/// type, `mut` first when mutable (wabt 1.0.32 reads no GC types, so the form is rt's own);
/// None for a function type.
fn gc_type(sub: &wasmparser::SubType) -> Option<String> {
    use wasmparser::{CompositeInnerType, FieldType, StorageType};
    let field = |f: &FieldType| {
        let t = match f.element_type {
            StorageType::I8 => "i8".to_string(),
            StorageType::I16 => "i16".to_string(),
            StorageType::Val(v) => val_type(v),
        };
        if f.mutable {
            format!("mut {t}")
        } else {
            t
        }
    };
    match &sub.composite_type.inner {
        CompositeInnerType::Struct(s) => {
            let fields: Vec<String> = s.fields.iter().map(field).collect();
            Some(format!("struct ({})", fields.join(", ")))
        }
        CompositeInnerType::Array(a) => Some(format!("array {}", field(&a.0))),
        _ => None,
    }
}

pub(super) fn val_type(t: ValType) -> String {
    crate::module::typetext::val_type(t)
}

pub(super) fn ref_type(r: RefType) -> String {
    crate::module::typetext::ref_type(r)
}

fn limits(initial: u64, maximum: Option<u64>) -> String {
    match maximum {
        Some(max) => format!("initial={initial} max={max}"),
        None => format!("initial={initial}"),
    }
}

fn table_type(t: &TableType) -> String {
    format!(
        "type={} {}",
        ref_type(t.element_type),
        limits(t.initial, t.maximum)
    )
}

fn memory_type(mem: &MemoryType) -> String {
    let mut s = format!("pages: {}", limits(mem.initial, mem.maximum));
    if mem.shared {
        s.push_str(" shared");
    }
    if mem.memory64 {
        s.push_str(" i64");
    }
    s
}

fn global_type(g: &GlobalType) -> String {
    format!("{} mutable={}", val_type(g.content_type), g.mutable as u8)
}
