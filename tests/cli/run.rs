//! `rt run`: traps, --invoke with every value type, link errors, runaway recursion.
use crate::common::*;
use std::path::Path;
use std::process::Output;

const TRAP_STATUS: i32 = 134;

/// Run `rt run --invoke FUNC MODULE ARGS...` with the cache off.
fn invoke(module: &Path, func: &str, args: &[&str]) -> Output {
    let mut cmd = rt();
    cmd.env("RT_CACHE", "off")
        .arg("run")
        .arg("--invoke")
        .arg(func)
        .arg(module)
        .args(args);
    cmd.output().expect("spawn rt")
}

/// Run `rt run MODULE` with the cache off: the plain run that several tests check the exit of.
fn run_module(module: &Path) -> Output {
    rt().env("RT_CACHE", "off")
        .arg("run")
        .arg(module)
        .output()
        .expect("spawn rt")
}

fn assert_trap(out: &Output, message: &str) {
    assert_eq!(
        out.status.code(),
        Some(TRAP_STATUS),
        "stderr: {}",
        stderr(out)
    );
    assert!(
        stderr(out).contains(message),
        "expected `{message}` in: {}",
        stderr(out)
    );
}

const TRAPS: &str = r#"(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $div)
  (type $v (func))
  (func $div (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem_u") (param i32 i32) (result i32) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "unreachable") unreachable)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32) (i32.store8 offset=1 (local.get 0) (i32.const 7)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "call_indirect") (param i32) (call_indirect (type $v) (local.get 0)))
  (func (export "table_get") (param i32) (result funcref) (table.get 0 (local.get 0)))
  (func $runaway (export "runaway") (param i32) (result i32)
    (i32.add (call $runaway (local.get 0)) (i32.const 1)))
)"#;

fn traps_module(dir: &Path) -> std::path::PathBuf {
    write(dir, "traps.wat", TRAPS)
}

#[test]
fn integer_traps() {
    let d = tempdir();
    let m = traps_module(d.path());
    assert_trap(&invoke(&m, "div_s", &["1", "0"]), "integer divide by zero");
    assert_trap(&invoke(&m, "rem_u", &["1", "0"]), "integer divide by zero");
    assert_trap(
        &invoke(&m, "div_s", &["-2147483648", "-1"]),
        "integer overflow",
    );
    let ok = invoke(&m, "div_s", &["-7", "2"]);
    assert_eq!(stdout(&ok), "-3\n");
}

#[test]
fn unreachable_and_conversion_traps() {
    let d = tempdir();
    let m = traps_module(d.path());
    assert_trap(&invoke(&m, "unreachable", &[]), "unreachable");
    assert_trap(
        &invoke(&m, "trunc", &["nan"]),
        "invalid conversion to integer",
    );
    assert_trap(&invoke(&m, "trunc", &["3e9"]), "integer overflow");
    assert_eq!(
        stdout(&invoke(&m, "trunc", &["-2147483648.9"])),
        "-2147483648\n"
    );
}

#[test]
fn memory_traps_come_from_guard_pages() {
    let d = tempdir();
    let m = traps_module(d.path());
    assert_trap(
        &invoke(&m, "load", &["65533"]),
        "out of bounds memory access",
    );
    assert_trap(
        &invoke(&m, "load", &["4294967295"]),
        "out of bounds memory access",
    );
    assert_trap(
        &invoke(&m, "store", &["65535"]),
        "out of bounds memory access",
    );
    assert_eq!(stdout(&invoke(&m, "load", &["65532"])), "0\n");
}

#[test]
fn table_traps() {
    let d = tempdir();
    let m = traps_module(d.path());
    assert_trap(
        &invoke(&m, "call_indirect", &["0"]),
        "indirect call type mismatch",
    );
    assert_trap(
        &invoke(&m, "call_indirect", &["1"]),
        "uninitialized element",
    );
    assert_trap(&invoke(&m, "call_indirect", &["2"]), "undefined element");
    assert_trap(
        &invoke(&m, "table_get", &["2"]),
        "out of bounds table access",
    );
}

#[test]
fn runaway_recursion_is_a_clean_trap_with_backtrace() {
    let d = tempdir();
    let m = traps_module(d.path());
    let out = invoke(&m, "runaway", &["1"]);
    assert_trap(&out, "call stack exhausted");
    assert!(
        stderr(&out).contains("runaway"),
        "backtrace names the function: {}",
        stderr(&out)
    );
}

#[test]
fn invoke_prints_every_value_type() {
    let d = tempdir();
    let m = write(
        d.path(),
        "vals.wat",
        r#"(module
          (func (export "all") (param i32 i64 f32 f64) (result f64 f32 i64 i32)
            local.get 3 local.get 2 local.get 1 local.get 0))"#,
    );
    let out = invoke(&m, "all", &["-5", "9007199254740993", "1.5", "-0.25"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "-0.25\n1.5\n9007199254740993\n-5\n");
    let out = invoke(&m, "all", &["x", "1", "1", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid i32 argument `x`"));
}

#[test]
fn unknown_import_is_a_link_error_before_running() {
    let d = tempdir();
    let m = write(
        d.path(),
        "imp.wat",
        r#"(module (import "env" "missing" (func)) (func (export "_start") unreachable))"#,
    );
    let out = run_module(&m);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown import: `env::missing` has not been defined"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn start_function_and_underscore_start_run() {
    let d = tempdir();
    // The start function traps: the trap is reported before `_start` runs.
    let m = write(
        d.path(),
        "start.wat",
        r#"(module (func $s unreachable) (start $s))"#,
    );
    let out = run_module(&m);
    assert_trap(&out, "unreachable");
    let m = write(d.path(), "ok.wat", r#"(module (func (export "_start")))"#);
    let out = run_module(&m);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_feature_rt_lacks_is_refused_clearly_as_unsupported_not_invalid() {
    let d = tempdir();
    let m = write(
        d.path(),
        "threads.wat",
        r#"(module (memory 1 1 shared)
             (func (export "f") (result i32) (i32.const 1)))"#,
    );
    let out = invoke(&m, "f", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("threads.wat:1:10: unsupported by rt: threads (the module is valid"),
        "{}",
        stderr(&out)
    );
}

/// `-W relaxed-simd-deterministic=y`: relaxed SIMD gives wasmtime's deterministic answers,
/// the same on every host (each checked against wasmtime 49 with the same flag): the
/// non-relaxed operators' for swizzle, trunc, q15mulr, laneselect (bitselect) and max (a
/// NaN lane canonical), signed dot products.
#[test]
fn relaxed_simd_deterministic_answers_are_wasmtimes() {
    let d = tempdir();
    let m = write(
        d.path(),
        "relaxed.wat",
        r#"(module
  (func (export "swizzle") (result v128)
    (i8x16.relaxed_swizzle (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
      (v128.const i8x16 0 16 17 0x80 0x8f 0x7f 0x1f 0x20 1 2 3 4 5 6 7 0xff)))
  (func (export "trunc") (result v128)
    (i32x4.relaxed_trunc_f32x4_s (v128.const f32x4 nan -inf 3e9 -1.5)))
  (func (export "q15") (result v128)
    (i16x8.relaxed_q15mulr_s (v128.const i16x8 -32768 -32768 16384 1 0 0 0 0)
      (v128.const i16x8 -32768 32767 16384 1 0 0 0 0)))
  (func (export "laneselect") (result v128)
    (i8x16.relaxed_laneselect (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)
      (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2)
      (v128.const i8x16 0x80 0x7f 0 0xff 0x80 0x7f 0 0xff 0x80 0x7f 0 0xff 0x80 0x7f 0 0xff)))
  (func (export "max") (result v128)
    (f32x4.relaxed_max (v128.const f32x4 nan 1 0 -0) (v128.const f32x4 2 nan -0 0)))
  (func (export "dot") (result v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s
      (v128.const i8x16 -128 -128 127 127 -1 -1 0x80 0x80 0 0 0 0 0 0 0 0)
      (v128.const i8x16 -128 -128 -1 -1 -128 -128 127 127 0 0 0 0 0 0 0 0)))
  (func (export "dot_add") (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (v128.const i8x16 -128 -128 -128 -128 127 127 127 127 -1 -1 -1 -1 0 0 0 0)
      (v128.const i8x16 -128 -128 -128 -128 -1 -1 -1 -1 -128 -128 -128 -128 0 0 0 0)
      (v128.const i32x4 1 2 3 4))))"#,
    );
    for (func, expected) in [
        ("swizzle", "36468169849754554667879100955230208"),
        ("trunc", "340282366881324382197019066598141460480"),
        ("q15", "35186519670783"),
        ("laneselect", "1339633030679821829153134183526301954"),
        ("max", "9205357640488583168"),
        ("dot", "9295430734682685440"),
        ("dot_add", "316912659575577290235051048961"),
    ] {
        let out = rt()
            .env("RT_CACHE", "off")
            .args([
                "run",
                "-W",
                "relaxed-simd-deterministic=y",
                "--invoke",
                func,
            ])
            .arg(&m)
            .output()
            .expect("spawn rt");
        assert_eq!(
            stdout(&out),
            format!("{expected}\n"),
            "{func}: {}",
            stderr(&out)
        );
    }
}

/// v128 values cross `--invoke` as wasmtime prints them: one unsigned decimal number.
#[test]
fn v128_results_print_as_wasmtime_prints_them() {
    let d = tempdir();
    let m = write(
        d.path(),
        "v.wat",
        r#"(module (func (export "id") (param v128) (result v128 i32) (local.get 0) (i32.const 7))
             (func (export "k") (result v128) (v128.const i32x4 1 2 3 4)))"#,
    );
    let out = invoke(&m, "k", &[]);
    assert_eq!(
        stdout(&out),
        "316912650112397582603894390785\n",
        "{}",
        stderr(&out)
    );
    let out = invoke(&m, "id", &["0x0102030405060708090a0b0c0d0e0f10"]);
    assert_eq!(
        stdout(&out),
        format!("{}\n7\n", 0x0102030405060708090a0b0c0d0e0f10u128),
        "{}",
        stderr(&out)
    );
}

#[test]
fn preload_links_modules_and_checks_import_types() {
    let d = tempdir();
    let lib = write(
        d.path(),
        "lib.wat",
        r#"(module (memory (export "mem") 1)
             (global (export "g") (mut i32) (i32.const 5))
             (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))"#,
    );
    let app = write(
        d.path(),
        "app.wat",
        r#"(module (import "lib" "twice" (func $twice (param i32) (result i32)))
             (import "lib" "mem" (memory 1))
             (import "lib" "g" (global $g (mut i32)))
             (func (export "go") (param i32) (result i32)
               (i32.store (i32.const 0) (call $twice (local.get 0)))
               (global.set $g (i32.add (global.get $g) (i32.load (i32.const 0))))
               (global.get $g)))"#,
    );
    let preload = format!("lib={}", lib.display());
    let out = rt()
        .env("RT_CACHE", "off")
        .args(["run", "--preload", &preload, "--invoke", "go"])
        .arg(&app)
        .arg("21")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "47\n");

    let bad = write(
        d.path(),
        "bad.wat",
        r#"(module (import "lib" "twice" (func (param i64) (result i32))))"#,
    );
    let out = rt()
        .env("RT_CACHE", "off")
        .args(["run", "--preload", &preload])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("incompatible import type for `lib::twice`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reactor_initialize_runs_before_invoke() {
    let d = tempdir();
    let m = write(
        d.path(),
        "reactor.wat",
        r#"(module (global $g (mut i32) (i32.const 1))
             (func (export "_initialize") (global.set $g (i32.const 41)))
             (func (export "get") (result i32) (i32.add (global.get $g) (i32.const 1))))"#,
    );
    let out = invoke(&m, "get", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "42\n");
}

#[test]
fn explicit_bounds_checks_mode_traps_the_same_way() {
    let d = tempdir();
    let m = traps_module(d.path());
    let run = |args: &[&str]| {
        rt().env("RT_CACHE", "off")
            .env("RT_BOUNDS_CHECKS", "1")
            .args(["run", "--invoke"])
            .arg(args[0])
            .arg(&m)
            .args(&args[1..])
            .output()
            .unwrap()
    };
    let out = run(&["load", "65533"]);
    assert_trap(&out, "out of bounds memory access");
    assert!(stderr(&out).contains("wasm backtrace"), "{}", stderr(&out));
    assert_eq!(stdout(&run(&["load", "65532"])), "0\n");
    assert_trap(&run(&["store", "65535"]), "out of bounds memory access");
}

#[test]
fn module_text_can_come_through_a_pipe() {
    let out = output_with_stdin(
        rt().args(["run", "--invoke", "answer", "/dev/stdin"]),
        b"(module (func (export \"answer\") (result i32) (i32.const 42)))",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "42\n");
}

#[test]
fn a_file_that_is_neither_binary_nor_text_is_named_as_such() {
    let dir = tempdir();
    let path = dir.path().join("noise.bin");
    std::fs::write(&path, [0xffu8, 0xfe, 0x00, 0x61, 0x73]).unwrap();
    let out = rt().arg("run").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("noise.bin:0x0: not a WebAssembly module"),
        "{err}"
    );
}

/// Run a spec script with `rt wast` and check that all `directives` pass.
fn assert_wast_passes(script: &str, directives: usize) {
    let d = tempdir();
    let path = write(d.path(), "script.wast", script);
    let out = rt().arg("wast").arg(&path).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let summary = format!("{directives} passed, 0 failed");
    assert_eq!(text.lines().last(), Some(summary.as_str()), "{text}");
}

/// Bulk memory operations that end exactly at the top of a full 4 GiB memory are legal; one
/// byte further traps. (`dst + len` once overflowed u32 inside the runtime and aborted.)
#[test]
fn bulk_memory_reaches_the_top_of_a_4_gib_memory() {
    let script = r#"
(module
  (memory 65536)
  (data $d "0123456789abcdef")
  (func (export "at") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32) (memory.init $d (local.get 0) (i32.const 0) (local.get 1))))
(invoke "fill" (i32.const 0xfffffff0) (i32.const 16))
(assert_return (invoke "at" (i32.const 0xffffffff)) (i32.const 7))
(assert_trap (invoke "fill" (i32.const 0xfffffff1) (i32.const 16)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 0xffffffff) (i32.const 0xffffffff)) "out of bounds memory access")
(invoke "init" (i32.const 0xfffffff0) (i32.const 16))
(assert_return (invoke "at" (i32.const 0xffffffff)) (i32.const 0x66))
(assert_trap (invoke "init" (i32.const 0xfffffff1) (i32.const 16)) "out of bounds memory access")
(invoke "copy" (i32.const 0) (i32.const 0xfffffff0) (i32.const 16))
(assert_return (invoke "at" (i32.const 15)) (i32.const 0x66))
(invoke "copy" (i32.const 0xfffffff0) (i32.const 0) (i32.const 16))
(assert_trap (invoke "copy" (i32.const 0xfffffff1) (i32.const 0) (i32.const 16)) "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 0xfffffff1) (i32.const 16)) "out of bounds memory access")
"#;
    assert_wast_passes(script, 13);
}

/// `rt ARGS` with `envs`, through a shell that turns core dumps off first: the test below
/// makes it crash on purpose.
fn rt_crashing(envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new("sh");
    cmd.args([
        "-c",
        "ulimit -c 0 && exec \"$@\"",
        "sh",
        env!("CARGO_BIN_EXE_rt"),
    ])
    .args(args)
    .env("RT_CACHE", "off")
    .envs(envs.iter().copied());
    cmd.output().expect("spawn rt")
}

/// The fault handler claims a fault only from compiled wasm touching a linear memory. A bug in
/// a Rust helper that wasm calls (here the test hook makes `memory.grow` read 4 GiB into the
/// memory's guard region) is therefore a real SIGSEGV, not an "out of bounds" trap that would
/// siglongjmp over the helper's Rust frames. Ordinary guest faults still trap cleanly.
#[test]
fn a_fault_in_a_rust_helper_is_a_crash_not_a_wasm_trap() {
    use std::os::unix::process::ExitStatusExt;
    let d = tempdir();
    let m = write(
        d.path(),
        "grow.wat",
        r#"(module (memory 1)
             (func (export "grow") (result i32) (memory.grow (i32.const 1)))
             (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"#,
    );
    let m = m.to_str().unwrap();
    let hook = [("RT_TEST_FAULTING_HELPER", "1")];
    let out = rt_crashing(&hook, &["run", "--invoke", "grow", m]);
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGSEGV),
        "{:?}, stderr: {}",
        out.status,
        stderr(&out)
    );
    assert!(!stderr(&out).contains("trap"), "{}", stderr(&out));

    let out = rt_crashing(&hook, &["run", "--invoke", "load", m, "65536"]);
    assert_trap(&out, "out of bounds memory access");
    let out = rt_crashing(&[], &["run", "--invoke", "grow", m]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "1\n");
}

/// LLVM turns a byte-filling loop into a memset call. The loader binds it to rt's own, which
/// the fault handler knows as wasm code and which stores in the loop's order, so the loop
/// still traps, and every byte below the end of memory is stored first, as the loop would
/// have (libc's memset stored the tail first and left the last in-bounds bytes untouched).
#[test]
fn a_loop_lowered_to_memset_traps_after_storing_every_byte_in_bounds() {
    let script = r#"
(module
  (memory 1)
  (func (export "fill") (param $n i32)
    (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 offset=65400 (local.get $i) (i32.const 7))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))
  (func (export "at") (param i32) (result i32) (i32.load8_u (local.get 0))))
(assert_trap (invoke "fill" (i32.const 700)) "out of bounds memory access")
(assert_return (invoke "at" (i32.const 65400)) (i32.const 7))
(assert_return (invoke "at" (i32.const 65530)) (i32.const 7))
(assert_return (invoke "at" (i32.const 65535)) (i32.const 7))
"#;
    assert_wast_passes(script, 5);
}

/// `--profile=perfmap` writes /tmp/perf-PID.map naming every compiled function, as perf
/// expects (`START SIZE NAME`, hex), for fresh compiles and artifacts alike.
#[test]
fn profile_perfmap_names_every_compiled_function() {
    let d = tempdir();
    let m = write(
        d.path(),
        "p.wat",
        r#"(module (func $helper (result i32) (i32.const 7))
             (func (export "go") (result i32) (call $helper)))"#,
    );
    let artifact = d.path().join("p.rtaot");
    let made = rt()
        .args(["compile"])
        .arg(&m)
        .arg("-o")
        .arg(&artifact)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    for module in [&m, &artifact] {
        let child = rt()
            .args(["run", "--profile=perfmap", "--invoke", "go"])
            .arg(module)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let map = std::path::PathBuf::from(format!("/tmp/perf-{}.map", child.id()));
        let out = child.wait_with_output().unwrap();
        assert_eq!(stdout(&out), "7\n", "{}", stderr(&out));
        let text = std::fs::read_to_string(&map).expect("perf map written");
        let _ = std::fs::remove_file(&map);
        let names: Vec<&str> = text
            .lines()
            .map(|l| {
                let parts: Vec<&str> = l.splitn(3, ' ').collect();
                assert!(
                    parts.len() == 3
                        && u64::from_str_radix(parts[0], 16).is_ok()
                        && u64::from_str_radix(parts[1], 16).is_ok_and(|s| s > 0),
                    "bad perf map line `{l}`"
                );
                parts[2]
            })
            .collect();
        assert_eq!(names, ["helper", "go"], "{text}");
    }
    let out = rt()
        .args(["run", "--profile=bogus"])
        .arg(&m)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown --profile strategy `bogus`"),
        "{}",
        stderr(&out)
    );
}
