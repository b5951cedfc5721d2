//! Text names of operators (`i32.atomic.rmw8.add_u`), derived from wasmparser's one list of
//! operators so that no opcode table is kept by hand. The one source of instruction names for
//! every printer: wasm2wat, objdump's disassembly and wat2wasm's `-v` log (which name every
//! opcode as wabt does).
use wasmparser::Operator;

macro_rules! define_visit_name {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// wasmparser's visitor method name for `op` (`visit_i32_add`).
        #[allow(unreachable_patterns)]
        pub fn visit_name(op: &Operator<'_>) -> &'static str {
            match op {
                $( Operator::$op { .. } => stringify!($visit), )*
                _ => "visit_unknown",
            }
        }
    };
}
wasmparser::for_each_operator!(define_visit_name);

/// Families whose text names put a dot after the family (`i32.add`, `memory.grow`); all other
/// operators are spelled with underscores only (`br_if`, `call_indirect`).
const DOTTED_FAMILIES: &[&str] = &[
    "i32", "i64", "f32", "f64", "v128", "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2",
    "memory", "table", "local", "global", "ref", "data", "elem", "atomic", "struct", "array",
    "any", "extern", "i31",
];

/// The text-format name of `op`, as wabt prints it.
pub fn text_name(op: &Operator<'_>) -> String {
    visit_text_name(visit_name(op))
}

/// The text-format name of the operator whose wasmparser visitor method is `visit`
/// (`visit_i32_add` is `i32.add`, `visit_call_ref` is `call_ref`).
pub fn visit_text_name(visit: &str) -> String {
    let base = visit.strip_prefix("visit_").unwrap_or(visit);
    if base.starts_with("typed_select") {
        return "select".to_string();
    }
    let mut name = match base.split_once('_') {
        Some((family, rest)) if DOTTED_FAMILIES.contains(&family) => format!("{family}.{rest}"),
        _ => base.to_string(),
    };
    // The casts' nullability is in their type operand, `ref.test (ref null $t)`, not in
    // their name.
    if name.starts_with("ref.test_") || name.starts_with("ref.cast_") {
        for suffix in ["_non_null", "_nullable"] {
            if let Some(stem) = name.strip_suffix(suffix) {
                name = stem.to_string();
                break;
            }
        }
    }
    // Atomic operators nest a second and third level: `i32.atomic.rmw8.add_u`.
    if name.contains(".atomic_") {
        name = name.replacen(".atomic_", ".atomic.", 1);
    }
    for rmw in ["rmw_", "rmw8_", "rmw16_", "rmw32_"] {
        if let Some(pos) = name.find(rmw) {
            name.replace_range(pos + rmw.len() - 1..pos + rmw.len(), ".");
            break;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::{BlockType, MemArg};

    fn mem() -> MemArg {
        MemArg {
            align: 0,
            max_align: 0,
            offset: 0,
            target: wasmparser::MemArgTarget::Memory(0),
            ordering: None,
        }
    }

    #[test]
    fn names_follow_the_text_format() {
        assert_eq!(text_name(&Operator::I32Add), "i32.add");
        assert_eq!(text_name(&Operator::BrIf { relative_depth: 0 }), "br_if");
        assert_eq!(
            text_name(&Operator::Block {
                blockty: BlockType::Empty
            }),
            "block"
        );
        assert_eq!(
            text_name(&Operator::I32AtomicRmw8AddU { memarg: mem() }),
            "i32.atomic.rmw8.add_u"
        );
        assert_eq!(
            text_name(&Operator::I64AtomicRmwCmpxchg { memarg: mem() }),
            "i64.atomic.rmw.cmpxchg"
        );
        assert_eq!(
            text_name(&Operator::MemoryAtomicWait32 { memarg: mem() }),
            "memory.atomic.wait32"
        );
        assert_eq!(
            text_name(&Operator::AtomicFence {
                ordering: wasmparser::Ordering::SeqCst
            }),
            "atomic.fence"
        );
        assert_eq!(text_name(&Operator::I32TruncSatF32S), "i32.trunc_sat_f32_s");
        assert_eq!(text_name(&Operator::V128AnyTrue), "v128.any_true");
        assert_eq!(text_name(&Operator::RefIsNull), "ref.is_null");
        // Not a family of their own: wabt spells them with underscores only.
        assert_eq!(text_name(&Operator::CallRef { type_index: 0 }), "call_ref");
        assert_eq!(
            text_name(&Operator::ReturnCallRef { type_index: 0 }),
            "return_call_ref"
        );
        assert_eq!(
            text_name(&Operator::BrOnNull { relative_depth: 0 }),
            "br_on_null"
        );
        assert_eq!(text_name(&Operator::RefAsNonNull), "ref.as_non_null");
        let hty = wasmparser::HeapType::Abstract {
            shared: false,
            ty: wasmparser::AbstractHeapType::Any,
        };
        assert_eq!(text_name(&Operator::RefTestNonNull { hty }), "ref.test");
        assert_eq!(text_name(&Operator::RefCastNullable { hty }), "ref.cast");
        assert_eq!(
            text_name(&Operator::RefCastDescEqNonNull { hty }),
            "ref.cast_desc_eq"
        );
        assert_eq!(text_name(&Operator::I31GetS), "i31.get_s");
        assert_eq!(text_name(&Operator::AnyConvertExtern), "any.convert_extern");
    }
}
