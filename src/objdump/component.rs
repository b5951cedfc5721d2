//! `rt objdump` of a component: wabt 1.0.32 cannot read one, so this prints what the
//! component holds in the same style: its top-level sections (`-h`) and its imports and
//! exports (`-x`). Disassembly and raw contents describe core modules only.
use super::{c_alt_hex, DumpError, Options, Out};
use crate::module::component::summarize;
use std::fmt::Write;

/// Prints to `out`; returns the errors met and whether the file failed.
pub(super) fn dump(
    base: &str,
    bytes: &[u8],
    opts: &Options,
    out: &mut Out,
) -> (Vec<DumpError>, bool) {
    out.push('\n');
    let summary = match summarize(bytes) {
        Ok(s) => s,
        Err(e) => return (vec![DumpError::Malformed(e)], true),
    };
    let _ = writeln!(
        out,
        "{base}:\tfile format wasm {:#x} (component)",
        summary.version
    );
    if opts.headers {
        out.push_str("\nSections:\n\n");
        for s in &summary.sections {
            let _ = write!(
                out,
                "{:>12} start={} end={} (size={})",
                s.name,
                c_alt_hex(s.start, 10),
                c_alt_hex(s.end, 10),
                c_alt_hex(s.end - s.start, 10)
            );
            match s.id {
                10 => {
                    let _ = write!(out, " count: {}", summary.imports.len());
                }
                11 => {
                    let _ = write!(out, " count: {}", summary.exports.len());
                }
                _ => {}
            }
            out.push('\n');
        }
    }
    if opts.details {
        out.push_str("\nSection Details:\n\n");
        for (title, items) in [("Import", &summary.imports), ("Export", &summary.exports)] {
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}[{}]:", items.len());
            for (i, item) in items.iter().enumerate() {
                let _ = writeln!(out, " - {}[{i}] <{}>", item.kind, item.name);
            }
        }
    }
    let mut errors = Vec::new();
    if opts.disassemble || opts.raw {
        errors.push(DumpError::Malformed(crate::module::ParseError {
            offset: 4,
            message: "-d and -s describe core modules; this is a component (rt runs core modules \
                      with WASI preview 1)"
                .into(),
        }));
    }
    let failed = !errors.is_empty();
    (errors, failed)
}
