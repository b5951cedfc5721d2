//! `rt wat2wasm`.
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input files
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rt wat2wasm` is not implemented yet")
}
