//! `rt compile MODULE -o FILE`: compile ahead of time into an artifact `rt run` loads without
//! any LLVM work.
use crate::{Engine, Module};
use anyhow::anyhow;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub options: super::options::CodegenOptions,
    /// The module to compile (.wasm or .wat)
    pub module: PathBuf,
    /// Where to write the artifact
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::new(&args.options.config()?);
    let module = Module::from_file(&engine, &args.module)?;
    crate::output::write_atomically(&args.output, &module.serialize())
        .map_err(|e| anyhow!("cannot write {}: {e}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}
