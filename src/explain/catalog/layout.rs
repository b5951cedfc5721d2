//! Sizes and alignments computed from the types themselves (natural C layout, as witx does),
//! so the catalog's stated offsets and sizes can be checked against them.
use super::{find_type, Ty, TypeKind, VariantCase};

fn align_up(n: u32, align: u32) -> u32 {
    n.div_ceil(align) * align
}

/// Size and alignment of a value of type `ty` stored in guest memory.
pub fn size_align(ty: &Ty) -> (u32, u32) {
    match ty {
        Ty::Int(i) => (i.size(), i.size()),
        Ty::String | Ty::Pointer(_) | Ty::ConstPointer(_) => (4, 4),
        Ty::Named(name) => match find_type(name).map(|t| t.kind) {
            Some(TypeKind::Alias(i))
            | Some(TypeKind::Enum { repr: i, .. })
            | Some(TypeKind::Flags { repr: i, .. }) => (i.size(), i.size()),
            Some(TypeKind::Handle) => (4, 4),
            Some(TypeKind::Record { size, align, .. })
            | Some(TypeKind::Variant { size, align, .. }) => (size, align),
            Some(TypeKind::List { .. }) => (8, 4),
            None => (0, 1),
        },
    }
}

/// (payload offset, size, align) of a tagged union computed from its tag and cases.
pub fn variant_layout(tag_size: u32, cases: &[VariantCase]) -> (u32, u32, u32) {
    let (mut payload_size, mut payload_align) = (0, 1);
    for case in cases {
        if let Some(ty) = &case.ty {
            let (s, a) = size_align(ty);
            payload_size = payload_size.max(s);
            payload_align = payload_align.max(a);
        }
    }
    let align = payload_align.max(tag_size);
    let payload_offset = align_up(tag_size, payload_align);
    let size = align_up(payload_offset + payload_size, align);
    (payload_offset, size, align)
}

#[cfg(test)]
/// (size, align) of a record computed by laying its fields out one after another.
pub fn record_layout(fields: &[super::Field]) -> (u32, u32) {
    let (mut end, mut align) = (0, 1);
    for f in fields {
        let (s, a) = size_align(&f.ty);
        end = align_up(end, a) + s;
        align = align.max(a);
    }
    (align_up(end, align), align)
}

#[cfg(test)]
/// The offsets natural layout gives each field, in order.
pub fn natural_offsets(fields: &[super::Field]) -> Vec<u32> {
    let mut end = 0;
    fields
        .iter()
        .map(|f| {
            let (s, a) = size_align(&f.ty);
            let at = align_up(end, a);
            end = at + s;
            at
        })
        .collect()
}
