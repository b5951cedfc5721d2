//! The runtime helpers compiled code calls, written down once. `helpers!` turns the list into
//! both sides of the contract:
//!
//! - [`HelperTable`], the table the vmctx points to: one field per helper whose type is the
//!   exact `unsafe extern "C" fn` signature. The runtime fills it with its functions by name,
//!   so a helper missing from the runtime, or one whose Rust signature differs from the list
//!   in any parameter or the result, is a compile error, not a wrong call at run time.
//! - [`helper`], one [`Helper`] per entry: where its pointer sits in the table and its
//!   parameter and result types in ABI terms, from which the compiler builds the LLVM function
//!   type of every call. No call site writes a helper's type by hand.
//!
//! Widths are chosen for the next features, not today's: addresses and lengths are `u64` and
//! memories and tables are named by index, so memory64 and multi-memory need no contract change.
//! Today's compiled code passes memory 0 and zero-extends its 32-bit operands.
use super::{ValRaw, VmCtx};

/// A parameter's or result's type at the machine level: what the compiler declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Ptr,
    I32,
    I64,
}

/// What a helper returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// Nothing.
    Void,
    /// It never returns (the trap helper unwinds to the host->wasm entry).
    Never,
    /// A value of this type.
    Value(Ty),
    /// A [`Status`]: compiled code traps with it unless it is [`Status::OK`].
    Status,
}

/// A helper's outcome: 0, or the trap code compiled code must raise. A type of its own so the
/// contract says which helpers can fail, and the compiler checks exactly those.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub i32);

impl Status {
    pub const OK: Status = Status(0);
}

/// The ABI type of a Rust parameter or result type in the list.
pub trait Abi {
    const TY: Ty;
}

impl<T> Abi for *mut T {
    const TY: Ty = Ty::Ptr;
}
impl<T> Abi for *const T {
    const TY: Ty = Ty::Ptr;
}
impl Abi for u32 {
    const TY: Ty = Ty::I32;
}
impl Abi for i32 {
    const TY: Ty = Ty::I32;
}
impl Abi for u64 {
    const TY: Ty = Ty::I64;
}
impl Abi for i64 {
    const TY: Ty = Ty::I64;
}

/// The [`Ret`] of a result type in the list (`!` has its own rule in `helpers!`).
pub trait AbiRet {
    const RET: Ret;
}

impl AbiRet for Status {
    const RET: Ret = Ret::Status;
}
impl<T> AbiRet for *mut T {
    const RET: Ret = Ret::Value(Ty::Ptr);
}
impl AbiRet for i32 {
    const RET: Ret = Ret::Value(Ty::I32);
}
impl AbiRet for i64 {
    const RET: Ret = Ret::Value(Ty::I64);
}

/// A GC object's address (see `vm::gc`).
pub type ObjPtr = *mut u8;

/// One helper as the compiler sees it.
#[derive(Clone, Copy, Debug)]
pub struct Helper {
    pub name: &'static str,
    /// Byte offset of its pointer in [`HelperTable`].
    pub offset: u32,
    pub params: &'static [Ty],
    pub ret: Ret,
}

macro_rules! ret {
    () => {
        Ret::Void
    };
    (!) => {
        Ret::Never
    };
    ($ty:ty) => {
        <$ty as AbiRet>::RET
    };
}

macro_rules! helpers {
    ($($(#[$doc:meta])* $name:ident($($param:ident: $ty:ty),*) $(-> $ret:tt)?;)*) => {
        /// The helper table the vmctx points to (see the module documentation).
        #[repr(C)]
        pub struct HelperTable {
            $($(#[$doc])* pub $name: unsafe extern "C" fn($($param: $ty),*) $(-> $ret)?,)*
        }

        /// Every helper, as the compiler calls it (named like the table field it describes,
        /// so each helper has one name everywhere).
        #[allow(non_upper_case_globals)]
        pub mod helper {
            use super::*;
            $(
                $(#[$doc])*
                pub const $name: Helper = Helper {
                    name: stringify!($name),
                    offset: std::mem::offset_of!(HelperTable, $name) as u32,
                    params: &[$(<$ty as Abi>::TY),*],
                    ret: ret!($($ret)?),
                };
            )*
            /// The whole list, in table order.
            pub const ALL: &[Helper] = &[$($name),*];
        }
    };
}

helpers! {
    /// Raise trap `code`: unwinds to the innermost host->wasm entry with a backtrace.
    trap(code: i32) -> !;
    /// `memory.grow`: the old size in pages, or -1 when the memory cannot grow by `delta`.
    memory_grow(vmctx: *mut VmCtx, mem: u32, delta: u64) -> i64;
    /// `memory.fill`: set `len` bytes at `dst` to the low byte of `val`.
    memory_fill(vmctx: *mut VmCtx, mem: u32, dst: u64, val: u32, len: u64) -> Status;
    /// `memory.copy` from memory `src_mem` to memory `dst_mem`; the ranges may overlap.
    memory_copy(
        vmctx: *mut VmCtx,
        dst_mem: u32,
        src_mem: u32,
        dst: u64,
        src: u64,
        len: u64
    ) -> Status;
    /// `memory.init`: copy data segment `seg` (empty once dropped) into memory `mem`.
    memory_init(vmctx: *mut VmCtx, mem: u32, seg: u32, dst: u64, src: u64, len: u64) -> Status;
    /// `data.drop`.
    data_drop(vmctx: *mut VmCtx, seg: u32);
    /// `table.grow` with `init` (a reference: see `vm::AnyFunc`): the old size, or -1.
    table_grow(vmctx: *mut VmCtx, table: u32, init: *mut u8, delta: u64) -> i64;
    /// After a `memory.grow` (`table` 0) or `table.grow` (1) of memory or table `index` by
    /// `delta` that failed: OK, so the guest sees -1, or, when the store traps on grow
    /// failure (`-W trap-on-grow-failure`), the host error that ends the call.
    grow_failed(vmctx: *mut VmCtx, table: u32, index: u32, delta: u64) -> Status;
    /// `table.fill`.
    table_fill(vmctx: *mut VmCtx, table: u32, dst: u64, val: *mut u8, len: u64) -> Status;
    /// `table.copy` from table `src_table` to table `dst_table`; the ranges may overlap.
    table_copy(
        vmctx: *mut VmCtx,
        dst_table: u32,
        src_table: u32,
        dst: u64,
        src: u64,
        len: u64
    ) -> Status;
    /// `table.init`: copy element segment `seg` (empty once dropped) into table `table`.
    table_init(vmctx: *mut VmCtx, table: u32, seg: u32, dst: u64, src: u64, len: u64) -> Status;
    /// `elem.drop`.
    elem_drop(vmctx: *mut VmCtx, seg: u32);
    /// Call a host function: `host` is its context (the `vmctx` of its `AnyFunc`), `caller`
    /// the calling instance's vmctx. The arguments are in `slots` and the results go back
    /// there (as many slots as the larger of the two counts). An exception the host function
    /// passes on comes back as status `EXCEPTION` with its object in slot 0, which the
    /// adapter throws.
    host_call(host: *mut u8, caller: *mut VmCtx, slots: *mut ValRaw) -> Status;
    /// `throw`: make an exception of tag `tag` (this instance's index) whose payload is in
    /// `slots`, owned by the store, and return it (its `exnref`). Compiled code then throws it
    /// itself (to a `try_table` of the same function, or with the shim's `rt_exn_raise`): a
    /// helper never unwinds.
    throw(vmctx: *mut VmCtx, tag: u32, slots: *mut ValRaw) -> ObjPtr;
    /// 1 when canonical type `have` is a subtype of `want` (the slow path of a signature
    /// check against a non-final type), else 0.
    subtype(vmctx: *mut VmCtx, have: u32, want: u32) -> i32;
    /// 1 when non-null reference `bits` is of heap type `target` (a canonical id, or an
    /// abstract type's code with bit 31 set; see `compile::gc`), else 0.
    ref_test(vmctx: *mut VmCtx, bits: *mut u8, target: u32) -> i32;
    /// A zeroed GC object of canonical type `id` (`len` elements for an array), or null
    /// when the heap limit leaves no room even after a collection.
    gc_alloc(vmctx: *mut VmCtx, id: u32, len: u32) -> ObjPtr;
    /// The array instructions that loop or read segments (`runtime::gc`); an array result
    /// comes back in the `ValRaw` slot.
    array_new(vmctx: *mut VmCtx, id: u32, len: u32, slot: *mut ValRaw) -> Status;
    array_new_data(
        vmctx: *mut VmCtx,
        id: u32,
        seg: u32,
        offset: u32,
        len: u32,
        out: *mut ValRaw
    ) -> Status;
    array_new_elem(
        vmctx: *mut VmCtx,
        id: u32,
        seg: u32,
        offset: u32,
        len: u32,
        out: *mut ValRaw
    ) -> Status;
    array_fill(vmctx: *mut VmCtx, arr: *mut u8, dst: u32, slot: *mut ValRaw, n: u32) -> Status;
    array_copy(vmctx: *mut VmCtx, dst: *mut u8, d: u32, src: *mut u8, s: u32, n: u32) -> Status;
    array_init_data(vmctx: *mut VmCtx, arr: *mut u8, seg: u32, d: u32, s: u32, n: u32) -> Status;
    array_init_elem(vmctx: *mut VmCtx, arr: *mut u8, seg: u32, d: u32, s: u32, n: u32) -> Status;
}

// Compiled code indexes the table by `Helper::offset`: it must be a plain array of pointers.
const _: () =
    assert!(std::mem::size_of::<HelperTable>() == helper::ALL.len() * std::mem::size_of::<usize>());
