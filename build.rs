//! Build script. Three jobs:
//!
//! 1. Build the small C shim the runtime needs for what Rust cannot express safely: a
//!    sigsetjmp/siglongjmp pair around each host->wasm entry and the fault signal handler.
//! 2. Stamp the build with `RT_BUILD_ID`, a hash of the compiler's own source (src/, this
//!    script, Cargo.toml and Cargo.lock). Compiled code is cached and written into artifacts
//!    under that id, so a changed compiler never reuses code an earlier build generated.
//! 3. Tell the tests which external test inputs are absent (`rt_no_shared_data`, `rt_no_wabt`,
//!    `rt_no_wasmtime`), so those tests are *ignored*, and counted as such in cargo's summary,
//!    instead of passing without checking anything. Under `CI=true` nothing is ever ignored:
//!    a missing input fails its tests loudly.
use std::path::Path;

#[path = "src/build_id.rs"]
mod build_id;

fn main() {
    println!("cargo:rerun-if-changed=src/runtime/shim/trap.c");
    cc::Build::new()
        .file("src/runtime/shim/trap.c")
        .flag("-fno-omit-frame-pointer")
        .opt_level(2)
        .compile("rt_trap_shim");

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let id = build_id::source_hash(root).expect("hash the compiler's source for RT_BUILD_ID");
    println!("cargo:rustc-env=RT_BUILD_ID={id}");
    for input in build_id::HASHED {
        println!("cargo:rerun-if-changed={input}");
    }

    mark_missing_test_inputs(root);
}

fn mark_missing_test_inputs(root: &Path) {
    for cfg in ["rt_no_shared_data", "rt_no_wabt", "rt_no_wasmtime"] {
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
}
