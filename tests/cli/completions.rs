//! Shell completions, manual pages, and colour only where a person is looking.
use crate::common::*;

#[test]
fn completions_for_each_shell_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = rt_output(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for sub in ["run", "wasm2wat", "validate", "objdump", "wat2wasm", "man"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let out = rt_output(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn man_prints_rt1_and_writes_a_page_per_subcommand() {
    let out = rt_output(&["man"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains(".TH rt 1"), "{}", stdout(&out));
    let d = tempdir();
    let dir = d.path().join("man1");
    let out = rt().arg("man").arg("--dir").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for page in [
        "rt",
        "rt-run",
        "rt-wasm2wat",
        "rt-validate",
        "rt-completions",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{page}.1"))).unwrap();
        assert!(text.contains(&format!(".TH {page} 1")), "{page}: {text}");
    }
    let run = std::fs::read_to_string(dir.join("rt-run.1")).unwrap();
    assert!(run.contains("invoke"), "rt-run.1 lacks --invoke");
}

/// A log written to a file or pipe is plain text; the same goes for `NO_COLOR`.
#[test]
fn logs_carry_no_colour_codes_off_a_terminal() {
    let d = tempdir();
    let m = write(
        d.path(),
        "hello.wat",
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 16) "hi\n")
             (func (export "_start")
               (i32.store (i32.const 0) (i32.const 16))
               (i32.store (i32.const 4) (i32.const 3))
               (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    );
    for no_color in [None, Some("1")] {
        let mut cmd = rt();
        cmd.arg("run").arg(&m).env("RUST_LOG", "rt::wasi=trace");
        match no_color {
            Some(v) => cmd.env("NO_COLOR", v),
            None => cmd.env_remove("NO_COLOR"),
        };
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), "hi\n");
        let log = stderr(&out);
        assert!(log.contains("fd_write("), "no trace in: {log}");
        assert!(
            !log.contains('\x1b'),
            "colour codes in a redirected log: {log:?}"
        );
    }
}
