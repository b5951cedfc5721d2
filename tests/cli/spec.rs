//! The WebAssembly spec suites under `rt wast`, each in its own language: the Wasm 2.0 suite
//! (../shared/wasm-testsuite) as Wasm 2.0, the current suite (../shared/wasm-testsuite-3.0)
//! as Wasm 3.0, and each folder under its `proposals/` as that proposal on its base.
//!
//! Every script of a suite runs. A script passes only when every directive passes. Scripts
//! that need a feature rt does not implement yet sit on the suite's `unsupported` list: they
//! must fail *only* with "unsupported: ..." directives, never with a genuine failure. A
//! listed script that starts to pass fails the run too, so each list can only shrink as the
//! feature issues land. A few directives fail for a reason outside rt (the validator rt is
//! built on disagrees with a newer proposal's script); those are listed one by one, with the
//! reason, in `known_failures`, and must fail exactly there.
//!
//! Each test prints a table per feature (scripts, and directives passed, failed and
//! unsupported); `make test` shows it.
use crate::common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How one suite is run and what it is expected to do.
struct Suite {
    /// Folder under ../shared.
    folder: &'static str,
    /// `rt wast` flags choosing the language.
    flags: &'static [&'static str],
    /// Scripts (without `.wast`) that need features rt lacks, in one or more lists.
    unsupported: &'static [&'static [&'static str]],
    /// (script, line, reason): genuine failures that are not rt's to fix.
    known_failures: &'static [(&'static str, usize, &'static str)],
}

/// What `rt wast` said about one script.
#[derive(Default)]
struct ScriptResult {
    passed: usize,
    /// Lines of genuine failures (`LINE:COL: message`).
    failures: Vec<(usize, String)>,
    unsupported: usize,
    features: BTreeSet<String>,
}

fn run_script(path: &Path, flags: &[&str]) -> ScriptResult {
    // RT_SPEC_OPT_LEVEL=N runs the suites at another optimisation level than the default
    // (each level's generated code must pass them; the default run covers level 2).
    let level: Vec<String> = std::env::var("RT_SPEC_OPT_LEVEL")
        .map(|n| vec!["-O".to_string(), format!("opt-level={n}")])
        .unwrap_or_default();
    let out = rt()
        .arg("wast")
        .arg("--quiet")
        .args(flags)
        .args(&level)
        .arg(path)
        .output()
        .expect("spawn rt");
    let text = stdout(&out);
    let prefix = format!("{}:", path.display());
    let mut result = ScriptResult::default();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        // LINE:COL: message
        let mut parts = rest.splitn(3, ':');
        let (Some(l), Some(_col), Some(message)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(l) = l.parse::<usize>() else { continue };
        match message.trim_start().strip_prefix("unsupported: ") {
            Some(features) => {
                result.unsupported += 1;
                result
                    .features
                    .extend(features.split(", ").map(str::to_string));
            }
            None => result.failures.push((l, message.trim_start().to_string())),
        }
    }
    let closing = text.lines().last().unwrap_or("");
    result.passed = closing
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "{}: no closing count from rt wast (exit {:?})\n{text}\n{}",
                path.display(),
                out.status,
                stderr(&out)
            )
        });
    let failed_total: usize = closing
        .split(", ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    assert_eq!(
        failed_total,
        result.failures.len() + result.unsupported,
        "{}: the closing count disagrees with the failures listed\n{text}",
        path.display()
    );
    assert_eq!(
        out.status.success(),
        failed_total == 0,
        "{}: exit status {:?} does not match the count",
        path.display(),
        out.status
    );
    result
}

/// Run every script of `suite` (two at a time) and check it against the expectations.
fn check_suite(suite: &Suite) {
    let dir = shared(suite.folder);
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read suite folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "{}: no scripts", dir.display());
    let names: BTreeSet<String> = scripts.iter().map(|p| stem(p)).collect();
    for listed in suite.unsupported.iter().copied().flatten() {
        assert!(
            names.contains(*listed),
            "{}: listed as unsupported but not in the suite: {listed}",
            suite.folder
        );
    }

    let results = Mutex::new(BTreeMap::new());
    let next = Mutex::new(scripts.iter());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let Some(path) = next.lock().unwrap().next() else {
                    break;
                };
                let result = run_script(path, suite.flags);
                results.lock().unwrap().insert(stem(path), result);
            });
        }
    });
    let results = results.into_inner().unwrap();

    let mut problems = Vec::new();
    for (name, result) in &results {
        let listed = suite
            .unsupported
            .iter()
            .any(|list| list.contains(&name.as_str()));
        let known: BTreeSet<usize> = suite
            .known_failures
            .iter()
            .filter(|(s, ..)| s == name)
            .map(|(_, line, _)| *line)
            .collect();
        let failed_at: BTreeSet<usize> = result.failures.iter().map(|(l, _)| *l).collect();
        for (line, message) in &result.failures {
            if !known.contains(line) {
                problems.push(format!("{name}.wast:{line}: {message}"));
            }
        }
        for line in known.difference(&failed_at) {
            problems.push(format!(
                "{name}.wast:{line}: listed in known_failures but it no longer fails: remove it"
            ));
        }
        if listed && result.unsupported == 0 {
            problems.push(format!(
                "{name}.wast: listed as unsupported but every directive is supported now: \
                 remove it from the list"
            ));
        }
        if !listed && result.unsupported > 0 {
            problems.push(format!(
                "{name}.wast: {} directives unsupported ({}) but the script is not listed",
                result.unsupported,
                join(&result.features)
            ));
        }
    }
    println!("{}", table(suite, &results));
    assert!(
        problems.is_empty(),
        "{}: {} problems:\n{}",
        suite.folder,
        problems.len(),
        problems.join("\n")
    );
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn join(features: &BTreeSet<String>) -> String {
    features.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// The per-feature table: one row per set of missing features ("-" for none).
fn table(suite: &Suite, results: &BTreeMap<String, ScriptResult>) -> String {
    #[derive(Default)]
    struct Row {
        scripts: usize,
        passing: usize,
        passed: usize,
        failed: usize,
        unsupported: usize,
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut total = Row::default();
    for result in results.values() {
        let key = if result.features.is_empty() {
            "-".to_string()
        } else {
            join(&result.features)
        };
        for row in [rows.entry(key).or_default(), &mut total] {
            row.scripts += 1;
            row.passing += usize::from(result.failures.is_empty() && result.unsupported == 0);
            row.passed += result.passed;
            row.failed += result.failures.len();
            row.unsupported += result.unsupported;
        }
    }
    let mut out = format!(
        "spec suite {} (rt wast {})\n{:<60} {:>8} {:>8} {:>9} {:>7} {:>12}\n",
        suite.folder,
        suite.flags.join(" "),
        "features rt lacks",
        "scripts",
        "passing",
        "passed",
        "failed",
        "unsupported"
    );
    let total_row = ("total".to_string(), total);
    for (key, row) in rows.iter().chain([(&total_row.0, &total_row.1)]) {
        out.push_str(&format!(
            "{key:<60} {:>8} {:>8} {:>9} {:>7} {:>12}\n",
            row.scripts, row.passing, row.passed, row.failed, row.unsupported
        ));
    }
    out
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn spec_suite_wasm_2_0() {
    check_suite(&Suite {
        folder: "wasm-testsuite",
        flags: &["--wasm", "2.0"],
        unsupported: &[&SIMD],
        known_failures: &[],
    });
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn spec_suite_wasm_3_0() {
    check_suite(&Suite {
        folder: "wasm-testsuite-3.0",
        flags: &["--wasm", "3.0"],
        unsupported: &[&SIMD, UNSUPPORTED_3_0],
        known_failures: &[],
    });
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn spec_suite_proposal_threads() {
    // The threads proposal's scripts are written against Wasm 1.0: they assert that two
    // tables or two memories are invalid.
    check_suite(&Suite {
        folder: "wasm-testsuite-3.0/proposals/threads",
        flags: &["--wasm", "1.0", "-W", "threads"],
        unsupported: &[&["atomic", "exports", "imports", "memory"]],
        known_failures: &[],
    });
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn spec_suite_proposal_wide_arithmetic() {
    check_suite(&Suite {
        folder: "wasm-testsuite-3.0/proposals/wide-arithmetic",
        flags: &["--wasm", "3.0", "-W", "wide-arithmetic"],
        unsupported: &[&["wide-arithmetic"]],
        known_failures: &[],
    });
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn spec_suite_proposal_custom_page_sizes() {
    check_suite(&Suite {
        folder: "wasm-testsuite-3.0/proposals/custom-page-sizes",
        flags: &["--wasm", "3.0", "-W", "custom-page-sizes"],
        unsupported: &[&[
            "custom-page-sizes-invalid",
            "custom-page-sizes",
            "memory_max",
            "memory_max_i64",
        ]],
        known_failures: &[],
    });
}

/// wasmparser 0.263 (rt's validator) implements an older draft of custom descriptors: it
/// requires a supertype to have a descriptor whenever its subtype has one, which the
/// proposal's current scripts say is not needed.
const OLDER_DESCRIPTOR_DRAFT: &str =
    "wasmparser 0.263 rejects a described subtype of an undescribed supertype (older draft)";

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn spec_suite_proposal_custom_descriptors() {
    check_suite(&Suite {
        folder: "wasm-testsuite-3.0/proposals/custom-descriptors",
        flags: &["--wasm", "3.0", "-W", "custom-descriptors"],
        unsupported: &[&[
            "array_new_exact",
            "binary-descriptors",
            "br_on_cast",
            "br_on_cast_desc_eq",
            "br_on_cast_desc_eq_fail",
            "br_on_cast_fail",
            "descriptors",
            "exact-casts",
            "exact-func-import",
            "exact",
            "ref_cast_desc_eq",
            "ref_get_desc",
            "struct_new_desc",
        ]],
        known_failures: &[
            ("br_on_cast_desc_eq", 456, OLDER_DESCRIPTOR_DRAFT),
            ("br_on_cast_desc_eq_fail", 432, OLDER_DESCRIPTOR_DRAFT),
            ("descriptors", 255, OLDER_DESCRIPTOR_DRAFT),
            ("descriptors", 262, OLDER_DESCRIPTOR_DRAFT),
            ("ref_cast_desc_eq", 168, OLDER_DESCRIPTOR_DRAFT),
        ],
    });
}

/// Every proposal folder has a test above, so none is silently left out.
#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn every_proposal_folder_has_a_suite() {
    let proposals: BTreeSet<String> =
        std::fs::read_dir(shared("wasm-testsuite-3.0").join("proposals"))
            .expect("read proposals")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
    let covered: BTreeSet<String> = [
        "threads",
        "wide-arithmetic",
        "custom-page-sizes",
        "custom-descriptors",
    ]
    .map(String::from)
    .into();
    assert_eq!(
        proposals, covered,
        "a proposal folder has no spec_suite test"
    );
}

/// The SIMD scripts that still use operators rt does not lower, in both suites (the SIMD
/// issue empties this list).
const SIMD: [&str; 0] = [];

/// Scripts of the Wasm 3.0 suite besides [`SIMD`] that rt cannot run yet: none, since GC.
const UNSUPPORTED_3_0: &[&str] = &[];
