//! Differential tests against Debian's wabt 1.0.32: every text module of every spec script,
//! and the C fixture as text, must come out of `rt wat2wasm` with wabt's exact bytes (with
//! and without `--debug-names`), and the `-v` logs must match character for character.
use crate::common::*;
use crate::expected;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Modules of the spec suite that wabt 1.0.32 rejects and rt accepts; each is newer text
/// syntax than wabt 1.0.32 knows. wabt writes nothing to compare with, so
/// `modules_wabt_rejects_match_their_recordings` compares rt's bytes with recordings
/// reviewed by hand instead.
const WABT_REJECTS: &[(&str, &str)] = &[
    (
        "elem.42",
        "global.get as an element expression (wabt allows only ref.null and ref.func)",
    ),
    (
        "if.0",
        "a folded `if` whose condition is two folded instructions (wabt takes only one)",
    ),
    (
        "table_fill.0",
        "table.fill without a table index (the current text format defaults it to table 0)",
    ),
    ("table_get.0", "table.get without a table index"),
    ("table_grow.0", "table.grow without a table index"),
    ("table_grow.5", "table.grow without a table index"),
    ("table_grow.6", "table.grow without a table index"),
    ("table_grow.7", "table.size without a table index"),
    ("table_set.0", "table.set without a table index"),
    ("table_size.0", "table.size without a table index"),
];

/// The `(module ...)` forms of a script: top level, and inside the assertions whose module
/// must be valid (`assert_unlinkable`, `assert_trap`, `assert_uninstantiable`).
/// `(module binary ...)` and `(module quote ...)` are counted in `skipped`, not returned.
pub struct Extracted {
    pub modules: Vec<String>,
    pub skipped: usize,
    /// Text modules of `assert_invalid`: each must be rejected.
    pub invalid: Vec<String>,
}

pub fn extract_modules(script: &str) -> Extracted {
    let mut out = Extracted {
        modules: Vec::new(),
        skipped: 0,
        invalid: Vec::new(),
    };
    let inner_modules = |form: &'_ str| -> Vec<String> {
        forms(&form[1..form.len() - 1])
            .into_iter()
            .filter(|f| head(f) == Some("module") && !is_binary_or_quote(f))
            .map(str::to_string)
            .collect()
    };
    for form in forms(script) {
        let candidates = match head(form) {
            Some("module") => vec![form],
            Some("assert_unlinkable" | "assert_trap" | "assert_uninstantiable") => {
                forms(&form[1..form.len() - 1])
                    .into_iter()
                    .filter(|f| head(f) == Some("module"))
                    .collect()
            }
            Some("assert_invalid") => {
                out.invalid.extend(inner_modules(form));
                continue;
            }
            _ => continue,
        };
        for module in candidates {
            if is_binary_or_quote(module) {
                out.skipped += 1;
            } else {
                out.modules.push(module.to_string());
            }
        }
    }
    out
}

/// Skip whitespace, `;;` line comments and nested `(; ;)` block comments.
fn skip_trivia(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    loop {
        if i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b";;") {
            i = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n);
        } else if b[i..].starts_with(b"(;") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"(;") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b";)") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return i;
        }
    }
}

/// The parenthesised forms at the top level of `s`.
fn forms(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let (mut i, mut depth, mut start) = (0, 0, 0);
    let mut out = Vec::new();
    while i < b.len() {
        let next = skip_trivia(s, i);
        if next != i {
            i = next;
            continue;
        }
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    out.push(&s[start..=i]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The keyword after a form's opening parenthesis.
fn head(form: &str) -> Option<&str> {
    let i = skip_trivia(form, 1);
    let word = &form[i..];
    let end = word
        .find(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ';')
        .unwrap_or(word.len());
    (end > 0).then(|| &word[..end])
}

fn is_binary_or_quote(module: &str) -> bool {
    let mut i = skip_trivia(module, 1) + "module".len();
    i = skip_trivia(module, i);
    if module[i..].starts_with('$') {
        i += module[i..]
            .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .unwrap_or(0);
        i = skip_trivia(module, i);
    }
    module[i..].starts_with("binary") || module[i..].starts_with("quote")
}

/// Every text module of the suite, named `SCRIPT.N`, and how many were skipped.
fn suite_modules(suite: &Path) -> (Vec<(String, String)>, usize) {
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(suite)
        .expect("read wasm-testsuite")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    scripts.sort();
    let (mut all, mut skipped) = (Vec::new(), 0);
    for script in scripts {
        let text = std::fs::read_to_string(&script).expect("read script");
        let stem = script.file_stem().unwrap().to_string_lossy().into_owned();
        let extracted = extract_modules(&text);
        skipped += extracted.skipped;
        for (k, module) in extracted.modules.into_iter().enumerate() {
            all.push((format!("{stem}.{k}"), module));
        }
    }
    (all, skipped)
}

/// Five-byte LEB sizes and a name section: the layout the third `-v` sweep checks.
const PADDED: [&str; 2] = ["--no-canonicalize-leb128s", "--debug-names"];

/// What happened to one module in one mode.
pub enum Outcome {
    Identical,
    Differs(String),
    WabtRejects,
    RtRejects(String),
}

/// Run rt and wabt on `wat` with `flags`; compare the binaries (and the `-v` logs if asked).
pub fn compare(wabt: &Path, dir: &Path, wat: &Path, flags: &[&str], verbose: bool) -> Outcome {
    let run = |cmd: &mut Command, out: &Path| {
        cmd.arg(wat)
            .args(flags)
            .arg(format!("--output={}", out.display()));
        if verbose {
            cmd.arg("-v");
        }
        cmd.output().expect("spawn")
    };
    let stem = wat.file_stem().unwrap().to_string_lossy();
    let (rt_out, wabt_out) = (
        dir.join(format!("{stem}.rt")),
        dir.join(format!("{stem}.wabt")),
    );
    let mut rt_cmd = rt();
    rt_cmd.arg("wat2wasm");
    let theirs = run(&mut Command::new(wabt), &wabt_out);
    let ours = run(&mut rt_cmd, &rt_out);
    match (theirs.status.success(), ours.status.success()) {
        (false, _) => return Outcome::WabtRejects,
        (true, false) => return Outcome::RtRejects(stderr(&ours)),
        _ => {}
    }
    let (a, b) = (
        std::fs::read(&wabt_out).unwrap(),
        std::fs::read(&rt_out).unwrap(),
    );
    if a != b {
        let at = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        return Outcome::Differs(format!(
            "first differing byte at 0x{at:x} (wabt {} bytes, rt {} bytes)",
            a.len(),
            b.len()
        ));
    }
    if verbose && theirs.stderr != ours.stderr {
        let (x, y) = (stderr(&theirs), stderr(&ours));
        let line = x
            .lines()
            .zip(y.lines())
            .position(|(p, q)| p != q)
            .unwrap_or(0);
        return Outcome::Differs(format!(
            "-v log differs at line {}:\n  wabt: {}\n  rt:   {}",
            line + 1,
            x.lines().nth(line).unwrap_or(""),
            y.lines().nth(line).unwrap_or("")
        ));
    }
    Outcome::Identical
}

/// Compare every module on two threads; return the failures and print the counts.
fn differential(
    wabt: &Path,
    modules: &[(String, String)],
    flags: &[&str],
    verbose: bool,
    label: &str,
) -> Vec<String> {
    let dir = tempdir();
    let next = AtomicUsize::new(0);
    let identical = AtomicUsize::new(0);
    let wabt_rejects = Mutex::new(Vec::new());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((name, text)) = modules.get(i) else {
                    break;
                };
                let wat = write(dir.path(), &format!("{name}.wat"), text);
                match compare(wabt, dir.path(), &wat, flags, verbose) {
                    Outcome::Identical => {
                        identical.fetch_add(1, Ordering::Relaxed);
                    }
                    Outcome::WabtRejects => wabt_rejects.lock().unwrap().push(name.clone()),
                    Outcome::Differs(why) => {
                        failures.lock().unwrap().push(format!("{name}: {why}"));
                    }
                    Outcome::RtRejects(err) => failures
                        .lock()
                        .unwrap()
                        .push(format!("{name}: wabt accepts, rt rejects: {err}")),
                }
            });
        }
    });
    let mut rejected = wabt_rejects.into_inner().unwrap();
    rejected.sort();
    let mut failures = failures.into_inner().unwrap();
    for name in &rejected {
        if !WABT_REJECTS.iter().any(|(n, _)| n == name) {
            failures.push(format!(
                "{name}: wabt rejects it and it is not in WABT_REJECTS"
            ));
        }
    }
    let compared = modules.len() - rejected.len();
    println!(
        "wat2wasm differential ({label}): {} identical / {compared} compared \
         ({} rejected by wabt, in WABT_REJECTS: checked against their recordings instead)",
        identical.into_inner(),
        rejected.len()
    );
    failures
}

#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn spec_suite_modules_are_byte_identical_to_wabt() {
    let wabt = wabt("wat2wasm");
    let (modules, skipped) = suite_modules(&shared("wasm-testsuite"));
    println!(
        "wat2wasm differential: {} text modules extracted, {skipped} binary/quote modules skipped",
        modules.len()
    );
    assert!(
        modules.len() > 1500,
        "extraction found only {} modules",
        modules.len()
    );
    let mut failures = differential(&wabt, &modules, &[], false, "default flags");
    failures.extend(differential(
        &wabt,
        &modules,
        &["--debug-names"],
        false,
        "--debug-names",
    ));
    assert_no_differences(&failures);
}

/// The verdict of every comparison with wabt: no listed difference, or all of them in the
/// failure message. The plain and `-v` sweeps share it so they report alike.
#[track_caller]
fn assert_no_differences(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn verbose_logs_match_wabt_on_the_first_modules_of_every_script() {
    let wabt = wabt("wat2wasm");
    // wabt's -v is slow (one write per line), so take the first three modules of each script.
    let (modules, _) = suite_modules(&shared("wasm-testsuite"));
    let sample: Vec<(String, String)> = modules
        .into_iter()
        .filter(|(name, _)| {
            let n: usize = name.rsplit('.').next().unwrap().parse().unwrap();
            n < 3
        })
        .collect();
    let mut failures = differential(&wabt, &sample, &[], true, "-v");
    failures.extend(differential(
        &wabt,
        &sample,
        &["--debug-names"],
        true,
        "-v --debug-names",
    ));
    // Five-byte sizes everywhere change every fixup line: a third pass checks that layout.
    failures.extend(differential(
        &wabt,
        &sample,
        &PADDED,
        true,
        "-v padded LEBs",
    ));
    assert_no_differences(&failures);
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn every_assert_invalid_module_of_the_suite_is_rejected_cleanly() {
    let suite = shared("wasm-testsuite");
    let mut invalid = Vec::new();
    for entry in std::fs::read_dir(&suite).expect("read wasm-testsuite") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "wast") {
            let text = std::fs::read_to_string(&path).expect("read script");
            invalid.extend(extract_modules(&text).invalid);
        }
    }
    assert!(
        invalid.len() > 2000,
        "only {} assert_invalid modules",
        invalid.len()
    );
    let dir = tempdir();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(text) = invalid.get(i) else {
                    break;
                };
                let wat = write(dir.path(), &format!("invalid{i}.wat"), text);
                let out = rt()
                    .arg("wat2wasm")
                    .arg(&wat)
                    .arg("--output=-")
                    .output()
                    .expect("spawn rt");
                let err = stderr(&out);
                let clean = out.status.code() == Some(1)
                    && out.stdout.is_empty()
                    && err.contains(": error: ")
                    && !err.contains("panicked");
                if !clean {
                    failures.lock().unwrap().push(format!("{text}\n  -> {err}"));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    println!(
        "wat2wasm: {} / {} assert_invalid modules rejected",
        invalid.len() - failures.len(),
        invalid.len()
    );
    assert!(
        failures.is_empty(),
        "accepted or badly reported:\n{}",
        failures.join("\n")
    );
}

#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
fn c_fixture_as_text_is_byte_identical_to_wabt() {
    let (wabt, wasm2wat) = (wabt("wat2wasm"), wabt("wasm2wat"));
    let dir = tempdir();
    let wat = dir.path().join("hello.wat");
    let status = Command::new(wasm2wat)
        .arg(fixture("hello"))
        .arg("-o")
        .arg(&wat)
        .status()
        .expect("spawn wasm2wat");
    assert!(status.success());
    let size = std::fs::metadata(&wat).unwrap().len();
    assert!(size > 100_000, "hello.wat is only {size} bytes");
    for (flags, verbose) in [(&[][..], true), (&["--debug-names"][..], true)] {
        match compare(&wabt, dir.path(), &wat, flags, verbose) {
            Outcome::Identical => println!("hello.wat ({size} bytes) {flags:?} -v: identical"),
            Outcome::Differs(why) => panic!("hello.wat {flags:?}: {why}"),
            Outcome::WabtRejects => panic!("wabt rejects hello.wat"),
            Outcome::RtRejects(err) => panic!("rt rejects hello.wat: {err}"),
        }
    }
}

/// Every `.wasm` file under `dir`, sorted.
fn wasm_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            wasm_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "wasm") {
            out.push(path);
        }
    }
    out.sort();
}

/// Real programs (C and AssemblyScript, as built for the WASI test suite) turned to text by
/// wasm2wat, flat and folded with inline exports, must assemble to wabt's bytes.
#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn wasi_programs_as_text_are_byte_identical_to_wabt() {
    let (wabt, wasm2wat, suite) = (wabt("wat2wasm"), wabt("wasm2wat"), shared("wasi-testsuite"));
    let mut programs = Vec::new();
    wasm_files(&suite, &mut programs);
    assert!(programs.len() >= 20, "only {} programs", programs.len());
    let dir = tempdir();
    let mut modules = Vec::new();
    for (i, program) in programs.iter().enumerate() {
        for (style, flags) in [
            ("flat", &[][..]),
            ("folded", &["--fold-exprs", "--inline-exports"]),
        ] {
            let wat = dir.path().join(format!("p{i}_{style}.wat"));
            let ok = Command::new(&wasm2wat)
                .arg("--enable-all")
                .args(flags)
                .arg(program)
                .arg("-o")
                .arg(&wat)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "wasm2wat failed on {}", program.display());
            // Programs of different languages share names: the index keeps files apart.
            let stem = program.file_stem().unwrap().to_string_lossy();
            let name = format!("p{i}-{stem}.{style}");
            modules.push((name, std::fs::read_to_string(&wat).unwrap()));
        }
    }
    let mut failures = differential(&wabt, &modules, &["--enable-all"], false, "WASI programs");
    failures.extend(differential(
        &wabt,
        &modules,
        &["--enable-all", "--debug-names"],
        false,
        "WASI programs --debug-names",
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// wabt must still reject every module of `WABT_REJECTS` (so the list stays exact), and rt's
/// output for each, under each set of flags the sweeps use, must be its recording in
/// tests/cli/expected/wat2wasm/NAME.txt: wasmprinter's text of the default output (to read
/// when reviewing; wasmprinter is independent of rt's and wabt's text writers) and a hex
/// dump of every output. Recorded with `RT_BLESS=1` and reviewed by hand against each
/// module's source in the spec script: every construct wabt refuses is encoded as the spec
/// means it (`table.get`/`set`/`fill`/`grow`/`size` without an index on table 0, the
/// `global.get` element expression in an expression-form segment, the two-instruction `if`
/// condition as `i32.const 1`, `i32.eqz`, `if`), and the rest of each module as written.
#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn modules_wabt_rejects_match_their_recordings() {
    let wabt = wabt("wat2wasm");
    let (modules, _) = suite_modules(&shared("wasm-testsuite"));
    let dir = tempdir();
    let mut failures = Vec::new();
    let mut used = Vec::new();
    for (name, _) in WABT_REJECTS {
        let Some((_, text)) = modules.iter().find(|(n, _)| n == name) else {
            failures.push(format!("{name}: the suite has no such module"));
            continue;
        };
        let wat = write(dir.path(), &format!("{name}.wat"), text);
        let wabt_accepts = Command::new(&wabt)
            .arg(&wat)
            .arg("--output=/dev/null")
            .output()
            .expect("spawn wat2wasm")
            .status
            .success();
        if wabt_accepts {
            failures.push(format!(
                "{name}: wabt accepts it now: remove it from WABT_REJECTS, and its recording"
            ));
            continue;
        }
        match rt_outputs_as_text(&wat) {
            Ok(record) => {
                let recording = format!("wat2wasm/{name}.txt");
                if let Err(why) = expected::check(&recording, &record) {
                    failures.push(format!("{name}: {why}"));
                }
                used.push(recording);
            }
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    for name in expected::unused("wat2wasm", &used) {
        failures.push(format!(
            "tests/cli/expected/{name} belongs to no WABT_REJECTS entry"
        ));
    }
    assert_no_differences(&failures);
}

/// rt's output for `wat` under each set of flags the sweeps use, as a recording: the
/// default output as text, then a hex dump of each.
fn rt_outputs_as_text(wat: &Path) -> Result<String, String> {
    let mut record = String::new();
    for flags in [&[][..], &["--debug-names"], &PADDED] {
        let out = rt()
            .arg("wat2wasm")
            .arg(wat)
            .args(flags)
            .arg("--output=-")
            .output()
            .expect("spawn rt");
        if !out.status.success() {
            return Err(format!("rt rejects it with {flags:?}: {}", stderr(&out)));
        }
        if flags.is_empty() {
            let text = wasmprinter::print_bytes(&out.stdout)
                .map_err(|e| format!("wasmprinter cannot read rt's output: {e}"))?;
            record += &format!(";; rt wat2wasm, as printed by wasmprinter:\n{text}\n");
        }
        let command: String = flags.iter().map(|f| format!(" {f}")).collect();
        record += &format!(";; rt wat2wasm{command}: {} bytes\n", out.stdout.len());
        for (i, line) in out.stdout.chunks(16).enumerate() {
            let bytes: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
            record += &format!("{:06x}: {}\n", i * 16, bytes.join(" "));
        }
    }
    Ok(record)
}

#[test]
fn extraction_sees_through_comments_and_counts_binary_and_quote_modules() {
    let script = r#"
        (module $a (func)) ;; a comment with (module in it
        (; block (; nested ;) (module) ;)
        (module binary "\00asm" "\01\00\00\00")
        (module $q quote "(func)")
        (assert_trap (module (func unreachable) (start 0)) "unreachable")
        (assert_invalid (module (func (result i32))) "type mismatch")
        ( ;;c
        module (memory 1))
        (module (data "a)b\"c"))
    "#;
    let e = extract_modules(script);
    assert_eq!(e.skipped, 2);
    assert_eq!(e.invalid.len(), 1);
    assert_eq!(e.modules.len(), 4, "{:?}", e.modules);
    assert!(e.modules[0].starts_with("(module $a"));
    assert!(e.modules[1].contains("unreachable"));
    assert!(e.modules[3].ends_with(r#""a)b\"c"))"#));
}
