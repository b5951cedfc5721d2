//! Instantiation: resolve imports, create what the module defines, build the vmctx, apply
// Boxes inside Vecs are deliberate: compiled code holds raw pointers to these objects, so
// they must not move when the Vec grows.
#![allow(clippy::vec_box)]
//! segments, run the start function.
use super::store::{FuncEntry, FuncKind, HostCtx, Store};
use super::trap::{Trap, TrapKind};
use super::types;
use super::vm::{adapter_symbol, func_symbol, tramp_symbol};
use super::vm::{AnyFunc, MemoryData, TableData, ValRaw, VmCtx};
use super::{
    CompiledModule, Error, Extern, Func, Global, Instance, Linker, Memory, Table, Tag, Val,
};
use crate::module::{
    ConstExpr, ConstOp, ElementItems, ExternKind, ImportKind, Module, SegmentMode,
};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) struct InstanceData {
    pub vmctx: Box<VmCtx>,
    pub module: Arc<Module>,
    pub globals: Vec<*mut ValRaw>,
    pub tables: Vec<*mut TableData>,
    pub funcs: Vec<*const AnyFunc>,
    /// The store-wide signature id of every type index (see `runtime::types`).
    pub type_ids: Arc<[u32]>,
    pub func_handles: Vec<Func>,
    pub table_handles: Vec<Table>,
    pub memory_handles: Vec<Memory>,
    /// Every memory's descriptor, by memory index (the memory helpers take an index).
    pub memories: Vec<*mut MemoryData>,
    pub global_handles: Vec<Global>,
    /// Every tag's identity (the vmctx's `tags`) and handle, by tag index.
    pub tags: Vec<*const u8>,
    pub tag_handles: Vec<Tag>,
    /// Host-function adapters' contexts and function references, one per imported host function.
    pub host_ctxs: Vec<Box<HostCtx>>,
    pub host_anyfuncs: Vec<Box<AnyFunc>>,
    pub data_dropped: Vec<bool>,
    /// Evaluated element segments (slot encoding); None once dropped.
    pub elems: Vec<Option<Vec<usize>>>,
    pub exports: HashMap<String, Extern>,
}

impl InstanceData {
    /// Data segment `seg`'s bytes, empty once dropped (`memory.init`, `array.new_data`,
    /// `array.init_data` all read them so).
    pub(crate) fn data_segment(&self, seg: u32) -> &[u8] {
        if self.data_dropped[seg as usize] {
            return &[];
        }
        self.module.data_bytes(&self.module.data[seg as usize])
    }

    /// Element segment `seg`'s references, empty once dropped.
    pub(crate) fn elem_segment(&self, seg: u32) -> &[usize] {
        self.elems[seg as usize].as_deref().unwrap_or(&[])
    }
}

fn link_err(module: &str, name: &str, why: &str) -> Error {
    Error::Link(format!("{why} for `{module}::{name}`"))
}

fn limits_ok(min: u64, max: Option<u64>, want_min: u64, want_max: Option<u64>) -> bool {
    min >= want_min
        && match (want_max, max) {
            (None, _) => true,
            (Some(w), Some(m)) => m <= w,
            (Some(_), None) => false,
        }
}

/// Find every import in `linker` and check its type against the import's, in the store's
/// resolved types (`ids` resolves the module's type indices): a function must have the
/// same signature (function types are final without GC), a table the same element type
/// (tables are read and written, so invariant) and large enough limits, an immutable
/// global a subtype, a mutable one the same type.
fn resolve_imports(
    store: &Store,
    linker: &Linker,
    module: &Module,
    ids: &[u32],
) -> Result<Vec<Extern>, Error> {
    let mut out = Vec::new();
    for imp in &module.imports {
        let Some(ext) = linker.get(&imp.module, &imp.name) else {
            return Err(Error::Link(format!(
                "unknown import: `{}::{}` has not been defined",
                imp.module, imp.name
            )));
        };
        let ok = match (imp.kind, ext) {
            (ImportKind::Func(t), Extern::Func(f)) => {
                // A function matches an import of any of its supertypes.
                ids.get(t as usize)
                    .is_some_and(|&want| store.types.is_subtype(store.func_sig(f), want))
            }
            (ImportKind::Table(want), Extern::Table(t)) => {
                let have = store.table_type(t);
                store.table_elem(t) == types::canon_ref(want.element_type, ids, None)
                    && have.table64 == want.table64
                    && limits_ok(have.initial, have.maximum, want.initial, want.maximum)
            }
            (ImportKind::Memory(want), Extern::Memory(m)) => {
                let have = store.memory_type(m);
                have.memory64 == want.memory64
                    && have.shared == want.shared
                    && limits_ok(have.initial, have.maximum, want.initial, want.maximum)
            }
            (ImportKind::Global(want), Extern::Global(g)) => {
                let have = store.global_canon(g);
                let want_ty = types::canon_val(want.content_type, ids, None);
                store.global_type(g).mutable == want.mutable
                    && match want.mutable {
                        true => have == want_ty,
                        false => store.types.val_subtype(have, want_ty),
                    }
            }
            (ImportKind::Tag(t), Extern::Tag(tag)) => {
                // Tags match exactly (they are used both ways: thrown and caught).
                ids.get(t as usize) == Some(&store.tags[tag.0 as usize].type_id)
            }
            _ => false,
        };
        if !ok {
            return Err(link_err(&imp.module, &imp.name, "incompatible import type"));
        }
        out.push(ext);
    }
    Ok(out)
}

fn trap(kind: TrapKind) -> Error {
    Error::Trap(Trap::new(kind))
}

pub(crate) fn instantiate(
    store: &mut Store,
    linker: &Linker,
    m: &CompiledModule,
) -> Result<Instance, Error> {
    let module = m.module.clone();
    let type_ids: Arc<[u32]> = store.register_types(&module).into();
    let imports = resolve_imports(store, linker, &module, &type_ids)?;
    let inst_index = store.instances.len() as u32;

    let mut data = Box::new(InstanceData {
        vmctx: Box::new(VmCtx {
            mem_base: std::ptr::null_mut(),
            mem: std::ptr::null_mut(),
            stack_limit: store.limits.stack_limit.as_ptr(),
            helpers: &*store.helpers,
            globals: std::ptr::null(),
            tables: std::ptr::null(),
            funcs: std::ptr::null(),
            type_ids: std::ptr::null(),
            instance: std::ptr::null_mut(),
            memories: std::ptr::null(),
            tags: std::ptr::null(),
            // Compiled code writes the fuel cell, an atomic, through this pointer.
            limits: std::sync::Arc::as_ptr(&store.limits) as *mut _,
            gc_runs: store.gc.runs_ptr(),
        }),
        module: module.clone(),
        globals: Vec::new(),
        tables: Vec::new(),
        funcs: Vec::new(),
        type_ids: type_ids.clone(),
        func_handles: Vec::new(),
        table_handles: Vec::new(),
        memory_handles: Vec::new(),
        memories: Vec::new(),
        global_handles: Vec::new(),
        tags: Vec::new(),
        tag_handles: Vec::new(),
        host_ctxs: Vec::new(),
        host_anyfuncs: Vec::new(),
        data_dropped: vec![false; module.data.len()],
        elems: Vec::new(),
        exports: HashMap::new(),
    });
    let vmctx_ptr: *mut VmCtx = &mut *data.vmctx;

    // Imports.
    for (imp, ext) in module.imports.iter().zip(&imports) {
        match (imp.kind, *ext) {
            (ImportKind::Func(t), Extern::Func(f)) => {
                data.func_handles.push(f);
                if !matches!(store.funcs[f.0 as usize].kind, FuncKind::Wasm) {
                    data.host_ctxs.push(Box::new(HostCtx {
                        func: f,
                        memory: std::ptr::null_mut(),
                        caller: Some(Instance(inst_index, store.id)),
                    }));
                    let ctx: *mut HostCtx = &mut **data.host_ctxs.last_mut().unwrap();
                    let adapter = m.code.symbol(&adapter_symbol(t)).unwrap_or(0) as *const u8;
                    if store.funcs[f.0 as usize].anyfunc.code.is_null() {
                        // The store-level reference (used when the host puts it in a table)
                        // borrows this module's adapter and has no caller memory. The store
                        // owns its context, which lives as long as the function.
                        let mut shared = Box::new(HostCtx {
                            func: f,
                            memory: std::ptr::null_mut(),
                            caller: None,
                        });
                        let shared_ptr: *mut HostCtx = &mut *shared;
                        store.shared_host_ctxs.push(shared);
                        let entry = &mut store.funcs[f.0 as usize].anyfunc;
                        entry.code = adapter;
                        entry.vmctx = shared_ptr as *mut u8;
                    }
                    let af = Box::new(AnyFunc {
                        code: adapter,
                        vmctx: ctx as *mut u8,
                        type_id: u64::from(data.type_ids[t as usize]),
                        array_tramp: std::ptr::null(),
                    });
                    store
                        .anyfunc_owner
                        .insert(&*af as *const AnyFunc as usize, f);
                    data.funcs.push(&*af);
                    data.host_anyfuncs.push(af);
                } else {
                    data.funcs.push(&*store.funcs[f.0 as usize].anyfunc);
                }
            }
            (ImportKind::Table(_), Extern::Table(t)) => {
                data.table_handles.push(t);
                data.tables.push(&mut *store.tables[t.0 as usize]);
            }
            (ImportKind::Memory(_), Extern::Memory(mem)) => data.memory_handles.push(mem),
            (ImportKind::Global(_), Extern::Global(g)) => {
                data.global_handles.push(g);
                data.globals.push(&mut *store.globals[g.0 as usize]);
            }
            (ImportKind::Tag(_), Extern::Tag(t)) => {
                data.tag_handles.push(t);
                data.tags.push(store.tag_identity(t));
            }
            _ => unreachable!("resolve_imports checked kinds"),
        }
    }

    // Defined functions.
    for i in module.num_imported_funcs..module.num_funcs() {
        let t = module.func_types[i as usize];
        let code = m.code.symbol(&func_symbol(i));
        let tramp = m.code.symbol(&tramp_symbol(t));
        let (Some(code), Some(tramp)) = (code, tramp) else {
            return Err(Error::Compile(format!("compiled code lacks function {i}")));
        };
        let af = Box::new(AnyFunc {
            code: code as *const u8,
            vmctx: vmctx_ptr as *mut u8,
            type_id: u64::from(data.type_ids[t as usize]),
            array_tramp: tramp as *const u8,
        });
        let f = Func(store.funcs.len() as u32, store.id);
        store
            .anyfunc_owner
            .insert(&*af as *const AnyFunc as usize, f);
        data.funcs.push(&*af);
        store.funcs.push(FuncEntry {
            anyfunc: af,
            ty: module.types[t as usize].clone(),
            type_ids: type_ids.clone(),
            kind: FuncKind::Wasm,
        });
        data.func_handles.push(f);
    }

    // Defined tags: each instantiation makes new ones (a tag is generative).
    for &t in &module.tags[module.num_imported_tags as usize..] {
        let tag = store.new_tag_in(module.types[t as usize].clone(), type_ids[t as usize]);
        data.tag_handles.push(tag);
        data.tags.push(store.tag_identity(tag));
    }

    // Defined memories.
    for ty in &module.memories[module.num_imported_memories as usize..] {
        let mem = store.new_memory(*ty)?;
        data.memory_handles.push(mem);
    }
    data.memories = (data.memory_handles.iter())
        .map(|mem| &mut *store.memories[mem.0 as usize].data as *mut MemoryData)
        .collect();
    if let Some(mem) = data.memory_handles.first() {
        let md: *mut MemoryData = &mut *store.memories[mem.0 as usize].data;
        data.vmctx.mem = md;
        // SAFETY: md points to a live boxed MemoryData.
        data.vmctx.mem_base = unsafe { (*md).base };
        for h in &mut data.host_ctxs {
            h.memory = md;
        }
    }

    // Defined globals (their initialisers may read earlier globals and name functions).
    for (i, init) in module.global_inits.iter().enumerate() {
        let ty = module.globals[module.num_imported_globals as usize + i];
        let raw = eval_const(&data, init, Some(store))?;
        let g = store.new_global_in(ty, Val::I32(0), &type_ids);
        *store.globals[g.0 as usize] = raw;
        data.global_handles.push(g);
        data.globals.push(&mut *store.globals[g.0 as usize]);
    }

    // Defined tables.
    for (i, ty) in module.tables[module.num_imported_tables as usize..]
        .iter()
        .enumerate()
    {
        let init = match module.table_inits.get(i).and_then(|x| x.as_ref()) {
            Some(e) => eval_const(&data, e, Some(store))?.u64(),
            None => 0,
        };
        let t = store.new_table_in(*ty, Val::I32(0), &type_ids)?;
        store.tables[t.0 as usize].storage.fill(init as usize);
        data.table_handles.push(t);
        data.tables.push(&mut *store.tables[t.0 as usize]);
    }

    // Element segments, evaluated now (Wasm 2.0 evaluates them at instantiation).
    for seg in &module.elements {
        let vals = match &seg.items {
            ElementItems::Functions(fs) => fs
                .iter()
                .map(|&f| data.funcs[f as usize] as usize)
                .collect(),
            ElementItems::Exprs(es) => {
                let mut v = Vec::new();
                for e in es {
                    v.push(eval_const(&data, e, Some(store))?.u64() as usize);
                }
                v
            }
        };
        data.elems.push(Some(vals));
    }

    data.vmctx.globals = data.globals.as_ptr();
    data.vmctx.tables = data.tables.as_ptr();
    data.vmctx.funcs = data.funcs.as_ptr();
    data.vmctx.type_ids = data.type_ids.as_ptr();
    data.vmctx.memories = data.memories.as_ptr();
    data.vmctx.tags = data.tags.as_ptr();
    let data_ptr: *mut InstanceData = &mut *data;
    data.vmctx.instance = data_ptr as *mut u8;

    for e in &module.exports {
        let i = e.index as usize;
        let ext = match e.kind {
            ExternKind::Func => Extern::Func(data.func_handles[i]),
            ExternKind::Table => Extern::Table(data.table_handles[i]),
            ExternKind::Memory => Extern::Memory(data.memory_handles[i]),
            ExternKind::Global => Extern::Global(data.global_handles[i]),
            ExternKind::Tag => Extern::Tag(data.tag_handles[i]),
        };
        data.exports.insert(e.name.clone(), ext);
    }
    store.instances.push(data);
    let instance = Instance(inst_index, store.id);
    apply_segments(store, instance)?;
    if let Some(start) = module.start {
        let f = store.instances[inst_index as usize].func_handles[start as usize];
        store.call(f, &[]).map_err(Error::Trap)?;
    }
    Ok(instance)
}

/// A constant expression's value. `store` is given where the expression may allocate GC
/// objects (global, table and element initialisers; never offsets).
fn eval_const(
    data: &InstanceData,
    e: &ConstExpr,
    store: Option<&mut Store>,
) -> Result<ValRaw, Error> {
    Ok(match e.op {
        ConstOp::I32(v) => ValRaw::from_i32(v),
        ConstOp::I64(v) => ValRaw::from_i64(v),
        ConstOp::F32(b) => ValRaw::from_u64(u64::from(b)),
        ConstOp::F64(b) => ValRaw::from_u64(b),
        ConstOp::V128(b) => ValRaw::from_v128(u128::from_le_bytes(b)),
        ConstOp::RefNull(_) => ValRaw::default(),
        ConstOp::RefFunc(f) => ValRaw::from_u64(data.funcs[f as usize] as u64),
        ConstOp::GlobalGet(g) => {
            // SAFETY: global cells are live boxes owned by the store.
            unsafe { *data.globals[g as usize] }
        }
        ConstOp::Sequence => eval_sequence(data, e, store)?,
    })
}

/// A constant expression of several instructions (extended constants: `i32`/`i64` `add`,
/// `sub` and `mul` over constants and `global.get`), run on a small value stack. Validation
/// typed the sequence, so the stack holds exactly one value at `end`; an instruction outside
/// what rt implements (GC allocations, which the compiler refuses first) is refused, not
/// guessed at.
fn eval_sequence(
    data: &InstanceData,
    e: &ConstExpr,
    mut store: Option<&mut Store>,
) -> Result<ValRaw, Error> {
    use wasmparser::Operator as O;
    let unsupported = || Error::Compile("unsupported constant expression".into());
    let mut reader = data
        .module
        .const_expr_operators(e, wasmparser::WasmFeatures::all());
    let mut stack: Vec<ValRaw> = Vec::new();
    // The two operands of a binary operator, in push order.
    fn operands(stack: &mut Vec<ValRaw>) -> Option<(ValRaw, ValRaw)> {
        let b = stack.pop()?;
        let a = stack.pop()?;
        Some((a, b))
    }
    while !reader.eof() {
        let op = reader
            .read()
            .map_err(|err| Error::Compile(format!("constant expression: {err}")))?;
        let single = |op: ConstOp| ConstExpr {
            op,
            range: e.range.clone(),
        };
        let v = match op {
            O::End => break,
            O::I32Const { value } => ValRaw::from_i32(value),
            O::I64Const { value } => ValRaw::from_i64(value),
            O::F32Const { value } => ValRaw::from_u64(u64::from(value.bits())),
            O::F64Const { value } => ValRaw::from_u64(value.bits()),
            O::V128Const { value } => ValRaw::from_v128(u128::from_le_bytes(*value.bytes())),
            O::RefNull { .. } => ValRaw::default(),
            O::RefFunc { function_index } => {
                eval_const(data, &single(ConstOp::RefFunc(function_index)), None)?
            }
            O::GlobalGet { global_index } => {
                eval_const(data, &single(ConstOp::GlobalGet(global_index)), None)?
            }
            // i31 references and the conversions between `any` and `extern` (the identity
            // on the word: see `runtime::gc`).
            O::RefI31 => {
                let x = stack.pop().ok_or_else(unsupported)?;
                ValRaw::from_u64(super::gc::any_bits(super::AnyRef::i31(x.i32())))
            }
            O::AnyConvertExtern | O::ExternConvertAny => stack.pop().ok_or_else(unsupported)?,
            // Allocations: the new object's fields come off the stack in order.
            O::StructNew {
                struct_type_index: t,
            }
            | O::StructNewDefault {
                struct_type_index: t,
            }
            | O::ArrayNew {
                array_type_index: t,
            }
            | O::ArrayNewDefault {
                array_type_index: t,
            }
            | O::ArrayNewFixed {
                array_type_index: t,
                ..
            } => {
                let store = store.as_deref_mut().ok_or_else(unsupported)?;
                let id = data.type_ids[t as usize];
                let obj = match op {
                    O::StructNew { .. } => {
                        let n = store.struct_field_count(id);
                        let at = stack.len().checked_sub(n).ok_or_else(unsupported)?;
                        let fields = stack.split_off(at);
                        store.const_alloc(id, &fields, None)
                    }
                    O::StructNewDefault { .. } => store.const_alloc(id, &[], None),
                    O::ArrayNew { .. } => {
                        let len = stack.pop().ok_or_else(unsupported)?.u32();
                        let v = stack.pop().ok_or_else(unsupported)?;
                        store.const_alloc(id, &[v], Some(len))
                    }
                    O::ArrayNewDefault { .. } => {
                        let len = stack.pop().ok_or_else(unsupported)?.u32();
                        store.const_alloc(id, &[], Some(len))
                    }
                    O::ArrayNewFixed { array_size, .. } => {
                        let at = stack
                            .len()
                            .checked_sub(array_size as usize)
                            .ok_or_else(unsupported)?;
                        let elems = stack.split_off(at);
                        store.const_alloc(id, &elems, None)
                    }
                    _ => None,
                };
                let obj = obj.ok_or_else(|| trap(TrapKind::GcHeapOutOfMemory))?;
                ValRaw::from_u64(obj as u64)
            }
            O::I32Add | O::I32Sub | O::I32Mul => {
                let (a, b) = operands(&mut stack).ok_or_else(unsupported)?;
                let (a, b) = (a.i32(), b.i32());
                ValRaw::from_i32(match op {
                    O::I32Add => a.wrapping_add(b),
                    O::I32Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            O::I64Add | O::I64Sub | O::I64Mul => {
                let (a, b) = operands(&mut stack).ok_or_else(unsupported)?;
                let (a, b) = (a.i64(), b.i64());
                ValRaw::from_i64(match op {
                    O::I64Add => a.wrapping_add(b),
                    O::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            _ => return Err(unsupported()),
        };
        stack.push(v);
    }
    match stack.as_slice() {
        [v] => Ok(*v),
        _ => Err(unsupported()),
    }
}

/// An active segment's offset: an `i64` for a 64-bit memory or table, else an `i32` (whose
/// bits are unsigned there).
use super::helpers::span;

fn segment_offset(raw: ValRaw, is64: bool) -> u64 {
    if is64 {
        raw.u64()
    } else {
        u64::from(raw.u32())
    }
}

fn apply_segments(store: &mut Store, instance: Instance) -> Result<(), Error> {
    let data: *mut InstanceData = &mut *store.instances[instance.0 as usize];
    // SAFETY: the instance box lives in the store; nothing else touches it meanwhile.
    let data = unsafe { &mut *data };
    let module = data.module.clone();
    for (i, seg) in module.elements.iter().enumerate() {
        match &seg.mode {
            SegmentMode::Active { index, offset } => {
                let table64 = module.tables[*index as usize].table64;
                let off = segment_offset(eval_const(data, offset, None)?, table64);
                let vals = data.elems[i].take().unwrap_or_default();
                // SAFETY: table pointers are live boxes owned by the store.
                let table = unsafe { &mut *data.tables[*index as usize] };
                let Some(range) = span(off, vals.len() as u64, table.storage.len()) else {
                    return Err(trap(TrapKind::TableOutOfBounds));
                };
                table.storage[range].copy_from_slice(&vals);
            }
            SegmentMode::Declared => data.elems[i] = None,
            SegmentMode::Passive => {}
        }
    }
    for (i, seg) in module.data.iter().enumerate() {
        if let SegmentMode::Active { index, offset } = &seg.mode {
            let memory64 = module.memories[*index as usize].memory64;
            let off = segment_offset(eval_const(data, offset, None)?, memory64);
            let bytes = module.data_bytes(seg);
            let md = data.memories[*index as usize];
            // SAFETY: md is one of this instance's live memories.
            let mem = unsafe { super::memory::bytes_mut(md) };
            let Some(range) = span(off, bytes.len() as u64, mem.len()) else {
                return Err(trap(TrapKind::MemoryOutOfBounds));
            };
            mem[range].copy_from_slice(bytes);
            data.data_dropped[i] = true;
        }
    }
    Ok(())
}
