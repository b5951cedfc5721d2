//! Runtime benchmark: the C kernels in tests/fixtures/c/bench_*.c, run by rt (compiled by the
//! Makefile to wasm32-wasi, then by rt's LLVM compiler) and natively (clang -O2, loaded with
//! dlopen; `-march=native`, as rt compiles for the host CPU), with the same checksum. Prints
//! the median of several runs and the ratios.
//!
//! The same wasm kernels also run under the project's one reference wasmtime, the pinned CLI
//! that `make wasmtime` installs (`make bench` does). rt and native are timed in-process, one
//! call of `run`; the CLI can only be timed a whole process at a time. So each kernel is
//! precompiled once (`wasmtime compile`, whose time, start-up included, is the "wasmtime
//! comp" column), and "wasmtime ms" is the median wall time of `wasmtime run --invoke run`
//! on the precompiled kernel less the median for an empty kernel: process start-up, loading
//! and instantiation, printed below the table. That subtraction is what makes the ratio
//! compare code with code; its noise is that of two process timings, a millisecond or so,
//! which matters only for the shortest kernels. One bias is left, against wasmtime: each of
//! its runs is a fresh instance that first touches its memory (matmul's 1.5 MB of arrays),
//! where rt's repeated calls on one instance pay for that once.
//!
//! The simd_* kernels (bench_simd_*.c) are SIMD code: the Makefile builds them with
//! -msimd128 and their wasm_simd128.h intrinsics (v128, i8x16, i32x4, f32x4), the native build
//! takes their plain C, which gives the same checksum (-march=native vectorises it as it can).
//!
//! A third table times an exception kernel (throw/catch; WAT in tests/fixtures/wat) against
//! wasmtime only.
//!
//! A second table times the memory64 builds of three scalar kernels (bench64_*, clang's wasm64
//! target: every address an i64, every access bounds-checked) against their 32-bit builds
//! and against wasmtime on the same wasm64 build.
//!
//! `make bench` builds the fixtures first. `RT_BENCH_RUNS` sets the number of runs (default 7).
mod common;
use common::{bench_runs, median, ms};
use rt::{Engine, Linker, Module, Store};
use std::ffi::{CString, OsStr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const KERNELS: &[&str] = &[
    "fib",
    "matmul",
    "sieve",
    "crc32",
    "simd_dot",
    "simd_hex",
    "simd_mat4",
];

/// The scalar kernels also built for a 64-bit memory (the Makefile's `bench64_*`).
const MEMORY64_KERNELS: [&str; 3] = ["matmul", "sieve", "crc32"];

/// Build the kernel as a native shared library and return its `run`.
fn native_kernel(
    root: &Path,
    name: &str,
    out_dir: &Path,
) -> Result<extern "C" fn() -> u32, String> {
    let src = root.join(format!("tests/fixtures/c/bench_{name}.c"));
    let lib = out_dir.join(format!("libbench_{name}.so"));
    let cc = std::env::var("NATIVE_CC").unwrap_or_else(|_| "clang-16".into());
    let status = std::process::Command::new(&cc)
        .args([
            "-O2",
            "-march=native",
            "-shared",
            "-fPIC",
            "-Wno-unknown-attributes",
            "-o",
        ])
        .arg(&lib)
        .arg(&src)
        .status()
        .map_err(|e| format!("cannot run {cc}: {e}"))?;
    if !status.success() {
        return Err(format!("{cc} failed on {}", src.display()));
    }
    let path = CString::new(lib.to_string_lossy().as_bytes()).expect("no NUL in path");
    // SAFETY: loading a library we just built from our own source; `run` is `unsigned(void)`.
    unsafe {
        let h = libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL);
        if h.is_null() {
            return Err(format!("dlopen {} failed", lib.display()));
        }
        let f = libc::dlsym(h, c"run".as_ptr());
        if f.is_null() {
            return Err("native kernel lacks `run`".into());
        }
        Ok(std::mem::transmute::<
            *mut libc::c_void,
            extern "C" fn() -> u32,
        >(f))
    }
}

struct Row {
    name: &'static str,
    native: Duration,
    rt: Duration,
    compile: Duration,
    /// (compile, median run) under the wasmtime CLI, when it is installed.
    wasmtime: Option<(Duration, Duration)>,
}

/// The pinned wasmtime CLI that `make wasmtime` installs (`make bench` does); None when it
/// is absent, and the wasmtime columns show n/a.
fn wasmtime_cli(root: &Path) -> Option<PathBuf> {
    let cli = root.join("build/venv/bin/wasmtime");
    cli.is_file().then_some(cli)
}

/// Run the wasmtime CLI once: its wall time and, for `run --invoke run`, the returned value
/// (printed as a signed i32). Any failure ends the bench: a wrong number is worse than none.
fn time_wasmtime(cli: &Path, args: &[&OsStr]) -> (Duration, Option<u32>) {
    let t = Instant::now();
    let out = std::process::Command::new(cli)
        .args(args)
        .output()
        .expect("run wasmtime");
    let elapsed = t.elapsed();
    assert!(
        out.status.success(),
        "wasmtime {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    (elapsed, text.trim().parse::<i32>().ok().map(|v| v as u32))
}

/// Median wall time of `runs` processes running the precompiled `cwasm`'s `run`; each must
/// return `want` (None: whatever it returns).
fn time_wasmtime_runs(cli: &Path, cwasm: &Path, runs: usize, want: Option<u32>) -> Duration {
    let args = ["run", "--allow-precompiled", "--invoke", "run"].map(OsStr::new);
    let times = (0..runs)
        .map(|_| {
            let (t, got) = time_wasmtime(cli, &[&args[..], &[cwasm.as_os_str()]].concat());
            if want.is_some() {
                assert_eq!(
                    got,
                    want,
                    "wasmtime gives another answer on {}",
                    cwasm.display()
                );
            }
            t
        })
        .collect();
    median(times)
}

/// Precompile `wasm` with `wasmtime compile` into `dir`: the time it took (process start-up
/// included) and the .cwasm file.
fn wasmtime_compile(cli: &Path, wasm: &Path, dir: &Path) -> (Duration, PathBuf) {
    let cwasm = dir.join(wasm.with_extension("cwasm").file_name().unwrap());
    let args = [OsStr::new("compile"), wasm.as_os_str(), OsStr::new("-o")];
    let (t, _) = time_wasmtime(cli, &[&args[..], &[cwasm.as_os_str()]].concat());
    (t, cwasm)
}

/// What one `wasmtime run` costs besides the kernel: process start-up, loading the
/// precompiled code and instantiation, timed on a kernel whose `run` returns at once.
fn wasmtime_start_up(cli: &Path, dir: &Path, runs: usize) -> Duration {
    let empty = dir.join("bench_empty.wat");
    std::fs::write(
        &empty,
        "(module (func (export \"run\") (result i32) i32.const 0))",
    )
    .expect("write the empty kernel");
    let (_, cwasm) = wasmtime_compile(cli, &empty, dir);
    time_wasmtime_runs(cli, &cwasm, runs, None)
}

fn wasmtime_version(cli: &Path) -> String {
    let out = std::process::Command::new(cli)
        .arg("--version")
        .output()
        .expect("run wasmtime");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Time the kernel under the wasmtime CLI: (compile, median run less `start_up`).
fn wasmtime_kernel(
    cli: &Path,
    wasm: &Path,
    dir: &Path,
    runs: usize,
    want: u32,
    start_up: Duration,
) -> (Duration, Duration) {
    let (compile, cwasm) = wasmtime_compile(cli, wasm, dir);
    let run = time_wasmtime_runs(cli, &cwasm, runs, Some(want));
    (compile, run.saturating_sub(start_up))
}

/// Compile `wasm` with rt and time `runs` calls of its `run` on one instance, each of which
/// must return `want` (None: what the first call returns): (compile time, median run, the
/// value returned).
fn rt_kernel(wasm: &Path, runs: usize, want: Option<u32>) -> (Duration, Duration, u32) {
    let Ok(bytes) = std::fs::read(wasm) else {
        eprintln!(
            "{} is missing: run `make fixtures` (make bench does)",
            wasm.display()
        );
        std::process::exit(1);
    };
    // The default engine: Wasm 3.0, so SIMD kernels (-msimd128) and wasm64 ones compile.
    let engine = Engine::default();
    let t = Instant::now();
    let compiled = Module::new(&engine, &bytes).expect("kernel compiles");
    let compile = t.elapsed();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &compiled)
        .expect("kernel instantiates");
    let run = inst
        .get_typed_func::<(), i32>(&store, "run")
        .expect("kernel exports run: [] -> [i32]");
    let mut want = want;
    let times = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let got = run.call(&mut store, ()).expect("kernel runs") as u32;
            let elapsed = t.elapsed();
            let expected = *want.get_or_insert(got);
            assert_eq!(got, expected, "{}: rt gave another answer", wasm.display());
            elapsed
        })
        .collect();
    (compile, median(times), want.expect("at least one run"))
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runs = bench_runs(1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let wasmtime = wasmtime_cli(&root);
    let start_up = wasmtime
        .as_ref()
        .map(|cli| wasmtime_start_up(cli, tmp.path(), runs));
    // `RT_BENCH_ONLY=exceptions` measures the exceptions table alone (its kernels need no
    // native build).
    if std::env::var("RT_BENCH_ONLY").is_ok_and(|v| v == "exceptions") {
        exceptions_table(&root, runs, wasmtime.as_deref().zip(start_up), tmp.path());
        return;
    }
    let mut rows = Vec::new();
    for &name in KERNELS {
        let wasm = root.join(format!("build/fixtures/bench_{name}.wasm"));
        let native = native_kernel(&root, name, tmp.path()).unwrap_or_else(|e| {
            eprintln!("native build of {name} failed: {e}");
            std::process::exit(1);
        });
        let want = native();
        let native_times = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(native());
                t.elapsed()
            })
            .collect();
        let (compile, rt, _) = rt_kernel(&wasm, runs, Some(want));
        rows.push(Row {
            name,
            native: median(native_times),
            rt,
            compile,
            wasmtime: wasmtime.as_ref().zip(start_up).map(|(cli, start_up)| {
                wasmtime_kernel(cli, &wasm, tmp.path(), runs, want, start_up)
            }),
        });
    }
    println!("median of {runs} runs; ratios = rt / native and rt / wasmtime (lower is better)");
    println!(
        "{:<10} {:>9} {:>11} {:>11} {:>9} {:>12} {:>12} {:>13}",
        "kernel",
        "rt/native",
        "rt/wasmtime",
        "native ms",
        "rt ms",
        "rt compile",
        "wasmtime ms",
        "wasmtime comp"
    );
    for r in &rows {
        let (vs_wasmtime, wasmtime_ms, wasmtime_compile) = match r.wasmtime {
            Some((c, t)) => (
                format!("{:.2}", r.rt.as_secs_f64() / t.as_secs_f64()),
                format!("{:.2}", ms(t)),
                format!("{:.1}", ms(c)),
            ),
            None => ("n/a".into(), "n/a".into(), "n/a".into()),
        };
        println!(
            "{:<10} {:>9.2} {:>11} {:>11.2} {:>9.2} {:>12.1} {:>12} {:>13}",
            r.name,
            r.rt.as_secs_f64() / r.native.as_secs_f64(),
            vs_wasmtime,
            ms(r.native),
            ms(r.rt),
            ms(r.compile),
            wasmtime_ms,
            wasmtime_compile
        );
    }
    match (&wasmtime, start_up) {
        (Some(cli), Some(start_up)) => println!(
            "wasmtime: {} (`wasmtime ms` is less its {:.1} ms of start-up per process)",
            wasmtime_version(cli),
            ms(start_up)
        ),
        _ => println!("wasmtime: not measured (the pinned CLI is missing: `make wasmtime`)"),
    }
    memory64_table(
        &root,
        &rows,
        runs,
        wasmtime.as_deref().zip(start_up),
        tmp.path(),
    );
    exceptions_table(&root, runs, wasmtime.as_deref().zip(start_up), tmp.path());
}

/// The exception kernel (tests/fixtures/wat/bench_throw_catch.wat: throws from 8 calls deep
/// caught by a try_table, and try_tables that do not throw), rt against wasmtime. It has no
/// native twin: the answer wasmtime must give is rt's. Then `try_no_throw`: what a try_table
/// costs a hot call that does not throw (bench_try_no_throw.wat against its twin without
/// the try_table).
fn exceptions_table(root: &Path, runs: usize, wasmtime: Option<(&Path, Duration)>, tmp: &Path) {
    let wasm = root.join("tests/fixtures/wat/bench_throw_catch.wat");
    let (_, rt, got) = rt_kernel(&wasm, runs, None);
    println!();
    println!("exceptions: throw/catch; ratio = rt / wasmtime");
    println!(
        "{:<12} {:>11} {:>9} {:>12}",
        "kernel", "rt/wasmtime", "rt ms", "wasmtime ms"
    );
    let (vs, wasmtime_ms) = match wasmtime {
        Some((cli, start_up)) => {
            let (_, t) = wasmtime_kernel(cli, &wasm, tmp, runs, got, start_up);
            (
                format!("{:.3}", rt.as_secs_f64() / t.as_secs_f64()),
                format!("{:.2}", ms(t)),
            )
        }
        None => ("n/a".into(), "n/a".into()),
    };
    println!(
        "{:<12} {:>11} {:>9.2} {:>12}",
        "throw_catch",
        vs,
        ms(rt),
        wasmtime_ms
    );
    // The path that does not throw: a hot loop of calls each inside a try_table against the
    // same loop without it, both under rt in this run.
    let with = root.join("tests/fixtures/wat/bench_try_no_throw.wat");
    let without = root.join("tests/fixtures/wat/bench_try_no_throw_plain.wat");
    let (_, plain, want) = rt_kernel(&without, runs, None);
    let (_, tried, _) = rt_kernel(&with, runs, Some(want));
    println!();
    println!("exceptions: a call in a try_table that does not throw; ratio = with / without");
    println!(
        "{:<12} {:>11} {:>9} {:>12}",
        "kernel", "with/without", "with ms", "without ms"
    );
    println!(
        "{:<12} {:>11.3} {:>9.2} {:>12.2}",
        "try_no_throw",
        tried.as_secs_f64() / plain.as_secs_f64(),
        ms(tried),
        ms(plain)
    );
}

/// The memory64 kernels: the scalar kernels built for wasm64 (`bench64_*`, every address an
/// i64, every access bounds-checked) against the same kernels on a 32-bit memory (the rows
/// above) and against wasmtime running the wasm64 build.
fn memory64_table(
    root: &Path,
    rows: &[Row],
    runs: usize,
    wasmtime: Option<(&Path, Duration)>,
    tmp: &Path,
) {
    println!();
    println!(
        "memory64: the same kernels on a 64-bit memory; ratios = rt64 / rt32, rt64 / wasmtime64"
    );
    println!(
        "{:<10} {:>9} {:>13} {:>9} {:>9} {:>13}",
        "kernel", "rt64/rt32", "rt64/wasmtime", "rt32 ms", "rt64 ms", "wasmtime64 ms"
    );
    for name in MEMORY64_KERNELS {
        let row = rows
            .iter()
            .find(|r| r.name == name)
            .expect("memory64 kernels are among KERNELS");
        let wasm = root.join(format!("build/fixtures/bench64_{name}.wasm"));
        let native = native_kernel(root, name, tmp).expect("native build");
        let want = native();
        let (_, rt64, _) = rt_kernel(&wasm, runs, Some(want));
        let (vs, wasmtime_ms) = match wasmtime {
            Some((cli, start_up)) => {
                let (_, t) = wasmtime_kernel(cli, &wasm, tmp, runs, want, start_up);
                (
                    format!("{:.2}", rt64.as_secs_f64() / t.as_secs_f64()),
                    format!("{:.2}", ms(t)),
                )
            }
            None => ("n/a".into(), "n/a".into()),
        };
        println!(
            "{:<10} {:>9.2} {:>13} {:>9.2} {:>9.2} {:>13}",
            name,
            rt64.as_secs_f64() / row.rt.as_secs_f64(),
            vs,
            ms(row.rt),
            ms(rt64),
            wasmtime_ms
        );
    }
}
