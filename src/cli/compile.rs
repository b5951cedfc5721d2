//! `rt compile`.
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input files
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rt compile` is not implemented yet")
}
