//! `-W unknown-imports-trap=y` and `-W unknown-imports-default=y`: function imports nothing
//! defines either fail when called (with instantiation's message, exit 1 as wasmtime) or
//! return zeros; without them instantiation fails.
use crate::common::*;
use std::process::Output;

const MODULE: &str = r#"(module
  (import "env" "missing" (func $m (param i32) (result i32 i64 funcref)))
  (func (export "call") (result i32 i64)
    (call $m (i32.const 1))
    (if (ref.is_null) (then) (else unreachable)))
  (func (export "ok") (result i32) (i32.const 5)))"#;

fn run(switch: Option<&str>, func: &str) -> Output {
    let dir = tempdir();
    let m = write(dir.path(), "imports.wat", MODULE);
    let mut cmd = rt();
    cmd.env("RT_CACHE", "off").arg("run");
    if let Some(w) = switch {
        cmd.args(["-W", w]);
    }
    cmd.args(["--invoke", func])
        .arg(&m)
        .output()
        .expect("spawn rt")
}

const UNKNOWN: &str = "unknown import: `env::missing` has not been defined";

#[test]
fn unknown_imports_fail_instantiation_by_default() {
    let out = run(None, "ok");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(UNKNOWN), "{}", stderr(&out));
}

#[test]
fn unknown_imports_trap_when_called() {
    let ok = run(Some("unknown-imports-trap=y"), "ok");
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(stdout(&ok), "5\n");
    let out = run(Some("unknown-imports-trap"), "call");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("error: {UNKNOWN}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unknown_imports_default_return_zeros() {
    let out = run(Some("unknown-imports-default=y"), "call");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "0\n0\n");
}
