//! `-W timeout=DURATION` and `-W fuel=N` (wasmtime's switches): a guest that spins forever is
//! interrupted, and one that runs past its fuel traps, where wasmtime's would.
use crate::common::*;
use std::process::{Command, Output};

const LOOPS: &str = r#"(module
  (func $spin (export "spin") (loop $l (br $l)))
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
    // 124 iterations cost 993 units: within 1000. 126 cost 1009: not.
    let ok = count_with_fuel(124);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(stdout(&ok), "124\n");
    assert_trap(&count_with_fuel(126), "all fuel consumed by WebAssembly");
}

/// The first count that runs out of 1000 units, under rt and under the pinned wasmtime: they
/// count the same operators, so they agree to within one iteration (wasmtime checks at loop
/// headers only, rt wherever control leaves straight-line code).
#[test]
#[cfg_attr(
    rt_no_wasmtime,
    ignore = "needs the pinned wasmtime CLI (make wasmtime)"
)]
fn fuel_is_counted_as_wasmtime_counts_it() {
    let dir = tempdir();
    let m = write(dir.path(), "loops.wat", LOOPS);
    let first_failure = |cmd: &dyn Fn(u32) -> Output| {
        (100..160)
            .find(|n| !cmd(*n).status.success())
            .expect("runs out below 160 iterations")
    };
    let ours = first_failure(&count_with_fuel);
    let theirs = first_failure(&|n| {
        Command::new(wasmtime())
            .env("RUST_BACKTRACE", "0")
            .args(["run", "-W", "fuel=1000", "--invoke", "count"])
            .arg(&m)
            .arg(n.to_string())
            .output()
            .expect("spawn wasmtime")
    });
    assert!(ours.abs_diff(theirs) <= 1, "rt {ours}, wasmtime {theirs}");
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
