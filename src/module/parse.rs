//! Builds a [`Module`] from binary bytes with wasmparser's section readers.
use super::*;
use std::fmt;
use wasmparser::{
    CompositeInnerType, DataKind, ElementKind, Name, Operator, Parser, Payload, TableInit, TypeRef,
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
            _ => ConstOp::Unsupported,
        },
        _ => ConstOp::Unsupported,
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
    let mut m = Module {
        bytes: Vec::new(),
        sections: Vec::new(),
        types: Vec::new(),
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
    };
    let mut tag_count = 0u32;
    let mut parser = Parser::new(0);
    parser.set_features(WasmFeatures::all());
    for payload in parser.parse_all(&bytes) {
        let payload = payload?;
        if let Some((id, range)) = payload.as_section() {
            let range = usize_range(range);
            // The id byte and the size LEB precede the payload; walk back over the LEB.
            let header_start = section_header_start(&bytes, range.start);
            let custom_name = match &payload {
                Payload::CustomSection(c) => Some(c.name().to_string()),
                _ => None,
            };
            m.sections.push(Section {
                id,
                header_start,
                range,
                custom_name,
            });
        }
        match payload {
            Payload::Version {
                encoding, range, ..
            } => {
                if encoding != wasmparser::Encoding::Module {
                    return Err(err(range.start as usize, "components are not supported"));
                }
            }
            Payload::TypeSection(reader) => {
                for group in reader.into_iter_with_offsets() {
                    let (offset, group) = group?;
                    for sub in group.into_types() {
                        match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => m.types.push(f),
                            _ => {
                                return Err(err(
                                    offset as usize,
                                    "only function types are supported",
                                ));
                            }
                        }
                    }
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
                            tag_count += 1;
                            (ImportKind::Tag(t.func_type_idx), tag_count - 1)
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
                    tag?;
                    tag_count += 1;
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global?;
                    m.globals.push(global.ty);
                    m.global_inits.push(const_expr(&global.init_expr)?);
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
                let mut locals_reader = body.get_locals_reader()?;
                for _ in 0..locals_reader.get_count() {
                    locals.push(locals_reader.read()?);
                }
                let ops_start = locals_reader.original_position() as usize;
                m.code.push(FunctionCode {
                    size_offset: leb_start_before(&bytes, body_range.start),
                    body: body_range,
                    locals,
                    ops_start,
                });
            }
            Payload::CustomSection(custom) => {
                let data_offset = custom.data_offset() as usize;
                m.custom_sections.push(CustomSection {
                    name: custom.name().to_string(),
                    data: data_offset..data_offset + custom.data().len(),
                });
                if let wasmparser::KnownCustom::Name(reader) = custom.as_known() {
                    // A broken name section only loses names; the module stays usable.
                    let mut names = Names::default();
                    if parse_names(reader, &mut names).is_ok() {
                        m.names = names;
                    }
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
    m.bytes = bytes;
    Ok(m)
}

/// Offset of the LEB128 that ends just before `end` (LEB bytes other than the last have the
/// high bit set, so walk back while the byte before has it).
fn leb_start_before(bytes: &[u8], end: usize) -> usize {
    let mut start = end - 1;
    while start > 0 && bytes[start - 1] & 0x80 != 0 {
        start -= 1;
    }
    start
}

/// Offset of a section's id byte, given where its payload starts.
fn section_header_start(bytes: &[u8], payload_start: usize) -> usize {
    leb_start_before(bytes, payload_start).saturating_sub(1)
}
