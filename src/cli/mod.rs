//! Command-line front end: one file per subcommand, each a thin shell over the library.
use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub mod compile;
pub mod explain;
pub mod objdump;
pub mod options;
pub mod run;
pub mod validate;
pub mod wasm2wat;
pub mod wast;
pub mod wat2wasm;

#[derive(Parser, Debug)]
#[command(
    name = "rt",
    version,
    about = "A WebAssembly toolchain: LLVM ahead-of-time runtime, wabt-compatible text tools",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compile and run a WebAssembly module (WASI preview1 command or --invoke an export)
    Run(run::Args),
    /// Compile a module ahead of time into a native artifact that `rt run` loads directly
    Compile(compile::Args),
    /// Translate WebAssembly text to binary, byte-for-byte like wabt's wat2wasm
    Wat2wasm(wat2wasm::Args),
    /// Translate WebAssembly binary to text, character for character like wabt's wasm2wat
    Wasm2wat(wasm2wat::Args),
    /// Print information about a module, like wabt's wasm-objdump
    Objdump(objdump::Args),
    /// Explain a WASI call or type, a module's system interface, or an errno
    Explain(explain::Args),
    /// Run WebAssembly spec test scripts (.wast)
    Wast(wast::Args),
    /// Check that modules are valid, like wabt's wasm-validate (in `rt run`'s language)
    Validate(validate::Args),
}

/// Parse the command line, run the subcommand, and turn errors into `error: ...` and exit 1.
pub fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Compile(args) => compile::run(args),
        Command::Wat2wasm(args) => wat2wasm::run(args),
        Command::Wasm2wat(args) => wasm2wat::run(args),
        Command::Objdump(args) => objdump::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Wast(args) => wast::run(args),
        Command::Validate(args) => validate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `RUST_LOG` selects what is logged (e.g. `RUST_LOG=rt::wasi=trace`); nothing by default.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
}
