//! Runtime functions compiled code calls through the vmctx helper table. They never unwind:
//! failures come back as a `Status` (a non-zero trap code) that compiled code turns into a trap.
use super::call::CallRecord;
use super::instance::InstanceData;
use super::memory::{bytes_mut, grow_memory};
use super::store::{FuncKind, HostCtx};
use super::trap::Trap;
use super::vm::{trap_code, HelperTable, MemoryData, Status, TableData, ValRaw, VmCtx};

extern "C" {
    fn rt_trap(code: i32) -> !;
}

/// The table every vmctx points to. Each field's type is the signature the helper list
/// (`vm::helpers`) gives it, so a function here that disagrees with the list does not compile.
pub(crate) fn table() -> HelperTable {
    HelperTable {
        trap: rt_trap,
        memory_grow,
        memory_fill,
        memory_copy,
        memory_init,
        data_drop,
        table_grow,
        grow_failed,
        table_fill,
        table_copy,
        table_init,
        elem_drop,
        host_call,
        throw: super::exn::throw,
        subtype,
        ref_test: super::gc::ref_test,
        gc_alloc: super::gc::gc_alloc,
        array_new: super::gc::array_new,
        array_new_data: super::gc::array_new_data,
        array_new_elem: super::gc::array_new_elem,
        array_fill: super::gc::array_fill,
        array_copy: super::gc::array_copy,
        array_init_data: super::gc::array_init_data,
        array_init_elem: super::gc::array_init_elem,
    }
}

/// `start..start+len` as a range of `size` elements, or `None` when it does not fit. The sum
/// may not wrap: a range that ends exactly at 2^32 (the top of a full 4 GiB memory) is legal.
pub(crate) fn span(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size as u64).then_some(start as usize..end as usize)
}

/// The subtype check behind `call_indirect` against a non-final type: walks nothing, the
/// registry's supertype chains answer in constant time.
unsafe extern "C" fn subtype(_vmctx: *mut VmCtx, have: u32, want: u32) -> i32 {
    let store = CallRecord::current_store();
    i32::from(!store.is_null() && (*store).types.is_subtype(have, want))
}

unsafe fn instance<'a>(vmctx: *mut VmCtx) -> &'a mut InstanceData {
    &mut *((*vmctx).instance as *mut InstanceData)
}

unsafe fn memory_data(vmctx: *mut VmCtx, mem: u32) -> *mut MemoryData {
    instance(vmctx).memories[mem as usize]
}

unsafe fn table_of<'a>(vmctx: *mut VmCtx, t: u32) -> &'a mut TableData {
    &mut **(*vmctx).tables.add(t as usize)
}

unsafe extern "C" fn memory_grow(vmctx: *mut VmCtx, mem: u32, delta: u64) -> i64 {
    match grow_memory(&mut *memory_data(vmctx, mem), delta) {
        Some(old) => old as i64,
        None => -1,
    }
}

unsafe extern "C" fn memory_fill(
    vmctx: *mut VmCtx,
    mem: u32,
    dst: u64,
    val: u32,
    len: u64,
) -> Status {
    let mem = bytes_mut(memory_data(vmctx, mem));
    let Some(dst) = span(dst, len, mem.len()) else {
        return Status(trap_code::OOB_MEMORY);
    };
    mem[dst].fill(val as u8);
    Status::OK
}

unsafe extern "C" fn memory_copy(
    vmctx: *mut VmCtx,
    dst_mem: u32,
    src_mem: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> Status {
    let (to, from) = (memory_data(vmctx, dst_mem), memory_data(vmctx, src_mem));
    let (dst, src) = (
        span(dst, len, (*to).size_bytes as usize),
        span(src, len, (*from).size_bytes as usize),
    );
    let (Some(dst), Some(src)) = (dst, src) else {
        return Status(trap_code::OOB_MEMORY);
    };
    // One memory may be both ends (the ranges may overlap), so copy through raw pointers.
    std::ptr::copy(
        (*from).base.add(src.start),
        (*to).base.add(dst.start),
        dst.len(),
    );
    Status::OK
}

unsafe extern "C" fn memory_init(
    vmctx: *mut VmCtx,
    mem: u32,
    seg: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> Status {
    let inst = instance(vmctx);
    let mem = bytes_mut(memory_data(vmctx, mem));
    let bytes = inst.data_segment(seg);
    let (Some(src), Some(dst)) = (span(src, len, bytes.len()), span(dst, len, mem.len())) else {
        return Status(trap_code::OOB_MEMORY);
    };
    mem[dst].copy_from_slice(&bytes[src]);
    Status::OK
}

unsafe extern "C" fn data_drop(vmctx: *mut VmCtx, seg: u32) {
    instance(vmctx).data_dropped[seg as usize] = true;
}

unsafe extern "C" fn table_grow(vmctx: *mut VmCtx, t: u32, init: *mut u8, delta: u64) -> i64 {
    let table = table_of(vmctx, t);
    let old = table.storage.len() as u64;
    let max = u64::from(table.max.unwrap_or(u32::MAX)).min(10_000_000);
    match old.checked_add(delta) {
        Some(new) if new <= max => {
            table.storage.resize(new as usize, init as usize);
            table.sync();
            old as i64
        }
        _ => -1,
    }
}

unsafe extern "C" fn grow_failed(vmctx: *mut VmCtx, table: u32, index: u32, delta: u64) -> Status {
    let message = if table != 0 {
        let now = table_of(vmctx, index).storage.len() as u64;
        format!(
            "forcing trap when growing table to {} elements",
            now.saturating_add(delta)
        )
    } else {
        let now = (*memory_data(vmctx, index)).size_bytes;
        let asked = delta.saturating_mul(super::memory::PAGE);
        format!(
            "forcing trap when growing memory to {} bytes",
            now.saturating_add(asked)
        )
    };
    // The failure is the store's decision, raised as a host error (as wasmtime does), so it
    // goes through the host-call path: the error waits in the call record.
    let mut unused = ValRaw::default();
    CallRecord::run_host(
        |store| match (*store).resource_limits.trap_on_grow_failure {
            true => Err(Trap::host(message)),
            false => Ok(()),
        },
        &mut unused,
    )
}

unsafe extern "C" fn table_fill(
    vmctx: *mut VmCtx,
    t: u32,
    dst: u64,
    val: *mut u8,
    len: u64,
) -> Status {
    let table = table_of(vmctx, t);
    let Some(dst) = span(dst, len, table.storage.len()) else {
        return Status(trap_code::OOB_TABLE);
    };
    table.storage[dst].fill(val as usize);
    Status::OK
}

unsafe extern "C" fn table_copy(
    vmctx: *mut VmCtx,
    dt: u32,
    st: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> Status {
    let (dlen, slen) = (
        table_of(vmctx, dt).storage.len(),
        table_of(vmctx, st).storage.len(),
    );
    let (Some(dst), Some(src)) = (span(dst, len, dlen), span(src, len, slen)) else {
        return Status(trap_code::OOB_TABLE);
    };
    if dt == st {
        table_of(vmctx, dt).storage.copy_within(src, dst.start);
    } else {
        let from = table_of(vmctx, st).storage[src].as_ptr();
        // Two distinct tables: the source slice cannot overlap the destination.
        let to = &mut table_of(vmctx, dt).storage[dst];
        std::ptr::copy_nonoverlapping(from, to.as_mut_ptr(), to.len());
    }
    Status::OK
}

unsafe extern "C" fn table_init(
    vmctx: *mut VmCtx,
    t: u32,
    seg: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> Status {
    let inst = instance(vmctx);
    let table = table_of(vmctx, t);
    let items = inst.elem_segment(seg);
    let (Some(src), Some(dst)) = (
        span(src, len, items.len()),
        span(dst, len, table.storage.len()),
    ) else {
        return Status(trap_code::OOB_TABLE);
    };
    table.storage[dst].copy_from_slice(&items[src]);
    Status::OK
}

unsafe extern "C" fn elem_drop(vmctx: *mut VmCtx, seg: u32) {
    instance(vmctx).elems[seg as usize] = None;
}

/// Called by a host function's adapter with the arguments spilled to `slots` (as many as the
/// larger of the parameter and result counts); the results go back into the same slots.
/// Nothing is allocated: the store is the one the innermost call record runs, and the host
/// function's closure is held by a cloned `Arc`.
unsafe extern "C" fn host_call(host: *mut u8, _caller: *mut VmCtx, slots: *mut ValRaw) -> Status {
    let ctx = &*(host as *const HostCtx);
    CallRecord::run_host(
        |store_ptr| {
            // The host function may use the store mutably (call back into wasm, create objects),
            // so nothing borrowed from the store may be live while it runs: take what is needed
            // (the slot count, an owned handle to the closure) and let every borrow end here. The
            // `Store::call_raw` that entered handed its pointer over in the call record and does
            // not touch the store until the call returns.
            let (count, f) = {
                let store = &*store_ptr;
                let entry = &store.funcs[ctx.func.0 as usize];
                let count = entry.ty.params().len().max(entry.ty.results().len());
                match &entry.kind {
                    FuncKind::Host(f) => (count, f.clone()),
                    FuncKind::Wasm => {
                        return Err(Trap::host("host-call adapter for a wasm function"))
                    }
                }
            };
            f(store_ptr, ctx, std::slice::from_raw_parts_mut(slots, count))
        },
        slots,
    )
}
