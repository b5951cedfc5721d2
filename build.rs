//! Builds the small C shim the runtime needs for what Rust cannot express safely: a
//! sigsetjmp/siglongjmp pair around each host->wasm entry and the fault signal handler.
fn main() {
    println!("cargo:rerun-if-changed=src/runtime/shim/trap.c");
    cc::Build::new()
        .file("src/runtime/shim/trap.c")
        .flag("-fno-omit-frame-pointer")
        .opt_level(2)
        .compile("rt_trap_shim");
}
