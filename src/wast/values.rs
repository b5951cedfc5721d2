//! Converting script arguments to runtime values and matching results against expectations
//! (including `nan:canonical` / `nan:arithmetic`).
use super::Miss;
use crate::runtime::{AnyRef, Val};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

pub(crate) fn arg(a: &WastArg<'_>) -> Result<Val, Miss> {
    let WastArg::Core(core) = a else {
        return Err(Miss::Unsupported(vec!["the component model"]));
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::RefNull(ty) if null_type_is(&Some(*ty), Kind::Func) => Val::FuncRef(None),
        WastArgCore::RefNull(ty) if null_type_is(&Some(*ty), Kind::Extern) => Val::ExternRef(None),
        WastArgCore::RefNull(ty) if null_type_is(&Some(*ty), Kind::Exn) => Val::ExnRef(None),
        WastArgCore::RefNull(ty) if null_type_is(&Some(*ty), Kind::Any) => Val::AnyRef(None),
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(*n)),
        // A host reference in the `any` hierarchy: `any.convert_extern` of `ref.extern n`.
        WastArgCore::RefHost(n) => Val::AnyRef(Some(AnyRef::Host(*n))),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        // Nulls of the shared heap types.
        WastArgCore::RefNull(_) => return Err(Miss::Unsupported(vec!["shared references"])),
    })
}

pub fn show(values: &[Val]) -> String {
    let parts: Vec<String> = values.iter().map(show_one).collect();
    format!("[{}]", parts.join(", "))
}

fn show_one(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:{x}"),
        Val::I64(x) => format!("i64:{x}"),
        Val::F32(b) => format!("f32:{} ({b:#010x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64:{} ({b:#018x})", f64::from_bits(*b)),
        Val::V128(b) => format!("v128:{b:#034x}"),
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(_)) => "funcref".to_string(),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(n)) => format!("ref.extern {n}"),
        Val::ExnRef(None) => "ref.null exn".to_string(),
        Val::ExnRef(Some(_)) => "exnref".to_string(),
        Val::AnyRef(None) => "ref.null any".to_string(),
        Val::AnyRef(Some(AnyRef::I31(x))) => format!("ref.i31 {x}"),
        Val::AnyRef(Some(AnyRef::Host(n))) => format!("ref.host {n}"),
        Val::AnyRef(Some(AnyRef::Struct(_))) => "ref.struct".to_string(),
        Val::AnyRef(Some(AnyRef::Array(_))) => "ref.array".to_string(),
        Val::ExternAny(a) => format!("ref.extern ({})", show_one(&Val::AnyRef(Some(*a)))),
    }
}

pub(crate) fn match_results(actual: &[Val], expected: &[WastRet<'_>]) -> Result<(), Miss> {
    if actual.len() != expected.len() {
        return Err(Miss::Fail(format!(
            "expected {} results, got {}",
            expected.len(),
            show(actual)
        )));
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let WastRet::Core(e) = e else {
            return Err(Miss::Unsupported(vec!["the component model"]));
        };
        if !matches(a, e)? {
            return Err(Miss::Fail(format!(
                "result {i}: expected {e:?}, got {} (all results: {})",
                show_one(a),
                show(actual)
            )));
        }
    }
    Ok(())
}

fn matches(actual: &Val, expected: &WastRetCore<'_>) -> Result<bool, Miss> {
    Ok(match (actual, expected) {
        (Val::I32(a), WastRetCore::I32(e)) => a == e,
        (Val::I64(a), WastRetCore::I64(e)) => a == e,
        (Val::F32(a), WastRetCore::F32(p)) => f32_matches(*a, p),
        (Val::F64(a), WastRetCore::F64(p)) => f64_matches(*a, p),
        (Val::V128(a), WastRetCore::V128(p)) => v128_matches(*a, p),
        (Val::FuncRef(r), WastRetCore::RefNull(ty)) => r.is_none() && null_type_is(ty, Kind::Func),
        (Val::ExternRef(r), WastRetCore::RefNull(ty)) => {
            r.is_none() && null_type_is(ty, Kind::Extern)
        }
        (Val::ExnRef(r), WastRetCore::RefNull(ty)) => r.is_none() && null_type_is(ty, Kind::Exn),
        (Val::ExternRef(r), WastRetCore::RefExtern(e)) => match (r, e) {
            (Some(a), Some(e)) => a == e,
            (Some(_), None) => true,
            (None, _) => false,
        },
        (Val::ExternAny(_), WastRetCore::RefExtern(None)) => true,
        (Val::FuncRef(r), WastRetCore::RefFunc(_)) => r.is_some(),
        (Val::AnyRef(r), WastRetCore::RefNull(ty)) => r.is_none() && null_type_is(ty, Kind::Any),
        (Val::AnyRef(Some(_)), WastRetCore::RefAny) => true,
        (Val::AnyRef(Some(AnyRef::I31(_))), WastRetCore::RefEq | WastRetCore::RefI31) => true,
        (Val::AnyRef(Some(AnyRef::Struct(_))), WastRetCore::RefEq | WastRetCore::RefStruct) => true,
        (Val::AnyRef(Some(AnyRef::Array(_))), WastRetCore::RefEq | WastRetCore::RefArray) => true,
        (Val::AnyRef(Some(AnyRef::Host(a))), WastRetCore::RefHost(e)) => a == e,
        // Shared references are not in any language rt accepts.
        (_, WastRetCore::RefI31Shared) => return Err(Miss::Unsupported(vec!["shared references"])),
        (a, WastRetCore::Either(options)) => {
            for option in options {
                if matches(a, option)? {
                    return Ok(true);
                }
            }
            false
        }
        _ => false,
    })
}

/// The reference hierarchies rt has values of.
#[derive(PartialEq)]
enum Kind {
    Func,
    Extern,
    Exn,
    Any,
}

/// `ref.null` with no type matches any null; with a type, only a null of its hierarchy:
/// `func`, `nofunc` and, without GC, every defined type are functions'; `extern` and
/// `noextern` host references'; `exn` and `noexn` exceptions' (a null `exnref` is also a
/// `nullexnref`, as in the spec's interpreter).
fn null_type_is(ty: &Option<HeapType<'_>>, kind: Kind) -> bool {
    use AbstractHeapType as A;
    match ty {
        None => true,
        // A defined type's null: the value's hierarchy was resolved from the function's
        // declared type, which the script cannot name here; either kind is accepted.
        Some(HeapType::Concrete(_)) => kind == Kind::Func || kind == Kind::Any,
        Some(HeapType::Abstract { ty, shared: false }) => match ty {
            A::Func | A::NoFunc => kind == Kind::Func,
            A::Any | A::Eq | A::I31 | A::Struct | A::Array | A::None => kind == Kind::Any,
            A::Extern | A::NoExtern => kind == Kind::Extern,
            A::Exn | A::NoExn => kind == Kind::Exn,
            _ => false,
        },
        Some(_) => false,
    }
}

fn f32_matches(a: u32, p: &NanPattern<wast::token::F32>) -> bool {
    match p {
        NanPattern::CanonicalNan => a & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => f32_is_nan(a) && a & 0x0040_0000 != 0,
        NanPattern::Value(v) => a == v.bits,
    }
}

fn f64_matches(a: u64, p: &NanPattern<wast::token::F64>) -> bool {
    match p {
        NanPattern::CanonicalNan => a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => f64_is_nan(a) && a & 0x0008_0000_0000_0000 != 0,
        NanPattern::Value(v) => a == v.bits,
    }
}

/// A v128 against a lane pattern: integer lanes exactly, float lanes like scalar floats.
fn v128_matches(a: u128, p: &V128Pattern) -> bool {
    let lane = |bits: u32, i: usize| (a >> (bits as usize * i)) & ((1u128 << bits) - 1);
    match p {
        V128Pattern::I8x16(l) => (0..16).all(|i| lane(8, i) as u8 == l[i] as u8),
        V128Pattern::I16x8(l) => (0..8).all(|i| lane(16, i) as u16 == l[i] as u16),
        V128Pattern::I32x4(l) => (0..4).all(|i| lane(32, i) as u32 == l[i] as u32),
        V128Pattern::I64x2(l) => (0..2).all(|i| lane(64, i) as u64 == l[i] as u64),
        V128Pattern::F32x4(l) => (0..4).all(|i| f32_matches(lane(32, i) as u32, &l[i])),
        V128Pattern::F64x2(l) => (0..2).all(|i| f64_matches(lane(64, i) as u64, &l[i])),
    }
}

fn f32_is_nan(bits: u32) -> bool {
    bits & 0x7f80_0000 == 0x7f80_0000 && bits & 0x007f_ffff != 0
}

fn f64_is_nan(bits: u64) -> bool {
    bits & 0x7ff0_0000_0000_0000 == 0x7ff0_0000_0000_0000 && bits & 0x000f_ffff_ffff_ffff != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `actual` matches; these expectations are all supported, so an
    /// "unsupported" answer is itself a failure.
    fn matched(actual: &Val, expected: &WastRetCore<'_>) -> bool {
        match matches(actual, expected) {
            Ok(m) => m,
            Err(_) => panic!("{expected:?} reported as unsupported"),
        }
    }

    #[test]
    fn canonical_nan_ignores_sign_only() {
        let canon = WastRetCore::F32(NanPattern::CanonicalNan);
        assert!(matched(&Val::F32(0x7fc0_0000), &canon));
        assert!(matched(&Val::F32(0xffc0_0000), &canon));
        assert!(!matched(&Val::F32(0x7fc0_0001), &canon));
        assert!(!matched(&Val::F32(0x7f80_0000), &canon));
    }

    #[test]
    fn arithmetic_nan_needs_quiet_bit() {
        let arith = WastRetCore::F64(NanPattern::ArithmeticNan);
        assert!(matched(&Val::F64(0x7ff8_0000_0000_0001), &arith));
        assert!(!matched(&Val::F64(0x7ff0_0000_0000_0001), &arith));
        assert!(!matched(&Val::F64(0x3ff0_0000_0000_0000), &arith));
    }

    #[test]
    fn v128_lanes_match_by_pattern() {
        let v = Val::V128(0x7fc0_0000_3f80_0000_0000_0002_0000_0001);
        let ints = WastRetCore::V128(V128Pattern::I32x4([1, 2, 0x3f80_0000, 0x7fc0_0000]));
        assert!(matched(&v, &ints));
        let wrong = WastRetCore::V128(V128Pattern::I32x4([1, 2, 0x3f80_0000, 0]));
        assert!(!matched(&v, &wrong));
        let i64s = WastRetCore::V128(V128Pattern::I64x2([
            0x0000_0002_0000_0001,
            0x7fc0_0000_3f80_0000,
        ]));
        assert!(matched(&v, &i64s));
    }

    #[test]
    fn typed_nulls_must_match_their_kind() {
        let null_func = WastRetCore::RefNull(Some(HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func,
        }));
        assert!(matched(&Val::FuncRef(None), &null_func));
        assert!(!matched(&Val::ExternRef(None), &null_func));
        assert!(!matched(&Val::I32(0), &null_func));
        let nofunc = WastRetCore::RefNull(Some(HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::NoFunc,
        }));
        assert!(matched(&Val::FuncRef(None), &nofunc));
        assert!(!matched(&Val::ExternRef(None), &nofunc));
    }
}
