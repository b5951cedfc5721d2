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

/// A parsed jitdump file: the header's fields, then each `JIT_CODE_LOAD` as (address, name,
/// code). Fails on anything the format does not allow.
fn parse_jitdump(bytes: &[u8]) -> (u32, Vec<(u64, String, Vec<u8>)>) {
    let u32_at = |at: usize| u32::from_ne_bytes(bytes[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_ne_bytes(bytes[at..at + 8].try_into().unwrap());
    assert_eq!(u32_at(0), 0x4A69_5444, "magic");
    assert_eq!(u32_at(4), 1, "version");
    let header = u32_at(8) as usize;
    assert_eq!(header, 40, "header size");
    assert_eq!(u32_at(12), 62, "EM_X86_64");
    let pid = u32_at(20);
    let mut loads = Vec::new();
    let mut at = header;
    let mut last_index = None;
    while at < bytes.len() {
        let (id, size) = (u32_at(at), u32_at(at + 4) as usize);
        assert!(size >= 16 && at + size <= bytes.len(), "record at {at}");
        if id == 0 {
            let body = at + 16;
            assert_eq!(u32_at(body), pid, "record pid");
            let (vma, addr, len, index) = (
                u64_at(body + 8),
                u64_at(body + 16),
                u64_at(body + 24) as usize,
                u64_at(body + 32),
            );
            assert_eq!(vma, addr);
            assert!(last_index.map_or(true, |l| index == l + 1), "code_index");
            last_index = Some(index);
            let name_at = body + 40;
            let nul = bytes[name_at..].iter().position(|b| *b == 0).unwrap();
            let name = String::from_utf8(bytes[name_at..name_at + nul].to_vec()).unwrap();
            let code_at = name_at + nul + 1;
            assert_eq!(code_at + len, at + size, "{name}: code fills the record");
            loads.push((addr, name, bytes[code_at..code_at + len].to_vec()));
        }
        at += size;
    }
    assert_eq!(at, bytes.len(), "records end with the file");
    (pid, loads)
}

/// `--profile=jitdump` writes ./jit-PID.dump in the format `perf inject --jit` reads: every
/// compiled function, named, with its machine code.
#[test]
fn profile_jitdump_names_every_compiled_function() {
    let d = tempdir();
    let wasm = build_c(d.path(), "hot", &["-O2"]);
    let child = rt()
        .args(["run", "--profile=jitdump"])
        .arg(&wasm)
        .arg("1000")
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(child.status.success(), "{}", stderr(&child));
    let dumps: Vec<PathBuf> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("jit-"))
        .collect();
    assert_eq!(dumps.len(), 1, "{dumps:?}");
    let (pid, loads) = parse_jitdump(&std::fs::read(&dumps[0]).unwrap());
    assert_eq!(
        dumps[0].file_name().unwrap().to_string_lossy(),
        format!("jit-{pid}.dump")
    );
    let names: Vec<&str> = loads.iter().map(|l| l.1.as_str()).collect();
    for want in ["collatz_steps", "longest_chain", "_start"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    // Functions do not overlap and every one has code (x86-64 code: not all zero).
    let mut spans: Vec<(u64, u64)> = (loads.iter())
        .map(|l| (l.0, l.0 + l.2.len() as u64))
        .collect();
    spans.sort();
    assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "overlap");
    assert!(loads.iter().all(|l| l.2.iter().any(|b| *b != 0)));
}

/// `--profile=guest,PATH,INTERVAL` samples the wasm stack into folded stacks, and the
/// hottest function of a CPU-bound C program is the one it names most often as the leaf.
/// clang's `noinline` does not stop LLVM from inlining it again in rt's compile: the
/// address map is what keeps it a frame of its own.
#[test]
fn guest_profile_names_the_hottest_function() {
    let d = tempdir();
    let wasm = build_c(d.path(), "hot", &["-O2"]);
    let profile = d.path().join("hot.folded");
    let spec = format!("--profile=guest,{},1ms", profile.display());
    let out = rt()
        .args(["run", &spec])
        .arg(&wasm)
        .arg("3000000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let folded = std::fs::read_to_string(&profile).unwrap();
    let mut leaves: std::collections::HashMap<String, u64> = Default::default();
    for line in folded.lines() {
        let (stack, count) = line.rsplit_once(' ').expect("STACK COUNT");
        let count: u64 = count.parse().expect("a count");
        let frames: Vec<&str> = stack.split(';').collect();
        // A sample taken in a host function (the program's WASI calls) is `<host>` by
        // design; every other stack starts at the program's entry.
        if stack != "<host>" {
            assert_eq!(frames[0], "_start.command_export", "{line}");
        }
        *leaves
            .entry(frames.last().unwrap().to_string())
            .or_default() += count;
    }
    let total: u64 = leaves.values().sum();
    assert!(total >= 10, "too few samples: {folded}");
    let (hottest, n) = leaves.iter().max_by_key(|(_, n)| **n).unwrap();
    assert_eq!(hottest, "collatz_steps", "{folded}");
    assert!(*n * 2 > total, "{folded}");
    // A stack names the callers too.
    assert!(folded.contains(";longest_chain;collatz_steps "), "{folded}");

    let bad = rt()
        .args(["run", "--profile=guest,x,0ms"])
        .arg(&wasm)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("bad interval"), "{}", stderr(&bad));
}

/// `-D debug-info=y`: gdb, driven by a script, breaks in a C function of the guest (through
/// the GDB JIT interface), steps by source line and prints its parameter and locals, which
/// live in the wasm shadow stack in linear memory. Skipped without gdb.
#[test]
fn gdb_breaks_steps_and_prints_locals_with_debug_info() {
    if Command::new("gdb").arg("--version").output().is_err() {
        eprintln!("skipped: gdb is not installed (the test drives it)");
        return;
    }
    let d = tempdir();
    let wasm = build_c(d.path(), "squares", &["-g", "-O0"]);
    let src = project_root().join("tests/fixtures/debug/squares.c");
    let script = d.path().join("script.gdb");
    std::fs::write(
        &script,
        "set pagination off\nset debuginfod enabled off\nset breakpoint pending on\n\
         break sum_squares\nrun\nnext\nnext\nnext\nprint total\nprint i\nprint n\n\
         break square\ncontinue\nprint x\nnext\nprint result\ndelete\ncontinue\n",
    )
    .unwrap();
    // Both the default optimisation and none: the variables' slot survives either.
    for opt in ["2", "0"] {
        let mut gdb = Command::new("gdb");
        // LeakSanitizer cannot run under ptrace: an ASan-built rt (`make asan`) would end
        // with a fatal error instead of a leak check.
        add_asan_options(&mut gdb, "detect_leaks=0");
        let out = gdb
            .args(["-nx", "-batch", "-x"])
            .arg(&script)
            .arg("--args")
            .arg(env!("CARGO_BIN_EXE_rt"))
            .args([
                "run",
                "-O",
                &format!("opt-level={opt}"),
                "-D",
                "debug-info=y",
            ])
            .arg(&wasm)
            .env("RT_CACHE", "off")
            .output()
            .expect("spawn gdb");
        let text = format!("{}{}", stdout(&out), stderr(&out));
        // The breakpoint is on the function's first source line, after the shadow-stack
        // frame is set up: the parameter is readable there.
        let first = line_of("squares", "/* first line */");
        let stop = format!("sum_squares (n=4) at {}:{first}", src.display());
        assert!(text.contains(&stop), "O{opt}: no `{stop}` in:\n{text}");
        // `next` walks the source lines: into the loop, its body, back to its header.
        let lines: Vec<usize> = text
            .lines()
            .filter_map(|l| l.split_once('\t').and_then(|(n, _)| n.parse().ok()))
            .collect();
        let (looped, body) = (
            line_of("squares", "/* loop */"),
            line_of("squares", "/* accumulate */"),
        );
        assert!(
            lines.windows(4).any(|w| w == [first, looped, body, looped]),
            "O{opt}: stepped {lines:?} in:\n{text}"
        );
        // After one trip round the loop: total = 1*1, i = 1, n = 4.
        for want in ["$1 = 1", "$2 = 1", "$3 = 4"] {
            assert!(text.contains(want), "O{opt}: no `{want}` in:\n{text}");
        }
        // The second breakpoint, in the callee (i = 2 now): x = 2, result = 4 after a line.
        let square = format!("square (x=2) at {}:", src.display());
        assert!(text.contains(&square), "O{opt}: no `{square}` in:\n{text}");
        for want in ["$4 = 2", "$5 = 4"] {
            assert!(text.contains(want), "O{opt}: no `{want}` in:\n{text}");
        }
        assert!(
            text.contains("sum of squares to 4 = 30"),
            "O{opt}: the program did not finish:\n{text}"
        );
    }
}

/// With `-D debug-info=y` the code carries source lines instead of the address map: a
/// detailed backtrace still names the C functions with their files and lines (without the
/// wasm offsets only the address map knows).
#[test]
fn debug_info_code_traps_with_source_lines() {
    let d = tempdir();
    let wasm = build_c(d.path(), "divide", &["-g", "-O0"]);
    let src = project_root().join("tests/fixtures/debug/divide.c");
    let out = rt()
        .args(["run", "-D", "debug-info=y"])
        .arg(&wasm)
        .env("RT_BACKTRACE_DETAILS", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(134), "{}", stderr(&out));
    let bt = backtrace(&stderr(&out));
    assert_eq!(bt[0], "    0: divide", "{bt:?}");
    let trap_at = format!("at {}:{}:", src.display(), line_of("divide", "trap here"));
    assert!(bt[1].trim_start().starts_with(&trap_at), "{bt:?}");
    assert_eq!(bt[2], "    1: average", "{bt:?}");
    let call_at = format!("at {}:{}:", src.display(), line_of("divide", "call here"));
    assert!(bt[3].trim_start().starts_with(&call_at), "{bt:?}");
}
