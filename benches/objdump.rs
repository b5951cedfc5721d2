//! `rt objdump -d` against wabt's `wasm-objdump -d` on a module of more than 1 MB.
//!
//! Not a test: it prints the median wall time of several runs of each tool (output sent to
//! /dev/null) and their ratio. The module is generated: thousands of functions mixing
//! control flow, calls, locals, memory access, integer and float constants and
//! `br_table`, so every printer path of the disassembler is exercised.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FUNCTIONS: usize = 12_000;
const RUNS: usize = 7;

/// WebAssembly text for the benchmark module.
fn module_text() -> String {
    let mut wat = String::from(
        "(module\n  (import \"env\" \"log\" (func $log (param i32)))\n  (memory 1)\n  (global $g (mut i32) (i32.const 0))\n  (table 4 funcref)\n",
    );
    for i in 0..FUNCTIONS {
        let callee = if i == 0 { 0 } else { i };
        let _ = write!(
            wat,
            "  (func $f{i} (param i32 i64) (result i32) (local f32 f64)
    (block $out
      (loop $top
        (br_if $out (i32.eqz (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (i32.store offset=8 (local.get 0) (i32.add (i32.load (local.get 0)) (i32.const {i})))
        (local.set 2 (f32.mul (local.get 2) (f32.const 1.5)))
        (local.set 3 (f64.add (local.get 3) (f64.const -0.125)))
        (global.set $g (i32.wrap_i64 (i64.shl (local.get 1) (i64.const 3))))
        (block (block (block
          (br_table 0 1 2 (i32.and (local.get 0) (i32.const 3))))
          (call $log (i32.const {i})))
          (drop (call_indirect (param i32 i64) (result i32) (i32.const 1) (i64.const 2) (i32.const 0))))
        (br $top)))
    (if (result i32) (i32.gt_u (global.get $g) (i32.const 100))
      (then (call $f{callee} (i32.const 0) (i64.const 0)))
      (else (i32.const -7))))\n"
        );
    }
    wat.push_str(")\n");
    wat
}

/// Median wall time of `RUNS` runs of `program args` with stdout discarded.
fn median_time(program: &Path, args: &[&str], dir: &Path) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(program)
                .args(args)
                .current_dir(dir)
                .stdout(Stdio::null())
                .status()
                .unwrap_or_else(|e| panic!("run {}: {e}", program.display()));
            assert!(status.success(), "{} {args:?} failed", program.display());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("objdump-bench");
    std::fs::create_dir_all(&dir).expect("create bench dir");
    let wasm = wat::parse_str(module_text()).expect("assemble the benchmark module");
    std::fs::write(dir.join("big.wasm"), &wasm).expect("write big.wasm");
    let rt = PathBuf::from(env!("CARGO_BIN_EXE_rt"));
    let rt_time = median_time(&rt, &["objdump", "-d", "big.wasm"], &dir);
    println!(
        "objdump -d on big.wasm ({:.2} MB, {FUNCTIONS} functions), median of {RUNS} runs:",
        wasm.len() as f64 / 1e6
    );
    let wabt_installed = Command::new("wasm-objdump")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !wabt_installed {
        println!("  rt objdump -d    {:>8.1} ms", rt_time.as_secs_f64() * 1e3);
        println!("  wasm-objdump is not installed: no ratio");
        return;
    }
    let wabt_time = median_time(Path::new("wasm-objdump"), &["-d", "big.wasm"], &dir);
    println!(
        "  ratio rt/wabt    {:>8.2}",
        rt_time.as_secs_f64() / wabt_time.as_secs_f64()
    );
    println!("  rt objdump -d    {:>8.1} ms", rt_time.as_secs_f64() * 1e3);
    println!(
        "  wasm-objdump -d  {:>8.1} ms",
        wabt_time.as_secs_f64() * 1e3
    );
}
