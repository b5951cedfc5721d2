//! Command-line front end: one file per subcommand, each a thin shell over the library.
use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub mod compile;
pub mod completions;
pub mod explain;
pub mod man;
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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(completions::Args),
    /// Print the manual page, or write one per subcommand with --dir
    Man(man::Args),
}

/// `rt --version`: the package version, the LLVM that generates code (the version the build
/// links, recorded by the build script: asking LLVM would load it), and the CPU the code is
/// generated for (this host's: artifacts record it too).
pub fn version() -> String {
    format!(
        "{} (LLVM {}, code for {})",
        env!("CARGO_PKG_VERSION"),
        LLVM_VERSION,
        crate::aot::cpu::describe()
    )
}

/// The version of the LLVM the `rt` crate links (`llvm-config --version` at build time).
pub const LLVM_VERSION: &str = env!("RT_LLVM_VERSION");

/// Parse the command line, run the subcommand, and turn errors into `error: ...` and exit 1.
/// The same `main` serves the `rt` executable and the `rt-compile` helper (`crate::aot`): in
/// the helper it first answers the requests `rt` makes of it.
pub fn main() -> ExitCode {
    init_tracing();
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if let Some(code) = crate::aot::helper::serve(&mut args) {
        return code;
    }
    // `rt run -W help` lists the -W keys, as wasmtime does, even without a MODULE.
    let argv: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if matches!(argv.first().map(String::as_str), Some("run" | "compile")) {
        if let Some(text) = options::help_requested(&argv[1..]).and_then(options::option_help) {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
    }
    // The long version reads the host CPU's name: only worth it when it is printed.
    let mut command = <Cli as clap::CommandFactory>::command();
    if argv.iter().any(|a| a == "--version" || a == "-V") {
        command = command.version(version());
    }
    let matches = command.get_matches_from(std::iter::once("rt".into()).chain(args.clone()));
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Without the compiler linked in (the `rt` executable), the subcommands that compile
    // little else run whole in the rt-compile helper; the arguments were checked here first.
    let in_helper = crate::aot::linked_compiler().is_none()
        && matches!(cli.command, Command::Compile(_) | Command::Wast(_));
    let result = match cli.command {
        _ if in_helper => crate::aot::helper::delegate(&args),
        Command::Run(args) => run::run(args),
        Command::Compile(args) => compile::run(args),
        Command::Wat2wasm(args) => wat2wasm::run(args),
        Command::Wasm2wat(args) => wasm2wat::run(args),
        Command::Objdump(args) => objdump::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Wast(args) => wast::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
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
/// Logs are coloured only on a terminal, and not even there under `NO_COLOR`: a log
/// redirected to a file (`2>log`) is plain text.
fn init_tracing() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .with_ansi(colour_allowed() && std::io::stderr().is_terminal())
            .try_init();
    }
}

/// Whether the user allows colour at all: `NO_COLOR` set to anything but the empty string
/// forbids it (https://no-color.org). clap's help and usage errors follow the same rule.
pub fn colour_allowed() -> bool {
    !matches!(std::env::var_os("NO_COLOR"), Some(v) if !v.is_empty())
}

/// Write `bytes` to stdout; a closed pipe (`| head`) is not an error worth a message.
pub fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut lock = std::io::stdout().lock();
    match lock.write_all(bytes).and_then(|_| lock.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("writing to stdout: {e}"))
        }
        _ => Ok(()),
    }
}
