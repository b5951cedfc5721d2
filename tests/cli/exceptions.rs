//! Wasm exceptions end to end: a throw deep in a call chain (through `call_indirect`) caught
//! with its payload, an exception escaping `--invoke` and `_start` (reported, with the exit
//! status, as the wasmtime CLI reports it), and the legacy exception form refused.
use crate::common::*;
use std::path::Path;
use std::process::{Command, Output};

/// A throw 40 calls down, every other one through `call_indirect`, caught by the entry with
/// an i32, an i64, an f64 and a v128; locals the try_table body assigns keep their values in
/// the handler; try_tables left by `br`, `br_if` and `return` no longer catch.
const DEEP: &str = r#"(module
  (tag $e (param i32 i64 f64 v128))
  (tag $small (param i32))
  (type $t (func (param i32)))
  (table 2 funcref)
  (elem (i32.const 0) $thrower $middle)
  (func $thrower (param $n i32)
    (throw $e (local.get $n) (i64.const -5) (f64.const 2.5) (v128.const i32x4 1 2 3 4)))
  (func $middle (param $n i32)
    (if (i32.eqz (local.get $n))
      (then (call_indirect (type $t) (i32.const 7) (i32.const 0)))
      (else (call_indirect (type $t) (i32.sub (local.get $n) (i32.const 1)) (i32.const 1)))))
  (func (export "deep") (param $n i32) (result i32 i64 f64 v128)
    (block $h (result i32 i64 f64 v128)
      (try_table (catch $e $h) (call $middle (local.get $n)))
      (unreachable)))
  (func (export "local") (param $n i32) (result i32)
    (local $x i32)
    (block $h
      (try_table (catch_all $h)
        (local.set $x (i32.const 1))
        (loop $l
          (local.set $x (i32.add (local.get $x) (local.get $x)))
          (br_if $l (i32.lt_u (local.get $x) (local.get $n))))
        (call $middle (i32.const 3)))
      (return (i32.const -1)))
    (local.get $x))
  (func (export "loop") (param $n i32) (result i32)
    (local $i i32)
    (block $h (result i32)
      (try_table (result i32) (catch $small $h)
        (loop $l
          (block $b
            (try_table (catch_all $b)
              (br_if $b (i32.and (local.get $i) (i32.const 1)))
              (throw $small (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (throw $small (i32.mul (local.get $i) (i32.const 10))))))
  (func (export "rethrow") (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $small $outer)
        (block $inner (result exnref)
          (try_table (catch_all_ref $inner) (throw $small (i32.const 99)))
          (unreachable))
        (throw_ref))))
  (func $early (result i32)
    (block $h (try_table (catch_all $h) (return (i32.const 5))))
    (i32.const 6))
  (func (export "after_return") (result i32)
    (drop (call $early))
    (throw $small (i32.const 1)))
  (func (export "_start") (drop (call $early)) (throw $small (i32.const 2))))"#;

fn invoke(module: &Path, func: &str, args: &[&str]) -> Output {
    rt().env("RT_CACHE", "off")
        .arg("run")
        .arg("--invoke")
        .arg(func)
        .arg(module)
        .args(args)
        .output()
        .expect("spawn rt")
}

#[test]
fn a_deep_throw_is_caught_with_its_payload() {
    let d = tempdir();
    let m = write(d.path(), "deep.wat", DEEP);
    // v128 results print as one unsigned number, lane 0 in the low bits.
    let v = (1u128 | (2 << 32) | (3 << 64) | (4 << 96)).to_string();
    for depth in ["0", "1", "40"] {
        let out = invoke(&m, "deep", &[depth]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), format!("7\n-5\n2.5\n{v}\n"));
    }
    assert_eq!(stdout(&invoke(&m, "local", &["100"])), "128\n");
    assert_eq!(stdout(&invoke(&m, "loop", &["11"])), "110\n");
    assert_eq!(stdout(&invoke(&m, "rethrow", &[])), "99\n");
}

/// An exception no handler catches ends the call: `rt run` reports it as wasmtime does,
/// with wasmtime's exit status (1: an error, not a trap's abort).
#[test]
fn an_exception_escaping_invoke_or_start_is_reported() {
    let d = tempdir();
    let m = write(d.path(), "deep.wat", DEEP);
    for out in [
        invoke(&m, "after_return", &[]),
        rt().env("RT_CACHE", "off")
            .arg("run")
            .arg(&m)
            .output()
            .unwrap(),
    ] {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: thrown Wasm exception\n"), "{err}");
        assert!(err.contains("wasm backtrace:"), "{err}");
        assert!(!err.contains("wasm trap"), "{err}");
    }
}

/// The same two runs under the pinned wasmtime CLI end with the same status and message.
#[test]
#[cfg_attr(
    rt_no_wasmtime,
    ignore = "needs the pinned wasmtime CLI (make wasmtime)"
)]
fn an_escaping_exception_ends_rt_as_it_ends_wasmtime() {
    let d = tempdir();
    let m = write(d.path(), "deep.wat", DEEP);
    let wasmtime = wasmtime();
    for args in [vec!["--invoke", "after_return"], vec![]] {
        let theirs = Command::new(&wasmtime)
            .env("RUST_BACKTRACE", "0")
            .args(["run", "-W", "exceptions=y"])
            .args(&args)
            .arg(&m)
            .output()
            .expect("run wasmtime");
        let ours = rt()
            .env("RT_CACHE", "off")
            .arg("run")
            .args(&args)
            .arg(&m)
            .output()
            .unwrap();
        assert_eq!(ours.status.code(), theirs.status.code(), "{args:?}");
        assert!(stderr(&theirs).contains("thrown Wasm exception"));
        assert!(stderr(&ours).contains("thrown Wasm exception"));
    }
}

/// The same module as a spec script: every directive passes.
#[test]
fn the_deep_module_passes_as_a_script() {
    wast_passes(
        "deep.wast",
        &format!(
            "{DEEP}\n{}",
            r#"(assert_return (invoke "deep" (i32.const 40))
  (i32.const 7) (i64.const -5) (f64.const 2.5) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "loop" (i32.const 11)) (i32.const 110))
(assert_exception (invoke "after_return"))
(assert_return (invoke "rethrow") (i32.const 99))"#
        ),
    );
}

fn assert_legacy_refused(out: &Output) {
    assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
    let err = stderr(out);
    assert!(err.contains("legacy exception handling"), "{err}");
    assert!(err.contains("try_table"), "{err}");
}

/// The pre-standard try/catch form is no Wasm 3.0: refused, saying what it is.
#[test]
fn legacy_exceptions_are_refused_with_a_clear_message() {
    let d = tempdir();
    let m = write(
        d.path(),
        "legacy.wat",
        "(module (tag $e) (func (export \"f\") try throw $e catch $e end))",
    );
    assert_legacy_refused(&invoke(&m, "f", &[]));
}

/// What clang-16 makes of C++ `try`/`catch` with -fwasm-exceptions is that legacy form.
#[test]
fn clang16_exceptions_are_refused_with_a_clear_message() {
    let d = tempdir();
    let src = write(
        d.path(),
        "legacy.cpp",
        r#"extern "C" void may_throw(int);
extern "C" int guarded(int x) {
  try { may_throw(x); } catch (...) { return -1; }
  return 0;
}"#,
    );
    let wasm = d.path().join("legacy.wasm");
    let out = Command::new("clang-16")
        .args(["--target=wasm32", "-fwasm-exceptions", "-O1", "-nostdlib"])
        .args([
            "-Wl,--no-entry",
            "-Wl,--export=guarded",
            "-Wl,--allow-undefined",
        ])
        .arg("-o")
        .arg(&wasm)
        .arg(&src)
        .output()
        .expect("clang-16 (installed by make setup)");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_legacy_refused(&invoke(&wasm, "guarded", &["1"]));
}
