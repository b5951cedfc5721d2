//! Function bodies and constant expressions, operator by operator, with the field names wabt's
//! `BinaryWriter::WriteExpr` logs. Immediates are visited generically through wasmparser's
//! operator list, so every operator's fields are written in order without a hand-kept table.
use super::stream::{Chars, Stream};
use super::types::write_type;
use super::WriteError;
use crate::module::opnames::text_name;
use wasmparser::{
    BlockType, BrTable, FunctionBody, HeapType, Ieee32, Ieee64, MemArg, Operator, OperatorsReader,
    ValType, V128,
};

/// One immediate operand, borrowed from a decoded operator.
pub enum Imm<'b, 'a> {
    U32(u32),
    U8(u8),
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    Bytes16([u8; 16]),
    MemArg(MemArg),
    Block(BlockType),
    Targets(&'b BrTable<'a>),
    Val(ValType),
    Vals(&'b [ValType]),
    Heap(HeapType),
    /// Immediates of proposals wabt 1.0.32 cannot write either (GC, stack switching, ...).
    Other,
}

macro_rules! imm_from {
    ($($ty:ty => |$v:ident| $e:expr;)*) => {
        $(impl<'b, 'a> From<&'b $ty> for Imm<'b, 'a> {
            fn from($v: &'b $ty) -> Self { $e }
        })*
    };
}
imm_from! {
    u32 => |v| Imm::U32(*v);
    u8 => |v| Imm::U8(*v);
    i32 => |v| Imm::I32(*v);
    i64 => |v| Imm::I64(*v);
    Ieee32 => |v| Imm::F32(v.bits());
    Ieee64 => |v| Imm::F64(v.bits());
    V128 => |v| Imm::Bytes16(*v.bytes());
    [u8; 16] => |v| Imm::Bytes16(*v);
    MemArg => |v| Imm::MemArg(*v);
    BlockType => |v| Imm::Block(*v);
    ValType => |v| Imm::Val(*v);
    Vec<ValType> => |v| Imm::Vals(v);
    HeapType => |v| Imm::Heap(*v);
    wasmparser::Ordering => |_v| Imm::Other;
    wasmparser::TryTable => |_v| Imm::Other;
    wasmparser::ResumeTable => |_v| Imm::Other;
    wasmparser::RefType => |_v| Imm::Other;
    bool => |_v| Imm::Other;
}
impl<'b, 'a> From<&'b BrTable<'a>> for Imm<'b, 'a> {
    fn from(v: &'b BrTable<'a>) -> Self {
        Imm::Targets(v)
    }
}

macro_rules! define_for_each_immediate {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// Call `f` with each immediate of `op` (field name and value) in binary order.
        #[allow(unreachable_patterns, unused_variables)]
        pub fn for_each_immediate<'b, 'a>(
            op: &'b Operator<'a>,
            f: &mut dyn FnMut(&'static str, Imm<'b, 'a>) -> Result<(), WriteError>,
        ) -> Result<(), WriteError> {
            match op {
                $( Operator::$op $({ $($arg),* })? => {
                    $($( f(stringify!($arg), Imm::from($arg))?; )*)?
                } )*
                _ => f("unknown", Imm::Other)?,
            }
            Ok(())
        }
    };
}
wasmparser::for_each_operator!(define_for_each_immediate);

/// Writes operators; `wasm` is the whole module wast encoded (operator offsets index into it).
pub struct CodeWriter<'w> {
    pub wasm: &'w [u8],
    /// Per type index, the short block-type form wabt uses for it, if it has one.
    pub short_block_forms: &'w [Option<ShortBlock>],
    /// Set when a `memory.init` or `data.drop` is written: wabt then keeps the DataCount section.
    pub has_data_segment_instruction: bool,
}

impl CodeWriter<'_> {
    pub fn function_body(
        &mut self,
        s: &mut Stream,
        body: &FunctionBody<'_>,
    ) -> Result<(), WriteError> {
        // wabt keeps locals as runs of one type: merge neighbouring declarations of a type.
        let mut runs: Vec<(u32, ValType)> = Vec::new();
        for local in body.get_locals_reader()? {
            let (count, ty) = local?;
            match runs.last_mut() {
                Some((n, last)) if *last == ty => *n += count,
                _ if count == 0 => {}
                _ => runs.push((count, ty)),
            }
        }
        s.u32_leb(runs.len() as u32, "local decl count");
        for (count, ty) in runs {
            s.u32_leb(count, "local type count");
            write_type(s, ty, None)?;
        }
        let ops = collect(body.get_operators_reader()?)?;
        self.operators(s, &ops)
    }

    /// A constant expression (global initialiser, segment offset, element): its operators
    /// including the final `end`.
    pub fn const_expr(
        &mut self,
        s: &mut Stream,
        reader: OperatorsReader<'_>,
    ) -> Result<(), WriteError> {
        let ops = collect(reader)?;
        self.operators(s, &ops)
    }

    fn operators(
        &mut self,
        s: &mut Stream,
        ops: &[(Operator<'_>, usize)],
    ) -> Result<(), WriteError> {
        for (i, (op, offset)) in ops.iter().enumerate() {
            // wabt's tree drops an `else` with nothing in it: `(if (then) (else))` is written
            // without the `else` opcode.
            if matches!(op, Operator::Else) && matches!(ops.get(i + 1), Some((Operator::End, _))) {
                continue;
            }
            self.operator(s, op, *offset)?;
        }
        Ok(())
    }

    fn operator(
        &mut self,
        s: &mut Stream,
        op: &Operator<'_>,
        offset: usize,
    ) -> Result<(), WriteError> {
        let name = if s.logging() {
            text_name(op)
        } else {
            String::new()
        };
        self.opcode(s, offset, &name)?;
        if matches!(op, Operator::MemoryInit { .. } | Operator::DataDrop { .. }) {
            self.has_data_segment_instruction = true;
        }
        if matches!(op, Operator::AtomicFence { .. }) {
            s.u8(0, "consistency model");
            return Ok(());
        }
        let logging = s.logging();
        // Descriptions built from the operator name only cost anything when logging.
        let named = |suffix: &str| {
            if logging {
                format!("{name} {suffix}")
            } else {
                String::new()
            }
        };
        let forms = self.short_block_forms;
        for_each_immediate(op, &mut |field, imm| {
            match (field, imm) {
                (_, Imm::MemArg(m)) => {
                    let desc = memarg_offset_desc(&name);
                    let wasmparser::MemArgTarget::Memory(memory) = m.target else {
                        return Err(WriteError::Unsupported("GC array memory operands".into()));
                    };
                    if memory != 0 {
                        s.u8(m.align | 0x40, "alignment");
                        s.u32_leb(memory, "memidx");
                    } else {
                        s.u8(m.align, "alignment");
                    }
                    s.u64_leb(m.offset, desc);
                }
                ("lane", Imm::U8(lane)) => s.u8(lane, "Simd Lane literal"),
                ("lanes", Imm::Bytes16(lanes)) => {
                    s.data(&lanes, "Simd Lane[16] literal", Chars::No)
                }
                ("value", Imm::I32(v)) => s.s32_leb(v, "i32 literal"),
                ("value", Imm::I64(v)) => s.s64_leb(v, "i64 literal"),
                ("value", Imm::F32(bits)) => s.data(&bits.to_le_bytes(), "f32 literal", Chars::No),
                ("value", Imm::F64(bits)) => s.data(&bits.to_le_bytes(), "f64 literal", Chars::No),
                ("value", Imm::Bytes16(v)) => s.data(&v, "v128 literal", Chars::No),
                ("blockty", Imm::Block(bt)) => block_type(s, bt, forms)?,
                ("relative_depth", Imm::U32(d)) => s.u32_leb(d, relative_depth_desc(op)),
                ("targets", Imm::Targets(table)) => {
                    s.u32_leb(table.len(), "num targets");
                    for target in table.targets() {
                        s.u32_leb(target?, "break depth");
                    }
                    s.u32_leb(table.default(), "break depth for default");
                }
                ("function_index", Imm::U32(i)) => s.u32_leb(i, "function index"),
                ("type_index", Imm::U32(i)) => s.u32_leb(i, "signature index"),
                ("table_index", Imm::U32(i)) => s.u32_leb(i, "table index"),
                ("local_index", Imm::U32(i)) => s.u32_leb(i, "local index"),
                ("global_index", Imm::U32(i)) => s.u32_leb(i, "global index"),
                ("tag_index", Imm::U32(i)) => s.u32_leb(i, tag_desc(op)),
                ("mem", Imm::U32(i)) => s.u32_leb(i, &named("memidx")),
                ("data_index" | "elem_index", Imm::U32(i)) => s.u32_leb(i, &named("segment")),
                // wabt 1.0.32 labels memory.copy's operands the other way round.
                ("dst_mem", Imm::U32(i)) => s.u32_leb(i, "memory.copy srcmemidx"),
                ("src_mem", Imm::U32(i)) => s.u32_leb(i, "memory.copy destmemidx"),
                ("dst_table", Imm::U32(i)) => s.u32_leb(i, "table.copy dst_table"),
                ("src_table", Imm::U32(i)) => s.u32_leb(i, "table.copy src_table"),
                ("table", Imm::U32(i)) if matches!(op, Operator::TableInit { .. }) => {
                    s.u32_leb(i, "table.init table")
                }
                ("table", Imm::U32(i)) => s.u32_leb(i, &named("table index")),
                ("hty", Imm::Heap(h)) => super::types::write_heap_type(s, h, "ref.null type")?,
                ("ty", Imm::Val(t)) => {
                    s.u32_leb(1, "num result types");
                    write_type(s, t, Some("result type"))?;
                }
                ("tys", Imm::Vals(ts)) => {
                    s.u32_leb(ts.len() as u32, "num result types");
                    for &t in ts {
                        write_type(s, t, Some("result type"))?;
                    }
                }
                _ => return Err(WriteError::Unsupported(text_name(op))),
            }
            Ok(())
        })
    }

    /// The opcode as encoded (one byte, or a prefix byte and a LEB sub-opcode), copied from
    /// wast's output: the bytes are canonical, only the log needs them split.
    fn opcode(&self, s: &mut Stream, offset: usize, name: &str) -> Result<(), WriteError> {
        let first = self.wasm[offset];
        if (0xfb..=0xfe).contains(&first) {
            s.u8(first, "prefix");
            let rest = &self.wasm[offset + 1..];
            let len = rest
                .iter()
                .position(|b| b & 0x80 == 0)
                .map_or(rest.len(), |p| p + 1);
            s.data(&rest[..len], name, Chars::No);
        } else {
            s.u8(first, name);
        }
        Ok(())
    }
}

fn collect<'a>(reader: OperatorsReader<'a>) -> Result<Vec<(Operator<'a>, usize)>, WriteError> {
    let mut ops = Vec::new();
    let mut reader = reader;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset()?;
        ops.push((op, offset as usize));
    }
    Ok(ops)
}

/// wabt writes `[] -> []` and `[] -> [t]` block types in the short form even when the text
/// named a type, and a type index otherwise.
fn block_type(
    s: &mut Stream,
    bt: BlockType,
    forms: &[Option<ShortBlock>],
) -> Result<(), WriteError> {
    let short = match bt {
        BlockType::Empty => ShortBlock::Empty,
        BlockType::Type(t) => ShortBlock::Value(t),
        BlockType::FuncType(index) => match forms.get(index as usize) {
            Some(Some(form)) => *form,
            _ => {
                s.s32_leb(index as i32, "block type function index");
                return Ok(());
            }
        },
    };
    match short {
        ShortBlock::Empty => s.u8(0x40, "void"),
        ShortBlock::Value(t) => write_type(s, t, None)?,
    }
    Ok(())
}

/// A block signature with no parameters and at most one result, written as one type byte.
#[derive(Clone, Copy)]
pub enum ShortBlock {
    Empty,
    Value(ValType),
}

/// Loads, stores and atomics name their offset differently; `name` is empty when not logging.
fn memarg_offset_desc(name: &str) -> &'static str {
    if name.is_empty() {
        ""
    } else if name.contains("atomic") {
        "memory offset"
    } else if name.contains("store") {
        "store offset"
    } else {
        "load offset"
    }
}

fn relative_depth_desc(op: &Operator<'_>) -> &'static str {
    match op {
        Operator::Rethrow { .. } => "rethrow depth",
        Operator::Delegate { .. } => "delegate depth",
        _ => "break depth",
    }
}

fn tag_desc(op: &Operator<'_>) -> &'static str {
    match op {
        Operator::Catch { .. } => "catch tag",
        _ => "throw tag",
    }
}
