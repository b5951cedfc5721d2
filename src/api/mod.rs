//! The embedding API, in wasmtime's shape: an [`Engine`] built from a [`Config`] compiles
//! [`Module`]s; a [`Store<T>`] holds instances and the host's state `T`; a [`Linker<T>`]
//! resolves imports, with host functions written as typed closures that get a [`Caller`];
//! [`TypedFunc`] calls wasm with no per-call checks. `rt run` and WASI are built on it.
//!
//! ```no_run
//! use rt::{Caller, Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module
//!     (import "host" "double" (func $double (param i32) (result i32)))
//!     (func (export "run") (param i32) (result i32) (call $double (local.get 0))))"#)?;
//! let mut linker = Linker::new(&engine);
//! linker.func_wrap("host", "double", |mut caller: Caller<'_, u32>, x: i32| {
//!     *caller.data_mut() += 1;
//!     x * 2
//! })?;
//! let mut store = Store::new(&engine, 0u32);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let run = instance.get_typed_func::<i32, i32>(&store, "run")?;
//! assert_eq!(run.call(&mut store, 21)?, 42);
//! assert_eq!(*store.data(), 1);
//! # anyhow::Ok(())
//! ```
mod config;
mod engine;
mod externs;
mod linker;
mod store;
mod typed;

pub use crate::runtime::{FrameInfo, FrameSymbol, ThrownException, Trap, TrapKind, Val, ValRaw};
pub use config::{Config, OptLevel};
pub use engine::{Engine, Module};
pub use externs::{Exn, Extern, Func, Global, Instance, Memory, StoreMut, StoreRef, Table, Tag};
pub use linker::Linker;
pub use store::{AsContext, AsContextMut, Caller, InterruptHandle, Store, StoreParts};
pub use typed::{HostResult, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmTy, WithCaller};
