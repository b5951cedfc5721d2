//! `rt wast` itself: counting, failure reports, exit codes, bad scripts.
use crate::common::*;

const PASSING: &str = r#"
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0))))
(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func (nop") "unexpected end")
(assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
"#;

#[test]
fn passing_script_counts_every_directive() {
    let dir = tempdir();
    let path = write(dir.path(), "ok.wast", PASSING);
    let out = rt().arg("wast").arg(&path).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert_eq!(text.lines().last(), Some("7 passed, 0 failed"), "{text}");
}

#[test]
fn failing_directive_is_located_and_fails_the_run() {
    let dir = tempdir();
    let script = "(module (func (export \"one\") (result i32) (i32.const 1)))\n\
                  (assert_return (invoke \"one\") (i32.const 2))\n\
                  (assert_trap (invoke \"one\") \"unreachable\")\n";
    let path = write(dir.path(), "bad.wast", script);
    let out = rt().arg("wast").arg(&path).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("bad.wast:2:2: result 0: expected"), "{text}");
    assert!(
        text.contains("bad.wast:3:2: expected trap `unreachable`"),
        "{text}"
    );
    assert_eq!(text.lines().last(), Some("1 passed, 2 failed"), "{text}");
}

#[test]
fn unparsable_script_is_an_error_with_location() {
    let dir = tempdir();
    let path = write(dir.path(), "broken.wast", "(module\n  (func (bogus)))\n");
    let out = rt().arg("wast").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.wast:2:"), "{}", stderr(&out));
}

#[test]
fn missing_file_is_an_error() {
    let out = rt_output(&["wast", "/nonexistent/x.wast"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/x.wast"));
}

/// A valid Wasm 3.0 module that rt refuses only because it lacks threads (a shared memory):
/// the `assert_invalid` must not pass on that refusal.
const THREADS_NOT_INVALID: &str =
    "(assert_invalid (module (memory 1 1 shared) (func (result i32) (i32.const 1))) \"type mismatch\")\n";

#[test]
fn a_refusal_for_a_missing_feature_is_not_an_expected_rejection() {
    let dir = tempdir();
    let path = write(dir.path(), "threads.wast", THREADS_NOT_INVALID);
    let out = rt().arg("wast").arg(&path).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("threads.wast:1:2: unsupported: threads"),
        "{text}"
    );
    assert_eq!(
        text.lines().last(),
        Some("0 passed, 1 failed (1 of them unsupported: threads)"),
        "{text}"
    );
}

#[test]
fn the_language_decides_validity() {
    // In Wasm 2.0 a shared memory is not valid at all, so the assertion holds there.
    let dir = tempdir();
    let path = write(dir.path(), "threads.wast", THREADS_NOT_INVALID);
    let out = rt()
        .args(["wast", "--wasm", "2.0"])
        .arg(&path)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.lines().last(), Some("1 passed, 0 failed"), "{text}");
    // -W switches one feature off again on top of 3.0: a shared memory becomes invalid.
    let two = write(
        dir.path(),
        "two.wast",
        "(assert_invalid (module (memory 1 1 shared)) \"threads\")\n",
    );
    let on = rt().arg("wast").arg(&two).output().unwrap();
    assert!(
        stdout(&on).contains("unsupported: threads"),
        "{}",
        stdout(&on)
    );
    let off = rt()
        .args(["wast", "-W", "threads=n"])
        .arg(&two)
        .output()
        .unwrap();
    assert!(off.status.success(), "{}", stdout(&off));
}

#[test]
fn directives_on_an_unsupported_module_are_unsupported_too() {
    // Without the taint, the assert_return would run against the first module and fail
    // for a reason that has nothing to do with rt's code.
    let script = "(module (func (export \"f\") (result i32) (i32.const 1)))\n\
                  (module (memory 1 1 shared) (func (export \"f\") (result i32) (i32.const 2)))\n\
                  (assert_return (invoke \"f\") (i32.const 2))\n";
    let dir = tempdir();
    let path = write(dir.path(), "multi.wast", script);
    let text = stdout(&rt().arg("wast").arg(&path).output().unwrap());
    assert!(
        text.contains("multi.wast:2:2: unsupported: threads"),
        "{text}"
    );
    assert!(
        text.contains("multi.wast:3:2: unsupported: threads"),
        "{text}"
    );
    assert_eq!(
        text.lines().last(),
        Some("1 passed, 2 failed (2 of them unsupported: threads)"),
        "{text}"
    );
}

#[test]
fn unknown_feature_or_version_is_an_error() {
    let dir = tempdir();
    let path = write(dir.path(), "x.wast", PASSING);
    let out = rt()
        .args(["wast", "-W", "teleport"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown feature `teleport`"),
        "{}",
        stderr(&out)
    );
    let out = rt()
        .args(["wast", "--wasm", "4.0"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown --wasm version"),
        "{}",
        stderr(&out)
    );
}

/// `-W relaxed-simd-deterministic=y` reaches `rt wast` too: relaxed_swizzle then answers as
/// `i8x16.swizzle` does (an index of 16 or more gives 0) on every host.
#[test]
fn relaxed_simd_deterministic_mode_is_a_wast_flag() {
    let script = "(module (func (export \"s\") (param v128 v128) (result v128)\n\
                  (i8x16.relaxed_swizzle (local.get 0) (local.get 1))))\n\
                  (assert_return (invoke \"s\"\n\
                  (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)\n\
                  (v128.const i8x16 0 1 0x80 16 0 0 0 0 0 0 0 0 0 0 0 31))\n\
                  (v128.const i8x16 1 2 0 0 1 1 1 1 1 1 1 1 1 1 1 0))\n";
    let dir = tempdir();
    let path = write(dir.path(), "det.wast", script);
    let out = rt()
        .args(["wast", "-W", "relaxed-simd-deterministic=y"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}
