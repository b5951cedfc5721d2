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
        // What follows is printed as it is read: nothing (not even the newline) when the
        // section broke before it.
        match (s.id, &s.custom_name, s.count) {
            (0, Some(name), _) => {
                let _ = writeln!(out, "\"{name}\"");
            }
            (8, _, _) => {
                if let Some(start) = ctx.module.start {
                    let _ = writeln!(out, "start: {start}");
                }
            }
            (_, _, Some(count)) => {
                let _ = writeln!(out, "count: {count}");
            }
            _ => {}
        }
    }
}
