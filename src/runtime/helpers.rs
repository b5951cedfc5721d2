//! Runtime functions compiled code calls through the vmctx helper table. They never unwind:
//! failures come back as a trap code (non-zero) that compiled code turns into a trap.
use super::instance::InstanceData;
use super::memory::{bytes_mut, grow_memory};
use super::store::{FuncKind, HostCtx, CURRENT_STORE, PENDING_TRAP};
use super::trap::Trap;
use super::vm::{helper, trap_code, TableData, ValRaw, VmCtx};

extern "C" {
    fn rt_trap(code: i32) -> !;
    fn rt_host_begin();
    fn rt_host_end();
}

pub(crate) fn table() -> [usize; helper::COUNT] {
    let mut t = [0usize; helper::COUNT];
    t[helper::TRAP as usize] = rt_trap as *const () as usize;
    t[helper::MEMORY_GROW as usize] = memory_grow as *const () as usize;
    t[helper::MEMORY_FILL as usize] = memory_fill as *const () as usize;
    t[helper::MEMORY_COPY as usize] = memory_copy as *const () as usize;
    t[helper::MEMORY_INIT as usize] = memory_init as *const () as usize;
    t[helper::DATA_DROP as usize] = data_drop as *const () as usize;
    t[helper::TABLE_GROW as usize] = table_grow as *const () as usize;
    t[helper::TABLE_FILL as usize] = table_fill as *const () as usize;
    t[helper::TABLE_COPY as usize] = table_copy as *const () as usize;
    t[helper::TABLE_INIT as usize] = table_init as *const () as usize;
    t[helper::ELEM_DROP as usize] = elem_drop as *const () as usize;
    t[helper::HOST_CALL as usize] = host_call as *const () as usize;
    t
}

const OK: i32 = 0;

/// `start..start+len` as a range of `size` elements, or `None` when it does not fit. The sum is
/// taken in u64: a range that ends exactly at 2^32 (the top of a full 4 GiB memory) is legal
/// and must not overflow on the way.
fn span(start: u32, len: u32, size: usize) -> Option<std::ops::Range<usize>> {
    let end = u64::from(start) + u64::from(len);
    (end <= size as u64).then_some(start as usize..end as usize)
}

unsafe fn memory<'a>(vmctx: *mut VmCtx) -> &'a mut [u8] {
    let md = (*vmctx).mem;
    if md.is_null() {
        return &mut [];
    }
    bytes_mut(md)
}

unsafe fn instance<'a>(vmctx: *mut VmCtx) -> &'a mut InstanceData {
    &mut *((*vmctx).instance as *mut InstanceData)
}

unsafe fn table_of<'a>(vmctx: *mut VmCtx, t: u32) -> &'a mut TableData {
    &mut **(*vmctx).tables.add(t as usize)
}

unsafe extern "C" fn memory_grow(vmctx: *mut VmCtx, delta: u32) -> i32 {
    let md = (*vmctx).mem;
    match grow_memory(&mut *md, u64::from(delta)) {
        Some(old) => old as i32,
        None => -1,
    }
}

unsafe extern "C" fn memory_fill(vmctx: *mut VmCtx, dst: u32, val: u32, len: u32) -> i32 {
    let mem = memory(vmctx);
    let Some(dst) = span(dst, len, mem.len()) else {
        return trap_code::OOB_MEMORY;
    };
    mem[dst].fill(val as u8);
    OK
}

unsafe extern "C" fn memory_copy(vmctx: *mut VmCtx, dst: u32, src: u32, len: u32) -> i32 {
    let mem = memory(vmctx);
    let (Some(dst), Some(src)) = (span(dst, len, mem.len()), span(src, len, mem.len())) else {
        return trap_code::OOB_MEMORY;
    };
    mem.copy_within(src, dst.start);
    OK
}

unsafe extern "C" fn memory_init(vmctx: *mut VmCtx, seg: u32, dst: u32, src: u32, len: u32) -> i32 {
    let inst = instance(vmctx);
    let mem = memory(vmctx);
    let s = &inst.module.data[seg as usize];
    let bytes: &[u8] = if inst.data_dropped[seg as usize] {
        &[]
    } else {
        inst.module.data_bytes(s)
    };
    let (Some(src), Some(dst)) = (span(src, len, bytes.len()), span(dst, len, mem.len())) else {
        return trap_code::OOB_MEMORY;
    };
    mem[dst].copy_from_slice(&bytes[src]);
    OK
}

unsafe extern "C" fn data_drop(vmctx: *mut VmCtx, seg: u32) {
    instance(vmctx).data_dropped[seg as usize] = true;
}

unsafe extern "C" fn table_grow(vmctx: *mut VmCtx, t: u32, init: usize, delta: u32) -> i32 {
    let table = table_of(vmctx, t);
    let old = table.storage.len();
    let new = old as u64 + u64::from(delta);
    let max = u64::from(table.max.unwrap_or(u32::MAX));
    if new > max || new > 10_000_000 {
        return -1;
    }
    table.storage.resize(new as usize, init);
    table.sync();
    old as i32
}

unsafe extern "C" fn table_fill(vmctx: *mut VmCtx, t: u32, dst: u32, val: usize, len: u32) -> i32 {
    let table = table_of(vmctx, t);
    let Some(dst) = span(dst, len, table.storage.len()) else {
        return trap_code::OOB_TABLE;
    };
    table.storage[dst].fill(val);
    OK
}

unsafe extern "C" fn table_copy(
    vmctx: *mut VmCtx,
    dt: u32,
    st: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> i32 {
    let (dlen, slen) = (
        table_of(vmctx, dt).storage.len(),
        table_of(vmctx, st).storage.len(),
    );
    let (Some(dst), Some(src)) = (span(dst, len, dlen), span(src, len, slen)) else {
        return trap_code::OOB_TABLE;
    };
    if dt == st {
        table_of(vmctx, dt).storage.copy_within(src, dst.start);
    } else {
        let from = table_of(vmctx, st).storage[src].as_ptr();
        // Two distinct tables: the source slice cannot overlap the destination.
        let to = &mut table_of(vmctx, dt).storage[dst];
        std::ptr::copy_nonoverlapping(from, to.as_mut_ptr(), to.len());
    }
    OK
}

unsafe extern "C" fn table_init(
    vmctx: *mut VmCtx,
    t: u32,
    seg: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> i32 {
    let inst = instance(vmctx);
    let table = table_of(vmctx, t);
    let items: &[usize] = inst.elems[seg as usize].as_deref().unwrap_or(&[]);
    let (Some(src), Some(dst)) = (
        span(src, len, items.len()),
        span(dst, len, table.storage.len()),
    ) else {
        return trap_code::OOB_TABLE;
    };
    table.storage[dst].copy_from_slice(&items[src]);
    OK
}

unsafe extern "C" fn elem_drop(vmctx: *mut VmCtx, seg: u32) {
    instance(vmctx).elems[seg as usize] = None;
}

/// Called by a host function's adapter with the arguments spilled to `slots` (as many as the
/// larger of the parameter and result counts); the results go back into the same slots.
/// Nothing is allocated: the store is reached through the thread's current-store pointer, and
/// the host function's closure is held by a cloned `Arc`.
unsafe extern "C" fn host_call(
    ctx: *mut HostCtx,
    _caller: *mut VmCtx,
    slots: *mut ValRaw,
    _results: *mut ValRaw,
) -> i32 {
    let store_ptr = CURRENT_STORE.with(|c| c.get());
    if store_ptr.is_null() {
        return trap_code::HOST;
    }
    let ctx = &*ctx;
    // The host function may use the store mutably (call back into wasm, create objects), so
    // nothing borrowed from the store may be live while it runs: take what is needed (the
    // slot count, an owned handle to the closure) and let every borrow end here. The
    // `Store::call` that entered handed its pointer over through CURRENT_STORE and does not
    // touch the store until the call returns.
    let (count, f) = {
        let store = &*store_ptr;
        let entry = &store.funcs[ctx.func.0 as usize];
        let count = entry.ty.params().len().max(entry.ty.results().len());
        match &entry.kind {
            FuncKind::Host(f) => (count, f.clone()),
            FuncKind::Wasm => return trap_code::HOST,
        }
    };
    let slots = std::slice::from_raw_parts_mut(slots, count);
    rt_host_begin();
    // A panicking host function must not unwind into compiled code (or abort the process).
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(store_ptr, ctx, slots)))
        .unwrap_or_else(|_| Err(Trap::host("host function panicked")));
    rt_host_end();
    match out {
        Ok(()) => OK,
        Err(t) => {
            PENDING_TRAP.with(|p| *p.borrow_mut() = Some(t));
            trap_code::HOST
        }
    }
}
