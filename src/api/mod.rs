//! The embedding API, in wasmtime's shape: an [`Engine`] built from a [`Config`] compiles
//! [`Module`]s; a [`Store<T>`] holds instances and the host's state `T`; a [`Linker<T>`]
//! resolves imports, with host functions written as typed closures that get a [`Caller`];
//! [`TypedFunc`] calls wasm with no per-call checks. `rt run` and WASI are built on it.
//!
//! The example is in the `rt` crate's documentation (src/lib.rs): a doc test here would be
//! rt-core's, which has no `rt` crate to name.
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
