//! Lays a module out section by section in wabt 1.0.32's order, with its choices (segment
//! flags, the tentative DataCount section) and the descriptions its `-v` log prints.
use super::code::CodeWriter;
use super::names::write_names;
use super::sections::Sections;
use super::stream::{SizeSlot, Stream};
use super::types::{write_memory_type, write_table_type, write_type};
use super::WriteError;
use wasmparser::{ElementItems, ElementKind, ExternalKind, Operator, TypeRef};

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
    s.data(b"\0asm", "WASM_BINARY_MAGIC", super::stream::Chars::No);
    s.data(
        &[1, 0, 0, 0],
        "WASM_BINARY_VERSION",
        super::stream::Chars::No,
    );
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

fn types(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let Some(reader) = src.types.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 1, "Type");
    s.u32_leb(reader.count(), "num types");
    for (i, ty) in reader.into_iter_err_on_gc_types().enumerate() {
        let ty = ty.map_err(|_| WriteError::Unsupported("GC types".into()))?;
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
    end_section(s, slot);
    Ok(())
}

fn imports(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let Some(reader) = src.imports.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 2, "Import");
    let imports = reader.into_imports().collect::<Result<Vec<_>, _>>()?;
    s.u32_leb(imports.len() as u32, "num imports");
    for (i, import) in imports.into_iter().enumerate() {
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
    }
    end_section(s, slot);
    Ok(())
}

fn functions(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let Some(reader) = src.functions.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 3, "Function");
    s.u32_leb(reader.count(), "num functions");
    for (i, ty) in reader.into_iter().enumerate() {
        let desc = indexed(s, || format!("function {i} signature index"));
        s.u32_leb(ty?, &desc);
    }
    end_section(s, slot);
    Ok(())
}

fn tables(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let Some(reader) = src.tables.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 4, "Table");
    s.u32_leb(reader.count(), "num tables");
    for (i, table) in reader.into_iter().enumerate() {
        let table = table?;
        if !matches!(table.init, wasmparser::TableInit::RefNull) {
            return Err(WriteError::Unsupported(
                "table initialiser expressions".into(),
            ));
        }
        s.note(format_args!("table {i}"));
        write_table_type(s, &table.ty)?;
    }
    end_section(s, slot);
    Ok(())
}

fn memories(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let Some(reader) = src.memories.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 5, "Memory");
    s.u32_leb(reader.count(), "num memories");
    for (i, memory) in reader.into_iter().enumerate() {
        s.note(format_args!("memory {i}"));
        write_memory_type(s, &memory?);
    }
    end_section(s, slot);
    Ok(())
}

fn tags(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let Some(reader) = src.tags.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 13, "Tag");
    s.u32_leb(reader.count(), "tag count");
    for (i, tag) in reader.into_iter().enumerate() {
        s.note(format_args!("tag {i}"));
        s.u8(0, "tag attribute");
        s.u32_leb(tag?.func_type_idx, "tag signature index");
    }
    end_section(s, slot);
    Ok(())
}

fn globals(s: &mut Stream, src: &Sections<'_>, code: &mut CodeWriter) -> Result<(), WriteError> {
    let Some(reader) = src.globals.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 6, "Global");
    s.u32_leb(reader.count(), "num globals");
    for global in reader {
        let global = global?;
        write_type(s, global.ty.content_type, None)?;
        s.u8(global.ty.mutable.into(), "global mutability");
        code.const_expr(s, global.init_expr.get_operators_reader())?;
    }
    end_section(s, slot);
    Ok(())
}

fn exports(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let Some(reader) = src.exports.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 7, "Export");
    s.u32_leb(reader.count(), "num exports");
    for export in reader {
        let export = export?;
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
    }
    end_section(s, slot);
    Ok(())
}

/// Segment flag bits of the binary format.
const SEG_PASSIVE: u8 = 1;
const SEG_EXPLICIT_INDEX: u8 = 2;
const SEG_USE_ELEM_EXPRS: u8 = 4;

fn elements(s: &mut Stream, src: &Sections<'_>, code: &mut CodeWriter) -> Result<(), WriteError> {
    let Some(reader) = src.elements.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 9, "Elem");
    s.u32_leb(reader.count(), "num elem segments");
    for (i, segment) in reader.into_iter().enumerate() {
        let segment = segment?;
        s.note(format_args!("elem segment header {i}"));
        // wabt keeps every element as an expression and picks the flags from the content:
        // a list of plain `ref.func`s is written as function indices however it was spelled.
        let (func_indices, exprs, elem_type) = match &segment.items {
            ElementItems::Functions(r) => (
                Some(r.clone().into_iter().collect::<Result<Vec<u32>, _>>()?),
                None,
                wasmparser::RefType::FUNCREF,
            ),
            ElementItems::Expressions(ty, r) => {
                let exprs = r.clone().into_iter().collect::<Result<Vec<_>, _>>()?;
                let as_funcs = exprs
                    .iter()
                    .map(ref_func_only)
                    .collect::<Result<Option<Vec<u32>>, _>>()?;
                (as_funcs, Some(exprs), *ty)
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
        if func_indices.is_none() {
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
        if flags & (SEG_PASSIVE | SEG_EXPLICIT_INDEX) != 0 {
            if func_indices.is_some() {
                s.u8(0, "elem list type");
            } else {
                write_type(
                    s,
                    wasmparser::ValType::Ref(elem_type),
                    Some("elem expr list type"),
                )?;
            }
        }
        match (func_indices, exprs) {
            (Some(funcs), _) => {
                s.u32_leb(funcs.len() as u32, "num elems");
                for f in funcs {
                    s.u32_leb(f, "elem function index");
                }
            }
            (None, Some(exprs)) => {
                s.u32_leb(exprs.len() as u32, "num elems");
                for expr in exprs {
                    code.const_expr(s, expr.get_operators_reader())?;
                }
            }
            (None, None) => unreachable!("function lists always convert"),
        }
    }
    end_section(s, slot);
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
    let Some(reader) = src.data.clone().filter(|r| r.count() > 0) else {
        return Ok(());
    };
    let slot = begin_section(s, 11, "Data");
    s.u32_leb(reader.count(), "num data segments");
    for (i, segment) in reader.into_iter().enumerate() {
        let segment = segment?;
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
        s.data(segment.data, "data segment data", super::stream::Chars::No);
    }
    end_section(s, slot);
    Ok(())
}
