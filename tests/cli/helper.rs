//! The `rt` executable links no LLVM and compiles through the `rt-compile` helper: what it
//! does when the helper is missing, crashes, or comes from another build.
use crate::common::*;
use object::{Object, ObjectSymbol};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The names of the LLVM symbols in an executable's symbol tables: its C API (`LLVM...`)
/// and its C++ namespace (`llvm::`, mangled `_ZN4llvm`, `_ZNK4llvm`, ...).
fn llvm_symbols(exe: &Path) -> (usize, Vec<String>) {
    let bytes = std::fs::read(exe).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    let names: Vec<String> = file
        .symbols()
        .chain(file.dynamic_symbols())
        .filter_map(|s| s.name().ok().map(str::to_string))
        .collect();
    let llvm = names
        .iter()
        .filter(|n| n.starts_with("LLVM") || n.contains("4llvm") || n.contains("llvm::"))
        .cloned()
        .collect();
    (names.len(), llvm)
}

/// Every process that does not compile pays nothing of LLVM's start-up: the `rt` executable
/// has not one LLVM symbol, while rt-compile (the control: the check does find them) has
/// thousands.
#[test]
fn the_rt_executable_links_no_llvm() {
    let (total, llvm) = llvm_symbols(Path::new(env!("CARGO_BIN_EXE_rt")));
    assert!(
        total > 1000,
        "rt has a symbol table to read ({total} symbols)"
    );
    assert!(
        llvm.is_empty(),
        "LLVM symbols in rt: {:?}",
        &llvm[..llvm.len().min(10)]
    );
    let (_, in_helper) = llvm_symbols(Path::new(env!("CARGO_BIN_EXE_rt-compile")));
    assert!(
        in_helper.len() > 1000,
        "{} LLVM symbols in rt-compile",
        in_helper.len()
    );
}

/// The `rt` executable is a static PIE (.cargo/rt-gcc): position-independent, so it keeps
/// its address randomisation, with no program interpreter, so no dynamic loader runs at its
/// start; `rt-compile` (the control) is an ordinary dynamic PIE. The link script falls back
/// to a dynamic `rt` when the static link fails: this is where that shows. (Sanitizer builds
/// stay dynamic on purpose.)
#[test]
#[cfg_attr(
    rt_asan,
    ignore = "AddressSanitizer's runtime needs a dynamic executable"
)]
fn the_rt_executable_is_a_static_pie() {
    fn kind(exe: &str) -> (bool, bool) {
        let bytes = std::fs::read(exe).unwrap();
        let file = object::File::parse(&*bytes).unwrap();
        let pie = file.kind() == object::ObjectKind::Dynamic;
        let interpreter = file.section_by_name(".interp").is_some();
        (pie, interpreter)
    }
    assert_eq!(
        kind(env!("CARGO_BIN_EXE_rt")),
        (true, false),
        "rt: (position-independent, has an interpreter)"
    );
    assert_eq!(
        kind(env!("CARGO_BIN_EXE_rt-compile")),
        (true, true),
        "rt-compile: (position-independent, has an interpreter)"
    );
}

/// A folder holding a copy of `rt` and, if given, an `rt-compile` of its own.
fn rt_alone(helper: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let rt = dir.path().join("rt");
    std::fs::copy(env!("CARGO_BIN_EXE_rt"), &rt).unwrap();
    if let Some(script) = helper {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.path().join("rt-compile");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (dir, rt)
}

/// `rt` from `exe` with the cache off and a PATH holding no rt-compile.
fn run(exe: &Path, args: &[&str]) -> std::process::Output {
    let empty = tempdir();
    Command::new(exe)
        .args(args)
        .env("RT_CACHE", "off")
        .env("PATH", empty.path())
        .output()
        .unwrap()
}

/// Without the helper, what compiles fails with an error naming where it looked; what does
/// not compile (an artifact, the text tools, `--version`) works as before.
#[test]
fn a_missing_helper_is_a_clear_error_and_only_compiling_needs_it() {
    let (dir, alone) = rt_alone(None);
    let wat = project_root().join("examples/hello.wat");
    let wat = wat.to_str().unwrap();
    let out_rtc = dir.path().join("hello.rtc");
    let looked = dir.path().join("rt-compile");
    for args in [
        vec!["run", wat],
        vec!["compile", wat, "-o", out_rtc.to_str().unwrap()],
        vec!["wast", wat],
    ] {
        let out = run(&alone, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("error: ") && err.contains(&format!("({})", looked.display())),
            "{args:?}: {err}"
        );
        assert!(err.contains("rt-compile is missing"), "{err}");
    }
    // An artifact made by the real pair runs with rt alone.
    let made = rt()
        .args(["compile", wat, "-o", out_rtc.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let out = run(&alone, &["run", out_rtc.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "hello from rt\n");
    let wasm = dir.path().join("hello.wasm");
    let out = run(&alone, &["wat2wasm", wat, "-o", wasm.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&alone, &["objdump", "-h", wasm.to_str().unwrap()]);
    assert!(stdout(&out).contains("Sections:"), "{}", stdout(&out));
    assert!(run(&alone, &["--version"]).status.success());
}

/// An LLVM crash ends the helper, not rt: rt reports it and exits 1.
#[test]
fn a_crashing_helper_is_an_error_not_a_signal() {
    let (dir, alone) = rt_alone(Some("#!/bin/sh\nkill -SEGV $$\n"));
    let wat = project_root().join("examples/hello.wat");
    let wat = wat.to_str().unwrap();
    let out_rtc = dir.path().join("hello.rtc");
    for args in [
        vec!["run", wat],
        vec!["compile", wat, "-o", out_rtc.to_str().unwrap()],
    ] {
        let out = run(&alone, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("the compiler crashed")
                && err.contains("killed by signal 11 (SIGSEGV)")
                && err.contains(&dir.path().join("rt-compile").display().to_string()),
            "{args:?}: {err}"
        );
    }
}

/// A helper answers only the rt of its own build: another build's request is refused by
/// name, whether it asks for object code or hands over a whole subcommand.
#[test]
fn a_helper_refuses_another_builds_rt() {
    let helper = env!("CARGO_BIN_EXE_rt-compile");
    let wat = project_root().join("examples/hello.wat");
    let out = Command::new(helper)
        .args(["--rt-helper=0123456789abcdef", "objects", "{}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let answer = stdout(&out);
    assert!(
        answer.starts_with("failed\n") && answer.contains("is from another build of rt"),
        "{answer}"
    );
    let out = Command::new(helper)
        .args(["--rt-helper=0123456789abcdef", "compile"])
        .arg(&wat)
        .args(["-o", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("build 0123456789abcdef"),
        "{}",
        stderr(&out)
    );
}
