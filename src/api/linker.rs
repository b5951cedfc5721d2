//! `Linker<T>`: imports by name, host functions from typed closures, and instantiation.
use super::store::{AsContext, AsContextMut, Caller, StoreParts};
use super::typed::{HostCall, IntoFunc};
use super::{Engine, Extern, Instance, Module};
use crate::runtime::{self, Trap, Val, ValRaw};
use anyhow::{anyhow, bail, Result};
use std::collections::HashMap;
use std::sync::Arc;
use wasmparser::FuncType;

enum Definition<T> {
    /// An object of a store (checked against the store at instantiation).
    Extern(Extern),
    /// A host function, made into a function of each store it is instantiated in.
    Host { ty: FuncType, call: HostCall<T> },
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::Host { ty, call } => Definition::Host {
                ty: ty.clone(),
                call: call.clone(),
            },
        }
    }
}

/// Names for imports: host functions (defined once, usable in every store of `T`) and objects
/// of a store.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
        }
    }
}

impl<T: 'static> Linker<T> {
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> &mut Self {
        self.defs
            .insert((module.to_string(), name.to_string()), def);
        self
    }

    /// Define `module::name` as an object of `store`.
    pub fn define(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        let item = item.into().checked_for(store.parts().opaque.id)?;
        Ok(self.insert(module, name, Definition::Extern(item)))
    }

    /// Define every export of `instance` under the module name `module`.
    pub fn instance(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        let parts = store.parts();
        super::externs::same_store(instance.1, parts.opaque.id)?;
        for (name, item) in parts.opaque.exports(instance) {
            self.insert(module, &name, Definition::Extern(item));
        }
        Ok(self)
    }

    /// A host function from a typed closure: `|x: i32, y: i64| -> i64`, or with a
    /// `Caller<'_, T>` first to reach the store's data and the caller's exports.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let (ty, call) = func.into_host();
        Ok(self.insert(module, name, Definition::Host { ty, call }))
    }

    /// A host function of a type known only at run time, over dynamically typed values.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let types = ty.clone();
        let call: HostCall<T> = Arc::new(move |caller, slots| {
            let opaque = &caller.parts.opaque;
            let params: Vec<Val> = types
                .params()
                .iter()
                .zip(&*slots)
                .map(|(t, raw)| opaque.decode(*t, *raw))
                .collect();
            let mut results: Vec<Val> = types
                .results()
                .iter()
                .map(|t| Val::default_for(*t))
                .collect();
            let mut caller = caller;
            func(caller.reborrow(), &params, &mut results)?;
            let opaque = &caller.parts.opaque;
            for ((slot, t), v) in slots.iter_mut().zip(types.results()).zip(&results) {
                if !opaque.val_fits(v, *t) {
                    return Err(Trap::host(format!(
                        "host function returned {v:?} for a result of type {t}"
                    )));
                }
                *slot = opaque.encode(*v);
            }
            Ok(())
        });
        Ok(self.insert(module, name, Definition::Host { ty, call }))
    }

    /// A host function over raw slots: arguments in `slots` on entry (one per parameter, as
    /// many slots as the larger of the parameter and result counts), results there on return.
    /// The fastest way in and out of wasm, for hosts that handle numbers only (WASI).
    ///
    /// # Safety
    /// The function must leave a valid value of each result type in the slots: a reference
    /// result made up of arbitrary bits would be called or dereferenced by compiled code.
    pub unsafe fn func_new_unchecked(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &mut [ValRaw]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let call: HostCall<T> = Arc::new(func);
        Ok(self.insert(module, name, Definition::Host { ty, call }))
    }

    /// Define every function `module` imports that this linker lacks as one that fails when
    /// called, with the error instantiation would have given (wasmtime's
    /// `define_unknown_imports_as_traps`, `-W unknown-imports-trap=y`): a program can then run
    /// as long as it never calls what its host does not provide.
    pub fn define_unknown_imports_as_traps(&mut self, module: &Module) -> Result<()> {
        for (m, n, ty) in self.unknown_function_imports(module) {
            let message = format!("unknown import: `{m}::{n}` has not been defined");
            self.func_new(&m, &n, ty, move |_, _, _| Err(Trap::host(message.clone())))?;
        }
        Ok(())
    }

    /// Define every function `module` imports that this linker lacks as one that returns the
    /// zero of each result type (null for references), as wasmtime's
    /// `define_unknown_imports_as_default_values` (`-W unknown-imports-default=y`).
    pub fn define_unknown_imports_as_default_values(&mut self, module: &Module) -> Result<()> {
        for (m, n, ty) in self.unknown_function_imports(module) {
            // `func_new` starts the results at their zero values: leave them.
            self.func_new(&m, &n, ty, |_, _, _| Ok(()))?;
        }
        Ok(())
    }

    /// The function imports of `module` this linker has no definition for, with their types.
    fn unknown_function_imports(&self, module: &Module) -> Vec<(String, String, FuncType)> {
        let wasm = &module.compiled.module;
        wasm.imports
            .iter()
            .filter(|i| !self.defs.contains_key(&(i.module.clone(), i.name.clone())))
            .filter_map(|i| match i.kind {
                crate::module::ImportKind::Func(t) => Some((
                    i.module.clone(),
                    i.name.clone(),
                    wasm.types[t as usize].clone(),
                )),
                _ => None,
            })
            .collect()
    }

    /// What `module::name` is defined as, in `store` (host functions are made into functions
    /// of that store).
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let def = self.defs.get(&(module.to_string(), name.to_string()))?;
        Some(materialize(store.parts_mut(), def))
    }

    /// Instantiate `module`, resolving each import by name.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let parts = store.parts_mut();
        module.check_engine(&parts.engine)?;
        let mut resolved = runtime::Linker::new();
        for import in &module.compiled.module.imports {
            let key = (import.module.clone(), import.name.clone());
            let Some(def) = self.defs.get(&key) else {
                bail!(runtime::Error::Link(format!(
                    "unknown import: `{}::{}` has not been defined",
                    import.module, import.name
                )));
            };
            if let Definition::Extern(e) = def {
                e.checked_for(parts.opaque.id)?;
            }
            let item = materialize(parts, def);
            resolved.define(&import.module, &import.name, item);
        }
        parts
            .opaque
            .instantiate(&resolved, &module.compiled)
            .map_err(|e| anyhow!(e))
    }
}

/// A definition as an object of this store.
fn materialize<T: 'static>(parts: &mut StoreParts<T>, def: &Definition<T>) -> Extern {
    match def {
        Definition::Extern(e) => *e,
        Definition::Host { ty, call } => {
            let call = call.clone();
            let erased: runtime::EmbeddedHostFn = Arc::new(move |store, ctx, slots| {
                // SAFETY: `store` is the `opaque` field of a `StoreParts<T>` (repr(C), first
                // field): this function was created for a store of a `Linker<T>` and is only
                // ever called by that store. The store is not otherwise borrowed while its
                // host function runs (see `runtime::helpers::host_call`).
                let parts = unsafe { &mut *(store as *mut StoreParts<T>) };
                let caller = Caller {
                    parts,
                    instance: ctx.caller,
                    memory: ctx.memory,
                };
                call(caller, slots)
            });
            Extern::Func(parts.opaque.host_func(ty.clone(), erased))
        }
    }
}
