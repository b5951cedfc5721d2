//! Float arithmetic returns quiet NaNs ("nan:arithmetic") even where LLVM could fold an
//! identity that returns an operand as it is: `x + -0`, `x - 0`, `-0 - x`, `x * ±1`, `x / ±1`,
//! the quieting add of min/max with `-0`, and `demote(promote(x))` (also through neg, abs or
//! copysign). Every constant reaches the operator through a local, so it becomes one only once
//! LLVM promotes the local to a register; a signalling NaN argument must still come out
//! quieted. sqrt and the roundings must quiet too; neg, abs and copysign are bit operations and
//! must not. Each case runs end to end through `rt wast`, for f32 and f64.
use crate::common::*;

/// A signalling NaN of type `t` (quiet bit clear, payload non-zero).
fn snan(t: &str) -> &'static str {
    if t == "f32" {
        "nan:0x200000"
    } else {
        "nan:0x4000000000000"
    }
}

/// The script: one module with an export per case, and one assertion per case.
fn script() -> String {
    let mut funcs = Vec::new();
    let mut asserts = Vec::new();
    let mut case = |name: String, sig: String, body: String, args: String, expect: String| {
        funcs.push(format!("  (func (export \"{name}\") {sig} {body})"));
        asserts.push(format!(
            "(assert_return (invoke \"{name}\" {args}) {expect})"
        ));
    };
    for t in ["f32", "f64"] {
        let s = snan(t);
        let quiet = format!("({t}.const nan:arithmetic)");
        // The constant as the right operand and as the left one, through local 1.
        let binary = [
            ("add", "-0"),
            ("add", "0"),
            ("sub", "0"),
            ("sub", "-0"),
            ("mul", "1"),
            ("mul", "-1"),
            ("div", "1"),
            ("div", "-1"),
            ("min", "-0"),
            ("min", "0"),
            ("max", "-0"),
            ("max", "0"),
            ("min", "inf"),
            ("max", "-inf"),
        ];
        for (op, c) in binary {
            for (side, operands) in [
                ("r", "(local.get 0) (local.get 1)"),
                ("l", "(local.get 1) (local.get 0)"),
            ] {
                case(
                    format!("{t}.{op}.{side}.{c}"),
                    format!("(param {t}) (result {t}) (local {t})"),
                    format!("(local.set 1 ({t}.const {c})) ({t}.{op} {operands})"),
                    format!("({t}.const {s})"),
                    quiet.clone(),
                );
            }
            // Both operands constants: LLVM folds the whole operation.
            case(
                format!("{t}.{op}.const.{c}"),
                format!("(result {t}) (local {t} {t})"),
                format!(
                    "(local.set 0 ({t}.const {s})) (local.set 1 ({t}.const {c})) \
                     ({t}.{op} (local.get 0) (local.get 1))"
                ),
                String::new(),
                quiet.clone(),
            );
        }
        // A value combined with itself.
        for op in ["add", "sub", "mul", "div", "min", "max"] {
            case(
                format!("{t}.{op}.self"),
                format!("(param {t}) (result {t})"),
                format!("({t}.{op} (local.get 0) (local.get 0))"),
                format!("({t}.const {s})"),
                quiet.clone(),
            );
        }
        // An identity reached through a call, once LLVM inlines it.
        case(
            format!("{t}.mul.call"),
            format!("(param {t}) (result {t})"),
            format!("(call ${t}.mul (local.get 0) ({t}.const 1))"),
            format!("({t}.const {s})"),
            quiet.clone(),
        );
        for op in ["sqrt", "ceil", "floor", "trunc", "nearest"] {
            case(
                format!("{t}.{op}"),
                format!("(param {t}) (result {t})"),
                format!("({t}.{op} (local.get 0))"),
                format!("({t}.const {s})"),
                quiet.clone(),
            );
            case(
                format!("{t}.{op}.const"),
                format!("(result {t}) (local {t})"),
                format!("(local.set 0 ({t}.const {s})) ({t}.{op} (local.get 0))"),
                String::new(),
                quiet.clone(),
            );
        }
        // Bit operations keep the payload, signalling or not.
        let (neg, pos) = (format!("({t}.const -{s})"), format!("({t}.const {s})"));
        for (op, sig, args, expect) in [
            ("neg", format!("(param {t})"), pos.clone(), neg.clone()),
            ("abs", format!("(param {t})"), neg.clone(), pos.clone()),
            (
                "copysign",
                format!("(param {t} {t})"),
                format!("{pos} ({t}.const -1)"),
                neg.clone(),
            ),
        ] {
            let operands = if op == "copysign" {
                "(local.get 0) (local.get 1)"
            } else {
                "(local.get 0)"
            };
            case(
                format!("{t}.{op}"),
                format!("{sig} (result {t})"),
                format!("({t}.{op} {operands})"),
                args,
                expect,
            );
        }
    }
    // demote(promote(x)) through a local, also with a sign operation in between.
    let s32 = snan("f32");
    for (name, inner) in [
        ("promote", "(f64.promote_f32 (local.get 0))"),
        ("neg", "(f64.neg (f64.promote_f32 (local.get 0)))"),
        ("abs", "(f64.abs (f64.promote_f32 (local.get 0)))"),
        (
            "copysign",
            "(f64.copysign (f64.promote_f32 (local.get 0)) (f64.const -1))",
        ),
    ] {
        case(
            format!("demote.{name}"),
            "(param f32) (result f32) (local f64)".into(),
            format!("(local.set 1 {inner}) (f32.demote_f64 (local.get 1))"),
            format!("(f32.const {s32})"),
            "(f32.const nan:arithmetic)".into(),
        );
    }
    for (name, sig, body, args, expect) in [
        (
            "demote",
            "(param f64) (result f32)",
            "(f32.demote_f64 (local.get 0))".to_string(),
            format!("(f64.const {})", snan("f64")),
            "f32",
        ),
        (
            "demote.const",
            "(result f32) (local f64)",
            format!(
                "(local.set 0 (f64.const {})) (f32.demote_f64 (local.get 0))",
                snan("f64")
            ),
            String::new(),
            "f32",
        ),
        (
            "promote",
            "(param f32) (result f64)",
            "(f64.promote_f32 (local.get 0))".to_string(),
            format!("(f32.const {s32})"),
            "f64",
        ),
        (
            "promote.const",
            "(result f64) (local f32)",
            format!("(local.set 0 (f32.const {s32})) (f64.promote_f32 (local.get 0))"),
            String::new(),
            "f64",
        ),
        (
            "promote.demote",
            "(param f64) (result f64) (local f32)",
            "(local.set 1 (f32.demote_f64 (local.get 0))) (f64.promote_f32 (local.get 1))"
                .to_string(),
            format!("(f64.const {})", snan("f64")),
            "f64",
        ),
    ] {
        case(
            name.into(),
            sig.into(),
            body,
            args,
            format!("({expect}.const nan:arithmetic)"),
        );
    }
    format!(
        "(module\n\
           (func $f32.mul (param f32 f32) (result f32) (f32.mul (local.get 0) (local.get 1)))\n\
           (func $f64.mul (param f64 f64) (result f64) (f64.mul (local.get 0) (local.get 1)))\n\
         {})\n{}\n",
        funcs.join("\n"),
        asserts.join("\n")
    )
}

/// Every case: each assertion passes.
#[test]
fn arithmetic_nans_are_quiet_through_locals() {
    wast_passes("float_nans.wast", &script());
}

/// The issue's reproduction, as given.
#[test]
fn issue_case() {
    wast_passes(
        "issue.wast",
        "(module (func (export \"f\") (param f32) (result f32) (local f32)\n\
           (local.set 1 (f32.const 1)) (f32.mul (local.get 0) (local.get 1))))\n\
         (assert_return (invoke \"f\" (f32.const nan:0x200000)) (f32.const nan:arithmetic))\n",
    );
}
