//! `rt explain`: argument parsing and printing over [`crate::explain`].
use crate::explain::{explain, looks_like_module, text::Style, Format, Request};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  rt explain fd_readdir\n  rt explain wasi_snapshot_preview1.fd_write\n  \
rt explain dirent\n  rt explain readdir          (a libc function: which WASI calls it reaches)\n  \
rt explain prog.wasm        (WASI imports, their callers, the run flags it needs)\n  \
rt explain errno 8 | errno badf | errno EBADF | errno\n  \
rt explain functions | types (everything the catalog knows, one line each)"
)]
pub struct Args {
    /// A WASI function or type (bare or `wasi_snapshot_preview1.NAME`), a libc function,
    /// a module (.wasm or .wat), `errno`, `functions` or `types`
    #[arg(value_name = "NAME|MODULE|errno")]
    pub target: String,
    /// After `errno`: a number or a name (8, badf, EBADF); omitted, every errno is listed
    #[arg(value_name = "ERRNO")]
    pub errno: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let request = if args.target == "errno" {
        Request::Errno(args.errno.as_deref())
    } else if let Some(extra) = &args.errno {
        anyhow::bail!(
            "unexpected argument `{extra}`: only `rt explain errno N` takes a second argument"
        );
    } else if args.target == "functions" {
        Request::Functions
    } else if args.target == "types" {
        Request::Types
    } else if looks_like_module(&args.target) {
        Request::Module(Path::new(&args.target))
    } else {
        Request::Name(&args.target)
    };
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
    };
    let stdout = std::io::stdout();
    // Colour only for a person at a terminal who has not opted out (https://no-color.org).
    let color = format == Format::Text
        && stdout.is_terminal()
        && !matches!(std::env::var_os("NO_COLOR"), Some(v) if !v.is_empty());
    let width = if format == Format::Text && stdout.is_terminal() {
        terminal_width()
    } else {
        None
    };
    let output = explain(request, format, Style { color, width })?;
    let mut lock = stdout.lock();
    // A closed pipe (`rt explain x | head`) is not an error worth reporting.
    match lock.write_all(output.as_bytes()).and_then(|_| lock.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("writing the explanation to stdout: {e}"))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The terminal's width in columns: `COLUMNS` if set, else what the terminal reports.
fn terminal_width() -> Option<usize> {
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(cols);
    }
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ only writes a winsize into the struct we pass, owned by this frame.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(size.ws_col as usize)
}
