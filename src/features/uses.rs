//! Which features a module's encoding uses, read off its types, sections and operators
//! without validating it.
//!
//! Validation decides exactly what a language accepts, but only for a valid module. Two tools
//! must know what an unvalidated module uses: `rt wat2wasm --no-check` still enforces the
//! feature switches (wabt refuses a disabled feature's syntax however the module is checked),
//! and `rt wasm2wat` picks its printer by whether the module has GC in it, valid or not.
//! The rules follow wasmparser's feature checks (`WasmFeatures::check_ref_type`, the
//! `@proposal` of each operator), as far as they can be told without type information.
use crate::module::opnames::text_name;
use wasmparser::{
    AbstractHeapType, BlockType, CompositeInnerType, ConstExpr, DataKind, ElementItems,
    ElementKind, HeapType, MemArg, MemArgTarget, MemoryType, Operator, OperatorsReader, Parser,
    Payload, RefType, TableInit, TableType, TypeRef, ValType, WasmFeatures,
};

/// `?` for a nested [`Step`] inside a function returning `wasmparser::Result<Step>`.
macro_rules! scan {
    ($e:expr) => {
        if let Err(found) = $e {
            return Ok(Err(found));
        }
    };
}

/// One use of a feature the language at hand lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// Byte offset in the module of the type, entry or operator that uses it.
    pub offset: usize,
    /// The use is allowed if any one of these is enabled (a typed reference is allowed by
    /// function references or by GC).
    pub needs: WasmFeatures,
    /// What uses it, in the text format's words: `struct.new`, `rec group`, `(ref $0)`.
    pub what: String,
}

/// The first use in `wasm`, in binary order, of something `enabled` does not allow. A module
/// the reader cannot read is not this scan's to report: it stops there, and validation or
/// the tool's own reading says what is wrong.
pub fn first_outside(wasm: &[u8], enabled: WasmFeatures) -> Option<Use> {
    let mut scan = Scan {
        enabled,
        bodies: true,
        memories: 0,
        tables: 0,
    };
    scan.module(wasm).err()
}

/// As [`first_outside`], but reading only what the module declares (types, imports, tables,
/// memories, globals, segments, locals), not the instructions of function bodies: a quick
/// look for what a module's declarations need, at a small part of a whole scan's cost.
pub fn first_declared_outside(wasm: &[u8], enabled: WasmFeatures) -> Option<Use> {
    let mut scan = Scan {
        enabled,
        bodies: false,
        memories: 0,
        tables: 0,
    };
    scan.module(wasm).err()
}

/// Whether `wasm` uses GC types or instructions: something only the GC feature allows.
pub fn uses_gc(wasm: &[u8]) -> bool {
    first_outside(wasm, WasmFeatures::all().difference(WasmFeatures::GC)).is_some()
}

struct Scan {
    enabled: WasmFeatures,
    /// Whether function bodies' instructions are scanned (locals always are).
    bodies: bool,
    /// Memories and tables seen so far, imported and defined: a second one needs
    /// multi-memory or reference types.
    memories: u32,
    tables: u32,
}

/// `Err` carries the first disallowed use: `?` ends the scan there.
type Step = Result<(), Use>;

impl Scan {
    fn need(&self, offset: usize, needs: WasmFeatures, what: impl FnOnce() -> String) -> Step {
        if needs.is_empty() || self.enabled.intersects(needs) {
            return Ok(());
        }
        Err(Use {
            offset,
            needs,
            what: what(),
        })
    }

    fn module(&mut self, wasm: &[u8]) -> Step {
        for payload in Parser::new(0).parse_all(wasm) {
            let Ok(payload) = payload else { return Ok(()) };
            let read = self.payload(payload);
            // A read error ends the scan (see `first_outside`); a use found ends it too.
            match read {
                Ok(Ok(())) => {}
                Ok(Err(found)) => return Err(found),
                Err(_) => return Ok(()),
            }
        }
        Ok(())
    }

    fn payload(&mut self, payload: Payload<'_>) -> wasmparser::Result<Step> {
        let o = |offset: u64| offset as usize;
        match payload {
            Payload::TypeSection(r) => {
                for rec in r.into_iter_with_offsets() {
                    let (offset, rec) = rec?;
                    if rec.is_explicit_rec_group() {
                        scan!(self.need(o(offset), WasmFeatures::GC, || "rec group".into()));
                    }
                    for (offset, sub) in rec.into_types_and_offsets() {
                        scan!(self.sub_type(o(offset), &sub));
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports_with_offsets() {
                    let (offset, import) = import?;
                    scan!(self.type_ref(o(offset), &import.ty));
                }
            }
            Payload::TableSection(r) => {
                for table in r.into_iter_with_offsets() {
                    let (offset, table) = table?;
                    scan!(self.table(o(offset), &table.ty));
                    if let TableInit::Expr(init) = table.init {
                        let typed = WasmFeatures::FUNCTION_REFERENCES | WasmFeatures::GC;
                        scan!(self.need(o(offset), typed, || "table initialiser".into()));
                        scan!(self.const_expr(&init)?);
                    }
                }
            }
            Payload::MemorySection(r) => {
                for memory in r.into_iter_with_offsets() {
                    let (offset, memory) = memory?;
                    scan!(self.memory(o(offset), &memory));
                }
            }
            Payload::TagSection(r) => {
                for tag in r.into_iter_with_offsets() {
                    let (offset, _) = tag?;
                    scan!(self.need(o(offset), WasmFeatures::EXCEPTIONS, || "tag".into()));
                }
            }
            Payload::GlobalSection(r) => {
                for global in r.into_iter_with_offsets() {
                    let (offset, global) = global?;
                    scan!(self.val_type(o(offset), global.ty.content_type));
                    scan!(self.const_expr(&global.init_expr)?);
                }
            }
            Payload::ElementSection(r) => {
                for element in r.into_iter_with_offsets() {
                    let (offset, element) = element?;
                    if !matches!(element.kind, ElementKind::Active { .. }) {
                        let bulk = WasmFeatures::BULK_MEMORY;
                        scan!(self.need(o(offset), bulk, || "passive element segment".into()));
                    }
                    if let ElementKind::Active { offset_expr, .. } = &element.kind {
                        scan!(self.const_expr(offset_expr)?);
                    }
                    if let ElementItems::Expressions(ty, exprs) = element.items {
                        scan!(self.val_type(o(offset), ValType::Ref(ty)));
                        for expr in exprs {
                            scan!(self.const_expr(&expr?)?);
                        }
                    }
                }
            }
            Payload::DataCountSection { range, .. } => {
                let bulk = WasmFeatures::BULK_MEMORY;
                scan!(self.need(o(range.start), bulk, || "data count section".into()));
            }
            Payload::DataSection(r) => {
                for data in r.into_iter_with_offsets() {
                    let (offset, data) = data?;
                    match &data.kind {
                        DataKind::Passive => {
                            let bulk = WasmFeatures::BULK_MEMORY;
                            scan!(self.need(o(offset), bulk, || "passive data segment".into()));
                        }
                        DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => {
                            scan!(self.memory_index(o(offset), *memory_index));
                            scan!(self.const_expr(offset_expr)?);
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut locals = body.get_locals_reader()?;
                for _ in 0..locals.get_count() {
                    let offset = locals.original_position();
                    let (_, ty) = locals.read()?;
                    scan!(self.val_type(o(offset), ty));
                }
                if self.bodies {
                    scan!(self.operators(body.get_operators_reader()?, false)?);
                }
            }
            _ => {}
        }
        Ok(Ok(()))
    }

    fn sub_type(&self, offset: usize, sub: &wasmparser::SubType) -> Step {
        let gc = WasmFeatures::GC;
        if !sub.is_final || !sub.supertype_idxs.is_empty() {
            self.need(offset, gc, || "subtype".into())?;
        }
        let composite = &sub.composite_type;
        if composite.shared {
            let shared = WasmFeatures::SHARED_EVERYTHING_THREADS;
            self.need(offset, shared, || "shared type".into())?;
        }
        if composite.descriptor_idx.is_some() || composite.describes_idx.is_some() {
            let descriptors = WasmFeatures::CUSTOM_DESCRIPTORS;
            self.need(offset, descriptors, || "descriptor type".into())?;
        }
        match &composite.inner {
            CompositeInnerType::Func(f) => {
                if f.results().len() > 1 {
                    let multi = WasmFeatures::MULTI_VALUE;
                    self.need(offset, multi, || "multiple results".into())?;
                }
                for &ty in f.params().iter().chain(f.results()) {
                    self.val_type(offset, ty)?;
                }
            }
            CompositeInnerType::Struct(s) => {
                self.need(offset, gc, || "struct type".into())?;
                for field in s.fields.iter() {
                    if let wasmparser::StorageType::Val(ty) = field.element_type {
                        self.val_type(offset, ty)?;
                    }
                }
            }
            CompositeInnerType::Array(a) => {
                self.need(offset, gc, || "array type".into())?;
                if let wasmparser::StorageType::Val(ty) = a.0.element_type {
                    self.val_type(offset, ty)?;
                }
            }
            CompositeInnerType::Cont(_) => {
                let stack = WasmFeatures::STACK_SWITCHING;
                self.need(offset, stack, || "continuation type".into())?;
            }
        }
        Ok(())
    }

    fn type_ref(&mut self, offset: usize, ty: &TypeRef) -> Step {
        match ty {
            TypeRef::Func(_) => Ok(()),
            TypeRef::FuncExact(_) => {
                let descriptors = WasmFeatures::CUSTOM_DESCRIPTORS;
                self.need(offset, descriptors, || "exact function import".into())
            }
            TypeRef::Table(t) => self.table(offset, t),
            TypeRef::Memory(m) => self.memory(offset, m),
            TypeRef::Global(g) => {
                if g.shared {
                    let shared = WasmFeatures::SHARED_EVERYTHING_THREADS;
                    self.need(offset, shared, || "shared global".into())?;
                }
                self.val_type(offset, g.content_type)
            }
            TypeRef::Tag(_) => self.need(offset, WasmFeatures::EXCEPTIONS, || "tag".into()),
        }
    }

    fn table(&mut self, offset: usize, ty: &TableType) -> Step {
        self.tables += 1;
        if self.tables > 1 {
            let refs = WasmFeatures::REFERENCE_TYPES;
            self.need(offset, refs, || "a second table".into())?;
        }
        if ty.table64 {
            self.need(offset, WasmFeatures::MEMORY64, || "64-bit table".into())?;
        }
        self.val_type(offset, ValType::Ref(ty.element_type))
    }

    fn memory(&mut self, offset: usize, ty: &MemoryType) -> Step {
        self.memories += 1;
        if self.memories > 1 {
            let multi = WasmFeatures::MULTI_MEMORY;
            self.need(offset, multi, || "a second memory".into())?;
        }
        if ty.memory64 {
            self.need(offset, WasmFeatures::MEMORY64, || "64-bit memory".into())?;
        }
        if ty.shared {
            self.need(offset, WasmFeatures::THREADS, || "shared memory".into())?;
        }
        if ty.page_size_log2.is_some() {
            let pages = WasmFeatures::CUSTOM_PAGE_SIZES;
            self.need(offset, pages, || "custom page size".into())?;
        }
        Ok(())
    }

    fn memory_index(&self, offset: usize, index: u32) -> Step {
        if index == 0 {
            return Ok(());
        }
        let multi = WasmFeatures::MULTI_MEMORY;
        self.need(offset, multi, || format!("memory index {index}"))
    }

    fn val_type(&self, offset: usize, ty: ValType) -> Step {
        match ty {
            ValType::V128 => self.need(offset, WasmFeatures::SIMD, || "v128".into()),
            ValType::Ref(r) => self.ref_type(offset, r),
            _ => Ok(()),
        }
    }

    /// As wasmparser's `WasmFeatures::check_ref_type`, less the type index's range.
    fn ref_type(&self, offset: usize, r: RefType) -> Step {
        use AbstractHeapType::*;
        let what = || crate::module::typetext::ref_type(r);
        let needs = match r.heap_type() {
            HeapType::Concrete(_) => WasmFeatures::FUNCTION_REFERENCES | WasmFeatures::GC,
            HeapType::Exact(_) => WasmFeatures::CUSTOM_DESCRIPTORS,
            HeapType::Abstract { shared, ty } => {
                if shared {
                    let shared = WasmFeatures::SHARED_EVERYTHING_THREADS;
                    self.need(offset, shared, what)?;
                }
                match (ty, r.is_nullable()) {
                    (Func | Extern, true) => WasmFeatures::REFERENCE_TYPES,
                    (Func | Extern, false) => WasmFeatures::FUNCTION_REFERENCES,
                    (Any | None | Eq | Struct | Array | I31 | NoExtern | NoFunc, _) => {
                        WasmFeatures::GC
                    }
                    (Exn | NoExn, _) => WasmFeatures::EXCEPTIONS,
                    (Cont | NoCont, _) => WasmFeatures::STACK_SWITCHING,
                }
            }
        };
        self.need(offset, needs, what)
    }

    fn const_expr(&self, expr: &ConstExpr<'_>) -> wasmparser::Result<Step> {
        self.operators(expr.get_operators_reader(), true)
    }

    /// A body's or a constant expression's operators; in a constant expression arithmetic is
    /// the extended-const proposal's.
    fn operators(&self, mut ops: OperatorsReader<'_>, is_const: bool) -> wasmparser::Result<Step> {
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset()?;
            scan!(self.operator(offset as usize, &op, is_const));
        }
        Ok(Ok(()))
    }

    fn operator(&self, offset: usize, op: &Operator<'_>, is_const: bool) -> Step {
        let what = || text_name(op);
        self.need(offset, proposal_of(op), what)?;
        if is_const {
            use Operator as O;
            let extended = matches!(
                op,
                O::I32Add | O::I32Sub | O::I32Mul | O::I64Add | O::I64Sub | O::I64Mul
            );
            if extended {
                self.need(offset, WasmFeatures::EXTENDED_CONST, what)?;
            }
        }
        // Immediates that reach past the operator's own proposal.
        match *op {
            Operator::CallIndirect { table_index, .. } if table_index != 0 => {
                self.need(offset, WasmFeatures::REFERENCE_TYPES, what)
            }
            Operator::MemorySize { mem } | Operator::MemoryGrow { mem } => {
                self.memory_index(offset, mem)
            }
            Operator::MemoryFill { mem } | Operator::MemoryInit { mem, .. } => {
                self.memory_index(offset, mem)
            }
            Operator::MemoryCopy { dst_mem, src_mem } => {
                self.memory_index(offset, dst_mem)?;
                self.memory_index(offset, src_mem)
            }
            Operator::RefNull { hty } => match RefType::new(true, hty) {
                Some(r) => self.ref_type(offset, r),
                None => Ok(()),
            },
            Operator::Block { blockty }
            | Operator::Loop { blockty }
            | Operator::If { blockty }
            | Operator::Try { blockty } => self.block_type(offset, blockty),
            Operator::TypedSelect { ty } => self.val_type(offset, ty),
            Operator::TypedSelectMulti { ref tys } => {
                tys.iter().try_for_each(|&ty| self.val_type(offset, ty))
            }
            _ => match memarg(op) {
                Some(MemArg {
                    target: MemArgTarget::Memory(memory),
                    ..
                }) => self.memory_index(offset, memory),
                _ => Ok(()),
            },
        }
    }

    fn block_type(&self, offset: usize, ty: BlockType) -> Step {
        match ty {
            BlockType::Empty => Ok(()),
            BlockType::Type(ty) => self.val_type(offset, ty),
            BlockType::FuncType(_) => self.need(offset, WasmFeatures::MULTI_VALUE, || {
                "block type index".into()
            }),
        }
    }
}

/// The memory operand of a load, store or atomic, if the operator has one.
fn memarg(op: &Operator<'_>) -> Option<MemArg> {
    let mut found = None;
    crate::wat2wasm::for_each_immediate(op, &mut |_, imm| {
        if let crate::wat2wasm::Imm::MemArg(m) = imm {
            found = Some(m);
        }
        Ok(())
    })
    .ok()?;
    found
}

macro_rules! define_proposal_of {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The proposal that introduced `op`, as wasmparser's operator list records it
        /// (empty for the MVP's).
        fn proposal_of(op: &Operator<'_>) -> WasmFeatures {
            match op {
                $( Operator::$op { .. } => proposal!($proposal), )*
                #[allow(unreachable_patterns)]
                _ => WasmFeatures::empty(),
            }
        }
    };
}

macro_rules! proposal {
    (mvp) => {
        WasmFeatures::empty()
    };
    (exceptions) => {
        WasmFeatures::EXCEPTIONS
    };
    (legacy_exceptions) => {
        WasmFeatures::LEGACY_EXCEPTIONS
    };
    (tail_call) => {
        WasmFeatures::TAIL_CALL
    };
    (reference_types) => {
        WasmFeatures::REFERENCE_TYPES
    };
    (sign_extension) => {
        WasmFeatures::SIGN_EXTENSION
    };
    (saturating_float_to_int) => {
        WasmFeatures::SATURATING_FLOAT_TO_INT
    };
    (bulk_memory) => {
        WasmFeatures::BULK_MEMORY
    };
    (threads) => {
        WasmFeatures::THREADS
    };
    (simd) => {
        WasmFeatures::SIMD
    };
    (relaxed_simd) => {
        WasmFeatures::RELAXED_SIMD
    };
    (function_references) => {
        WasmFeatures::FUNCTION_REFERENCES
    };
    (memory_control) => {
        WasmFeatures::MEMORY_CONTROL
    };
    (gc) => {
        WasmFeatures::GC
    };
    (stack_switching) => {
        WasmFeatures::STACK_SWITCHING
    };
    (shared_everything_threads) => {
        WasmFeatures::SHARED_EVERYTHING_THREADS
    };
    (wide_arithmetic) => {
        WasmFeatures::WIDE_ARITHMETIC
    };
    // Acquire-release orderings are a part of the shared-everything proposal's atomics.
    (acquire_release_atomics) => {
        WasmFeatures::SHARED_EVERYTHING_THREADS
    };
    (custom_descriptors) => {
        WasmFeatures::CUSTOM_DESCRIPTORS
    };
}

wasmparser::for_each_operator!(define_proposal_of);

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).expect("test text assembles")
    }

    fn first(text: &str, enabled: WasmFeatures) -> Option<String> {
        first_outside(&wasm(text), enabled).map(|u| u.what)
    }

    #[test]
    fn gc_types_and_instructions_are_found_where_they_are() {
        let text = r#"(module
          (type $s (struct (field i32)))
          (func (result i32) (struct.get $s 0 (struct.new $s (i32.const 1)))))"#;
        let mvp2 = WasmFeatures::WASM2;
        assert_eq!(first(text, mvp2).as_deref(), Some("struct type"));
        assert!(uses_gc(&wasm(text)));
        assert_eq!(first(text, WasmFeatures::WASM3), None);
        let ops_only = r#"(module (func (result i32) (i31.get_s (ref.i31 (i32.const 1)))))"#;
        let found = first_outside(&wasm(ops_only), mvp2).expect("a GC use");
        assert_eq!(
            (found.what.as_str(), found.needs),
            ("ref.i31", WasmFeatures::GC)
        );
        assert!(
            !uses_gc(&wasm("(module (func (param (ref func))))")),
            "a typed function reference is not GC"
        );
        assert_eq!(
            first("(module (func (param anyref)))", mvp2).as_deref(),
            Some("anyref")
        );
    }

    #[test]
    fn rec_groups_subtypes_and_other_proposals() {
        let mvp2 = WasmFeatures::WASM2;
        let rec = "(module (rec (type (func)) (type (func))))";
        assert_eq!(first(rec, mvp2).as_deref(), Some("rec group"));
        let sub = "(module (type $a (sub (func))) (type (sub $a (func))))";
        assert_eq!(first(sub, mvp2).as_deref(), Some("subtype"));
        let tail = "(module (func $f (return_call $f)))";
        assert_eq!(first(tail, mvp2).as_deref(), Some("return_call"));
        let mem64 = "(module (memory i64 1))";
        assert_eq!(first(mem64, mvp2).as_deref(), Some("64-bit memory"));
        let two = "(module (memory 1) (memory 1))";
        assert_eq!(first(two, mvp2).as_deref(), Some("a second memory"));
        let try_table = "(module (func (block $l (try_table (catch_all $l)))))";
        assert_eq!(first(try_table, mvp2).as_deref(), Some("try_table"));
        let extended = "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))";
        assert_eq!(first(extended, mvp2).as_deref(), Some("i32.add"));
        assert_eq!(first(extended, mvp2 | WasmFeatures::EXTENDED_CONST), None);
        let mvp = "(module (func (result i32) (i32.add (i32.const 1) (i32.const 2))))";
        assert_eq!(first(mvp, WasmFeatures::WASM1), None);
    }

    #[test]
    fn declarations_alone_leave_instructions_out() {
        let ops_only = wasm("(module (func (drop (ref.i31 (i32.const 1)))))");
        let mvp2 = WasmFeatures::WASM2;
        assert!(first_outside(&ops_only, mvp2).is_some());
        assert_eq!(first_declared_outside(&ops_only, mvp2), None);
        let local = wasm("(module (type $s (func)) (func (local (ref null $s))))");
        let found = first_declared_outside(&local, mvp2).expect("a typed local");
        assert_eq!(found.what, "(ref null 0)");
    }

    #[test]
    fn unreadable_bytes_end_the_scan_without_a_use() {
        assert_eq!(
            first_outside(b"\0asm\x01\0\0\0\x01\xff", WasmFeatures::WASM1),
            None
        );
        assert_eq!(first_outside(b"not wasm", WasmFeatures::WASM1), None);
    }
}
