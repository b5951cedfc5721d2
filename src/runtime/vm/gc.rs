//! The GC object layout compiled code and the runtime's heap share.
//!
//! Every object starts with an 8-byte header: the canonical type id (`u32`, what casts
//! compare) and a `u32` the collector owns (its mark bit). A struct's fields follow at
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
