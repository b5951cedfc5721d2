//! Typed function references and extended constant expressions beyond the spec scripts:
//! whole programs run with `rt run --invoke`, and modules linked through `rt wast`.
use crate::common::*;
use std::path::Path;
use std::process::Output;

fn invoke(module: &Path, func: &str, args: &[&str]) -> Output {
    rt().arg("run")
        .arg("--invoke")
        .arg(func)
        .arg(module)
        .args(args)
        .output()
        .expect("spawn rt")
}

/// The printed results of a call that must succeed.
fn results(module: &Path, func: &str, args: &[&str]) -> String {
    let out = invoke(module, func, args);
    assert!(
        out.status.success(),
        "{func} {args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

fn assert_trap(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(134), "stderr: {}", stderr(out));
    assert!(
        stderr(out).contains(message),
        "expected `{message}` in: {}",
        stderr(out)
    );
}

/// An operation dispatcher: a table of non-nullable typed references initialised by an
/// expression, an element segment of typed references, `call_ref` through table slots and
/// a nullable global, and the null-handling branches.
const DISPATCH: &str = r#"(module
  (type $binop (func (param i32 i32) (result i32)))
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
  (table $ops 4 (ref $binop) (ref.func $add))
  (elem (table $ops) (i32.const 1) (ref $binop) (ref.func $sub) (ref.func $mul))
  (global $offset i32 (i32.add (i32.const 2) (i32.mul (i32.const 3) (i32.const 4))))
  (global $maybe (mut (ref null $binop)) (ref.null $binop))
  (func $apply (export "apply") (param $op i32) (param i32 i32) (result i32)
    (call_ref $binop (local.get 1) (local.get 2) (table.get $ops (local.get $op))))
  (func (export "offset") (result i32) (global.get $offset))
  ;; -1 while nothing is chosen, else the chosen operation applied.
  (func $maybe (export "maybe") (param i32 i32) (result i32)
    (block $none
      (return (call_ref $binop (local.get 0) (local.get 1)
        (br_on_null $none (global.get $maybe)))))
    (i32.const -1))
  ;; The chosen operation, or $mul when none is.
  (func $or_mul (export "or_mul") (param i32 i32) (result i32)
    (call_ref $binop (local.get 0) (local.get 1)
      (block $some (result (ref $binop))
        (br_on_non_null $some (global.get $maybe))
        (ref.func $mul))))
  ;; Choose slot `op`, then run both null-handling paths with it.
  (func (export "chosen") (param $op i32) (param i32 i32) (result i32 i32)
    (global.set $maybe (table.get $ops (local.get $op)))
    (call $maybe (local.get 1) (local.get 2))
    (call $or_mul (local.get 1) (local.get 2)))
  (func (export "force") (param i32 i32) (result i32)
    (call_ref $binop (local.get 0) (local.get 1) (ref.as_non_null (global.get $maybe))))
  (func (export "call_null") (result i32)
    (call_ref $binop (i32.const 1) (i32.const 2) (ref.null $binop)))
  (func (export "get") (result (ref null $binop)) (global.get $maybe))
  (func (export "first") (result (ref $binop)) (table.get $ops (i32.const 0)))
  (func (export "is_null") (param (ref null $binop)) (result i32) (ref.is_null (local.get 0)))
  ;; A non-nullable local, set before it is read (validation checks that).
  (func (export "local") (param i32 i32) (result i32)
    (local $f (ref $binop))
    (local.set $f (ref.func $sub))
    (call_ref $binop (local.get 0) (local.get 1) (local.get $f)))
)"#;

#[test]
fn call_ref_dispatches_through_a_table_of_typed_references() {
    let d = tempdir();
    let m = write(d.path(), "dispatch.wat", DISPATCH);
    assert_eq!(results(&m, "apply", &["0", "7", "5"]), "12\n");
    assert_eq!(results(&m, "apply", &["1", "7", "5"]), "2\n");
    assert_eq!(results(&m, "apply", &["2", "7", "5"]), "35\n");
    // The slot no segment wrote keeps the table's initialiser.
    assert_eq!(results(&m, "apply", &["3", "7", "5"]), "12\n");
    assert_trap(
        &invoke(&m, "apply", &["4", "7", "5"]),
        "out of bounds table access",
    );
    assert_eq!(results(&m, "local", &["7", "5"]), "2\n");
}

#[test]
fn null_references_branch_or_trap() {
    let d = tempdir();
    let m = write(d.path(), "dispatch.wat", DISPATCH);
    assert_eq!(results(&m, "maybe", &["7", "5"]), "-1\n");
    assert_eq!(results(&m, "or_mul", &["7", "5"]), "35\n");
    assert_eq!(results(&m, "chosen", &["1", "7", "5"]), "2\n2\n");
    assert_eq!(results(&m, "chosen", &["0", "7", "5"]), "12\n12\n");
    assert_trap(&invoke(&m, "force", &["7", "5"]), "null reference");
    assert_trap(&invoke(&m, "call_null", &[]), "null function reference");
}

#[test]
fn typed_references_cross_the_command_line() {
    let d = tempdir();
    let m = write(d.path(), "dispatch.wat", DISPATCH);
    assert_eq!(results(&m, "get", &[]), "null\n");
    assert_eq!(results(&m, "first", &[]), "<funcref>\n");
    assert_eq!(results(&m, "is_null", &["null"]), "1\n");
    let out = invoke(&m, "is_null", &["7"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("argument"), "{}", stderr(&out));
}

#[test]
fn extended_constants_are_evaluated_at_instantiation() {
    let d = tempdir();
    let m = write(
        d.path(),
        "consts.wat",
        r#"(module
  (global $wide i64 (i64.sub (i64.mul (i64.const 3) (i64.const 7)) (i64.const 1)))
  (global $wrap i32 (i32.add (i32.const 0x7fffffff) (i32.const 1)))
  (memory 1)
  ;; (A defined global in a constant expression needs GC: the spec scripts import theirs.)
  (data (i32.add (i32.const 100) (i32.const 4)) "\2a")
  (table 8 funcref)
  (elem (i32.sub (i32.const 8) (i32.const 1)) func $seven)
  (func $seven (result i32) (i32.const 7))
  (func (export "wide") (result i64) (global.get $wide))
  (func (export "wrap") (result i32) (global.get $wrap))
  (func (export "byte") (result i32) (i32.load8_u (i32.const 104)))
  (func (export "elem") (result i32) (call_indirect (result i32) (i32.const 7)))
)"#,
    );
    assert_eq!(results(&m, "wide", &[]), "20\n");
    assert_eq!(results(&m, "wrap", &[]), "-2147483648\n");
    assert_eq!(results(&m, "byte", &[]), "42\n");
    assert_eq!(results(&m, "elem", &[]), "7\n");
}

/// Function types are matched across modules by structure, through the types they name:
/// an import of a typed global or of a function whose parameter is a typed reference links
/// to an export whose type has another index but the same shape, and not to one whose
/// referenced type differs.
#[test]
fn typed_references_link_across_modules_by_structure() {
    let d = tempdir();
    let script = write(
        d.path(),
        "link.wast",
        r#"(module $a
  (type $unused (func (param f64)))
  (type $f (func (result i32)))
  (type $g (func (param (ref $f)) (result i32)))
  (func $one (type $f) (i32.const 1))
  (func (export "run") (type $g) (call_ref $f (local.get 0)))
  (global (export "one") (ref $f) (ref.func $one))
  (table (export "tab") 2 (ref null $f))
)
(register "a" $a)
(module
  (type $f (func (result i32)))
  (type $g (func (param (ref $f)) (result i32)))
  (import "a" "run" (func $run (type $g)))
  (import "a" "one" (global $one (ref $f)))
  (import "a" "one" (global (ref null func)))
  (import "a" "tab" (table 2 (ref null $f)))
  (func (export "go") (result i32) (call $run (global.get $one)))
)
(assert_return (invoke "go") (i32.const 1))
(assert_unlinkable
  (module
    (type $h (func (result i64)))
    (type $g (func (param (ref $h)) (result i32)))
    (import "a" "run" (func (type $g))))
  "incompatible import type")
(assert_unlinkable
  (module (type $h (func (result i64))) (import "a" "one" (global (ref $h))))
  "incompatible import type")
(assert_unlinkable
  (module (type $f (func (result i32))) (import "a" "tab" (table 2 (ref null func))))
  "incompatible import type")
"#,
    );
    let out = rt()
        .args(["wast", "--wasm", "3.0"])
        .arg(&script)
        .output()
        .expect("spawn rt");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("7 passed, 0 failed"),
        "{}",
        stdout(&out)
    );
}
