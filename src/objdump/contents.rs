//! `-s`: every selected section's payload as a hex dump, and the dump format itself, which
//! `-x` reuses for data segments.
use super::Ctx;
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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (line_no, line) in data.chunks(16).enumerate() {
        let _ = write!(out, "{prefix}{:07x}: ", address + line_no * 16);
        for pair in 0..8 {
            for i in 0..2 {
                match line.get(pair * 2 + i) {
                    Some(b) => {
                        out.push(HEX[(b >> 4) as usize] as char);
                        out.push(HEX[(b & 15) as usize] as char);
                    }
                    None => out.push_str("  "),
                }
            }
            out.push(' ');
        }
        out.push(' ');
        for &b in line {
            out.push(if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            });
        }
        out.push('\n');
    }
}
