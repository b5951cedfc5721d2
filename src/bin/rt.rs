//! The `rt` executable: only the entry point. It calls rt-core and never the `rt` library
//! crate, so LLVM is not linked into it (a test reads its symbol table); it starts the
//! `rt-compile` helper when it must compile.
fn main() -> std::process::ExitCode {
    rt_core::cli::main()
}
