//! Helpers shared by the CLI tests.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `rt` binary Cargo built for this test run.
pub fn rt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rt"))
}

/// Run `rt` with `args` and return its output.
pub fn rt_output(args: &[&str]) -> Output {
    rt().args(args).output().expect("spawn rt")
}

/// Run a prepared `rt` command with `input` on its stdin, capturing stdout and stderr. Every
/// test that feeds `rt` through a pipe (`-`, `/dev/stdin`, a guest reading stdin) needs the
/// same spawn-write-wait dance, so it lives here once.
pub fn output_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rt");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().expect("wait for rt")
}

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/<sub>` beside the project. Under CI (`CI=true`) a missing folder fails the test;
/// elsewhere (a clone outside this workspace) it returns None and the caller skips loudly.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let dir = project_root().join("..").join("shared").join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!("../shared/{sub} is missing under CI: the test data must be beside the project");
    }
    eprintln!("SKIPPED: ../shared/{sub} not found; this test needs the shared test data");
    None
}

/// A C fixture built by `make fixtures` into build/fixtures/NAME.wasm. Missing fixtures fail:
/// `make test` always builds them first.
pub fn fixture(name: &str) -> PathBuf {
    let p = project_root()
        .join("build/fixtures")
        .join(format!("{name}.wasm"));
    assert!(
        p.is_file(),
        "{} is missing: run `make fixtures` (make test does)",
        p.display()
    );
    p
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh temporary directory for a test.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

pub fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, contents).expect("write test file");
    p
}
