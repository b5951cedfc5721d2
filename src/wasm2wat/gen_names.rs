//! `--generate-names`: a name for every unnamed item, as wabt makes them. An import is named
//! after what it imports (`$wasi_snapshot_preview1.fd_write`), an exported item after its
//! export, anything else after its kind and index (`$t0` types, `$f3` functions, `$g0`
//! globals, `$T0` tables, `$M0` memories, `$e0` tags and element segments, `$d0` data
//! segments, `$p0` params, `$l2` locals); a name already taken in its index space gets
//! `_1`, `_2`... Labels are numbered per function (`$B0` block, `$L1` loop, `$I2` if, `$T3`
//! try) by the body printer.
use super::read::{ImportKind, Module, NameMap};
use super::{space_of, Space};
use std::collections::HashSet;

/// Give `index` the name `$base` (or `$base_N`) unless it has one.
fn bind(map: &mut NameMap, index: u32, base: &str) {
    if map.contains_key(&index) {
        return;
    }
    let taken: HashSet<&str> = map.values().map(String::as_str).collect();
    // wabt passes the name on as a C string: it ends at the first NUL byte.
    let base = base.split('\0').next().unwrap_or("");
    let mut name = format!("${base}");
    let mut n = 0;
    while taken.contains(name.as_str()) {
        n += 1;
        name = format!("${base}_{n}");
    }
    map.insert(index, name);
}

pub fn generate(m: &mut Module<'_>) {
    let mut counts = [0u32; 5];
    let slot = |s: Space| match s {
        Space::Func => 0,
        Space::Table => 1,
        Space::Memory => 2,
        Space::Global => 3,
        _ => 4,
    };
    let imports: Vec<(Space, String)> = m
        .imports
        .iter()
        .map(|i| {
            let space = match i.kind {
                ImportKind::Func(_) => Space::Func,
                ImportKind::Table(_) => Space::Table,
                ImportKind::Memory(_) => Space::Memory,
                ImportKind::Global(_) => Space::Global,
                ImportKind::Tag(_) => Space::Tag,
            };
            (space, format!("{}.{}", i.module, i.field))
        })
        .collect();
    for (space, name) in imports {
        let index = counts[slot(space)];
        counts[slot(space)] += 1;
        bind(map_of(m, space), index, &name);
    }
    let exports: Vec<(Space, u32, String)> = m
        .exports
        .iter()
        .map(|&(name, kind, index)| (space_of(kind), index, name.to_string()))
        .collect();
    for (space, index, name) in exports {
        bind(map_of(m, space), index, &name);
    }
    let sizes = [
        (
            Space::Global,
            m.num_imported_globals as usize + m.globals.len(),
            "g",
        ),
        (
            Space::Table,
            m.num_imported_tables as usize + m.tables.len(),
            "T",
        ),
        (
            Space::Memory,
            m.num_imported_memories as usize + m.memories.len(),
            "M",
        ),
        (Space::Type, m.types.len(), "t"),
        (Space::Tag, m.num_imported_tags as usize + m.tags.len(), "e"),
        (Space::Func, m.funcs.len(), "f"),
        (Space::Data, m.datas.len(), "d"),
        (Space::Elem, m.elems.len(), "e"),
    ];
    for (space, count, prefix) in sizes {
        for i in 0..count as u32 {
            bind(map_of(m, space), i, &format!("{prefix}{i}"));
        }
    }
    for f in 0..m.funcs.len() as u32 {
        let params = m.arity(m.funcs[f as usize]).0 as u32;
        let locals = f
            .checked_sub(m.num_imported_funcs)
            .and_then(|d| m.bodies.get(d as usize))
            .and_then(|b| b.get_locals_reader().ok())
            .map_or(0, |r| {
                r.into_iter()
                    .map_while(Result::ok)
                    .map(|(n, _)| n as u64)
                    .sum::<u64>()
            });
        // Only the names a listing can show: a body's locals are bounded by validation.
        let locals = locals.min(100_000) as u32;
        let names = m.names.locals.entry(f).or_default();
        for i in 0..params {
            bind(names, i, &format!("p{i}"));
        }
        for i in params..params + locals {
            bind(names, i, &format!("l{i}"));
        }
    }
}

fn map_of<'m>(m: &'m mut Module<'_>, space: Space) -> &'m mut NameMap {
    let n = &mut m.names;
    match space {
        Space::Func => &mut n.funcs,
        Space::Table => &mut n.tables,
        Space::Memory => &mut n.memories,
        Space::Global => &mut n.globals,
        Space::Tag => &mut n.tags,
        Space::Type => &mut n.types,
        Space::Elem => &mut n.elems,
        Space::Data => &mut n.datas,
    }
}
