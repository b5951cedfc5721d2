//! `rt compile MODULE -o FILE`: compile ahead of time into an artifact `rt run` loads without
//! any LLVM work.
use crate::compile::artifact;
use anyhow::anyhow;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The module to compile (.wasm or .wat)
    pub module: PathBuf,
    /// Where to write the artifact
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let shown = args.module.display().to_string();
    let bytes = crate::module::read_module_bytes(&args.module).map_err(|e| anyhow!("{e}"))?;
    let module = crate::features::parse_checked(bytes, crate::features::wasm3())
        .map_err(|e| anyhow!("{shown}:{e}"))?;
    let objects = crate::compile::compile_objects(&module).map_err(|e| anyhow!("{shown}: {e}"))?;
    let out = artifact::write(&module.bytes, &objects);
    crate::output::write_atomically(&args.output, &out)
        .map_err(|e| anyhow!("cannot write {}: {e}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}
