//! Tail calls are guaranteed: recursion through `return_call`, `return_call_indirect` and
//! tables runs in constant stack however deep it goes. Each program here recurses 100 million
//! calls deep (or dispatches tens of millions of bytecodes), far past what rt's stack holds
//! for ordinary calls (the `runaway` test in run.rs exhausts it), so a tail call that
//! kept its caller's frame would end in a "call stack exhausted" trap instead of the answer.
use crate::common::*;
use std::path::Path;

/// `rt run --invoke FUNC MODULE ARGS...` with the cache off; its stdout, trimmed, after
/// checking that it succeeded.
fn invoke_ok(module: &Path, func: &str, args: &[&str]) -> String {
    let out = rt()
        .env("RT_CACHE", "off")
        .arg("run")
        .arg("--invoke")
        .arg(func)
        .arg(module)
        .args(args)
        .output()
        .expect("spawn rt");
    assert!(out.status.success(), "{func}: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

/// Mutual recursion, even/odd, through direct tail calls and through a table. The indirect
/// pair also passes a dummy f64 and i64 along, so the calls have stack-free but mixed
/// arguments; `mixed` recurses between two functions of different parameter counts, one of
/// them with more parameters than fit in registers (stack arguments, which a tail call to a
/// callee with more of them must make room for) and both with five results (returned
/// through the caller's buffer, which the tail calls pass on).
const EVEN_ODD: &str = r#"(module
  (type $parity (func (param i64 f64 i64) (result i32)))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $even_i $odd_i)

  (func $even (export "even") (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))))))
  (func $odd (export "odd") (param $n i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get $n) (i64.const 1))))))

  (func $even_i (type $parity) (param $n i64) (param $x f64) (param $k i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 1))
      (else (return_call_indirect $t (type $parity)
        (i64.sub (local.get $n) (i64.const 1))
        (f64.add (local.get $x) (f64.const 1))
        (local.get $k)
        (i32.const 1)))))
  (func $odd_i (type $parity) (param $n i64) (param $x f64) (param $k i64) (result i32)
    (if (result i32) (i64.eqz (local.get $n))
      (then (i32.const 0))
      (else (return_call_indirect $t (type $parity)
        (i64.sub (local.get $n) (i64.const 1))
        (local.get $x)
        (i64.add (local.get $k) (i64.const 1))
        (i32.const 0)))))
  (func (export "even_indirect") (param $n i64) (result i32)
    (return_call_indirect $t (type $parity)
      (local.get $n) (f64.const 0) (i64.const 0) (i32.const 0)))

  ;; $wide takes 9 parameters (11 with the two context pointers: 5 on the stack), $narrow
  ;; one; each returns 5 i64s: (the last n, its parity, 7, 8, the narrow calls made).
  (func $wide (param $n i64) (param i64 i64 i64 i64 i64 i64 i64)
    (param $calls i64) (result i64 i64 i64 i64 i64)
    (if (i64.eqz (local.get $n))
      (then (return (local.get 1) (local.get 2) (local.get 3) (local.get 4)
        (local.get $calls))))
    (return_call $narrow (i64.sub (local.get $n) (i64.const 1)) (local.get $calls)))
  (func $narrow (param $n i64) (param $calls i64) (result i64 i64 i64 i64 i64)
    (return_call $wide (local.get $n)
      (local.get $n)
      (i64.and (local.get $n) (i64.const 1))
      (i64.const 7) (i64.const 8) (i64.const 0) (i64.const 0) (i64.const 0)
      (i64.add (local.get $calls) (i64.const 1))))
  (func (export "mixed") (param $n i64) (result i64 i64 i64 i64 i64)
    (return_call $narrow (local.get $n) (i64.const 0)))
)"#;

#[test]
fn mutual_tail_recursion_100_million_deep_runs_in_constant_stack() {
    let d = tempdir();
    let m = write(d.path(), "even_odd.wat", EVEN_ODD);
    assert_eq!(invoke_ok(&m, "even", &["100000000"]), "1");
    assert_eq!(invoke_ok(&m, "odd", &["100000000"]), "0");
    assert_eq!(invoke_ok(&m, "even_indirect", &["100000000"]), "1");
    assert_eq!(invoke_ok(&m, "even_indirect", &["100000001"]), "0");
    // 100 million narrow and wide calls in turn, down to n = 0.
    assert_eq!(
        invoke_ok(&m, "mixed", &["100000000"])
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["0", "0", "7", "8", "100000001"]
    );
}

/// A bytecode interpreter in the style tail calls are for: one function per opcode, each
/// ending in a tail call to the next instruction's handler through a table indexed by the
/// opcode. No handler ever returns until `halt`, so the whole run is one chain of tail calls.
///
/// Machine: pc, accumulator, counter. Opcodes (one byte each, an operand byte after `jnz`):
/// 0 halt, 1 acc += counter, 2 counter -= 1, 3 jnz (jump to the operand if counter != 0),
/// 4 acc = acc * 3 mod 2^64 (unused by the program, there to make the table wider).
const INTERPRETER: &str = r#"(module
  (type $op (func (param $pc i32) (param $acc i64) (param $n i64) (result i64)))
  (memory 1)
  ;; sum = 0; do { sum += n; n -= 1 } while (n != 0); return sum
  (data (i32.const 0) "\01\02\03\00\00")
  (table $ops 5 funcref)
  (elem (table $ops) (i32.const 0) func $halt $add $dec $jnz $triple)

  (func $next (param $pc i32) (param $acc i64) (param $n i64) (result i64)
    (return_call_indirect $ops (type $op)
      (local.get $pc) (local.get $acc) (local.get $n)
      (i32.load8_u (local.get $pc))))
  (func $halt (type $op) (param $pc i32) (param $acc i64) (param $n i64) (result i64)
    (local.get $acc))
  (func $add (type $op) (param $pc i32) (param $acc i64) (param $n i64) (result i64)
   
    (return_call $next (i32.add (local.get $pc) (i32.const 1))
      (i64.add (local.get $acc) (local.get $n)) (local.get $n)))
  (func $dec (type $op) (param $pc i32) (param $acc i64) (param $n i64) (result i64)
   
    (return_call $next (i32.add (local.get $pc) (i32.const 1))
      (local.get $acc) (i64.sub (local.get $n) (i64.const 1))))
  (func $jnz (type $op) (param $pc i32) (param $acc i64) (param $n i64) (result i64)
   
    (return_call $next
      (select
        (i32.load8_u offset=1 (local.get $pc))
        (i32.add (local.get $pc) (i32.const 2))
        (i64.ne (local.get $n) (i64.const 0)))
      (local.get $acc) (local.get $n)))
  (func $triple (type $op) (param $pc i32) (param $acc i64) (param $n i64) (result i64)
   
    (return_call $next (i32.add (local.get $pc) (i32.const 1))
      (i64.mul (local.get $acc) (i64.const 3)) (local.get $n)))
  (func (export "sum") (param $n i64) (result i64)
    (return_call $next (i32.const 0) (i64.const 0) (local.get $n)))
)"#;

#[test]
fn a_tail_calling_bytecode_interpreter_runs_in_constant_stack() {
    let d = tempdir();
    let m = write(d.path(), "interp.wat", INTERPRETER);
    assert_eq!(invoke_ok(&m, "sum", &["4"]), "10");
    // 3 bytecodes per iteration, each a handler call and a dispatch: 60 million tail calls.
    assert_eq!(invoke_ok(&m, "sum", &["10000000"]), "50000005000000");
}
