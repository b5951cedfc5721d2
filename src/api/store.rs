//! `Store<T>`: the runtime objects of one embedding plus the host's own state `T`, and the
//! context traits that let the same methods take a store or a host function's caller.
use super::Engine;
use crate::runtime::vm::MemoryData;
use std::sync::atomic::Ordering;

/// A store: every instance, memory, table, global and function an embedding creates lives
/// here until the store is dropped, beside the host's state `T` that host functions reach
/// through their [`Caller`]. Handles ([`Func`](super::Func), [`Memory`](super::Memory), ...)
/// carry their store's id: using one with another store is an error.
pub struct Store<T> {
    parts: Box<StoreParts<T>>,
}

/// What a store holds. `repr(C)` with the runtime store first: compiled code and the runtime
/// only see a pointer to that first field, and a host function created by a `Linker<T>` turns
/// it back into the whole (see `Linker::instantiate`).
#[doc(hidden)]
#[repr(C)]
pub struct StoreParts<T> {
    pub(crate) opaque: crate::runtime::Store,
    pub(crate) engine: Engine,
    pub(crate) data: T,
}

impl<T> Store<T> {
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        let mut opaque = crate::runtime::Store::new();
        opaque.resource_limits = engine.config().resource_limits;
        opaque.gc.limit = engine.config().max_gc_heap;
        Store {
            parts: Box::new(StoreParts {
                opaque,
                engine: engine.clone(),
                data,
            }),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.parts.engine
    }

    pub fn data(&self) -> &T {
        &self.parts.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.parts.data
    }

    pub fn into_data(self) -> T {
        self.parts.data
    }

    /// Give the store `fuel` units for its guests to run on (wasmtime's `Store::set_fuel`).
    /// Fails unless the engine was configured with `Config::consume_fuel`.
    pub fn set_fuel(&mut self, fuel: u64) -> anyhow::Result<()> {
        self.fuel_configured()?;
        let cell = &self.parts.opaque.limits.fuel;
        cell.store(fuel.min(i64::MAX as u64) as i64, Ordering::Relaxed);
        Ok(())
    }

    /// The fuel left (wasmtime's `Store::get_fuel`); fails unless fuel is configured.
    pub fn get_fuel(&self) -> anyhow::Result<u64> {
        self.fuel_configured()?;
        Ok(self.parts.opaque.limits.fuel.load(Ordering::Relaxed).max(0) as u64)
    }

    fn fuel_configured(&self) -> anyhow::Result<()> {
        if !self.parts.engine.config().consume_fuel {
            anyhow::bail!("fuel is not configured in this store");
        }
        Ok(())
    }

    /// A handle that interrupts this store's guest from any thread: the running or next
    /// wasm call traps with "interrupt" at its next function entry or loop header, and so does
    /// every later call until the flag is cleared with `InterruptHandle::reset`. Only code
    /// compiled with `Config::interruptible` checks the flag.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            cells: self.parts.opaque.limits.clone(),
            checked: self.parts.engine.config().interruptible,
        }
    }
}

/// Stops a store's guest from another thread (see [`Store::interrupt_handle`]).
#[derive(Clone)]
pub struct InterruptHandle {
    cells: std::sync::Arc<crate::runtime::vm::LimitCells>,
    /// Whether the store's code is compiled interruptible: only then does the stack limit
    /// carry the interrupt too (every prologue checks the limit, interruptible or not).
    checked: bool,
}

impl InterruptHandle {
    pub fn interrupt(&self) {
        use crate::runtime::vm::{INTERRUPTED, STACK_STOP};
        self.cells.interrupt.store(INTERRUPTED, Ordering::SeqCst);
        if self.checked {
            self.cells
                .stack_limit
                .fetch_or(STACK_STOP, Ordering::SeqCst);
        }
    }

    /// Let the store's guests run again.
    pub fn reset(&self) {
        use crate::runtime::vm::STACK_STOP;
        self.cells.interrupt.store(0, Ordering::SeqCst);
        self.cells
            .stack_limit
            .fetch_and(!STACK_STOP, Ordering::SeqCst);
    }
}

/// What a host function sees of its caller: the store's data, the calling instance's exports
/// and memory, and the store itself for calls back into wasm.
pub struct Caller<'a, T> {
    pub(crate) parts: &'a mut StoreParts<T>,
    /// The instance whose import is being called (None when the host called it directly).
    pub(crate) instance: Option<crate::runtime::Instance>,
    /// That instance's memory 0 (null without one).
    pub(crate) memory: *mut MemoryData,
}

impl<T> Caller<'_, T> {
    /// A shorter-lived caller over the same store (to pass on while keeping this one).
    pub fn reborrow(&mut self) -> Caller<'_, T> {
        Caller {
            parts: self.parts,
            instance: self.instance,
            memory: self.memory,
        }
    }

    pub fn data(&self) -> &T {
        &self.parts.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.parts.data
    }

    pub fn engine(&self) -> &Engine {
        &self.parts.engine
    }

    /// An export of the calling instance (`None` when there is no calling instance, i.e. the
    /// host called this function itself, or no such export).
    pub fn get_export(&self, name: &str) -> Option<super::Extern> {
        let instance = self.instance?;
        self.parts.opaque.get_export(instance, name)
    }

    /// The calling instance's memory 0 and the store's data, both mutable at once (what
    /// system interfaces like WASI need: guest buffers and host state in one call).
    pub fn memory_and_data(&mut self) -> (&mut [u8], &mut T) {
        let memory: &mut [u8] = if self.memory.is_null() {
            &mut []
        } else {
            // SAFETY: the memory belongs to this store and outlives the call; the guest is
            // suspended while its host function runs, and `self` is borrowed mutably, so no
            // other reference to the bytes exists.
            unsafe { crate::runtime::memory_bytes(self.memory) }
        };
        (memory, &mut self.parts.data)
    }
}

/// Something that holds a store: a [`Store`] or a host function's [`Caller`] (and `&mut` of
/// either). Every method of a handle takes one.
pub trait AsContext {
    type Data;
    #[doc(hidden)]
    fn parts(&self) -> &StoreParts<Self::Data>;
}

/// A store that can be changed: calls, growth, new objects.
pub trait AsContextMut: AsContext {
    #[doc(hidden)]
    fn parts_mut(&mut self) -> &mut StoreParts<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn parts(&self) -> &StoreParts<T> {
        &self.parts
    }
}

impl<T> AsContextMut for Store<T> {
    fn parts_mut(&mut self) -> &mut StoreParts<T> {
        &mut self.parts
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn parts(&self) -> &StoreParts<T> {
        self.parts
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn parts_mut(&mut self) -> &mut StoreParts<T> {
        self.parts
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn parts(&self) -> &StoreParts<C::Data> {
        (**self).parts()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn parts(&self) -> &StoreParts<C::Data> {
        (**self).parts()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn parts_mut(&mut self) -> &mut StoreParts<C::Data> {
        (**self).parts_mut()
    }
}
