//! Lays a module out section by section in wabt 1.0.32's order, with its choices (segment
//! flags, the tentative DataCount section) and the descriptions its `-v` log prints.
use super::code::CodeWriter;
use super::names::write_names;
use super::sections::Sections;
use super::stream::{Chars, SizeSlot, Stream};
use super::types::{plain_type, write_field, write_memory_type, write_table_type, write_type};
use super::WriteError;
use wasmparser::{CompositeInnerType, ElementItems, ElementKind, ExternalKind, Operator, TypeRef};

pub struct WriteOptions {
    pub log: bool,
    pub canonicalize_lebs: bool,
    pub debug_names: bool,
    /// wabt writes a DataCount section only with bulk memory enabled.
    pub bulk_memory: bool,
}

/// Write `src` (read from `wasm`) as wabt would: the bytes, and the `-v` log if asked for.
pub fn write_module(
    wasm: &[u8],
    src: &Sections<'_>,
    opts: &WriteOptions,
) -> Result<(Vec<u8>, Option<String>), WriteError> {
    let mut s = Stream::new(opts.log, opts.canonicalize_lebs);
    let mut code = CodeWriter {
        wasm,
        short_block_forms: &src.short_block_forms,
        has_data_segment_instruction: false,
    };
    s.data(b"\0asm", "WASM_BINARY_MAGIC", Chars::No);
    s.data(&[1, 0, 0, 0], "WASM_BINARY_VERSION", Chars::No);
    types(&mut s, src)?;
    imports(&mut s, src)?;
    functions(&mut s, src)?;
    tables(&mut s, src)?;
    memories(&mut s, src)?;
    tags(&mut s, src)?;
    globals(&mut s, src, &mut code)?;
    exports(&mut s, src)?;
    if let Some(func) = src.start {
        let slot = begin_section(&mut s, 8, "Start");
        s.u32_leb(func, "start func index");
        end_section(&mut s, slot);
    }
    elements(&mut s, src, &mut code)?;
    // wabt writes DataCount whenever there are segments and removes it again after the code
    // section if no instruction needed it; the log shows both steps, so do the same.
    let data_count = Sections::count(&src.data);
    let data_count_range = (opts.bulk_memory && data_count > 0).then(|| {
        let start = s.offset();
        let slot = begin_section(&mut s, 12, "DataCount");
        s.u32_leb(data_count, "data count");
        end_section(&mut s, slot);
        (start, s.offset())
    });
    code_section(&mut s, src, &mut code)?;
    if let Some((start, end)) = data_count_range {
        if !code.has_data_segment_instruction {
            let size = s.offset() - end;
            s.move_data(start, end, size);
            s.truncate(start + size);
        }
    }
    data(&mut s, src, &mut code)?;
    if opts.debug_names {
        write_names(&mut s, src)?;
    }
    Ok(s.into_parts())
}

pub fn begin_section(s: &mut Stream, code: u8, name: &str) -> SizeSlot {
    s.note(format_args!("section \"{name}\" ({code})"));
    s.u8(code, "section code");
    s.reserve_size("section size (guess)")
}

pub fn end_section(s: &mut Stream, slot: SizeSlot) {
    s.fixup_size(slot, "FIXUP section size");
}

/// A description with an index in it, formatted only when the log is on.
pub fn indexed(s: &Stream, f: impl FnOnce() -> String) -> String {
    if s.logging() {
        f()
    } else {
        String::new()
    }
}

/// A known section holding a vector of entries, written only when it has some (as wabt does):
/// the header, the count, each entry through `entry`, and the size fixup.
fn vector_section<T, E: Into<WriteError>>(
    s: &mut Stream,
    (id, name, count_desc): (u8, &str, &str),
    items: Option<(u32, impl Iterator<Item = Result<T, E>>)>,
    mut entry: impl FnMut(&mut Stream, usize, T) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let Some((count, items)) = items.filter(|(count, _)| *count > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, id, name);
    s.u32_leb(count, count_desc);
    for (i, item) in items.enumerate() {
        entry(s, i, item.map_err(Into::into)?)?;
    }
    end_section(s, slot);
    Ok(())
}

fn types(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    vector_section(
        s,
        (1, "Type", "num types"),
        entries(&src.types),
        |s, i, rec| {
            match plain_type(rec)? {
                CompositeInnerType::Func(ty) => {
                    s.note(format_args!("func type {i}"));
                    s.u8(0x60, "func");
                    s.u32_leb(ty.params().len() as u32, "num params");
                    for &t in ty.params() {
                        write_type(s, t, None)?;
                    }
                    s.u32_leb(ty.results().len() as u32, "num results");
                    for &t in ty.results() {
                        write_type(s, t, None)?;
                    }
                }
                // wabt 1.0.32 logs these two type codes as negative type indices.
                CompositeInnerType::Struct(ty) => {
                    s.note(format_args!("struct type {i}"));
                    s.u8(0x5f, "<type_index[-33]>");
                    s.u32_leb(ty.fields.len() as u32, "num fields");
                    for field in ty.fields.iter() {
                        write_field(s, field)?;
                    }
                }
                CompositeInnerType::Array(ty) => {
                    s.note(format_args!("array type {i}"));
                    s.u8(0x5e, "<type_index[-34]>");
                    write_field(s, &ty.0)?;
                }
                CompositeInnerType::Cont(_) => {
                    return Err(WriteError::Unsupported("continuation types".into()))
                }
            }
            Ok(())
        },
    )
}

fn imports(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    // Listed one by one: wabt knows no compact import groups.
    let imports = match src.imports.clone() {
        Some(r) => r.into_imports().collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let items = Some((
        imports.len() as u32,
        imports.into_iter().map(Ok::<_, WriteError>),
    ));
    vector_section(s, (2, "Import", "num imports"), items, |s, i, import| {
        s.note(format_args!("import header {i}"));
        s.string(import.module.as_bytes(), "import module name");
        s.string(import.name.as_bytes(), "import field name");
        match import.ty {
            TypeRef::Func(index) => {
                s.u8(0, "import kind");
                s.u32_leb(index, "import signature index");
            }
            TypeRef::Table(t) => {
                s.u8(1, "import kind");
                write_table_type(s, &t)?;
            }
            TypeRef::Memory(m) => {
                s.u8(2, "import kind");
                write_memory_type(s, &m);
            }
            TypeRef::Global(g) => {
                s.u8(3, "import kind");
                write_type(s, g.content_type, None)?;
                s.u8(g.mutable.into(), "global mutability");
            }
            TypeRef::FuncExact(_) => {
                return Err(WriteError::Unsupported("exact function imports".into()))
            }
            TypeRef::Tag(t) => {
                s.u8(4, "import kind");
                s.u8(0, "tag attribute");
                s.u32_leb(t.func_type_idx, "tag signature index");
            }
        }
        Ok(())
    })
}

/// `Some((count, entries))` of an optional section reader, for [`vector_section`].
fn entries<'a, T: wasmparser::FromReader<'a>>(
    reader: &Option<wasmparser::SectionLimited<'a, T>>,
) -> Option<(u32, wasmparser::SectionLimitedIntoIter<'a, T>)> {
    reader.clone().map(|r| (r.count(), r.into_iter()))
}

fn functions(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let section = (3, "Function", "num functions");
    vector_section(s, section, entries(&src.functions), |s, i, ty| {
        let desc = indexed(s, || format!("function {i} signature index"));
        s.u32_leb(ty, &desc);
        Ok(())
    })
}

fn tables(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    vector_section(
        s,
        (4, "Table", "num tables"),
        entries(&src.tables),
        |s, i, table| {
            if !matches!(table.init, wasmparser::TableInit::RefNull) {
                return Err(WriteError::Unsupported(
                    "table initialiser expressions".into(),
                ));
            }
            s.note(format_args!("table {i}"));
            write_table_type(s, &table.ty)
        },
    )
}

fn memories(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let section = (5, "Memory", "num memories");
    vector_section(s, section, entries(&src.memories), |s, i, memory| {
        s.note(format_args!("memory {i}"));
        write_memory_type(s, &memory);
        Ok(())
    })
}

fn tags(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    vector_section(
        s,
        (13, "Tag", "tag count"),
        entries(&src.tags),
        |s, i, tag| {
            s.note(format_args!("tag {i}"));
            s.u8(0, "tag attribute");
            s.u32_leb(tag.func_type_idx, "tag signature index");
            Ok(())
        },
    )
}

fn globals(s: &mut Stream, src: &Sections<'_>, code: &mut CodeWriter) -> Result<(), WriteError> {
    let section = (6, "Global", "num globals");
    vector_section(s, section, entries(&src.globals), |s, _, global| {
        write_type(s, global.ty.content_type, None)?;
        s.u8(global.ty.mutable.into(), "global mutability");
        code.const_expr(s, global.init_expr.get_operators_reader())
    })
}

fn exports(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let section = (7, "Export", "num exports");
    vector_section(s, section, entries(&src.exports), |s, _, export| {
        s.string(export.name.as_bytes(), "export name");
        let (kind, desc) = match export.kind {
            ExternalKind::Func => (0, "export func index"),
            ExternalKind::Table => (1, "export table index"),
            ExternalKind::Memory => (2, "export memory index"),
            ExternalKind::Global => (3, "export global index"),
            ExternalKind::Tag => (4, "export tag index"),
            ExternalKind::FuncExact => {
                return Err(WriteError::Unsupported("exact function exports".into()))
            }
        };
        s.u8(kind, "export kind");
        s.u32_leb(export.index, desc);
        Ok(())
    })
}

/// Segment flag bits of the binary format.
const SEG_PASSIVE: u8 = 1;
const SEG_EXPLICIT_INDEX: u8 = 2;
const SEG_USE_ELEM_EXPRS: u8 = 4;

fn elements(s: &mut Stream, src: &Sections<'_>, code: &mut CodeWriter) -> Result<(), WriteError> {
    let section = (9, "Elem", "num elem segments");
    vector_section(s, section, entries(&src.elements), |s, i, segment| {
        s.note(format_args!("elem segment header {i}"));
        elem_segment(s, &segment, code)
    })
}

/// How a segment's elements are written: plain function indices, or constant expressions.
enum ElemItems<'a> {
    Functions(Vec<u32>),
    Expressions(Vec<wasmparser::ConstExpr<'a>>),
}

fn elem_segment(
    s: &mut Stream,
    segment: &wasmparser::Element<'_>,
    code: &mut CodeWriter,
) -> Result<(), WriteError> {
    // wabt keeps every element as an expression and picks the flags from the content: a list
    // of plain `ref.func`s is written as function indices however it was spelled.
    let (items, elem_type) = match &segment.items {
        ElementItems::Functions(r) => (
            ElemItems::Functions(r.clone().into_iter().collect::<Result<_, _>>()?),
            wasmparser::RefType::FUNCREF,
        ),
        ElementItems::Expressions(ty, r) => {
            let exprs = r.clone().into_iter().collect::<Result<Vec<_>, _>>()?;
            let as_funcs = exprs
                .iter()
                .map(ref_func_only)
                .collect::<Result<Option<Vec<u32>>, _>>()?;
            let items = match as_funcs {
                Some(funcs) => ElemItems::Functions(funcs),
                None => ElemItems::Expressions(exprs),
            };
            (items, *ty)
        }
    };
    let mut flags = match &segment.kind {
        ElementKind::Passive => SEG_PASSIVE,
        ElementKind::Declared => SEG_PASSIVE | SEG_EXPLICIT_INDEX,
        // Table 0 is implicit only where the binary format's implicit type (funcref) fits.
        ElementKind::Active { table_index, .. } => {
            if table_index.unwrap_or(0) != 0 || elem_type != wasmparser::RefType::FUNCREF {
                SEG_EXPLICIT_INDEX
            } else {
                0
            }
        }
    };
    if let ElemItems::Expressions(_) = items {
        flags |= SEG_USE_ELEM_EXPRS;
    }
    s.u8(flags, "segment flags");
    if let ElementKind::Active {
        table_index,
        offset_expr,
    } = &segment.kind
    {
        if flags & SEG_EXPLICIT_INDEX != 0 {
            s.u32_leb(table_index.unwrap_or(0), "table index");
        }
        code.const_expr(s, offset_expr.get_operators_reader())?;
    }
    let explicit_type = flags & (SEG_PASSIVE | SEG_EXPLICIT_INDEX) != 0;
    match items {
        ElemItems::Functions(funcs) => {
            if explicit_type {
                s.u8(0, "elem list type");
            }
            s.u32_leb(funcs.len() as u32, "num elems");
            for f in funcs {
                s.u32_leb(f, "elem function index");
            }
        }
        ElemItems::Expressions(exprs) => {
            if explicit_type {
                let ty = wasmparser::ValType::Ref(elem_type);
                write_type(s, ty, Some("elem expr list type"))?;
            }
            s.u32_leb(exprs.len() as u32, "num elems");
            for expr in exprs {
                code.const_expr(s, expr.get_operators_reader())?;
            }
        }
    }
    Ok(())
}

/// `Some(f)` when the expression is exactly `ref.func f`.
fn ref_func_only(expr: &wasmparser::ConstExpr<'_>) -> Result<Option<u32>, WriteError> {
    let mut ops = expr.get_operators_reader();
    let first = ops.read()?;
    let second = if ops.eof() { None } else { Some(ops.read()?) };
    Ok(match (first, second, ops.eof()) {
        (Operator::RefFunc { function_index }, Some(Operator::End), true) => Some(function_index),
        _ => None,
    })
}

fn code_section(
    s: &mut Stream,
    src: &Sections<'_>,
    code: &mut CodeWriter,
) -> Result<(), WriteError> {
    if src.bodies.is_empty() {
        return Ok(());
    }
    let slot = begin_section(s, 10, "Code");
    s.u32_leb(src.bodies.len() as u32, "num functions");
    for (i, body) in src.bodies.iter().enumerate() {
        s.note(format_args!("function body {i}"));
        let body_slot = s.reserve_size("func body size (guess)");
        code.function_body(s, body)?;
        s.fixup_size(body_slot, "FIXUP func body size");
    }
    end_section(s, slot);
    Ok(())
}

fn data(s: &mut Stream, src: &Sections<'_>, code: &mut CodeWriter) -> Result<(), WriteError> {
    let section = (11, "Data", "num data segments");
    vector_section(s, section, entries(&src.data), |s, i, segment| {
        s.note(format_args!("data segment header {i}"));
        match &segment.kind {
            wasmparser::DataKind::Passive => s.u8(SEG_PASSIVE, "segment flags"),
            wasmparser::DataKind::Active {
                memory_index,
                offset_expr,
            } => {
                if *memory_index != 0 {
                    s.u8(SEG_EXPLICIT_INDEX, "segment flags");
                    s.u32_leb(*memory_index, "memidx");
                } else {
                    s.u8(0, "segment flags");
                }
                code.const_expr(s, offset_expr.get_operators_reader())?;
            }
        }
        s.u32_leb(segment.data.len() as u32, "data segment size");
        s.note(format_args!("data segment data {i}"));
        s.data(segment.data, "data segment data", Chars::No);
        Ok(())
    })
}
