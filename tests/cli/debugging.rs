//! Debugging and profiling guest code: source lines in trap backtraces
//! (`RT_BACKTRACE_DETAILS=1`). The C programs are built here with clang-16 and wasi-libc
//! (`make setup` installs both), with `-g` so they carry DWARF.
use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Build tests/fixtures/debug/NAME.c for wasm32-wasi with `flags` into `dir`.
fn build_c(dir: &Path, name: &str, flags: &[&str]) -> PathBuf {
    let src = project_root().join(format!("tests/fixtures/debug/{name}.c"));
    let out = dir.join(format!("{name}.wasm"));
    let built = Command::new("clang-16")
        .args(["--target=wasm32-wasi", "--sysroot=/usr"])
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .output()
        .expect("spawn clang-16 (`make setup` installs it)");
    assert!(built.status.success(), "clang-16: {}", stderr(&built));
    out
}

/// The 1-based line of `marker` in tests/fixtures/debug/NAME.c.
fn line_of(name: &str, marker: &str) -> usize {
    let src = project_root().join(format!("tests/fixtures/debug/{name}.c"));
    let text = std::fs::read_to_string(&src).unwrap();
    text.lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no `{marker}` in {}", src.display()))
        + 1
}

/// The lines after `wasm backtrace:` in rt's report.
fn backtrace(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .skip_while(|l| *l != "wasm backtrace:")
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
fn c_divide_by_zero_traps_with_its_file_and_line() {
    let d = tempdir();
    let wasm = build_c(d.path(), "divide", &["-g", "-O0"]);
    let src = project_root().join("tests/fixtures/debug/divide.c");
    for var in ["RT_BACKTRACE_DETAILS", "WASMTIME_BACKTRACE_DETAILS"] {
        let out = rt().arg("run").arg(&wasm).env(var, "1").output().unwrap();
        assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("integer divide by zero"), "{err}");
        let bt = backtrace(&err);
        // Frame 0 is the division, at its offset in the module, with its source position;
        // frame 1 the call in `average`.
        assert!(
            bt[0].starts_with("    0: ") && bt[0].ends_with(" - divide"),
            "{var}: {bt:?}"
        );
        let trap_at = format!("at {}:{}:", src.display(), line_of("divide", "trap here"));
        assert!(bt[1].trim_start().starts_with(&trap_at), "{var}: {bt:?}");
        assert!(bt[2].ends_with(" - average"), "{var}: {bt:?}");
        let call_at = format!("at {}:{}:", src.display(), line_of("divide", "call here"));
        assert!(bt[3].trim_start().starts_with(&call_at), "{var}: {bt:?}");
    }
    // Not asked for: function names only, as before (where LLVM inlined `divide` and
    // `average`, the frame is `main`'s: only the address map can tell them apart).
    let out = rt().arg("run").arg(&wasm).output().unwrap();
    let bt = backtrace(&stderr(&out));
    assert!(!bt.is_empty() && !bt[0].contains(" - "), "{bt:?}");
    assert!(!stderr(&out).contains(" at "), "{}", stderr(&out));
}

/// The whole detailed backtrace is wasmtime's, line for line: offsets, source functions,
/// files, lines and columns, frames without DWARF as `<unknown>!NAME`, and, at -O2, the
/// calls clang inlined as extra symbols of one frame.
#[test]
#[cfg_attr(
    rt_no_wasmtime,
    ignore = "needs the pinned wasmtime CLI (make wasmtime)"
)]
fn detailed_backtraces_match_wasmtime() {
    let d = tempdir();
    for flags in [["-g", "-O0"], ["-g", "-O2"]] {
        let wasm = build_c(d.path(), "divide", &flags);
        let ours = rt()
            .arg("run")
            .arg(&wasm)
            .env("RT_BACKTRACE_DETAILS", "1")
            .output()
            .unwrap();
        let theirs = Command::new(wasmtime())
            .arg(&wasm)
            .env("WASMTIME_BACKTRACE_DETAILS", "1")
            .output()
            .unwrap();
        // wasmtime's frames sit between its "wasm backtrace:" line and the trap's line.
        let want: Vec<String> = stderr(&theirs)
            .lines()
            .skip_while(|l| !l.ends_with("wasm backtrace:"))
            .skip(1)
            .take_while(|l| !l.contains("wasm trap:"))
            .map(str::to_string)
            .collect();
        assert!(!want.is_empty(), "{}", stderr(&theirs));
        assert_eq!(backtrace(&stderr(&ours)), want, "{flags:?}");
    }
}

/// The address map travels in artifacts: `rt compile` under `RT_BACKTRACE_DETAILS=1` makes
/// one whose traps show lines; one compiled without it still runs with details asked for
/// (offsets and lines need the map, so frames show `<unknown>!NAME`).
#[test]
fn artifacts_carry_the_address_map() {
    let d = tempdir();
    let wasm = build_c(d.path(), "divide", &["-g", "-O0"]);
    let with = d.path().join("with.rtaot");
    let without = d.path().join("without.rtaot");
    let made = rt()
        .arg("compile")
        .arg(&wasm)
        .arg("-o")
        .arg(&with)
        .env("RT_BACKTRACE_DETAILS", "1")
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let made = rt()
        .arg("compile")
        .arg(&wasm)
        .arg("-o")
        .arg(&without)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let run = |artifact: &Path| {
        let out = rt()
            .arg("run")
            .arg(artifact)
            .env("RT_BACKTRACE_DETAILS", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
        backtrace(&stderr(&out))
    };
    let bt = run(&with);
    assert!(
        bt[0].ends_with(" - divide") && bt[1].contains("divide.c:"),
        "{bt:?}"
    );
    let bt = run(&without);
    assert!(bt[0].starts_with("    0: <unknown>!"), "{bt:?}");
    assert!(!bt.iter().any(|l| l.contains(" at ")), "{bt:?}");
}
