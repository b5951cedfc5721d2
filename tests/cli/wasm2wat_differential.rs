//! `rt wasm2wat` against wabt 1.0.32's `wasm2wat`, character for character, on every module
//! wabt reads: the spec suite's modules (converted by the objdump differential's
//! `convert_testsuite`), the prebuilt WASI programs and the C fixtures, in three flag sets
//! that between them take every printing path. Then the round trip: `rt wat2wasm` of the
//! text gives back the module's bytes, or exactly what wabt's own round trip gives where the
//! module was not written in wabt's encoding.
use crate::common::*;
use crate::objdump_differential::{
    convert_testsuite, copy_wasi_programs, in_parallel, unexpected_wast2json_results,
};
use std::path::Path;
use std::process::Command;

const FLAG_SETS: [&[&str]; 3] = [
    &[],
    &[
        "--fold-exprs",
        "--generate-names",
        "--inline-exports",
        "--inline-imports",
    ],
    &["--no-debug-names", "--fold-exprs"],
];

/// Modules wabt 1.0.32 prints but rt refuses, each with a piece of rt's message and why:
/// all are modules the spec says are malformed or invalid, which wabt's reader or validator
/// lets through. The test fails if rt prints one of them, or refuses it for another reason,
/// or refuses a module not listed here.
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "binary.111.wasm",
        "control frames remain at end of function body",
        "malformed (a function body whose blocks are not all ended): wabt does not check",
    ),
    (
        "binary.40.wasm",
        "unexpected end-of-file",
        "malformed (a global initializer without its `end`): wabt reads past it",
    ),
    (
        "binary.64.wasm",
        "data count is non-zero but data section is absent",
        "malformed (a data count with no data section): wabt does not check",
    ),
    (
        "call_indirect.32.wasm",
        "indirect calls must go through a table with type <= funcref",
        "invalid (call_indirect through an externref table): wabt's validator misses it",
    ),
    (
        "data.49.wasm",
        "type mismatch: expected i32 but nothing on stack",
        "invalid (an empty data segment offset): wabt's validator misses it",
    ),
    (
        "elem.39.wasm",
        "type mismatch: expected i32 but nothing on stack",
        "invalid (an empty element segment offset): wabt's validator misses it",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Identical,
    /// Listed in KNOWN and refused as described there.
    Known,
    /// wabt does not read it (a newer feature, malformed or invalid): nothing to compare.
    WabtRefuses,
    Differs,
}

fn compare(dir: &Path, file: &str, flags: &[&str]) -> (Verdict, String) {
    let wabt = Command::new("wasm2wat")
        .args(flags)
        .arg(file)
        .current_dir(dir)
        .output()
        .expect("run wasm2wat");
    let ours = rt()
        .arg("wasm2wat")
        .args(flags)
        .arg(file)
        .current_dir(dir)
        .output()
        .expect("run rt");
    assert!(
        ours.status.code().is_some(),
        "rt wasm2wat {flags:?} {file} died from a signal"
    );
    // With --generate-names wabt reports a validation error, then prints the module anyway
    // and exits 0; rt treats an invalid module as an error whatever the flags. An error
    // message from wabt counts as a refusal.
    if !wabt.status.success() || !wabt.stderr.is_empty() {
        return (Verdict::WabtRefuses, String::new());
    }
    if let Some((_, sign, _)) = KNOWN.iter().find(|(f, ..)| *f == file) {
        return if !ours.status.success() && stderr(&ours).contains(sign) {
            (Verdict::Known, String::new())
        } else {
            let why = format!(
                "{file} is in KNOWN, but rt wasm2wat {flags:?} gave exit {:?}: {}",
                ours.status.code(),
                stderr(&ours)
            );
            (Verdict::Differs, why)
        };
    }
    if ours.status.success() && ours.stdout == wabt.stdout {
        return (Verdict::Identical, String::new());
    }
    let diff = format!(
        "--- rt wasm2wat {flags:?} {file} (exit {:?})\n{}{}\n--- wasm2wat\n{}",
        ours.status.code(),
        stdout(&ours),
        stderr(&ours),
        stdout(&wabt)
    );
    (Verdict::Differs, diff)
}

fn has_custom_section(bytes: &[u8]) -> bool {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .any(|p| matches!(p, Ok(wasmparser::Payload::CustomSection(_))))
}

/// rt's round trip of `file` (already known to print as wabt prints it): the original
/// bytes (true), or exactly wabt's own round trip (false); anything else is an error.
fn round_trip(dir: &Path, file: &str) -> Result<bool, String> {
    let original = std::fs::read(dir.join(file)).unwrap();
    let wat = format!("{file}.rt.wat");
    let back = format!("{file}.rt.back");
    let printed = rt()
        .args(["wasm2wat", file, "-o", &wat])
        .current_dir(dir)
        .output()
        .unwrap();
    let assembled = rt()
        .args(["wat2wasm", &wat, "-o", &back])
        .current_dir(dir)
        .output()
        .unwrap();
    if !printed.status.success() || !assembled.status.success() {
        return Err(format!(
            "{file}: rt's round trip failed: {}{}",
            stderr(&printed),
            stderr(&assembled)
        ));
    }
    let ours = std::fs::read(dir.join(&back)).unwrap();
    if ours == original {
        return Ok(true);
    }
    let theirs_path = format!("{file}.wabt.back");
    let wabt_run = Command::new("wat2wasm")
        .args([&wat, "-o", &theirs_path])
        .current_dir(dir)
        .output()
        .expect("run wat2wasm");
    let theirs = std::fs::read(dir.join(&theirs_path)).unwrap_or_default();
    if wabt_run.status.success() && theirs == ours {
        Ok(false)
    } else {
        Err(format!(
            "{file}: rt wat2wasm of rt wasm2wat's text is neither the original nor wabt's round trip"
        ))
    }
}

#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn wasm2wat_matches_wabt_on_every_module_it_reads() {
    wabt("wasm2wat");
    wabt("wast2json");
    wabt("wat2wasm");
    let suite = shared("wasm-testsuite");
    let work = tempdir();
    let (_, failed) = convert_testsuite(&suite, work.path());
    let problems = unexpected_wast2json_results(&failed);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let wasi_programs = copy_wasi_programs(work.path());
    let root = project_root();
    let made = Command::new("make")
        .arg("fixtures")
        .current_dir(&root)
        .output()
        .expect("run make");
    assert!(made.status.success(), "make fixtures failed");
    let mut fixtures = 0;
    for entry in std::fs::read_dir(root.join("build/fixtures"))
        .unwrap()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".wasm") {
            std::fs::copy(entry.path(), work.path().join(format!("fixture-{name}"))).unwrap();
            fixtures += 1;
        }
    }
    let mut files: Vec<String> = std::fs::read_dir(work.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wasm"))
        .collect();
    files.sort();
    eprintln!(
        "{} modules: the spec suite's, {wasi_programs} WASI programs, {fixtures} C fixtures",
        files.len()
    );

    let jobs: Vec<(&[&str], &String)> = FLAG_SETS
        .iter()
        .flat_map(|flags| files.iter().map(move |f| (*flags, f)))
        .collect();
    let results = in_parallel(&jobs, |(flags, file)| {
        let (verdict, diff) = compare(work.path(), file, flags);
        vec![(flags.join(" "), (*file).clone(), verdict, diff)]
    });
    let mut failures = Vec::new();
    for flags in FLAG_SETS {
        let flags = flags.join(" ");
        let of = |v: Verdict| results.iter().filter(|r| r.0 == flags && r.2 == v).count();
        eprintln!(
            "wasm2wat [{flags}]: identical {} of the {} modules wabt reads ({} known differences, listed in KNOWN); wabt refuses {}; {} differ",
            of(Verdict::Identical),
            of(Verdict::Identical) + of(Verdict::Known) + of(Verdict::Differs),
            of(Verdict::Known),
            of(Verdict::WabtRefuses),
            of(Verdict::Differs)
        );
    }
    for (flags, file, verdict, diff) in &results {
        if *verdict == Verdict::Differs {
            if failures.len() < 5 {
                eprintln!("{diff}");
            }
            failures.push(format!("[{flags}] {file}"));
        }
    }
    for (file, ..) in KNOWN {
        if !results.iter().any(|r| r.1 == *file) {
            failures.push(format!(
                "{file} is in KNOWN but no longer among the modules"
            ));
        }
    }

    // The round trip, for the modules printed as wabt prints them that carry no custom
    // section (a name section's names are text, not bytes wat2wasm writes back).
    let (mut same, mut as_wabt) = (0, 0);
    for (_, file, verdict, _) in results.iter().filter(|r| r.0.is_empty()) {
        let bytes = std::fs::read(work.path().join(file)).unwrap();
        if *verdict != Verdict::Identical || has_custom_section(&bytes) {
            continue;
        }
        match round_trip(work.path(), file) {
            Ok(true) => same += 1,
            Ok(false) => as_wabt += 1,
            Err(e) => failures.push(e),
        }
    }
    eprintln!(
        "round trip: {same} modules come back byte for byte; {as_wabt} come back as wabt's own round trip gives them (not written in wabt's encoding to begin with)"
    );
    assert!(
        failures.is_empty(),
        "{} failures: {}",
        failures.len(),
        failures.join(", ")
    );
}
