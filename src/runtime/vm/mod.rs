//! The contract between compiled code and the runtime, and the only part of the runtime the
//! compiler imports: the data layout (the vmctx every compiled function receives, function
//! references, memories, tables and global cells, read through the byte offsets below, so
//! every struct here is `#[repr(C)]` and field order matters), the helper list ([`helpers`]),
//! the trap codes (in [`abi`], shared with the C shim too) and the names of the symbols the
//! compiler emits and the loader looks up.
pub mod abi;
pub mod gc;
pub mod helpers;

pub use helpers::{helper, HelperTable, Status};

/// Per-instance context passed as the first argument of every compiled function.
#[repr(C)]
pub struct VmCtx {
    /// Base of memory 0 (null without a memory). Constant for the memory's life: memories are
    /// reserved once at their maximum size and never move.
    pub mem_base: *mut u8,
    /// Memory 0's descriptor (its current size), or null.
    pub mem: *mut MemoryData,
    /// The store's stack limit cell: compiled prologues trap below this address.
    pub stack_limit: *const usize,
    /// Runtime helpers (see [`helpers`]).
    pub helpers: *const HelperTable,
    /// One global cell per global index (imports first).
    pub globals: *const *mut ValRaw,
    /// One table per table index.
    pub tables: *const *mut TableData,
    /// One function reference per function index.
    pub funcs: *const *const AnyFunc,
    /// The store-wide signature id of every type index.
    pub type_ids: *const u32,
    /// The runtime's instance record (for helpers that need segments).
    pub instance: *mut u8,
    /// Every memory's descriptor, by memory index (imports first). Memory 0 is also reached
    /// through `mem`/`mem_base` above, one load shorter; the others through this array.
    pub memories: *const *mut MemoryData,
    /// One tag identity per tag index (imports first): the address of the store's tag
    /// object, which is what makes two tags the same tag. A thrown exception records it, and a
    /// `catch` compares it.
    pub tags: *const *const u8,
    /// The store's limit cells (fuel, interruption), read by code compiled with
    /// `Config::consume_fuel` or `Config::interruptible` only.
    pub limits: *mut LimitCells,
    /// The store's GC allocation runs, one per size class (see [`gc::Run`]): compiled code
    /// allocates small objects from them without a call.
    pub gc_runs: *mut gc::Run,
}

/// What bounds a store's guest at run time. Compiled code subtracts what it runs from `fuel`
/// (when compiled to consume fuel) and traps when it goes below zero; every function's
/// prologue traps when the frame is below `stack_limit`; code compiled interruptible checks
/// `interrupt` at loop headers, which another thread may set at any time, and traps when it
/// is not zero. An interrupt also sets [`STACK_STOP`] in `stack_limit` (for interruptible
/// code only, see `InterruptHandle`), so function entries need no check of their own: the
/// stack check stops there.
#[repr(C)]
#[derive(Debug)]
pub struct LimitCells {
    /// Written by compiled code with plain moves (an `AtomicI64` here only so that Rust may
    /// share the cells with the thread that interrupts).
    pub fuel: std::sync::atomic::AtomicI64,
    /// 0, or [`INTERRUPTED`] once interrupted: the floor the count must stay above, so that
    /// code compiled with both limits checks them with one compare (`compile/limits.rs`).
    pub interrupt: std::sync::atomic::AtomicI64,
    /// The lowest frame address compiled code may use (see `call::thread_stack_limit` and
    /// `call::enter`), or'd with [`STACK_STOP`] while interrupted. The runtime and
    /// interrupting threads change it only with atomic read-modify-writes, so neither
    /// overwrites the other's part.
    pub stack_limit: std::sync::atomic::AtomicUsize,
}

impl LimitCells {
    /// Cells for a store created on this thread: its stack limit, no fuel, not interrupted.
    pub fn new(stack_limit: usize) -> LimitCells {
        LimitCells {
            fuel: Default::default(),
            interrupt: Default::default(),
            stack_limit: stack_limit.into(),
        }
    }
}

/// The value of [`LimitCells::interrupt`] that stops the guest: above any fuel count.
pub const INTERRUPTED: i64 = i64::MAX;

/// The bit of [`LimitCells::stack_limit`] that stops the guest at its next function entry:
/// with it set the limit is above any frame address, so the prologue's stack check fails.
pub const STACK_STOP: usize = 1 << 63;

pub mod offset {
    pub const MEM_BASE: u32 = 0;
    pub const MEM: u32 = 8;
    pub const STACK_LIMIT: u32 = 16;
    pub const HELPERS: u32 = 24;
    pub const GLOBALS: u32 = 32;
    pub const TABLES: u32 = 40;
    pub const FUNCS: u32 = 48;
    pub const TYPE_IDS: u32 = 56;
    pub const MEMORIES: u32 = 72;
    /// In [`super::MemoryData`].
    pub const MEM_DATA_BASE: u32 = 0;
    pub const TAGS: u32 = 80;
    pub const LIMITS: u32 = 88;
    pub const GC_RUNS: u32 = 96;
    /// In [`super::LimitCells`].
    pub const LIMIT_FUEL: u32 = 0;
    pub const LIMIT_INTERRUPT: u32 = 8;
    /// In an exception object: the tag identity, then one [`super::ValRaw`] slot per value
    /// of the payload starting at `EXN_PAYLOAD`.
    pub const EXN_TAG: u32 = 0;
    pub const EXN_PAYLOAD: u32 = 16;
    /// In [`super::MemoryData`].
    pub const MEM_SIZE: u32 = 8;
    /// In [`super::TableData`].
    pub const TABLE_ELEMS: u32 = 0;
    pub const TABLE_SIZE: u32 = 8;
    /// In [`super::AnyFunc`].
    pub const FUNC_CODE: u32 = 0;
    pub const FUNC_VMCTX: u32 = 8;
    pub const FUNC_TYPE_ID: u32 = 16;
}

// Compiled code reaches these structs only through the offsets above: check every one against
// the real layout, so a field added, removed or reordered fails the build instead of making
// compiled code read the wrong word.
const _: () = {
    use std::mem::offset_of;
    assert!(offset_of!(VmCtx, mem_base) == offset::MEM_BASE as usize);
    assert!(offset_of!(VmCtx, mem) == offset::MEM as usize);
    assert!(offset_of!(VmCtx, stack_limit) == offset::STACK_LIMIT as usize);
    assert!(offset_of!(VmCtx, helpers) == offset::HELPERS as usize);
    assert!(offset_of!(VmCtx, globals) == offset::GLOBALS as usize);
    assert!(offset_of!(VmCtx, tables) == offset::TABLES as usize);
    assert!(offset_of!(VmCtx, funcs) == offset::FUNCS as usize);
    assert!(offset_of!(VmCtx, type_ids) == offset::TYPE_IDS as usize);
    assert!(offset_of!(VmCtx, memories) == offset::MEMORIES as usize);
    assert!(offset_of!(MemoryData, base) == offset::MEM_DATA_BASE as usize);
    assert!(offset_of!(VmCtx, tags) == offset::TAGS as usize);
    assert!(offset_of!(VmCtx, limits) == offset::LIMITS as usize);
    assert!(offset_of!(VmCtx, gc_runs) == offset::GC_RUNS as usize);
    assert!(offset_of!(LimitCells, fuel) == offset::LIMIT_FUEL as usize);
    assert!(offset_of!(LimitCells, interrupt) == offset::LIMIT_INTERRUPT as usize);
    assert!(offset_of!(MemoryData, size_bytes) == offset::MEM_SIZE as usize);
    assert!(offset_of!(TableData, elems) == offset::TABLE_ELEMS as usize);
    assert!(offset_of!(TableData, size) == offset::TABLE_SIZE as usize);
    assert!(offset_of!(AnyFunc, code) == offset::FUNC_CODE as usize);
    assert!(offset_of!(AnyFunc, vmctx) == offset::FUNC_VMCTX as usize);
    assert!(offset_of!(AnyFunc, type_id) == offset::FUNC_TYPE_ID as usize);
    assert!(std::mem::size_of::<ValRaw>() == ValRaw::SIZE as usize);
};

/// One value in its raw form, as it crosses between the host and compiled code (arguments
/// and results of trampolines and host calls, global cells). 16 bytes so a v128 fits;
/// narrower values sit in the low bytes (little-endian), so compiled code loads and stores a
/// slot with the value's own type at offset 0. wasmtime's `ValRaw` is the model.
#[repr(C, align(16))]
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct ValRaw([u8; 16]);

impl std::fmt::Debug for ValRaw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ValRaw({:#034x})", self.v128())
    }
}

impl ValRaw {
    /// The size of a slot: trampolines and host-call adapters index arrays by it.
    pub const SIZE: u32 = 16;

    pub fn from_u64(bits: u64) -> ValRaw {
        ValRaw::from_v128(u128::from(bits))
    }
    pub fn from_i32(x: i32) -> ValRaw {
        ValRaw::from_u64(u64::from(x as u32))
    }
    pub fn from_i64(x: i64) -> ValRaw {
        ValRaw::from_u64(x as u64)
    }
    pub fn from_v128(bits: u128) -> ValRaw {
        ValRaw(bits.to_le_bytes())
    }
    pub fn u64(self) -> u64 {
        self.v128() as u64
    }
    pub fn u32(self) -> u32 {
        self.v128() as u32
    }
    pub fn i32(self) -> i32 {
        self.u32() as i32
    }
    pub fn i64(self) -> i64 {
        self.u64() as i64
    }
    pub fn v128(self) -> u128 {
        u128::from_le_bytes(self.0)
    }
}

/// A function reference: what a funcref value points to, and what calls go through.
#[repr(C)]
pub struct AnyFunc {
    /// Native code with the internal convention `(callee_vmctx, caller_vmctx, params...)`.
    pub code: *const u8,
    /// The callee's vmctx (for host functions: its `HostCtx`).
    pub vmctx: *mut u8,
    pub type_id: u64,
    /// `(code, callee_vmctx, caller_vmctx, args*, results*)` entry for calls from the host.
    pub array_tramp: *const u8,
}

#[repr(C)]
pub struct MemoryData {
    pub base: *mut u8,
    pub size_bytes: u64,
    pub max_pages: u64,
    pub reserved: usize,
}

#[repr(C)]
pub struct TableData {
    /// Points into `storage`; refreshed after every resize.
    pub elems: *mut usize,
    pub size: u64,
    pub storage: Vec<usize>,
    pub max: Option<u32>,
    pub is_func: bool,
}

impl TableData {
    pub fn sync(&mut self) {
        self.elems = self.storage.as_mut_ptr();
        self.size = self.storage.len() as u64;
    }
}

/// Trap codes passed to the trap helper (and returned by helpers that fail); defined with the
/// other constants the C shim shares.
pub use abi::trap_code;

/// Symbol of defined function `index` (function index space).
pub fn func_symbol(index: u32) -> String {
    format!("wasm_f{index}")
}

/// Symbol of the host->wasm trampoline for type `index`.
pub fn tramp_symbol(type_index: u32) -> String {
    format!("wasm_tramp{type_index}")
}

/// Symbol of the wasm->host adapter for type `index`.
pub fn adapter_symbol(type_index: u32) -> String {
    format!("wasm_adapter{type_index}")
}
