//! References of the `any` hierarchy, and the cast check compiled code calls.
//!
//! A reference is one word, the same in both the `any` and the `extern` hierarchies (so
//! `any.convert_extern` and `extern.convert_any` are the identity and round-trip exactly):
//!
//! | word | what |
//! |---|---|
//! | `0` | null |
//! | `(v << 1) \| 1` | an `i31` of 31-bit value `v` |
//! | `(n << 2) \| 2` | host reference `n` (an `externref` the host made) |
//! | low two bits `00`, non-zero | a GC heap object (struct or array) |
//!
//! Heap objects live in a [`GcHeap`] the store owns (layout: `vm::gc`). Collection is
//! mark-sweep and never moves objects; see `docs/architecture.md` for the roots and when it
//! runs.
use super::call::CallRecord;
use super::helpers::span;
use super::store::Store;
use super::types::{CanonComposite, CanonStorage, CanonVal, Kind};
use super::vm::{gc as layout, trap_code, AnyFunc, Status, ValRaw, VmCtx};
use std::alloc::Layout;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A non-null reference of the `any` hierarchy that the host can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnyRef {
    /// An `i31`: its 31-bit value, zero-extended.
    I31(u32),
    /// Host reference `n` brought into `any` by `any.convert_extern`.
    Host(u32),
    /// A struct on the store's GC heap.
    Struct(GcObject),
    /// An array on the store's GC heap.
    Array(GcObject),
}

/// A heap object the host holds. Handing an object to the host pins it: it stays alive (a
/// root of every collection) for the store's life, so the handle never dangles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GcObject(pub(crate) usize);

impl AnyRef {
    /// An `i31` from the low 31 bits of `v` (what `ref.i31` keeps).
    pub fn i31(v: i32) -> AnyRef {
        AnyRef::I31(v as u32 & 0x7fff_ffff)
    }

    /// The `i31`'s value sign-extended from 31 bits (`i31.get_s`).
    pub fn i31_signed(v: u32) -> i32 {
        ((v << 1) as i32) >> 1
    }
}

/// The word of a host reference.
pub(crate) fn host_bits(n: u32) -> u64 {
    (u64::from(n) << 2) | 2
}

/// The word of an `any` reference.
pub(crate) fn any_bits(r: AnyRef) -> u64 {
    match r {
        AnyRef::I31(v) => (u64::from(v & 0x7fff_ffff) << 1) | 1,
        AnyRef::Host(n) => host_bits(n),
        AnyRef::Struct(o) | AnyRef::Array(o) => o.0 as u64,
    }
}

/// What a non-null word of the `any` or `extern` hierarchy is, short of heap objects (None:
/// a heap object or null; [`Store::decode_any`] looks those up).
pub(crate) fn decode_bits(bits: u64) -> Option<AnyRef> {
    match bits & 3 {
        1 | 3 => Some(AnyRef::I31(((bits >> 1) & 0x7fff_ffff) as u32)),
        2 => u32::try_from(bits >> 2).ok().map(AnyRef::Host),
        _ => None,
    }
}

/// The codes `compile::gc::abstract_code` gives the abstract heap types a cast can target.
const ABSTRACT: u32 = 1 << 31;
const STRUCT: u32 = ABSTRACT | 3;
const ARRAY: u32 = ABSTRACT | 4;

/// The byte size of a field or element of this storage type.
pub(crate) fn storage_size(s: CanonStorage) -> u32 {
    match s {
        CanonStorage::I8 => 1,
        CanonStorage::I16 => 2,
        CanonStorage::Val(CanonVal::Plain(wasmparser::ValType::I32 | wasmparser::ValType::F32)) => {
            4
        }
        CanonStorage::Val(CanonVal::Plain(wasmparser::ValType::V128)) => 16,
        CanonStorage::Val(_) => 8,
    }
}

fn is_ref(s: CanonStorage) -> bool {
    matches!(s, CanonStorage::Val(CanonVal::Ref { .. }))
}

/// How the collector sees a type's objects (cached per type; cloning is a reference count,
/// not a copy, since allocation asks for it every time).
#[derive(Clone)]
enum Trace {
    Struct { size: u32, refs: std::rc::Rc<[u32]> },
    Array { elem: u32, refs: bool },
}

/// The default most bytes the heap may hold (`-W max-gc-heap` changes it).
pub const DEFAULT_MAX_GC_HEAP: usize = 1 << 30;
/// Collect no more often than every this many bytes allocated.
const MIN_GC_INTERVAL: usize = 1 << 20;

/// Small objects live in chunks of this many bytes (aligned to it, so a word's chunk is its
/// high bits), each chunk holding slots of one size.
const CHUNK: usize = 256 << 10;
/// Objects larger than this get an allocation of their own.
const MAX_SMALL: u32 = 2048;
/// Slot sizes are multiples of this (the object alignment).
const GRAIN: u32 = layout::ALIGN as u32;

/// A chunk of equal-sized slots and which of them hold objects.
struct Chunk {
    base: usize,
    slot: u32,
    slots: u32,
    used: Vec<u64>,
}

impl Chunk {
    fn is_used(&self, i: u32) -> bool {
        self.used[(i / 64) as usize] & (1 << (i % 64)) != 0
    }
    fn set_used(&mut self, i: u32, on: bool) {
        let w = &mut self.used[(i / 64) as usize];
        if on {
            *w |= 1 << (i % 64);
        } else {
            *w &= !(1 << (i % 64));
        }
    }
}

/// A hasher for the heap's integer keys (chunk bases, type ids), which the allocator and
/// the collector look up on every object: one multiply instead of SipHash.
#[derive(Default)]
struct IntHasher(u64);

impl std::hash::Hasher for IntHasher {
    fn finish(&self) -> u64 {
        // The product's high half depends on every bit of the key; fold it into the low bits
        // the table indexes by (chunk bases have their low 18 bits clear).
        self.0 ^ (self.0 >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type IntMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IntHasher>>;

fn chunk_layout() -> Layout {
    Layout::from_size_align(CHUNK, CHUNK).expect("chunk layout")
}

/// A store's GC heap: small objects in size-segregated chunks with free lists, large ones
/// allocated one by one.
pub(crate) struct GcHeap {
    chunks: Vec<Chunk>,
    /// Chunk base -> index in `chunks`.
    chunk_of: IntMap<usize, u32>,
    /// Free slots by size class (slot size / [`GRAIN`]).
    free: Vec<Vec<usize>>,
    /// Large objects: address -> size.
    large: BTreeMap<usize, u32>,
    /// Bytes of slots and large objects holding objects.
    bytes: usize,
    /// The most bytes of objects the heap may hold.
    pub limit: usize,
    /// Collect when an allocation would take `bytes` past this.
    next_gc: usize,
    /// Objects the host holds (see [`GcObject`]).
    pinned: RefCell<HashSet<usize>>,
    trace: IntMap<u32, Trace>,
    /// How many collections ran (for tests and statistics).
    pub collections: u64,
    /// Set while instantiating: objects made by constant expressions are not rooted yet.
    paused: bool,
    /// Collect at every allocation (`RT_GC_STRESS=1`): a test aid that makes any root the
    /// collector misses show up as a wrong answer at once.
    stress: bool,
}

impl Default for GcHeap {
    fn default() -> Self {
        GcHeap {
            chunks: Vec::new(),
            chunk_of: IntMap::default(),
            free: Vec::new(),
            large: BTreeMap::new(),
            bytes: 0,
            limit: DEFAULT_MAX_GC_HEAP,
            next_gc: MIN_GC_INTERVAL,
            pinned: RefCell::new(HashSet::new()),
            trace: IntMap::default(),
            collections: 0,
            paused: false,
            stress: std::env::var_os("RT_GC_STRESS").is_some_and(|v| v == "1"),
        }
    }
}

impl Drop for GcHeap {
    fn drop(&mut self) {
        for (&addr, &size) in &self.large {
            // SAFETY: allocated by `raw_alloc` with this layout and not yet freed.
            unsafe { std::alloc::dealloc(addr as *mut u8, obj_layout(size)) };
        }
        for c in &self.chunks {
            // SAFETY: allocated by `raw_alloc` with this layout, freed only here.
            unsafe { std::alloc::dealloc(c.base as *mut u8, chunk_layout()) };
        }
    }
}

fn obj_layout(size: u32) -> Layout {
    Layout::from_size_align(size as usize, layout::ALIGN).expect("object sizes fit a layout")
}

impl GcHeap {
    /// The canonical type of the object at `addr`, if one of this heap's objects is there.
    pub(crate) fn type_of(&self, addr: usize) -> Option<u32> {
        // SAFETY: a live object of this heap starts with its type id.
        self.is_object(addr)
            .then(|| unsafe { *(addr as *const u32) })
    }

    /// Whether an object starts at `w`.
    fn is_object(&self, w: usize) -> bool {
        self.containing(w) == Some(w)
    }

    /// The object a word points at or into, if any.
    fn containing(&self, w: usize) -> Option<usize> {
        if let Some(&c) = self.chunk_of.get(&(w & !(CHUNK - 1))) {
            let c = &self.chunks[c as usize];
            let i = ((w - c.base) / c.slot as usize) as u32;
            return (i < c.slots && c.is_used(i)).then(|| c.base + i as usize * c.slot as usize);
        }
        let (&addr, &size) = self.large.range(..=w).next_back()?;
        (w < addr + size as usize).then_some(addr)
    }

    /// A zeroed block for an object of `size` bytes, and the bytes it takes.
    ///
    /// # Safety
    /// The block must be registered as used only through this function.
    unsafe fn raw_alloc(&mut self, size: u32) -> Option<(*mut u8, u32)> {
        if size > MAX_SMALL {
            let p = std::alloc::alloc_zeroed(obj_layout(size));
            if p.is_null() {
                return None;
            }
            self.large.insert(p as usize, size);
            return Some((p, size));
        }
        let class = size.div_ceil(GRAIN) as usize;
        let slot = class as u32 * GRAIN;
        if self.free.len() <= class {
            self.free.resize_with(class + 1, Vec::new);
        }
        if self.free[class].is_empty() {
            let base = std::alloc::alloc(chunk_layout());
            if base.is_null() {
                return None;
            }
            let slots = (CHUNK / slot as usize) as u32;
            self.chunk_of
                .insert(base as usize, self.chunks.len() as u32);
            self.chunks.push(Chunk {
                base: base as usize,
                slot,
                slots,
                used: vec![0; slots.div_ceil(64) as usize],
            });
            // Hand out low addresses first.
            self.free[class].extend(
                (0..slots as usize)
                    .rev()
                    .map(|i| base as usize + i * slot as usize),
            );
        }
        let p = self.free[class].pop()?;
        let c = self.chunk_of[&(p & !(CHUNK - 1))] as usize;
        let chunk = &mut self.chunks[c];
        chunk.set_used(((p - chunk.base) / slot as usize) as u32, true);
        std::ptr::write_bytes(p as *mut u8, 0, slot as usize);
        Some((p as *mut u8, slot))
    }

    /// Free every object whose mark is clear and clear the others' marks; the bytes freed.
    ///
    /// # Safety
    /// Every used slot and large object holds an object (with its header).
    unsafe fn sweep(&mut self) -> usize {
        let marked = |addr: usize| {
            let mark = (addr as *mut u8)
                .add(layout::HEADER_GC as usize)
                .cast::<u32>();
            let was = *mark != 0;
            *mark = 0;
            was
        };
        let mut freed = 0usize;
        for c in &mut self.chunks {
            let class = (c.slot / GRAIN) as usize;
            for wi in 0..c.used.len() {
                let mut bits = c.used[wi];
                while bits != 0 {
                    let i = wi as u32 * 64 + bits.trailing_zeros();
                    bits &= bits - 1;
                    let addr = c.base + i as usize * c.slot as usize;
                    if !marked(addr) {
                        c.set_used(i, false);
                        self.free[class].push(addr);
                        freed += c.slot as usize;
                    }
                }
            }
        }
        self.large.retain(|&addr, &mut size| {
            if marked(addr) {
                true
            } else {
                std::alloc::dealloc(addr as *mut u8, obj_layout(size));
                freed += size as usize;
                false
            }
        });
        freed
    }
}

impl Store {
    fn trace_of(&mut self, id: u32) -> Trace {
        if let Some(t) = self.gc.trace.get(&id) {
            return t.clone();
        }
        let t = match &self.types.info_of(id).sub.composite {
            CanonComposite::Struct(fields) => {
                let (offsets, size) =
                    layout::struct_layout(fields.iter().map(|f| storage_size(f.storage)));
                Trace::Struct {
                    size,
                    refs: fields
                        .iter()
                        .zip(offsets)
                        .filter(|(f, _)| is_ref(f.storage))
                        .map(|(_, o)| o)
                        .collect::<Vec<_>>()
                        .into(),
                }
            }
            CanonComposite::Array(f) => Trace::Array {
                elem: storage_size(f.storage),
                refs: is_ref(f.storage),
            },
            CanonComposite::Func { .. } => Trace::Struct {
                size: layout::STRUCT_FIELDS,
                refs: std::rc::Rc::from([]),
            },
        };
        self.gc.trace.insert(id, t.clone());
        t
    }

    /// A zeroed object of canonical type `id` (an array of `len` elements), or null when the
    /// heap limit does not leave room even after a collection.
    ///
    /// # Safety
    /// Called from a helper while compiled code of this store runs (the collection it may
    /// start scans the running call's stack), or with no call running.
    pub(crate) unsafe fn gc_alloc(&mut self, id: u32, len: u32) -> *mut u8 {
        let size = match self.trace_of(id) {
            Trace::Struct { size, .. } => Some(size),
            Trace::Array { elem, .. } => layout::array_size(elem, len),
        };
        let Some(size) = size.map(|s| s.max(layout::STRUCT_FIELDS)) else {
            return std::ptr::null_mut();
        };
        let need = self.gc.bytes.saturating_add(size as usize);
        if !self.gc.paused && (need > self.gc.next_gc || need > self.gc.limit || self.gc.stress) {
            self.collect();
        }
        if self.gc.bytes.saturating_add(size as usize) > self.gc.limit {
            return std::ptr::null_mut();
        }
        let Some((p, taken)) = self.gc.raw_alloc(size) else {
            return std::ptr::null_mut();
        };
        p.add(layout::HEADER_TYPE as usize).cast::<u32>().write(id);
        if matches!(self.types.kind(id), Kind::Array) {
            p.add(layout::ARRAY_LEN as usize).cast::<u32>().write(len);
        }
        self.gc.bytes += taken as usize;
        p
    }

    /// Mark from every root, then free every object left unmarked.
    ///
    /// Roots: global cells, table elements, passive element segments, exception payloads,
    /// objects the host holds, and a conservative scan of the running call's stack (every
    /// word from here up to the outermost entry frame, plus the callee-saved registers)
    /// that treats any word pointing into an object as a reference to it. Objects are
    /// traced precisely, through their reference fields only.
    ///
    /// # Safety
    /// As [`Store::gc_alloc`].
    pub(crate) unsafe fn collect(&mut self) {
        let mut work: Vec<usize> = Vec::new();
        let root = |heap: &GcHeap, w: usize, work: &mut Vec<usize>| {
            if let Some(a) = heap.containing(w) {
                work.push(a);
            }
        };
        let mut words = Vec::new();
        scan_stack(&mut words);
        for g in &self.globals {
            words.push(g.u64() as usize);
        }
        for t in &self.tables {
            words.extend_from_slice(&t.storage);
        }
        for inst in &self.instances {
            for e in inst.elems.iter().flatten() {
                words.extend_from_slice(e);
            }
        }
        for exn in &self.exceptions {
            words.extend(exn.iter().map(|v| v.u64() as usize));
        }
        words.extend(self.gc.pinned.borrow().iter().copied());
        for w in words {
            root(&self.gc, w, &mut work);
        }
        while let Some(obj) = work.pop() {
            let mark = (obj as *mut u8)
                .add(layout::HEADER_GC as usize)
                .cast::<u32>();
            if *mark != 0 {
                continue;
            }
            *mark = 1;
            let id = *(obj as *const u32);
            let trace = self.trace_of(id);
            let mut follow = |at: usize| {
                let w = *(at as *const usize);
                if self.gc.is_object(w) {
                    work.push(w);
                }
            };
            match trace {
                Trace::Struct { refs, .. } => refs.iter().for_each(|&o| follow(obj + o as usize)),
                Trace::Array { refs: true, .. } => {
                    let len = *((obj + layout::ARRAY_LEN as usize) as *const u32) as usize;
                    (0..len).for_each(|i| follow(obj + layout::ARRAY_DATA as usize + 8 * i));
                }
                Trace::Array { .. } => {}
            }
        }
        let freed = self.gc.sweep();
        self.gc.bytes -= freed;
        self.gc.collections += 1;
        // Grow with the live set, so collection costs stay proportional to allocation.
        self.gc.next_gc = (self.gc.bytes * 2).max(MIN_GC_INTERVAL);
    }

    /// How many fields struct type `id` has.
    pub(crate) fn struct_field_count(&self, id: u32) -> usize {
        match &self.types.info_of(id).sub.composite {
            CanonComposite::Struct(fields) => fields.len(),
            _ => 0,
        }
    }

    /// An object made by a constant expression: a struct with `vals` as its fields, or an
    /// array of `len` copies of `vals[0]` (`Some(len)`) or of `vals` in order (`None`).
    /// Nothing is collected while instantiating (objects made so far are held only here),
    /// so only the limit can refuse it.
    pub(crate) fn const_alloc(
        &mut self,
        id: u32,
        vals: &[ValRaw],
        len: Option<u32>,
    ) -> Option<*mut u8> {
        let kind = self.types.kind(id);
        let count = match (kind, len) {
            (Kind::Array, Some(n)) => n,
            (Kind::Array, None) => u32::try_from(vals.len()).ok()?,
            _ => 0,
        };
        self.gc.paused = true;
        // SAFETY: with collection paused, allocating touches no stack.
        let p = unsafe { self.gc_alloc(id, count) };
        self.gc.paused = false;
        if p.is_null() {
            return None;
        }
        let put = |at: usize, v: &ValRaw, size: usize| {
            let bytes = v.v128().to_le_bytes();
            // SAFETY: `at..at+size` lies inside the new object (its layout says so).
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p.add(at), size) };
        };
        match (self.trace_of(id), &self.types.info_of(id).sub.composite) {
            (Trace::Struct { .. }, CanonComposite::Struct(fields)) => {
                let (offsets, _) =
                    layout::struct_layout(fields.iter().map(|f| storage_size(f.storage)));
                for ((f, v), off) in fields.iter().zip(vals).zip(offsets) {
                    put(off as usize, v, storage_size(f.storage) as usize);
                }
            }
            (Trace::Array { elem, .. }, _) => {
                let elem = elem as usize;
                for i in 0..count as usize {
                    let v = if len.is_some() {
                        vals.first()
                    } else {
                        vals.get(i)
                    };
                    if let Some(v) = v {
                        put(layout::ARRAY_DATA as usize + i * elem, v, elem);
                    }
                }
            }
            _ => {}
        }
        Some(p)
    }

    /// A non-null word of the `any` hierarchy as the host sees it; a heap object is pinned
    /// (see [`GcObject`]).
    pub(crate) fn decode_any(&self, bits: u64) -> Option<AnyRef> {
        if bits == 0 {
            return None;
        }
        if let Some(r) = decode_bits(bits) {
            return Some(r);
        }
        let addr = bits as usize;
        if !self.gc.is_object(addr) {
            return None;
        }
        self.gc.pinned.borrow_mut().insert(addr);
        // SAFETY: a live object of this store starts with its type id.
        let id = unsafe { *(addr as *const u32) };
        Some(match self.types.kind(id) {
            Kind::Array => AnyRef::Array(GcObject(addr)),
            _ => AnyRef::Struct(GcObject(addr)),
        })
    }
}

/// Every word of the stack from this frame up to the outermost entry into compiled code on
/// this thread, and the callee-saved registers (which may hold a caller's references).
#[inline(never)]
unsafe fn scan_stack(out: &mut Vec<usize>) {
    let mut regs = [0usize; 6];
    #[cfg(target_arch = "x86_64")]
    std::arch::asm!(
        "mov [{r}], rbx", "mov [{r} + 8], rbp", "mov [{r} + 16], r12",
        "mov [{r} + 24], r13", "mov [{r} + 32], r14", "mov [{r} + 40], r15",
        r = in(reg) regs.as_mut_ptr(),
        options(nostack, preserves_flags),
    );
    out.extend_from_slice(&regs);
    let mut call = CallRecord::current_head();
    let mut top = 0usize;
    while !call.is_null() {
        top = top.max((*call).frame_top);
        call = (*call).prev;
    }
    let mut at = super::call::stack_pointer() & !7;
    while at < top {
        out.push(read_stack_word(at));
        at += 8;
    }
}

/// One word of the native stack, read by an instruction of our own so that AddressSanitizer
/// (`make asan`) does not check it: a conservative scan reads every word between the
/// innermost frame and the wasm entry, the redzones around Rust locals included, by design.
#[inline(always)]
unsafe fn read_stack_word(at: usize) -> usize {
    let word: usize;
    std::arch::asm!(
        "mov {w}, [{a}]",
        w = out(reg) word,
        a = in(reg) at,
        options(nostack, readonly, preserves_flags),
    );
    word
}

/// `gc_alloc`: see the helper list (`vm::helpers`).
pub(crate) unsafe extern "C" fn gc_alloc(_vmctx: *mut VmCtx, id: u32, len: u32) -> *mut u8 {
    let store = CallRecord::current_store();
    if store.is_null() {
        return std::ptr::null_mut();
    }
    (*store).gc_alloc(id, len)
}

/// `ref_test`: see the helper list (`vm::helpers`). Compiled code decides the abstract
/// targets that need no store itself; this answers concrete types (the value's type id
/// against the target by the registry's constant-time supertype check) and `struct`/`array`.
pub(crate) unsafe extern "C" fn ref_test(_vmctx: *mut VmCtx, bits: *mut u8, target: u32) -> i32 {
    if bits.is_null() {
        return 0;
    }
    let store = CallRecord::current_store();
    if store.is_null() {
        return 0;
    }
    let types = &(*store).types;
    // Only a heap object has its two low bits clear in the `any` hierarchy.
    let object_id = || ((bits as usize) & 3 == 0).then(|| *(bits as *const u32));
    let ok = if target & ABSTRACT != 0 {
        match object_id() {
            Some(id) if target == STRUCT => types.kind(id) == Kind::Struct,
            Some(id) if target == ARRAY => types.kind(id) == Kind::Array,
            _ => false,
        }
    } else {
        match types.kind(target) {
            Kind::Func => {
                let have = (*(bits as *const AnyFunc)).type_id as u32;
                types.is_subtype(have, target)
            }
            Kind::Struct | Kind::Array => {
                object_id().is_some_and(|id| types.is_subtype(id, target))
            }
        }
    };
    i32::from(ok)
}

/// The element size of an array object (or of array type `id` with no object).
unsafe fn elem_size(store: &mut Store, id: u32) -> usize {
    match store.trace_of(id) {
        Trace::Array { elem, .. } => elem as usize,
        Trace::Struct { .. } => 0,
    }
}

/// An array object's type id, length and first element.
unsafe fn array_parts(arr: *mut u8) -> (u32, usize, *mut u8) {
    let id = *(arr as *const u32);
    let len = *(arr.add(layout::ARRAY_LEN as usize) as *const u32) as usize;
    (id, len, arr.add(layout::ARRAY_DATA as usize))
}

/// Run `f` on the store of the running call (OOM-like failure without one).
unsafe fn with_store(f: impl FnOnce(&mut Store) -> Status) -> Status {
    let store = CallRecord::current_store();
    if store.is_null() {
        return Status(trap_code::HOST);
    }
    f(&mut *store)
}

/// `array_new`: an array of `len` copies of the value in `slot`, returned in `slot`.
pub(crate) unsafe extern "C" fn array_new(
    _vmctx: *mut VmCtx,
    id: u32,
    len: u32,
    slot: *mut ValRaw,
) -> Status {
    with_store(|store| {
        let value = *slot;
        let arr = store.gc_alloc(id, len);
        if arr.is_null() {
            return Status(trap_code::GC_OOM);
        }
        let size = elem_size(store, id);
        let bytes = value.v128().to_le_bytes();
        let data = arr.add(layout::ARRAY_DATA as usize);
        if bytes[..size].iter().any(|&b| b != 0) {
            for i in 0..len as usize {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), data.add(i * size), size);
            }
        }
        *slot = ValRaw::from_u64(arr as u64);
        Status::OK
    })
}

/// `array_new_data`: an array of `len` elements read from data segment `seg` at byte
/// `offset`, returned in `out`.
pub(crate) unsafe extern "C" fn array_new_data(
    vmctx: *mut VmCtx,
    id: u32,
    seg: u32,
    offset: u32,
    len: u32,
    out: *mut ValRaw,
) -> Status {
    with_store(|store| {
        let size = elem_size(store, id) as u64;
        let inst = &*((*vmctx).instance as *const super::instance::InstanceData);
        let bytes = inst.data_segment(seg);
        let Some(src) = span(u64::from(offset), u64::from(len) * size, bytes.len()) else {
            return Status(trap_code::OOB_MEMORY);
        };
        let arr = store.gc_alloc(id, len);
        if arr.is_null() {
            return Status(trap_code::GC_OOM);
        }
        let data = arr.add(layout::ARRAY_DATA as usize);
        std::ptr::copy_nonoverlapping(bytes[src].as_ptr(), data, (u64::from(len) * size) as usize);
        *out = ValRaw::from_u64(arr as u64);
        Status::OK
    })
}

/// `array_new_elem`: an array of `len` references from element segment `seg` at `offset`,
/// returned in `out`.
pub(crate) unsafe extern "C" fn array_new_elem(
    vmctx: *mut VmCtx,
    id: u32,
    seg: u32,
    offset: u32,
    len: u32,
    out: *mut ValRaw,
) -> Status {
    with_store(|store| {
        let inst = (*vmctx).instance as *const super::instance::InstanceData;
        let n = (*inst).elem_segment(seg).len();
        let Some(src) = span(u64::from(offset), u64::from(len), n) else {
            return Status(trap_code::OOB_TABLE);
        };
        // The segment stays rooted (element segments are roots) while this allocates.
        let arr = store.gc_alloc(id, len);
        if arr.is_null() {
            return Status(trap_code::GC_OOM);
        }
        let items = (*inst).elem_segment(seg);
        let data = arr.add(layout::ARRAY_DATA as usize).cast::<usize>();
        std::ptr::copy_nonoverlapping(items[src].as_ptr(), data, len as usize);
        *out = ValRaw::from_u64(arr as u64);
        Status::OK
    })
}

/// `array_fill`: `n` elements of non-null `arr` from `dst` set to the value in `slot`.
pub(crate) unsafe extern "C" fn array_fill(
    _vmctx: *mut VmCtx,
    arr: *mut u8,
    dst: u32,
    slot: *mut ValRaw,
    n: u32,
) -> Status {
    with_store(|store| {
        let (id, len, data) = array_parts(arr);
        let Some(dst) = span(u64::from(dst), u64::from(n), len) else {
            return Status(trap_code::OOB_ARRAY);
        };
        let size = elem_size(store, id);
        let bytes = (*slot).v128().to_le_bytes();
        for i in dst {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), data.add(i * size), size);
        }
        Status::OK
    })
}

/// `array_copy`: `n` elements from non-null `src` at `s` to non-null `dst` at `d` (the two
/// may be the same array and overlap).
pub(crate) unsafe extern "C" fn array_copy(
    _vmctx: *mut VmCtx,
    dst: *mut u8,
    d: u32,
    src: *mut u8,
    s: u32,
    n: u32,
) -> Status {
    with_store(|store| {
        let (id, dlen, ddata) = array_parts(dst);
        let (_, slen, sdata) = array_parts(src);
        let (Some(dr), Some(sr)) = (
            span(u64::from(d), u64::from(n), dlen),
            span(u64::from(s), u64::from(n), slen),
        ) else {
            return Status(trap_code::OOB_ARRAY);
        };
        let size = elem_size(store, id);
        std::ptr::copy(
            sdata.add(sr.start * size),
            ddata.add(dr.start * size),
            n as usize * size,
        );
        Status::OK
    })
}

/// `array_init_data`: `n` elements of non-null `arr` from `d` read from data segment `seg`
/// at byte `s`.
pub(crate) unsafe extern "C" fn array_init_data(
    vmctx: *mut VmCtx,
    arr: *mut u8,
    seg: u32,
    d: u32,
    s: u32,
    n: u32,
) -> Status {
    with_store(|store| {
        let (id, len, data) = array_parts(arr);
        let size = elem_size(store, id);
        let inst = &*((*vmctx).instance as *const super::instance::InstanceData);
        let bytes = inst.data_segment(seg);
        let Some(dr) = span(u64::from(d), u64::from(n), len) else {
            return Status(trap_code::OOB_ARRAY);
        };
        let Some(sr) = span(u64::from(s), u64::from(n) * size as u64, bytes.len()) else {
            return Status(trap_code::OOB_MEMORY);
        };
        std::ptr::copy_nonoverlapping(
            bytes[sr].as_ptr(),
            data.add(dr.start * size),
            n as usize * size,
        );
        Status::OK
    })
}

/// `array_init_elem`: `n` elements of non-null `arr` from `d` set from element segment
/// `seg` at `s`.
pub(crate) unsafe extern "C" fn array_init_elem(
    vmctx: *mut VmCtx,
    arr: *mut u8,
    seg: u32,
    d: u32,
    s: u32,
    n: u32,
) -> Status {
    with_store(|_| {
        let (_, len, data) = array_parts(arr);
        let inst = &*((*vmctx).instance as *const super::instance::InstanceData);
        let items = inst.elem_segment(seg);
        let Some(dr) = span(u64::from(d), u64::from(n), len) else {
            return Status(trap_code::OOB_ARRAY);
        };
        let Some(sr) = span(u64::from(s), u64::from(n), items.len()) else {
            return Status(trap_code::OOB_TABLE);
        };
        let data = data.cast::<usize>();
        std::ptr::copy_nonoverlapping(items[sr].as_ptr(), data.add(dr.start), n as usize);
        Status::OK
    })
}
