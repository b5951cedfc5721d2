//! The names wasm-objdump shows in `<...>`, gathered the way its first pass does: imports
//! name functions, globals, tables and tags `module.field`; exports rename functions and
//! globals; the `name` section and a relocatable object's `linking` symbol table, read in
//! file order after them, rename anything they mention.
use crate::module::{ExternKind, ImportKind, Module, Names};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Default)]
pub struct NameTable {
    pub funcs: HashMap<u32, String>,
    pub globals: HashMap<u32, String>,
    pub tables: HashMap<u32, String>,
    pub tags: HashMap<u32, String>,
    pub elems: HashMap<u32, String>,
    pub datas: HashMap<u32, String>,
    /// (function index, local index) -> name.
    pub locals: HashMap<(u32, u32), String>,
}

impl NameTable {
    pub fn new(m: &Module) -> NameTable {
        let mut t = NameTable::default();
        for import in &m.imports {
            let full = format!("{}.{}", import.module, import.name);
            match import.kind {
                ImportKind::Func(_) => t.funcs.insert(import.index, full),
                ImportKind::Global(_) => t.globals.insert(import.index, full),
                ImportKind::Table(_) => t.tables.insert(import.index, full),
                ImportKind::Tag(_) => t.tags.insert(import.index, full),
                ImportKind::Memory(_) => None,
            };
        }
        for export in &m.exports {
            match export.kind {
                ExternKind::Func => t.funcs.insert(export.index, export.name.clone()),
                ExternKind::Global => t.globals.insert(export.index, export.name.clone()),
                _ => None,
            };
        }
        // The `linking` symbol table and the `name` section apply in file order.
        let position = |name: &str| {
            m.sections
                .iter()
                .position(|s| s.id == 0 && s.custom_name.as_deref() == Some(name))
        };
        if position("linking") < position("name") {
            t.apply(&m.symbol_names);
            t.apply(&m.names);
        } else {
            t.apply(&m.names);
            t.apply(&m.symbol_names);
        }
        t
    }

    fn apply(&mut self, n: &Names) {
        let copy = |from: &BTreeMap<u32, String>, to: &mut HashMap<u32, String>| {
            for (i, name) in from {
                to.insert(*i, name.clone());
            }
        };
        copy(&n.functions, &mut self.funcs);
        copy(&n.globals, &mut self.globals);
        copy(&n.tables, &mut self.tables);
        copy(&n.tags, &mut self.tags);
        copy(&n.elements, &mut self.elems);
        copy(&n.data, &mut self.datas);
        for (func, locals) in &n.locals {
            for (local, name) in locals {
                self.locals.insert((*func, *local), name.clone());
            }
        }
    }

    pub fn func(&self, index: u32) -> Option<&str> {
        self.funcs.get(&index).map(String::as_str)
    }

    pub fn global(&self, index: u32) -> Option<&str> {
        self.globals.get(&index).map(String::as_str)
    }

    pub fn table(&self, index: u32) -> Option<&str> {
        self.tables.get(&index).map(String::as_str)
    }
}

/// ` <name>` when there is a non-empty name, else nothing: wabt's usual suffix.
pub fn suffix(name: Option<&str>) -> String {
    match name {
        Some(n) if !n.is_empty() => format!(" <{}>", cstr(n)),
        _ => String::new(),
    }
}

/// A name as C's `printf("%s")` shows it: up to its first NUL.
pub fn cstr(name: &str) -> &str {
    name.split('\0').next().unwrap_or("")
}
