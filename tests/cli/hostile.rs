//! Hostile inputs to every subcommand: broken binaries, mangled text, absurd counts, deep
//! nesting, huge segments, things that are not modules at all (a directory, an executable,
//! nothing), missing and unreadable files, and modules piped through stdin.
//!
//! Every input is generated into a temporary directory at test time. Each `rt` runs under a
//! data-segment limit (RLIMIT_DATA: rt reserves large address ranges for linear memories,
//! so an address-space limit would refuse valid modules) and a CPU-time limit (a hang
//! becomes a signal, not a stuck test); its peak RSS is read from `wait4`. The contract: a
//! clear error naming the file, exit 1 (or, for input that is valid but huge, success with
//! output streamed in bounded memory), and never a death by signal.
use crate::common::{rt, tempdir};
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Allocations beyond this fail inside rt (it would abort: a signal, which fails the test).
const DATA_LIMIT: u64 = 2 << 30;
/// CPU seconds before the kernel stops a runaway rt with SIGXCPU (a hang guard, far above
/// what any case here needs; it bounds the test, it does not time rt).
const CPU_LIMIT: u64 = 300;
/// The peak resident set any one run may reach.
const RSS_LIMIT_KB: i64 = 1 << 20;
/// How much standard output a test reads before it closes the pipe.
const STDOUT_KEEP: usize = 1 << 20;

/// What one bounded run of rt did.
struct Run {
    what: String,
    code: i32,
    stderr: String,
    /// Bytes read from stdout (at most `STDOUT_KEEP` before the pipe is closed).
    stdout: Vec<u8>,
    peak_rss_kb: i64,
}

struct Limits {
    /// Run the child as `nobody` (for unreadable files when the tests run as root).
    as_nobody: bool,
    /// Close stdout after this many bytes (a reader like `| head -c`).
    stdout_keep: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            as_nobody: false,
            stdout_keep: STDOUT_KEEP,
        }
    }
}

/// Run `rt ARGS` in `dir` under the limits, with `stdin` fed to it. A death by signal fails
/// the test on the spot, loudly, with what was run.
// The child is reaped by `wait4` (std's `wait` gives no resource usage), which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn bounded(dir: &Path, args: &[&str], stdin: &[u8], limits: &Limits) -> Run {
    let what = format!("rt {}", args.join(" "));
    let mut cmd = rt();
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(rt_asan)]
    asan_limits(&mut cmd);
    let as_nobody = limits.as_nobody;
    // SAFETY: only async-signal-safe calls (setrlimit, setgid, setuid) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = |resource, value: u64| {
                let l = libc::rlimit {
                    rlim_cur: value,
                    rlim_max: value,
                };
                if libc::setrlimit(resource, &l) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            };
            // Under AddressSanitizer rt maps terabytes of shadow memory at start-up, which
            // RLIMIT_DATA counts: there ASan's allocator enforces the bound (`asan_limits`).
            #[cfg(not(rt_asan))]
            limit(libc::RLIMIT_DATA, DATA_LIMIT)?;
            limit(libc::RLIMIT_CPU, CPU_LIMIT)?;
            limit(libc::RLIMIT_CORE, 0)?;
            if as_nobody && (libc::setgid(65534) != 0 || libc::setuid(65534) != 0) {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{what}: spawn: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    // rt may stop reading early (it failed, or it does not read stdin): ignore write errors.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out = child.stdout.take().unwrap();
    let keep = limits.stdout_keep;
    let reader = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let _ = (&mut out).take(keep as u64).read_to_end(&mut kept);
        // Dropping `out` closes the pipe: rt then meets a broken pipe, like `| head`.
        kept
    });
    let mut err = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = (&mut err).take(1 << 20).read_to_end(&mut text);
        let _ = std::io::copy(&mut err, &mut std::io::sink());
        text
    });
    let mut status = 0;
    // SAFETY: plain wait4 on our own child; `rusage` is written by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "{what}: wait4 failed");
    let _ = feeder.join();
    let stdout = reader.join().unwrap();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    if libc::WIFSIGNALED(status) {
        panic!(
            "{what}: KILLED BY SIGNAL {} (peak RSS {} KiB)\nstderr: {stderr}",
            libc::WTERMSIG(status),
            usage.ru_maxrss
        );
    }
    let run = Run {
        what,
        code: libc::WEXITSTATUS(status),
        stderr,
        stdout,
        peak_rss_kb: usage.ru_maxrss,
    };
    assert!(
        run.peak_rss_kb < RSS_LIMIT_KB,
        "{}: peak RSS {} KiB exceeds {RSS_LIMIT_KB} KiB",
        run.what,
        run.peak_rss_kb
    );
    run
}

/// `DATA_LIMIT` for an rt built with AddressSanitizer (`make asan`): once its resident set
/// reaches the limit, ASan's allocator fails every allocation, and rt aborts as it would on
/// hitting RLIMIT_DATA.
#[cfg(rt_asan)]
fn asan_limits(cmd: &mut std::process::Command) {
    let limit_mb = DATA_LIMIT >> 20;
    crate::common::add_asan_options(
        cmd,
        &format!("soft_rss_limit_mb={limit_mb}:allocator_may_return_null=1"),
    );
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    bounded(dir, args, b"", &Limits::default())
}

impl Run {
    /// Exit 1 with an error on stderr that names `file` and says something about it.
    fn refused(&self, file: &str) -> &Self {
        assert_eq!(
            self.code, 1,
            "{}: expected exit 1, got {}\nstderr: {}",
            self.what, self.code, self.stderr
        );
        assert!(
            self.diagnostics().contains(file),
            "{}: the error does not name {file}: {:?}",
            self.what,
            self.diagnostics()
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{}: panicked: {}",
            self.what,
            self.stderr
        );
        self
    }

    /// Where the errors are: stderr, except for `rt wast`, which reports a script's failures
    /// (a module that does not parse is one) on stdout with the rest of its results.
    fn diagnostics(&self) -> String {
        if self.what.starts_with("rt wast") {
            format!("{}{}", self.stderr, String::from_utf8_lossy(&self.stdout))
        } else {
            self.stderr.clone()
        }
    }

    /// The error says where: a byte offset (`file:0x1f`, or `byte 24` for text that is not
    /// UTF-8) or a line and column (`file:3:7`).
    fn located(&self, file: &str) -> &Self {
        let text = self.diagnostics();
        let at = text
            .find(&format!("{file}:"))
            .map(|i| &text[i + file.len() + 1..]);
        let located = at.is_some_and(|rest| {
            rest.starts_with("0x")
                || rest
                    .split(':')
                    .take(2)
                    .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        }) || text
            .split("byte ")
            .skip(1)
            .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
        assert!(
            located,
            "{}: the error gives no offset or line:col: {text:?}",
            self.what
        );
        self
    }

    fn succeeded(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "{}: expected success\nstderr: {}",
            self.what, self.stderr
        );
        self
    }

    /// Success or a clean refusal naming the file: for inputs (a flipped byte, a cut) that may
    /// or may not still be a valid module.
    fn success_or_refused(&self, file: &str) {
        // `-j NAME` on a module without that section: wabt's words, which name the section
        // on stderr while the file is named in the listing's first line.
        let no_section = self.stderr.starts_with("Section not found: ")
            && String::from_utf8_lossy(&self.stdout).contains(&format!("{file}:"));
        if self.code != 0 && !no_section {
            self.refused(file);
        }
    }
}

// ---- Generated modules -------------------------------------------------------------------

fn leb(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn section(id: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![id];
    s.extend(leb(payload.len() as u64));
    s.extend_from_slice(payload);
    s
}

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// A module of `funcs` functions of type `() -> ()` with the given bodies (each without its
/// size), the first exported as `_start`; extra sections go after the code.
fn module(bodies: &[Vec<u8>], memory_pages: Option<u32>, after: &[u8]) -> Vec<u8> {
    let mut m = HEADER.to_vec();
    m.extend(section(1, &[1, 0x60, 0, 0]));
    let mut funcs = leb(bodies.len() as u64);
    funcs.extend(vec![0u8; bodies.len()]);
    m.extend(section(3, &funcs));
    if let Some(pages) = memory_pages {
        let mut mem = vec![1, 0];
        mem.extend(leb(pages as u64));
        m.extend(section(5, &mem));
    }
    let mut export = vec![1, 6];
    export.extend_from_slice(b"_start");
    export.extend([0, 0]);
    m.extend(section(7, &export));
    let mut code = leb(bodies.len() as u64);
    for b in bodies {
        code.extend(leb(b.len() as u64));
        code.extend_from_slice(b);
    }
    m.extend(section(10, &code));
    m.extend_from_slice(after);
    m
}

/// `_start` doing nothing, with a one-page memory and a data segment "hi" (so a cut or a
/// flipped byte can land in any kind of section).
fn small_module() -> Vec<u8> {
    let data = section(11, &[1, 0, 0x41, 0, 0x0b, 2, b'h', b'i']);
    module(&[vec![0, 0x01, 0x0b]], Some(1), &data)
}

fn nested_blocks(depth: usize) -> Vec<u8> {
    let mut body = vec![0];
    body.extend([0x02, 0x40].repeat(depth));
    body.extend(vec![0x0b; depth + 1]);
    module(&[body], None, &[])
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Every subcommand that reads a module, as the arguments before the file.
fn module_readers(out: &str) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = [
        &["run"][..],
        &["compile", "-o", out],
        &["wasm2wat"],
        &["wasm2wat", "-f"],
        &["validate"],
        &["objdump", "-h"],
        &["objdump", "-x"],
        &["objdump", "-d"],
        &["objdump", "-s"],
        &["explain"],
    ]
    .iter()
    .map(|a| a.iter().map(|s| s.to_string()).collect())
    .collect();
    v.push(vec![
        "objdump".into(),
        "-x".into(),
        "-j".into(),
        "Code".into(),
    ]);
    v
}

/// Every subcommand that reads text.
fn text_readers(out: &str) -> Vec<Vec<String>> {
    [
        &["wat2wasm", "-o", out][..],
        &["wast"],
        &["run"],
        &["validate"],
        &["objdump", "-x"],
    ]
    .iter()
    .map(|a| a.iter().map(|s| s.to_string()).collect())
    .collect()
}

fn args_with<'a>(prefix: &'a [String], file: &'a str) -> Vec<&'a str> {
    let mut v: Vec<&str> = prefix.iter().map(String::as_str).collect();
    v.push(file);
    v
}

// ---- The tests ---------------------------------------------------------------------------

#[test]
fn malformed_binaries_are_located_errors_for_every_reader() {
    let dir = tempdir();
    let d = dir.path();
    let valid = small_module();
    let count_max = {
        // A type section announcing 2^32-1 entries and holding none.
        let mut m = HEADER.to_vec();
        m.extend(section(1, &leb(u32::MAX as u64)));
        m
    };
    let code_count_max = {
        let mut m = HEADER.to_vec();
        m.extend(section(1, &[1, 0x60, 0, 0]));
        m.extend(section(3, &[1, 0]));
        m.extend(section(10, &leb(u32::MAX as u64)));
        m
    };
    let data_claim = {
        // A data segment whose length says 4 GiB, in a 64-byte file.
        let mut seg = vec![1, 0, 0x41, 0, 0x0b];
        seg.extend(leb(u32::MAX as u64));
        seg.extend(b"xxxxxxxxxx");
        let mut raw = vec![11];
        raw.extend(leb(seg.len() as u64));
        raw.extend(seg);
        module(&[vec![0, 0x0b]], Some(1), &raw)
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated-header.wasm", valid[..6].to_vec()),
        ("truncated-body.wasm", valid[..valid.len() - 3].to_vec()),
        ("truncated-section.wasm", valid[..12].to_vec()),
        ("empty.wasm", Vec::new()),
        ("count-max.wasm", count_max),
        ("code-count-max.wasm", code_count_max),
        ("data-claims-4gib.wasm", data_claim),
    ];
    let out = d.join("out.bin").display().to_string();
    for (name, bytes) in &cases {
        write(d, name, bytes);
        for reader in module_readers(&out) {
            run_in(d, &args_with(&reader, name))
                .refused(name)
                .located(name);
        }
    }
}

#[test]
fn cut_and_flipped_binaries_never_crash_a_reader() {
    let dir = tempdir();
    let d = dir.path();
    let valid = small_module();
    let out = d.join("out.bin").display().to_string();
    let mut files = Vec::new();
    // Cuts and flips spread over the header, every section header and the bodies; some
    // leave a valid module (a cut at a section boundary), so success is allowed, a crash not.
    for (k, at) in [9, 14, 19, 25, 33, 38].into_iter().enumerate() {
        let at = at.min(valid.len() - 1);
        files.push((format!("cut{k}.wasm"), valid[..at].to_vec()));
        let mut flipped = valid.clone();
        flipped[at] ^= 0xff;
        files.push((format!("flip{k}.wasm"), flipped));
    }
    for (name, bytes) in &files {
        write(d, name, bytes);
        for reader in module_readers(&out) {
            run_in(d, &args_with(&reader, name)).success_or_refused(name);
        }
    }
}

#[test]
fn mangled_text_is_an_error_at_its_line_and_column() {
    let dir = tempdir();
    let d = dir.path();
    let out = d.join("out.bin").display().to_string();
    let cases = [
        (
            "typo.wat",
            "(module\n  (func (export \"_start\")\n    (drop (i32.cnst 2))))\n",
        ),
        (
            "unclosed.wat",
            "(module (func $f (param i32) \"unterminated\n",
        ),
        ("extra.wat", "(module)\n(module))\n"),
        (
            "stray.wat",
            "(module (func (local $x i32) (local.get $y)))\n",
        ),
    ];
    for (name, text) in cases {
        write(d, name, text.as_bytes());
        for reader in text_readers(&out) {
            run_in(d, &args_with(&reader, name))
                .refused(name)
                .located(name);
        }
    }
}

#[test]
fn binaries_and_executables_given_as_text_are_errors() {
    let dir = tempdir();
    let d = dir.path();
    // The rt executable itself: an ELF file of tens of megabytes.
    let elf = env!("CARGO_BIN_EXE_rt");
    std::fs::copy(elf, d.join("rt.elf")).unwrap();
    write(d, "module.wasm", &small_module());
    let out = d.join("out.bin").display().to_string();
    for name in ["rt.elf", "module.wasm"] {
        for reader in [&["wat2wasm", "-o", &out][..], &["wast"]] {
            let reader: Vec<String> = reader.iter().map(|s| s.to_string()).collect();
            run_in(d, &args_with(&reader, name))
                .refused(name)
                .located(name);
        }
    }
    // Readers of modules say it is not one, and where.
    for reader in module_readers(&out) {
        run_in(d, &args_with(&reader, "rt.elf"))
            .refused("rt.elf")
            .located("rt.elf");
    }
}

#[test]
fn directories_missing_and_empty_files_are_errors_for_every_subcommand() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::create_dir(d.join("dir.wasm")).unwrap();
    write(d, "empty.wat", b"");
    let out = d.join("out.bin").display().to_string();
    let mut readers = module_readers(&out);
    readers.extend(text_readers(&out));
    for reader in &readers {
        for name in ["dir.wasm", "missing.wasm", "empty.wat"] {
            run_in(d, &args_with(reader, name)).refused(name);
        }
    }
}

#[test]
fn unreadable_files_are_errors_for_every_subcommand() {
    let dir = tempdir();
    let d = dir.path();
    write(d, "locked.wasm", &small_module());
    let locked = d.join("locked.wasm");
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    // chmod 000 does not stop root. As root, the child drops to `nobody` (which needs to
    // reach the directory); if even that cannot deny the read, say so rather than pass.
    let as_nobody = unsafe { libc::geteuid() } == 0;
    if as_nobody {
        std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let limits = Limits {
        as_nobody,
        ..Limits::default()
    };
    let out = std::env::temp_dir()
        .join(format!("rt-hostile-{}.out", std::process::id()))
        .display()
        .to_string();
    let mut readers = module_readers(&out);
    readers.extend(text_readers(&out));
    for reader in &readers {
        let run = bounded(d, &args_with(reader, "locked.wasm"), b"", &limits);
        run.refused("locked.wasm");
        assert!(
            run.stderr.contains("ermission denied"),
            "{}: the error does not say the file is unreadable (as_nobody={as_nobody}): {:?}",
            run.what,
            run.stderr
        );
    }
}

#[test]
fn modules_piped_through_stdin() {
    let dir = tempdir();
    let d = dir.path();
    let wasm = small_module();
    let text = b"(module (func (export \"_start\")))\n";
    let limits = Limits::default();
    // `-` where the tool takes it, /dev/stdin elsewhere.
    bounded(d, &["wasm2wat", "-"], &wasm, &limits).succeeded();
    bounded(d, &["wat2wasm", "-", "-o", "-"], text, &limits).succeeded();
    for reader in [
        &["run", "/dev/stdin"][..],
        &["validate", "/dev/stdin"],
        &["objdump", "-x", "/dev/stdin"],
        &["explain", "/dev/stdin"],
    ] {
        bounded(d, reader, &wasm, &limits).succeeded();
    }
    // Garbage through the same pipes: errors that say it came from stdin.
    let garbage = &wasm[..wasm.len() - 4];
    let run = bounded(d, &["wasm2wat", "-"], garbage, &limits);
    run.refused("-").located("-");
    let run = bounded(
        d,
        &["wat2wasm", "-"],
        b"(module (func (i32.cnst 1)))",
        &limits,
    );
    run.refused("-").located("-");
    for reader in [
        &["run", "/dev/stdin"][..],
        &["validate", "/dev/stdin"],
        &["objdump", "-x", "/dev/stdin"],
        &["explain", "/dev/stdin"],
    ] {
        bounded(d, reader, garbage, &limits)
            .refused("/dev/stdin")
            .located("/dev/stdin");
    }
}

#[test]
fn a_hundred_thousand_nested_blocks_in_bounded_memory() {
    let dir = tempdir();
    let d = dir.path();
    const DEPTH: usize = 100_000;
    write(d, "nested.wasm", &nested_blocks(DEPTH));
    let mut text = String::from("(module (func (export \"_start\")\n");
    text.push_str(&"(block\n".repeat(DEPTH));
    text.push_str(&")".repeat(DEPTH));
    text.push_str("))\n");
    write(d, "nested.wat", text.as_bytes());
    let out = d.join("out.bin").display().to_string();
    // Valid: each reader succeeds. The listings of -d and wasm2wat are gigabytes (every
    // line indented by its depth): they stream, and the reader stops after a megabyte.
    for reader in module_readers(&out) {
        let run = run_in(d, &args_with(&reader, "nested.wasm"));
        run.succeeded();
        assert!(
            run.stderr.is_empty(),
            "{}: a closed pipe is not an error: {:?}",
            run.what,
            run.stderr
        );
    }
    for reader in [
        &["wat2wasm", "-o", &out][..],
        &["run"],
        &["validate"],
        &["objdump", "-h"],
    ] {
        let reader: Vec<String> = reader.iter().map(|s| s.to_string()).collect();
        run_in(d, &args_with(&reader, "nested.wat")).succeeded();
    }
    let script = format!("{text}(assert_return (invoke \"_start\"))\n");
    write(d, "nested.wast", script.as_bytes());
    let run = run_in(d, &["wast", "nested.wast"]);
    run.succeeded();
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("2 passed, 0 failed"),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
}

#[test]
fn objdump_and_wasm2wat_stop_quietly_when_the_reader_closes_the_pipe() {
    let dir = tempdir();
    let d = dir.path();
    write(d, "nested.wasm", &nested_blocks(20_000));
    let head = Limits {
        stdout_keep: 4096,
        ..Limits::default()
    };
    for reader in [
        &["objdump", "-d", "nested.wasm"][..],
        &["objdump", "-dxhs", "nested.wasm"],
        &["wasm2wat", "nested.wasm"],
        &["wasm2wat", "-f", "nested.wasm"],
    ] {
        let run = bounded(d, reader, b"", &head);
        run.succeeded();
        assert_eq!(run.stdout.len(), 4096, "{}", run.what);
        assert!(run.stderr.is_empty(), "{}: {:?}", run.what, run.stderr);
    }
}

#[test]
fn sixty_thousand_locals_exceed_the_limit_at_their_offset() {
    let dir = tempdir();
    let d = dir.path();
    const LOCALS: u64 = 60_000;
    // One declaration each, and one declaration for all of them; the body reads the last.
    let mut each = leb(LOCALS);
    for _ in 0..LOCALS {
        each.extend([1, 0x7f]);
    }
    let mut one = vec![1];
    one.extend(leb(LOCALS));
    one.push(0x7f);
    for decls in [&mut each, &mut one] {
        decls.push(0x20);
        decls.extend(leb(LOCALS - 1));
        decls.extend([0x1a, 0x0b]);
    }
    write(d, "locals-each.wasm", &module(&[each], None, &[]));
    write(d, "locals-one.wasm", &module(&[one], None, &[]));
    let out = d.join("out.bin").display().to_string();
    for name in ["locals-each.wasm", "locals-one.wasm"] {
        for reader in [
            &["run"][..],
            &["compile", "-o", &out],
            &["validate"],
            &["wasm2wat"],
        ] {
            let reader: Vec<String> = reader.iter().map(|s| s.to_string()).collect();
            let run = run_in(d, &args_with(&reader, name));
            run.refused(name).located(name);
            assert!(run.stderr.contains("too many locals"), "{}", run.stderr);
        }
        // wasm-objdump does not validate, and neither does rt's: the listing is shown.
        for mode in ["-h", "-x", "-d", "-s"] {
            run_in(d, &["objdump", mode, name]).succeeded();
        }
    }
}

#[test]
fn fifty_thousand_functions_are_read_and_printed() {
    let dir = tempdir();
    let d = dir.path();
    const FUNCS: usize = 50_000;
    // Each function calls the next; the last returns.
    let mut bodies: Vec<Vec<u8>> = (1..FUNCS as u64)
        .map(|next| {
            let mut b = vec![0, 0x10];
            b.extend(leb(next));
            b.push(0x0b);
            b
        })
        .collect();
    bodies.push(vec![0, 0x0b]);
    write(d, "funcs.wasm", &module(&bodies, None, &[]));
    let out = d.join("out.bin").display().to_string();
    // Compiling them is left to `fifty_thousand_functions_compile`.
    for reader in module_readers(&out)
        .into_iter()
        .filter(|r| r[0] != "run" && r[0] != "compile")
    {
        run_in(d, &args_with(&reader, "funcs.wasm")).succeeded();
    }
}

/// 50,000 functions compile on every core (the chunk split weighs each function, not only
/// its bytes) with each chunk declaring only what it uses: ~13 s at the default level on
/// two idle cores, where it took minutes (one chunk declaring every function, 1 GB).
#[test]
fn fifty_thousand_functions_compile() {
    let dir = tempdir();
    let d = dir.path();
    let bodies = vec![vec![0, 0x0b]; 50_000];
    write(d, "funcs.wasm", &module(&bodies, None, &[]));
    run_in(d, &["run", "funcs.wasm"]).succeeded();
}

#[test]
fn huge_data_segments_stream_or_fail_cleanly() {
    let dir = tempdir();
    let d = dir.path();
    // 16 MiB of data in a 256-page memory: valid, and run fine.
    let big = vec![0xab; 16 << 20];
    let mut seg = vec![1, 0, 0x41, 0, 0x0b];
    seg.extend(leb(big.len() as u64));
    seg.extend_from_slice(&big);
    write(
        d,
        "bigdata.wasm",
        &module(&[vec![0, 0x0b]], Some(256), &section(11, &seg)),
    );
    // A segment past the end of its one-page memory: instantiation traps (exit 134 as for
    // every trap, like wasmtime), it is not a crash.
    let mut oob = vec![1, 0, 0x41];
    oob.extend(leb(65_530));
    oob.push(0x0b);
    oob.extend(leb(100));
    oob.extend([b'x'; 100]);
    write(
        d,
        "oob.wasm",
        &module(&[vec![0, 0x0b]], Some(1), &section(11, &oob)),
    );
    let out = d.join("out.bin").display().to_string();
    for reader in module_readers(&out) {
        run_in(d, &args_with(&reader, "bigdata.wasm")).succeeded();
    }
    let run = run_in(d, &["run", "oob.wasm"]);
    assert_eq!(run.code, 134, "{}: {}", run.what, run.stderr);
    assert!(
        run.stderr.contains("out of bounds memory access"),
        "{}",
        run.stderr
    );
}

#[test]
fn outputs_that_cannot_be_written_are_errors() {
    let dir = tempdir();
    let d = dir.path();
    write(d, "m.wasm", &small_module());
    write(d, "m.wat", b"(module (func (export \"_start\")))\n");
    std::fs::create_dir(d.join("taken")).unwrap();
    for (args, target) in [
        (&["compile", "-o", "taken", "m.wasm"][..], "taken"),
        (
            &["compile", "-o", "no/such/dir.cwasm", "m.wasm"],
            "no/such/dir.cwasm",
        ),
        (&["wat2wasm", "m.wat", "-o", "taken"], "taken"),
        (&["wat2wasm", "m.wat", "-o", "/dev/full"], "/dev/full"),
        (
            &["wasm2wat", "m.wasm", "-o", "no/such/dir.wat"],
            "no/such/dir.wat",
        ),
        (&["wasm2wat", "m.wasm", "-o", "/dev/full"], "/dev/full"),
    ] {
        run_in(d, args).refused(target);
    }
    assert!(!d.join("no").exists(), "a failed write created directories");
}
