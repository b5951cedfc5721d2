//! rt: a WebAssembly toolchain whose runtime compiles Wasm ahead of time with LLVM.
//!
//! This crate is rt-core (the module model, runtime, WASI, text tools, explain, the spec
//! runner, the CLI and the embedding API, all re-exported here) plus the LLVM back end,
//! [`compile`]. Linking this crate links the back end, and the API then compiles in-process;
//! the `rt` executable links rt-core alone and compiles through the `rt-compile` helper
//! (docs/architecture.md, "Two crates, two executables").
//!
//! The embedding API (rt-core's `api`), as an embedder uses it:
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
pub mod compile;

pub use rt_core::*;

/// The back end, where rt-core looks for it (`rt_core::aot::linked_compiler`, through a weak
/// reference to this symbol). rustc links every `#[no_mangle]` item of a crate it links, so
/// any program that links this crate has it.
#[no_mangle]
#[used]
pub static rt_linked_compiler: rt_core::aot::CompileFn = compile::compile_objects_with;

#[cfg(test)]
mod tests;
