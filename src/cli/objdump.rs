//! `rt objdump`: wabt's `wasm-objdump` flags and output; `.wat` input is assembled first.
use crate::objdump::{dump, DumpError, Options};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// Print section headers
    #[arg(short = 'h', long = "headers")]
    pub headers: bool,
    /// Show section details
    #[arg(short = 'x', long = "details")]
    pub details: bool,
    /// Disassemble function bodies
    #[arg(short = 'd', long = "disassemble")]
    pub disassemble: bool,
    /// Print raw section contents
    #[arg(short = 's', long = "full-contents")]
    pub full_contents: bool,
    /// Select just one section (a section kind like "Code", or a custom section's name)
    #[arg(short = 'j', long = "section", value_name = "SECTION")]
    pub section: Option<String>,
    /// Show relocations inline with disassembly
    #[arg(short = 'r', long = "reloc")]
    pub reloc: bool,
    /// Print offsets relative to the code section in the disassembly
    #[arg(long = "section-offsets")]
    pub section_offsets: bool,
    /// Accepted for wabt compatibility; prints nothing extra
    #[arg(long = "debug")]
    pub debug: bool,
    /// Print help
    #[arg(long = "help", action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Input files (.wasm, or .wat assembled in memory)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

const MISSING_MODE: &str = "At least one of the following switches must be given:
 -d/--disassemble
 -h/--headers
 -x/--details
 -s/--full-contents";

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = Options {
        headers: args.headers,
        details: args.details,
        disassemble: args.disassemble,
        raw: args.full_contents,
        section: args.section,
        section_offsets: args.section_offsets,
        relocs: args.reloc,
    };
    if args.files.is_empty() {
        eprintln!("rt objdump: expected filename argument.\nTry '--help' for more information.");
        return Ok(ExitCode::FAILURE);
    }
    if !opts.any_mode() {
        eprintln!("{MISSING_MODE}");
        return Ok(ExitCode::FAILURE);
    }
    // The listing streams through one buffered writer: a `-d` of a deeply nested module is
    // gigabytes of text, which must not be held in memory.
    let stdout = std::io::stdout();
    let mut sink = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    for path in &args.files {
        let shown = path.display().to_string();
        let bytes = match read_input(path, &shown) {
            Ok(b) => b,
            Err(message) => {
                eprintln!("{message}");
                return Ok(ExitCode::FAILURE);
            }
        };
        let result = dump(&shown, bytes, &opts, &mut sink);
        match result.write_error {
            // A closed pipe (`| head`) means the reader has seen enough: stop quietly with
            // success, as wabt and coreutils do.
            Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
            Some(e) => {
                eprintln!("rt objdump: writing output: {e}");
                return Ok(ExitCode::FAILURE);
            }
            // `dump` flushed its listing, so the errors below follow it, as before.
            None => {}
        }
        for e in &result.errors {
            match e {
                DumpError::Malformed(p) => {
                    eprintln!("{shown}:{:#x}: error: {}", p.offset, p.message)
                }
                DumpError::SectionNotFound(name) => eprintln!("Section not found: {name}"),
            }
        }
        // Like wabt, the first failed file ends the run.
        if result.failed {
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The file's bytes as a binary: text (a `.wat`, or anything that reads as WebAssembly
/// text) is assembled in memory; everything else is taken as a binary, so a file with a
/// bad header gets wabt's binary diagnosis rather than a text-parser complaint.
fn read_input(path: &Path, shown: &str) -> Result<Vec<u8>, String> {
    if path.is_dir() {
        return Err(format!("{shown}: not a regular file"));
    }
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{shown}: No such file or directory"),
        _ => format!("{shown}: {e}"),
    })?;
    if crate::module::is_binary(&bytes) || !looks_like_text(path, &bytes) {
        return Ok(bytes);
    }
    let text = String::from_utf8_lossy(&bytes);
    crate::module::wat_to_wasm(shown, &text).map_err(|e| e.to_string())
}

fn looks_like_text(path: &Path, bytes: &[u8]) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if matches!(ext, "wat" | "wast") {
        return true;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => matches!(text.trim_start().chars().next(), Some('(' | ';')),
        Err(_) => false,
    }
}
