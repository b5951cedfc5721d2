//! The `rt` binary: only the entry point; everything lives in the library.
fn main() -> std::process::ExitCode {
    rt::cli::main()
}
