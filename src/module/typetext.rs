//! Reference and heap types as the text format writes them (`anyref`, `(ref null 3)`,
//! `(ref none)`), for the printers and messages that show them. wasmparser's own `Display`
//! writes type indices as `(module 3)`, which is not text.
use wasmparser::{AbstractHeapType, HeapType, RefType, ValType};

/// An abstract heap type's keyword.
fn abstract_name(ty: AbstractHeapType) -> &'static str {
    use AbstractHeapType::*;
    match ty {
        Func => "func",
        Extern => "extern",
        Any => "any",
        None => "none",
        NoExtern => "noextern",
        NoFunc => "nofunc",
        Eq => "eq",
        Struct => "struct",
        Array => "array",
        I31 => "i31",
        Exn => "exn",
        NoExn => "noexn",
        Cont => "cont",
        NoCont => "nocont",
    }
}

/// A heap type: `any`, `(shared eq)`, a type index, `(exact 3)`.
pub fn heap_type(h: HeapType) -> String {
    let index = |i: wasmparser::UnpackedIndex| match i {
        wasmparser::UnpackedIndex::Module(i) => i.to_string(),
        other => format!("{other}"),
    };
    match h {
        HeapType::Abstract { shared: false, ty } => abstract_name(ty).to_string(),
        HeapType::Abstract { shared: true, ty } => format!("(shared {})", abstract_name(ty)),
        HeapType::Concrete(i) => index(i),
        HeapType::Exact(i) => format!("(exact {})", index(i)),
    }
}

/// A reference type, in the short form where the text format has one: `funcref`,
/// `anyref`, `nullref`; else `(ref null? HEAP)`.
pub fn ref_type(r: RefType) -> String {
    use AbstractHeapType::*;
    if let HeapType::Abstract { shared: false, ty } = r.heap_type() {
        if r.is_nullable() {
            let short = match ty {
                None => "null",
                NoExtern => "nullextern",
                NoFunc => "nullfunc",
                NoExn => "nullexn",
                NoCont => "nullcont",
                other => abstract_name(other),
            };
            return format!("{short}ref");
        }
    }
    let null = if r.is_nullable() { "null " } else { "" };
    format!("(ref {null}{})", heap_type(r.heap_type()))
}

/// A value type: `i32`, `v128`, or a reference type as [`ref_type`] writes it.
pub fn val_type(t: ValType) -> String {
    match t {
        ValType::Ref(r) => ref_type(r),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_forms() {
        let any = HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Any,
        };
        assert_eq!(ref_type(RefType::new(true, any).unwrap()), "anyref");
        assert_eq!(ref_type(RefType::new(false, any).unwrap()), "(ref any)");
        assert_eq!(ref_type(RefType::FUNCREF), "funcref");
        let none = HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::None,
        };
        assert_eq!(ref_type(RefType::new(true, none).unwrap()), "nullref");
        let index = wasmparser::PackedIndex::from_module_index(3).unwrap();
        assert_eq!(ref_type(RefType::concrete(true, index)), "(ref null 3)");
        assert_eq!(ref_type(RefType::concrete(false, index)), "(ref 3)");
        assert_eq!(heap_type(HeapType::Concrete(index.unpack())), "3");
    }
}
