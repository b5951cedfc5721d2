//! One instruction's text as wasm-objdump prints it: a `VisitOperator` over wasmparser's
//! operators. Every visit method is generated: it writes the mnemonic (derived from the
//! visit method's name), then hands each immediate to the method named after it
//! (`memarg`, `blockty`, `function_index`, ...), so each immediate kind is formatted once.
use super::details::val_type;
use super::hexfloat::{f32_text, f64_text};
use super::Ctx;
use std::fmt::Write as _;
use wasmparser::{BlockType, BrTable, HeapType, Ieee32, Ieee64, MemArg, ValType, V128};

/// How an instruction moves the indentation of the listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Plain,
    /// block, loop, if, try: printed, then everything after is indented one more.
    Open,
    /// else, catch: printed one level out.
    Middle,
    /// end: one level out, printed there.
    End,
}

pub(super) struct InstrText<'c, 'm> {
    ctx: &'c Ctx<'m>,
    /// The function being disassembled (for local names).
    pub func_index: u32,
    pub text: String,
    pub shape: Shape,
    /// Set when the instruction is outside what wabt 1.0.32 reads by default.
    pub unsupported: bool,
    /// The highest memory index the instruction names (wabt stops at an instruction whose
    /// memory does not exist).
    pub memory_used: Option<u32>,
    /// The instruction names a data segment (wabt requires a data count section).
    pub needs_data_count: bool,
    /// call_indirect's type index waits for its table index, which wabt prints first.
    pending_type: Option<u32>,
    /// The opcode byte about to be decoded (see the `FrameStack` impl).
    pub next_opcode: u8,
    /// `ref.test` and `ref.cast` carry their nullability in the opcode: the heap type
    /// operand prints as `(ref null? HEAP)`.
    cast_nullable: Option<bool>,
}

impl<'c, 'm> InstrText<'c, 'm> {
    pub fn new(ctx: &'c Ctx<'m>, func_index: u32) -> Self {
        InstrText {
            ctx,
            func_index,
            text: String::with_capacity(64),
            shape: Shape::Plain,
            unsupported: false,
            memory_used: None,
            needs_data_count: false,
            pending_type: None,
            next_opcode: 0,
            cast_nullable: None,
        }
    }

    /// Start a new instruction: `visit_i32_load8_s` is printed `i32.load8_s`.
    fn mnemonic(&mut self, visit: &'static str) {
        self.text.clear();
        self.pending_type = None;
        self.memory_used = None;
        self.needs_data_count = false;
        let name = visit.strip_prefix("visit_").unwrap_or(visit);
        self.cast_nullable = match name {
            "ref_test_nullable" | "ref_cast_nullable" => Some(true),
            "ref_test_non_null" | "ref_cast_non_null" => Some(false),
            _ => None,
        };
        self.shape = match name {
            "block" | "loop" | "if" | "try" | "try_table" => Shape::Open,
            "else" | "catch" | "catch_all" => Shape::Middle,
            "end" | "delegate" => Shape::End,
            _ => Shape::Plain,
        };
        self.text
            .push_str(&crate::module::opnames::visit_text_name(name));
    }

    fn index_with_name(&mut self, index: u32, name: Option<&str>) {
        let _ = write!(self.text, " {index}{}", super::names::suffix(name));
    }

    fn number(&mut self, n: impl std::fmt::Display) {
        let _ = write!(self.text, " {n}");
    }

    // One method per immediate kind, named after wasmparser's operand names.

    fn blockty(&mut self, ty: BlockType) {
        match ty {
            BlockType::Empty => {}
            BlockType::Type(t) => {
                let _ = write!(self.text, " {}", val_type(t));
            }
            BlockType::FuncType(i) => {
                let _ = write!(self.text, " type[{i}]");
            }
        }
    }

    fn relative_depth(&mut self, depth: u32) {
        self.number(depth);
    }

    fn targets(&mut self, targets: BrTable<'_>) {
        for t in targets.targets() {
            match t {
                Ok(t) => self.number(t),
                Err(_) => self.unsupported = true,
            }
        }
        self.number(targets.default());
    }

    /// `call` names its callee; `return_call` and `ref.func` do not.
    fn function_index(&mut self, f: u32) {
        let name = match self.text.as_str() {
            "call" => self.ctx.names.func(f).map(str::to_owned),
            _ => None,
        };
        self.index_with_name(f, name.as_deref());
    }

    /// `call_indirect` prints its type after its table; `return_call_indirect` prints both
    /// bare, in binary order, and `call_ref` its type alone.
    fn type_index(&mut self, t: u32) {
        if self.text == "call_indirect" {
            self.pending_type = Some(t);
        } else {
            self.number(t);
        }
    }

    fn table_index(&mut self, table: u32) {
        if self.text == "return_call_indirect" {
            self.number(table);
            return;
        }
        let name = self.ctx.names.table(table).map(str::to_owned);
        self.index_with_name(table, name.as_deref());
        if let Some(t) = self.pending_type.take() {
            let _ = write!(self.text, " (type {t})");
        }
    }

    fn table(&mut self, table: u32) {
        self.number(table);
    }

    fn local_index(&mut self, local: u32) {
        let name = self
            .ctx
            .names
            .locals
            .get(&(self.func_index, local))
            .map(String::to_owned);
        self.index_with_name(local, name.as_deref());
    }

    fn global_index(&mut self, global: u32) {
        let name = self.ctx.names.global(global).map(str::to_owned);
        self.index_with_name(global, name.as_deref());
    }

    fn uses_memory(&mut self, mem: u32) {
        self.memory_used = Some(self.memory_used.map_or(mem, |m| m.max(mem)));
    }

    /// `align offset`, with the memory index between them when it is not 0.
    fn memarg(&mut self, memarg: MemArg) {
        let memory = match memarg.target {
            wasmparser::MemArgTarget::Memory(m) => m,
            _ => {
                self.unsupported = true;
                0
            }
        };
        self.uses_memory(memory);
        let _ = write!(self.text, " {}", memarg.align);
        if memory != 0 {
            let _ = write!(self.text, " {memory}");
        }
        let _ = write!(self.text, " {}", memarg.offset);
    }

    fn mem(&mut self, mem: u32) {
        self.uses_memory(mem);
        self.number(mem);
    }

    fn dst_mem(&mut self, mem: u32) {
        self.uses_memory(mem);
        self.number(mem);
    }

    fn src_mem(&mut self, mem: u32) {
        self.uses_memory(mem);
        self.number(mem);
    }

    fn dst_table(&mut self, table: u32) {
        self.number(table);
    }

    fn src_table(&mut self, table: u32) {
        self.number(table);
    }

    fn data_index(&mut self, data: u32) {
        self.needs_data_count = true;
        self.number(data);
    }

    fn elem_index(&mut self, elem: u32) {
        self.number(elem);
    }

    /// `atomic.fence`'s flags byte: wabt prints it (0); other orderings are beyond it.
    fn ordering(&mut self, ordering: wasmparser::Ordering) {
        match ordering {
            wasmparser::Ordering::SeqCst => self.text.push_str(" 0"),
            _ => self.unsupported = true,
        }
    }

    fn tag_index(&mut self, tag: u32) {
        self.number(tag);
    }

    fn lane(&mut self, lane: u8) {
        self.number(lane);
    }

    fn lanes(&mut self, lanes: [u8; 16]) {
        self.words(&lanes);
    }

    /// Sixteen bytes as four little-endian words, wabt's spelling of v128 immediates.
    fn words(&mut self, bytes: &[u8; 16]) {
        for w in bytes.chunks(4) {
            let v = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            let _ = write!(self.text, " 0x{v:08x}");
        }
    }

    fn value<T: Immediate>(&mut self, value: T) {
        self.text.push(' ');
        value.write(&mut self.text);
    }

    /// A heap type operand: `ref.null func`; `ref.cast (ref null 2)` for the casts.
    fn hty(&mut self, hty: HeapType) {
        let text = match self.cast_nullable {
            Some(nullable) => match wasmparser::RefType::new(nullable, hty) {
                Some(r) => crate::module::typetext::ref_type(r),
                None => crate::module::typetext::heap_type(hty),
            },
            None => crate::module::typetext::heap_type(hty),
        };
        let _ = write!(self.text, " {text}");
    }

    // GC, typed-reference and `try_table` immediates.

    fn struct_type_index(&mut self, t: u32) {
        self.number(t);
    }

    fn field_index(&mut self, f: u32) {
        self.number(f);
    }

    fn array_type_index(&mut self, t: u32) {
        self.number(t);
    }

    fn array_type_index_dst(&mut self, t: u32) {
        self.number(t);
    }

    fn array_type_index_src(&mut self, t: u32) {
        self.number(t);
    }

    fn array_size(&mut self, n: u32) {
        self.number(n);
    }

    fn array_data_index(&mut self, data: u32) {
        self.data_index(data);
    }

    fn array_elem_index(&mut self, elem: u32) {
        self.number(elem);
    }

    /// `br_on_cast`'s source and target types, after its label. (Named after wasmparser's
    /// operands, as every immediate method is, not conversions.)
    #[allow(clippy::wrong_self_convention)]
    fn from_ref_type(&mut self, r: wasmparser::RefType) {
        let _ = write!(self.text, " {}", crate::module::typetext::ref_type(r));
    }

    #[allow(clippy::wrong_self_convention)]
    fn to_ref_type(&mut self, r: wasmparser::RefType) {
        self.from_ref_type(r);
    }

    /// `try_table`'s block type, then each catch clause: `(catch TAG LABEL)`,
    /// `(catch_all LABEL)`, and their `_ref` forms.
    fn try_table(&mut self, table: wasmparser::TryTable) {
        use wasmparser::Catch;
        self.blockty(table.ty);
        for catch in table.catches {
            let _ = match catch {
                Catch::One { tag, label } => write!(self.text, " (catch {tag} {label})"),
                Catch::OneRef { tag, label } => write!(self.text, " (catch_ref {tag} {label})"),
                Catch::All { label } => write!(self.text, " (catch_all {label})"),
                Catch::AllRef { label } => write!(self.text, " (catch_all_ref {label})"),
            };
        }
    }

    fn ty(&mut self, ty: ValType) {
        let _ = write!(self.text, " {}", val_type(ty));
    }

    /// wabt prints only the first type of a multi-type `select`.
    fn tys(&mut self, tys: Vec<ValType>) {
        if let Some(t) = tys.first() {
            self.ty(*t);
        }
    }
}

/// Mnemonics that keep their underscores (`br_if`, `call_indirect`).
/// A constant operand: i32 prints unsigned, i64 signed, floats as wabt's hex floats.
trait Immediate {
    fn write(&self, out: &mut String);
}

impl Immediate for i32 {
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{}", *self as u32);
    }
}

impl Immediate for i64 {
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Immediate for Ieee32 {
    fn write(&self, out: &mut String) {
        out.push_str(&f32_text(self.bits()));
    }
}

impl Immediate for Ieee64 {
    fn write(&self, out: &mut String) {
        out.push_str(&f64_text(self.bits()));
    }
}

impl Immediate for V128 {
    fn write(&self, out: &mut String) {
        let bytes = self.bytes();
        for (i, w) in bytes.chunks(4).enumerate() {
            let v = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            if i > 0 {
                out.push(' ');
            }
            let _ = write!(out, "0x{v:08x}");
        }
    }
}

/// Generates every visit method: the proposals wabt 1.0.32 reads, and GC, typed references
/// and final exception handling, print their mnemonic and immediates; the others are marked
/// unsupported (wabt rejects them).
macro_rules! define_visit {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $( define_visit!(one @$proposal $visit $({ $($arg: $argty),* })?); )*
    };
    (one @mvp $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @sign_extension $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @saturating_float_to_int $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @bulk_memory $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @reference_types $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @simd $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @relaxed_simd $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @threads $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @tail_call $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @legacy_exceptions $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    // Of the final exception-handling proposal wabt 1.0.32 knows only `throw`.
    (one @exceptions visit_throw $($rest:tt)*) => { define_visit!(supported visit_throw $($rest)*); };
    // Beyond wabt 1.0.32, in rt's own spelling: GC, typed references and the rest of the
    // final exception handling. Their opcodes mean nothing else, so every module shows them
    // (wabt stops at them), whatever language its declarations are read in.
    (one @exceptions $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @gc $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @function_references $($rest:tt)*) => { define_visit!(supported $($rest)*); };
    (one @$proposal:ident $visit:ident $({ $($arg:ident: $argty:ty),* })?) => {
        fn $visit(&mut self $($(, _: $argty)*)?) {
            self.mnemonic(stringify!($visit));
            self.unsupported = true;
        }
    };
    (supported $visit:ident $({ $($arg:ident: $argty:ty),* })?) => {
        fn $visit(&mut self $($(, $arg: $argty)*)?) {
            self.mnemonic(stringify!($visit));
            $($( self.$arg($arg); )*)?
        }
    };
}

impl<'a> wasmparser::VisitOperator<'a> for InstrText<'_, '_> {
    type Output = ();

    fn simd_visitor(
        &mut self,
    ) -> Option<&mut dyn wasmparser::VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(define_visit);
}

/// wabt reads instructions without checking block structure (validation's job), so the
/// frame wasmparser asks about is always the one the next instruction needs: an `if` for
/// `else`, a `try` for `catch`, `catch_all` and `delegate`.
impl wasmparser::FrameStack for InstrText<'_, '_> {
    fn current_frame(&self) -> Option<wasmparser::FrameKind> {
        Some(match self.next_opcode {
            0x05 => wasmparser::FrameKind::If,
            0x07 | 0x18 | 0x19 => wasmparser::FrameKind::LegacyTry,
            _ => wasmparser::FrameKind::Block,
        })
    }
}

impl<'a> wasmparser::VisitSimdOperator<'a> for InstrText<'_, '_> {
    wasmparser::for_each_visit_simd_operator!(define_visit);
}
