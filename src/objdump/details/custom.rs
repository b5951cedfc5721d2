//! Custom sections in `-x`: the name, then what wabt decodes of `name` and
//! `target_features`.
use super::super::names::cstr;
use super::super::{Ctx, Out};
use super::linking;
use crate::module::Section;
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub(super) fn print(ctx: &Ctx, s: &Section, out: &mut Out) {
    let Some(name) = s.custom_name.as_deref() else {
        return;
    };
    let _ = writeln!(out, " - name: \"{}\"", cstr(name));
    if linking::print(ctx, s, out) {
        return;
    }
    match name {
        "name" => names(ctx, out),
        "target_features" => {
            let custom = ctx
                .module
                .custom_sections
                .iter()
                .find(|c| s.range.contains(&c.data.start) || c.data.start == s.range.end);
            if let Some(custom) = custom {
                for (prefix, feature) in ctx.module.target_features(custom) {
                    let _ = writeln!(out, "  - [{}] {feature}", prefix as char);
                }
            }
        }
        _ => {}
    }
}

fn names(ctx: &Ctx, out: &mut Out) {
    let n = &ctx.module.names;
    if let Some(module) = &n.module {
        let _ = writeln!(out, " - module <{}>", cstr(module));
    }
    map(out, "func", &n.functions);
    for (f, locals) in &n.locals {
        for (l, name) in locals {
            let _ = writeln!(out, " - func[{f}] local[{l}] <{}>", cstr(name));
        }
    }
    map(out, "type", &n.types);
    map(out, "table", &n.tables);
    map(out, "memory", &n.memories);
    map(out, "global", &n.globals);
    map(out, "elemseg", &n.elements);
    map(out, "dataseg", &n.data);
    map(out, "tag", &n.tags);
}

fn map(out: &mut Out, kind: &str, names: &BTreeMap<u32, String>) {
    for (i, name) in names {
        let _ = writeln!(out, " - {kind}[{i}] <{}>", cstr(name));
    }
}
