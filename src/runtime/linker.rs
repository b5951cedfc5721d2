//! Import resolution: (module name, field name) -> an extern of the store.
use super::{Extern, Instance, Store};
use std::collections::HashMap;

#[derive(Default, Clone)]
pub struct Linker {
    defs: HashMap<(String, String), Extern>,
}

impl Linker {
    pub fn new() -> Linker {
        Linker::default()
    }

    pub fn define(&mut self, module: &str, name: &str, e: Extern) {
        self.defs.insert((module.to_string(), name.to_string()), e);
    }

    /// Make every export of `inst` importable as `module::export_name`.
    pub fn define_instance(&mut self, store: &Store, module: &str, inst: Instance) {
        for (name, e) in store.exports(inst) {
            self.define(module, &name, e);
        }
    }

    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.defs
            .get(&(module.to_string(), name.to_string()))
            .copied()
    }
}
