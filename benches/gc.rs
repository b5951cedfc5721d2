//! GC benchmark: three allocation-heavy workloads written in WAT (benches/gc/), each run as a
//! whole program by `rt run` and by the pinned wasmtime CLI (`make wasmtime` installs it;
//! `make bench` does), both from the same text file so both pay for compiling it. Reported:
//! the median wall time and peak RSS of each, and the ratio rt / wasmtime. Both must return
//! the same checksum.
//!
//! - `trees`: binary-trees (a long-lived tree, then many short-lived ones per depth);
//! - `list`: a linked list of a million nodes built, mapped and filtered into new lists, ten
//!   rounds;
//! - `sort`: a million-element array of structs shell-sorted by key.
//!
//! `RT_BENCH_RUNS` sets the number of runs (default 5).
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const WORKLOADS: &[(&str, &[&str])] = &[
    ("trees", &["18"]),
    ("list", &["1000000", "10"]),
    ("sort", &["1000000"]),
];

/// One run: wall time, peak RSS in KiB (GNU time's `%M`), and stdout.
fn run_once(cmd: &[&str], wat: &Path, args: &[&str]) -> (Duration, u64, String) {
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .args(cmd)
        .args(["--invoke", "run"])
        .arg(wat)
        .args(args)
        .env("RT_CACHE", "off")
        .output()
        .expect("spawn /usr/bin/time");
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} {wat:?}: {stderr}");
    let rss = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    (
        took,
        rss,
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rt = root.join("target/release/rt");
    let wasmtime = root.join("build/venv/bin/wasmtime");
    let runs: usize = std::env::var("RT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    if !rt.exists() || !Path::new("/usr/bin/time").exists() {
        eprintln!("gc bench: needs target/release/rt (cargo build --release) and /usr/bin/time");
        return;
    }
    let rt_cmd = [rt.to_str().expect("utf-8 path"), "run"];
    let wt_cmd = [
        wasmtime.to_str().expect("utf-8 path"),
        "run",
        "-W",
        "gc=y,function-references=y",
    ];
    println!("| workload | rt ms | rt peak RSS MiB | wasmtime ms | wasmtime peak RSS MiB | rt / wasmtime |");
    println!("|---|---|---|---|---|---|");
    for (name, args) in WORKLOADS {
        let wat = root.join(format!("benches/gc/{name}.wat"));
        let median = |cmd: &[&str]| {
            let mut all: Vec<(Duration, u64, String)> =
                (0..runs).map(|_| run_once(cmd, &wat, args)).collect();
            all.sort_by_key(|r| r.0);
            all.swap_remove(all.len() / 2)
        };
        let (rt_t, rt_rss, rt_out) = median(&rt_cmd);
        let cell = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
        if wasmtime.exists() {
            let (wt_t, wt_rss, wt_out) = median(&wt_cmd);
            assert_eq!(rt_out, wt_out, "{name}: rt and wasmtime disagree");
            println!(
                "| {name} | {} | {} | {} | {} | {:.2} |",
                cell(rt_t),
                rt_rss / 1024,
                cell(wt_t),
                wt_rss / 1024,
                rt_t.as_secs_f64() / wt_t.as_secs_f64()
            );
        } else {
            println!(
                "| {name} | {} | {} | n/a | n/a | n/a |",
                cell(rt_t),
                rt_rss / 1024
            );
        }
    }
}
