//! `-h`: one line per section with its payload range and count. wabt ignores `-j` here.
use super::{c_alt_hex, Ctx, Out};
use std::fmt::Write as _;

pub(super) fn print(ctx: &Ctx, out: &mut Out) -> Option<crate::module::ParseError> {
    out.push_str("\nSections:\n\n");
    for s in &ctx.module.sections {
        let _ = write!(
            out,
            "{:>9} start={} end={} (size={}) ",
            s.kind_name(),
            c_alt_hex(s.range.start, 10),
            c_alt_hex(s.range.end, 10),
            c_alt_hex(s.range.len(), 10)
        );
        // What follows is printed as it is read: nothing (not even the newline) when the
        // section broke before it.
        match (s.id, &s.custom_name, s.count) {
            (0, Some(name), _) => {
                let _ = writeln!(out, "\"{}\"", super::names::cstr(name));
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
    None
}
