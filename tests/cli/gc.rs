//! Wasm GC end to end: a churn loop that allocates far more than the heap limit runs in
//! bounded memory (the collector reclaims), a program that keeps everything stops with the
//! heap-limit trap, and type canonicalisation with subtyping across modules.
use crate::common::{rt, stderr, stdout, tempdir, wast_passes, write};

/// A linked list rebuilt from scratch every 1000 nodes: the live set stays at most 1000
/// nodes while `churn` allocates `n`. Its result, the sum of the final list's values,
/// checks that the live nodes survived every collection intact.
const CHURN: &str = r#"
(module
  (type $node (struct (field $v i64) (field $next (ref null $node))))
  (func (export "churn") (param $n i64) (result i64)
    (local $i i64) (local $head (ref null $node)) (local $sum i64) (local $p (ref null $node))
    (loop $l
      (local.set $head (struct.new $node (local.get $i) (local.get $head)))
      (if (i64.eqz (i64.rem_u (local.get $i) (i64.const 1000)))
        (then (local.set $head (struct.new $node (local.get $i) (ref.null $node)))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (local.get $n))))
    (local.set $p (local.get $head))
    (block $done
      (loop $s
        (br_if $done (ref.is_null (local.get $p)))
        (local.set $sum (i64.add (local.get $sum) (struct.get $node $v (local.get $p))))
        (local.set $p (struct.get $node $next (local.get $p)))
        (br $s)))
    (local.get $sum))
  (global $keep (mut (ref null $node)) (ref.null $node))
  (func (export "hoard") (param $n i64)
    (local $i i64)
    (loop $l
      (global.set $keep (struct.new $node (local.get $i) (global.get $keep)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (local.get $n)))))
)
"#;

/// Run `cmd` to completion and return its exit status, stdout and peak RSS in KiB (from
/// the kernel's accounting of the child, `wait4`, which also reaps it).
#[allow(clippy::zombie_processes)]
fn run_measured(cmd: &mut std::process::Command) -> (i32, String, i64) {
    use std::io::Read;
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn rt");
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut out)
        .expect("read stdout");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the child is ours and not yet reaped.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    (libc::WEXITSTATUS(status), out, usage.ru_maxrss)
}

#[test]
fn a_churn_loop_allocating_far_past_the_heap_limit_runs_in_bounded_memory() {
    let dir = tempdir();
    let wat = write(dir.path(), "churn.wat", CHURN);
    // 100 million 24-byte structs (2.4 GB of allocation, 150 times the 16 MiB limit).
    let n: u64 = 100_000_000;
    let (code, out, peak_kib) = run_measured(
        rt().args(["run", "-W", "max-gc-heap=16M", "--invoke", "churn"])
            .arg(&wat)
            .arg(n.to_string()),
    );
    // The list was last restarted at the last multiple of 1000 below n.
    let last = (n - 1) / 1000 * 1000;
    let want: u64 = (last..n).sum();
    assert_eq!((code, out.trim()), (0, want.to_string().as_str()));
    assert!(peak_kib < 256 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn keeping_everything_stops_at_the_heap_limit_with_a_clear_trap() {
    let dir = tempdir();
    let wat = write(dir.path(), "churn.wat", CHURN);
    let out = rt()
        .args(["run", "-W", "max-gc-heap=4M", "--invoke", "hoard"])
        .arg(&wat)
        .arg("100000000")
        .output()
        .expect("spawn rt");
    assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("allocation failed: the GC heap is full"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn types_are_canonical_across_modules_and_indirect_calls_respect_subtyping() {
    wast_passes(
        "canon.wast",
        r#"
(module $a
  (rec (type $base (sub (func (result i32)))) (type $pad (struct)))
  (type $sub (sub final $base (func (result i32))))
  (type $other (func (result i32)))
  (func $f (export "f") (type $sub) (i32.const 7))
  (func $g (export "g") (type $other) (i32.const 8))
  (table (export "t") 2 funcref)
  (elem (i32.const 0) func $f $g)
  (func (export "via-base") (param i32) (result i32)
    (call_indirect (type $base) (local.get 0)))
  (func (export "via-sub") (param i32) (result i32)
    (call_indirect (type $sub) (local.get 0)))
)
(register "a" $a)
;; A subtype's function is callable through its supertype; an unrelated final type with the
;; same signature is not a subtype of either.
(assert_return (invoke "via-base" (i32.const 0)) (i32.const 7))
(assert_return (invoke "via-sub" (i32.const 0)) (i32.const 7))
(assert_trap (invoke "via-base" (i32.const 1)) "indirect call type mismatch")
(assert_trap (invoke "via-sub" (i32.const 1)) "indirect call type mismatch")
;; Another module defining the same groups gets the same types: its import of `f` as
;; `$sub` links, and its call_indirect through the shared table checks against them.
(module $b
  (rec (type $base (sub (func (result i32)))) (type $pad (struct)))
  (type $sub (sub final $base (func (result i32))))
  (import "a" "f" (func (type $sub)))
  (import "a" "f" (func $as-base (type $base)))
  (import "a" "t" (table 2 funcref))
  (func (export "call") (param i32) (result i32)
    (call_indirect (type $base) (local.get 0)))
)
(assert_return (invoke "call" (i32.const 0)) (i32.const 7))
(assert_trap (invoke "call" (i32.const 1)) "indirect call type mismatch")
;; The same function type outside the recursion group is a different type.
(assert_unlinkable
  (module
    (type $base (sub (func (result i32))))
    (type $sub (sub final $base (func (result i32))))
    (import "a" "f" (func (type $sub))))
  "incompatible import type")
"#,
    );
}

#[test]
fn gc_values_cross_the_host_boundary() {
    wast_passes(
        "values.wast",
        r#"
(module
  (type $s (struct (field (mut i32)) (field i8)))
  (type $a (array (mut i16)))
  (global $g (mut anyref) (struct.new $s (i32.const 1) (i32.const 300)))
  (func (export "i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
  (func (export "s") (result anyref) (global.get $g))
  (func (export "a") (result (ref $a)) (array.new $a (i32.const -1) (i32.const 3)))
  (func (export "get-u") (param (ref $a)) (result i32) (array.get_u $a (local.get 0) (i32.const 2)))
  (func (export "packed") (result i32) (struct.get_s $s 1 (ref.cast (ref $s) (global.get $g))))
  (func (export "round") (param externref) (result externref)
    (extern.convert_any (any.convert_extern (local.get 0))))
  (func (export "same-i31") (param i32 i32) (result i32)
    (ref.eq (ref.i31 (local.get 0)) (ref.i31 (local.get 1))))
  (func (export "same-struct") (result i32)
    (ref.eq (ref.cast eqref (global.get $g)) (ref.cast eqref (global.get $g))))
  (func (export "new-struct") (result i32)
    (ref.eq (struct.new $s (i32.const 1) (i32.const 2)) (struct.new $s (i32.const 1) (i32.const 2))))
)
(assert_return (invoke "i31" (i32.const -1)) (ref.i31))
(assert_return (invoke "s") (ref.struct))
(assert_return (invoke "a") (ref.array))
(assert_return (invoke "packed") (i32.const 44))
(assert_return (invoke "round" (ref.extern 5)) (ref.extern 5))
(assert_return (invoke "round" (ref.null extern)) (ref.null extern))
(assert_return (invoke "same-i31" (i32.const 3) (i32.const 0x80000003)) (i32.const 1))
(assert_return (invoke "same-i31" (i32.const 3) (i32.const 4)) (i32.const 0))
(assert_return (invoke "same-struct") (i32.const 1))
(assert_return (invoke "new-struct") (i32.const 0))
"#,
    );
}

/// Binary trees built and checked while a collection runs at every allocation
/// (`RT_GC_STRESS=1`): a reference the collector failed to find on the wasm stack, in a
/// callee-saved register or in an object would be freed and the checksum would go wrong.
#[test]
fn references_survive_a_collection_at_every_allocation() {
    let dir = tempdir();
    let wat = write(
        dir.path(),
        "trees.wat",
        r#"(module
  (type $t (struct (field $l (ref null $t)) (field $r (ref null $t)) (field $v i32)))
  (type $arr (array (mut (ref null $t))))
  (func $make (param $d i32) (result (ref $t))
    (if (result (ref $t)) (i32.eqz (local.get $d))
      (then (struct.new $t (ref.null $t) (ref.null $t) (i32.const 1)))
      (else (struct.new $t
        (call $make (i32.sub (local.get $d) (i32.const 1)))
        (call $make (i32.sub (local.get $d) (i32.const 1)))
        (local.get $d)))))
  (func $check (param $n (ref null $t)) (result i32)
    (if (result i32) (ref.is_null (local.get $n)) (then (i32.const 0))
      (else (i32.add (struct.get $t $v (local.get $n))
        (i32.add (call $check (struct.get $t $l (local.get $n)))
                 (call $check (struct.get $t $r (local.get $n))))))))
  (func (export "run") (param $depth i32) (param $iters i32) (result i32)
    (local $long (ref $t)) (local $sum i32) (local $i i32) (local $keep (ref $arr))
    (local.set $long (call $make (local.get $depth)))
    (local.set $keep (array.new_default $arr (i32.const 8)))
    (loop $l
      (array.set $arr (local.get $keep) (i32.and (local.get $i) (i32.const 7))
        (call $make (i32.const 4)))
      (local.set $sum (i32.add (local.get $sum) (call $check (call $make (i32.const 5)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $iters))))
    (local.set $i (i32.const 0))
    (loop $k
      (local.set $sum (i32.add (local.get $sum)
        (call $check (array.get $arr (local.get $keep) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $k (i32.lt_u (local.get $i) (i32.const 8))))
    (i32.add (local.get $sum) (call $check (local.get $long))))
)"#,
    );
    // check(d) = d + 2 check(d - 1), check(0) = 1.
    let check = |d: u32| (1..=d).fold(1u32, |c, d| d + 2 * c);
    let want = 12 * check(5) + 8 * check(4) + check(7);
    let out = rt()
        .env("RT_GC_STRESS", "1")
        .args(["run", "--invoke", "run"])
        .arg(&wat)
        .args(["7", "12"])
        .output()
        .expect("spawn rt");
    assert_eq!(stdout(&out).trim(), want.to_string(), "{}", stderr(&out));
}

/// `rt objdump -x` shows struct and array types (wabt 1.0.32 reads none, so the form is
/// rt's own) instead of taking them for function types.
#[test]
fn objdump_shows_struct_and_array_types() {
    let dir = tempdir();
    let wat = write(
        dir.path(),
        "types.wat",
        "(module (type (struct (field i32) (field (mut i64)) (field i8)))
                 (type (array (mut i16))) (type (func (param i32))))",
    );
    let out = rt()
        .args(["objdump", "-x"])
        .arg(&wat)
        .output()
        .expect("spawn rt");
    let text = stdout(&out);
    assert!(
        text.contains(" - type[0] struct (i32, mut i64, i8)"),
        "{text}"
    );
    assert!(text.contains(" - type[1] array mut i16"), "{text}");
    assert!(text.contains(" - type[2] (i32) -> nil"), "{text}");
}

/// Slots are reused without being cleared (compiled code allocates in line and stores the
/// fields itself), so an object made where garbage with every bit set died must still read
/// as new: `struct.new_default` and `array.new_default` zeroed, `array.new_fixed` holding
/// exactly its operands. Meanwhile a kept chain of structs holding an i31, a function
/// reference (which the collector must not take for an object) and the next node survives
/// the collections the loop causes intact.
#[test]
fn reused_slots_read_as_new_objects() {
    wast_passes(
        "reuse.wast",
        r#"
(module
  (type $big (struct (field (mut i64)) (field (mut i64)) (field (mut i64))))
  (type $fx (array (mut i64)))
  (type $node (struct (field (mut anyref)) (field funcref) (field (mut (ref null $node)))))
  (func $f)
  (elem declare func $f)
  (func $zero3 (param $s (ref $big)) (param $a (ref $fx)) (result i32)
    (i64.eqz (i64.or
      (i64.or (struct.get $big 0 (local.get $s))
        (i64.or (struct.get $big 1 (local.get $s)) (struct.get $big 2 (local.get $s))))
      (i64.or (array.get $fx (local.get $a) (i32.const 0))
        (i64.or (array.get $fx (local.get $a) (i32.const 1))
                (array.get $fx (local.get $a) (i32.const 2)))))))
  (func (export "fresh") (param $n i32) (result i32)
    (local $ok i32) (local $keep (ref null $node)) (local $fixed (ref $fx)) (local $sum i32)
    (local.set $ok (i32.const 1))
    (loop $l
      (drop (struct.new $big (i64.const -1) (i64.const -1) (i64.const -1)))
      (drop (array.new_fixed $fx 3 (i64.const -1) (i64.const -1) (i64.const -1)))
      (local.set $ok (i32.and (local.get $ok)
        (call $zero3 (struct.new_default $big) (array.new_default $fx (i32.const 3)))))
      (local.set $fixed (array.new_fixed $fx 3 (i64.const 1) (i64.const 2) (i64.const 3)))
      (local.set $ok (i32.and (local.get $ok) (i64.eq (i64.const 6)
        (i64.add (array.get $fx (local.get $fixed) (i32.const 0))
          (i64.add (array.get $fx (local.get $fixed) (i32.const 1))
                   (array.get $fx (local.get $fixed) (i32.const 2)))))))
      (local.set $ok (i32.and (local.get $ok)
        (i32.eq (array.len (local.get $fixed)) (i32.const 3))))
      (local.set $keep (struct.new $node (ref.i31 (local.get $n)) (ref.func $f) (local.get $keep)))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l))
    (block $done (loop $walk
      (br_if $done (ref.is_null (local.get $keep)))
      (local.set $sum (i32.add (local.get $sum)
        (i31.get_u (ref.cast (ref i31) (struct.get $node 0 (local.get $keep))))))
      (local.set $ok (i32.and (local.get $ok)
        (ref.test (ref $f) (struct.get $node 1 (local.get $keep)))))
      (local.set $keep (struct.get $node 2 (local.get $keep)))
      (br $walk)))
    (select (local.get $sum) (i32.const -1) (local.get $ok)))
  (type $f (func))
)
;; 50000 rounds allocate about 10 MiB, several collections' worth.
(assert_return (invoke "fresh" (i32.const 50000)) (i32.const 1250025000))
"#,
    );
}
