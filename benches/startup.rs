//! `make bench` (start-up): how long a process that does not compile takes from exec to
//! exit, rt against the tool a user would otherwise run, in one table.
//!
//! - `rt --version` against `wasmtime --version`;
//! - a small WASI program (the C fixture `hello`), precompiled: `rt run hello.wasm` with a
//!   warm cache and `rt run hello.rtc` (an artifact from `rt compile`), both against
//!   `wasmtime run --allow-precompiled hello.cwasm` (from `wasmtime compile`);
//! - `rt wat2wasm` and `rt objdump -x` on a 1 KB module against wabt's `wat2wasm` and
//!   `wasm-objdump -x`;
//! - and, as the control, `rt-compile --version`: the same program with LLVM linked in, which
//!   is what every `rt` process paid before the split.
//!
//! Each command runs `RT_BENCH_RUNS` times (default and at least 50) after 10 warm-up runs,
//! the commands of a row alternating so that both see the same machine load. The table
//! shows the median wall time, the median page faults (minor) and the ratio of medians
//! rt / reference. The pinned wasmtime comes from `make wasmtime` and wabt from `make setup`;
//! a row whose reference is missing says so instead of a ratio.
mod common;
use common::{bench_runs, children_usage, median, ms};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WARMUP: usize = 10;

/// One program invocation to time.
struct Cmd {
    label: String,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Cmd {
    fn new(program: impl Into<PathBuf>, args: &[&str]) -> Cmd {
        let program = program.into();
        let name = program.file_name().unwrap().to_string_lossy().into_owned();
        Cmd {
            label: format!("{name} {}", args.join(" ")),
            program,
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
        }
    }

    fn env(mut self, key: &str, value: &Path) -> Cmd {
        self.env.push((key.into(), value.display().to_string()));
        self
    }

    fn available(&self) -> bool {
        self.program.is_file()
    }

    /// Wall time and minor page faults of one run; a failing run ends the bench.
    fn run(&self) -> (Duration, i64) {
        let faults_before = children_usage().ru_minflt;
        let start = Instant::now();
        let out = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .expect("spawn");
        let wall = start.elapsed();
        assert!(
            out.status.success(),
            "{} failed: {}",
            self.label,
            String::from_utf8_lossy(&out.stderr)
        );
        (wall, children_usage().ru_minflt - faults_before)
    }
}

struct Timing {
    wall: Duration,
    faults: i64,
}

/// Time every command of a row, alternating, after the warm-up runs.
fn time_row(cmds: &[&Cmd], runs: usize) -> Vec<Timing> {
    for _ in 0..WARMUP {
        for c in cmds {
            c.run();
        }
    }
    let mut samples: Vec<Vec<(Duration, i64)>> = vec![Vec::with_capacity(runs); cmds.len()];
    for _ in 0..runs {
        for (c, s) in cmds.iter().zip(&mut samples) {
            s.push(c.run());
        }
    }
    samples
        .into_iter()
        .map(|s| {
            let mut faults: Vec<i64> = s.iter().map(|x| x.1).collect();
            faults.sort_unstable();
            Timing {
                wall: median(s.iter().map(|x| x.0).collect()),
                faults: faults[faults.len() / 2],
            }
        })
        .collect()
}

/// A module of about 1 KB: a few functions with locals, loops, memory traffic and calls,
/// exports, a table and data, written out until the binary passes 1,024 bytes.
fn one_kb_module(rt: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let mut funcs = 0;
    loop {
        funcs += 1;
        let mut wat = String::from("(module\n  (memory (export \"memory\") 1)\n");
        for i in 0..funcs {
            let callee = if i == 0 { 0 } else { i - 1 };
            wat.push_str(&format!(
                "  (func $f{i} (export \"f{i}\") (param i32 i32) (result i32) (local $k i32)\n    \
                 (block $out (loop $top\n      \
                 (br_if $out (i32.ge_u (local.get $k) (local.get 1)))\n      \
                 (i32.store (local.get $k) (i32.add (i32.load (local.get $k)) (i32.const {i})))\n      \
                 (local.set $k (i32.add (local.get $k) (i32.const 4)))\n      (br $top)))\n    \
                 (call $f{callee} (local.get 0) (i32.const 0)))\n"
            ));
        }
        wat.push_str(&format!(
            "  (table {funcs} funcref)\n  (elem (i32.const 0) func {})\n  \
             (data (i32.const 64) \"benches/startup.rs\")\n)\n",
            (0..funcs)
                .map(|i| format!("$f{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
        let text = dir.join("one_kb.wat");
        let binary = dir.join("one_kb.wasm");
        std::fs::write(&text, wat).unwrap();
        let out = Command::new(rt)
            .arg("wat2wasm")
            .arg(&text)
            .arg("-o")
            .arg(&binary)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if std::fs::metadata(&binary).unwrap().len() >= 1024 {
            return (text, binary);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rt = PathBuf::from(env!("CARGO_BIN_EXE_rt"));
    let rt_compile = PathBuf::from(env!("CARGO_BIN_EXE_rt-compile"));
    let wasmtime = root.join("build/venv/bin/wasmtime");
    let hello = root.join("build/fixtures/hello.wasm");
    assert!(
        hello.is_file(),
        "{} is missing: run `make fixtures` (make bench does)",
        hello.display()
    );
    let runs = bench_runs(50);
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name);
    let cache = d("cache");
    let (wat, wasm) = one_kb_module(&rt, dir.path());
    let size = std::fs::metadata(&wasm).unwrap().len();

    // The precompiled forms, made once, outside the timings.
    let rtc = d("hello.rtc");
    let made = Command::new(&rt)
        .args([
            "compile",
            hello.to_str().unwrap(),
            "-o",
            rtc.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(made.success(), "rt compile failed");
    let cwasm = d("hello.cwasm");
    let have_wasmtime = wasmtime.is_file()
        && Command::new(&wasmtime)
            .args([
                "compile",
                hello.to_str().unwrap(),
                "-o",
                cwasm.to_str().unwrap(),
            ])
            .status()
            .is_ok_and(|s| s.success());

    let s = |p: &Path| p.to_str().unwrap().to_string();
    let rows: Vec<(String, Cmd, Option<Cmd>)> = vec![
        (
            "--version".into(),
            Cmd::new(&rt, &["--version"]),
            Some(Cmd::new(&wasmtime, &["--version"])),
        ),
        (
            "hello, warm cache".into(),
            Cmd::new(&rt, &["run", &s(&hello)]).env("RT_CACHE_DIR", &cache),
            Some(Cmd::new(
                &wasmtime,
                &["run", "--allow-precompiled", &s(&cwasm)],
            )),
        ),
        (
            "hello, artifact".into(),
            Cmd::new(&rt, &["run", &s(&rtc)]),
            Some(Cmd::new(
                &wasmtime,
                &["run", "--allow-precompiled", &s(&cwasm)],
            )),
        ),
        (
            format!("wat2wasm, {size} B module"),
            Cmd::new(&rt, &["wat2wasm", &s(&wat), "-o", &s(&d("rt.wasm"))]),
            Some(Cmd::new(
                "/usr/bin/wat2wasm",
                &[&s(&wat), "-o", &s(&d("wabt.wasm"))],
            )),
        ),
        (
            format!("objdump -x, {size} B module"),
            Cmd::new(&rt, &["objdump", "-x", &s(&wasm)]),
            Some(Cmd::new("/usr/bin/wasm-objdump", &["-x", &s(&wasm)])),
        ),
        (
            "--version, LLVM linked (control)".into(),
            Cmd::new(&rt_compile, &["--version"]),
            Some(Cmd::new(&wasmtime, &["--version"])),
        ),
    ];

    println!(
        "start-up: median wall time of {runs} runs (after {WARMUP} warm-up runs), median minor \
         page faults, ratio of medians rt / reference"
    );
    println!(
        "{:<34} {:>9} {:>7} {:>9} {:>7} {:>7}  reference",
        "case", "rt ms", "faults", "ref ms", "faults", "ratio"
    );
    for (case, ours, reference) in &rows {
        let reference = reference
            .as_ref()
            .filter(|r| r.available() && (r.program != wasmtime || have_wasmtime));
        let mut cmds = vec![ours];
        cmds.extend(reference);
        let t = time_row(&cmds, runs);
        match (reference, t.get(1)) {
            (Some(r), Some(rt_ref)) => println!(
                "{case:<34} {:>9.2} {:>7} {:>9.2} {:>7} {:>7.2}  {}",
                ms(t[0].wall),
                t[0].faults,
                ms(rt_ref.wall),
                rt_ref.faults,
                t[0].wall.as_secs_f64() / rt_ref.wall.as_secs_f64(),
                r.label
            ),
            _ => println!(
                "{case:<34} {:>9.2} {:>7} {:>9} {:>7} {:>7}  (reference missing)",
                ms(t[0].wall),
                t[0].faults,
                "-",
                "-",
                "-"
            ),
        }
    }
}
