//! The sections of the module wast encoded, read back with wasmparser so the writer can lay
//! them out again the way wabt does.
use super::code::ShortBlock;
use super::types::plain_type;
use super::WriteError;
use wasmparser::{
    CompositeInnerType, DataSectionReader, ElementSectionReader, ExportSectionReader, FunctionBody,
    FunctionSectionReader, GlobalSectionReader, ImportSectionReader, MemorySectionReader,
    NameSectionReader, Parser, Payload, TableSectionReader, TagSectionReader, TypeSectionReader,
};

#[derive(Default)]
pub struct Sections<'a> {
    pub types: Option<TypeSectionReader<'a>>,
    pub imports: Option<ImportSectionReader<'a>>,
    pub functions: Option<FunctionSectionReader<'a>>,
    pub tables: Option<TableSectionReader<'a>>,
    pub memories: Option<MemorySectionReader<'a>>,
    pub tags: Option<TagSectionReader<'a>>,
    pub globals: Option<GlobalSectionReader<'a>>,
    pub exports: Option<ExportSectionReader<'a>>,
    pub start: Option<u32>,
    pub elements: Option<ElementSectionReader<'a>>,
    pub bodies: Vec<FunctionBody<'a>>,
    pub data: Option<DataSectionReader<'a>>,
    pub names: Option<NameSectionReader<'a>>,
    /// Per type index, the one-byte block type wabt writes in place of the index, if any.
    pub short_block_forms: Vec<Option<ShortBlock>>,
    /// Per type index, whether it is a function type (wabt names only those).
    pub is_func_type: Vec<bool>,
    /// Imported functions come first in the function index space.
    pub imported_funcs: u32,
}

impl<'a> Sections<'a> {
    pub fn read(wasm: &'a [u8]) -> Result<Sections<'a>, WriteError> {
        let mut s = Sections::default();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload? {
                Payload::TypeSection(r) => {
                    for rec in r.clone() {
                        let ty = plain_type(rec?)?;
                        s.is_func_type
                            .push(matches!(ty, CompositeInnerType::Func(_)));
                        let form = match ty {
                            CompositeInnerType::Func(f) => match (f.params(), f.results()) {
                                ([], []) => Some(ShortBlock::Empty),
                                ([], [t]) => Some(ShortBlock::Value(*t)),
                                _ => None,
                            },
                            _ => None,
                        };
                        s.short_block_forms.push(form);
                    }
                    s.types = Some(r);
                }
                Payload::ImportSection(r) => {
                    for import in r.clone().into_imports() {
                        if matches!(import?.ty, wasmparser::TypeRef::Func(_)) {
                            s.imported_funcs += 1;
                        }
                    }
                    s.imports = Some(r);
                }
                Payload::FunctionSection(r) => s.functions = Some(r),
                Payload::TableSection(r) => s.tables = Some(r),
                Payload::MemorySection(r) => s.memories = Some(r),
                Payload::TagSection(r) => s.tags = Some(r),
                Payload::GlobalSection(r) => s.globals = Some(r),
                Payload::ExportSection(r) => s.exports = Some(r),
                Payload::StartSection { func, .. } => s.start = Some(func),
                Payload::ElementSection(r) => s.elements = Some(r),
                Payload::CodeSectionEntry(body) => s.bodies.push(body),
                Payload::DataSection(r) => s.data = Some(r),
                Payload::CustomSection(c) => {
                    if let wasmparser::KnownCustom::Name(r) = c.as_known() {
                        s.names = Some(r);
                    }
                }
                _ => {}
            }
        }
        Ok(s)
    }

    pub fn count<T>(reader: &Option<wasmparser::SectionLimited<'a, T>>) -> u32 {
        reader.as_ref().map_or(0, |r| r.count())
    }

    pub fn defined_funcs(&self) -> u32 {
        Self::count(&self.functions)
    }
}
