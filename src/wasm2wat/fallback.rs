//! Modules with GC types or instructions, which wabt 1.0.32 cannot read and so has no text
//! layout for: printed by wasmprinter (the wasm-tools printer), in the current text format.
//! wabt's choices are kept where they carry over: custom sections are not printed (wabt
//! prints none) and the `name` section is ignored with `--no-debug-names`; `--fold-exprs`
//! and `--generate-names` map to wasmprinter's folding and naming of unnamed items. Inline
//! imports and exports have no wasmprinter counterpart: those flags are reported as not
//! applied ([`unapplied_options`]) and the fields print on their own, which is equally valid text.
use super::{Error, Options};

/// The text of `bytes`, a module [`crate::features::uses::uses_gc`] found GC in.
pub fn print(bytes: &[u8], opts: &Options) -> Result<String, Error> {
    // A module too broken to take apart is printed as it is, for wasmprinter to report.
    let stripped = crate::wat2wasm::rebuild(bytes, opts.debug_names, true);
    let bytes = stripped.as_deref().unwrap_or(bytes);
    let mut config = wasmprinter::Config::new();
    config
        .fold_instructions(opts.fold_exprs)
        .name_unnamed(opts.generate_names);
    let mut text = String::new();
    config
        .print(bytes, &mut wasmprinter::PrintFmtWrite(&mut text))
        .map_err(
            |e| match e.downcast_ref::<wasmparser::BinaryReaderError>() {
                Some(e) => Error::from(e.clone()),
                None => Error {
                    offset: 0,
                    message: format!("{e:#}"),
                },
            },
        )?;
    Ok(text)
}

/// The flags of `opts` this printer does not apply.
pub fn unapplied_options(opts: &Options) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if opts.inline_exports {
        flags.push("--inline-exports");
    }
    if opts.inline_imports {
        flags.push("--inline-imports");
    }
    flags
}
