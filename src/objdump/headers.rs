//! `-h`: one line per section with its payload range and count. wabt ignores `-j` here.
use super::Ctx;
use std::fmt::Write as _;

pub(super) fn print(ctx: &Ctx, out: &mut String) {
    out.push_str("\nSections:\n\n");
    for s in &ctx.module.sections {
        let _ = write!(
            out,
            "{:>9} start={:#010x} end={:#010x} (size={:#010x}) ",
            s.kind_name(),
            s.range.start,
            s.range.end,
            s.range.len()
        );
        match s.id {
            0 => {
                let _ = writeln!(out, "\"{}\"", s.custom_name.as_deref().unwrap_or(""));
            }
            8 => {
                let _ = writeln!(out, "start: {}", ctx.module.start.unwrap_or(0));
            }
            _ => {
                let _ = writeln!(out, "count: {}", s.count.unwrap_or(0));
            }
        }
    }
}
