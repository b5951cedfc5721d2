//! What the fuzzers (fuzz/, docs/fuzzing.md) found, kept as end-to-end tests. A case whose
//! fix is not in yet is ignored with the reason, so it runs with `--include-ignored` and
//! starts guarding the fix once the `ignore` is removed.
use crate::common::rt_output;

/// Run `--invoke NAME` on a text module and return (exit code, stdout).
fn invoke(wat: &str, name: &str, args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.wat");
    std::fs::write(&path, wat).unwrap();
    let mut argv = vec!["run", "--invoke", name, path.to_str().unwrap()];
    argv.extend_from_slice(args);
    let out = rt_output(&argv);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

/// The differential target's first divergence (a SIGSEGV at address 0 in rt, wasmi fine):
/// with eight f64 parameters the vector registers are used up, so a v128 parameter went on
/// the stack, 16-byte aligned, and an f64 after it too; LLVM's `tailcc` caller reserved 16
/// bytes more than the callee popped, and the call from the host (through the trampoline)
/// returned to address 0. Such a v128 now travels as two i64s (`env::v128_split`);
/// tests/cli/signatures.rs covers the whole class.
#[test]
fn host_call_with_stack_v128_then_f64_param() {
    let wat = r#"(module
      (func (export "f")
        (param f64 f64 f64 f64 f64 f64 f64 f64 v128 f64) (result f64)
        (local.get 9)))"#;
    let zeros = ["0"; 9];
    let mut args = zeros.to_vec();
    args.push("2.5");
    assert_eq!(invoke(wat, "f", &args), (Some(0), "2.5".to_string()));
}

/// The same signature called from wasm through `call_indirect` (so not inlined) crashes too:
/// the caller and the callee disagree on the stack-argument area.
#[test]
fn indirect_call_with_stack_v128_then_f64_param() {
    let wat = r#"(module
      (type $t (func (param f64 f64 f64 f64 f64 f64 f64 f64 v128 f64) (result f64)))
      (table funcref (elem $f))
      (func $f (type $t) (local.get 9))
      (func (export "g") (param i32) (result f64)
        (call_indirect (type $t)
          (f64.const 0) (f64.const 0) (f64.const 0) (f64.const 0)
          (f64.const 0) (f64.const 0) (f64.const 0) (f64.const 0)
          (v128.const i64x2 0 0) (f64.const 2.5) (local.get 0))))"#;
    assert_eq!(invoke(wat, "g", &["0"]), (Some(0), "2.5".to_string()));
}

/// Seven f64s leave a vector register for the v128, so nothing follows it on the stack:
/// this shape works and must keep working.
#[test]
fn host_call_with_register_v128_then_stack_f64_param() {
    let wat = r#"(module
      (func (export "f")
        (param f64 f64 f64 f64 f64 f64 f64 v128 f64) (result f64)
        (local.get 8)))"#;
    let mut args = ["0"; 8].to_vec();
    args.push("2.5");
    assert_eq!(invoke(wat, "f", &args), (Some(0), "2.5".to_string()));
}
