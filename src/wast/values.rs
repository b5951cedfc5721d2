//! Converting script arguments to runtime values and matching results against expectations
//! (including `nan:canonical` / `nan:arithmetic`).
use crate::runtime::Val;
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

pub fn arg(a: &WastArg<'_>) -> Result<Val, String> {
    let WastArg::Core(core) = a else {
        return Err("component-model arguments are not supported".to_string());
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Func,
            ..
        }) => Val::FuncRef(None),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        }) => Val::ExternRef(None),
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(*n)),
        other => return Err(format!("argument not supported in Wasm 2.0: {other:?}")),
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
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(_)) => "funcref".to_string(),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(n)) => format!("ref.extern {n}"),
    }
}

pub fn match_results(actual: &[Val], expected: &[WastRet<'_>]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "expected {} results, got {}",
            expected.len(),
            show(actual)
        ));
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let WastRet::Core(e) = e else {
            return Err("component-model results are not supported".to_string());
        };
        if !matches(a, e)? {
            return Err(format!(
                "result {i}: expected {e:?}, got {} (all results: {})",
                show_one(a),
                show(actual)
            ));
        }
    }
    Ok(())
}

fn matches(actual: &Val, expected: &WastRetCore<'_>) -> Result<bool, String> {
    Ok(match (actual, expected) {
        (Val::I32(a), WastRetCore::I32(e)) => a == e,
        (Val::I64(a), WastRetCore::I64(e)) => a == e,
        (Val::F32(a), WastRetCore::F32(p)) => match p {
            NanPattern::CanonicalNan => a & 0x7fff_ffff == 0x7fc0_0000,
            NanPattern::ArithmeticNan => f32_is_nan(*a) && a & 0x0040_0000 != 0,
            NanPattern::Value(v) => *a == v.bits,
        },
        (Val::F64(a), WastRetCore::F64(p)) => match p {
            NanPattern::CanonicalNan => a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => f64_is_nan(*a) && a & 0x0008_0000_0000_0000 != 0,
            NanPattern::Value(v) => *a == v.bits,
        },
        (Val::FuncRef(r), WastRetCore::RefNull(ty)) => r.is_none() && null_type_is(ty, true),
        (Val::ExternRef(r), WastRetCore::RefNull(ty)) => r.is_none() && null_type_is(ty, false),
        (Val::ExternRef(r), WastRetCore::RefExtern(e)) => match (r, e) {
            (Some(a), Some(e)) => a == e,
            (Some(_), None) => true,
            (None, _) => false,
        },
        (Val::FuncRef(r), WastRetCore::RefFunc(_)) => r.is_some(),
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

/// `ref.null` with no type matches any null; with a type, only that kind.
fn null_type_is(ty: &Option<HeapType<'_>>, func: bool) -> bool {
    match ty {
        None => true,
        Some(HeapType::Abstract {
            ty: AbstractHeapType::Func,
            ..
        }) => func,
        Some(HeapType::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        }) => !func,
        Some(_) => false,
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

    #[test]
    fn canonical_nan_ignores_sign_only() {
        let canon = WastRetCore::F32(NanPattern::CanonicalNan);
        assert!(matches(&Val::F32(0x7fc0_0000), &canon).unwrap());
        assert!(matches(&Val::F32(0xffc0_0000), &canon).unwrap());
        assert!(!matches(&Val::F32(0x7fc0_0001), &canon).unwrap());
        assert!(!matches(&Val::F32(0x7f80_0000), &canon).unwrap());
    }

    #[test]
    fn arithmetic_nan_needs_quiet_bit() {
        let arith = WastRetCore::F64(NanPattern::ArithmeticNan);
        assert!(matches(&Val::F64(0x7ff8_0000_0000_0001), &arith).unwrap());
        assert!(!matches(&Val::F64(0x7ff0_0000_0000_0001), &arith).unwrap());
        assert!(!matches(&Val::F64(0x3ff0_0000_0000_0000), &arith).unwrap());
    }

    #[test]
    fn typed_nulls_must_match_their_kind() {
        let null_func = WastRetCore::RefNull(Some(HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func,
        }));
        assert!(matches(&Val::FuncRef(None), &null_func).unwrap());
        assert!(!matches(&Val::ExternRef(None), &null_func).unwrap());
        assert!(!matches(&Val::I32(0), &null_func).unwrap());
    }
}
