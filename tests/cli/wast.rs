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
