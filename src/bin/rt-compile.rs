//! The `rt-compile` helper: the `rt` command line with the LLVM back end linked in. Calling
//! through the `rt` library crate (not rt-core directly) is what links the back end, and with
//! it the compiler rt-core finds (`rt_core::aot::linked_compiler`).
fn main() -> std::process::ExitCode {
    rt::cli::main()
}
