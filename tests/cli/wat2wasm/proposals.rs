//! Modules beyond the spec suite, one per proposal wabt 1.0.32 can write, compared with wabt
//! under `--enable-all`: bytes and `-v` log, with and without `--debug-names`.
use super::differential::{compare, Outcome};
use crate::common::*;

const MODULES: &[(&str, &str)] = &[
    (
        "threads atomics",
        r#"(module (memory 1 1 shared)
  (func (param i32) (result i64)
    (drop (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const -1)))
    (drop (memory.atomic.wait64 offset=8 (local.get 0) (i64.const 0) (i64.const -1)))
    (i64.atomic.store32 (local.get 0) (i64.const 5))
    (drop (i32.atomic.rmw16.cmpxchg_u (local.get 0) (i32.const 1) (i32.const 2)))
    (drop (i64.atomic.rmw.xchg offset=16 (local.get 0) (i64.const 9)))
    (i64.atomic.load (local.get 0))))"#,
    ),
    (
        "legacy exceptions",
        r#"(module
  (tag $e (param i32))
  (tag $e2)
  (func $f (result i32)
    try (result i32)
      i32.const 1
      throw $e
    catch $e
    catch $e2
      i32.const 3
    catch_all
      try
        rethrow 1
      delegate 0
      i32.const 4
    end))"#,
    ),
    (
        "tail calls",
        r#"(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (func $f (type $t) (return_call $f (local.get 0)))
  (func $g (type $t) (return_call_indirect (type $t) (local.get 0) (i32.const 0))))"#,
    ),
    (
        "memory64 and multi-memory",
        r#"(module
  (memory $m i64 1 100)
  (memory $n 2)
  (data (memory $n) (i32.const 8) "abc")
  (data (i64.const 4) "xyz")
  (func (param i64) (result i32)
    (i32.load offset=0x10000 (local.get 0))
    (i64.store $m (i64.const 0) (i64.const 1))
    (drop (memory.grow $m (i64.const 1)))
    (memory.copy $m $m (i64.const 0) (i64.const 0) (i64.const 1))
    (i32.load8_u $n (i32.const 3))
    i32.add))"#,
    ),
    (
        "extended constant expressions",
        r#"(module
  (import "m" "a" (global $a i32))
  (global $b i32 (i32.add (global.get $a) (i32.const 2)))
  (global $c i64 (i64.mul (i64.const 3) (i64.sub (i64.const 4) (i64.const 1))))
  (memory 1)
  (data (i32.add (global.get $a) (i32.const 16)) "hi"))"#,
    ),
    (
        "relaxed SIMD",
        r#"(module (func (param v128 v128 v128)
  (drop (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (drop (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (drop (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (drop (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (drop (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (drop (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (drop (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  (drop (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))))"#,
    ),
    (
        "block types, typed select, empty else",
        r#"(module
  (type $v (func))
  (type $r (func (result i32)))
  (type $pr (func (param i32) (result i32)))
  (func (result i32)
    (block (type $v))
    (block (type $r) (i32.const 1)) drop
    (i32.const 2)
    (block (type $pr) (param i32) (result i32))
    (if (type $r) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))) drop
    (loop (param i32) (result i32 i32) (i32.const 0))
    drop
    (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)) drop
    (if (i32.const 0) (then) (else))
    (if (i32.const 0) (then nop) (else))
    ))"#,
    ),
    (
        "implicit and explicit types in mixed order",
        r#"(module (import "m" "f" (func $imp (param f64 f64)))
  (func $a (param i64))
  (type $t (func (param i32)))
  (func $b (param i32))
  (func $c (param f32) (result f32) local.get 0)
  (type $u (func (param f32) (result f32)))
  (func $d (type $u) (local.get 0))
  (func $e (call_indirect (param i64 i64) (i64.const 0) (i64.const 1) (i32.const 0)))
  (table 1 funcref)
  (func $g (i32.const 5) (block (param i32) (result i32 i32) (i32.const 1)) drop drop)
)"#,
    ),
    (
        "duplicate types and multi-value blocks",
        r#"(module
  (type (func))
  (type (func))
  (func (type 1))
  (func)
  (func (result i32) (i32.const 0) (block (result i32 i64) (i32.const 1) (i64.const 2)) drop drop)
  (type (func (result i32 i64)))
)"#,
    ),
    (
        "names of every kind",
        r#"(module $m
  (type $t (func (param $x i32)))
  (import "a" "b" (func (param i32)))
  (import "a" "c" (func $named (param $q i32)))
  (func (type $t) (local $y i64))
  (func $f (param i32) (local $x i32) (local i64) (local $z f32))
  (func (export "e") (param $p i32) (param $p2 i32) (result i32) (local.get $p))
  (global $g0 i32 (i32.const 0))
  (global i32 (i32.const 1))
  (global $g2 i32 (i32.const 2))
  (elem $passive func $f)
  (elem declare func $f)
  (data $d "x")
  (memory 1)
  (table $tbl 1 funcref)
)"#,
    ),
    (
        "lane loads, atomics, exceptions, memory indices",
        r#"(module
  (import "m" "t" (table $it 1 funcref))
  (import "m" "mm" (memory $im 1 2 shared))
  (import "m" "g" (global $ig (mut i64)))
  (import "m" "tg" (tag $itag (param i32)))
  (memory $m2 1)
  (tag $t (param i32))
  (func $f (param i32) (result i32)
    (v128.load8_lane 1 (i32.const 0) (v128.const i32x4 0 0 0 0)) drop
    (v128.store16_lane offset=2 align=1 3 (i32.const 0) (v128.const i32x4 0 0 0 0))
    (i32.atomic.rmw.add offset=4 (i32.const 0) (i32.const 1)) drop
    (memory.atomic.notify (i32.const 0) (i32.const 1)) drop
    atomic.fence
    (i32.load $m2 offset=3 (i32.const 0)) drop
    (i64.load32_s 1 (i32.const 0)) drop
    (memory.size $m2) drop
    try (result i32)
      (throw $t (i32.const 1))
    catch $t
    catch_all
      i32.const 2
    end
    drop
    (return_call $f (local.get 0)))
  (func $g (param i32) (result i32)
    (return_call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
)"#,
    ),
    (
        "GC struct and array types",
        r#"(module (type $s (struct (field i32) (field (mut i64)) (field $f f32))) (type $a (array (mut i32))) (type (func)) (func (type 2)))"#,
    ),
    (
        "GC and function types named",
        r#"(module (type $s (struct (field i32))) (type $f (func)) (type $a (array i32)) (type $g (func)))"#,
    ),
    (
        "multi-memory memory.copy and table.copy",
        r#"(module (memory $a 1) (memory $b 1) (func (memory.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0)) (table.copy $t1 $t0 (i32.const 0) (i32.const 0) (i32.const 0))) (table $t0 1 funcref) (table $t1 1 funcref))"#,
    ),
    (
        "imports of every kind and tags",
        r#"(module $mod
  (type $t (func (param i32)))
  (import "m" "f" (func $imp (param i32)))
  (import "m" "g" (global $ig i32))
  (func $f (param $p i32) (param i64) (local $l f32) (local f32 f64)
    block $b
      local.get $p
      br_if $b
    end)
  (func (export "x") (type $t))
  (table $tab 1 funcref)
  (memory $mem 1)
  (global $g (mut i32) (i32.const 0))
  (elem $e (i32.const 0) $f)
  (data $d (i32.const 0) "hi")
  (tag $tag)
)"#,
    ),
    (
        "annotations: read and dropped, (@name) does not rename",
        r#"(module (@custom "hello" "world")
  (func $f (@name "nice") (param $p (@name "pp") i32)))"#,
    ),
];

#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
fn proposal_modules_are_byte_identical_to_wabt_with_enable_all() {
    let wabt = wabt("wat2wasm");
    let dir = tempdir();
    let mut failures = Vec::new();
    let mut identical = 0;
    for (i, (label, text)) in MODULES.iter().enumerate() {
        let before = failures.len();
        let wat = write(dir.path(), &format!("proposal{i}.wat"), text);
        for flags in [&["--enable-all"][..], &["--enable-all", "--debug-names"]] {
            match compare(&wabt, dir.path(), &wat, flags, true) {
                Outcome::Identical => {}
                Outcome::Differs(why) => failures.push(format!("{label} {flags:?}: {why}")),
                Outcome::WabtRejects => failures.push(format!("{label}: wabt rejects it")),
                Outcome::RtRejects(err) => failures.push(format!("{label}: rt rejects: {err}")),
            }
        }
        identical += usize::from(failures.len() == before);
    }
    println!(
        "wat2wasm proposals: {identical} / {} modules identical in both modes",
        MODULES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
