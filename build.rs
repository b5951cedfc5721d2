//! The `rt` package's build script (rt-core's, core/build.rs, builds the C shim, stamps the
//! build id and records the LLVM version). Two jobs: tell the tests which external test inputs
//! are absent (`rt_no_shared_data`, `rt_no_wabt`, `rt_no_wasmtime`, `rt_no_micropython`), so
//! those tests are *ignored*, and counted as such in cargo's summary, instead of passing
//! without checking anything. Under `CI=true` nothing is ever ignored: a missing input fails
//! its tests loudly. Also whether they are built under AddressSanitizer (`rt_asan`,
//! `make asan`).
use std::path::Path;

fn main() {
    mark_missing_test_inputs(Path::new(env!("CARGO_MANIFEST_DIR")));
    mark_sanitizer();
}

/// `rt_asan` when the crate is built under AddressSanitizer (`make asan`), for the few tests
/// that must set a child's limits another way there (`cfg(sanitize)` itself is unstable).
fn mark_sanitizer() {
    println!("cargo::rustc-check-cfg=cfg(rt_asan)");
    let sanitizers = std::env::var("CARGO_CFG_SANITIZE").unwrap_or_default();
    if sanitizers.split(',').any(|s| s == "address") {
        println!("cargo:rustc-cfg=rt_asan");
    }
}

fn mark_missing_test_inputs(root: &Path) {
    for cfg in [
        "rt_no_shared_data",
        "rt_no_wabt",
        "rt_no_wasmtime",
        "rt_no_micropython",
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=PATH");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        return;
    }
    let shared = root.join("../shared");
    println!("cargo:rerun-if-changed={}", shared.display());
    if !shared.is_dir() {
        println!("cargo:rustc-cfg=rt_no_shared_data");
    }
    let wabt = std::process::Command::new("wasm-objdump")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !wabt {
        println!("cargo:rustc-cfg=rt_no_wabt");
    }
    // The pinned wasmtime CLI lives in the virtualenv `make wasmtime` creates.
    let wasmtime = root.join("build/venv/bin/wasmtime");
    println!("cargo:rerun-if-changed={}", wasmtime.display());
    if !wasmtime.is_file() {
        println!("cargo:rustc-cfg=rt_no_wasmtime");
    }
    // MicroPython's WASI build, which the Makefile takes from its PyPI wheel.
    let micropython = root.join("build/micropython/micropython-wasi.wasm");
    println!("cargo:rerun-if-changed={}", micropython.display());
    if !micropython.is_file() {
        println!("cargo:rustc-cfg=rt_no_micropython");
    }
}
