//! Builds a [`Module`] from binary bytes with wasmparser's section readers.
use super::*;
use std::fmt;
use wasmparser::{
    CompositeInnerType, DataKind, ElementKind, Name, Operator, Payload, TableInit, TypeRef,
    WasmFeatures,
};

/// A malformed or invalid binary: the byte offset where decoding failed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}: {}", self.offset, self.message)
    }
}

impl std::error::Error for ParseError {}

impl From<wasmparser::BinaryReaderError> for ParseError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ParseError {
            offset: e.offset() as usize,
            message: e.message().to_string(),
        }
    }
}

fn err(offset: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        offset,
        message: message.into(),
    }
}

pub(super) fn validate(bytes: &[u8], features: WasmFeatures) -> Result<(), ParseError> {
    wasmparser::Validator::new_with_features(features)
        .validate_all(bytes)
        .map(|_| ())
        .map_err(ParseError::from)
}

fn usize_range(r: std::ops::Range<u64>) -> Range<usize> {
    r.start as usize..r.end as usize
}

fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, ParseError> {
    let mut reader = expr.get_operators_reader();
    let start = reader.original_position() as usize;
    let mut ops = Vec::new();
    while !reader.eof() {
        ops.push(reader.read()?);
    }
    let end = reader.original_position() as usize;
    let op = match ops.as_slice() {
        [single, Operator::End] => match single {
            Operator::I32Const { value } => ConstOp::I32(*value),
            Operator::I64Const { value } => ConstOp::I64(*value),
            Operator::F32Const { value } => ConstOp::F32(value.bits()),
            Operator::F64Const { value } => ConstOp::F64(value.bits()),
            Operator::V128Const { value } => ConstOp::V128(*value.bytes()),
            Operator::RefNull { hty } => ConstOp::RefNull(
                RefType::new(true, *hty).ok_or_else(|| err(start, "unsupported heap type"))?,
            ),
            Operator::RefFunc { function_index } => ConstOp::RefFunc(*function_index),
            Operator::GlobalGet { global_index } => ConstOp::GlobalGet(*global_index),
            _ => ConstOp::Sequence,
        },
        _ => ConstOp::Sequence,
    };
    Ok(ConstExpr {
        op,
        range: start..end,
    })
}

fn segment_mode_elem(kind: &ElementKind<'_>) -> Result<SegmentMode, ParseError> {
    Ok(match kind {
        ElementKind::Passive => SegmentMode::Passive,
        ElementKind::Declared => SegmentMode::Declared,
        ElementKind::Active {
            table_index,
            offset_expr,
        } => SegmentMode::Active {
            index: table_index.unwrap_or(0),
            offset: const_expr(offset_expr)?,
        },
    })
}

fn name_map(
    map: wasmparser::NameMap<'_>,
    into: &mut BTreeMap<u32, String>,
) -> Result<(), ParseError> {
    for naming in map {
        let naming = naming?;
        into.insert(naming.index, naming.name.to_string());
    }
    Ok(())
}

fn indirect_name_map(
    map: wasmparser::IndirectNameMap<'_>,
    into: &mut BTreeMap<u32, BTreeMap<u32, String>>,
) -> Result<(), ParseError> {
    for indirect in map {
        let indirect = indirect?;
        name_map(indirect.names, into.entry(indirect.index).or_default())?;
    }
    Ok(())
}

/// Reads the `name` section. A malformed name section is not fatal in engines (the spec makes
/// it a custom section), so errors inside it are returned for callers that care.
fn parse_names(
    reader: wasmparser::NameSectionReader<'_>,
    names: &mut Names,
) -> Result<(), ParseError> {
    for subsection in reader {
        match subsection? {
            Name::Module { name, .. } => names.module = Some(name.to_string()),
            Name::Function(m) => name_map(m, &mut names.functions)?,
            Name::Local(m) => indirect_name_map(m, &mut names.locals)?,
            Name::Label(m) => indirect_name_map(m, &mut names.labels)?,
            Name::Type(m) => name_map(m, &mut names.types)?,
            Name::Table(m) => name_map(m, &mut names.tables)?,
            Name::Memory(m) => name_map(m, &mut names.memories)?,
            Name::Global(m) => name_map(m, &mut names.globals)?,
            Name::Element(m) => name_map(m, &mut names.elements)?,
            Name::Data(m) => name_map(m, &mut names.data)?,
            Name::Tag(m) => name_map(m, &mut names.tags)?,
            _ => {}
        }
    }
    Ok(())
}

pub(super) fn parse(bytes: Vec<u8>) -> Result<Module, ParseError> {
    let (m, mut errors) = super::sections::parse_sections(bytes, None);
    match errors.is_empty() {
        true => Ok(m),
        false => Err(errors.swap_remove(0)),
    }
}

/// An empty model, filled section by section.
pub(super) fn empty_module() -> Module {
    Module {
        bytes: Vec::new(),
        sections: Vec::new(),
        types: Vec::new(),
        sub_types: Vec::new(),
        rec_groups: Vec::new(),
        imports: Vec::new(),
        func_types: Vec::new(),
        num_imported_funcs: 0,
        tables: Vec::new(),
        table_inits: Vec::new(),
        num_imported_tables: 0,
        memories: Vec::new(),
        num_imported_memories: 0,
        globals: Vec::new(),
        num_imported_globals: 0,
        global_inits: Vec::new(),
        exports: Vec::new(),
        start: None,
        elements: Vec::new(),
        data: Vec::new(),
        data_count: None,
        code: Vec::new(),
        names: Names::default(),
        custom_sections: Vec::new(),
        tags: Vec::new(),
        num_imported_tags: 0,
        symbol_names: Names::default(),
    }
}

/// The item count of a vector-shaped section, as its reader saw it.
fn section_count(payload: &Payload<'_>) -> Option<u32> {
    Some(match payload {
        Payload::TypeSection(r) => r.count(),
        Payload::ImportSection(r) => r.count(),
        Payload::FunctionSection(r) => r.count(),
        Payload::TableSection(r) => r.count(),
        Payload::MemorySection(r) => r.count(),
        Payload::TagSection(r) => r.count(),
        Payload::GlobalSection(r) => r.count(),
        Payload::ExportSection(r) => r.count(),
        Payload::ElementSection(r) => r.count(),
        Payload::DataSection(r) => r.count(),
        Payload::CodeSectionStart { count, .. } => *count,
        Payload::DataCountSection { count, .. } => *count,
        _ => return None,
    })
}

/// Decodes the section with id `id` whose payload is `bytes[range]` into `m`, with
/// wasmparser's section readers. On error `m` keeps what was decoded before it.
pub(super) fn parse_section(
    m: &mut Module,
    id: u8,
    range: Range<usize>,
    bytes: &[u8],
    features: WasmFeatures,
) -> Result<(), ParseError> {
    use wasmparser::{BinaryReader, FromReader, SectionLimited};
    let mut reader =
        BinaryReader::new_features(&bytes[range.clone()], range.start as u64, features);
    let whole = range.start as u64..range.end as u64;
    fn limited<'a, T: FromReader<'a>>(
        reader: BinaryReader<'a>,
    ) -> Result<SectionLimited<'a, T>, ParseError> {
        Ok(SectionLimited::new(reader)?)
    }
    let payload = match id {
        0 => Payload::CustomSection(wasmparser::CustomSectionReader::new(reader)?),
        1 => Payload::TypeSection(limited(reader)?),
        2 => Payload::ImportSection(limited(reader)?),
        3 => Payload::FunctionSection(limited(reader)?),
        4 => Payload::TableSection(limited(reader)?),
        5 => Payload::MemorySection(limited(reader)?),
        6 => Payload::GlobalSection(limited(reader)?),
        7 => Payload::ExportSection(limited(reader)?),
        8 => Payload::StartSection {
            func: single_item(&mut reader, "start")?,
            range: whole,
        },
        9 => Payload::ElementSection(limited(reader)?),
        10 => {
            let count = reader.read_var_u32()?;
            set_count(m, Some(count));
            for _ in 0..count {
                let body = reader.read_reader()?;
                handle_payload(
                    m,
                    Payload::CodeSectionEntry(wasmparser::FunctionBody::new(body)),
                    bytes,
                )?;
            }
            return finished(&reader);
        }
        11 => Payload::DataSection(limited(reader)?),
        12 => Payload::DataCountSection {
            count: single_item(&mut reader, "data count")?,
            range: whole,
        },
        13 => Payload::TagSection(limited(reader)?),
        _ => return Ok(()),
    };
    set_count(m, section_count(&payload));
    if let Payload::CustomSection(c) = &payload {
        if let Some(section) = m.sections.last_mut() {
            section.custom_name = Some(c.name().to_string());
        }
    }
    handle_payload(m, payload, bytes)
}

fn set_count(m: &mut Module, count: Option<u32>) {
    if let Some(section) = m.sections.last_mut() {
        section.count = count;
    }
}

/// A section holding one LEB (start, data count) must hold nothing else.
fn single_item(reader: &mut wasmparser::BinaryReader<'_>, what: &str) -> Result<u32, ParseError> {
    let value = reader.read_var_u32()?;
    if !reader.eof() {
        return Err(err(
            reader.original_position() as usize,
            format!("unexpected content in the {what} section"),
        ));
    }
    Ok(value)
}

/// Every byte of a section must belong to its items.
fn finished(reader: &wasmparser::BinaryReader<'_>) -> Result<(), ParseError> {
    if reader.eof() {
        Ok(())
    } else {
        Err(err(
            reader.original_position() as usize,
            "section size mismatch: unexpected data at the end of the section",
        ))
    }
}

/// Records one payload (a whole section, or one code-section entry) in `m`.
fn handle_payload(m: &mut Module, payload: Payload<'_>, bytes: &[u8]) -> Result<(), ParseError> {
    {
        match payload {
            Payload::Version {
                encoding, range, ..
            } if encoding != wasmparser::Encoding::Module => {
                return Err(err(range.start as usize, "components are not supported"));
            }
            Payload::TypeSection(reader) => {
                for group in reader.into_iter_with_offsets() {
                    let (_, group) = group?;
                    let start = m.types.len() as u32;
                    for sub in group.into_types() {
                        m.types.push(match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => f.clone(),
                            _ => wasmparser::FuncType::new([], []),
                        });
                        m.sub_types.push(sub);
                    }
                    m.rec_groups.push(start..m.types.len() as u32);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    let (kind, index) = match import.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            m.func_types.push(t);
                            m.num_imported_funcs += 1;
                            (ImportKind::Func(t), m.num_imported_funcs - 1)
                        }
                        TypeRef::Table(t) => {
                            m.tables.push(t);
                            m.num_imported_tables += 1;
                            (ImportKind::Table(t), m.num_imported_tables - 1)
                        }
                        TypeRef::Memory(t) => {
                            m.memories.push(t);
                            m.num_imported_memories += 1;
                            (ImportKind::Memory(t), m.num_imported_memories - 1)
                        }
                        TypeRef::Global(t) => {
                            m.globals.push(t);
                            m.num_imported_globals += 1;
                            (ImportKind::Global(t), m.num_imported_globals - 1)
                        }
                        TypeRef::Tag(t) => {
                            m.tags.push(t.func_type_idx);
                            m.num_imported_tags += 1;
                            (ImportKind::Tag(t.func_type_idx), m.num_imported_tags - 1)
                        }
                    };
                    m.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        kind,
                        index,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    m.func_types.push(t?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table?;
                    m.tables.push(table.ty);
                    m.table_inits.push(match &table.init {
                        TableInit::RefNull => None,
                        TableInit::Expr(e) => Some(const_expr(e)?),
                    });
                }
            }
            Payload::MemorySection(reader) => {
                for mem in reader {
                    m.memories.push(mem?);
                }
            }
            Payload::TagSection(reader) => {
                for tag in reader {
                    m.tags.push(tag?.func_type_idx);
                }
            }
            Payload::GlobalSection(reader) => {
                let section_end = reader.range().end as usize;
                // Where the next global starts: after the count, then after each initializer.
                let mut next = reader.range().start as usize
                    + leb_len(&bytes[reader.range().start as usize..section_end]);
                let (count, mut read) = (reader.count(), 0);
                for global in reader {
                    let global = match global {
                        Ok(g) => g,
                        Err(e) => {
                            // Past the last item the error is about leftover bytes.
                            if read < count {
                                keep_global_type(m, bytes, next..section_end);
                            }
                            return Err(e.into());
                        }
                    };
                    read += 1;
                    m.globals.push(global.ty);
                    let init = const_expr(&global.init_expr)?;
                    next = init.range.end;
                    m.global_inits.push(init);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    let kind = match export.kind {
                        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                            ExternKind::Func
                        }
                        wasmparser::ExternalKind::Table => ExternKind::Table,
                        wasmparser::ExternalKind::Memory => ExternKind::Memory,
                        wasmparser::ExternalKind::Global => ExternKind::Global,
                        wasmparser::ExternalKind::Tag => ExternKind::Tag,
                    };
                    m.exports.push(Export {
                        name: export.name.to_string(),
                        kind,
                        index: export.index,
                    });
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    let elem = elem?;
                    let mode = segment_mode_elem(&elem.kind)?;
                    let (ty, items, uses_exprs) = match elem.items {
                        wasmparser::ElementItems::Functions(funcs) => {
                            let mut v = Vec::new();
                            for f in funcs {
                                v.push(f?);
                            }
                            (RefType::FUNCREF, ElementItems::Functions(v), false)
                        }
                        wasmparser::ElementItems::Expressions(ty, exprs) => {
                            let mut v = Vec::new();
                            for e in exprs {
                                v.push(const_expr(&e?)?);
                            }
                            (ty, ElementItems::Exprs(v), true)
                        }
                    };
                    m.elements.push(ElementSegment {
                        mode,
                        ty,
                        items,
                        range: usize_range(elem.range),
                        uses_exprs,
                    });
                }
            }
            Payload::DataCountSection { count, .. } => m.data_count = Some(count),
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let mode = match &data.kind {
                        DataKind::Passive => SegmentMode::Passive,
                        DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => SegmentMode::Active {
                            index: *memory_index,
                            offset: const_expr(offset_expr)?,
                        },
                    };
                    let range = usize_range(data.range.clone());
                    let data_start = range.end - data.data.len();
                    m.data.push(DataSegment {
                        mode,
                        data: data_start..range.end,
                        range,
                    });
                }
            }
            Payload::CodeSectionEntry(body) => {
                let body_range = usize_range(body.range());
                let mut locals = Vec::new();
                let mut local_offsets = Vec::new();
                let mut locals_reader = body.get_locals_reader()?;
                let mut defect = None;
                for _ in 0..locals_reader.get_count() {
                    let at = locals_reader.original_position() as usize;
                    match locals_reader.read() {
                        Ok(local) => {
                            local_offsets.push(at);
                            locals.push(local);
                        }
                        Err(e) => {
                            local_offsets.push(at);
                            defect = Some(e);
                            break;
                        }
                    }
                }
                // A body whose locals are malformed is kept with the locals read so far and
                // no instructions, so printers can show as much as a streaming reader does.
                let ops_start = match defect {
                    None => locals_reader.original_position() as usize,
                    Some(_) => body_range.end,
                };
                m.code.push(FunctionCode {
                    size_offset: leb_start_before(bytes, body_range.start),
                    body: body_range,
                    locals,
                    local_offsets,
                    ops_start,
                });
                if let Some(e) = defect {
                    return Err(e.into());
                }
            }
            Payload::CustomSection(custom) => {
                let data_offset = custom.data_offset() as usize;
                m.custom_sections.push(CustomSection {
                    name: custom.name().to_string(),
                    data: data_offset..data_offset + custom.data().len(),
                });
                if let wasmparser::KnownCustom::Linking(reader) = custom.as_known() {
                    // Like the name section, a broken symbol table keeps what precedes it.
                    let _ = parse_symbol_names(reader, &mut m.symbol_names);
                }
                if let wasmparser::KnownCustom::Name(reader) = custom.as_known() {
                    // A broken name section only loses the names from its defect on (as in
                    // wabt, which warns); the module stays usable.
                    let mut names = Names::default();
                    let _ = parse_names(reader, &mut names);
                    m.names = names;
                }
            }
            Payload::ModuleSection { .. }
            | Payload::InstanceSection(_)
            | Payload::CoreTypeSection(_)
            | Payload::ComponentSection { .. }
            | Payload::ComponentInstanceSection(_)
            | Payload::ComponentAliasSection(_)
            | Payload::ComponentTypeSection(_)
            | Payload::ComponentCanonicalSection(_)
            | Payload::ComponentStartSection { .. }
            | Payload::ComponentImportSection(_)
            | Payload::ComponentExportSection(_) => {
                return Err(err(0, "components are not supported"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Offset of the LEB128 that ends just before `end` (LEB bytes other than the last have the
/// high bit set, so walk back while the byte before has it).
/// A global whose initializer is malformed is kept without one (its type was read), so
/// printers can show what a streaming reader shows before the defect.
fn keep_global_type(m: &mut Module, bytes: &[u8], at: Range<usize>) {
    let start = at.start;
    let mut reader = wasmparser::BinaryReader::new(&bytes[at], start as u64);
    if let Ok(ty) = <GlobalType as wasmparser::FromReader>::from_reader(&mut reader) {
        m.globals.push(ty);
    }
}

/// The length of the LEB128 at the start of `bytes` (0 when there is none).
fn leb_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take(5)
        .position(|b| b & 0x80 == 0)
        .map_or(0, |i| i + 1)
}

/// The names a relocatable object's `linking` section gives its function, global, table
/// and tag symbols, and its data segments.
fn parse_symbol_names(
    reader: wasmparser::LinkingSectionReader<'_>,
    into: &mut Names,
) -> Result<(), ParseError> {
    use wasmparser::{Linking, SymbolInfo};
    for subsection in reader.subsections() {
        let symbols = match subsection? {
            Linking::SymbolTable(symbols) => symbols,
            Linking::SegmentInfo(segments) => {
                for (i, segment) in segments.into_iter().enumerate() {
                    into.data.insert(i as u32, segment?.name.to_string());
                }
                continue;
            }
            _ => continue,
        };
        for symbol in symbols {
            let (map, index, name) = match symbol? {
                SymbolInfo::Func { index, name, .. } => (&mut into.functions, index, name),
                SymbolInfo::Global { index, name, .. } => (&mut into.globals, index, name),
                SymbolInfo::Table { index, name, .. } => (&mut into.tables, index, name),
                SymbolInfo::Event { index, name, .. } => (&mut into.tags, index, name),
                _ => continue,
            };
            if let Some(name) = name.filter(|n| !n.is_empty()) {
                map.insert(index, name.to_string());
            }
        }
    }
    Ok(())
}

pub(super) fn leb_start_before(bytes: &[u8], end: usize) -> usize {
    let mut start = end - 1;
    while start > 0 && bytes[start - 1] & 0x80 != 0 {
        start -= 1;
    }
    start
}
