//! `rt validate FILE...`: wabt's `wasm-validate`, in the language `rt run` accepts (Wasm 3.0
//! and the `-W` switches): silent and exit 0 when every file is valid; otherwise each
//! invalid file's first error, at its byte offset (a binary) or line and column with the
//! source line and a caret (text), and exit 1.
use crate::features::Refusal;
use crate::module::Input;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// WebAssembly features, comma-separated NAME[=y|n] (repeatable), as for `rt run`
    #[arg(short = 'W', value_name = "NAME[=y|n][,...]")]
    pub wasm: Vec<String>,
    /// Print `FILE: valid` for each valid file
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,
    /// Modules to check (.wasm, or .wat assembled first)
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut config = crate::Config::new();
    super::options::apply_wasm_switches(&mut config, &args.wasm)?;
    let language = config.features();
    let mut all_valid = true;
    for path in &args.files {
        let shown = path.display().to_string();
        match check(&shown, path, language) {
            Ok(note) => {
                if args.verbose {
                    println!("{shown}: valid");
                }
                // Valid is valid (exit 0), but whoever validates for rt wants to know.
                if let Some(note) = note {
                    eprintln!("{note}");
                }
            }
            Err(message) => {
                eprintln!("{message}");
                all_valid = false;
            }
        }
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `Ok(None)`: valid; `Ok(Some(note))`: valid, but rt cannot run it yet; `Err`: the error.
fn check(
    shown: &str,
    path: &std::path::Path,
    language: wasmparser::WasmFeatures,
) -> Result<Option<String>, String> {
    let raw = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    let input = Input::new(shown, raw).map_err(|e| e.to_string())?;
    match crate::features::check(&input.bytes, language) {
        Ok(()) => Ok(None),
        Err(e @ Refusal::Unsupported { .. }) => Ok(Some(format!(
            "note: {}",
            input.error_at(shown, e.offset(), &e.message())
        ))),
        Err(e) => Err(input.wabt_error_at(shown, e.offset(), &e.message())),
    }
}
