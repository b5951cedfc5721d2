//! `rt validate` (wabt's wasm-validate in `rt run`'s language), and the text positions every
//! subcommand that reads a `.wat` gives for errors found after parsing.
use crate::common::*;

/// `(func (result i32) i64.const 1)` on line 3 column 5: a type mismatch validation finds.
const MISMATCH: &str = "(module\n  (func (result i32)\n    i64.const 1))\n";

#[test]
fn valid_files_pass_silently_and_verbose_names_them() {
    let d = tempdir();
    let wat = write(d.path(), "ok.wat", "(module (func (export \"f\")))");
    let out = rt_output(&["validate", wat.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
    let out = rt_output(&["validate", "-v", wat.to_str().unwrap()]);
    assert_eq!(stdout(&out), format!("{}: valid\n", wat.display()));
}

#[test]
fn a_text_error_is_shown_at_line_and_column_with_a_caret() {
    let d = tempdir();
    let wat = write(d.path(), "bad.wat", MISMATCH);
    let out = rt()
        .arg("validate")
        .arg("bad.wat")
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "bad.wat:3:5: error: type mismatch: expected i32, found i64\n    i64.const 1))\n    ^^^^^^^^^\n"
    );
    drop(wat);
}

#[test]
fn a_binary_error_is_shown_at_its_offset_and_every_file_is_checked() {
    let d = tempdir();
    // The same module as MISMATCH, encoded: the offending i64.const is at byte 0x1a... but
    // the validator reports the function's end, where the result is checked.
    let bin = [
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // header
        1, 5, 1, 0x60, 0, 1, 0x7f, // type () -> i32
        3, 2, 1, 0, // one function of type 0
        10, 6, 1, 4, 0, 0x42, 1, 0x0b, // body: i64.const 1; end
    ];
    std::fs::write(d.path().join("bad.wasm"), bin).unwrap();
    write(d.path(), "ok.wat", "(module)");
    let out = rt()
        .args(["validate", "bad.wasm", "ok.wat", "missing.wasm"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines[0],
        "bad.wasm:0x1a: error: type mismatch: expected i32, found i64"
    );
    assert!(lines[1].starts_with("missing.wasm: "), "{err}");
    assert_eq!(lines.len(), 2, "{err}");
}

#[test]
fn the_language_is_rt_runs_and_w_switches_change_it() {
    let d = tempdir();
    // A tail call: Wasm 3.0, so valid by default; invalid once the feature is switched off.
    let wat = write(d.path(), "tail.wat", "(module (func $f (return_call $f)))");
    let out = rt_output(&["validate", wat.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = rt_output(&["validate", "-W", "tail-call=n", wat.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("tail calls support is not enabled"),
        "{}",
        stderr(&out)
    );
    let out = rt_output(&["validate", "-W", "no-such-thing", wat.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown feature `no-such-thing`"));
}

#[test]
fn a_valid_module_rt_cannot_run_yet_is_valid_with_a_note() {
    let d = tempdir();
    let wat = write(d.path(), "threads.wat", "(module (memory 1 1 shared))");
    let out = rt()
        .args(["validate", "threads.wat"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("note: threads.wat:1:10: unsupported by rt: threads"),
        "{}",
        stderr(&out)
    );
    drop(wat);
}

#[test]
fn run_and_compile_of_text_report_validation_errors_at_line_and_column() {
    let d = tempdir();
    write(d.path(), "bad.wat", MISMATCH);
    let expected = "error: bad.wat:3:5: type mismatch: expected i32, found i64\n    i64.const 1))\n    ^^^^^^^^^\n";
    let out = rt()
        .args(["run", "bad.wat"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), expected);
    let out = rt()
        .args(["compile", "bad.wat", "-o", "bad.cwasm"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), expected);
    assert!(!d.path().join("bad.cwasm").exists());
}

#[test]
fn a_component_is_explained_not_parsed() {
    let d = tempdir();
    // The smallest binary component: the magic, version 0x0d, layer 1.
    std::fs::write(
        d.path().join("c.wasm"),
        [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0],
    )
    .unwrap();
    write(d.path(), "c.wat", ";; a component\n(component)\n");
    for file in ["c.wasm", "c.wat"] {
        for cmd in [
            &["run", file][..],
            &["validate", file],
            &["compile", file, "-o", "x"],
        ] {
            let out = rt().args(cmd).current_dir(d.path()).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{cmd:?}");
            let err = stderr(&out);
            assert!(
                err.contains(&format!("{file}: this is a WebAssembly component"))
                    && err.contains("rt runs core modules with WASI preview 1")
                    && err.contains("wasm32-wasip1"),
                "{cmd:?}: {err}"
            );
        }
    }
}
