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
use std::collections::HashMap;
use std::ops::Range;
use wasmparser::{
    AbstractHeapType, CompositeInnerType, FieldType, FuncType, HeapType, RefType, StorageType,
    SubType, UnpackedIndex, ValType,
};

/// A heap type with module-relative indices resolved.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Heap {
    Abstract {
        shared: bool,
        ty: AbstractHeapType,
    },
    /// A defined type (function, struct or array), by its store-wide canonical id.
    Sig(u32),
    /// Only inside a recursion group's key: the group's type at this position (a reference
    /// to a type of the group being keyed, which has no id yet).
    Rec(u32),
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

/// A struct field's or array element's storage type, resolved.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum CanonStorage {
    I8,
    I16,
    Val(CanonVal),
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct CanonField {
    pub storage: CanonStorage,
    pub mutable: bool,
}

/// A composite type with its indices resolved.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(crate) enum CanonComposite {
    Func {
        params: Vec<CanonVal>,
        results: Vec<CanonVal>,
    },
    Struct(Vec<CanonField>),
    Array(CanonField),
}

/// One type of a recursion group, resolved: what the spec's type equivalence compares.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(crate) struct CanonSub {
    pub is_final: bool,
    pub shared: bool,
    pub supertype: Option<Heap>,
    pub composite: CanonComposite,
}

/// What identifies a recursion group store-wide: its types in order, references to earlier
/// groups resolved to their ids and references inside the group kept as [`Heap::Rec`].
/// Two modules defining the same group (the spec's iso-recursive equivalence) get the same
/// key, hence the same ids.
pub(crate) type GroupKey = Vec<CanonSub>;

/// What the store knows of a canonical type id.
#[derive(Clone, Debug)]
pub(crate) struct TypeInfo {
    pub sub: CanonSub,
    /// The declared supertype chain, root first and this type last: `a <: b` exactly when
    /// `b` sits in `a`'s chain at `b`'s depth, a constant-time check.
    pub supers: Vec<u32>,
    /// The id of the first type of this type's recursion group, what a [`Heap::Rec`] in
    /// its fields counts from.
    pub group: u32,
}

/// The kind of a defined type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Func,
    Struct,
    Array,
}

/// Every canonical type of a store.
#[derive(Default)]
pub(crate) struct TypeRegistry {
    groups: HashMap<GroupKey, u32>,
    infos: Vec<TypeInfo>,
}

impl TypeRegistry {
    /// The ids of a module's types, group by group: each group's references to earlier
    /// types resolve through the ids already given.
    pub fn register(&mut self, subs: &[SubType], groups: &[Range<u32>]) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::with_capacity(subs.len());
        for g in groups {
            let key: GroupKey = subs[g.start as usize..g.end as usize]
                .iter()
                .map(|s| canon_sub(s, &ids, g.clone()))
                .collect();
            let first = self.intern(key);
            ids.extend(first..first + (g.end - g.start));
        }
        ids
    }

    /// The id of a function type outside any module (a host function's): a group of one
    /// final type, as `(type (func ...))` is.
    pub fn func_id(&mut self, ty: &FuncType) -> u32 {
        let canon = |ts: &[ValType]| ts.iter().map(|t| canon_val(*t, &[], None)).collect();
        self.intern(vec![CanonSub {
            is_final: true,
            shared: false,
            supertype: None,
            composite: CanonComposite::Func {
                params: canon(ty.params()),
                results: canon(ty.results()),
            },
        }])
    }

    fn intern(&mut self, key: GroupKey) -> u32 {
        if let Some(&first) = self.groups.get(&key) {
            return first;
        }
        let first = self.infos.len() as u32;
        for sub in &key {
            let mut supers = match sub.supertype {
                Some(Heap::Sig(s)) => self.infos[s as usize].supers.clone(),
                // Validation puts a supertype before its subtype: earlier in this group.
                Some(Heap::Rec(j)) => self
                    .infos
                    .get((first + j) as usize)
                    .map_or(Vec::new(), |i| i.supers.clone()),
                _ => Vec::new(),
            };
            supers.push(self.infos.len() as u32);
            self.infos.push(TypeInfo {
                sub: sub.clone(),
                supers,
                group: first,
            });
        }
        self.groups.insert(key, first);
        first
    }

    /// How many canonical types there are (ids are `0..len`).
    pub fn len(&self) -> usize {
        self.infos.len()
    }

    pub fn info_of(&self, id: u32) -> &TypeInfo {
        &self.infos[id as usize]
    }

    pub fn kind(&self, id: u32) -> Kind {
        match self.infos[id as usize].sub.composite {
            CanonComposite::Func { .. } => Kind::Func,
            CanonComposite::Struct(_) => Kind::Struct,
            CanonComposite::Array(_) => Kind::Array,
        }
    }

    /// `a <: b` for canonical ids: `b` is in `a`'s declared supertype chain.
    pub fn is_subtype(&self, a: u32, b: u32) -> bool {
        if a == b {
            return true;
        }
        let (Some(ia), Some(ib)) = (self.infos.get(a as usize), self.infos.get(b as usize)) else {
            return false;
        };
        let depth = ib.supers.len() - 1;
        ia.supers.get(depth) == Some(&b)
    }

    /// `a <: b` for resolved value types.
    pub fn val_subtype(&self, a: CanonVal, b: CanonVal) -> bool {
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
            ) => (!an || bn) && self.heap_subtype(ah, bh),
            _ => false,
        }
    }

    /// `a <: b` for resolved heap types.
    pub fn heap_subtype(&self, a: Heap, b: Heap) -> bool {
        use AbstractHeapType as A;
        if a == b {
            return true;
        }
        match (a, b) {
            (Heap::Sig(x), Heap::Sig(y)) => self.is_subtype(x, y),
            (Heap::Sig(x), Heap::Abstract { ty, shared: false }) => {
                match self.infos.get(x as usize).map(|_| self.kind(x)) {
                    Some(Kind::Func) => ty == A::Func,
                    Some(Kind::Struct) => matches!(ty, A::Struct | A::Eq | A::Any),
                    Some(Kind::Array) => matches!(ty, A::Array | A::Eq | A::Any),
                    None => false,
                }
            }
            (Heap::Abstract { ty, shared: false }, Heap::Sig(y)) => {
                match self.infos.get(y as usize).map(|_| self.kind(y)) {
                    Some(Kind::Func) => ty == A::NoFunc,
                    Some(Kind::Struct | Kind::Array) => ty == A::None,
                    None => false,
                }
            }
            (Heap::Abstract { shared: sa, ty: ta }, Heap::Abstract { shared: sb, ty: tb }) => {
                sa == sb && abstract_subtype(ta, tb)
            }
            _ => false,
        }
    }

    /// The top of a resolved heap type's hierarchy.
    pub fn top(&self, heap: Heap) -> Top {
        use AbstractHeapType as A;
        match heap {
            Heap::Sig(id) if (id as usize) < self.infos.len() => match self.kind(id) {
                Kind::Func => Top::Func,
                _ => Top::Any,
            },
            Heap::Abstract { ty, .. } => match ty {
                A::Func | A::NoFunc => Top::Func,
                A::Extern | A::NoExtern => Top::Extern,
                A::Exn | A::NoExn => Top::Exn,
                A::Cont | A::NoCont => Top::Cont,
                _ => Top::Any,
            },
            _ => Top::Any,
        }
    }
}

/// The four reference hierarchies (and the stack-switching proposal's).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Top {
    Func,
    Extern,
    Exn,
    Any,
    Cont,
}

/// Resolve one type of the group `group` (module type indices) through `ids`.
fn canon_sub(s: &SubType, ids: &[u32], group: Range<u32>) -> CanonSub {
    let idx = |i: u32| -> Heap {
        if group.contains(&i) {
            Heap::Rec(i - group.start)
        } else {
            ids.get(i as usize)
                .map_or(Heap::Unresolved(i), |&id| Heap::Sig(id))
        }
    };
    let val = |t: ValType| -> CanonVal {
        match t {
            ValType::Ref(r) => CanonVal::Ref {
                nullable: r.is_nullable(),
                heap: match r.heap_type() {
                    HeapType::Concrete(UnpackedIndex::Module(i))
                    | HeapType::Exact(UnpackedIndex::Module(i)) => idx(i),
                    _ => match canon_ref(r, ids, None) {
                        CanonVal::Ref { heap, .. } => heap,
                        CanonVal::Plain(_) => Heap::Unresolved(u32::MAX),
                    },
                },
            },
            plain => CanonVal::Plain(plain),
        }
    };
    let field = |f: &FieldType| CanonField {
        mutable: f.mutable,
        storage: match f.element_type {
            StorageType::I8 => CanonStorage::I8,
            StorageType::I16 => CanonStorage::I16,
            StorageType::Val(v) => CanonStorage::Val(val(v)),
        },
    };
    let composite = match &s.composite_type.inner {
        CompositeInnerType::Func(f) => CanonComposite::Func {
            params: f.params().iter().map(|t| val(*t)).collect(),
            results: f.results().iter().map(|t| val(*t)).collect(),
        },
        CompositeInnerType::Struct(st) => {
            CanonComposite::Struct(st.fields.iter().map(field).collect())
        }
        CompositeInnerType::Array(a) => CanonComposite::Array(field(&a.0)),
        // Continuation types (stack switching) are not in any language rt accepts.
        CompositeInnerType::Cont(_) => CanonComposite::Struct(Vec::new()),
    };
    CanonSub {
        is_final: s.is_final,
        shared: s.composite_type.shared,
        supertype: s
            .supertype_idxs
            .first()
            .and_then(|p| p.as_module_index())
            .map(idx),
        composite,
    }
}

/// Resolve `ty`'s type indices through `ids` (the module's canonical id of every type
/// index).
pub(crate) fn canon_val(ty: ValType, ids: &[u32], this: Option<u32>) -> CanonVal {
    match ty {
        ValType::Ref(r) => canon_ref(r, ids, this),
        plain => CanonVal::Plain(plain),
    }
}

pub(crate) fn canon_ref(r: RefType, ids: &[u32], _this: Option<u32>) -> CanonVal {
    let heap = match r.heap_type() {
        HeapType::Abstract { shared, ty } => Heap::Abstract { shared, ty },
        HeapType::Concrete(i) | HeapType::Exact(i) => match i {
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

/// Whether an abstract reference type is of the `any` hierarchy (a concrete type, which
/// needs a module to resolve, is not: see [`TypeRegistry::top`]).
pub(crate) fn is_any_ref_type(r: RefType) -> bool {
    use AbstractHeapType as A;
    matches!(
        r.heap_type(),
        HeapType::Abstract {
            ty: A::Any | A::Eq | A::I31 | A::Struct | A::Array | A::None,
            ..
        }
    )
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

    fn sub(is_final: bool, supertype: Option<u32>, f: FuncType) -> SubType {
        SubType {
            is_final,
            supertype_idxs: supertype
                .map(|i| wasmparser::PackedIndex::from_module_index(i).expect("small index"))
                .into_iter()
                .collect(),
            composite_type: wasmparser::CompositeType {
                inner: CompositeInnerType::Func(f),
                shared: false,
                descriptor_idx: None,
                describes_idx: None,
            },
        }
    }

    #[test]
    fn typed_function_references_subtype_as_the_spec_says() {
        let mut reg = TypeRegistry::default();
        let t3 = reg.func_id(&FuncType::new([], []));
        let t4 = reg.func_id(&FuncType::new([ValType::I32], []));
        let t = Heap::Sig(t3);
        assert!(reg.val_subtype(r(false, t), r(true, t)));
        assert!(!reg.val_subtype(r(true, t), r(false, t)));
        assert!(reg.val_subtype(r(false, t), r(true, FUNC)));
        assert!(!reg.val_subtype(r(true, FUNC), r(true, t)));
        assert!(reg.val_subtype(r(true, NOFUNC), r(true, t)));
        assert!(!reg.val_subtype(r(false, Heap::Sig(t4)), r(false, t)));
        assert!(!reg.val_subtype(r(true, t), r(true, EXTERN)));
        assert!(!reg.val_subtype(r(true, EXTERN), r(true, FUNC)));
        assert!(reg.val_subtype(CanonVal::Plain(ValType::I32), CanonVal::Plain(ValType::I32)));
    }

    #[test]
    fn equal_groups_share_ids_and_declared_subtypes_are_found() {
        let concrete = |i| {
            ValType::Ref(RefType::new(false, HeapType::Concrete(UnpackedIndex::Module(i))).unwrap())
        };
        let mut reg = TypeRegistry::default();
        // $base (non-final), $derived <: $base, $self naming itself, $plain = (func).
        let a = [
            sub(false, None, FuncType::new([], [])),
            sub(true, Some(0), FuncType::new([], [])),
            sub(true, None, FuncType::new([concrete(2)], [])),
            sub(true, None, FuncType::new([], [])),
        ];
        let ids_a = reg.register(&a, &[0..1, 1..2, 2..3, 3..4]);
        let ids_b = reg.register(&a, &[0..1, 1..2, 2..3, 3..4]);
        assert_eq!(ids_a, ids_b);
        assert!(reg.is_subtype(ids_a[1], ids_a[0]));
        assert!(!reg.is_subtype(ids_a[0], ids_a[1]));
        assert!(!reg.is_subtype(ids_a[3], ids_a[0]));
        // The same types in one group are a different group, hence different types.
        let one_group: Vec<Range<u32>> = std::iter::once(0..4).collect();
        let ids_c = reg.register(&a, &one_group);
        assert_ne!(ids_c[0], ids_a[0]);
        // A host function's type is a final type in a group of its own, as `(type (func))`.
        assert_eq!(reg.func_id(&FuncType::new([], [])), ids_a[3]);
    }
}
