//! `-W timeout=DURATION` and `-W fuel=N` (wasmtime's switches): a guest that spins forever is
//! interrupted, and one that runs past its fuel traps, where wasmtime's would.
use crate::common::*;
use std::process::{Command, Output};

const LOOPS: &str = r#"(module
  (func $spin (export "spin") (loop $l (br $l)))
  ;; Its header has no check of its own: the call's entry checks (see compile/limits.rs).
  (func $nothing)
  (func (export "spin_calling") (loop $l (call $nothing) (br $l)))
  ;; Counts to n: 8 fuel units per iteration, 1 after the loop.
  (func (export "count") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1))
  (func (export "_start") (call $spin)))"#;

fn rt_run(switch: &str, args: &[&str]) -> Output {
    let dir = tempdir();
    let m = write(dir.path(), "loops.wat", LOOPS);
    rt().env("RT_CACHE", "off")
        .args(["run", "-W", switch])
        .args(args)
        .arg(&m)
        .output()
        .expect("spawn rt")
}

fn assert_trap(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(134), "{}", stderr(out));
    assert!(
        stderr(out).contains(&format!("wasm trap: {message}")),
        "{}",
        stderr(out)
    );
}

#[test]
fn a_timeout_interrupts_an_endless_loop() {
    assert_trap(&rt_run("timeout=200ms", &[]), "interrupt");
    assert_trap(&rt_run("timeout=0.1s", &["--invoke", "spin"]), "interrupt");
    assert_trap(
        &rt_run("timeout=0.1s", &["--invoke", "spin_calling"]),
        "interrupt",
    );
}

fn count_with_fuel(n: u32) -> Output {
    let dir = tempdir();
    let m = write(dir.path(), "loops.wat", LOOPS);
    rt().env("RT_CACHE", "off")
        .args(["run", "-W", "fuel=1000", "--invoke", "count"])
        .arg(&m)
        .arg(n.to_string())
        .output()
        .expect("spawn rt")
}

#[test]
fn fuel_runs_out_after_as_many_operators_as_it_buys() {
    // The entry costs 1 and each iteration 8; the loop header, where fuel is checked, still
    // finds some left before the 125th iteration (1000 - 1 - 8 * 124 > 0) but none before a
    // 126th. (The 125th and the final local.get overdraw by 2: straight-line code runs on to
    // the next check, as in wasmtime.)
    let ok = count_with_fuel(125);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(stdout(&ok), "125\n");
    assert_trap(&count_with_fuel(126), "all fuel consumed by WebAssembly");
    assert_trap(
        &rt_run("fuel=1000", &["--invoke", "spin_calling"]),
        "all fuel consumed by WebAssembly",
    );
}

/// Programs whose fuel use the next test compares with wasmtime's: calls (direct, through a
/// table chosen by `br_table`, tail calls), nested loops, memory, `select`, and exceptions
/// thrown from a callee and caught.
const FUEL_PROGRAMS: &str = r#"(module
  (type $i2i (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $dbl $inc $fib $dbl)
  (memory 1)
  (tag $e (param i32))
  (func $dbl (type $i2i) (i32.shl (local.get 0) (i32.const 1)))
  (func $inc (type $i2i) (i32.add (local.get 0) (i32.const 1)))
  (func $fib (type $i2i)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0)))
  ;; fib as clang writes it: a loop around one of the two calls, whose header rt leaves
  ;; unchecked (the call's entry checks on every way around).
  (func $fib_loop (export "fib_loop") (param i32) (result i32) (local $s i32)
    (block $small
      (br_if $small (i32.lt_u (local.get 0) (i32.const 2)))
      (loop $l
        (local.set $s (i32.add (local.get $s)
          (call $fib_loop (i32.add (local.get 0) (i32.const -1)))))
        (br_if $l (i32.gt_u (local.tee 0 (i32.add (local.get 0) (i32.const -2)))
                            (i32.const 1)))))
    (i32.add (local.get 0) (local.get $s)))
  (func (export "mix") (param i32) (result i32) (local $i i32) (local $acc i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
        (block $b2 (block $b1 (block $b0
          (br_table $b0 $b1 $b2 (i32.and (local.get $i) (i32.const 3))))
          (local.set $acc (call_indirect (type $i2i) (local.get $acc) (i32.const 0)))
          (br $b2))
          (local.set $acc (call_indirect (type $i2i) (local.get $acc) (i32.const 1))))
        (i32.store (i32.const 8) (i32.add (local.get $acc) (i32.load (i32.const 8))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.load (i32.const 8)))
  (func (export "nested") (param i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $s (select (i32.add (local.get $s) (local.get $j)) (local.get $s)
                              (i32.and (local.get $j) (i32.const 1))))
        (br_if $inner
          (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 5))))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get 0))))
    (local.get $s))
  (func $down (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $down (i32.sub (local.get 0) (i32.const 1))
                               (i32.add (local.get 1) (i32.const 3))))))
  (func (export "tail") (param i32) (result i32) (return_call $down (local.get 0) (i32.const 0)))
  (func $thrower (param i32) (result i32)
    (if (i32.gt_u (local.get 0) (i32.const 2)) (then (throw $e (local.get 0))))
    (i32.add (local.get 0) (i32.const 10)))
  (func (export "exn") (param i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (block $caught (result i32)
          (try_table (result i32) (catch $e $caught)
            (call $thrower (i32.and (local.get $i) (i32.const 3)))))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get 0))))
    (local.get $s)))"#;

/// The least fuel with which `run(fuel)` succeeds, found by bisection (success is monotonic
/// in the fuel given).
fn least_fuel(run: impl Fn(u64) -> bool) -> u64 {
    let (mut lo, mut hi) = (0u64, 1 << 16);
    assert!(run(hi), "does not finish with {hi} units");
    while lo < hi {
        let mid = (lo + hi) / 2;
        if run(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Fuel is counted and checked where wasmtime counts and checks it, so both need exactly the
/// same fuel to finish each program, to the unit.
#[test]
#[cfg_attr(
    rt_no_wasmtime,
    ignore = "needs the pinned wasmtime CLI (make wasmtime)"
)]
fn fuel_is_counted_as_wasmtime_counts_it() {
    let dir = tempdir();
    let m = write(dir.path(), "programs.wat", FUEL_PROGRAMS);
    for (func, arg) in [
        ("fib", "12"),
        ("fib_loop", "12"),
        ("mix", "37"),
        ("nested", "9"),
        ("tail", "50"),
        ("exn", "10"),
    ] {
        let ours = least_fuel(|fuel| {
            rt().env("RT_CACHE", "off")
                .args(["run", "-W", &format!("fuel={fuel}"), "--invoke", func])
                .arg(&m)
                .arg(arg)
                .output()
                .expect("spawn rt")
                .status
                .success()
        });
        let theirs = least_fuel(|fuel| {
            Command::new(wasmtime())
                .env("RUST_BACKTRACE", "0")
                .args(["run", "-W", "exceptions=y", "-W", &format!("fuel={fuel}")])
                .args(["--invoke", func])
                .arg(&m)
                .arg(arg)
                .output()
                .expect("spawn wasmtime")
                .status
                .success()
        });
        assert_eq!(
            ours, theirs,
            "{func}({arg}): rt needs {ours} units, wasmtime {theirs}"
        );
    }
}

#[test]
fn the_spec_runner_refuses_run_limits() {
    let dir = tempdir();
    let script = write(dir.path(), "s.wast", "(module)\n");
    let out = rt()
        .args(["wast", "-W", "fuel=10"])
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bound `rt run`"), "{}", stderr(&out));
}

const GROWS: &str = r#"(module
  (memory 1)
  (table 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#;

fn grows(switch: &str, func: &str, arg: &str) -> Output {
    let dir = tempdir();
    let m = write(dir.path(), "grows.wat", GROWS);
    rt().env("RT_CACHE", "off")
        .args(["run", "-W", switch, "--invoke", func])
        .arg(&m)
        .arg(arg)
        .output()
        .expect("spawn rt")
}

/// The store limits in wasmtime's spelling, with its messages: growth past a size limit
/// fails as memory.grow and table.grow fail (-1), a module that starts past one or creates
/// one object too many does not instantiate.
#[test]
fn store_limits_bound_sizes_and_counts() {
    for (switch, func, arg, want) in [
        ("max-memory-size=131072", "grow", "1", "1\n"),
        ("max-memory-size=131072", "grow", "2", "-1\n"),
        ("max-table-elements=3", "tgrow", "2", "1\n"),
        ("max-table-elements=3", "tgrow", "3", "-1\n"),
    ] {
        let out = grows(switch, func, arg);
        assert!(out.status.success(), "{switch}: {}", stderr(&out));
        assert_eq!(stdout(&out), want, "{switch} {func}({arg})");
    }
    for (switch, message) in [
        (
            "max-memory-size=1000",
            "memory minimum size of 1 pages exceeds memory limits",
        ),
        (
            "max-instances=0",
            "resource limit exceeded: instance count too high at 1",
        ),
        (
            "max-tables=0",
            "resource limit exceeded: table count too high at 1",
        ),
    ] {
        let out = grows(switch, "grow", "0");
        assert_eq!(out.status.code(), Some(1), "{switch}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{switch}: {}", stderr(&out));
    }
    // -W trap-on-grow-failure: the failure ends the call as wasmtime's does (a host error,
    // exit 1, naming the size asked for); without it the guest sees -1.
    for (switch, func, arg, message) in [
        (
            "trap-on-grow-failure",
            "grow",
            "70000",
            "error: forcing trap when growing memory to 4587585536 bytes",
        ),
        (
            "trap-on-grow-failure,max-table-elements=2",
            "tgrow",
            "5",
            "error: forcing trap when growing table to 6 elements",
        ),
    ] {
        let out = grows(switch, func, arg);
        assert_eq!(out.status.code(), Some(1), "{switch}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{switch}: {}", stderr(&out));
    }
    assert_eq!(stdout(&grows("max-memories=1", "grow", "70000")), "-1\n");
}

/// `-W max-wasm-stack=BYTES`: recursion that fits in the thread's stack traps once it uses
/// more than the allowance below the call into wasm.
#[test]
fn max_wasm_stack_bounds_recursion() {
    let dir = tempdir();
    let m = write(
        dir.path(),
        "rec.wat",
        r#"(module
  (func $r (export "rec") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $r (i32.sub (local.get 0) (i32.const 1))))))))"#,
    );
    let rec = |switch: Option<&str>, depth: &str| {
        let mut cmd = rt();
        cmd.env("RT_CACHE", "off").arg("run");
        if let Some(s) = switch {
            cmd.args(["-W", s]);
        }
        cmd.args(["--invoke", "rec"])
            .arg(&m)
            .arg(depth)
            .output()
            .expect("spawn rt")
    };
    let deep = rec(None, "10000");
    assert_eq!(stdout(&deep), "10000\n", "{}", stderr(&deep));
    let shallow = rec(Some("max-wasm-stack=65536"), "100");
    assert_eq!(stdout(&shallow), "100\n", "{}", stderr(&shallow));
    assert_trap(
        &rec(Some("max-wasm-stack=65536"), "10000"),
        "call stack exhausted",
    );
}
