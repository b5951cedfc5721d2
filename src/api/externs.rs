//! Handles to a store's objects. Each carries its store's id; every method checks it, so an
//! object of one store can never be used through another.
use super::store::{AsContext, AsContextMut};
use super::typed::{TypedFunc, WasmParams, WasmResults};
use crate::runtime::{self, Val, ValRaw};
use anyhow::{anyhow, bail, Result};
use wasmparser::{FuncType, GlobalType, MemoryType, ValType};

/// Refuse a handle whose store is not `store`.
pub(crate) fn same_store(handle: u64, store: u64) -> Result<()> {
    if handle != store {
        bail!(
            "object used with the wrong store: it belongs to store {handle}, this is store {store}"
        );
    }
    Ok(())
}

/// The infallible accessors (wasmtime's shape) panic on a foreign handle instead.
fn assert_same_store(handle: u64, store: u64) {
    if let Err(e) = same_store(handle, store) {
        panic!("{e}");
    }
}

pub use crate::runtime::{Exn, Extern, Func, Global, Instance, Memory, Table, Tag};

impl Extern {
    /// The handle's store id.
    fn store_id(&self) -> u64 {
        match *self {
            Extern::Func(f) => f.1,
            Extern::Memory(m) => m.1,
            Extern::Global(g) => g.1,
            Extern::Table(t) => t.1,
            Extern::Tag(t) => t.1,
        }
    }

    /// Check the handle belongs to `store` before it is used there.
    pub(crate) fn checked_for(self, store: u64) -> Result<Extern> {
        same_store(self.store_id(), store)?;
        Ok(self)
    }

    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }
}

macro_rules! into_extern {
    ($($name:ident),*) => {$(
        impl From<$name> for Extern {
            fn from(x: $name) -> Extern {
                Extern::$name(x)
            }
        }
    )*};
}
into_extern!(Func, Memory, Global, Table, Tag);

impl Func {
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.func_type(*self)
    }

    /// Call with dynamically typed values; `results` must have one slot per result.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let opaque = &mut store.parts_mut().opaque;
        same_store(self.1, opaque.id)?;
        let ty = opaque.func_type(*self);
        if results.len() != ty.results().len() {
            bail!(
                "expected {} result slot(s), got {}",
                ty.results().len(),
                results.len()
            );
        }
        let values = opaque.call(*self, params)?;
        results.copy_from_slice(&values);
        Ok(())
    }

    /// A statically typed view: checked once here, then calls cost no type checks or
    /// allocation.
    pub fn typed<P: WasmParams, R: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<P, R>> {
        let ty = self.ty(store);
        if ty.params() != P::types().as_slice() || ty.results() != R::types().as_slice() {
            bail!(
                "type mismatch: the function is {ty}, asked for [{}] -> [{}]",
                show(&P::types()),
                show(&R::types())
            );
        }
        Ok(TypedFunc::new(*self))
    }

    /// Call with raw slots (args in, results out). The caller guarantees the slots hold
    /// values of the function's parameter types.
    pub(crate) fn call_raw(
        &self,
        mut store: impl AsContextMut,
        slots: &mut [ValRaw],
    ) -> Result<()> {
        let opaque = &mut store.parts_mut().opaque;
        same_store(self.1, opaque.id)?;
        opaque.call_raw(*self, slots)?;
        Ok(())
    }
}

fn show(types: &[wasmparser::ValType]) -> String {
    types
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Instance {
    /// Instantiate `module` with imports given in order (a [`Linker`](super::Linker) finds
    /// them by name instead).
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &super::Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        let parts = store.parts_mut();
        module.check_engine(&parts.engine)?;
        let opaque = &mut parts.opaque;
        let wanted = &module.compiled.module.imports;
        if imports.len() != wanted.len() {
            bail!(
                "the module has {} imports, {} were given",
                wanted.len(),
                imports.len()
            );
        }
        let mut linker = runtime::Linker::new();
        for (import, given) in wanted.iter().zip(imports) {
            linker.define(&import.module, &import.name, given.checked_for(opaque.id)?);
        }
        Ok(opaque.instantiate(&linker, &module.compiled)?)
    }

    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.get_export(*self, name)
    }

    /// Every export, in declaration order.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.exports(*self)
    }

    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// An exported function with its type checked against `P -> R`.
    pub fn get_typed_func<P: WasmParams, R: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<P, R>> {
        let func = self
            .get_func(&store, name)
            .ok_or_else(|| anyhow!("no exported function `{name}`"))?;
        func.typed(&store)
    }
}

impl Memory {
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let opaque = &mut store.parts_mut().opaque;
        Ok(opaque.new_memory(ty)?)
    }

    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.memory_type(*self)
    }

    /// The current size in 64 KiB pages.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.ty(store).initial
    }

    pub fn data<'a, T: 'a>(&self, store: impl Into<StoreRef<'a, T>>) -> &'a [u8] {
        let parts = store.into().0;
        assert_same_store(self.1, parts.opaque.id);
        parts.opaque.memory_bytes(*self)
    }

    pub fn data_mut<'a, T: 'a>(&self, store: impl Into<StoreMut<'a, T>>) -> &'a mut [u8] {
        let parts = store.into().0;
        assert_same_store(self.1, parts.opaque.id);
        parts.opaque.memory_data(*self)
    }

    /// Grow by `delta` pages; returns the previous size in pages.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let opaque = &mut store.parts_mut().opaque;
        same_store(self.1, opaque.id)?;
        opaque
            .grow_memory(*self, delta)
            .ok_or_else(|| anyhow!("failed to grow memory by {delta} pages"))
    }
}

/// A borrowed store, for accessors whose result borrows from it ([`Memory::data`]).
pub struct StoreRef<'a, T>(&'a super::store::StoreParts<T>);
/// A mutably borrowed store, for [`Memory::data_mut`].
pub struct StoreMut<'a, T>(&'a mut super::store::StoreParts<T>);

impl<'a, T> From<&'a super::Store<T>> for StoreRef<'a, T> {
    fn from(s: &'a super::Store<T>) -> Self {
        StoreRef(s.parts())
    }
}

impl<'a, 'b, T> From<&'a super::Caller<'b, T>> for StoreRef<'a, T> {
    fn from(c: &'a super::Caller<'b, T>) -> Self {
        StoreRef(c.parts())
    }
}

impl<'a, T> From<&'a mut super::Store<T>> for StoreMut<'a, T> {
    fn from(s: &'a mut super::Store<T>) -> Self {
        StoreMut(s.parts_mut())
    }
}

impl<'a, 'b, T> From<&'a mut super::Caller<'b, T>> for StoreMut<'a, T> {
    fn from(c: &'a mut super::Caller<'b, T>) -> Self {
        StoreMut(c.parts_mut())
    }
}

impl Tag {
    /// A new tag whose exceptions carry values of `ty`'s parameter types (`ty` has no results).
    pub fn new(mut store: impl AsContextMut, ty: FuncType) -> Result<Tag> {
        if !ty.results().is_empty() {
            bail!("a tag's type has no results");
        }
        Ok(store.parts_mut().opaque.new_tag(ty))
    }

    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.tag_type(*self)
    }
}

impl Exn {
    /// The exception's tag.
    pub fn tag(&self, store: impl AsContext) -> Tag {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.exn_tag(*self)
    }

    /// The values it carries, typed by its tag.
    pub fn payload(&self, store: impl AsContext) -> Vec<Val> {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.exn_payload(*self)
    }
}

impl Global {
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let opaque = &mut store.parts_mut().opaque;
        if !opaque.val_fits(&value, ty.content_type) {
            bail!("global of type {} cannot hold {value:?}", ty.content_type);
        }
        Ok(opaque.new_global(ty, value))
    }

    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.global_type(*self)
    }

    pub fn get(&self, store: impl AsContext) -> Val {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.global_get(*self)
    }

    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let opaque = &mut store.parts_mut().opaque;
        same_store(self.1, opaque.id)?;
        let ty = opaque.global_type(*self);
        if !ty.mutable {
            bail!("global is immutable");
        }
        // The global's own resolved type: a module's global may have a typed reference type.
        if !opaque.fits(&value, opaque.global_canon(*self)) {
            bail!("global of type {} cannot hold {value:?}", ty.content_type);
        }
        opaque.global_set(*self, value);
        Ok(())
    }
}

impl Table {
    pub fn new(
        mut store: impl AsContextMut,
        ty: wasmparser::TableType,
        init: Val,
    ) -> Result<Table> {
        let opaque = &mut store.parts_mut().opaque;
        let elem = ValType::Ref(ty.element_type);
        if !opaque.val_fits(&init, elem) {
            bail!("a table of {elem} cannot hold {init:?}");
        }
        Ok(opaque.new_table(ty, init)?)
    }

    pub fn ty(&self, store: impl AsContext) -> wasmparser::TableType {
        let opaque = &store.parts().opaque;
        assert_same_store(self.1, opaque.id);
        opaque.table_type(*self)
    }

    /// The current number of elements.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.ty(store).initial
    }
}
