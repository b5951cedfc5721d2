//! Exceptions: tags and exception objects, both owned by the store, the throw helper, and
//! the shim's routines that throw and catch them (see docs/architecture.md, "Exceptions").
//!
//! A tag's identity is the address of its boxed [`TagData`]: an imported tag is the exporter's
//! object, so two tag indices name the same tag exactly when their vmctx entries are equal.
//! An exception object is a boxed slice of [`ValRaw`] slots: slot 0 holds the tag identity,
//! the payload follows one slot per value (the layout `vm::offset::EXN_*` gives compiled code,
//! which reads the tag and the payload of a caught exception directly). An `exnref` is the
//! object's address. Objects live as long as the store: there is no collector, so a program
//! that throws in a loop grows its store by one small object per throw.
use super::call::CallRecord;
use super::store::Store;
use super::vm::{ValRaw, VmCtx};
use super::{Exn, Tag, Val};
use wasmparser::{AbstractHeapType, FuncType, HeapType, RefType};

/// A tag of the store: its type (the payload is the parameters; the results are empty).
pub(crate) struct TagData {
    pub ty: FuncType,
    /// The canonical id of the tag's type: imports match on it.
    pub type_id: u32,
}

/// Whether a reference type is `exnref` or `nullexnref` (values handled by [`Exn`]).
pub(crate) fn is_exn_ref(r: RefType) -> bool {
    matches!(
        r.heap_type(),
        HeapType::Abstract {
            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
            ..
        }
    )
}

impl Store {
    pub fn new_tag(&mut self, ty: FuncType) -> Tag {
        let type_id = self.sig_id(&ty);
        self.new_tag_in(ty, type_id)
    }

    /// A tag of a module's type, whose canonical id is `type_id`.
    pub(crate) fn new_tag_in(&mut self, ty: FuncType, type_id: u32) -> Tag {
        self.tags.push(Box::new(TagData { ty, type_id }));
        Tag(self.tags.len() as u32 - 1, self.id)
    }

    pub fn tag_type(&self, t: Tag) -> FuncType {
        self.tags[t.0 as usize].ty.clone()
    }

    /// The identity compiled code compares (see the module documentation).
    pub(crate) fn tag_identity(&self, t: Tag) -> *const u8 {
        &*self.tags[t.0 as usize] as *const TagData as *const u8
    }

    fn tag_of_identity(&self, id: *const u8) -> Option<Tag> {
        let i = (self.tags.iter()).position(|t| &**t as *const TagData as *const u8 == id)?;
        Some(Tag(i as u32, self.id))
    }

    /// A new exception object of the tag with identity `tag`, holding `payload`.
    pub(crate) fn new_exception(&mut self, tag: *const u8, payload: &[ValRaw]) -> *mut u8 {
        let mut slots = vec![ValRaw::default(); payload.len() + 1].into_boxed_slice();
        slots[0] = ValRaw::from_u64(tag as u64);
        slots[1..].copy_from_slice(payload);
        let ptr = slots.as_mut_ptr() as *mut u8;
        self.exn_index
            .insert(ptr as usize, self.exceptions.len() as u32);
        self.exceptions.push(slots);
        ptr
    }

    /// The handle of the exception object at `ptr` (an `exnref`'s bits), if it is one of ours.
    pub(crate) fn exn_of_ptr(&self, ptr: usize) -> Option<Exn> {
        (self.exn_index.get(&ptr)).map(|&i| Exn(i, self.id))
    }

    pub(crate) fn exn_ptr(&self, e: Exn) -> *const u8 {
        self.exceptions[e.0 as usize].as_ptr() as *const u8
    }

    /// An exception's tag.
    pub fn exn_tag(&self, e: Exn) -> Tag {
        let id = self.exceptions[e.0 as usize][0].u64() as *const u8;
        self.tag_of_identity(id)
            .expect("an exception's tag belongs to its store")
    }

    /// An exception's payload, typed by its tag.
    pub fn exn_payload(&self, e: Exn) -> Vec<Val> {
        let ty = self.tag_type(self.exn_tag(e));
        let slots = &self.exceptions[e.0 as usize][1..];
        (ty.params().iter().zip(slots))
            .map(|(t, raw)| self.decode(*t, *raw))
            .collect()
    }
}

/// `throw`: see the helper list (`vm::helpers`).
pub(crate) unsafe extern "C" fn throw(vmctx: *mut VmCtx, tag: u32, slots: *mut ValRaw) -> *mut u8 {
    let id = *(*vmctx).tags.add(tag as usize);
    let n = (*(id as *const TagData)).ty.params().len();
    // A tag without parameters gets no slot array at all.
    let payload: &[ValRaw] = if n == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(slots, n)
    };
    (*CallRecord::running_store()).new_exception(id, payload)
}

extern "C" {
    fn rt_exn_raise();
    fn rt_exn_uncaught();
    fn rt_eh_personality();
    fn rt_eh_personality_entry();
}

/// The shim's exception routines compiled code calls or names by symbol (the loader binds
/// them): `rt_exn_raise(exn)` throws, `rt_exn_uncaught(exn)` ends the call from an entry
/// trampoline's landing pad, and the two personality routines the unwind tables name.
pub(crate) fn external_symbol(name: &str) -> Option<usize> {
    let f: unsafe extern "C" fn() = match name {
        "rt_exn_raise" => rt_exn_raise,
        "rt_exn_uncaught" => rt_exn_uncaught,
        "rt_eh_personality" => rt_eh_personality,
        "rt_eh_personality_entry" => rt_eh_personality_entry,
        _ => return None,
    };
    Some(f as usize)
}
