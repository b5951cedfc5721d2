//! Compile-time benchmark: cold `rt compile` (the cache off) of real programs at -O0, -O1
//! and -O2 (the default), against `wasmtime compile` of the pinned wasmtime CLI, in one run.
//! For each: the median wall time of several runs, the CPU time (user + system) of that
//! median run, and the peak resident memory, all of the whole child process (start-up
//! included, for both). The CPU column matters on a shared machine: wall time there
//! measures the neighbours too, CPU time much less so. The runs of the four compilers
//! alternate, so a change in the machine's load hits them alike.
//!
//! Then the generated code: for the real programs, a workload of a few seconds run from the
//! artifact of each level (`rt run -ON artifact`) against `wasmtime run --allow-precompiled`
//! of wasmtime's, median wall time; and compile + run, to choose the default level by.
//!
//! Programs: MicroPython (`make build/micropython/micropython-wasi.wasm`), SQLite with a small
//! driver (`make build/sqlite/sqlite.wasm`, built from the amalgamation an npm package ships),
//! a Rust program (`make build/rust-program.wasm`: benches/rust_program, serde_json and regex)
//! and the largest C fixtures (`make fixtures`, compile only); whichever are present. `make
//! bench` runs it after building them. `RT_BENCH_RUNS` sets the number of runs (default 3),
//! `RT_BENCH_PROGRAMS=micropython,sqlite` keeps the programs whose file names contain one
//! of the words.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One finished child: wall time, CPU time (user + system), peak RSS in KiB.
#[derive(Clone)]
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
        .stdin(std::process::Stdio::null())
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

/// A program of the bench and, for the real ones, a run of a few seconds to time the
/// generated code with (its arguments after the module; the flags both runtimes need).
struct Program {
    path: PathBuf,
    flags: &'static [&'static str],
    workload: &'static [&'static str],
}

fn programs(root: &Path) -> Vec<Program> {
    // MicroPython: a CPU-bound loop of calls, dict and string work; SQLite: the driver's
    // inserts, indexes and queries over 600,000 rows; the Rust program: 400,000 records
    // through serde_json both ways, a regex over each and a sort.
    const PYTHON: &str = "d = {}\nfor i in range(1500000):\n    d[i % 1000] = d.get(i % 1000, 0) + len(str(i))\nprint(sum(d.values()))";
    let mut found: Vec<Program> = [
        (
            "build/micropython/micropython-wasi.wasm",
            &["-W", "unknown-imports-trap=y"][..],
            &["-c", PYTHON][..],
        ),
        ("build/sqlite/sqlite.wasm", &[][..], &["600000"][..]),
        ("build/rust-program.wasm", &[][..], &["400000"][..]),
    ]
    .into_iter()
    .map(|(p, flags, workload)| Program {
        path: root.join(p),
        flags,
        workload,
    })
    .filter(|p| p.path.is_file())
    .collect();
    // The two largest C fixtures, for a small-program figure (compile only).
    let mut fixtures: Vec<(u64, PathBuf)> = std::fs::read_dir(root.join("build/fixtures"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .filter_map(|p| Some((p.metadata().ok()?.len(), p)))
        .collect();
    fixtures.sort();
    found.extend(fixtures.into_iter().rev().take(2).map(|(_, path)| Program {
        path,
        flags: &[],
        workload: &[],
    }));
    found
}

/// The levels measured, as `rt compile` takes them.
const LEVELS: [&str; 3] = ["-O0", "-O1", "-O2"];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rt = PathBuf::from(env!("CARGO_BIN_EXE_rt"));
    let Some(wasmtime) = Some(root.join("build/venv/bin/wasmtime")).filter(|p| p.is_file()) else {
        eprintln!("compile bench: needs the pinned wasmtime CLI (make wasmtime)");
        return;
    };
    let runs: usize = std::env::var("RT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(3);
    let only = std::env::var("RT_BENCH_PROGRAMS").ok();
    let programs: Vec<Program> = programs(&root)
        .into_iter()
        .filter(|p| {
            let name = p.path.file_name().unwrap().to_string_lossy();
            only.as_ref()
                .map_or(true, |words| words.split(',').any(|w| name.contains(w)))
        })
        .collect();
    if programs.is_empty() {
        eprintln!("compile bench: no programs found (make fixtures sqlite)");
        return;
    }
    let out = std::env::temp_dir().join(format!("rt-compile-bench-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temp dir");
    let cell = |s: &Sample| {
        format!(
            "{:.2} / {:.2} / {}",
            s.wall.as_secs_f64(),
            s.cpu.as_secs_f64(),
            s.max_rss_kib / 1024
        )
    };
    let secs = |s: &Sample| s.wall.as_secs_f64();
    println!(
        "median of {runs} runs; compile: wall s / CPU s / peak MiB, ratio = rt wall / wasmtime \
         wall; run: wall s of the workload from the artifact, ratio likewise"
    );
    println!(
        "{:<24} {:>6} {:>5} {:>20} {:>20} {:>6} {:>7} {:>7} {:>6} {:>8}",
        "program",
        "KiB",
        "level",
        "rt compile",
        "wasmtime compile",
        "ratio",
        "rt run",
        "wt run",
        "ratio",
        "total"
    );
    for program in programs {
        let name = program
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let size = program.path.metadata().map_or(0, |m| m.len()) / 1024;
        let artifact = |level: &str| out.join(format!("rt{level}.cwasm"));
        let wt_artifact = out.join("wt.cwasm");
        let rt_compile = |level: &str| {
            let mut cmd = Command::new(&rt);
            cmd.arg("compile").env("RT_CACHE", "off").arg(level);
            cmd.args(program.flags)
                .arg(&program.path)
                .arg("-o")
                .arg(artifact(level));
            cmd
        };
        let mut wt_compile = Command::new(&wasmtime);
        wt_compile
            .arg("compile")
            .arg(&program.path)
            .arg("-o")
            .arg(&wt_artifact);
        // Alternate: one run of each compiler per round.
        let mut compiles: Vec<Vec<Sample>> = vec![Vec::new(); LEVELS.len() + 1];
        for _ in 0..runs {
            for (n, level) in LEVELS.iter().enumerate() {
                compiles[n].push(measure(&mut rt_compile(level)));
            }
            compiles[LEVELS.len()].push(measure(&mut wt_compile));
        }
        let mut compiles: Vec<Sample> = compiles.into_iter().map(median).collect();
        let wt = compiles.pop().expect("wasmtime's compile");
        // The artifacts of the last round are the ones run.
        let exec: Option<(Vec<Sample>, Sample)> = (!program.workload.is_empty()).then(|| {
            let mut times: Vec<Vec<Sample>> = vec![Vec::new(); LEVELS.len() + 1];
            for _ in 0..runs {
                for (n, level) in LEVELS.iter().enumerate() {
                    let mut cmd = Command::new(&rt);
                    cmd.arg("run")
                        .arg(level)
                        .args(program.flags)
                        .arg(artifact(level));
                    times[n].push(measure(cmd.args(program.workload)));
                }
                let mut cmd = Command::new(&wasmtime);
                cmd.args(["run", "--allow-precompiled"]).args(program.flags);
                times[LEVELS.len()].push(measure(cmd.arg(&wt_artifact).args(program.workload)));
            }
            let mut times: Vec<Sample> = times.into_iter().map(median).collect();
            let wt = times.pop().expect("wasmtime's run");
            (times, wt)
        });
        for (n, level) in LEVELS.iter().enumerate() {
            let c = &compiles[n];
            let (run, wt_run, run_ratio, total) = match &exec {
                Some((times, wt_run)) => (
                    format!("{:.2}", secs(&times[n])),
                    format!("{:.2}", secs(wt_run)),
                    format!("{:.2}", secs(&times[n]) / secs(wt_run)),
                    format!("{:.2}", secs(c) + secs(&times[n])),
                ),
                None => Default::default(),
            };
            println!(
                "{:<24} {:>6} {:>5} {:>20} {:>20} {:>6.2} {:>7} {:>7} {:>6} {:>8}",
                name,
                size,
                level,
                cell(c),
                cell(&wt),
                secs(c) / secs(&wt),
                run,
                wt_run,
                run_ratio,
                total
            );
        }
        if let Some((_, wt_run)) = &exec {
            println!(
                "{:<24} {:>6} {:>5} {:>20} {:>20} {:>6} {:>7} {:>7} {:>6} {:>8.2}",
                name,
                size,
                "wt",
                "",
                "",
                "",
                "",
                "",
                "",
                secs(&wt) + secs(wt_run)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
