//! `rt wast`: run WebAssembly spec scripts and report every failing directive.
use crate::features;
use anyhow::bail;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Spec scripts to run (.wast)
    #[arg(required = true, value_name = "FILE.wast")]
    pub files: Vec<PathBuf>,
    /// Print only the closing count (failures are still printed)
    #[arg(short, long)]
    pub quiet: bool,
    /// The language the scripts are written in: 1.0, 2.0, or 3.0 as wasmtime 49 enables it
    #[arg(long = "wasm", value_name = "VERSION", default_value = "3.0")]
    pub wasm: String,
    /// Enable (NAME, NAME=y) or disable (NAME=n) a feature on top of --wasm, in wasmtime's
    /// spelling: simd, relaxed-simd, tail-call, extended-const, multi-memory, memory64,
    /// function-references, gc, exceptions, threads, wide-arithmetic, custom-page-sizes,
    /// custom-descriptors
    #[arg(short = 'W', value_name = "NAME[=y|n]")]
    pub features: Vec<String>,
    /// Code generation as for `rt run`, comma-separated KEY=VALUE (repeatable):
    /// opt-level=0|1|2|3|s (also written -O0 .. -O3), signals-based-traps=y|n
    #[arg(short = 'O', value_name = "KEY=VALUE[,...]")]
    pub optimize: Vec<String>,
}

/// The engine configuration `--wasm`, `-W` and `-O` describe: the language,
/// `relaxed-simd-deterministic`, the optimisation level.
pub fn config(
    version: &str,
    switches: &[String],
    optimize: &[String],
) -> anyhow::Result<crate::Config> {
    let language = match version {
        "1" | "1.0" => features::wasm1(),
        "2" | "2.0" => features::wasm2(),
        "3" | "3.0" => features::wasm3(),
        other => bail!("unknown --wasm version `{other}` (expected 1.0, 2.0 or 3.0)"),
    };
    if let Some(bad) = switches
        .iter()
        .flat_map(|list| list.split(','))
        .find(|item| item.starts_with("fuel") || item.starts_with("timeout"))
    {
        bail!("-W {bad}: fuel and timeouts bound `rt run`, not the spec runner");
    }
    let mut config = crate::Config::new();
    config.wasm_features(language);
    super::options::apply_wasm_switches(&mut config, switches)?;
    super::options::apply_opt_switches(&mut config, optimize)?;
    Ok(config)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = config(&args.wasm, &args.features, &args.optimize)?;
    let (mut passed, mut failed, mut unsupported) = (0usize, 0usize, 0usize);
    let mut missing = BTreeSet::new();
    let mut unreadable = false;
    for file in &args.files {
        match crate::wast::run_file(file, &config) {
            Ok(report) => {
                for f in &report.failures {
                    println!("{}:{}:{}: {}", file.display(), f.line, f.col, f.message);
                }
                if !args.quiet {
                    println!("{}: {}", file.display(), script_summary(&report));
                }
                passed += report.passed;
                failed += report.failures.len();
                unsupported += report.unsupported();
                missing.extend(report.missing_features());
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                unreadable = true;
            }
        }
    }
    // Unsupported directives are failures too; the note says how many of them are only
    // waiting for a feature rt lacks.
    if unsupported == 0 {
        println!("{passed} passed, {failed} failed");
    } else {
        let missing: Vec<&str> = missing.into_iter().collect();
        println!(
            "{passed} passed, {failed} failed ({unsupported} of them unsupported: {})",
            missing.join(", ")
        );
    }
    Ok(if failed == 0 && !unreadable {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn script_summary(report: &crate::wast::Report) -> String {
    let total = report.passed + report.failures.len();
    if report.failures.is_empty() {
        return format!("ok ({} of {total} directives)", report.passed);
    }
    let status = if report.failed() == 0 {
        "UNSUPPORTED"
    } else {
        "FAILED"
    };
    format!(
        "{status} ({} of {total} directives passed, {} failed, {} unsupported)",
        report.passed,
        report.failed(),
        report.unsupported()
    )
}
