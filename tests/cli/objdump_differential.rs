//! `rt objdump` against wabt 1.0.32's `wasm-objdump`, byte for byte, on every module of the
//! spec test suite (converted with wabt's `wast2json`), the C fixture and the prebuilt WASI
//! programs, in each of the four modes. Prints `identical / files` per mode. Where wabt
//! cannot be the judge (`RECORDED`: it crashes, or deliberately differs on a malformed
//! module), rt's listing is compared with a recording reviewed by hand instead; so every
//! listing of every file is checked against something.
use crate::common::*;
use crate::expected;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

const MODES: [&str; 4] = ["-h", "-x", "-d", "-s"];

/// How wabt's listing relates to rt's for an entry of `RECORDED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wabt {
    /// wabt prints something else: its defect, or a malformed module where the two readers
    /// stop at different points.
    Differs,
    /// wabt prints an element segment's header before failing on its malformed item; the
    /// module model holds only whole segments, so rt prints nothing of it. Both must fail,
    /// and rt's listing must be wabt's with that one line left out.
    OneLineMore,
    /// wasm-objdump aborts on an assertion: it has no listing to compare with.
    Crashes,
}

/// The (file, modes) whose listing wabt 1.0.32 cannot judge, with the reason. Instead, rt's
/// exact listing (stdout, stderr and exit status) is compared with its recording in
/// tests/cli/expected/objdump/FILE.MODE.txt. The test fails when an entry no longer needs to
/// be here, or a recording belongs to no entry, so list and folder stay exact.
///
/// The recordings were made with `RT_BLESS=1` and reviewed by hand against the module's
/// bytes, wabt's listing and the spec's verdict. What they show: the malformed modules
/// (binary.40, binary-leb128.90, binary.53, binary.68) list what precedes the defect exactly
/// as wabt does, then fail (exit 1) with the defect's offset; binary.40's `-x` leaves the
/// global's line unterminated, as wabt itself does for a truncated initializer it notices.
/// binary.53 reports two errors (the reader's "too many locals", then the disassembler's
/// "malformed local declaration"). binary-leb128.81 is a valid module: rt disassembles the
/// padded sub-opcodes as the four `trunc_sat` instructions they encode and succeeds. The
/// modules wabt crashes on are only invalid (type mismatch), not malformed: rt lists them
/// in full, the empty initializer as `- init ()`, and succeeds.
const RECORDED: &[(&str, &str, Wabt, &str)] = &[
    (
        "binary.40.wasm",
        "-h -x -d -s",
        Wabt::Differs,
        "a global initializer without its final `end`: wabt reads past it, rt reports it",
    ),
    (
        "binary-leb128.90.wasm",
        "-h -x -d -s",
        Wabt::Differs,
        "a function type form written as a 2-byte LEB: wabt reads it as a signed LEB, rt as a byte",
    ),
    (
        "binary-leb128.81.wasm",
        "-d",
        Wabt::Differs,
        "an over-long LEB sub-opcode after 0xfc: wabt rejects it, wasmparser decodes it",
    ),
    (
        "binary.53.wasm",
        "-d",
        Wabt::Differs,
        "too many locals: wabt limits each declaration, wasmparser the total, so they stop at different declarations",
    ),
    (
        "binary.68.wasm",
        "-x",
        Wabt::OneLineMore,
        "an element segment whose item is malformed: wabt prints the segment's header first",
    ),
    (
        "data.49.wasm",
        "-x",
        Wabt::Crashes,
        "an empty data segment offset expression (only `end`): wabt asserts in PrintInitExpr",
    ),
    (
        "elem.39.wasm",
        "-h -x -s",
        Wabt::Crashes,
        "an empty element segment offset expression (only `end`): wabt asserts in PrintInitExpr",
    ),
    (
        "global.13.wasm",
        "-h -x -s",
        Wabt::Crashes,
        "an empty global initializer (only `end`): wabt asserts in PrintInitExpr",
    ),
];

/// The `RECORDED` entry for `file` in `mode`.
fn recorded_entry(file: &str, mode: &str) -> Option<Wabt> {
    RECORDED
        .iter()
        .find(|(f, modes, ..)| *f == file && modes.split(' ').any(|m| m == mode))
        .map(|(_, _, wabt, _)| *wabt)
}

/// Where `file`'s listing in `mode` is recorded, under tests/cli/expected/.
fn recording_name(file: &str, mode: &str) -> String {
    format!("objdump/{file}.{}.txt", mode.trim_start_matches('-'))
}

/// Spec scripts wabt 1.0.32's `wast2json --enable-all` cannot convert, so none of their
/// modules is compared: (script, a piece of wast2json's message that shows the cause, the
/// cause). The test fails if another script fails, or one of these converts or fails in
/// some other way.
const WAST2JSON_FAILS: &[(&str, &str, &str)] = &[
    (
        "comments",
        "Assertion `!tokens_.empty()' failed",
        "a `;;` line comment inside a `(module quote ...)` string: wast2json aborts on an assertion",
    ),
    (
        "if",
        "if.wast:533:33: error: unexpected token (, expected ).",
        "a folded `if` whose condition is two folded instructions (wabt takes only one)",
    ),
    (
        "table_fill",
        "table_fill.wast:9:17: error: unexpected token \"(\", expected a numeric index",
        "table.fill without a table index (the current text format defaults it to table 0)",
    ),
    (
        "table_get",
        "table_get.wast:13:16: error: unexpected token \"(\", expected a numeric index",
        "table.get without a table index",
    ),
    (
        "table_grow",
        "table_grow.wast:11:17: error: unexpected token \"(\", expected a numeric index",
        "table.grow without a table index",
    ),
    (
        "table_set",
        "table_set.wast:15:16: error: unexpected token \"(\", expected a numeric index",
        "table.set without a table index",
    ),
    (
        "table_size",
        "table_size.wast:7:51: error: unexpected token \")\", expected a numeric index",
        "table.size without a table index",
    ),
];

/// One-line init values that wabt 1.0.32 prints from uninitialised memory: an initializer
/// that is a single instruction other than i32/i64/f32/f64.const and global.get (v128.const,
/// ref.null, ref.func, or a non-constant instruction). wabt's text changes from run to run,
/// so such lines are masked on both sides when rt printed one of those forms.
fn mask_uninitialised(rt: &str, wabt: &str) -> Option<(String, String)> {
    let (r, w): (Vec<&str>, Vec<&str>) = (rt.split('\n').collect(), wabt.split('\n').collect());
    if r.len() != w.len() {
        return None;
    }
    let mut masked = false;
    let (mut r2, mut w2) = (Vec::new(), Vec::new());
    for (a, b) in r.iter().zip(&w) {
        if a != b {
            let (head, init) = a.split_once(" - init ")?;
            let uninit = init.starts_with("ref.func:")
                || init == "null"
                || init.starts_with("v128=")
                || (init.starts_with('(') && !init.contains(", "));
            let item = head.starts_with(" - global[") || head.starts_with(" - segment[");
            if !(uninit && item && b.starts_with(&format!("{head} - init "))) {
                return None;
            }
            masked = true;
            r2.push("<uninitialised>");
            w2.push("<uninitialised>");
        } else {
            r2.push(a);
            w2.push(b);
        }
    }
    masked.then(|| (r2.join("\n"), w2.join("\n")))
}

/// Files per process in the first, batched comparison.
const BATCH: usize = 32;

/// Whether both tools dump all of `files` successfully and print the same bytes.
fn batch_identical(dir: &Path, files: &[String], mode: &str) -> bool {
    let wabt = Command::new("wasm-objdump")
        .arg(mode)
        .args(files)
        .current_dir(dir)
        .output()
        .expect("run wasm-objdump");
    if !wabt.status.success() {
        return false;
    }
    let ours = rt()
        .args(["objdump", mode])
        .args(files)
        .current_dir(dir)
        .output()
        .expect("run rt");
    ours.status.success() && ours.stdout == wabt.stdout
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Identical,
    /// Identical once wabt's uninitialised init values are masked.
    IdenticalMasked,
    /// Listed in `RECORDED`, and rt's listing is its recording.
    Recorded,
    Differs,
}

fn compare(dir: &Path, file: &str, mode: &str) -> (Verdict, String) {
    let wabt = Command::new("wasm-objdump")
        .args([mode, file])
        .current_dir(dir)
        .output()
        .expect("run wasm-objdump");
    let ours = rt()
        .args(["objdump", mode, file])
        .current_dir(dir)
        .output()
        .expect("run rt");
    assert!(
        ours.status.code().is_some(),
        "rt objdump {mode} {file} died from a signal"
    );
    let (a, b) = (stdout(&ours), stdout(&wabt));
    let wabt_crashed = wabt.status.code().is_none();
    let same_status = ours.status.success() == wabt.status.success();
    if !wabt_crashed && same_status && a == b {
        return (Verdict::Identical, String::new());
    }
    if !wabt_crashed && same_status && mode == "-x" {
        if let Some((ma, mb)) = mask_uninitialised(&a, &b) {
            if ma == mb {
                return (Verdict::IdenticalMasked, String::new());
            }
        }
    }
    let fits = match recorded_entry(file, mode) {
        Some(Wabt::Differs) => !wabt_crashed,
        Some(Wabt::OneLineMore) => {
            !ours.status.success() && !wabt.status.success() && is_without_one_line(&a, &b)
        }
        Some(Wabt::Crashes) => wabt_crashed,
        None => false,
    };
    if fits {
        let listing = format!(
            "rt objdump {mode} {file}\nexit status: {}\n--- stdout\n{a}--- stderr\n{}",
            ours.status.code().unwrap(),
            stderr(&ours)
        );
        return match expected::check(&recording_name(file, mode), &listing) {
            Ok(()) => (Verdict::Recorded, String::new()),
            Err(why) => (Verdict::Differs, why),
        };
    }
    let theirs = if wabt_crashed {
        format!("crashed: {}", stderr(&wabt).trim_end())
    } else {
        format!("exit {:?}", wabt.status.code())
    };
    let diff = format!(
        "--- rt objdump {mode} {file} (exit {:?})\n{a}\n--- wasm-objdump {mode} {file} ({theirs})\n{b}",
        ours.status.code(),
    );
    (Verdict::Differs, diff)
}

/// Whether `shorter` is `longer` with exactly one line (terminated or not) left out.
fn is_without_one_line(shorter: &str, longer: &str) -> bool {
    let long: Vec<&str> = longer.split_inclusive('\n').collect();
    (0..long.len()).any(|skip| {
        let mut rest = long.iter().enumerate().filter(|(i, _)| *i != skip);
        let joined: String = rest.by_ref().map(|(_, l)| *l).collect();
        joined == shorter
    })
}

/// Converts every spec script with wast2json into `dir`; returns how many scripts there are
/// and the failures, each as (script, wast2json's stderr).
pub(crate) fn convert_testsuite(suite: &Path, dir: &Path) -> (usize, Vec<(String, String)>) {
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(suite)
        .expect("read wasm-testsuite")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wast"))
        .collect();
    scripts.sort();
    let next = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..worker_count() {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(script) = scripts.get(i) else { break };
                let stem = script.file_stem().unwrap().to_string_lossy().into_owned();
                let out = Command::new("wast2json")
                    .arg("--enable-all")
                    .arg(script)
                    .arg("-o")
                    .arg(format!("{stem}.json"))
                    .current_dir(dir)
                    .output()
                    .expect("run wast2json");
                if !out.status.success() {
                    failed.lock().unwrap().push((stem, stderr(&out)));
                }
            });
        }
    });
    let mut failed = failed.into_inner().unwrap();
    failed.sort();
    (scripts.len(), failed)
}

/// How the wast2json failures depart from `WAST2JSON_FAILS`: an unlisted script that fails,
/// a listed one that fails for another reason than the one given, or one that converts.
pub(crate) fn unexpected_wast2json_results(failed: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (script, message) in failed {
        match WAST2JSON_FAILS.iter().find(|(s, ..)| s == script) {
            None => problems.push(format!(
                "{script}.wast: wast2json fails and it is not in WAST2JSON_FAILS:\n{message}"
            )),
            Some((_, sign, _)) if !message.contains(sign) => problems.push(format!(
                "{script}.wast: wast2json's message lacks `{sign}`, so the listed reason may be wrong:\n{message}"
            )),
            Some(_) => {}
        }
    }
    for (script, ..) in WAST2JSON_FAILS {
        if !failed.iter().any(|(s, _)| s == script) {
            problems.push(format!(
                "{script}.wast: wast2json now converts it (or it is gone): remove it from WAST2JSON_FAILS"
            ));
        }
    }
    problems
}

/// Copies every `.wasm` under ../shared/wasi-testsuite into `dir` (named after its folder
/// to keep names apart); returns how many.
pub(crate) fn copy_wasi_programs(dir: &Path) -> usize {
    let suite = shared("wasi-testsuite");
    let mut stack = vec![suite.clone()];
    let mut copied = 0;
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder)
            .expect("read wasi-testsuite")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "wasm") {
                let rel = path.strip_prefix(&suite).unwrap().to_string_lossy();
                let name = format!("wasi-{}", rel.replace(['/', '\\'], "-"));
                std::fs::copy(&path, dir.join(name)).expect("copy WASI program");
                copied += 1;
            }
        }
    }
    copied
}

pub(crate) fn worker_count() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

/// Run `work` on every job on `worker_count()` threads, each taking the next job as it
/// finishes one (the differentials' jobs differ widely in cost), and gather what they return
/// in no particular order.
pub(crate) fn in_parallel<J: Sync, R: Send>(
    jobs: &[J],
    work: impl Fn(&J) -> Vec<R> + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..worker_count() {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i) else {
                    break;
                };
                let out = work(job);
                results.lock().unwrap().extend(out);
            });
        }
    });
    results.into_inner().unwrap()
}

#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn objdump_matches_wabt_on_the_spec_suite_and_the_c_fixture() {
    // The tools are run by name below; these fail the test if either is missing.
    wabt("wasm-objdump");
    wabt("wast2json");
    let suite = shared("wasm-testsuite");
    let work = tempdir();
    let (scripts, failed) = convert_testsuite(&suite, work.path());
    let problems = unexpected_wast2json_results(&failed);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let names: Vec<&str> = failed.iter().map(|(s, _)| s.as_str()).collect();
    eprintln!(
        "wast2json converted {} of {scripts} spec scripts; the {} listed in WAST2JSON_FAILS it cannot: {}",
        scripts - failed.len(),
        failed.len(),
        names.join(", ")
    );

    // The C fixture, and a relocatable object of it (linking and reloc.* sections), built
    // by their Makefile rules.
    let root = project_root();
    let made = Command::new("make")
        .args(["build/fixtures/hello.wasm", "build/fixtures/hello.o"])
        .current_dir(&root)
        .output()
        .expect("run make");
    assert!(made.status.success(), "make of the hello fixtures failed");
    std::fs::copy(fixture("hello"), work.path().join("hello.wasm")).expect("copy fixture");
    std::fs::copy(
        root.join("build/fixtures/hello.o"),
        work.path().join("hello-object.wasm"),
    )
    .expect("copy object");

    // The prebuilt WASI conformance programs (C, Rust, AssemblyScript): real toolchains' output.
    let wasi_programs = copy_wasi_programs(work.path());
    eprintln!("plus {wasi_programs} prebuilt WASI test programs, the C fixture and its object");

    let mut files: Vec<String> = std::fs::read_dir(work.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wasm"))
        .collect();
    files.sort();
    assert!(files.contains(&"hello.wasm".to_string()));
    assert!(files.contains(&"hello-object.wasm".to_string()));

    // Jobs are batches of files per mode: a batch both tools print identically and
    // successfully needs no closer look; any other batch is compared file by file.
    let jobs: Vec<(&str, &[String])> = MODES
        .iter()
        .flat_map(|m| files.chunks(BATCH).map(move |chunk| (*m, chunk)))
        .collect();
    let results: Vec<(&str, String, Verdict, String)> = in_parallel(&jobs, |(mode, chunk)| {
        if batch_identical(work.path(), chunk, mode) {
            chunk
                .iter()
                .map(|f| (*mode, f.clone(), Verdict::Identical, String::new()))
                .collect()
        } else {
            chunk
                .iter()
                .map(|f| {
                    let (verdict, diff) = compare(work.path(), f, mode);
                    (*mode, f.clone(), verdict, diff)
                })
                .collect()
        }
    });

    let mut per_mode: BTreeMap<&str, BTreeMap<Verdict, usize>> = BTreeMap::new();
    let mut failures = Vec::new();
    for (mode, file, verdict, diff) in &results {
        *per_mode
            .entry(mode)
            .or_default()
            .entry(*verdict)
            .or_default() += 1;
        if *verdict == Verdict::Differs {
            failures.push(format!("{mode} {file}"));
            if failures.len() <= 5 {
                eprintln!("{diff}");
            }
        }
        if file == "hello.wasm" || file == "hello-object.wasm" {
            assert_eq!(*verdict, Verdict::Identical, "{mode} on the C fixture");
        }
    }
    failures.extend(stale_recorded_entries(&results));
    for mode in MODES {
        let count = |v: Verdict| per_mode[mode].get(&v).copied().unwrap_or(0);
        eprintln!(
            "objdump {mode}: identical {} / {} files ({} of them after masking wabt's uninitialised init values; \
             {} wabt cannot judge, identical to their recordings; {} differ)",
            count(Verdict::Identical) + count(Verdict::IdenticalMasked),
            files.len(),
            count(Verdict::IdenticalMasked),
            count(Verdict::Recorded),
            count(Verdict::Differs),
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures (listings that differ from wasm-objdump or their recordings, or a stale RECORDED list): {}",
        failures.len(),
        failures.join(", ")
    );
}

/// `RECORDED` entries that did not end up compared with their recording (the listing became
/// identical to wabt's, or the file is gone), and recordings no entry names: the list and
/// the folder must stay exact.
fn stale_recorded_entries(results: &[(&str, String, Verdict, String)]) -> Vec<String> {
    let mut stale = Vec::new();
    let mut used = Vec::new();
    for (file, modes, ..) in RECORDED {
        for mode in modes.split(' ') {
            used.push(recording_name(file, mode));
            let verdict = results
                .iter()
                .find(|(m, f, ..)| *m == mode && f == file)
                .map(|r| r.2);
            if !matches!(verdict, Some(Verdict::Recorded | Verdict::Differs)) {
                stale.push(format!(
                    "{mode} {file} is in RECORDED but was {verdict:?}: remove the entry and its recording"
                ));
            }
        }
    }
    for name in expected::unused("objdump", &used) {
        stale.push(format!(
            "tests/cli/expected/{name} belongs to no RECORDED entry"
        ));
    }
    stale
}

/// `-r` (relocations under instructions and data segments) on a relocatable object of the
/// C fixture, with and without debug info, against wasm-objdump.
#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
fn relocations_match_wabt_on_an_object() {
    wabt("wasm-objdump");
    let root = project_root();
    let made = Command::new("make")
        .arg("build/fixtures/hello.o")
        .current_dir(&root)
        .output()
        .expect("run make");
    assert!(made.status.success(), "make build/fixtures/hello.o failed");
    let work = tempdir();
    std::fs::copy(
        root.join("build/fixtures/hello.o"),
        work.path().join("hello.o"),
    )
    .unwrap();
    for mode in ["-dr", "-xr", "-hxdsr"] {
        let (verdict, diff) = compare(work.path(), "hello.o", mode);
        assert_eq!(verdict, Verdict::Identical, "{diff}");
    }
}
