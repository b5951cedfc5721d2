//! Traps: what stopped the guest, with the wasm backtrace at that point.
use super::vm::trap_code;
use super::{Exn, Tag, Val};

/// An exception that no handler caught and so ended a host->wasm call: the error value the
/// host gets, with the store's exception object, its tag and its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrownException {
    pub exn: Exn,
    pub tag: Tag,
    pub payload: Vec<Val>,
}

impl ThrownException {
    /// How it is reported (wasmtime's words).
    pub const MESSAGE: &'static str = "thrown Wasm exception";
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    BadConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallTypeMismatch,
    UninitializedElement,
    UndefinedElement,
    StackOverflow,
    /// `ref.as_non_null` found a null.
    NullReference,
    /// `call_ref` was given a null function reference.
    NullFunctionReference,
    /// WASI `proc_exit`: not an error, the guest asked to stop with this status.
    Exit(i32),
    /// A host function failed.
    Host(String),
    /// `throw_ref` of a null reference.
    NullExnReference,
    /// `ref.cast` of a reference not of the target type.
    CastFailure,
    /// `i31.get_s`/`i31.get_u` of a null.
    NullI31Reference,
    /// A struct instruction on a null reference.
    NullStructReference,
    /// An array instruction on a null reference.
    NullArrayReference,
    /// An array index or range past the array's length.
    ArrayOutOfBounds,
    /// A GC allocation found the heap full even after a collection.
    GcHeapOutOfMemory,
    /// An uncaught exception (not a trap in wasm's sense: wasm cannot catch traps, but the
    /// host receives both as the call's error).
    Exception(ThrownException),
    /// The store's fuel ran out.
    OutOfFuel,
    /// The store was interrupted (a timeout).
    Interrupt,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    pub kind: TrapKind,
    /// Innermost first: function names from the name section, or `func[N]`.
    pub backtrace: Vec<String>,
    /// The same frames in detail, when the engine was asked for them
    /// (`Config::wasm_backtrace_details`); empty otherwise.
    pub frames: Vec<FrameInfo>,
}

/// One wasm frame of a detailed backtrace (wasmtime's `FrameInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    pub func_index: u32,
    /// The name section's name (or the first export's), if any.
    pub func_name: Option<String>,
    /// The module's own name, from the name section.
    pub module_name: Option<String>,
    /// Byte offset in the module of the instruction this frame was at (the trapping one, or
    /// the call), when the code has an address map.
    pub module_offset: Option<usize>,
    /// What the module's DWARF says about that instruction: the source function and
    /// position, then the functions it was inlined into, innermost first.
    pub symbols: Vec<FrameSymbol>,
}

/// A source position from the module's DWARF (wasmtime's `FrameSymbol`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSymbol {
    /// The function's name as DWARF gives it (its linkage name when it has one).
    pub name: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl Trap {
    pub fn new(kind: TrapKind) -> Trap {
        Trap {
            kind,
            backtrace: Vec::new(),
            frames: Vec::new(),
        }
    }

    pub fn host(message: impl Into<String>) -> Trap {
        Trap::new(TrapKind::Host(message.into()))
    }

    pub(crate) fn from_code(code: i32) -> TrapKind {
        match code {
            trap_code::UNREACHABLE => TrapKind::Unreachable,
            trap_code::INT_DIV_ZERO => TrapKind::IntegerDivideByZero,
            trap_code::INT_OVERFLOW => TrapKind::IntegerOverflow,
            trap_code::BAD_CONVERSION => TrapKind::BadConversionToInteger,
            trap_code::OOB_MEMORY => TrapKind::MemoryOutOfBounds,
            trap_code::OOB_TABLE => TrapKind::TableOutOfBounds,
            trap_code::SIG_MISMATCH => TrapKind::IndirectCallTypeMismatch,
            trap_code::UNINIT_ELEM => TrapKind::UninitializedElement,
            trap_code::UNDEF_ELEM => TrapKind::UndefinedElement,
            trap_code::STACK => TrapKind::StackOverflow,
            trap_code::NULL_REF => TrapKind::NullReference,
            trap_code::NULL_FUNC_REF => TrapKind::NullFunctionReference,
            trap_code::NULL_EXN_REF => TrapKind::NullExnReference,
            trap_code::OUT_OF_FUEL => TrapKind::OutOfFuel,
            trap_code::INTERRUPT => TrapKind::Interrupt,
            trap_code::CAST_FAILURE => TrapKind::CastFailure,
            trap_code::NULL_I31 => TrapKind::NullI31Reference,
            trap_code::NULL_STRUCT => TrapKind::NullStructReference,
            trap_code::NULL_ARRAY => TrapKind::NullArrayReference,
            trap_code::OOB_ARRAY => TrapKind::ArrayOutOfBounds,
            trap_code::GC_OOM => TrapKind::GcHeapOutOfMemory,
            other => TrapKind::Host(format!("unknown trap code {other}")),
        }
    }
}

impl std::fmt::Display for TrapKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            TrapKind::Unreachable => "wasm `unreachable` instruction executed",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::BadConversionToInteger => "invalid conversion to integer",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::UninitializedElement => "uninitialized element",
            TrapKind::UndefinedElement => "undefined element",
            TrapKind::StackOverflow => "call stack exhausted",
            TrapKind::NullReference => "null reference",
            TrapKind::NullFunctionReference => "null function reference",
            TrapKind::Exit(code) => return write!(f, "exit with status {code}"),
            TrapKind::NullExnReference => "null exception reference",
            TrapKind::CastFailure => "cast failure",
            TrapKind::NullI31Reference => "null i31 reference",
            TrapKind::NullStructReference => "null structure reference",
            TrapKind::NullArrayReference => "null array reference",
            TrapKind::ArrayOutOfBounds => "out of bounds array access",
            TrapKind::GcHeapOutOfMemory => {
                "allocation failed: the GC heap is full (its limit is -W max-gc-heap)"
            }
            TrapKind::Exception(_) => ThrownException::MESSAGE,
            TrapKind::OutOfFuel => "all fuel consumed by WebAssembly",
            TrapKind::Interrupt => "interrupt",
            TrapKind::Host(m) => return write!(f, "{m}"),
        };
        f.write_str(s)
    }
}

impl std::fmt::Display for Trap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for Trap {}
