//! Multiple memories and 64-bit memories through `rt run --invoke`: accesses to each memory,
//! `memory.copy` between two, a 64-bit memory grown past 4 GiB, its explicit bounds checks,
//! and the store's memory limit (`-W max-memories`).
use crate::common::*;
use std::path::Path;
use std::process::Output;

const MEMORIES: &str = r#"(module
  (memory $a 1)
  (memory $b 1)
  (memory $c i64 1)
  ;; 42 stored in $b, copied to $a, widened into $c, which then grows by a page: 42 + 2.
  (func (export "across") (result i64)
    (i32.store $b (i32.const 8) (i32.const 42))
    (memory.copy $a $b (i32.const 0) (i32.const 8) (i32.const 4))
    (i64.store $c (i64.const 65528) (i64.extend_i32_u (i32.load $a (i32.const 0))))
    (drop (memory.grow $c (i64.const 1)))
    (i64.add (i64.load $c (i64.const 65528)) (memory.size $c)))
  ;; Memory $a is untouched by stores to $b.
  (func (export "separate") (result i32)
    (i32.store $b (i32.const 100) (i32.const 7))
    (i32.load $a (i32.const 100)))
  (func (export "load64") (param i64) (result i32) (i32.load8_u $c (local.get 0)))
  (func (export "load64_offset") (param i64) (result i32)
    (i32.load8_u $c offset=0xFFFFFFFFFFFFFFF0 (local.get 0)))
  ;; Grow $c past 4 GiB, write its last byte and read it back, and return the new size.
  (func (export "beyond_4g") (result i64)
    (if (i64.eq (memory.grow $c (i64.const 65536)) (i64.const -1)) (then unreachable))
    (i64.store8 $c (i64.sub (i64.mul (memory.size $c) (i64.const 65536)) (i64.const 1))
      (i64.const 9))
    (i64.add (memory.size $c)
      (i64.load8_u $c (i64.sub (i64.mul (memory.size $c) (i64.const 65536)) (i64.const 1)))))
)"#;

fn invoke(module: &Path, extra: &[&str], func: &str, args: &[&str]) -> Output {
    rt().env("RT_CACHE", "off")
        .arg("run")
        .args(extra)
        .args(["--invoke", func])
        .arg(module)
        .args(args)
        .output()
        .expect("spawn rt")
}

fn assert_prints(out: &Output, expected: &str) {
    assert!(out.status.success(), "stderr: {}", stderr(out));
    assert_eq!(stdout(out), expected);
}

fn assert_oob(out: &Output) {
    assert_eq!(out.status.code(), Some(134), "stderr: {}", stderr(out));
    assert!(
        stderr(out).contains("out of bounds memory access"),
        "stderr: {}",
        stderr(out)
    );
}

#[test]
fn each_memory_is_its_own() {
    let dir = tempdir();
    let m = write(dir.path(), "memories.wat", MEMORIES);
    assert_prints(&invoke(&m, &[], "across", &[]), "44\n");
    assert_prints(&invoke(&m, &[], "separate", &[]), "0\n");
}

#[test]
fn memory64_accesses_are_bounds_checked() {
    let dir = tempdir();
    let m = write(dir.path(), "memories.wat", MEMORIES);
    assert_prints(&invoke(&m, &[], "load64", &["65535"]), "0\n");
    assert_oob(&invoke(&m, &[], "load64", &["65536"]));
    // Far beyond any reservation, and where index + offset wraps around 2^64.
    assert_oob(&invoke(&m, &[], "load64", &["-1"]));
    assert_oob(&invoke(&m, &[], "load64", &["4294967296"]));
    assert_oob(&invoke(&m, &[], "load64_offset", &["16"]));
    assert_oob(&invoke(&m, &[], "load64_offset", &["0"]));
}

#[test]
fn memory64_grows_past_4_gib() {
    let dir = tempdir();
    let m = write(dir.path(), "memories.wat", MEMORIES);
    // 1 + 65536 pages, plus the 9 stored in the last byte.
    assert_prints(&invoke(&m, &[], "beyond_4g", &[]), "65546\n");
}

#[test]
fn max_memories_limits_the_store() {
    let dir = tempdir();
    let m = write(dir.path(), "memories.wat", MEMORIES);
    let out = invoke(&m, &["-W", "max-memories=2"], "separate", &[]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("resource limit exceeded: memory count too high at 3"),
        "stderr: {}",
        stderr(&out)
    );
    assert_prints(
        &invoke(&m, &["-W", "max-memories=3"], "separate", &[]),
        "0\n",
    );
}
