//! rt: a WebAssembly toolchain whose runtime compiles Wasm ahead of time with LLVM.
//!
//! Every subcommand of the `rt` binary is a thin shell (in [`cli`]) over the modules here:
//! one parsed [`module::Module`] feeds the text tools, `explain`, and the compiler.
// Shared with build.rs, which stamps the build id; the library only tests it.
mod api;
#[cfg(test)]
mod build_id;
pub mod cli;
pub mod compile;
pub mod explain;
pub mod features;
pub mod module;
pub mod objdump;
pub mod output;
pub mod runtime;
pub mod wasi;
pub mod wasm2wat;
pub mod wast;
pub mod wat2wasm;

pub use api::*;
