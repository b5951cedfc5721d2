//! The store: owner of every runtime object, and the host->wasm call path.
// Boxes inside Vecs are deliberate: compiled code holds raw pointers to these objects, so
// they must not move when the Vec grows.
#![allow(clippy::vec_box)]
use super::addrmap;
use super::call::{CallRecord, Trapped};
use super::instance::InstanceData;
use super::loader::LoadedCode;
use super::memory::LinearMemory;
use super::trap::Trap;
use super::types::{self, CanonVal};
use super::vm::{self, AnyFunc, MemoryData, TableData, ValRaw};
use super::{Error, Extern, Func, Global, Instance, Memory, Table, Val};
use crate::module::Module;
use std::collections::HashMap;
use std::sync::Arc;
use wasmparser::{FuncType, GlobalType, MemoryType, TableType, ValType};

/// A module compiled to native code and loaded, ready to instantiate any number of times.
#[derive(Clone)]
pub struct CompiledModule {
    pub module: Arc<Module>,
    pub(crate) code: Arc<LoadedCode>,
    /// The object files the code was loaded from (what artifacts store).
    pub objects: Arc<Vec<Vec<u8>>>,
    /// Sorted (start, end, function index) of every compiled function, for backtraces.
    pub(crate) func_ranges: Arc<Vec<(usize, usize, u32)>>,
    /// Whether traps in this code report detailed frames (see `addrmap`).
    pub(crate) backtrace_details: bool,
    /// The objects registered with GDB's JIT interface (`-D debug-info=y`), unregistered
    /// when the last clone goes.
    pub(crate) gdb: Option<Arc<super::gdbjit::Registration>>,
}

impl CompiledModule {
    /// Load object code produced by [`crate::aot::compile_objects`] for `module`.
    pub fn from_objects(module: Module, objects: Vec<Vec<u8>>) -> Result<CompiledModule, Error> {
        let code = super::loader::load(&objects).map_err(Error::Compile)?;
        let mut func_ranges = Vec::new();
        for i in module.num_imported_funcs..module.num_funcs() {
            if let Some(&(addr, size)) = code.symbols.get(&vm::func_symbol(i)) {
                func_ranges.push((addr, addr + size.max(1), i));
            }
        }
        func_ranges.sort();
        Ok(CompiledModule {
            module: Arc::new(module),
            code: Arc::new(code),
            objects: Arc::new(objects),
            func_ranges: Arc::new(func_ranges),
            backtrace_details: false,
            gdb: None,
        })
    }

    /// Report traps in this code with detailed frames: wasm offsets (when the code has an
    /// address map) and the module's DWARF source positions.
    pub fn with_backtrace_details(mut self, on: bool) -> CompiledModule {
        self.backtrace_details = on;
        self
    }

    /// Register the code's debug information (objects compiled with `debug_info`) with a
    /// native debugger through GDB's JIT interface.
    pub fn with_debugger_registration(mut self, on: bool) -> CompiledModule {
        if on && self.gdb.is_none() {
            self.gdb = Some(Arc::new(super::gdbjit::register(&self.objects, &self.code)));
        }
        self
    }
}

pub(crate) enum FuncKind {
    Wasm,
    /// A host function of the embedding API (`crate::Linker`): it knows the store's data type
    /// and rebuilds a typed `Caller` from the raw store pointer.
    Host(EmbeddedHostFn),
}

/// The type-erased form of a host function: the runtime store (the first field of the
/// embedding's `StoreParts<T>`), the calling context, and the slots (arguments in, results
/// out).
pub(crate) type EmbeddedHostFn =
    Arc<dyn Fn(*mut Store, &HostCtx, &mut [ValRaw]) -> Result<(), Trap> + Send + Sync>;

/// Every store gets a process-unique id; handles carry it, so a handle from one store is
/// refused by another instead of naming whatever object has the same index there.
pub(crate) fn next_store_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

pub(crate) struct FuncEntry {
    pub anyfunc: Box<AnyFunc>,
    /// The type as its module wrote it: type indices in it are that module's.
    pub ty: FuncType,
    /// The signature id of every type index of the defining module (empty for host
    /// functions), to resolve the indices in `ty`.
    pub type_ids: Arc<[u32]>,
    pub kind: FuncKind,
}

/// The context a host function's adapter passes back to the runtime.
pub(crate) struct HostCtx {
    pub func: Func,
    /// The importing instance's memory 0, which the host function sees as its caller's.
    pub memory: *mut MemoryData,
    /// The importing instance (None for the store-level reference a table holds).
    pub caller: Option<Instance>,
}

pub struct Store {
    /// This store's process-unique id (see [`next_store_id`]).
    pub(crate) id: u64,
    pub(crate) funcs: Vec<FuncEntry>,
    pub(crate) memories: Vec<LinearMemory>,
    pub(crate) memory_types: Vec<MemoryType>,
    pub(crate) tables: Vec<Box<TableData>>,
    pub(crate) table_types: Vec<TableType>,
    /// Every table's element type, resolved (tables are matched across modules by it).
    table_elems: Vec<CanonVal>,
    pub(crate) globals: Vec<Box<ValRaw>>,
    pub(crate) global_types: Vec<GlobalType>,
    /// Every global's value type, resolved.
    global_canon: Vec<CanonVal>,
    pub(crate) instances: Vec<Box<InstanceData>>,
    /// Store-wide canonical type ids (see [`types`]): equal recursion groups get the same ids.
    pub(crate) types: types::TypeRegistry,
    /// The GC heap (see `runtime::gc`).
    pub(crate) gc: super::gc::GcHeap,
    pub(crate) helpers: Box<vm::HelperTable>,
    /// The creating thread's stack limit (see `call::thread_stack_limit`), which every
    /// instance's vmctx points to.
    pub(crate) stack_limit: Box<usize>,
    /// anyfunc address -> function, to turn funcref bits back into handles.
    pub(crate) anyfunc_owner: HashMap<usize, Func>,
    /// The contexts of host functions' store-level references (`FuncEntry::anyfunc` of a
    /// host function once a module imports it), owned here so they live as long as the store.
    pub(crate) shared_host_ctxs: Vec<Box<HostCtx>>,
    codes: Vec<CompiledModule>,
    /// What this store may create (wasmtime's `-W max-memories`, `max-tables`, ...).
    pub(crate) resource_limits: ResourceLimits,
    /// Calls into wasm in progress on this store (nested through host functions).
    pub(crate) wasm_entries: usize,
    /// Tags (see `runtime::exn`).
    pub(crate) tags: Vec<Box<super::exn::TagData>>,
    /// Exception objects, and object address -> index (to turn exnref bits into handles).
    pub(crate) exceptions: Vec<Box<[ValRaw]>>,
    pub(crate) exn_index: HashMap<usize, u32>,
    /// Fuel and the interrupt flag (see `vm::LimitCells`), shared with interrupt handles.
    pub(crate) limits: std::sync::Arc<vm::LimitCells>,
}

/// How much a store may create, in wasmtime's terms (its `StoreLimits` and `-W max-*`
/// switches, with its defaults): instances, memories and tables per store, and the largest
/// memory and table any of them may grow to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceLimits {
    pub instances: usize,
    pub memories: usize,
    pub tables: usize,
    /// Bytes; a memory may not start larger, and a grow past it fails (-1).
    pub memory_size: Option<u64>,
    /// Elements; likewise for tables.
    pub table_elements: Option<u64>,
    /// Bytes of native stack wasm may use below the outermost call into it; None: the
    /// thread's stack less a reserve for host functions and the signal handler.
    pub wasm_stack: Option<usize>,
    /// A failed `memory.grow` or `table.grow` ends the call with an error instead of
    /// returning -1 (wasmtime's `trap-on-grow-failure`).
    pub trap_on_grow_failure: bool,
}

impl Default for ResourceLimits {
    fn default() -> ResourceLimits {
        // wasmtime's default count for each: 10,000.
        ResourceLimits {
            instances: 10_000,
            memories: 10_000,
            tables: 10_000,
            memory_size: None,
            table_elements: None,
            wasm_stack: None,
            trap_on_grow_failure: false,
        }
    }
}

/// "resource limit exceeded: memory count too high at 3": wasmtime's words, with the count the
/// new object would make.
fn count_limit(what: &str, have: usize, max: usize) -> Result<(), Error> {
    if have >= max {
        return Err(Error::Limit(format!(
            "resource limit exceeded: {what} count too high at {}",
            have + 1
        )));
    }
    Ok(())
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

extern "C" {
    fn rt_install_signal_handlers();
}

// The stack limit a store's compiled code checks is its creating thread's, so a store must stay
// on that thread. Its raw pointers make it !Send; this fails to compile if it ever becomes Send
// (the two impls make `_` ambiguous exactly when `Store: Send`).
const _: fn() = || {
    trait AmbiguousIfSend<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfSend<()> for T {}
    struct IsSend;
    impl<T: ?Sized + Send> AmbiguousIfSend<IsSend> for T {}
    let _ = <Store as AmbiguousIfSend<_>>::check;
};

impl Store {
    pub fn new() -> Store {
        static SIGNALS: std::sync::Once = std::sync::Once::new();
        // SAFETY: installs process-wide fault handlers that chain to any previous ones.
        SIGNALS.call_once(|| unsafe { rt_install_signal_handlers() });
        let mut helpers = Box::new(super::helpers::table());
        super::faults::apply_test_hooks(&mut helpers);
        Store {
            id: next_store_id(),
            funcs: Vec::new(),
            memories: Vec::new(),
            memory_types: Vec::new(),
            tables: Vec::new(),
            table_types: Vec::new(),
            table_elems: Vec::new(),
            globals: Vec::new(),
            global_types: Vec::new(),
            global_canon: Vec::new(),
            instances: Vec::new(),
            types: types::TypeRegistry::default(),
            gc: super::gc::GcHeap::default(),
            helpers,
            stack_limit: Box::new(super::call::thread_stack_limit()),
            anyfunc_owner: HashMap::new(),
            shared_host_ctxs: Vec::new(),
            codes: Vec::new(),
            resource_limits: ResourceLimits::default(),
            wasm_entries: 0,
            tags: Vec::new(),
            exceptions: Vec::new(),
            exn_index: HashMap::new(),
            limits: Default::default(),
        }
    }

    pub fn instantiate(&mut self, linker: &Linker, m: &CompiledModule) -> Result<Instance, Error> {
        count_limit(
            "instance",
            self.instances.len(),
            self.resource_limits.instances,
        )?;
        if !self.codes.iter().any(|c| Arc::ptr_eq(&c.code, &m.code)) {
            self.codes.push(m.clone());
        }
        super::instance::instantiate(self, linker, m)
    }

    /// The signature id of a function type outside any module (a host function's).
    pub(crate) fn sig_id(&mut self, ty: &FuncType) -> u32 {
        self.types.func_id(ty)
    }

    /// The canonical ids of a module's types, in order.
    pub(crate) fn register_types(&mut self, module: &crate::module::Module) -> Vec<u32> {
        self.types.register(&module.sub_types, &module.rec_groups)
    }

    /// A function's signature id.
    pub(crate) fn func_sig(&self, f: Func) -> u32 {
        self.funcs[f.0 as usize].anyfunc.type_id as u32
    }

    /// A table's element type, resolved.
    pub(crate) fn table_elem(&self, t: Table) -> CanonVal {
        self.table_elems[t.0 as usize]
    }

    /// A global's value type, resolved.
    pub(crate) fn global_canon(&self, g: Global) -> CanonVal {
        self.global_canon[g.0 as usize]
    }

    pub fn get_export(&self, inst: Instance, name: &str) -> Option<Extern> {
        self.instances[inst.0 as usize].exports.get(name).copied()
    }

    /// Every export of an instance, in declaration order.
    pub fn exports(&self, inst: Instance) -> Vec<(String, Extern)> {
        let data = &self.instances[inst.0 as usize];
        data.module
            .exports
            .iter()
            .filter_map(|e| data.exports.get(&e.name).map(|x| (e.name.clone(), *x)))
            .collect()
    }

    pub fn func_type(&self, f: Func) -> FuncType {
        self.funcs[f.0 as usize].ty.clone()
    }

    pub fn global_type(&self, g: Global) -> GlobalType {
        self.global_types[g.0 as usize]
    }

    pub fn table_type(&self, t: Table) -> TableType {
        let mut ty = self.table_types[t.0 as usize];
        ty.initial = self.tables[t.0 as usize].size;
        ty
    }

    pub fn memory_type(&self, m: Memory) -> MemoryType {
        let mut ty = self.memory_types[m.0 as usize];
        ty.initial = self.memories[m.0 as usize].pages();
        ty
    }

    pub fn global_get(&self, g: Global) -> Val {
        self.decode_canon(self.global_canon[g.0 as usize], *self.globals[g.0 as usize])
    }

    pub fn global_set(&mut self, g: Global, v: Val) {
        *self.globals[g.0 as usize] = self.encode(v);
    }

    /// The bytes of a memory, read-only.
    pub fn memory_bytes(&self, m: Memory) -> &[u8] {
        let data: *const MemoryData = &*self.memories[m.0 as usize].data;
        // SAFETY: the store is borrowed, so no guest code runs meanwhile; the bytes live as
        // long as the memory.
        unsafe { super::memory::bytes_mut(data as *mut MemoryData) }
    }

    /// Grow a memory by `delta` pages; the old size in pages, or None past its maximum.
    pub fn grow_memory(&mut self, m: Memory, delta: u64) -> Option<u64> {
        self.memories[m.0 as usize].grow(delta)
    }

    /// The bytes of a memory (for hosts that inspect it).
    pub fn memory_data(&mut self, m: Memory) -> &mut [u8] {
        let data: *mut MemoryData = &mut *self.memories[m.0 as usize].data;
        // SAFETY: the store is borrowed mutably, so no guest code runs meanwhile.
        unsafe { super::memory::bytes_mut(data) }
    }

    pub fn new_memory(&mut self, ty: MemoryType) -> Result<Memory, Error> {
        // Every memory reserves address space (8 GiB for a 32-bit one): the limit keeps a
        // module with many memories, or many instances, from exhausting it.
        let limits = self.resource_limits;
        count_limit("memory", self.memories.len(), limits.memories)?;
        let mut maximum = ty.maximum;
        if let Some(bytes) = limits.memory_size {
            let pages = bytes / super::memory::PAGE;
            if ty.initial > pages {
                return Err(Error::Limit(format!(
                    "memory minimum size of {} pages exceeds memory limits",
                    ty.initial
                )));
            }
            maximum = Some(maximum.map_or(pages, |m| m.min(pages)));
        }
        let mem = LinearMemory::new(ty.initial, maximum, ty.memory64).map_err(Error::Compile)?;
        self.memories.push(mem);
        self.memory_types.push(ty);
        Ok(Memory(self.memories.len() as u32 - 1, self.id))
    }

    pub fn new_table(&mut self, ty: TableType, init: Val) -> Result<Table, Error> {
        self.new_table_in(ty, init, &[])
    }

    /// A table whose element type's indices are those of a module with type ids `ids`.
    pub(crate) fn new_table_in(
        &mut self,
        ty: TableType,
        init: Val,
        ids: &[u32],
    ) -> Result<Table, Error> {
        let limits = self.resource_limits;
        count_limit("table", self.tables.len(), limits.tables)?;
        let mut maximum = ty.maximum;
        if let Some(elements) = limits.table_elements {
            if ty.initial > elements {
                return Err(Error::Limit(format!(
                    "table minimum size of {} elements exceeds table limits",
                    ty.initial
                )));
            }
            maximum = Some(maximum.map_or(elements, |m| m.min(elements)));
        }
        if ty.initial > u64::from(u32::MAX) || ty.initial > 10_000_000 {
            return Err(Error::Compile("table is too large".into()));
        }
        let fill = self.encode(init);
        let mut t = Box::new(TableData {
            elems: std::ptr::null_mut(),
            size: 0,
            storage: vec![fill.u64() as usize; ty.initial as usize],
            max: maximum.map(|m| m.min(u64::from(u32::MAX)) as u32),
            is_func: types::is_func_ref_type(ty.element_type),
        });
        t.sync();
        self.tables.push(t);
        self.table_types.push(ty);
        self.table_elems
            .push(types::canon_ref(ty.element_type, ids, None));
        Ok(Table(self.tables.len() as u32 - 1, self.id))
    }

    pub fn new_global(&mut self, ty: GlobalType, v: Val) -> Global {
        self.new_global_in(ty, v, &[])
    }

    /// A global whose type's indices are those of a module with type ids `ids`.
    pub(crate) fn new_global_in(&mut self, ty: GlobalType, v: Val, ids: &[u32]) -> Global {
        let bits = self.encode(v);
        self.globals.push(Box::new(bits));
        self.global_types.push(ty);
        self.global_canon
            .push(types::canon_val(ty.content_type, ids, None));
        Global(self.globals.len() as u32 - 1, self.id)
    }

    /// A host function (made by `crate::Linker` for this store).
    pub(crate) fn host_func(&mut self, ty: FuncType, f: EmbeddedHostFn) -> Func {
        let kind = FuncKind::Host(f);
        let type_id = u64::from(self.sig_id(&ty));
        let func = Func(self.funcs.len() as u32, self.id);
        // The code pointer is filled in by the first module that imports this function: only
        // compiled code has an adapter from the internal calling convention for its signature.
        self.funcs.push(FuncEntry {
            anyfunc: Box::new(AnyFunc {
                code: std::ptr::null(),
                vmctx: std::ptr::null_mut(),
                type_id,
                array_tramp: std::ptr::null(),
            }),
            ty,
            type_ids: Arc::from([]),
            kind,
        });
        let addr = &*self.funcs[func.0 as usize].anyfunc as *const AnyFunc as usize;
        self.anyfunc_owner.insert(addr, func);
        func
    }

    /// A value's raw slot (what globals, trampolines and host calls hold). A reference is a
    /// pointer-sized word: a funcref points at its `AnyFunc`, an exnref at its object, an
    /// externref or anyref is encoded as `runtime::gc` says, null is 0 (tables store the
    /// same word).
    pub(crate) fn encode(&self, v: Val) -> ValRaw {
        match v {
            Val::I32(x) => ValRaw::from_i32(x),
            Val::I64(x) => ValRaw::from_i64(x),
            Val::F32(b) => ValRaw::from_u64(u64::from(b)),
            Val::F64(b) => ValRaw::from_u64(b),
            Val::V128(b) => ValRaw::from_v128(b),
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => ValRaw::default(),
            Val::ExnRef(Some(e)) => ValRaw::from_u64(self.exn_ptr(e) as u64),
            Val::FuncRef(Some(f)) => {
                ValRaw::from_u64(&*self.funcs[f.0 as usize].anyfunc as *const AnyFunc as u64)
            }
            Val::ExternRef(Some(x)) => ValRaw::from_u64(super::gc::host_bits(x)),
            Val::AnyRef(None) => ValRaw::default(),
            Val::AnyRef(Some(r)) | Val::ExternAny(r) => ValRaw::from_u64(super::gc::any_bits(r)),
        }
    }

    /// A raw slot as a value of the resolved type `ty`.
    pub(crate) fn decode_canon(&self, ty: CanonVal, raw: ValRaw) -> Val {
        let heap = match ty {
            CanonVal::Plain(t) => return self.decode(t, raw),
            CanonVal::Ref { heap, .. } => heap,
        };
        let bits = raw.u64();
        match self.types.top(heap) {
            types::Top::Func => Val::FuncRef(self.anyfunc_owner.get(&(bits as usize)).copied()),
            types::Top::Exn => Val::ExnRef(self.exn_of_ptr(bits as usize)),
            types::Top::Extern | types::Top::Cont => match self.decode_any(bits) {
                _ if bits == 0 => Val::ExternRef(None),
                Some(super::gc::AnyRef::Host(n)) => Val::ExternRef(Some(n)),
                Some(r) => Val::ExternAny(r),
                None => Val::ExternRef(None),
            },
            types::Top::Any => Val::AnyRef(self.decode_any(bits)),
        }
    }

    pub(crate) fn decode(&self, ty: ValType, raw: ValRaw) -> Val {
        match ty {
            ValType::I32 => Val::I32(raw.i32()),
            ValType::I64 => Val::I64(raw.i64()),
            ValType::F32 => Val::F32(raw.u32()),
            ValType::F64 => Val::F64(raw.u64()),
            ValType::V128 => Val::V128(raw.v128()),
            ValType::Ref(r) if types::is_func_ref_type(r) => {
                Val::FuncRef(self.anyfunc_owner.get(&(raw.u64() as usize)).copied())
            }
            ValType::Ref(r) if super::is_exn_ref(r) => {
                Val::ExnRef(self.exn_of_ptr(raw.u64() as usize))
            }
            ValType::Ref(r) => self.decode_canon(types::canon_ref(r, &[], None), raw),
        }
    }

    /// Whether `v` is a value of type `ty` (with no module's type indices in it) that this
    /// store can hold.
    pub(crate) fn val_fits(&self, v: &Val, ty: ValType) -> bool {
        self.fits(v, types::canon_val(ty, &[], None))
    }

    /// Whether `v` is a value of the resolved type `ty` that this store can hold: a funcref
    /// must name one of this store's functions, of the type's signature if it names one, and
    /// a null fits only a nullable type.
    pub(crate) fn fits(&self, v: &Val, ty: CanonVal) -> bool {
        use wasmparser::AbstractHeapType as A;
        let (nullable, heap) = match ty {
            CanonVal::Plain(t) => {
                return matches!(
                    (v, t),
                    (Val::I32(_), ValType::I32)
                        | (Val::I64(_), ValType::I64)
                        | (Val::F32(_), ValType::F32)
                        | (Val::F64(_), ValType::F64)
                        | (Val::V128(_), ValType::V128)
                )
            }
            CanonVal::Ref { nullable, heap } => (nullable, heap),
        };
        let abstract_is =
            |want: A| matches!(heap, types::Heap::Abstract { shared: false, ty } if ty == want);
        if matches!(v, Val::FuncRef(None) | Val::AnyRef(None))
            && nullable
            && matches!(heap, types::Heap::Sig(_))
        {
            // A defined type is a function type or a struct or array type: a script naming
            // `ref.null $t` cannot tell which, so either null fits it (both are the word 0).
            return true;
        }
        match v {
            Val::FuncRef(None) => nullable && self.types.top(heap) == types::Top::Func,
            Val::FuncRef(Some(f)) => {
                f.1 == self.id
                    && self
                        .types
                        .heap_subtype(types::Heap::Sig(self.func_sig(*f)), heap)
            }
            Val::AnyRef(None) => nullable && self.types.top(heap) == types::Top::Any,
            Val::AnyRef(Some(super::AnyRef::I31(_))) => {
                abstract_is(A::Any) || abstract_is(A::Eq) || abstract_is(A::I31)
            }
            Val::AnyRef(Some(super::AnyRef::Host(_))) => abstract_is(A::Any),
            Val::AnyRef(Some(super::AnyRef::Struct(o) | super::AnyRef::Array(o))) => {
                // Only this store's objects: a handle from another store is no address here.
                self.gc
                    .type_of(o.0)
                    .is_some_and(|id| self.types.heap_subtype(types::Heap::Sig(id), heap))
            }
            Val::ExternAny(super::AnyRef::Struct(o) | super::AnyRef::Array(o)) => {
                self.gc.type_of(o.0).is_some() && abstract_is(A::Extern)
            }
            Val::ExternAny(_) => abstract_is(A::Extern),
            Val::ExternRef(None) => {
                nullable && (abstract_is(A::Extern) || abstract_is(A::NoExtern))
            }
            Val::ExternRef(Some(_)) => abstract_is(A::Extern),
            Val::ExnRef(None) => nullable && (abstract_is(A::Exn) || abstract_is(A::NoExn)),
            Val::ExnRef(Some(e)) => e.1 == self.id && abstract_is(A::Exn),
            _ => false,
        }
    }

    pub fn call(&mut self, f: Func, args: &[Val]) -> Result<Vec<Val>, Trap> {
        if f.1 != self.id {
            return Err(Trap::host("function used with the wrong store"));
        }
        let ty = self.funcs[f.0 as usize].ty.clone();
        let ids = self.funcs[f.0 as usize].type_ids.clone();
        if args.len() != ty.params().len()
            || !args
                .iter()
                .zip(ty.params())
                .all(|(a, t)| self.fits(a, types::canon_val(*t, &ids, None)))
        {
            return Err(Trap::host(format!(
                "argument type mismatch: expected {} argument(s) of types {:?}",
                ty.params().len(),
                ty.params()
            )));
        }
        let mut slots = vec![ValRaw::default(); ty.params().len().max(ty.results().len()).max(1)];
        for (slot, a) in slots.iter_mut().zip(args) {
            *slot = self.encode(*a);
        }
        self.call_raw(f, &mut slots)?;
        Ok(ty
            .results()
            .iter()
            .zip(&slots)
            .map(|(t, raw)| self.decode_canon(types::canon_val(*t, &ids, None), *raw))
            .collect())
    }

    /// Call `f` with its arguments in `slots` (raw, already of the right types), leaving its
    /// results there. `slots` must hold at least max(params, results, 1) values. The one path
    /// every host->wasm (and host->host) call takes.
    pub(crate) fn call_raw(&mut self, f: Func, slots: &mut [ValRaw]) -> Result<(), Trap> {
        let entry = &self.funcs[f.0 as usize];
        let wanted = entry.ty.params().len().max(entry.ty.results().len()).max(1);
        assert!(
            slots.len() >= wanted,
            "call_raw: {} slots for {wanted} values",
            slots.len()
        );
        if let FuncKind::Host(h) = &entry.kind {
            // The host called its own function: no calling instance.
            let h = h.clone();
            let ctx = HostCtx {
                func: f,
                memory: std::ptr::null_mut(),
                caller: None,
            };
            return h(self as *mut Store, &ctx, slots);
        }
        let af = &*self.funcs[f.0 as usize].anyfunc;
        let (tramp, code, vmctx) = (af.array_tramp, af.code, af.vmctx);
        // SAFETY: the trampoline, code and vmctx come from a loaded module owned by this
        // store; slots has room for every parameter and result (checked above); this frame
        // does not touch the store until the call returns.
        let entered = unsafe {
            CallRecord::enter(self as *mut Store, tramp, code, vmctx, slots.as_mut_ptr())
        };
        entered.map_err(|t| self.trap_of(t))
    }

    /// The trap a call ended with: a host function's own, or the code's, with the wasm
    /// backtrace (unless the host's trap brought one from deeper down).
    fn trap_of(&self, t: Trapped) -> Trap {
        let mut trap = if t.code == vm::trap_code::HOST {
            (t.pending).map_or_else(|| Trap::host("host function failed"), |t| *t)
        } else if t.code == vm::trap_code::EXCEPTION {
            match self.exn_of_ptr(t.exception as usize) {
                Some(exn) => Trap::new(super::TrapKind::Exception(super::ThrownException {
                    exn,
                    tag: self.exn_tag(exn),
                    payload: self.exn_payload(exn),
                })),
                None => Trap::host("an exception of unknown origin"),
            }
        } else {
            Trap::new(Trap::from_code(t.code))
        };
        // Entries are return addresses (one past the call); step back into the call.
        let located: Vec<(usize, u32, usize)> = (t.pcs.iter())
            .filter_map(|&pc| {
                let pc = pc.wrapping_sub(1);
                self.locate(pc).map(|(code, func)| (code, func, pc))
            })
            .collect();
        // Detailed frames read the address map and DWARF of the modules involved, once each.
        let sections: Vec<Option<addrmap::Sections>> = (self.codes.iter().enumerate())
            .map(|(i, c)| {
                let wanted = c.backtrace_details && located.iter().any(|l| l.0 == i);
                wanted.then(|| addrmap::relocated_sections(&c.objects, &c.code))
            })
            .collect();
        let symbolizers: Vec<Option<addrmap::Symbolizer>> = (sections.iter().zip(&self.codes))
            .map(|(s, c)| s.as_ref().map(|s| addrmap::Symbolizer::new(c, s)))
            .collect();
        let mut names = Vec::new();
        let mut frames = Vec::new();
        for (code, func, pc) in located {
            match &symbolizers[code] {
                Some(symbolizer) => {
                    for f in symbolizer.frames(pc, func) {
                        names.push(
                            f.func_name
                                .clone()
                                .unwrap_or(format!("func[{}]", f.func_index)),
                        );
                        frames.push(f);
                    }
                }
                None => names.push(func_display_name(&self.codes[code].module, func)),
            }
        }
        if trap.backtrace.is_empty() {
            trap.backtrace = names;
            trap.frames = frames;
        }
        trap
    }

    /// The loaded module (by position in `codes`) and defined function that `pc` is in.
    fn locate(&self, pc: usize) -> Option<(usize, u32)> {
        for (n, c) in self.codes.iter().enumerate() {
            if !c.code.range().contains(&pc) {
                continue;
            }
            let i = c.func_ranges.partition_point(|r| r.0 <= pc);
            let (_, end, idx) = *c.func_ranges.get(i.checked_sub(1)?)?;
            return (pc < end).then_some((n, idx));
        }
        None
    }
}

/// How backtraces name a function: the name section's name, else `func[N]`.
fn func_display_name(module: &Module, index: u32) -> String {
    match module.func_name(index) {
        Some(n) => n.to_string(),
        None => format!("func[{index}]"),
    }
}

use super::Linker;
