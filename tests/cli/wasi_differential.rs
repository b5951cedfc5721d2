//! The WASI differential: every WASI program the project has (the C fixtures and
//! ../shared/wasi-testsuite) runs under rt and under the reference, the pinned wasmtime CLI
//! that `make wasmtime` installs, with the same arguments, environment, stdin and a fresh
//! copy of the same preopened directory. Exit status, stdout and stderr must be the same.
//!
//! The only exceptions are listed in `KNOWN`, each with the reason rt is right. A listed
//! difference must show up exactly as described: one that no longer differs, or differs in
//! some other way, fails like any unlisted one, so the list cannot hide anything new.
use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A difference from the reference that is the reference's mistake. Only self-checking
/// fixtures (tests/fixtures/c/wasi_check.h) are listed: rt passes every check, and the
/// reference fails exactly `reference_fails`, each the check's text after `FAIL line N: `.
struct Known {
    program: &'static str,
    reference_fails: &'static [&'static str],
    why: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        program: "wasi_clock_poll",
        reference_fails: &["__wasi_poll_oneoff(subs, ev, 1, &n) = 0, want 28"],
        why: "A clock subscription on the process CPU-time clock cannot be waited on. The \
              guest cannot read that clock (clock_time_get answers EBADF under both), and a \
              process blocked in poll_oneoff uses no CPU time, so sleeping wall-clock time \
              instead answers a question nobody asked. wasmtime refuses the subscription \
              with EINVAL itself in every other form (absolute, or beside another \
              subscription; the fixture checks those, and both agree): only a lone relative \
              clock subscription takes its fast path, a plain thread sleep that never looks \
              at the clock id. rt answers EINVAL in every form.",
    },
    Known {
        program: "wasi_path_ops",
        reference_fails: &["__wasi_path_filestat_get(SANDBOX, 0, \"soft/\", &st) = 0, want 54"],
        why: "A trailing slash requires the last component to resolve to a directory: POSIX \
              pathname resolution, and Linux stat and lstat of \"link-to-file/\" fail with \
              ENOTDIR. wasmtime agrees in path_open and when the lookup follows symlinks, but \
              without the follow flag it drops the slash and stats the last component as it \
              is (even \"file/\" of a plain file succeeds there), so whether \"soft/\" names \
              something would depend on a flag the slash overrides.",
    },
];

/// What to put in a fresh host directory (which the function receives) before each run.
type Fill = Box<dyn Fn(&Path)>;

/// One program, run alike under both runtimes.
struct Case {
    name: String,
    wasm: PathBuf,
    cwd: PathBuf,
    /// `--env` values, `NAME=VALUE`.
    env: Vec<String>,
    args: Vec<String>,
    stdin: Vec<u8>,
    /// A directory to preopen: the guest's path for it and how to fill it.
    preopen: Option<(&'static str, Fill)>,
    /// The program ends in a trap, which each runtime reports in its own words.
    traps: bool,
}

impl Case {
    fn new(name: &str, wasm: PathBuf) -> Case {
        Case {
            name: name.into(),
            wasm,
            cwd: project_root(),
            env: Vec::new(),
            args: Vec::new(),
            stdin: Vec::new(),
            preopen: None,
            traps: false,
        }
    }

    fn args(mut self, args: &[&str]) -> Case {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    fn preopen(mut self, guest: &'static str, fill: impl Fn(&Path) + 'static) -> Case {
        self.preopen = Some((guest, Box::new(fill)));
        self
    }
}

/// Run `case` with `cmd` (a runtime's `run` command, flags still to come).
fn run(case: &Case, mut cmd: Command) -> Output {
    let scratch = tempdir();
    // Neither runtime passes the host's environment to the guest; these only change how
    // the runtime itself reports errors.
    cmd.current_dir(&case.cwd)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env_remove("WASMTIME_BACKTRACE_DETAILS");
    for kv in &case.env {
        cmd.arg("--env").arg(kv);
    }
    if let Some((guest, fill)) = &case.preopen {
        let host = scratch.path().join("root");
        std::fs::create_dir(&host).unwrap();
        fill(&host);
        cmd.arg("--dir").arg(format!("{}::{guest}", host.display()));
    }
    cmd.arg(&case.wasm).args(&case.args);
    output_with_stdin(&mut cmd, &case.stdin)
}

/// A trapping run's stderr split into what the guest wrote and the trap's message: each
/// runtime words its report differently, but it starts with `report` and names the trap
/// on a line holding `wasm trap: MESSAGE`.
fn split_trap<'a>(stderr: &'a str, report: &str) -> (&'a str, Option<&'a str>) {
    let Some(at) = stderr.find(report) else {
        return (stderr, None);
    };
    let message = stderr[at..]
        .lines()
        .find_map(|l| l.split_once("wasm trap: ").map(|(_, m)| m));
    (&stderr[..at], message)
}

/// How the two runs differ, one entry per differing part; empty when they agree.
fn differences(case: &Case, ours: &Output, theirs: &Output) -> Vec<String> {
    let mut found = Vec::new();
    let mut compare = |what: &str, ours: &dyn std::fmt::Debug, theirs: &dyn std::fmt::Debug| {
        let (ours, theirs) = (format!("{ours:?}"), format!("{theirs:?}"));
        if ours != theirs {
            let cut = |s: &str| s.chars().take(2000).collect::<String>();
            found.push(format!(
                "  {what}:\n    rt:       {}\n    wasmtime: {}",
                cut(&ours),
                cut(&theirs)
            ));
        }
    };
    compare("exit status", &ours.status.code(), &theirs.status.code());
    compare("stdout", &stdout(ours), &stdout(theirs));
    let (our_err, their_err) = (stderr(ours), stderr(theirs));
    if case.traps {
        let (our_guest, our_trap) = split_trap(&our_err, "error: wasm trap: ");
        let (their_guest, their_trap) = split_trap(&their_err, "Error: failed to run main module");
        compare("the guest's stderr", &our_guest, &their_guest);
        compare("trap message", &our_trap, &their_trap);
        if our_trap.is_none() {
            found.push("  rt reported no trap".into());
        }
    } else {
        compare("stderr", &our_err, &their_err);
    }
    found
}

/// Whether the runs differ exactly as `known` says: rt passes every check, the reference
/// fails just the listed ones, and nothing else differs.
fn as_listed(known: &Known, ours: &Output, theirs: &Output) -> bool {
    let program = known.program;
    let their_out = stdout(theirs);
    let mut their_lines: Vec<&str> = their_out.lines().collect();
    let verdict = their_lines.pop();
    let fails: Vec<&str> = their_lines
        .iter()
        .map(|l| {
            l.strip_prefix("FAIL line ")
                .and_then(|l| l.split_once(": "))
                .map_or("", |(_, check)| check)
        })
        .collect();
    ours.status.code() == Some(0)
        && stdout(ours) == format!("{program}: ok\n")
        && theirs.status.code() == Some(1)
        && verdict == Some(&format!("{program}: FAILED"))
        && fails == known.reference_fails
        && ours.stderr == theirs.stderr
}

/// Run every case under both runtimes; fail with every unlisted difference, and with every
/// listed one that did not show up as listed.
fn compare_all(cases: &[Case]) {
    let mut problems = Vec::new();
    let mut differing = 0;
    for case in cases {
        let mut ours = rt();
        ours.arg("run").env("RT_CACHE", "off");
        let mut theirs = Command::new(wasmtime());
        // The CLI's compile cache would be written under the user's home.
        theirs.args(["run", "-C", "cache=n"]);
        let (ours, theirs) = (run(case, ours), run(case, theirs));
        let found = differences(case, &ours, &theirs);
        differing += usize::from(!found.is_empty());
        let known = KNOWN.iter().find(|k| k.program == case.name);
        match known {
            None if found.is_empty() => {}
            Some(k) if !found.is_empty() && as_listed(k, &ours, &theirs) => {
                eprintln!(
                    "{}: differs as listed, rt being right: {}",
                    case.name, k.why
                )
            }
            None => problems.push(format!("{}: differs\n{}", case.name, found.join("\n"))),
            Some(_) if found.is_empty() => problems.push(format!(
                "{}: listed in KNOWN but no longer differs: remove it from the list",
                case.name
            )),
            Some(k) => problems.push(format!(
                "{}: differs otherwise than KNOWN lists (reference should fail only {:?})\n{}",
                case.name,
                k.reference_fails,
                found.join("\n")
            )),
        }
    }
    eprintln!(
        "wasi differential: {} programs compared with {}, {differing} differ, {} unexplained",
        cases.len(),
        REFERENCE.trim_end(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// An empty scratch directory needs no filling.
fn empty(_: &Path) {}

/// The program's case: the arguments, environment, stdin and directory it is written for,
/// as tests/cli/wasi.rs runs it.
fn fixture_case(name: &str) -> Vec<Case> {
    let case = Case::new(name, fixture(name));
    match name {
        "wasi_fd_ops" | "wasi_path_ops" => vec![case.preopen("/sandbox", empty)],
        "wasi_posix" => vec![case.preopen("/", empty)],
        // A symlink inside that leads out, and a file beside the directory to be reached.
        "wasi_escape" => vec![case.preopen("/sandbox", |dir| {
            write(dir.parent().unwrap(), "secret", "outside");
            std::os::unix::fs::symlink("/etc", dir.join("abs")).unwrap();
        })],
        "wasi_readdir" => vec![case.preopen(".", |dir| {
            write(dir, "b.txt", "");
            write(dir, "a.txt", "");
            std::fs::create_dir(dir.join("sub")).unwrap();
        })],
        "wasi_misc" => {
            let mut case = case.args(&["a", "b c"]);
            case.env = vec!["K=v w".into()];
            vec![case]
        }
        "wasi_stdio" => {
            let mut case = case;
            case.stdin = b"shout this\n".to_vec();
            vec![case]
        }
        "wasi_exit" => {
            let mut trap = Case::new("wasi_exit trap", fixture(name)).args(&["trap"]);
            trap.traps = true;
            vec![Case::new("wasi_exit 9", fixture(name)).args(&["9"]), trap]
        }
        // wasi_lines prints all its lines here: the closing pipe it is written for is
        // tests/cli/wasi.rs's business.
        _ => vec![case],
    }
}

#[test]
#[cfg_attr(
    rt_no_wasmtime,
    ignore = "needs the pinned wasmtime CLI (make wasmtime)"
)]
fn c_fixtures_agree_with_wasmtime() {
    let mut names: Vec<String> = std::fs::read_dir(project_root().join("build/fixtures"))
        .expect("build/fixtures: run `make fixtures` (make test does)")
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().ok()?;
            let stem = name.strip_suffix(".wasm")?;
            stem.starts_with("wasi_").then(|| stem.to_string())
        })
        .collect();
    names.push("hello".into());
    names.sort();
    assert!(
        names.len() >= 11,
        "expected every wasi_* fixture, found {names:?}"
    );
    let cases: Vec<Case> = names.iter().flat_map(|n| fixture_case(n)).collect();
    for known in KNOWN {
        assert!(
            cases.iter().any(|c| c.name == known.program),
            "KNOWN lists {}, which is not compared any more",
            known.program
        );
    }
    compare_all(&cases);
}

#[test]
#[cfg_attr(
    rt_no_wasmtime,
    ignore = "needs the pinned wasmtime CLI (make wasmtime)"
)]
#[cfg_attr(
    all(rt_no_shared_data, not(rt_no_wasmtime)),
    ignore = "needs ../shared"
)]
fn wasi_testsuite_agrees_with_wasmtime() {
    let suite = shared("wasi-testsuite");
    let mut cases = Vec::new();
    for lang in ["c", "assemblyscript"] {
        for entry in std::fs::read_dir(suite.join(lang)).unwrap() {
            let wasm = entry.unwrap().path();
            if wasm.extension().is_some_and(|e| e == "wasm") {
                cases.push(suite_case(wasm));
            }
        }
    }
    cases.sort_by(|a, b| a.wasm.cmp(&b.wasm));
    assert!(
        cases.len() >= 26,
        "expected the whole suite, found {}",
        cases.len()
    );
    compare_all(&cases);
}

/// A suite program run as its README says: X.json beside X.wasm may give args, env and a
/// directory to preopen as `/`, from which every `*.cleanup` is removed first.
fn suite_case(wasm: PathBuf) -> Case {
    let folder = wasm.parent().unwrap().to_path_buf();
    let spec: serde_json::Value = std::fs::read_to_string(wasm.with_extension("json"))
        .map(|text| serde_json::from_str(&text).expect("the suite's json parses"))
        .unwrap_or_default();
    let name = wasm.file_name().unwrap().to_string_lossy().into_owned();
    let mut case = Case::new(&name, wasm);
    case.cwd = folder.clone();
    if let Some(env) = spec["env"].as_object() {
        case.env = env
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
    }
    for a in spec["args"].as_array().into_iter().flatten() {
        case.args.push(a.as_str().unwrap_or_default().into());
    }
    if let Some(root) = spec["root"].as_str() {
        let from = folder.join(root);
        case = case.preopen("/", move |dir| {
            // ../shared is read-only: copy it, then clean the copy.
            let copied = Command::new("cp")
                .arg("-a")
                .arg(from.join("."))
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(copied, "copy {}", from.display());
            let cleaned = Command::new("find")
                .arg(dir)
                .args(["-name", "*.cleanup", "-delete"])
                .status()
                .is_ok_and(|s| s.success());
            assert!(cleaned, "remove *.cleanup under {}", dir.display());
        });
    }
    case
}
