//! The module as wasm2wat needs it: every section's entries in binary order, and the names
//! the `name` section gives (made unique and `$`-prefixed as wabt's reader makes them).
use std::collections::{HashMap, HashSet};
use wasmparser::{
    BinaryReaderError, ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, GlobalType,
    MemoryType, Name, Parser, Payload, RefType, SubType, TableInit, TableType, TypeRef,
};

pub enum ImportKind {
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    Tag(u32),
}

pub struct Import<'a> {
    pub module: &'a str,
    pub field: &'a str,
    pub kind: ImportKind,
}

pub enum ElemItems<'a> {
    Funcs(Vec<u32>),
    Exprs(RefType, Vec<ConstExpr<'a>>),
}

pub enum ElemMode<'a> {
    Passive,
    Declared,
    Active {
        table: Option<u32>,
        offset: ConstExpr<'a>,
    },
}

pub struct Elem<'a> {
    pub mode: ElemMode<'a>,
    pub items: ElemItems<'a>,
}

pub struct Data<'a> {
    /// `None`: passive; else the memory and the offset expression.
    pub active: Option<(u32, ConstExpr<'a>)>,
    pub bytes: &'a [u8],
}

/// One index space's names (functions, globals, ...), by index.
pub type NameMap = HashMap<u32, String>;

#[derive(Default)]
pub struct Names {
    pub module: Option<String>,
    pub funcs: NameMap,
    pub locals: HashMap<u32, NameMap>,
    pub types: NameMap,
    pub tables: NameMap,
    pub memories: NameMap,
    pub globals: NameMap,
    pub elems: NameMap,
    pub datas: NameMap,
    pub tags: NameMap,
}

#[derive(Default)]
pub struct Module<'a> {
    /// Every type of the type section, rec groups flattened.
    pub types: Vec<SubType>,
    pub imports: Vec<Import<'a>>,
    /// Type index of each function, imported ones first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<(TableType, Option<ConstExpr<'a>>)>,
    pub memories: Vec<MemoryType>,
    pub tags: Vec<u32>,
    pub globals: Vec<(GlobalType, ConstExpr<'a>)>,
    pub exports: Vec<(&'a str, ExternalKind, u32)>,
    pub start: Option<u32>,
    pub elems: Vec<Elem<'a>>,
    pub datas: Vec<Data<'a>>,
    pub bodies: Vec<wasmparser::FunctionBody<'a>>,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    pub num_imported_tags: u32,
    pub names: Names,
    /// The binary's length (where an error about a missing part is reported).
    pub bytes_len: usize,
}

impl<'a> Module<'a> {
    pub fn read(bytes: &'a [u8], debug_names: bool) -> Result<Module<'a>, BinaryReaderError> {
        let mut m = Module {
            bytes_len: bytes.len(),
            ..Module::default()
        };
        let mut name_section = None;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload? {
                Payload::TypeSection(r) => {
                    for group in r {
                        m.types.extend(group?.into_types());
                    }
                }
                Payload::ImportSection(r) => {
                    for import in r.into_imports() {
                        let import = import?;
                        let kind = match import.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                m.funcs.push(t);
                                m.num_imported_funcs += 1;
                                ImportKind::Func(t)
                            }
                            TypeRef::Table(t) => {
                                m.num_imported_tables += 1;
                                ImportKind::Table(t)
                            }
                            TypeRef::Memory(t) => {
                                m.num_imported_memories += 1;
                                ImportKind::Memory(t)
                            }
                            TypeRef::Global(t) => {
                                m.num_imported_globals += 1;
                                ImportKind::Global(t)
                            }
                            TypeRef::Tag(t) => {
                                m.num_imported_tags += 1;
                                ImportKind::Tag(t.func_type_idx)
                            }
                        };
                        m.imports.push(Import {
                            module: import.module,
                            field: import.name,
                            kind,
                        });
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r {
                        m.funcs.push(t?);
                    }
                }
                Payload::TableSection(r) => {
                    for t in r {
                        let t = t?;
                        let init = match t.init {
                            TableInit::RefNull => None,
                            TableInit::Expr(e) => Some(e),
                        };
                        m.tables.push((t.ty, init));
                    }
                }
                Payload::MemorySection(r) => {
                    for t in r {
                        m.memories.push(t?);
                    }
                }
                Payload::TagSection(r) => {
                    for t in r {
                        m.tags.push(t?.func_type_idx);
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g?;
                        m.globals.push((g.ty, g.init_expr));
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e?;
                        m.exports.push((e.name, e.kind, e.index));
                    }
                }
                Payload::StartSection { func, .. } => m.start = Some(func),
                Payload::ElementSection(r) => {
                    for e in r {
                        let e = e?;
                        let mode = match e.kind {
                            ElementKind::Passive => ElemMode::Passive,
                            ElementKind::Declared => ElemMode::Declared,
                            ElementKind::Active {
                                table_index,
                                offset_expr,
                            } => ElemMode::Active {
                                table: table_index,
                                offset: offset_expr,
                            },
                        };
                        let items = match e.items {
                            ElementItems::Functions(r) => {
                                ElemItems::Funcs(r.into_iter().collect::<Result<_, _>>()?)
                            }
                            ElementItems::Expressions(ty, r) => {
                                ElemItems::Exprs(ty, r.into_iter().collect::<Result<_, _>>()?)
                            }
                        };
                        m.elems.push(Elem { mode, items });
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        let d = d?;
                        let active = match d.kind {
                            DataKind::Passive => None,
                            DataKind::Active {
                                memory_index,
                                offset_expr,
                            } => Some((memory_index, offset_expr)),
                        };
                        m.datas.push(Data {
                            active,
                            bytes: d.data,
                        });
                    }
                }
                Payload::CodeSectionEntry(body) => m.bodies.push(body),
                Payload::CustomSection(c) if c.name() == "name" && debug_names => {
                    name_section = Some((c.data(), c.data_offset()));
                }
                _ => {}
            }
        }
        if let Some((data, offset)) = name_section {
            // A damaged name section costs the names, not the listing (wabt warns and goes on).
            let _ = m.read_names(data, offset);
        }
        Ok(m)
    }

    fn read_names(&mut self, data: &'a [u8], offset: u64) -> Result<(), BinaryReaderError> {
        let reader =
            wasmparser::NameSectionReader::new(wasmparser::BinaryReader::new(data, offset));
        let counts = [
            self.funcs.len(),
            self.types.len(),
            self.num_imported_tables as usize + self.tables.len(),
            self.num_imported_memories as usize + self.memories.len(),
            self.num_imported_globals as usize + self.globals.len(),
            self.elems.len(),
            self.datas.len(),
            self.num_imported_tags as usize + self.tags.len(),
        ];
        for sub in reader {
            let (map, count, target) = match sub? {
                Name::Module { name, .. } => {
                    self.names.module = (!name.is_empty()).then(|| format!("${name}"));
                    continue;
                }
                Name::Function(map) => (map, counts[0], &mut self.names.funcs),
                Name::Type(map) => (map, counts[1], &mut self.names.types),
                Name::Table(map) => (map, counts[2], &mut self.names.tables),
                Name::Memory(map) => (map, counts[3], &mut self.names.memories),
                Name::Global(map) => (map, counts[4], &mut self.names.globals),
                Name::Element(map) => (map, counts[5], &mut self.names.elems),
                Name::Data(map) => (map, counts[6], &mut self.names.datas),
                Name::Tag(map) => (map, counts[7], &mut self.names.tags),
                Name::Local(indirect) => {
                    for f in indirect {
                        let f = f?;
                        if f.index as usize >= self.funcs.len() {
                            continue;
                        }
                        let mut names = NameMap::new();
                        let mut taken = HashSet::new();
                        for n in f.names {
                            let n = n?;
                            if !n.name.is_empty() {
                                names.insert(n.index, unique(&mut taken, n.name));
                            }
                        }
                        self.names.locals.insert(f.index, names);
                    }
                    continue;
                }
                _ => continue,
            };
            let mut taken: HashSet<String> = target.values().cloned().collect();
            for n in map {
                let n = n?;
                if (n.index as usize) < count && !n.name.is_empty() {
                    target.insert(n.index, unique(&mut taken, n.name));
                }
            }
        }
        Ok(())
    }

    pub fn func_type(&self, type_index: u32) -> Option<&wasmparser::FuncType> {
        match &self.types.get(type_index as usize)?.composite_type.inner {
            wasmparser::CompositeInnerType::Func(f) => Some(f),
            _ => None,
        }
    }

    /// (params, results) of function type `type_index` (0, 0 for a bad index).
    pub fn arity(&self, type_index: u32) -> (usize, usize) {
        self.func_type(type_index)
            .map_or((0, 0), |f| (f.params().len(), f.results().len()))
    }
}

/// `$name`, or `$name.1`, `$name.2`... when an earlier item of the space took it (wabt's
/// reader keeps names unique this way).
fn unique(taken: &mut HashSet<String>, name: &str) -> String {
    let base = format!("${name}");
    let mut candidate = base.clone();
    let mut counter = 1;
    while taken.contains(&candidate) {
        candidate = format!("{base}.{counter}");
        counter += 1;
    }
    taken.insert(candidate.clone());
    candidate
}
