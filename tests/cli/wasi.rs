//! `rt run` with WASI: the .wat examples, the C fixtures that exercise every call (including
//! sandbox escapes), stdio edge cases and the command-line flags.
use crate::common::*;
use std::path::Path;
use std::process::Output;

/// Write `wat` into `dir` and run it with `flags` before and `args` after the module.
fn run_wat(dir: &Path, wat: &str, flags: &[&str], args: &[&str]) -> Output {
    let module = write(dir, "prog.wat", wat);
    rt().arg("run")
        .args(flags)
        .arg(&module)
        .args(args)
        .output()
        .expect("spawn rt")
}

const HELLO: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "hello, world\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 8))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))))"#;

/// A program that calls `<list>_sizes_get` and exits with the count.
fn exit_with_count(list: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "{list}_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (call $exit (i32.load (i32.const 0)))))"#
    )
}

/// A program that prints each string of `<list>_get` (args or environ) on its own line.
fn print_each(list: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "{list}_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "{list}_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $n))
  (func (export "_start") (local $i i32) (local $count i32) (local $s i32) (local $len i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (local.set $count (i32.load (i32.const 0)))
    (drop (call $get (i32.const 1024) (i32.const 4096)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $s (i32.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))))
      (local.set $len (call $strlen (local.get $s)))
      (i32.store8 (i32.add (local.get $s) (local.get $len)) (i32.const 10))
      (i32.store (i32.const 16) (local.get $s))
      (i32.store (i32.const 20) (i32.add (local.get $len) (i32.const 1)))
      (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))))"#
    )
}

#[test]
fn fd_write_prints_a_line() {
    let dir = tempdir();
    let out = run_wat(dir.path(), HELLO, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "hello, world\n");
}

#[test]
fn args_sizes_get_six_args_exit_seven() {
    let dir = tempdir();
    let out = run_wat(
        dir.path(),
        &exit_with_count("args"),
        &[],
        &["1", "2", "3", "4", "5", "6"],
    );
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
}

#[test]
fn args_get_prints_each_argument() {
    let dir = tempdir();
    let out = run_wat(
        dir.path(),
        &print_each("args"),
        &[],
        &["one", "two words", "--flag"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "prog.wat\none\ntwo words\n--flag\n");
    let named = run_wat(
        dir.path(),
        &print_each("args"),
        &["--argv0", "myname"],
        &["x"],
    );
    assert_eq!(stdout(&named), "myname\nx\n");
}

#[test]
fn environ_sizes_get_counts_env_flags() {
    let dir = tempdir();
    let out = run_wat(
        dir.path(),
        &exit_with_count("environ"),
        &["--env=ONE=1", "--env=TWO=2"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let none = run_wat(dir.path(), &exit_with_count("environ"), &[], &[]);
    assert_eq!(
        none.status.code(),
        Some(0),
        "the host environment is not passed by default"
    );
}

#[test]
fn environ_get_prints_them() {
    let dir = tempdir();
    let flags = ["--env=ONE=1", "--env", "TWO=2=two", "--env", "PATH"];
    let out = run_wat(dir.path(), &print_each("environ"), &flags, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = std::env::var("PATH").unwrap();
    assert_eq!(stdout(&out), format!("ONE=1\nTWO=2=two\nPATH={path}\n"));
}

#[test]
fn bad_env_and_dir_flags_are_errors() {
    let dir = tempdir();
    for flags in [
        &["--env", "=x"][..],
        &["--env", "RT_UNSET_VARIABLE_FOR_TEST"],
        &["--mapdir", "/only"],
    ] {
        let out = run_wat(dir.path(), HELLO, flags, &[]);
        assert_eq!(out.status.code(), Some(1), "{flags:?}: {}", stderr(&out));
        assert!(
            stdout(&out).is_empty(),
            "{flags:?} must fail before the guest starts"
        );
    }
}

#[test]
fn missing_dir_errors_before_start() {
    let dir = tempdir();
    let missing = dir.path().join("no-such-dir");
    let flag = format!("--dir={}", missing.display());
    let out = run_wat(dir.path(), HELLO, &[&flag], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty(), "the guest must not run");
    assert!(stderr(&out).contains("no-such-dir"), "{}", stderr(&out));
}

#[test]
fn c_readdir_with_dir_dot() {
    let dir = tempdir();
    write(dir.path(), "b.txt", "");
    write(dir.path(), "a.txt", "");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let out = rt()
        .current_dir(dir.path())
        .args(["run", "--dir=."])
        .arg(fixture("wasi_readdir"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), ".\n..\na.txt\nb.txt\nsub\n");
}

/// Run a self-checking fixture and require its "<name>: ok" verdict.
fn self_check(name: &str, flags: &[&str], args: &[&str], stdin: &[u8]) -> Output {
    let out = output_with_stdin(
        rt().arg("run").args(flags).arg(fixture(name)).args(args),
        stdin,
    );
    let text = stdout(&out);
    assert!(
        out.status.code() == Some(0) && text.contains(&format!("{name}: ok")),
        "{name} failed:\n{text}\n{}",
        stderr(&out)
    );
    out
}

/// The fixtures that create files in their sandbox must remove them all again.
fn assert_cleaned_up(dir: &Path) {
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        0,
        "the program cleans up after itself"
    );
}

#[test]
fn c_every_fd_call() {
    let dir = tempdir();
    self_check(
        "wasi_fd_ops",
        &[&format!("--dir={}::/sandbox", dir.path().display())],
        &[],
        b"",
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("other.txt")).unwrap(),
        "renumbered!"
    );
}

#[test]
fn c_every_path_call() {
    let dir = tempdir();
    self_check(
        "wasi_path_ops",
        &[&format!("--mapdir=/sandbox::{}", dir.path().display())],
        &[],
        b"",
    );
    assert_cleaned_up(dir.path());
}

#[test]
fn c_escape_attempts_all_fail() {
    let dir = tempdir();
    let inner = dir.path().join("box");
    std::fs::create_dir(&inner).unwrap();
    write(dir.path(), "secret", "outside");
    std::os::unix::fs::symlink("/etc", inner.join("abs")).unwrap();
    self_check(
        "wasi_escape",
        &[&format!("--dir={}::/sandbox", inner.display())],
        &[],
        b"",
    );
    let mut outside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    outside.sort();
    assert_eq!(
        outside,
        ["box", "secret"],
        "nothing appeared outside the sandbox"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("secret")).unwrap(),
        "outside"
    );
}

#[test]
fn c_posix_layer_of_wasi_libc() {
    let dir = tempdir();
    self_check(
        "wasi_posix",
        &[&format!("--dir={}::/", dir.path().display())],
        &[],
        b"",
    );
    assert_cleaned_up(dir.path());
}

#[test]
fn c_clocks_poll_random() {
    self_check("wasi_clock_poll", &[], &[], b"");
}

#[test]
fn c_stdio() {
    let out = self_check("wasi_stdio", &[], &[], b"shout this\n");
    assert!(stdout(&out).starts_with("SHOUT THIS\n"));
    assert_eq!(stderr(&out), "to stderr\n");
}

#[test]
fn c_sockets_args_env_raise() {
    let out = self_check("wasi_misc", &["--env", "K=v w"], &["a", "b c"], b"");
    assert!(
        stdout(&out).contains("arg 1: a\narg 2: b c\nenv: K=v w\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn output_survives_proc_exit_and_traps() {
    let out = rt()
        .arg("run")
        .arg(fixture("wasi_exit"))
        .arg("9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(9));
    assert_eq!(stdout(&out), "stdout before the end\n");
    assert!(stderr(&out).starts_with("stderr before the end\n"));
    let out = rt()
        .arg("run")
        .arg(fixture("wasi_exit"))
        .arg("trap")
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c != 0),
        "a trap is a failure exit, not a signal death"
    );
    assert_eq!(stdout(&out), "stdout before the end\n");
    assert!(stderr(&out).starts_with("stderr before the end\n"));
}

#[test]
fn closed_pipe_does_not_panic() {
    use std::process::{Command, Stdio};
    let mut child = rt()
        .arg("run")
        .arg(fixture("wasi_lines"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let head = Command::new("head")
        .arg("-1")
        .stdin(child.stdout.take().unwrap())
        .output()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&head.stdout), "line 0\n");
    assert_eq!(
        out.status.code(),
        Some(3),
        "the guest saw EPIPE and exited 3: {}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn trace_logs_each_call_decoded() {
    let dir = tempdir();
    let module = write(dir.path(), "prog.wat", HELLO);
    let out = rt()
        .env("RUST_LOG", "rt::wasi=trace")
        .arg("run")
        .arg(&module)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "hello, world\n");
    let log = stderr(&out);
    assert!(
        log.contains("fd_write(fd=1, iovs=0, iovs_len=1, nwritten_out=32) -> success"),
        "{log}"
    );
}

/// An old binary importing `wasi_unstable`: its whence numbering (END = 1) and its
/// filestat layout (nlink a u32 at 20, size at 24) must be the old ones.
const UNSTABLE: &str = r#"(module
  (import "wasi_unstable" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $stat (param i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "f")
  (data (i32.const 16) "hello")
  (func (export "_start") (local $fd i32)
    (if (call $open (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 1)
                    (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 100))
      (then (call $exit (i32.const 100))))
    (local.set $fd (i32.load (i32.const 100)))
    (i32.store (i32.const 200) (i32.const 16))
    (i32.store (i32.const 204) (i32.const 5))
    (drop (call $write (local.get $fd) (i32.const 200) (i32.const 1) (i32.const 208)))
    (drop (call $seek (local.get $fd) (i64.const -1) (i32.const 1) (i32.const 300)))
    (drop (call $stat (local.get $fd) (i32.const 400)))
    (call $exit (i32.add (i32.load (i32.const 300))
      (i32.add (i32.mul (i32.load (i32.const 420)) (i32.const 10)) (i32.load (i32.const 424)))))))"#;

#[test]
fn wasi_unstable_binaries_get_the_old_layouts() {
    let dir = tempdir();
    let sandbox = dir.path().join("sandbox");
    std::fs::create_dir(&sandbox).unwrap();
    let flag = format!("--dir={}", sandbox.display());
    let out = run_wat(dir.path(), UNSTABLE, &[&flag], &[]);
    // offset 4 (END - 1) + 10 * nlink 1 + size 5; preview1's layout would give 5.
    assert_eq!(out.status.code(), Some(19), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(sandbox.join("f")).unwrap(), "hello");
}
