//! Ahead-of-time compilation as the rest of rt sees it, without LLVM: the settings that
//! decide the code ([`CodegenSettings`]), why a compile failed ([`CompileError`]), artifacts
//! and the cache ([`artifact`]), the host CPU they are tied to ([`cpu`]), the progress bar,
//! and who compiles.
//!
//! Who compiles: the LLVM back end (`rt::compile`, in the `rt` crate) when it is linked into
//! this process, which is so in every program that uses the `rt` library (the `rt-compile`
//! executable, tests, benches, embedders); otherwise the `rt-compile` helper executable, in a
//! process of its own ([`helper`]). The `rt` executable links only this crate, so LLVM's
//! start-up (its static constructors, its 60 MB of code paged in) is paid only by processes
//! that compile, and an LLVM crash ends the helper, not `rt`.
pub mod artifact;
pub mod cpu;
pub mod helper;
mod progress;
mod settings;

pub use progress::Progress;
pub use settings::{CodegenSettings, ADDR_MAP_KEY};

use crate::module::Module;

/// The name of the pseudo source file whose "lines" are wasm offsets in the address map the
/// compiler emits (the runtime looks for it).
pub const ADDR_MAP_FILE: &str = "<wasm>";

/// Why a module could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// The module is valid but uses part of a feature the translator does not lower yet
    /// (`feature` names it as `features::FEATURES` does in prose, e.g. "SIMD").
    Unsupported {
        feature: &'static str,
        detail: String,
    },
    /// Anything else: a limit, an LLVM failure, an internal error.
    Failed(String),
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::Unsupported { feature, detail } => write!(
                f,
                "unsupported by rt: {feature} ({detail}; the module is valid, but rt does not implement it yet)"
            ),
            CompileError::Failed(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for CompileError {}

impl CompileError {
    /// The same error, located in function `name`.
    pub fn in_function(self, name: &str) -> CompileError {
        match self {
            CompileError::Unsupported { feature, detail } => CompileError::Unsupported {
                feature,
                detail: format!("function {name}: {detail}"),
            },
            CompileError::Failed(message) => {
                CompileError::Failed(format!("function {name}: {message}"))
            }
        }
    }
}

impl From<String> for CompileError {
    fn from(message: String) -> CompileError {
        CompileError::Failed(message)
    }
}

impl From<&str> for CompileError {
    fn from(message: &str) -> CompileError {
        CompileError::Failed(message.to_string())
    }
}

/// What the LLVM back end offers: a (validated) module to ELF objects, one per chunk of its
/// functions, counting the functions done in the progress bar.
pub type CompileFn = fn(&Module, &CodegenSettings, &Progress) -> Result<Vec<Vec<u8>>, CompileError>;

extern "C" {
    /// The address of the `rt` crate's `rt_linked_compiler` static (a [`CompileFn`]), or null
    /// when the `rt` crate is not linked into this process (linked.c: a weak reference).
    fn rt_find_linked_compiler() -> *const u8;
}

/// The LLVM back end, when it is linked into this process.
pub fn linked_compiler() -> Option<CompileFn> {
    // SAFETY: the function only takes the address of a weak symbol. When the `rt` crate is
    // linked, that symbol is its `rt_linked_compiler` static, declared there with the type
    // `CompileFn` (this crate's), immutable and alive for the whole process.
    unsafe {
        rt_find_linked_compiler()
            .cast::<CompileFn>()
            .as_ref()
            .copied()
    }
}

/// Compile `module` with the LLVM back end: in this process when it is linked in, else in the
/// `rt-compile` helper.
pub fn compile_objects(
    module: &Module,
    settings: &CodegenSettings,
    progress: &Progress,
) -> Result<Vec<Vec<u8>>, CompileError> {
    match linked_compiler() {
        Some(compile) => compile(module, settings, progress),
        None => helper::compile_objects(module, settings, progress),
    }
}

#[cfg(test)]
mod tests {
    /// rt-core's tests do not link the `rt` crate, so the weak reference finds nothing and
    /// compiles would go to the helper (the `rt` crate's tests check the other case).
    #[test]
    fn without_the_rt_crate_no_back_end_is_linked() {
        assert!(super::linked_compiler().is_none());
    }
}
