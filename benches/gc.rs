//! GC benchmark: three allocation-heavy workloads written in WAT (benches/gc/), each run as a
//! whole program by `rt run` and by the pinned wasmtime CLI (`make wasmtime` installs it;
//! `make bench` does), both from the same text file so both pay for compiling it. Reported:
//! the median wall time and peak RSS of each, and the ratio rt / wasmtime; also the median CPU
//! time (user + system) and its ratio, steadier than wall time on a machine shared with other
//! work. Both must return the same checksum.
//!
//! - `trees`: binary-trees (a long-lived tree, then many short-lived ones per depth);
//! - `list`: a linked list of a million nodes built, mapped and filtered into new lists, ten
//!   rounds;
//! - `sort`: a million-element array of structs shell-sorted by key.
//!
//! `RT_BENCH_RUNS` sets the number of runs (default 5); `RT_BENCH_RT` the rt binary to time
//! (default `target/release/rt`), to measure an older build against the same wasmtime runs.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const WORKLOADS: &[(&str, &[&str])] = &[
    ("trees", &["18"]),
    ("list", &["1000000", "10"]),
    ("sort", &["1000000"]),
];

/// One run's wall time, peak RSS in KiB and CPU time (GNU time's `%M` and `%U + %S`).
struct Run {
    wall: Duration,
    rss: u64,
    cpu: Duration,
    stdout: String,
}

fn run_once(cmd: &[&str], wat: &Path, args: &[&str]) -> Run {
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M %U %S"])
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
    let last: Vec<&str> = stderr.lines().last().unwrap_or("").split(' ').collect();
    let num = |i: usize| last.get(i).and_then(|v| v.trim().parse::<f64>().ok());
    Run {
        wall: took,
        rss: num(0).unwrap_or(0.0) as u64,
        cpu: Duration::from_secs_f64(num(1).unwrap_or(0.0) + num(2).unwrap_or(0.0)),
        stdout: String::from_utf8_lossy(&out.stdout).trim().to_string(),
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rt = std::env::var_os("RT_BENCH_RT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/rt"));
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
    println!(
        "| workload | rt ms | rt peak RSS MiB | wasmtime ms | wasmtime peak RSS MiB | rt / wasmtime | rt CPU ms | wasmtime CPU ms | CPU rt / wasmtime |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, args) in WORKLOADS {
        let wat = root.join(format!("benches/gc/{name}.wat"));
        // The median of the wall times (with that run's RSS), and the median CPU time.
        let median = |cmd: &[&str]| {
            let mut all: Vec<Run> = (0..runs).map(|_| run_once(cmd, &wat, args)).collect();
            let mut cpu: Vec<Duration> = all.iter().map(|r| r.cpu).collect();
            cpu.sort();
            all.sort_by_key(|r| r.wall);
            let mut mid = all.swap_remove(all.len() / 2);
            mid.cpu = cpu[cpu.len() / 2];
            mid
        };
        let rt_run = median(&rt_cmd);
        let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
        let ratio = |a: Duration, b: Duration| format!("{:.2}", a.as_secs_f64() / b.as_secs_f64());
        if wasmtime.exists() {
            let wt = median(&wt_cmd);
            assert_eq!(rt_run.stdout, wt.stdout, "{name}: rt and wasmtime disagree");
            println!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
                ms(rt_run.wall),
                rt_run.rss / 1024,
                ms(wt.wall),
                wt.rss / 1024,
                ratio(rt_run.wall, wt.wall),
                ms(rt_run.cpu),
                ms(wt.cpu),
                ratio(rt_run.cpu, wt.cpu),
            );
        } else {
            println!(
                "| {name} | {} | {} | n/a | n/a | n/a | {} | n/a | n/a |",
                ms(rt_run.wall),
                rt_run.rss / 1024,
                ms(rt_run.cpu)
            );
        }
    }
}
