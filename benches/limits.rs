//! What run-time limits cost: the scalar kernels of the runtime bench (sieve, crc32, matmul,
//! fib; build/fixtures/bench_*.wasm, which `make bench` builds) compiled four ways and timed
//! in one process, one call of `run` per sample:
//!
//! - `off`: no limits (the default `Config`): the code carries no limit checks at all;
//! - `fuel`: `Config::consume_fuel` with the store's fuel at `u64::MAX`, what `-W fuel=N`
//!   compiles (N large enough never to run out);
//! - `timeout`: `Config::interruptible`, what `-W timeout=1h` compiles (the flag is never
//!   set within an hour, so only the checks are timed);
//! - `both`: the two together.
//!
//! The configurations take turns within each round (off, fuel, timeout, both, off, ...), so
//! that load from other processes falls on all of them alike, and each call is timed in the
//! thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), so that time spent preempted by them is not
//! counted; each column is the median of the rounds, and each ratio is that median over the
//! `off` median of the same kernel. Every configuration must return the `off` answer.
//!
//! When the pinned wasmtime CLI is installed (`make wasmtime`), the same kernels also run
//! under it with and without `-W fuel`, for its own ratio: the median CPU time (user and
//! system, of all its threads) of `wasmtime run --invoke run` on the precompiled kernel, less
//! the median for an empty one (process start-up), as the runtime bench does with wall time.
//!
//! `RT_BENCH_RUNS` sets the number of rounds (default 7, at least 5).
mod common;
use common::{bench_runs, children_cpu, median, ms};
use rt::{Config, Engine, Linker, Module, Store, TypedFunc};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const KERNELS: [&str; 4] = ["sieve", "crc32", "matmul", "fib"];

#[derive(Clone, Copy)]
enum Limits {
    Off,
    Fuel,
    Timeout,
    Both,
}

const CONFIGS: [Limits; 4] = [Limits::Off, Limits::Fuel, Limits::Timeout, Limits::Both];

impl Limits {
    fn config(self) -> Config {
        let mut config = Config::new();
        let (fuel, interrupt) = match self {
            Limits::Off => (false, false),
            Limits::Fuel => (true, false),
            Limits::Timeout => (false, true),
            Limits::Both => (true, true),
        };
        config.consume_fuel(fuel).interruptible(interrupt);
        config
    }

    fn fuel(self) -> bool {
        matches!(self, Limits::Fuel | Limits::Both)
    }
}

/// The calling thread's CPU time so far.
fn thread_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The kernel compiled and instantiated under `limits`, ready to call.
fn instance(bytes: &[u8], limits: Limits) -> (Store<()>, TypedFunc<(), i32>) {
    let engine = Engine::new(&limits.config());
    let module = Module::new(&engine, bytes).expect("kernel compiles");
    let mut store = Store::new(&engine, ());
    if limits.fuel() {
        store.set_fuel(u64::MAX).expect("fuel is configured");
    }
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("kernel instantiates");
    let run = inst
        .get_typed_func::<(), i32>(&store, "run")
        .expect("kernel exports run: [] -> [i32]");
    (store, run)
}

/// Median CPU time of `runs` processes of the wasmtime CLI running the precompiled `cwasm`'s
/// `run` with the extra `flags`.
fn wasmtime_runs(cli: &Path, cwasm: &Path, flags: &[&str], runs: usize) -> Duration {
    let times = (0..runs)
        .map(|_| {
            let t = children_cpu();
            let out = Command::new(cli)
                .args(["run", "--allow-precompiled"])
                .args(flags)
                .args(["--invoke", "run"])
                .arg(cwasm)
                .output()
                .expect("run wasmtime");
            let took = children_cpu() - t;
            assert!(
                out.status.success(),
                "wasmtime on {}: {}",
                cwasm.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            took
        })
        .collect();
    median(times)
}

/// Precompile `wasm` for the wasmtime CLI with `flags` (fuel changes the code).
fn wasmtime_compile(cli: &Path, wasm: &Path, out: &Path, flags: &[&str]) {
    let status = Command::new(cli)
        .arg("compile")
        .args(flags)
        .arg(wasm)
        .arg("-o")
        .arg(out)
        .status()
        .expect("run wasmtime compile");
    assert!(status.success(), "wasmtime compile {}", wasm.display());
}

/// wasmtime's own fuel ratio on `wasm`: (run without fuel, run with `-W fuel`), each less
/// `start_up`.
fn wasmtime_fuel(
    cli: &Path,
    wasm: &Path,
    dir: &Path,
    runs: usize,
    start_up: (Duration, Duration),
) -> (Duration, Duration) {
    let fuel = ["-W", "fuel=18446744073709551615"];
    let plain = dir.join("plain.cwasm");
    let fueled = dir.join("fuel.cwasm");
    wasmtime_compile(cli, wasm, &plain, &[]);
    wasmtime_compile(cli, wasm, &fueled, &fuel);
    (
        wasmtime_runs(cli, &plain, &[], runs).saturating_sub(start_up.0),
        wasmtime_runs(cli, &fueled, &fuel, runs).saturating_sub(start_up.1),
    )
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runs = bench_runs(5);
    let cli = root.join("build/venv/bin/wasmtime");
    let cli = cli.is_file().then_some(cli);
    let tmp = tempfile::tempdir().expect("tempdir");
    // The empty kernel's time under the CLI, without fuel and with it: process start-up.
    let start_up = cli.as_ref().map(|cli| {
        let empty = tmp.path().join("empty.wat");
        std::fs::write(
            &empty,
            "(module (func (export \"run\") (result i32) i32.const 0))",
        )
        .expect("write the empty kernel");
        wasmtime_fuel(
            cli,
            &empty,
            tmp.path(),
            runs,
            (Duration::ZERO, Duration::ZERO),
        )
    });

    println!("limits: median of {runs} interleaved runs (thread CPU time); ratios = time / the `off` time (lower is better)");
    println!(
        "{:<8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>8} {:>6} {:>6} {:>14}",
        "kernel",
        "off ms",
        "fuel ms",
        "tmo ms",
        "both ms",
        "fuel",
        "timeout",
        "both",
        "",
        "wasmtime fuel"
    );
    for name in KERNELS {
        let wasm = root.join(format!("build/fixtures/bench_{name}.wasm"));
        let Ok(bytes) = std::fs::read(&wasm) else {
            eprintln!(
                "{} is missing: run `make fixtures` (make bench does)",
                wasm.display()
            );
            std::process::exit(1);
        };
        let mut instances: Vec<_> = CONFIGS.iter().map(|l| instance(&bytes, *l)).collect();
        let mut times = vec![Vec::new(); CONFIGS.len()];
        let mut want = None;
        // One untimed call each first: page faults on first touch of memory are not the
        // limits' cost.
        for round in 0..=runs {
            for (i, (store, run)) in instances.iter_mut().enumerate() {
                let t = thread_cpu_time();
                let got = run.call(&mut *store, ()).expect("kernel runs");
                let took = thread_cpu_time() - t;
                assert_eq!(*want.get_or_insert(got), got, "{name}: another answer");
                if round > 0 {
                    times[i].push(took);
                }
            }
        }
        let med: Vec<Duration> = times.into_iter().map(median).collect();
        let ratio = |i: usize| med[i].as_secs_f64() / med[0].as_secs_f64();
        let theirs = match (&cli, start_up) {
            (Some(cli), Some(start_up)) => {
                let (plain, fuel) = wasmtime_fuel(cli, &wasm, tmp.path(), runs, start_up);
                format!("{:.3}", fuel.as_secs_f64() / plain.as_secs_f64())
            }
            _ => "n/a".into(),
        };
        println!(
            "{:<8} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>6.3} {:>8.3} {:>6.3} {:>6} {:>14}",
            name,
            ms(med[0]),
            ms(med[1]),
            ms(med[2]),
            ms(med[3]),
            ratio(1),
            ratio(2),
            ratio(3),
            "",
            theirs
        );
    }
    match &cli {
        Some(_) => {
            println!("wasmtime fuel = its `-W fuel` run over its plain run, each less its start-up")
        }
        None => println!("wasmtime: not measured (the pinned CLI is missing: `make wasmtime`)"),
    }
}
