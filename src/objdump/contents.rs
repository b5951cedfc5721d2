//! `-s`: every selected section's payload as a hex dump, and the dump format itself, which
//! `-x` reuses for data segments.
use super::Ctx;
use crate::wat2wasm::stream::{push_hex_columns, push_printable};
use std::fmt::Write as _;

pub(super) fn print(ctx: &Ctx, out: &mut String) -> Option<crate::module::ParseError> {
    for s in &ctx.module.sections {
        if !ctx.section_selected(s) {
            continue;
        }
        let _ = writeln!(out, "\nContents of section {}:", s.kind_name());
        hex_dump(out, &ctx.module.bytes[s.range.clone()], s.range.start, "");
    }
    None
}

/// wabt's memory dump: `prefix`, a 7-digit address, 16 bytes in pairs, then the bytes as
/// printable ASCII.
pub(super) fn hex_dump(out: &mut String, data: &[u8], address: usize, prefix: &str) {
    for (line_no, line) in data.chunks(16).enumerate() {
        let _ = write!(out, "{prefix}{:07x}: ", address + line_no * 16);
        push_hex_columns(out, line);
        out.push(' ');
        push_printable(out, line);
        out.push('\n');
    }
}
