//! Runtime benchmark: the C kernels in tests/fixtures/c/bench_*.c, run by rt (compiled by the
//! Makefile to wasm32-wasi, then by rt's LLVM compiler) and natively (clang -O2, loaded with
//! dlopen; `-march=native`, as rt compiles for the host CPU), with the same checksum. Prints the median of several runs and the ratio.
//!
//! Where the `wasmtime` Python package is installed (`make bench` installs it), the same wasm
//! kernel is also timed in-process under wasmtime (scripts/bench_wasmtime.py) in the same run.
//!
//! `make bench` builds the fixtures first. `RT_BENCH_RUNS` sets the number of runs (default 7).
use rt::module::Module;
use rt::runtime::{Extern, Linker, Store, Val};
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const KERNELS: &[&str] = &["fib", "matmul", "sieve", "crc32"];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

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
    /// (compile, median run) under wasmtime, when it is installed.
    wasmtime: Option<(Duration, Duration)>,
}

/// Time the kernel's `run` under wasmtime (in-process, through wasmtime-py). None when the
/// package is missing; a wrong result is a failure, as for rt.
fn wasmtime_kernel(
    root: &Path,
    wasm: &Path,
    runs: usize,
    want: u32,
) -> Option<(Duration, Duration)> {
    let out = std::process::Command::new("python3")
        .arg(root.join("scripts/bench_wasmtime.py"))
        .arg(wasm)
        .arg(runs.to_string())
        .output()
        .ok()?;
    if out.status.code() == Some(3) {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [compile, run, result] = fields.as_slice() else {
        panic!(
            "bench_wasmtime.py failed on {}: {}{}",
            wasm.display(),
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    };
    assert_eq!(
        result.parse::<u32>().ok(),
        Some(want),
        "wasmtime and native disagree on {}",
        wasm.display()
    );
    let ms = |s: &str| Duration::from_secs_f64(s.parse::<f64>().expect("a number") / 1000.0);
    Some((ms(compile), ms(run)))
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runs: usize = std::env::var("RT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
        .max(1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut rows = Vec::new();
    for &name in KERNELS {
        let wasm = root.join(format!("build/fixtures/bench_{name}.wasm"));
        let Ok(bytes) = std::fs::read(&wasm) else {
            eprintln!(
                "{} is missing: run `make fixtures` (make bench does)",
                wasm.display()
            );
            std::process::exit(1);
        };
        let native = native_kernel(&root, name, tmp.path()).unwrap_or_else(|e| {
            eprintln!("native build of {name} failed: {e}");
            std::process::exit(1);
        });
        let module = Module::parse_validated(bytes, rt::compile::artifact::features())
            .expect("valid kernel");
        let mut store = Store::new();
        let t = Instant::now();
        let compiled = store.compile(module).expect("kernel compiles");
        let compile = t.elapsed();
        let inst = store
            .instantiate(&Linker::new(), &compiled)
            .expect("kernel instantiates");
        let Some(Extern::Func(run)) = store.get_export(inst, "run") else {
            panic!("kernel lacks run")
        };
        let want = native();
        let mut rt_times = Vec::new();
        let mut native_times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let got = store.call(run, &[]).expect("kernel runs");
            rt_times.push(t.elapsed());
            assert_eq!(
                got,
                vec![Val::I32(want as i32)],
                "{name}: rt and native disagree"
            );
            let t = Instant::now();
            std::hint::black_box(native());
            native_times.push(t.elapsed());
        }
        rows.push(Row {
            name,
            native: median(native_times),
            rt: median(rt_times),
            compile,
            wasmtime: wasmtime_kernel(&root, &wasm, runs, want),
        });
    }
    println!("median of {runs} runs; ratios = rt / native and rt / wasmtime (lower is better)");
    println!(
        "{:<8} {:>9} {:>11} {:>11} {:>9} {:>12} {:>12} {:>13}",
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
            "{:<8} {:>9.2} {:>11} {:>11.2} {:>9.2} {:>12.1} {:>12} {:>13}",
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
    if rows.iter().any(|r| r.wasmtime.is_none()) {
        println!("wasmtime: not measured (pip install wasmtime; `make bench` does)");
    }
}
