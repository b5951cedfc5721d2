//! `rt run`: compile (or load from cache/artifact) and run a module.
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(trailing_var_arg = true)]
pub struct Args {
    /// Set an environment variable for the guest: NAME=VALUE, or NAME to inherit the host's
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,
    /// Preopen a host directory: HOST (same path in the guest) or HOST::GUEST
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,
    /// Preopen a host directory under another guest path (wasmtime's older spelling)
    #[arg(long = "mapdir", value_name = "GUEST::HOST")]
    pub mapdirs: Vec<String>,
    /// Call this export instead of `_start` and print its results
    #[arg(long)]
    pub invoke: Option<String>,
    /// Load a module first and make its exports importable under NAME
    #[arg(long = "preload", value_name = "NAME=PATH")]
    pub preloads: Vec<String>,
    /// The guest's argv[0] (default: the module's file name)
    #[arg(long)]
    pub argv0: Option<String>,
    /// The module (.wasm, .wat, or an artifact from `rt compile`)
    pub module: PathBuf,
    /// Arguments for the guest (everything after MODULE)
    #[arg(allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rt run` is not implemented yet")
}
