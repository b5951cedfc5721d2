//! SIMD programs end to end: the three SIMD benchmark kernels (wasm_simd128.h intrinsics) and
//! an auto-vectorised plain-C program, each run by `rt` and compared with the same C source
//! built natively (clang-16 -O2 -march=native, installed by `make setup`).
use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Build `sources` natively into an executable in `dir` and return what it prints.
fn native_stdout(dir: &Path, name: &str, sources: &[PathBuf]) -> String {
    let exe = dir.join(name);
    let out = Command::new("clang-16")
        .args(["-O2", "-march=native", "-Wno-unknown-attributes", "-o"])
        .arg(&exe)
        .args(sources)
        .output()
        .expect("spawn clang-16 (`make setup` installs it)");
    assert!(
        out.status.success(),
        "native build of {name} failed: {}",
        stderr(&out)
    );
    let run = Command::new(&exe).output().expect("run the native build");
    assert!(
        run.status.success(),
        "native {name} failed: {}",
        stderr(&run)
    );
    stdout(&run)
}

/// `rt run --invoke run` on bench_simd_NAME.wasm against the kernel's native build (with a
/// main that prints `run()` as unsigned): rt prints the i32 signed, so compare modulo 2^32.
fn kernel_agrees(name: &str) {
    let wasm = fixture(&format!("bench_simd_{name}"));
    let out = rt()
        .args(["run", "--invoke", "run"])
        .arg(&wasm)
        .output()
        .expect("spawn rt");
    assert!(
        out.status.success(),
        "rt run failed on {name}: {}",
        stderr(&out)
    );
    let got: i64 = stdout(&out)
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("rt printed {:?}: {e}", stdout(&out)));

    let d = tempdir();
    let root = project_root();
    let native = native_stdout(
        d.path(),
        name,
        &[
            root.join("tests/fixtures/native/print_run.c"),
            root.join(format!("tests/fixtures/c/bench_simd_{name}.c")),
        ],
    );
    let want: u32 = native
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("native build printed {native:?}: {e}"));
    assert_eq!(got as u32, want, "{name}: rt printed {got}, native {want}");
}

#[test]
fn simd_dot_kernel_matches_native() {
    kernel_agrees("dot");
}

#[test]
fn simd_hex_kernel_matches_native() {
    kernel_agrees("hex");
}

#[test]
fn simd_mat4_kernel_matches_native() {
    kernel_agrees("mat4");
}

/// Plain C loops that clang vectorises with -msimd128 (the Makefile's simd_% rule): the Wasm
/// really holds v128 code, and `rt run` prints what the native build prints.
#[test]
fn autovectorised_c_matches_native() {
    let wasm = fixture("simd_autovec");
    let bytes = std::fs::read(&wasm).expect("read simd_autovec.wasm");
    let mut v128_ops = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.expect("parses") {
            let mut ops = body.get_operators_reader().expect("operators");
            while !ops.eof() {
                v128_ops += usize::from(is_simd(&ops.read().expect("operator")));
            }
        }
    }
    assert!(
        v128_ops > 0,
        "simd_autovec.wasm holds no SIMD operator: was it built with -msimd128?"
    );

    let out = rt().arg("run").arg(&wasm).output().expect("spawn rt");
    assert!(out.status.success(), "rt run failed: {}", stderr(&out));

    let d = tempdir();
    let native = native_stdout(
        d.path(),
        "simd_autovec",
        &[project_root().join("tests/fixtures/c/simd_autovec.c")],
    );
    assert!(native.contains("checksum"), "native printed {native:?}");
    assert_eq!(stdout(&out), native);
}

/// A SIMD operator: `v128.*`, or one on lanes (`i8x16.*`, `i32x4.*`, `f32x4.*`, ...), told by
/// wasmparser's name for it (`V128Load`, `I32x4Add`, `F32x4Mul`, ...).
fn is_simd(op: &wasmparser::Operator) -> bool {
    let name = format!("{op:?}");
    let shape = ["8x16", "16x8", "32x4", "64x2"];
    name.starts_with("V128")
        || (name.starts_with(['I', 'F']) && shape.iter().any(|s| name[1..].starts_with(s)))
}
