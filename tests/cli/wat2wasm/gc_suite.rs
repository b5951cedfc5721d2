//! The text tools on Wasm GC, over every valid module of the GC scripts of the Wasm 3.0 spec
//! suite (../shared/wasm-testsuite-3.0). wabt 1.0.32 writes and reads no GC, so there is no
//! reference output: each module must come out of `rt wat2wasm --enable-gc` as a valid
//! binary meaning what the `wat` crate's encoding of the same text means, with every output
//! flag; print through `rt wasm2wat` and assemble back to the same module; disassemble with
//! `rt objdump`; and be refused, at a file:line:col, without `--enable-gc` when it uses GC.
//! Then each script runs under `rt wast` with its text modules replaced by rt's binaries,
//! and must pass exactly as it does as text.
use super::differential::extract_modules;
use crate::common::*;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The GC scripts: struct, array and i31 instructions, casts, and the type system.
const SCRIPTS: &[&str] = &[
    "array",
    "array_copy",
    "array_fill",
    "array_init_data",
    "array_init_elem",
    "array_new_data",
    "array_new_elem",
    "br_on_cast",
    "br_on_cast_fail",
    "extern",
    "i31",
    "ref_cast",
    "ref_eq",
    "ref_test",
    "struct",
    "type-canon",
    "type-equivalence",
    "type-rec",
    "type-subtyping",
];

/// `wasm` without its custom sections (the `name` section among them): what the module
/// means, whatever names it carries.
fn without_custom_sections(wasm: &[u8]) -> Vec<u8> {
    let mut out = wasm[..8].to_vec();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.expect("a module rt wrote reads back");
        if let Some((id, range)) = payload.as_section() {
            if id == 0 {
                continue;
            }
            out.push(id);
            let mut size = range.end - range.start;
            loop {
                let byte = (size & 0x7f) as u8;
                size >>= 7;
                out.push(if size == 0 { byte } else { byte | 0x80 });
                if size == 0 {
                    break;
                }
            }
            out.extend_from_slice(&wasm[range.start as usize..range.end as usize]);
        }
    }
    out
}

/// The text of a module's meaning, for comparing two encodings of it: wasmprinter's, less
/// the one choice two encoders make differently for the same segment (table 0 named
/// explicitly or left implicit, as wabt's layout and printer leave it).
fn meaning(wasm: &[u8]) -> Result<String, String> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::default())
        .validate_all(wasm)
        .map_err(|e| format!("not valid: {e}"))?;
    let text =
        wasmprinter::print_bytes(without_custom_sections(wasm)).map_err(|e| e.to_string())?;
    Ok(text.replace(") (table 0) (", ") ("))
}

fn run(args: &[&str], dir: &Path) -> std::process::Output {
    rt().current_dir(dir).args(args).output().expect("spawn rt")
}

/// `FILE:LINE:COL: error: ` with a line and column inside `text`.
fn is_located(stderr: &str, file: &str, text: &str) -> bool {
    let Some(rest) = stderr.strip_prefix(&format!("{file}:")) else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let (Some(line), Some(col), Some(message)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let (Ok(line), Ok(col)) = (line.parse::<usize>(), col.parse::<usize>()) else {
        return false;
    };
    let line_text = text.lines().nth(line.wrapping_sub(1)).unwrap_or("");
    message.starts_with(" error: ") && line >= 1 && col >= 1 && col <= line_text.len() + 1
}

/// What one module went through; `Err` says which step failed.
fn check_module(
    dir: &Path,
    name: &str,
    text: &str,
    uses_gc: &AtomicUsize,
) -> Result<Vec<u8>, String> {
    let wat = format!("{name}.wat");
    std::fs::write(dir.join(&wat), text).unwrap();
    let out = |suffix: &str| format!("{name}.{suffix}");
    let read = |file: &str| std::fs::read(dir.join(file)).unwrap();
    let wat_crate = wat::parse_str(text).map_err(|e| format!("the wat crate rejects it: {e}"))?;
    let want = meaning(&wat_crate)?;

    let o = run(&["wat2wasm", "--enable-gc", &wat, "-o", &out("wasm")], dir);
    if !o.status.success() {
        return Err(format!("wat2wasm --enable-gc: {}", stderr(&o)));
    }
    let wasm = read(&out("wasm"));
    if meaning(&wasm)? != want {
        return Err("wat2wasm --enable-gc: not the module the text means".into());
    }
    // Every output flag: same meaning (padded sizes, names), same bytes (--no-check, -v).
    for (flags, same_bytes) in [
        (&["--debug-names"][..], false),
        (&["--no-canonicalize-leb128s"], false),
        (&["--no-check"], true),
        (&["--enable-all"], true),
        (&["-v"], true),
    ] {
        let mut args = vec![
            "wat2wasm",
            "--enable-gc",
            wat.as_str(),
            "-o",
            "flagged.wasm",
        ];
        args.extend_from_slice(flags);
        let o = run(&args, dir);
        let flagged = read("flagged.wasm");
        if !o.status.success() || meaning(&flagged)? != want {
            return Err(format!("wat2wasm {flags:?}: {}", stderr(&o)));
        }
        if same_bytes && flagged != wasm {
            return Err(format!("wat2wasm {flags:?}: other bytes"));
        }
        let log = stderr(&o);
        let wabt_log = log.starts_with("0000000: 0061 736d");
        let note = log.starts_with(&format!("{wat}: note: no -v log: "));
        if flags == ["-v"] && !(wabt_log || note) {
            return Err(format!("-v printed neither wabt's log nor the note: {log}"));
        }
        if flags != ["-v"] && !log.is_empty() {
            return Err(format!("wat2wasm {flags:?} printed {log}"));
        }
    }
    // Print and assemble back.
    let o = run(&["wasm2wat", &out("wasm"), "-o", &out("back.wat")], dir);
    if !o.status.success() {
        return Err(format!("wasm2wat: {}", stderr(&o)));
    }
    let o = run(
        &[
            "wat2wasm",
            "--enable-gc",
            &out("back.wat"),
            "-o",
            &out("back.wasm"),
        ],
        dir,
    );
    if !o.status.success() || meaning(&read(&out("back.wasm")))? != want {
        return Err(format!("wat2wasm of wasm2wat's text: {}", stderr(&o)));
    }
    let o = run(
        &["wasm2wat", "--fold-exprs", "--generate-names", &out("wasm")],
        dir,
    );
    let folded = wat::parse_str(stdout(&o)).map_err(|e| format!("folded text: {e}"))?;
    if !o.status.success() || meaning(&folded)? != want {
        return Err(format!("wasm2wat --fold-exprs: {}", stderr(&o)));
    }
    // Every objdump mode reads it.
    let o = run(&["objdump", "-h", "-x", "-d", "-s", &out("wasm")], dir);
    if !o.status.success() || !stderr(&o).is_empty() {
        return Err(format!("objdump: {}", stderr(&o)));
    }
    // Without the flag: refused at a place in the text if it uses GC, else written alike.
    let gc = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM2)
        .validate_all(&wasm)
        .is_err();
    uses_gc.fetch_add(usize::from(gc), Ordering::Relaxed);
    for extra in [&[][..], &["--no-check"]] {
        let mut args = vec!["wat2wasm", wat.as_str(), "-o", "plain.wasm"];
        args.extend_from_slice(extra);
        let o = run(&args, dir);
        let refused = o.status.code() == Some(1) && is_located(&stderr(&o), &wat, text);
        let written = o.status.success() && meaning(&read("plain.wasm"))? == want;
        if (gc && !refused) || (!gc && !written) {
            return Err(format!(
                "without --enable-gc {extra:?} (uses GC: {gc}): exit {:?}: {}",
                o.status.code(),
                stderr(&o)
            ));
        }
    }
    Ok(wasm)
}

/// `(module $name binary "...")` in place of each text module of `script`.
fn with_binaries(script: &str, modules: &[(String, Vec<u8>)]) -> String {
    let mut out = String::new();
    let mut rest = script;
    for (text, wasm) in modules {
        let at = rest
            .find(text.as_str())
            .expect("module text is in its script");
        out.push_str(&rest[..at]);
        let after = text["(module".len()..].trim_start();
        let id = after
            .strip_prefix('$')
            .map(|s| {
                let end = s
                    .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
                    .unwrap_or(s.len());
                format!(" ${}", &s[..end])
            })
            .unwrap_or_default();
        let bytes: String = wasm.iter().map(|b| format!("\\{b:02x}")).collect();
        out.push_str(&format!("(module{id} binary \"{bytes}\")"));
        rest = &rest[at + text.len()..];
    }
    out.push_str(rest);
    out
}

/// The closing `N passed, M failed` line of `rt wast`.
fn wast_counts(path: &Path) -> String {
    let o = rt()
        .args(["wast", "--quiet"])
        .arg(path)
        .output()
        .expect("spawn rt");
    stdout(&o).lines().last().unwrap_or("").to_string()
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn gc_script_modules_go_through_every_text_tool() {
    let suite = shared("wasm-testsuite-3.0");
    let dir = tempdir();
    let next = AtomicUsize::new(0);
    let modules_seen = AtomicUsize::new(0);
    let uses_gc = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for worker in 0..2 {
            let (next, failures, suite) = (&next, &failures, &suite);
            let (modules_seen, uses_gc) = (&modules_seen, &uses_gc);
            let work = dir.path().join(format!("w{worker}"));
            std::fs::create_dir_all(&work).unwrap();
            scope.spawn(move || {
                while let Some(script) = SCRIPTS.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let path = suite.join(format!("{script}.wast"));
                    let source = std::fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    let mut binaries = Vec::new();
                    for (k, text) in extract_modules(&source).modules.into_iter().enumerate() {
                        modules_seen.fetch_add(1, Ordering::Relaxed);
                        let name = format!("{script}.{k}");
                        match check_module(&work, &name, &text, uses_gc) {
                            Ok(wasm) => binaries.push((text, wasm)),
                            Err(why) => failures.lock().unwrap().push(format!("{name}: {why}")),
                        }
                    }
                    if binaries.is_empty() {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{script}: no module"));
                        continue;
                    }
                    // The same script with rt's binaries must pass as the text one does.
                    let as_binaries = work.join(format!("{script}.bin.wast"));
                    std::fs::write(&as_binaries, with_binaries(&source, &binaries)).unwrap();
                    let (text_run, binary_run) = (wast_counts(&path), wast_counts(&as_binaries));
                    if !text_run.ends_with(" 0 failed") || binary_run != text_run {
                        failures.lock().unwrap().push(format!(
                            "{script}: as text `{text_run}`, with rt's binaries `{binary_run}`"
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let (seen, gc) = (modules_seen.into_inner(), uses_gc.into_inner());
    println!(
        "GC text tools: {seen} modules of {} scripts, {gc} of them needing --enable-gc, {} failures",
        SCRIPTS.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        seen >= 130 && gc >= 125,
        "too few modules: {seen} ({gc} using GC)"
    );
}
