//! `-s`: every selected section's payload as a hex dump, and the dump format itself, which
//! `-x` reuses for data segments.
use super::{Ctx, Out};
use crate::wat2wasm::stream::{push_hex_columns, push_printable};
use std::fmt::Write as _;

pub(super) fn print(ctx: &Ctx, out: &mut Out) -> Option<crate::module::ParseError> {
    for s in &ctx.module.sections {
        if !ctx.section_selected(s) {
            continue;
        }
        let _ = writeln!(out, "\nContents of section {}:", s.kind_name());
        hex_dump(out, &ctx.module.bytes[s.range.clone()], s.range.start, "");
        if out.failed() {
            break;
        }
    }
    None
}

/// wabt's memory dump: `prefix`, a 7-digit address, 16 bytes in pairs, then the bytes as
/// printable ASCII. Each line is composed apart (the column helpers write to a `String`),
/// then streamed; a failed write ends the dump early.
pub(super) fn hex_dump(out: &mut Out, data: &[u8], address: usize, prefix: &str) {
    let mut text = String::with_capacity(96);
    for (line_no, line) in data.chunks(16).enumerate() {
        if out.failed() {
            return;
        }
        text.clear();
        let _ = write!(text, "{prefix}{:07x}: ", address + line_no * 16);
        push_hex_columns(&mut text, line);
        text.push(' ');
        push_printable(&mut text, line);
        text.push('\n');
        out.push_str(&text);
    }
}
