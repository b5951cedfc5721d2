//! Host-call benchmark, the two paths between compiled wasm and the host:
//!
//! 1. **WASI**: tests/fixtures/c/hostcalls_clock.c makes 2 million `clock_time_get` calls.
//!    It runs as a whole program under rt (`rt compile` artifact, `rt run`) and under the
//!    pinned wasmtime CLI (`wasmtime compile`, `wasmtime run --allow-precompiled`), both
//!    precompiled so neither pays for code generation. Reported: median wall time of each,
//!    the same for 0 calls (process start-up, loading, instantiation), and the ratio
//!    rt / wasmtime of the totals and of the totals less start-up.
//! 2. **Callback**: through the embedding API, a wasm loop calls a host function that calls
//!    back into an exported wasm function (wasm -> host -> wasm) 1 million times. The
//!    wasmtime CLI cannot host such a function, so this one is rt's own figure (ns per
//!    round trip), to watch for regressions.
//!
//! `make bench` builds the fixture and installs the CLI. `RT_BENCH_RUNS` sets the number of
//! runs (default 7).
mod common;
use common::{bench_runs, median, ms};
use rt::{Caller, Engine, Linker, Module, Store};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CALLS: &str = "2000000";

/// Median wall time of a command over `runs` runs; it must succeed and print `expect`.
fn time_command(cmd: &[&Path], args: &[&str], runs: usize, expect: &str) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                let out = Command::new(cmd[0])
                    .args(&cmd[1..])
                    .args(args)
                    .env("RT_CACHE", "off")
                    .output()
                    .expect("spawn benchmark command");
                let took = start.elapsed();
                let stdout = String::from_utf8_lossy(&out.stdout);
                assert!(
                    out.status.success() && stdout.starts_with(expect),
                    "{cmd:?} {args:?}: {:?}\n{stdout}{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                );
                took
            })
            .collect(),
    )
}

fn precompile(cmd: &[&Path], wasm: &Path, out: &Path) {
    let status = Command::new(cmd[0])
        .args(&cmd[1..])
        .arg(wasm)
        .arg("-o")
        .arg(out)
        .status()
        .expect("spawn compiler");
    assert!(status.success(), "{cmd:?} {} failed", wasm.display());
}

fn wasi_calls(root: &Path, runs: usize) {
    let wasm = root.join("build/fixtures/hostcalls_clock.wasm");
    assert!(
        wasm.is_file(),
        "{} is missing: run `make fixtures`",
        wasm.display()
    );
    let rt = PathBuf::from(env!("CARGO_BIN_EXE_rt"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let artifact = tmp.path().join("h.rtaot");
    precompile(&[&rt, Path::new("compile")], &wasm, &artifact);
    let rt_run = [rt.as_path(), Path::new("run"), artifact.as_path()];
    let rt_total = time_command(&rt_run, &[CALLS], runs, "2000000 calls");
    let rt_start = time_command(&rt_run, &["0"], runs, "0 calls");
    println!("WASI host calls: {CALLS} clock_time_get, median of {runs} runs");
    println!(
        "  rt        total {:8.1} ms   start-up {:6.1} ms",
        ms(rt_total),
        ms(rt_start)
    );
    let cli = root.join("build/venv/bin/wasmtime");
    if !cli.is_file() {
        println!("  wasmtime  n/a (run `make wasmtime`)");
        return;
    }
    let cwasm = tmp.path().join("h.cwasm");
    precompile(&[&cli, Path::new("compile")], &wasm, &cwasm);
    let w_run = [
        cli.as_path(),
        Path::new("run"),
        Path::new("--allow-precompiled"),
        cwasm.as_path(),
    ];
    let w_total = time_command(&w_run, &[CALLS], runs, "2000000 calls");
    let w_start = time_command(&w_run, &["0"], runs, "0 calls");
    println!(
        "  wasmtime  total {:8.1} ms   start-up {:6.1} ms",
        ms(w_total),
        ms(w_start)
    );
    let net = |total: Duration, start: Duration| total.saturating_sub(start).as_secs_f64();
    println!(
        "  rt / wasmtime: {:.2}x total, {:.2}x less start-up (target: at most 0.80x)",
        rt_total.as_secs_f64() / w_total.as_secs_f64(),
        net(rt_total, rt_start) / net(w_total, w_start)
    );
}

const CALLBACK: &str = r#"(module
  (import "host" "bounce" (func $bounce (param i32) (result i32)))
  (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param i32) (result i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get 0)))
      (local.set $acc (call $bounce (local.get $acc)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $next)))
    (local.get $acc)))"#;

fn callbacks(runs: usize) {
    const ROUND_TRIPS: i32 = 1_000_000;
    let engine = Engine::default();
    let module = Module::new(&engine, CALLBACK).expect("compile the callback module");
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "bounce",
            |mut caller: Caller<'_, Option<rt::TypedFunc<i32, i32>>>, x: i32| {
                let inc = caller.data().expect("inc is set before running");
                inc.call(&mut caller, x)
            },
        )
        .expect("define host.bounce");
    let mut store = Store::new(&engine, None);
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let inc = instance
        .get_typed_func::<i32, i32>(&store, "inc")
        .expect("inc");
    *store.data_mut() = Some(inc);
    let run = instance
        .get_typed_func::<i32, i32>(&store, "run")
        .expect("run");
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let got = run.call(&mut store, ROUND_TRIPS).expect("run");
            assert_eq!(got, ROUND_TRIPS);
            start.elapsed()
        })
        .collect();
    let t = median(times);
    println!(
        "Callback loop (embedding API, wasm -> host -> wasm): {ROUND_TRIPS} round trips in {:.1} ms, {:.1} ns each",
        ms(t),
        t.as_secs_f64() * 1e9 / f64::from(ROUND_TRIPS)
    );
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runs = bench_runs(1);
    wasi_calls(&root, runs);
    callbacks(runs);
}
