//! The `name` custom section of `--debug-names`, laid out as wabt 1.0.32 does: module name,
//! function names, local names for every function (always present), then type, table,
//! memory, global, elem, data and tag names. wabt writes no label names.
use super::sections::Sections;
use super::stream::Stream;
use super::writer::indexed;
use super::WriteError;
use wasmparser::{Name, NameMap};

/// (index, name) pairs of one name map, in index order.
type Naming<'a> = Vec<(u32, &'a str)>;

fn pairs<'a>(map: NameMap<'a>) -> Result<Naming<'a>, WriteError> {
    map.into_iter()
        .map(|n| n.map(|n| (n.index, n.name)).map_err(WriteError::from))
        .collect()
}

#[derive(Default)]
struct Names<'a> {
    module: Option<&'a str>,
    funcs: Option<Naming<'a>>,
    locals: Vec<(u32, Naming<'a>)>,
    /// Subsections written like the function names, by wabt's subsection id.
    others: Vec<(u8, Naming<'a>)>,
}

fn collect<'a>(src: &Sections<'a>) -> Result<Names<'a>, WriteError> {
    let mut names = Names::default();
    let Some(reader) = src.names.clone() else {
        return Ok(names);
    };
    for subsection in reader {
        match subsection? {
            Name::Module { name, .. } => names.module = Some(name),
            Name::Function(map) => names.funcs = Some(pairs(map)?),
            Name::Local(indirect) => {
                for entry in indirect {
                    let entry = entry?;
                    names.locals.push((entry.index, pairs(entry.names)?));
                }
            }
            // wabt 1.0.32 names function types only, not struct or array types.
            Name::Type(map) => {
                let mut types = pairs(map)?;
                types.retain(|(index, _)| src.is_func_type.get(*index as usize) == Some(&true));
                if !types.is_empty() {
                    names.others.push((4, types));
                }
            }
            Name::Table(map) => names.others.push((5, pairs(map)?)),
            Name::Memory(map) => names.others.push((6, pairs(map)?)),
            Name::Global(map) => names.others.push((7, pairs(map)?)),
            Name::Element(map) => names.others.push((8, pairs(map)?)),
            Name::Data(map) => names.others.push((9, pairs(map)?)),
            Name::Tag(map) => names.others.push((10, pairs(map)?)),
            _ => {}
        }
    }
    names.others.sort_by_key(|(id, _)| *id);
    Ok(names)
}

pub fn write_names(s: &mut Stream, src: &Sections<'_>) -> Result<(), WriteError> {
    let names = collect(src)?;
    s.note(format_args!("section \"name\""));
    s.u8(0, "section code");
    let section = s.reserve_size("section size (guess)");
    s.string(b"name", "custom section name");
    if let Some(module) = names.module {
        s.u8(0, "module name type");
        let slot = s.reserve_size("subsection size (guess)");
        s.string(module.as_bytes(), "module name");
        s.fixup_size(slot, "FIXUP subsection size");
    }
    if let Some(map) = &names.funcs {
        name_map(s, 1, map)?;
    }
    s.u8(2, "local name type");
    let slot = s.reserve_size("subsection size (guess)");
    let total_funcs = src.imported_funcs + src.defined_funcs();
    s.u32_leb(total_funcs, "num functions");
    let mut locals = names.locals.iter().peekable();
    for func in 0..total_funcs {
        s.u32_leb(func, "function index");
        match locals.next_if(|(index, _)| *index == func) {
            Some((_, map)) => {
                s.u32_leb(map.len() as u32, "num locals");
                for &(index, name) in map {
                    s.u32_leb(index, "local index");
                    let desc = indexed(s, || format!("local name {index}"));
                    s.string(name.as_bytes(), &desc);
                }
            }
            None => s.u32_leb(0, "num locals"),
        }
    }
    s.fixup_size(slot, "FIXUP subsection size");
    for (id, map) in &names.others {
        name_map(s, *id, map)?;
    }
    s.fixup_size(section, "FIXUP section size");
    Ok(())
}

fn name_map(s: &mut Stream, id: u8, map: &[(u32, &str)]) -> Result<(), WriteError> {
    s.u8(id, "name subsection type");
    let slot = s.reserve_size("subsection size (guess)");
    s.u32_leb(map.len() as u32, "num names");
    for &(index, name) in map {
        s.u32_leb(index, "elem index");
        let desc = indexed(s, || format!("elem name {index}"));
        s.string(name.as_bytes(), &desc);
    }
    s.fixup_size(slot, "FIXUP subsection size");
    Ok(())
}
