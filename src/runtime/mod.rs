//! The runtime: a [`Store`] owns memories (reserved with guard pages), tables, globals,
//! functions and instances of compiled modules; a [`Linker`] resolves imports. Compiled code
//! reaches the runtime only through the vmctx layout in [`vm`]; traps unwind through a small
//! C shim (see `shim/trap.c`).
mod addrmap;
mod call;
mod exn;
mod faults;
mod gc;
mod gdbjit;
pub mod guestprof;
mod helpers;
mod instance;
pub mod jitdump;
mod linker;
pub mod loader;
// Public for the compiler (the `rt` crate), which reads the 64-bit reservation constants.
#[doc(hidden)]
pub mod memory;
pub mod perfmap;
mod store;
mod trap;
pub(crate) mod types;
pub mod vm;

pub use gc::{AnyRef, GcObject, DEFAULT_MAX_GC_HEAP};
pub use linker::Linker;
pub(crate) use memory::bytes_mut as memory_bytes;
pub(crate) use store::EmbeddedHostFn;
pub use store::{CompiledModule, ResourceLimits, Store};
pub use trap::{FrameInfo, FrameSymbol, ThrownException, Trap, TrapKind};
pub use vm::ValRaw;

/// A Wasm value crossing the host boundary. Floats are kept as bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    /// A 128-bit vector, lane 0 in the low bits.
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<u32>),
    /// An exception reference: a handle to an exception object its store owns.
    ExnRef(Option<Exn>),
    /// A reference of the `any` hierarchy (`anyref`, `eqref`, `i31ref`, ...).
    AnyRef(Option<AnyRef>),
    /// A non-null `externref` that `extern.convert_any` made from an `any` reference (not a
    /// host reference: those are [`Val::ExternRef`]).
    ExternAny(AnyRef),
}

impl Val {
    /// The zero value of a type (locals, table slots, `ref.null`).
    pub fn default_for(ty: wasmparser::ValType) -> Val {
        use wasmparser::ValType as T;
        match ty {
            T::I32 => Val::I32(0),
            T::I64 => Val::I64(0),
            T::F32 => Val::F32(0),
            T::F64 => Val::F64(0),
            T::V128 => Val::V128(0),
            T::Ref(r) if types::is_func_ref_type(r) => Val::FuncRef(None),
            T::Ref(r) if exn::is_exn_ref(r) => Val::ExnRef(None),
            T::Ref(r) if types::is_any_ref_type(r) => Val::AnyRef(None),
            _ => Val::ExternRef(None),
        }
    }
}

/// Handles: the object's index in its store, and the store's id. Every use is checked
/// against the id, so a handle from another store is an error, never another object.
macro_rules! handle {
    ($($name:ident),*) => {$(
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        pub struct $name(pub(crate) u32, pub(crate) u64);
    )*};
}
handle!(Func, Table, Memory, Global, Instance, Tag, Exn);
pub(crate) use exn::is_exn_ref;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
    Tag(Tag),
}

#[derive(Debug)]
pub enum Error {
    /// The module could not be compiled (unsupported feature, invalid module, LLVM failure).
    Compile(String),
    /// An import could not be satisfied.
    Link(String),
    /// Instantiation trapped (segment out of bounds, trap in the start function).
    Trap(Trap),
    /// A store limit would be exceeded (`-W max-memories=N`, ...), in wasmtime's words.
    Limit(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Compile(m) => write!(f, "{m}"),
            Error::Link(m) => write!(f, "{m}"),
            Error::Limit(m) => write!(f, "{m}"),
            Error::Trap(t) => write!(f, "{t}"),
        }
    }
}

impl std::error::Error for Error {}
