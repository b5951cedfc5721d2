//! `rt wasm2wat`: wabt 1.0.32's wasm2wat, same flags, same text.
use super::wat2wasm::FeatureFlags;
use crate::wasm2wat::{print, print_to, Options};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The binary module to read; `-` reads stdin
    pub file: PathBuf,
    /// Output file; `-` or none writes to stdout
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    pub output: Option<PathBuf>,
    /// Write folded expressions where possible: `(i32.add (local.get 0) (i32.const 1))`
    #[arg(short = 'f', long = "fold-exprs")]
    pub fold_exprs: bool,
    /// Write exports inside the items they export: `(func (export "f") ...)`
    #[arg(long = "inline-exports")]
    pub inline_exports: bool,
    /// Write imports inside the items they import: `(func (import "m" "f") ...)`
    #[arg(long = "inline-imports")]
    pub inline_imports: bool,
    /// Ignore the `name` section: every item is shown by its index
    #[arg(long = "no-debug-names")]
    pub no_debug_names: bool,
    /// Give every unnamed item a name (`$f0`, `$p0`, `$l1`, `$B0`...)
    #[arg(long = "generate-names")]
    pub generate_names: bool,
    /// Print the module without validating it first
    #[arg(long = "no-check")]
    pub no_check: bool,
    #[command(flatten)]
    pub features: FeatureFlags,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let shown = args.file.display().to_string();
    let bytes = if args.file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .context("could not read stdin")?;
        bytes
    } else {
        std::fs::read(&args.file).with_context(|| format!("could not read {shown}"))?
    };
    if crate::module::is_component(&bytes) {
        anyhow::bail!("{}", crate::module::component_explanation(&shown));
    }
    let opts = Options {
        features: args.features.language(),
        check: !args.no_check,
        debug_names: !args.no_debug_names,
        fold_exprs: args.fold_exprs,
        inline_exports: args.inline_exports,
        inline_imports: args.inline_imports,
        generate_names: args.generate_names,
    };
    let unapplied = crate::wasm2wat::unapplied_options(&bytes, &opts);
    if !unapplied.is_empty() {
        eprintln!(
            "{shown}: note: {} not applied: this module has GC, which wabt 1.0.32 does not \
             read, and is printed by wasmprinter, which writes imports and exports as fields \
             of their own",
            unapplied.join(" and ")
        );
    }
    let to_file = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    let result = match to_file {
        // A file is written whole or not at all, so its text is gathered first.
        Some(p) => print(&bytes, &opts).map(|text| {
            crate::output::write_atomically(p, text.as_bytes())
                .with_context(|| format!("could not write {}", p.display()))
        }),
        // Standard output streams: the text of a deeply nested module can exceed memory.
        None => {
            let sink = Box::new(std::io::BufWriter::new(std::io::stdout()));
            print_to(&bytes, &opts, sink).map(|error| match error {
                // A closed pipe (`| head`) is not an error worth a message.
                Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(anyhow::anyhow!("writing to stdout: {e}"))
                }
                _ => Ok(()),
            })
        }
    };
    match result {
        Ok(written) => written?,
        Err(e) => {
            eprintln!("{shown}:{:#x}: error: {}", e.offset, e.message);
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
