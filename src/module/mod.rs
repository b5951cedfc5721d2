//! The module model: a Wasm binary parsed once (with wasmparser) into plain data that objdump,
//! explain, the compiler and the runtime all read. No other part of rt parses Wasm sections.
//!
//! The model keeps byte ranges (relative to the start of `bytes`) next to every decoded item,
//! so printers that must reproduce wabt's offsets can do so without re-parsing.
pub mod component;
mod input;
pub mod opnames;
mod parse;
mod sections;
pub mod typetext;

pub use input::{
    component_explanation, is_binary, is_component, module_bytes, read_module_bytes, wat_to_wasm,
    Input, InputError,
};
pub use parse::ParseError;

/// What wabt 1.0.32's reader knows: Wasm 2.0 and the proposals of its day (threads,
/// multi-memory, tail calls, legacy exceptions and `throw`, relaxed SIMD, extended constants;
/// no function references or GC). Not memory64: with it wasmparser reads every limit and
/// offset as 64-bit, while wabt reads 32-bit ones for 32-bit memories; without it, memory64
/// limits still decode when they fit 32 bits.
pub const WABT_READS: wasmparser::WasmFeatures = wasmparser::WasmFeatures::WASM2
    .union(wasmparser::WasmFeatures::THREADS)
    .union(wasmparser::WasmFeatures::MULTI_MEMORY)
    .union(wasmparser::WasmFeatures::TAIL_CALL)
    .union(wasmparser::WasmFeatures::EXCEPTIONS)
    .union(wasmparser::WasmFeatures::LEGACY_EXCEPTIONS)
    .union(wasmparser::WasmFeatures::RELAXED_SIMD)
    .union(wasmparser::WasmFeatures::EXTENDED_CONST);

/// Decode and validate `bytes` in the language `features` describes, building nothing.
pub fn validate(bytes: &[u8], features: wasmparser::WasmFeatures) -> Result<(), ParseError> {
    parse::validate(bytes, features)
}

use std::collections::BTreeMap;
use std::ops::Range;
use wasmparser::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};

/// A parsed WebAssembly module.
#[derive(Debug, Clone)]
pub struct Module {
    /// The whole binary the model was parsed from; every `Range` below indexes into it.
    pub bytes: Vec<u8>,
    /// Every section in binary order, with its id and payload range.
    pub sections: Vec<Section>,
    /// Function types, by type index. A struct or array type (Wasm GC) has an empty
    /// placeholder here, so function-type lookups keep their indices; `sub_types` has the
    /// whole definition.
    pub types: Vec<FuncType>,
    /// Every type's full definition (finality, declared supertype, composite type), by index.
    pub sub_types: Vec<wasmparser::SubType>,
    /// Each recursion group as the range of type indices it defines, in order.
    pub rec_groups: Vec<Range<u32>>,
    /// Imports in declaration order.
    pub imports: Vec<Import>,
    /// Type index of every function (imported functions first, then defined ones).
    pub func_types: Vec<u32>,
    /// How many entries of `func_types` are imports.
    pub num_imported_funcs: u32,
    /// Table types: imported tables first, then defined ones (with their optional init expr).
    pub tables: Vec<TableType>,
    /// Init expressions of defined tables (index = defined-table index), `None` = ref.null.
    pub table_inits: Vec<Option<ConstExpr>>,
    pub num_imported_tables: u32,
    /// Memory types: imported first, then defined.
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    /// Global types: imported first, then defined.
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    /// Initialisers of defined globals (index = defined-global index). Only in a model of a
    /// malformed binary ([`Module::parse_partial`]) can the last defined global lack one.
    pub global_inits: Vec<ConstExpr>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elements: Vec<ElementSegment>,
    pub data: Vec<DataSegment>,
    pub data_count: Option<u32>,
    /// Bodies of defined functions, in order (index = defined-function index).
    pub code: Vec<FunctionCode>,
    pub names: Names,
    pub custom_sections: Vec<CustomSection>,
    /// Type index of every exception tag: imported first, then defined.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    /// Names from a relocatable object's `linking` section: its symbol table (functions,
    /// globals, tables, tags) and segment info (data segments).
    pub symbol_names: Names,
}

/// One section as it appears in the binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The section id byte (0 = custom).
    pub id: u8,
    /// Offset of the id byte.
    pub header_start: usize,
    /// The payload (after the id and size LEB).
    pub range: Range<usize>,
    /// The custom section's name, for id 0.
    pub custom_name: Option<String>,
    /// The item count that opens the payload (None for start, custom and unknown sections).
    pub count: Option<u32>,
}

impl Section {
    /// The name wabt gives the section ("Type", "Import", ..., "Custom", "DataCount").
    pub fn kind_name(&self) -> &'static str {
        match self.id {
            0 => "Custom",
            1 => "Type",
            2 => "Import",
            3 => "Function",
            4 => "Table",
            5 => "Memory",
            6 => "Global",
            7 => "Export",
            8 => "Start",
            9 => "Elem",
            10 => "Code",
            11 => "Data",
            12 => "DataCount",
            13 => "Tag",
            _ => "Unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
    /// Index in the space of its kind (function index for functions, etc.).
    pub index: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// A function with this type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// An exception tag with this type index (parsed for objdump; rejected by the compiler).
    Tag(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

impl ExternKind {
    pub fn name(self) -> &'static str {
        match self {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

/// A constant expression, plus its bytes: decoded when it is one instruction before `end`
/// (all Wasm 2.0 allows), kept as bytes otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstExpr {
    pub op: ConstOp,
    /// The instruction bytes including the final `end`.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstOp {
    I32(i32),
    I64(i64),
    /// Raw bits, so NaN payloads survive.
    F32(u32),
    F64(u64),
    V128([u8; 16]),
    RefNull(RefType),
    RefFunc(u32),
    GlobalGet(u32),
    /// Any other instruction sequence (extended constants' arithmetic, GC allocations).
    /// Printers show the raw instructions; the runtime evaluates them from the bytes.
    Sequence,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentMode {
    Passive,
    Active {
        index: u32,
        offset: ConstExpr,
    },
    /// Element segments only: `declare`.
    Declared,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementSegment {
    pub mode: SegmentMode,
    pub ty: RefType,
    pub items: ElementItems,
    /// The whole segment's bytes.
    pub range: Range<usize>,
    /// True when the binary used the expression encoding (flags 4..7).
    pub uses_exprs: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementItems {
    Functions(Vec<u32>),
    Exprs(Vec<ConstExpr>),
}

impl ElementItems {
    pub fn len(&self) -> usize {
        match self {
            ElementItems::Functions(f) => f.len(),
            ElementItems::Exprs(e) => e.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSegment {
    pub mode: SegmentMode,
    /// The segment's payload bytes.
    pub data: Range<usize>,
    /// The whole segment's bytes.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionCode {
    /// The body: local declarations, then instructions, ending in `end` (after the size LEB).
    pub body: Range<usize>,
    /// Offset of the body-size LEB that precedes `body`.
    pub size_offset: usize,
    /// Declared locals, run-length encoded as in the binary.
    pub locals: Vec<(u32, ValType)>,
    /// Where each entry of `locals` starts (its count LEB); the last one ends at `ops_start`.
    /// When a declaration is malformed, one more entry marks where it starts (and the body is
    /// kept with no instructions: `ops_start == body.end`).
    pub local_offsets: Vec<usize>,
    /// Where the instructions start (after the local declarations).
    pub ops_start: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomSection {
    pub name: String,
    /// The payload after the name.
    pub data: Range<usize>,
}

/// Everything the `name` custom section says, indexed by the entity's index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub module: Option<String>,
    pub functions: BTreeMap<u32, String>,
    /// function index -> local index -> name
    pub locals: BTreeMap<u32, BTreeMap<u32, String>>,
    pub labels: BTreeMap<u32, BTreeMap<u32, String>>,
    pub types: BTreeMap<u32, String>,
    pub tables: BTreeMap<u32, String>,
    pub memories: BTreeMap<u32, String>,
    pub globals: BTreeMap<u32, String>,
    pub elements: BTreeMap<u32, String>,
    pub data: BTreeMap<u32, String>,
    pub tags: BTreeMap<u32, String>,
}

impl Module {
    /// Parse a binary (structure only, no validation: objdump must show invalid modules too).
    pub fn parse(bytes: Vec<u8>) -> Result<Module, ParseError> {
        parse::parse(bytes)
    }

    /// Parse everything readable in the language `features` (wabt's reading is
    /// [`WABT_READS`]): a defect inside a section ends that section only (the model keeps
    /// what precedes it), and the defects are returned in file order. Also applies the
    /// structural checks a streaming reader like wabt's makes (section order, duplicates,
    /// unknown ids, count agreements). Printers that mirror wabt (objdump) show what it shows
    /// around a defect.
    pub fn parse_partial(
        bytes: Vec<u8>,
        features: wasmparser::WasmFeatures,
    ) -> (Module, Vec<ParseError>) {
        sections::parse_sections(bytes, Some(features))
    }

    /// Parse and validate with the Wasm 2.0 feature set rt executes (plus what `features`
    /// adds). The validator walks the same bytes; the model is still built once.
    pub fn parse_validated(
        bytes: Vec<u8>,
        features: wasmparser::WasmFeatures,
    ) -> Result<Module, ParseError> {
        parse::validate(&bytes, features)?;
        parse::parse(bytes)
    }

    pub fn num_funcs(&self) -> u32 {
        self.func_types.len() as u32
    }

    /// The type of function `func_index` (imports included).
    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.func_types[func_index as usize] as usize]
    }

    /// Whether function `func_index` is imported.
    pub fn is_imported_func(&self, func_index: u32) -> bool {
        func_index < self.num_imported_funcs
    }

    /// The code of a defined function, by its function index.
    pub fn code_of(&self, func_index: u32) -> Option<&FunctionCode> {
        func_index
            .checked_sub(self.num_imported_funcs)
            .and_then(|i| self.code.get(i as usize))
    }

    /// A name for function `func_index`: the name section's, else the first export's name.
    pub fn func_name(&self, func_index: u32) -> Option<&str> {
        if let Some(n) = self.names.functions.get(&func_index) {
            return Some(n);
        }
        self.exports
            .iter()
            .find(|e| e.kind == ExternKind::Func && e.index == func_index)
            .map(|e| e.name.as_str())
    }

    /// An operators reader over a defined function's instructions (after its locals).
    pub fn operators(&self, code: &FunctionCode) -> wasmparser::OperatorsReader<'_> {
        let reader = wasmparser::BinaryReader::new(
            &self.bytes[code.ops_start..code.body.end],
            code.ops_start as u64,
        );
        wasmparser::OperatorsReader::new(reader)
    }

    /// A raw reader over a defined function's instructions that decodes only the proposals
    /// in `features` (immediates such as memarg flags depend on them). Unlike
    /// [`Module::operators`] it tracks no block structure, for printers that show
    /// instructions as they are, well nested or not.
    pub fn code_reader(
        &self,
        code: &FunctionCode,
        features: wasmparser::WasmFeatures,
    ) -> wasmparser::BinaryReader<'_> {
        wasmparser::BinaryReader::new_features(
            &self.bytes[code.ops_start..code.body.end],
            code.ops_start as u64,
            features,
        )
    }

    /// An operators reader over a constant expression's instructions (its `end` included).
    pub fn const_expr_operators(
        &self,
        expr: &ConstExpr,
        features: wasmparser::WasmFeatures,
    ) -> wasmparser::OperatorsReader<'_> {
        let reader = wasmparser::BinaryReader::new_features(
            &self.bytes[expr.range.clone()],
            expr.range.start as u64,
            features,
        );
        wasmparser::OperatorsReader::new(reader)
    }

    /// The function import at function index `func_index`, if it is one.
    pub fn func_import(&self, func_index: u32) -> Option<&Import> {
        self.imports
            .iter()
            .find(|i| matches!(i.kind, ImportKind::Func(_)) && i.index == func_index)
    }

    /// The entries of a `target_features` custom section: (prefix byte `+`/`-`/`=`, name).
    /// Decoding stops quietly at the first malformed entry.
    pub fn target_features(&self, custom: &CustomSection) -> Vec<(u8, String)> {
        let mut reader = wasmparser::BinaryReader::new(
            &self.bytes[custom.data.clone()],
            custom.data.start as u64,
        );
        let mut features = Vec::new();
        let Ok(count) = reader.read_var_u32() else {
            return features;
        };
        for _ in 0..count {
            let (Ok(prefix), Ok(name)) = (reader.read_u8(), reader.read_string()) else {
                break;
            };
            features.push((prefix, name.to_string()));
        }
        features
    }

    /// A reader over a custom section (its name, then its payload), for printers that decode
    /// tool-convention sections (`linking`, `reloc.*`); None for other sections.
    pub fn custom_section_reader(
        &self,
        section: &Section,
    ) -> Option<wasmparser::CustomSectionReader<'_>> {
        if section.id != 0 {
            return None;
        }
        let reader = wasmparser::BinaryReader::new(
            &self.bytes[section.range.clone()],
            section.range.start as u64,
        );
        wasmparser::CustomSectionReader::new(reader).ok()
    }

    /// The payload bytes of a data segment.
    pub fn data_bytes(&self, seg: &DataSegment) -> &[u8] {
        &self.bytes[seg.data.clone()]
    }
}
