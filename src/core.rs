//! rt-core: everything of rt but its LLVM back end (module model, runtime, WASI, text tools,
//! explain, the spec runner, the CLI). The `rt` executable is built from this crate alone, so
//! no process that does not compile pays LLVM's start-up; it compiles through the `rt-compile`
//! helper (see [`aot`]). The `rt` library crate (src/lib.rs) re-exports all of it and adds the
//! compiler, which then compiles in-process.
//!
//! Every subcommand of the `rt` binary is a thin shell (in [`cli`]) over the modules here:
//! one parsed [`module::Module`] feeds the text tools, `explain`, and the compiler.
pub mod aot;
mod api;
// Shared with build.rs, which stamps the build id; the library only tests it.
#[cfg(test)]
mod build_id;
pub mod cli;
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
