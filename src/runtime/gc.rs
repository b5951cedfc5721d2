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
use super::vm::gc::{Run, GRAIN};
use super::vm::{gc as layout, trap_code, AnyFunc, Status, ValRaw, VmCtx};
use std::alloc::Layout;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

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

/// How the collector sees a type's objects (computed once per type by [`Store::trace_of`]).
#[derive(Clone, Copy, Debug)]
enum Trace {
    /// Not computed yet.
    Unknown,
    /// A struct of `size` bytes whose references to trace sit at the offsets
    /// `GcHeap::ref_offsets[refs..refs + nrefs]`.
    Struct { size: u32, refs: u32, nrefs: u32 },
    /// An array of `elem`-byte elements, references to trace if `refs`.
    Array { elem: u32, refs: bool },
}

/// The default most bytes the heap may hold (`-W max-gc-heap` changes it).
pub const DEFAULT_MAX_GC_HEAP: usize = 1 << 30;
/// Collect no more often than every this many bytes allocated.
const MIN_GC_INTERVAL: usize = 1 << 20;

/// Small objects live in chunks of this many bytes, aligned to it (so an object's chunk is
/// its address's high bits), each holding slots of one size class.
const CHUNK: usize = 256 << 10;
/// Where a chunk's slots start: its first page is its [`ChunkHead`].
const CHUNK_DATA: usize = 4096;
/// The most slots a chunk has (those of the smallest class).
const MAX_SLOTS: usize = (CHUNK - CHUNK_DATA) / GRAIN as usize;
const BITMAP_WORDS: usize = MAX_SLOTS / 64;

/// The first page of a chunk: its slot size and two bitmaps over its slots. Keeping the
/// marks here rather than in the objects makes the sweep a copy of a few words per chunk
/// instead of a read of every slot.
#[repr(C)]
struct ChunkHead {
    /// Slot size in bytes; zero while the chunk waits, empty, in the heap's pool.
    slot: u32,
    slots: u32,
    /// `ceil(2^32 / slot)`: the slot of byte offset `off` is `(off * recip) >> 32`, exact
    /// because `off * slot < 2^32` (see `slot_index_is_exact`); no division when marking.
    recip: u64,
    /// Which slots hold objects: those alive at the last collection, and every slot handed
    /// out in a run since.
    objects: [u64; BITMAP_WORDS],
    /// The marks of the collection running (all clear otherwise).
    marks: [u64; BITMAP_WORDS],
}

const _: () = assert!(std::mem::size_of::<ChunkHead>() <= CHUNK_DATA);

fn chunk_layout() -> Layout {
    Layout::from_size_align(CHUNK, CHUNK).expect("chunk layout")
}

fn head(base: usize) -> *mut ChunkHead {
    base as *mut ChunkHead
}

/// The index of the slot holding address `w` of the chunk `h` heads.
fn slot_index(h: &ChunkHead, w: usize) -> usize {
    let off = (w & (CHUNK - 1)) - CHUNK_DATA;
    ((off as u64 * h.recip) >> 32) as usize
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

/// The first run of clear bits at or after `from` and below `n`: its start and end.
fn free_run(bits: &[u64], from: usize, n: usize) -> Option<(usize, usize)> {
    let mut i = from;
    let start = loop {
        if i >= n {
            return None;
        }
        let free = !bits[i / 64] & (!0u64 << (i % 64));
        if free != 0 {
            break (i / 64) * 64 + free.trailing_zeros() as usize;
        }
        i = (i / 64 + 1) * 64;
    };
    if start >= n {
        return None;
    }
    let mut j = start;
    let end = loop {
        if j >= n {
            break n;
        }
        let used = bits[j / 64] & (!0u64 << (j % 64));
        if used != 0 {
            break ((j / 64) * 64 + used.trailing_zeros() as usize).min(n);
        }
        j = (j / 64 + 1) * 64;
    };
    Some((start, end))
}

/// Set bits `a..b`.
fn set_range(bits: &mut [u64], a: usize, b: usize) {
    let mut i = a;
    while i < b {
        let w = i / 64;
        let lo = i % 64;
        let hi = (b - w * 64).min(64);
        let mask = if hi - lo == 64 {
            !0
        } else {
            ((1u64 << (hi - lo)) - 1) << lo
        };
        bits[w] |= mask;
        i = w * 64 + hi;
    }
}

/// A hasher for the heap's integer keys (chunk bases), looked up for every word the
/// conservative stack scan finds: one multiply instead of SipHash.
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
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

/// A size class's chunks and where the search for its next free run resumes.
#[derive(Default)]
struct Class {
    chunks: Vec<usize>,
    /// Index in `chunks`, and slot index in that chunk.
    next_chunk: usize,
    next_slot: usize,
}

/// A store's GC heap: small objects in size-class chunks, allocated by bumping through runs
/// of free slots (compiled code does that inline, see [`Run`]); large ones allocated one by
/// one.
pub(crate) struct GcHeap {
    /// The open run of every class ([`layout::CLASSES`] of them), which every vmctx points
    /// at: allocated once (from a `Box`) so the address stays put, and reached only through
    /// this pointer since compiled code writes it too.
    runs: *mut Run,
    classes: Vec<Class>,
    /// Every chunk the heap owns (in a class or in `empty`), for the conservative scan's
    /// "is this word in a chunk" question.
    chunk_set: HashSet<usize, std::hash::BuildHasherDefault<IntHasher>>,
    /// Chunks a collection found empty, for any class to take.
    empty: Vec<usize>,
    /// Large objects: address -> size.
    large: BTreeMap<usize, u32>,
    /// Bytes of slots handed out (in runs, used or not yet) and of large objects.
    bytes: usize,
    /// The most bytes of objects the heap may hold.
    pub limit: usize,
    /// Collect when a run or large object is wanted with `bytes` at or past this.
    next_gc: usize,
    /// Objects the host holds (see [`GcObject`]).
    pinned: RefCell<HashSet<usize>>,
    /// By canonical type id.
    traces: Vec<Trace>,
    ref_offsets: Vec<u32>,
    /// How many collections ran (for tests and statistics).
    pub collections: u64,
    /// Set while instantiating: objects made by constant expressions are not rooted yet.
    paused: bool,
    /// Collect at every allocation (`RT_GC_STRESS=1`): a test aid that makes any root the
    /// collector misses show up as a wrong answer at once. Runs then hold one slot, so
    /// every allocation reaches the runtime.
    stress: bool,
}

impl Default for GcHeap {
    fn default() -> Self {
        let runs: Box<[Run; layout::CLASSES]> = Box::new([Run::default(); layout::CLASSES]);
        GcHeap {
            runs: Box::into_raw(runs).cast::<Run>(),
            classes: (0..layout::CLASSES).map(|_| Class::default()).collect(),
            chunk_set: HashSet::default(),
            empty: Vec::new(),
            large: BTreeMap::new(),
            bytes: 0,
            limit: DEFAULT_MAX_GC_HEAP,
            next_gc: MIN_GC_INTERVAL,
            pinned: RefCell::new(HashSet::new()),
            traces: Vec::new(),
            ref_offsets: Vec::new(),
            collections: 0,
            paused: false,
            stress: std::env::var_os("RT_GC_STRESS").is_some_and(|v| v == "1"),
        }
    }
}

impl Drop for GcHeap {
    fn drop(&mut self) {
        for (&addr, &size) in &self.large {
            // SAFETY: allocated by `alloc_large` with this layout and not yet freed.
            unsafe { std::alloc::dealloc(addr as *mut u8, obj_layout(size)) };
        }
        for &base in &self.chunk_set {
            // SAFETY: allocated by `new_chunk` with this layout, freed only here.
            unsafe { std::alloc::dealloc(base as *mut u8, chunk_layout()) };
        }
        // SAFETY: made by `Box::into_raw` of this type in `default`, freed only here.
        drop(unsafe { Box::from_raw(self.runs.cast::<[Run; layout::CLASSES]>()) });
    }
}

fn obj_layout(size: u32) -> Layout {
    Layout::from_size_align(size as usize, layout::ALIGN).expect("object sizes fit a layout")
}

impl GcHeap {
    /// The runs array every vmctx of the store points at.
    pub(crate) fn runs_ptr(&self) -> *mut Run {
        self.runs
    }

    fn run(&self, class: usize) -> Run {
        // SAFETY: `runs` holds CLASSES runs; no reference into it outlives a call.
        unsafe { *self.runs.add(class) }
    }

    fn set_run(&mut self, class: usize, run: Run) {
        // SAFETY: as in `run`.
        unsafe { *self.runs.add(class) = run };
    }

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
        let base = w & !(CHUNK - 1);
        if self.chunk_set.contains(&base) {
            // SAFETY: `base` is a chunk of this heap, headed by its ChunkHead.
            let h = unsafe { &*head(base) };
            if h.slot == 0 || w - base < CHUNK_DATA {
                return None;
            }
            let i = slot_index(h, w);
            if i >= h.slots as usize || !bit(&h.objects, i) {
                return None;
            }
            let start = base + CHUNK_DATA + i * h.slot as usize;
            // The open run's slots from its cursor on are counted but not handed out yet.
            let run = self.run((h.slot / GRAIN) as usize);
            return (!(run.cursor..run.end).contains(&start)).then_some(start);
        }
        let (&addr, &size) = self.large.range(..=w).next_back()?;
        (w < addr + size as usize).then_some(addr)
    }

    /// A chunk for `class` (from the pool if it has one), added to the class's chunks.
    unsafe fn new_chunk(&mut self, class: usize) -> bool {
        let base = match self.empty.pop() {
            Some(base) => base,
            None => {
                let p = std::alloc::alloc(chunk_layout());
                if p.is_null() {
                    return false;
                }
                self.chunk_set.insert(p as usize);
                p as usize
            }
        };
        let h = head(base);
        std::ptr::write_bytes(h.cast::<u8>(), 0, std::mem::size_of::<ChunkHead>());
        let slot = class as u32 * GRAIN;
        (*h).slot = slot;
        (*h).slots = ((CHUNK - CHUNK_DATA) / slot as usize) as u32;
        (*h).recip = (1u64 << 32).div_ceil(u64::from(slot));
        self.classes[class].chunks.push(base);
        true
    }

    /// Open a run of `class`'s next free slots, at most `room` bytes of them, taking a new
    /// chunk when the class's chunks have none left. False when not one slot fits in
    /// `room` or memory ran out. The slots are counted in `bytes` from now on.
    unsafe fn refill(&mut self, class: usize, room: usize) -> bool {
        let slot = class * GRAIN as usize;
        let most = if self.stress { 1 } else { room / slot };
        if most == 0 || room < slot {
            return false;
        }
        loop {
            let c = &self.classes[class];
            if c.next_chunk == c.chunks.len() && !self.new_chunk(class) {
                return false;
            }
            let c = &mut self.classes[class];
            let base = c.chunks[c.next_chunk];
            let h = &mut *head(base);
            if let Some((a, b)) = free_run(&h.objects, c.next_slot, h.slots as usize) {
                let b = b.min(a + most);
                set_range(&mut h.objects, a, b);
                c.next_slot = b;
                let first = base + CHUNK_DATA + a * slot;
                self.set_run(
                    class,
                    Run {
                        cursor: first,
                        end: first + (b - a) * slot,
                    },
                );
                self.bytes += (b - a) * slot;
                return true;
            }
            c.next_chunk += 1;
            c.next_slot = 0;
        }
    }

    /// The next slot of `class`'s open run, if it has one.
    fn bump(&mut self, class: usize) -> Option<*mut u8> {
        let slot = class * GRAIN as usize;
        let mut run = self.run(class);
        if run.cursor == 0 || run.cursor + slot > run.end {
            return None;
        }
        let p = run.cursor;
        run.cursor += slot;
        self.set_run(class, run);
        Some(p as *mut u8)
    }

    /// Whether `obj`, an object of `size` bytes, was unmarked; marks it.
    ///
    /// # Safety
    /// `obj` is an object of this heap.
    unsafe fn mark(obj: usize, size: u32) -> bool {
        if layout::class_of(size).is_some() {
            let h = &mut *head(obj & !(CHUNK - 1));
            let i = slot_index(h, obj);
            let (w, m) = (i / 64, 1u64 << (i % 64));
            let was = h.marks[w] & m != 0;
            h.marks[w] |= m;
            !was
        } else {
            let mark = (obj as *mut u8)
                .add(layout::HEADER_GC as usize)
                .cast::<u32>();
            let was = *mark != 0;
            *mark = 1;
            !was
        }
    }

    /// Free every object left unmarked and clear the marks: the objects bitmap of every
    /// chunk becomes its marks (emptied chunks go to the pool), and `bytes` becomes what
    /// survived. Every run is closed and every class searches its chunks from the start.
    ///
    /// # Safety
    /// Every large object holds an object (with its header).
    unsafe fn sweep(&mut self) {
        let mut bytes = 0usize;
        for (class, c) in self.classes.iter_mut().enumerate() {
            let slot = class * GRAIN as usize;
            let empty = &mut self.empty;
            c.chunks.retain(|&base| {
                let h = &mut *head(base);
                let mut live = 0usize;
                for w in 0..(h.slots as usize).div_ceil(64) {
                    h.objects[w] = h.marks[w];
                    h.marks[w] = 0;
                    live += h.objects[w].count_ones() as usize;
                }
                if live == 0 {
                    h.slot = 0;
                    empty.push(base);
                    return false;
                }
                bytes += live * slot;
                true
            });
            c.next_chunk = 0;
            c.next_slot = 0;
        }
        for class in 0..layout::CLASSES {
            self.set_run(class, Run::default());
        }
        self.large.retain(|&addr, &mut size| {
            let mark = (addr as *mut u8)
                .add(layout::HEADER_GC as usize)
                .cast::<u32>();
            if *mark != 0 {
                *mark = 0;
                bytes += size as usize;
                true
            } else {
                std::alloc::dealloc(addr as *mut u8, obj_layout(size));
                false
            }
        });
        self.bytes = bytes;
    }
}

/// Whether a field or element of storage type `s` (of a type in the recursion group
/// starting at `group`) can hold a heap object, so the collector follows it. Function
/// references point at functions, and exception references at the store's exception
/// records (roots of their own): neither is traced.
fn traced(types: &super::types::TypeRegistry, s: CanonStorage, group: u32) -> bool {
    use super::types::Heap;
    use wasmparser::AbstractHeapType as A;
    let CanonStorage::Val(CanonVal::Ref { heap, .. }) = s else {
        return false;
    };
    match heap {
        Heap::Abstract { ty, .. } => {
            matches!(ty, A::Any | A::Eq | A::Struct | A::Array | A::Extern)
        }
        Heap::Sig(id) => types.kind(id) != Kind::Func,
        Heap::Rec(j) => types.kind(group + j) != Kind::Func,
        Heap::Unresolved(_) => false,
    }
}

impl Store {
    fn trace_of(&mut self, id: u32) -> Trace {
        if let Some(t) = self
            .gc
            .traces
            .get(id as usize)
            .filter(|t| !matches!(t, Trace::Unknown))
        {
            return *t;
        }
        let info = self.types.info_of(id);
        let t = match &info.sub.composite {
            CanonComposite::Struct(fields) => {
                let (offsets, size) =
                    layout::struct_layout(fields.iter().map(|f| storage_size(f.storage)));
                let refs = self.gc.ref_offsets.len() as u32;
                self.gc.ref_offsets.extend(
                    fields
                        .iter()
                        .zip(offsets)
                        .filter(|(f, _)| traced(&self.types, f.storage, info.group))
                        .map(|(_, o)| o),
                );
                Trace::Struct {
                    size,
                    refs,
                    nrefs: self.gc.ref_offsets.len() as u32 - refs,
                }
            }
            CanonComposite::Array(f) => Trace::Array {
                elem: storage_size(f.storage),
                refs: traced(&self.types, f.storage, info.group),
            },
            CanonComposite::Func { .. } => Trace::Struct {
                size: layout::STRUCT_FIELDS,
                refs: 0,
                nrefs: 0,
            },
        };
        if self.gc.traces.len() <= id as usize {
            self.gc
                .traces
                .resize(self.types.len().max(id as usize + 1), Trace::Unknown);
        }
        self.gc.traces[id as usize] = t;
        t
    }

    /// A zeroed object of canonical type `id` (an array of `len` elements), or null when the
    /// heap limit does not leave room even after a collection. (Compiled code allocates
    /// small objects of static size itself while their class's run has room, and calls
    /// this when it has not.)
    ///
    /// # Safety
    /// Called from a helper while compiled code of this store runs (the collection it may
    /// start scans the running call's stack), or with no call running.
    pub(crate) unsafe fn gc_alloc(&mut self, id: u32, len: u32) -> *mut u8 {
        let size = match self.trace_of(id) {
            Trace::Struct { size, .. } => Some(size),
            Trace::Array { elem, .. } => layout::array_size(elem, len),
            Trace::Unknown => None,
        };
        let Some(size) = size.map(|s| s.max(layout::STRUCT_FIELDS)) else {
            return std::ptr::null_mut();
        };
        if self.gc.stress && !self.gc.paused {
            self.collect();
        }
        let p = match layout::class_of(size) {
            Some(class) => {
                let p = self.alloc_small(class);
                if !p.is_null() {
                    // Slots are reused without being cleared; the bytes past `size` are
                    // padding nothing reads.
                    std::ptr::write_bytes(p, 0, size as usize);
                }
                p
            }
            None => self.alloc_large(size),
        };
        if p.is_null() {
            return p;
        }
        p.add(layout::HEADER_TYPE as usize).cast::<u32>().write(id);
        if matches!(self.types.kind(id), Kind::Array) {
            p.add(layout::ARRAY_LEN as usize).cast::<u32>().write(len);
        }
        p
    }

    /// A slot of `class`: from the open run, else from a new run, collecting first when
    /// the heap has grown to `next_gc` or the limit leaves no room.
    unsafe fn alloc_small(&mut self, class: usize) -> *mut u8 {
        if let Some(p) = self.gc.bump(class) {
            return p;
        }
        if !self.gc.paused && self.gc.bytes >= self.gc.next_gc {
            self.collect();
        }
        for last_try in [false, true] {
            let room = self.gc.limit.saturating_sub(self.gc.bytes);
            if self.gc.refill(class, room) {
                return self.gc.bump(class).unwrap_or(std::ptr::null_mut());
            }
            if last_try || self.gc.paused {
                break;
            }
            // The limit is reached (counting runs not used up): only a collection can
            // make room.
            self.collect();
        }
        std::ptr::null_mut()
    }

    /// A zeroed allocation of its own for a large object.
    unsafe fn alloc_large(&mut self, size: u32) -> *mut u8 {
        let need = self.gc.bytes.saturating_add(size as usize);
        if !self.gc.paused && (need > self.gc.next_gc || need > self.gc.limit) {
            self.collect();
        }
        if self.gc.bytes.saturating_add(size as usize) > self.gc.limit {
            return std::ptr::null_mut();
        }
        let p = std::alloc::alloc_zeroed(obj_layout(size));
        if p.is_null() {
            return p;
        }
        self.gc.large.insert(p as usize, size);
        self.gc.bytes += size as usize;
        p
    }

    /// Mark from every root, then free every object left unmarked.
    ///
    /// Roots: global cells, table elements, passive element segments, exception payloads,
    /// objects the host holds, and a conservative scan of the running call's stack (every
    /// word from here up to the outermost entry frame, plus the callee-saved registers)
    /// that treats any word pointing into an object as a reference to it. Objects are
    /// traced precisely, through their fields that can hold objects only.
    ///
    /// # Safety
    /// As [`Store::gc_alloc`].
    pub(crate) unsafe fn collect(&mut self) {
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
        let mut work: Vec<usize> = words
            .into_iter()
            .filter_map(|w| self.gc.containing(w))
            .collect();
        // Every type an object can have is registered; trace them all up front so the
        // loop below only reads the table.
        for id in 0..self.types.len() as u32 {
            self.trace_of(id);
        }
        let traces = std::mem::take(&mut self.gc.traces);
        let offsets = std::mem::take(&mut self.gc.ref_offsets);
        // A traced field holds null, an i31, a host reference or an object: only an object
        // has its two low bits clear and is not zero.
        let follow = |work: &mut Vec<usize>, at: usize| {
            let w = *(at as *const usize);
            if w != 0 && w & 3 == 0 {
                work.push(w);
            }
        };
        while let Some(obj) = work.pop() {
            let id = *(obj as *const u32);
            // Each arm's guard marks the object: its fields are followed the first time only.
            match traces.get(id as usize) {
                Some(&Trace::Struct { size, refs, nrefs }) if GcHeap::mark(obj, size) => {
                    for &o in &offsets[refs as usize..(refs + nrefs) as usize] {
                        follow(&mut work, obj + o as usize);
                    }
                }
                Some(&Trace::Array { elem, refs }) => {
                    let len = *((obj + layout::ARRAY_LEN as usize) as *const u32);
                    let size = layout::array_size(elem, len).unwrap_or(u32::MAX);
                    if GcHeap::mark(obj, size) && refs {
                        for i in 0..len as usize {
                            follow(&mut work, obj + layout::ARRAY_DATA as usize + 8 * i);
                        }
                    }
                }
                _ => {}
            }
        }
        self.gc.traces = traces;
        self.gc.ref_offsets = offsets;
        self.gc.sweep();
        self.gc.collections += 1;
        // Let the heap grow to twice what survived before collecting again, so the work of
        // a collection (proportional to what survives) stays proportional to allocation.
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
        Trace::Struct { .. } | Trace::Unknown => 0,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The reciprocal gives the right slot for the first and last byte of every slot of
    /// every class.
    #[test]
    fn slot_index_is_exact() {
        for class in 1..layout::CLASSES {
            let slot = class * GRAIN as usize;
            let h = ChunkHead {
                slot: slot as u32,
                slots: ((CHUNK - CHUNK_DATA) / slot) as u32,
                recip: (1u64 << 32).div_ceil(slot as u64),
                objects: [0; BITMAP_WORDS],
                marks: [0; BITMAP_WORDS],
            };
            let base = 7 * CHUNK;
            for i in 0..h.slots as usize {
                let first = base + CHUNK_DATA + i * slot;
                assert_eq!(slot_index(&h, first), i, "class {class}");
                assert_eq!(slot_index(&h, first + slot - 1), i, "class {class}");
            }
        }
    }

    #[test]
    fn free_runs_are_found_and_taken() {
        let mut bits = [0u64; 4];
        assert_eq!(free_run(&bits, 0, 200), Some((0, 200)));
        set_range(&mut bits, 3, 130);
        assert_eq!(bits[0], !0u64 << 3);
        assert_eq!(bits[1], !0);
        assert_eq!(bits[2], 0b11);
        assert_eq!(free_run(&bits, 0, 200), Some((0, 3)));
        assert_eq!(free_run(&bits, 3, 200), Some((130, 200)));
        set_range(&mut bits, 140, 141);
        assert_eq!(free_run(&bits, 100, 200), Some((130, 140)));
        assert_eq!(free_run(&bits, 141, 200), Some((141, 200)));
        set_range(&mut bits, 141, 256);
        assert_eq!(free_run(&bits, 130, 256), Some((130, 140)));
        assert_eq!(free_run(&bits, 140, 256), None);
        assert_eq!(free_run(&bits, 0, 2), Some((0, 2)));
    }
}
