//! Type identity across modules, for typed function references.
//!
//! A module names types by index, and with typed references a function type can mention
//! other types (`(func (param (ref $t)))`), so neither a `FuncType` nor an index means the
//! same thing in two modules. The store therefore resolves every module-relative index to a
//! store-wide signature id: two function types get the same id exactly when they are
//! structurally the same once their own references are resolved (the spec's type
//! equivalence; without GC every recursion group holds one final type, so a group's only
//! internal reference is a type naming itself, kept as [`Heap::This`] in the key).
//!
//! Import matching and host-side value checks compare these resolved forms, with the
//! spec's subtyping (`(ref $t) <: (ref null $t) <: funcref`, `nullfuncref` below every
//! function type).
use wasmparser::{AbstractHeapType, FuncType, HeapType, RefType, UnpackedIndex, ValType};

/// A heap type with module-relative indices resolved.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Heap {
    Abstract {
        shared: bool,
        ty: AbstractHeapType,
    },
    /// A function type, by its store-wide signature id.
    Sig(u32),
    /// Only inside a signature key: the type being defined (a type naming itself).
    This,
    /// An index with no module to resolve it in (a type the host made up): equal only to
    /// itself, so nothing a module defines ever matches it.
    Unresolved(u32),
}

/// A value type with module-relative indices resolved.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum CanonVal {
    /// A number or vector type (never `ValType::Ref`).
    Plain(ValType),
    Ref {
        nullable: bool,
        heap: Heap,
    },
}

/// What identifies a function type store-wide.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(crate) struct SigKey {
    params: Vec<CanonVal>,
    results: Vec<CanonVal>,
}

/// Resolve `ty`'s type indices through `ids` (the module's signature id of every type
/// index). `this` is the index of the type being keyed, if any: it resolves to
/// [`Heap::This`].
pub(crate) fn canon_val(ty: ValType, ids: &[u32], this: Option<u32>) -> CanonVal {
    match ty {
        ValType::Ref(r) => canon_ref(r, ids, this),
        plain => CanonVal::Plain(plain),
    }
}

pub(crate) fn canon_ref(r: RefType, ids: &[u32], this: Option<u32>) -> CanonVal {
    let heap = match r.heap_type() {
        HeapType::Abstract { shared, ty } => Heap::Abstract { shared, ty },
        HeapType::Concrete(i) | HeapType::Exact(i) => match i {
            UnpackedIndex::Module(i) if Some(i) == this => Heap::This,
            UnpackedIndex::Module(i) => ids
                .get(i as usize)
                .map_or(Heap::Unresolved(i), |&id| Heap::Sig(id)),
            // The parsed model only holds module indices; the others are the validator's.
            UnpackedIndex::RecGroup(i) => Heap::Unresolved(i),
            UnpackedIndex::Id(_) => Heap::Unresolved(u32::MAX),
        },
    };
    CanonVal::Ref {
        nullable: r.is_nullable(),
        heap,
    }
}

/// The key of type `index` of a module whose earlier types have the ids `ids`.
pub(crate) fn sig_key(ty: &FuncType, ids: &[u32], index: Option<u32>) -> SigKey {
    let canon = |ts: &[ValType]| ts.iter().map(|t| canon_val(*t, ids, index)).collect();
    SigKey {
        params: canon(ty.params()),
        results: canon(ty.results()),
    }
}

/// Whether a reference of this type points to a function (its bits are an `AnyFunc`
/// address) rather than to a host value.
pub(crate) fn is_func_ref_type(r: RefType) -> bool {
    match r.heap_type() {
        HeapType::Abstract { ty, .. } => {
            matches!(ty, AbstractHeapType::Func | AbstractHeapType::NoFunc)
        }
        // Without GC every defined type is a function type.
        HeapType::Concrete(_) | HeapType::Exact(_) => true,
    }
}

/// `a <: b` for resolved value types.
pub(crate) fn val_subtype(a: CanonVal, b: CanonVal) -> bool {
    match (a, b) {
        (CanonVal::Plain(a), CanonVal::Plain(b)) => a == b,
        (
            CanonVal::Ref {
                nullable: an,
                heap: ah,
            },
            CanonVal::Ref {
                nullable: bn,
                heap: bh,
            },
        ) => (!an || bn) && heap_subtype(ah, bh),
        _ => false,
    }
}

/// `a <: b` for resolved heap types.
pub(crate) fn heap_subtype(a: Heap, b: Heap) -> bool {
    use AbstractHeapType as A;
    if a == b {
        return true;
    }
    match (a, b) {
        // Every function type is below `func` and above `nofunc` (no GC: no other subtyping
        // between function types, all of them final).
        (
            Heap::Sig(_),
            Heap::Abstract {
                ty: A::Func,
                shared,
            },
        ) => !shared,
        (
            Heap::Abstract {
                ty: A::NoFunc,
                shared,
            },
            Heap::Sig(_),
        ) => !shared,
        (Heap::Abstract { shared: sa, ty: ta }, Heap::Abstract { shared: sb, ty: tb }) => {
            sa == sb && abstract_subtype(ta, tb)
        }
        _ => false,
    }
}

/// The abstract heap types' lattice: each hierarchy's bottom is below everything in it.
fn abstract_subtype(a: AbstractHeapType, b: AbstractHeapType) -> bool {
    use AbstractHeapType as A;
    a == b
        || match a {
            A::NoFunc => b == A::Func,
            A::NoExtern => b == A::Extern,
            A::NoExn => b == A::Exn,
            A::None => matches!(b, A::Any | A::Eq | A::I31 | A::Struct | A::Array),
            A::I31 | A::Struct | A::Array => matches!(b, A::Any | A::Eq),
            A::Eq => b == A::Any,
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(nullable: bool, heap: Heap) -> CanonVal {
        CanonVal::Ref { nullable, heap }
    }
    const FUNC: Heap = Heap::Abstract {
        shared: false,
        ty: AbstractHeapType::Func,
    };
    const NOFUNC: Heap = Heap::Abstract {
        shared: false,
        ty: AbstractHeapType::NoFunc,
    };
    const EXTERN: Heap = Heap::Abstract {
        shared: false,
        ty: AbstractHeapType::Extern,
    };

    #[test]
    fn typed_function_references_subtype_as_the_spec_says() {
        let t = Heap::Sig(3);
        assert!(val_subtype(r(false, t), r(true, t)));
        assert!(!val_subtype(r(true, t), r(false, t)));
        assert!(val_subtype(r(false, t), r(true, FUNC)));
        assert!(!val_subtype(r(true, FUNC), r(true, t)));
        assert!(val_subtype(r(true, NOFUNC), r(true, t)));
        assert!(!val_subtype(r(false, Heap::Sig(4)), r(false, t)));
        assert!(!val_subtype(r(true, t), r(true, EXTERN)));
        assert!(!val_subtype(r(true, EXTERN), r(true, FUNC)));
        assert!(val_subtype(
            CanonVal::Plain(ValType::I32),
            CanonVal::Plain(ValType::I32)
        ));
    }

    #[test]
    fn equal_structures_share_a_key_and_self_reference_is_kept_apart() {
        let concrete = |i| {
            ValType::Ref(RefType::new(false, HeapType::Concrete(UnpackedIndex::Module(i))).unwrap())
        };
        // Type 1 of two modules names an earlier type that both resolve to id 7.
        let a = FuncType::new([concrete(0)], []);
        let b = FuncType::new([concrete(5)], []);
        assert_eq!(
            sig_key(&a, &[7], Some(1)),
            sig_key(&b, &[0, 0, 0, 0, 0, 7], Some(1))
        );
        // A type naming itself is not the same as one naming another type.
        let selfish = FuncType::new([concrete(1)], []);
        assert_ne!(sig_key(&selfish, &[7], Some(1)), sig_key(&a, &[7], Some(1)));
    }
}
