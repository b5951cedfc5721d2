//! `-h`: one line per section with its payload range and count. wabt ignores `-j` here.
use super::Ctx;
use std::fmt::Write as _;

pub(super) fn print(ctx: &Ctx, out: &mut String) -> Option<crate::module::ParseError> {
    out.push_str("\nSections:\n\n");
    for s in &ctx.module.sections {
        let _ = write!(
            out,
            "{:>9} start={} end={} (size={}) ",
            s.kind_name(),
            c_alt_hex(s.range.start),
            c_alt_hex(s.range.end),
            c_alt_hex(s.range.len())
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

/// C's `%#010x`: ten characters with a `0x` prefix, except that zero gets no prefix.
fn c_alt_hex(v: usize) -> String {
    if v == 0 {
        "0000000000".to_string()
    } else {
        format!("{v:#010x}")
    }
}
