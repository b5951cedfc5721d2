//! Binary to text, as wabt 1.0.32's `wasm2wat` writes it, character for character: the
//! same field order, index comments (`(;0;)`), block label comments (`;; label = @1`), hex
//! floats with their `%g` value, names from the `name` section, and the `--fold-exprs`,
//! `--inline-exports`, `--inline-imports` and `--generate-names` forms. Modules that use
//! features wabt 1.0.32 does not read are printed in the same style, except GC, which
//! [`fallback`] prints with wasmprinter.
mod fallback;
mod gen_names;
mod instr;
mod out;
mod read;

use out::{Next, Out};
use read::{ElemItems, ElemMode, ImportKind, Module};
use std::collections::HashMap;
use wasmparser::{ExternalKind, GlobalType, MemoryType, RefType, TableType, ValType};

#[derive(Clone, Debug)]
pub struct Options {
    /// Validate in this language before printing (wabt checks unless `--no-check`).
    pub features: wasmparser::WasmFeatures,
    pub check: bool,
    /// Use the `name` section (off with `--no-debug-names`).
    pub debug_names: bool,
    pub fold_exprs: bool,
    pub inline_exports: bool,
    pub inline_imports: bool,
    pub generate_names: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            features: wasmparser::WasmFeatures::all(),
            check: true,
            debug_names: true,
            fold_exprs: false,
            inline_exports: false,
            inline_imports: false,
            generate_names: false,
        }
    }
}

/// Why a binary could not be printed: the byte offset and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub offset: usize,
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}: {}", self.offset, self.message)
    }
}

impl From<wasmparser::BinaryReaderError> for Error {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Error {
            offset: e.offset() as usize,
            message: e.message().to_string(),
        }
    }
}

/// The text of the module `bytes`.
pub fn print(bytes: &[u8], opts: &Options) -> Result<String, Error> {
    print_with(bytes, opts, None).map(|(text, _)| text)
}

/// Print the module to `sink` as the text is made, so that a listing larger than memory (100,000
/// nested blocks indent their lines by up to 200,000 spaces: gigabytes) streams out in bounded
/// memory. Only a validated module streams (`opts.check`): its printing cannot fail halfway,
/// so no partial text precedes an error. Without the check the text is gathered first and
/// written only when complete, as before. `Ok` carries the write error, if writing failed (a
/// closed pipe ends the printing early).
pub fn print_to(
    bytes: &[u8],
    opts: &Options,
    sink: Box<dyn std::io::Write + Send>,
) -> Result<Option<std::io::Error>, Error> {
    if !opts.check {
        let text = print(bytes, opts)?;
        let mut sink = sink;
        return Ok(sink
            .write_all(text.as_bytes())
            .and_then(|()| sink.flush())
            .err());
    }
    print_with(bytes, opts, Some(sink)).map(|(_, error)| error)
}

/// Stack per level of block nesting the printer may need: it builds and walks a body's block
/// tree recursively (about 550 bytes a level measured; four times that leaves room for the
/// folding walk and the tree's drop).
const STACK_PER_NESTING_LEVEL: usize = 2048;

fn print_with(
    bytes: &[u8],
    opts: &Options,
    sink: Option<Box<dyn std::io::Write + Send>>,
) -> Result<(String, Option<std::io::Error>), Error> {
    if opts.check {
        wasmparser::Validator::new_with_features(opts.features).validate_all(bytes)?;
    }
    let gc = crate::features::uses::uses_gc(bytes);
    // The block tree is recursive, and a body may nest blocks 100,000 deep or more: print on
    // a thread whose stack is sized to this module's deepest nesting rather than overflow
    // the main thread's 8 MiB (a crash, not an error).
    let depth = max_nesting(bytes);
    let stack = (16 << 20) + depth.saturating_mul(STACK_PER_NESTING_LEVEL);
    std::thread::scope(|scope| {
        let printer = std::thread::Builder::new()
            .stack_size(stack)
            .spawn_scoped(scope, move || {
                if gc {
                    return fallback::print(bytes, opts).map(|text| write_whole(text, sink));
                }
                let mut module = Module::read(bytes, opts.debug_names)?;
                if opts.generate_names {
                    gen_names::generate(&mut module);
                }
                let mut w = Writer::new(&module, opts);
                w.out.sink = sink;
                w.module()?;
                Ok(w.out.finish())
            })
            .map_err(|e| Error {
                offset: 0,
                message: format!(
                    "blocks nested {depth} deep need a {stack}-byte stack to print, which the \
                     system refused: {e}"
                ),
            })?;
        printer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The deepest block nesting of any function body (0 for a body the reader cannot read: the
/// printer reports that itself).
fn max_nesting(bytes: &[u8]) -> usize {
    use wasmparser::{Operator as O, Payload};
    let mut max = 0;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let body = match payload {
            Ok(Payload::CodeSectionEntry(body)) => body,
            Ok(_) => continue,
            Err(_) => break,
        };
        let Ok(mut ops) = body.get_operators_reader() else {
            continue;
        };
        let mut depth = 0usize;
        while !ops.eof() {
            match ops.read() {
                Ok(
                    O::Block { .. }
                    | O::Loop { .. }
                    | O::If { .. }
                    | O::Try { .. }
                    | O::TryTable { .. },
                ) => {
                    depth += 1;
                    max = max.max(depth);
                }
                Ok(O::End | O::Delegate { .. }) => depth = depth.saturating_sub(1),
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    max
}

/// Text printed whole (the GC printer makes it in one piece): written to the sink if there is
/// one, as [`print_with`] returns it.
fn write_whole(
    text: String,
    sink: Option<Box<dyn std::io::Write + Send>>,
) -> (String, Option<std::io::Error>) {
    match sink {
        Some(mut sink) => {
            let error = sink
                .write_all(text.as_bytes())
                .and_then(|()| sink.flush())
                .err();
            (String::new(), error)
        }
        None => (text, None),
    }
}

/// The flags a printer cannot apply to this module (GC modules print without inline imports
/// and exports), for the caller to report.
pub fn unapplied_options(bytes: &[u8], opts: &Options) -> Vec<&'static str> {
    // Only those flags can go unapplied: without them, no second scan of every function
    // body (printing scans the module for GC once already).
    let flags = fallback::unapplied_options(opts);
    if flags.is_empty() || !crate::features::uses::uses_gc(bytes) {
        return Vec::new();
    }
    flags
}

/// The index spaces an instruction or field can refer to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Space {
    Func,
    Table,
    Memory,
    Global,
    Tag,
    Type,
    Elem,
    Data,
}

pub(crate) struct Writer<'m, 'a> {
    pub m: &'m Module<'a>,
    pub opts: &'m Options,
    pub out: Out,
    /// Exports written inside their item, by (kind, index), in export order.
    inline_exports: HashMap<(Space, u32), Vec<&'a str>>,
    /// References print as indices even where the item has a name (see
    /// [`Writer::names_stop_at`]).
    plain_vars: bool,
}

fn space_of(kind: ExternalKind) -> Space {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => Space::Func,
        ExternalKind::Table => Space::Table,
        ExternalKind::Memory => Space::Memory,
        ExternalKind::Global => Space::Global,
        ExternalKind::Tag => Space::Tag,
    }
}

impl<'m, 'a> Writer<'m, 'a> {
    fn new(m: &'m Module<'a>, opts: &'m Options) -> Self {
        let mut inline_exports: HashMap<(Space, u32), Vec<&'a str>> = HashMap::new();
        if opts.inline_exports {
            for &(name, kind, index) in &m.exports {
                let space = space_of(kind);
                // `(import "m" "f" (func (export "e")))` is not valid text: an exported import
                // keeps its export field unless imports are written inline too.
                if !opts.inline_imports && index < m.num_imported(space) {
                    continue;
                }
                inline_exports.entry((space, index)).or_default().push(name);
            }
        }
        Writer {
            m,
            opts,
            out: Out::new(),
            inline_exports,
            plain_vars: false,
        }
    }

    /// Whether a reference prints as nothing at all: wabt leaves out an optional table or
    /// memory operand that is index 0 without a name.
    pub fn is_zero_var(&self, space: Space, index: u32) -> bool {
        index == 0 && (self.plain_vars || self.name(space, 0).is_none())
    }

    pub fn name(&self, space: Space, index: u32) -> Option<&'m str> {
        let n = &self.m.names;
        let map = match space {
            Space::Func => &n.funcs,
            Space::Table => &n.tables,
            Space::Memory => &n.memories,
            Space::Global => &n.globals,
            Space::Tag => &n.tags,
            Space::Type => &n.types,
            Space::Elem => &n.elems,
            Space::Data => &n.datas,
        };
        map.get(&index).map(String::as_str)
    }

    /// A reference to an item: its name if it has one, else its index.
    pub fn var(&mut self, space: Space, index: u32, next: Next) {
        let name = if self.plain_vars {
            None
        } else {
            self.name(space, index)
        };
        match name {
            Some(name) => self.out.puts(&valid_name(name), next),
            None => self.out.puts(&index.to_string(), next),
        }
    }

    /// The item's own name or, unnamed, its index as a comment.
    fn name_or_index(&mut self, space: Space, index: u32) {
        match self.name(space, index) {
            Some(name) => self.out.puts(&valid_name(name), Next::Space),
            None => self.out.puts(&format!("(;{index};)"), Next::Space),
        }
    }

    fn module(&mut self) -> Result<(), Error> {
        let m = self.m;
        self.out.open_space("module");
        match &m.names.module {
            Some(name) => self.out.puts(&valid_name(name), Next::Newline),
            None => self.out.newline(false),
        }
        for i in 0..m.types.len() as u32 {
            self.type_entry(i);
        }
        for import in &m.imports {
            self.import(import);
        }
        for f in m.num_imported_funcs..m.funcs.len() as u32 {
            self.func(f)?;
        }
        for (i, (ty, init)) in m.tables.iter().enumerate() {
            self.table(m.num_imported_tables + i as u32, ty, init.as_ref());
            self.out.close_newline();
        }
        for (i, ty) in m.memories.iter().enumerate() {
            self.memory(m.num_imported_memories + i as u32, ty);
            self.out.close_newline();
        }
        for (i, ty) in m.tags.iter().enumerate() {
            self.tag(m.num_imported_tags + i as u32, *ty);
            self.out.close_newline();
        }
        for (i, (ty, init)) in m.globals.iter().enumerate() {
            self.global_head(m.num_imported_globals + i as u32, ty);
            self.init_expr(init);
            self.out.close_newline();
        }
        for &(name, kind, index) in &m.exports {
            let space = space_of(kind);
            if self.inline_exports.contains_key(&(space, index)) {
                continue;
            }
            self.out.open_space("export");
            self.out.quoted(name.as_bytes(), Next::Space);
            self.out.open_space(kind_name(space));
            self.var(space, index, Next::Space);
            self.out.close_space();
            self.out.close_newline();
        }
        let stop = self.names_stop_at();
        if let Some(start) = m.start {
            self.plain_vars = stop.is_some();
            self.out.open_space("start");
            self.var(Space::Func, start, Next::None);
            self.out.close_newline();
        }
        for i in 0..m.elems.len() {
            self.plain_vars = stop.is_some_and(|s| i >= s);
            self.elem(i as u32);
        }
        self.plain_vars = stop.is_some();
        for (i, data) in m.datas.iter().enumerate() {
            self.out.open_space("data");
            self.name_or_index(Space::Data, i as u32);
            if let Some((mem, offset)) = &data.active {
                if *mem != 0 {
                    self.out.open_space("memory");
                    self.var(Space::Memory, *mem, Next::Space);
                    self.out.close_space();
                }
                self.init_expr(offset);
            }
            self.out.quoted(data.bytes, Next::Space);
            self.out.close_newline();
        }
        self.out.close_newline();
        Ok(())
    }

    /// wabt applies names to references field by field, elements segments before data
    /// segments and the start function, and gives up at the first passive or declared
    /// element segment of a module without tables (the segment's table 0 does not exist).
    /// From that segment on, references print as indices, names or not.
    fn names_stop_at(&self) -> Option<usize> {
        if self.m.num_imported_tables > 0 || !self.m.tables.is_empty() {
            return None;
        }
        self.m
            .elems
            .iter()
            .position(|e| !matches!(e.mode, ElemMode::Active { .. }))
    }

    fn type_entry(&mut self, index: u32) {
        use wasmparser::CompositeInnerType as C;
        let m = self.m;
        let sub = &m.types[index as usize];
        self.out.open_space("type");
        self.name_or_index(Space::Type, index);
        match &sub.composite_type.inner {
            C::Func(f) => {
                self.out.open_space("func");
                self.types(f.params(), "param");
                self.types(f.results(), "result");
                self.out.close_space();
            }
            C::Struct(s) => {
                self.out.open_space("struct");
                for field in s.fields.iter() {
                    self.out.open_space("field");
                    self.field(field);
                    self.out.close_space();
                }
                self.out.close_space();
            }
            C::Array(a) => {
                self.out.open_space("array");
                self.field(&a.0);
                self.out.close_space();
            }
            C::Cont(c) => {
                self.out.open_space("cont");
                let t = c.0.as_module_index().unwrap_or(0);
                self.var(Space::Type, t, Next::Space);
                self.out.close_space();
            }
        }
        self.out.close_newline();
    }

    fn field(&mut self, field: &wasmparser::FieldType) {
        let ty = match field.element_type {
            wasmparser::StorageType::I8 => "i8".to_string(),
            wasmparser::StorageType::I16 => "i16".to_string(),
            wasmparser::StorageType::Val(v) => self.val_type(v),
        };
        if field.mutable {
            self.out.open_space("mut");
            self.out.space(&ty);
            self.out.close_space();
        } else {
            self.out.space(&ty);
        }
    }

    /// `(param i32 i64)`: nothing for an empty list.
    pub fn types(&mut self, types: &[ValType], name: &str) {
        if types.is_empty() {
            return;
        }
        self.out.open_space(name);
        for &t in types {
            let t = self.val_type(t);
            self.out.space(&t);
        }
        self.out.close_space();
    }

    pub fn val_type(&self, t: ValType) -> String {
        match t {
            ValType::I32 => "i32".into(),
            ValType::I64 => "i64".into(),
            ValType::F32 => "f32".into(),
            ValType::F64 => "f64".into(),
            ValType::V128 => "v128".into(),
            ValType::Ref(r) => self.ref_type(r),
        }
    }

    pub fn ref_type(&self, r: RefType) -> String {
        let heap = self.heap_type(r.heap_type());
        if r.is_nullable() && !matches!(r.heap_type(), wasmparser::HeapType::Concrete(_)) {
            if let wasmparser::HeapType::Abstract { shared: false, .. } = r.heap_type() {
                return format!("{heap}ref");
            }
        }
        if r.is_nullable() {
            format!("(ref null {heap})")
        } else {
            format!("(ref {heap})")
        }
    }

    pub fn heap_type(&self, h: wasmparser::HeapType) -> String {
        use wasmparser::AbstractHeapType as A;
        match h {
            wasmparser::HeapType::Concrete(i) | wasmparser::HeapType::Exact(i) => {
                let i = i.as_module_index().unwrap_or(0);
                match self.name(Space::Type, i) {
                    Some(n) => valid_name(n),
                    None => i.to_string(),
                }
            }
            wasmparser::HeapType::Abstract { shared, ty } => {
                let name = match ty {
                    A::Func => "func",
                    A::Extern => "extern",
                    A::Any => "any",
                    A::None => "none",
                    A::NoExtern => "noextern",
                    A::NoFunc => "nofunc",
                    A::Eq => "eq",
                    A::Struct => "struct",
                    A::Array => "array",
                    A::I31 => "i31",
                    A::Exn => "exn",
                    A::NoExn => "noexn",
                    A::Cont => "cont",
                    A::NoCont => "nocont",
                };
                if shared {
                    format!("(shared {name})")
                } else {
                    name.to_string()
                }
            }
        }
    }

    /// An import, or with `--inline-imports` the item with its `(import ...)` inside.
    fn import(&mut self, import: &read::Import<'a>) {
        let inline = self.opts.inline_imports;
        if !inline {
            self.out.open_space("import");
            self.out.quoted(import.module.as_bytes(), Next::Space);
            self.out.quoted(import.field.as_bytes(), Next::Space);
        }
        let index = self.import_index(import);
        match &import.kind {
            ImportKind::Func(ty) => {
                self.func_head(index, *ty, true);
                self.out.close_space();
            }
            ImportKind::Table(t) => {
                self.table(index, t, None);
                self.out.close_newline();
            }
            ImportKind::Memory(t) => {
                self.memory(index, t);
                self.out.close_newline();
            }
            ImportKind::Global(t) => {
                self.global_head(index, t);
                self.out.close_space();
            }
            ImportKind::Tag(t) => {
                self.tag(index, *t);
                self.out.close_newline();
            }
        }
        if inline {
            self.out.newline(false);
        } else {
            self.out.close_newline();
        }
    }

    /// The index the import gets in its space (imports come first, in order).
    fn import_index(&self, import: &read::Import<'a>) -> u32 {
        let same =
            |k: &ImportKind| std::mem::discriminant(k) == std::mem::discriminant(&import.kind);
        self.m
            .imports
            .iter()
            .take_while(|i| !std::ptr::eq(*i, import))
            .filter(|i| same(&i.kind))
            .count() as u32
    }

    /// `(export "e")` for each export of the item, with `--inline-exports`.
    fn inline_exports(&mut self, space: Space, index: u32) {
        let Some(names) = self.inline_exports.get(&(space, index)).cloned() else {
            return;
        };
        for name in names {
            self.out.open_space("export");
            self.out.quoted(name.as_bytes(), Next::None);
            self.out.close_space();
        }
    }

    /// `(import "m" "f")` inside an imported item, with `--inline-imports`.
    fn inline_import(&mut self, space: Space, index: u32) {
        if !self.opts.inline_imports || index >= self.m.num_imported(space) {
            return;
        }
        let Some(import) = self
            .m
            .imports
            .iter()
            .filter(|i| import_space(&i.kind) == space)
            .nth(index as usize)
        else {
            return;
        };
        self.out.open_space("import");
        self.out.quoted(import.module.as_bytes(), Next::Space);
        self.out.quoted(import.field.as_bytes(), Next::Space);
        self.out.close_space();
    }

    fn func_head(&mut self, index: u32, ty: u32, imported: bool) {
        self.out.open_space("func");
        self.name_or_index(Space::Func, index);
        self.inline_exports(Space::Func, index);
        self.inline_import(Space::Func, index);
        self.out.open_space("type");
        self.var(Space::Type, ty, Next::None);
        self.out.close_space();
        if imported && self.opts.inline_imports {
            if let Some(f) = self.m.func_type(ty) {
                let (p, r) = (f.params().to_vec(), f.results().to_vec());
                self.types(&p, "param");
                self.types(&r, "result");
            }
        }
    }

    fn func(&mut self, index: u32) -> Result<(), Error> {
        let m = self.m;
        let ty = m.funcs[index as usize];
        self.func_head(index, ty, false);
        let (params, results) = match m.func_type(ty) {
            Some(f) => (f.params().to_vec(), f.results().to_vec()),
            None => (Vec::new(), Vec::new()),
        };
        // Only an unchecked module (`--no-check`) can declare a function with no body.
        let Some(body) = m.bodies.get((index - m.num_imported_funcs) as usize) else {
            return Err(Error {
                offset: m.bytes_len,
                message: format!("function {index} has no body"),
            });
        };
        let mut locals = Vec::new();
        for entry in body.get_locals_reader()? {
            let (count, t) = entry?;
            // A count no validator accepted is printed as far as memory allows: wabt
            // refuses such a module before printing, so only `--no-check` gets here.
            if locals.len() + count as usize > 50_000 {
                return Err(Error {
                    offset: body.range().start as usize,
                    message: "too many locals".into(),
                });
            }
            locals.extend(std::iter::repeat(t).take(count as usize));
        }
        let names = m.names.locals.get(&index);
        self.bindings("param", &params, names, 0);
        self.types(&results, "result");
        self.out.newline(false);
        if !locals.is_empty() {
            self.bindings("local", &locals, names, params.len() as u32);
        }
        self.out.newline(false);
        let mut body_writer = instr::Body::new(self, index, &results);
        body_writer.write_body(body)?;
        self.out.close_newline();
        Ok(())
    }

    /// Params or locals: unnamed ones share one `(param i32 i64)`, a named one stands alone.
    fn bindings(
        &mut self,
        prefix: &str,
        types: &[ValType],
        names: Option<&read::NameMap>,
        first: u32,
    ) {
        let mut prev_named = false;
        for (i, &t) in types.iter().enumerate() {
            let name = names.and_then(|n| n.get(&(first + i as u32)));
            let named = name.is_some();
            if (named || prev_named) && i > 0 {
                self.out.close_space();
            }
            if named || prev_named || i == 0 {
                self.out.open_space(prefix);
            }
            if let Some(name) = name {
                self.out.space(&valid_name(name));
            }
            let t = self.val_type(t);
            self.out.space(&t);
            prev_named = named;
        }
        if !types.is_empty() {
            self.out.close_space();
        }
    }

    fn limits(&mut self, initial: u64, maximum: Option<u64>, shared: bool, is64: bool) {
        if is64 {
            self.out.space("i64");
        }
        self.out.space(&initial.to_string());
        if let Some(max) = maximum {
            self.out.space(&max.to_string());
        }
        if shared {
            self.out.space("shared");
        }
    }

    fn table(&mut self, index: u32, t: &TableType, init: Option<&wasmparser::ConstExpr<'a>>) {
        self.out.open_space("table");
        self.name_or_index(Space::Table, index);
        self.inline_exports(Space::Table, index);
        self.inline_import(Space::Table, index);
        self.limits(t.initial, t.maximum, t.shared, t.table64);
        let ty = self.ref_type(t.element_type);
        self.out.puts(&ty, Next::None);
        if let Some(init) = init {
            self.out.set_next(Next::Space);
            self.init_expr(init);
        }
    }

    fn memory(&mut self, index: u32, t: &MemoryType) {
        self.out.open_space("memory");
        self.name_or_index(Space::Memory, index);
        self.inline_exports(Space::Memory, index);
        self.inline_import(Space::Memory, index);
        self.limits(t.initial, t.maximum, t.shared, t.memory64);
        if let Some(log2) = t.page_size_log2 {
            self.out.open_space("pagesize");
            self.out.space(&(1u64 << log2.min(63)).to_string());
            self.out.close_space();
        }
    }

    fn tag(&mut self, index: u32, ty: u32) {
        self.out.open_space("tag");
        self.name_or_index(Space::Tag, index);
        self.inline_exports(Space::Tag, index);
        self.inline_import(Space::Tag, index);
        self.out.open_space("type");
        self.var(Space::Type, ty, Next::None);
        self.out.close_space();
        if let Some(f) = self.m.func_type(ty) {
            let p = f.params().to_vec();
            self.types(&p, "param");
        }
    }

    fn global_head(&mut self, index: u32, t: &GlobalType) {
        self.out.open_space("global");
        self.name_or_index(Space::Global, index);
        self.inline_exports(Space::Global, index);
        self.inline_import(Space::Global, index);
        let ty = self.val_type(t.content_type);
        if t.mutable {
            self.out.open_space("mut");
            self.out.space(&ty);
            self.out.close_space();
        } else {
            self.out.space(&ty);
        }
    }

    /// `(i32.const 0)`: a constant expression in parentheses, on one line for one
    /// instruction.
    fn init_expr(&mut self, expr: &wasmparser::ConstExpr<'a>) {
        let mut ops = Vec::new();
        let mut reader = expr.get_operators_reader();
        while !reader.eof() {
            match reader.read() {
                Ok(wasmparser::Operator::End) if reader.eof() => break,
                Ok(op) => ops.push(op),
                Err(_) => break,
            }
        }
        if ops.is_empty() {
            return;
        }
        self.out.puts("(", Next::None);
        let mut body = instr::Body::for_const(self);
        for op in &ops {
            body.op(op);
        }
        self.out.set_next(Next::None);
        self.out.puts(")", Next::Space);
    }

    fn elem(&mut self, index: u32) {
        let m = self.m;
        let e = &m.elems[index as usize];
        self.out.open_space("elem");
        self.name_or_index(Space::Elem, index);
        // wabt prints the form the segment's contents allow, not the one it was encoded in:
        // a list of function indices whenever every item is a `ref.func`.
        let funcs: Option<Vec<u32>> = match &e.items {
            ElemItems::Funcs(f) => Some(f.clone()),
            ElemItems::Exprs(ty, exprs) if *ty == RefType::FUNCREF => exprs
                .iter()
                .map(|x| {
                    let mut r = x.get_operators_reader();
                    match (r.read(), r.read(), r.eof()) {
                        (
                            Ok(wasmparser::Operator::RefFunc { function_index }),
                            Ok(wasmparser::Operator::End),
                            true,
                        ) => Some(function_index),
                        _ => None,
                    }
                })
                .collect(),
            ElemItems::Exprs(..) => None,
        };
        match &e.mode {
            ElemMode::Active { table, offset } => {
                let table = table.unwrap_or(0);
                // Only a segment of functions in table 0 has a form without the table.
                let ty = match &e.items {
                    ElemItems::Funcs(_) => RefType::FUNCREF,
                    ElemItems::Exprs(ty, _) => *ty,
                };
                if table != 0 || ty != RefType::FUNCREF {
                    self.out.open_space("table");
                    self.var(Space::Table, table, Next::Space);
                    self.out.close_space();
                }
                self.init_expr(offset);
            }
            ElemMode::Declared => self.out.space("declare"),
            ElemMode::Passive => {}
        }
        match (&funcs, &e.items) {
            (Some(funcs), _) => {
                self.out.space("func");
                for &f in funcs {
                    self.var(Space::Func, f, Next::Space);
                }
            }
            (None, ElemItems::Exprs(ty, exprs)) => {
                let ty = self.ref_type(*ty);
                self.out.space(&ty);
                for x in exprs {
                    self.init_expr(x);
                }
            }
            (None, ElemItems::Funcs(_)) => {}
        }
        self.out.close_newline();
    }
}

impl Module<'_> {
    pub(crate) fn num_imported(&self, space: Space) -> u32 {
        match space {
            Space::Func => self.num_imported_funcs,
            Space::Table => self.num_imported_tables,
            Space::Memory => self.num_imported_memories,
            Space::Global => self.num_imported_globals,
            Space::Tag => self.num_imported_tags,
            _ => 0,
        }
    }
}

fn import_space(kind: &ImportKind) -> Space {
    match kind {
        ImportKind::Func(_) => Space::Func,
        ImportKind::Table(_) => Space::Table,
        ImportKind::Memory(_) => Space::Memory,
        ImportKind::Global(_) => Space::Global,
        ImportKind::Tag(_) => Space::Tag,
    }
}

fn kind_name(space: Space) -> &'static str {
    match space {
        Space::Func => "func",
        Space::Table => "table",
        Space::Memory => "memory",
        Space::Global => "global",
        Space::Tag => "tag",
        Space::Type => "type",
        Space::Elem => "elem",
        Space::Data => "data",
    }
}

/// A name as the text format allows it: bytes outside wabt's symbol characters (space,
/// `"(),;[]{}`, controls, non-ASCII) become `_`, one per byte.
pub(crate) fn valid_name(name: &str) -> String {
    name.bytes()
        .map(|b| {
            let ok = (0x21..0x7f).contains(&b) && !b"\"(),;[]{}".contains(&b);
            if ok {
                b as char
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{print, Options};

    /// A GC module is printed whole by the fallback printer, immediates and all, and reads
    /// back as the same module; the custom sections wabt would not print are left out.
    #[test]
    fn gc_modules_print_whole_and_read_back() {
        let text = r#"(module
          (type $p (struct (field $x (mut i32))))
          (@custom "extra" "bytes")
          (func (export "f") (result i32) (struct.get $p $x (struct.new $p (i32.const 3)))))"#;
        let bytes = wat::parse_str(text).unwrap();
        let printed = print(&bytes, &Options::default()).unwrap();
        assert!(printed.contains("struct.get $p $x"), "{printed}");
        assert!(!printed.contains("extra"), "{printed}");
        let again = wat::parse_str(&printed).unwrap();
        let without_custom = |b: &[u8]| crate::wat2wasm::rebuild(b, false, true).unwrap();
        assert_eq!(without_custom(&again), without_custom(&bytes));
        let folded = Options {
            fold_exprs: true,
            debug_names: false,
            ..Options::default()
        };
        let printed = print(&bytes, &folded).unwrap();
        assert!(printed.contains("(struct.get 0 0"), "{printed}");
        let plain =
            wat::parse_str("(module (func (export \"f\") (result i32) (i32.const 1)))").unwrap();
        let wabt_style = print(&plain, &Options::default()).unwrap();
        assert!(
            wabt_style.contains("(func (;0;) (type 0) (result i32)"),
            "{wabt_style}"
        );
    }
}
