//! rt: a WebAssembly toolchain whose runtime compiles Wasm ahead of time with LLVM.
//!
//! This crate is rt-core (the module model, runtime, WASI, text tools, explain, the spec
//! runner, the CLI and the embedding API, all re-exported here) plus the LLVM back end,
//! [`compile`]. Linking this crate links the back end, and the API then compiles in-process;
//! the `rt` executable links rt-core alone and compiles through the `rt-compile` helper
//! (docs/architecture.md, "Two crates, two executables").
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
