//! `rt wast`: run WebAssembly spec scripts and report every failing directive.
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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut unreadable = false;
    for file in &args.files {
        match crate::wast::run_file(file) {
            Ok(report) => {
                for f in &report.failures {
                    println!("{}:{}:{}: {}", file.display(), f.line, f.col, f.message);
                }
                if !args.quiet {
                    let status = if report.failed() == 0 { "ok" } else { "FAILED" };
                    println!(
                        "{}: {status} ({} of {} directives)",
                        file.display(),
                        report.passed,
                        report.passed + report.failed()
                    );
                }
                passed += report.passed;
                failed += report.failed();
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                unreadable = true;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 && !unreadable {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
