//! The GC object layout compiled code and the runtime's heap share.
//!
//! Every object starts with an 8-byte header: the canonical type id (`u32`, what casts
//! compare) and a `u32` the collector owns (a large object's mark; small objects are marked
//! in their chunk's bitmap, and compiled code writes the word as zero). A struct's fields follow at
//! [`STRUCT_FIELDS`], each at its natural alignment in declaration order ([`struct_layout`]);
//! an array's `u32` length sits at [`ARRAY_LEN`] and its elements, packed at their size, at
//! [`ARRAY_DATA`]. Objects are 16-aligned, so a reference's two low bits are clear (which
//! tells it from an `i31` or a host reference: see `runtime::gc`).

/// Offset of the canonical type id in the header.
pub const HEADER_TYPE: u32 = 0;
/// Offset of the collector's word in the header.
pub const HEADER_GC: u32 = 4;
/// Where a struct's fields start.
pub const STRUCT_FIELDS: u32 = 8;
/// Offset of an array's length.
pub const ARRAY_LEN: u32 = 8;
/// Where an array's elements start.
pub const ARRAY_DATA: u32 = 16;
/// Every object's alignment.
pub const ALIGN: usize = 16;

/// A struct's field offsets (from the object's start) for fields of these byte sizes, and
/// the object's whole size.
pub fn struct_layout(sizes: impl IntoIterator<Item = u32>) -> (Vec<u32>, u32) {
    let mut at = STRUCT_FIELDS;
    let offsets = sizes
        .into_iter()
        .map(|size| {
            let align = size.clamp(1, 8);
            at = at.div_ceil(align) * align;
            let here = at;
            at += size;
            here
        })
        .collect();
    (offsets, at)
}

/// An array's size in bytes for `len` elements of `elem` bytes, if it fits in a `u32`.
pub fn array_size(elem: u32, len: u32) -> Option<u32> {
    u32::try_from(u64::from(elem) * u64::from(len) + u64::from(ARRAY_DATA)).ok()
}

/// Objects of at most this many bytes are small: they live in slots of a size class, and
/// compiled code allocates them inline from the class's [`Run`]. Larger ones get an
/// allocation of their own through the `gc_alloc` helper.
pub const MAX_SMALL: u32 = 2048;
/// Slot sizes are multiples of this (the object alignment): class `c` holds slots of
/// `c * GRAIN` bytes.
pub const GRAIN: u32 = ALIGN as u32;
/// How many size classes there are (class 0 is never used).
pub const CLASSES: usize = (MAX_SMALL / GRAIN) as usize + 1;

/// The free slots compiled code allocates from, one per size class, in an array the vmctx
/// points at (`VmCtx::gc_runs`): slots `cursor`, `cursor + slot`, .. below `end` are free
/// and already counted as allocated. Compiled code takes the slot at `cursor` and advances
/// it when `cursor + slot <= end`, and calls `gc_alloc` otherwise; an empty run is `0, 0`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct Run {
    pub cursor: usize,
    pub end: usize,
}

/// Offset of [`Run::cursor`].
pub const RUN_CURSOR: u32 = 0;
/// Offset of [`Run::end`].
pub const RUN_END: u32 = 8;
/// The size of a [`Run`] (the array's stride).
pub const RUN_SIZE: u32 = 16;

const _: () = {
    assert!(std::mem::offset_of!(Run, cursor) == RUN_CURSOR as usize);
    assert!(std::mem::offset_of!(Run, end) == RUN_END as usize);
    assert!(std::mem::size_of::<Run>() == RUN_SIZE as usize);
};

/// The size class of a small object of `size` bytes (None: a large object).
pub fn class_of(size: u32) -> Option<usize> {
    let size = size.max(STRUCT_FIELDS);
    (size <= MAX_SMALL).then(|| size.div_ceil(GRAIN) as usize)
}
