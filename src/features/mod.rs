//! Which WebAssembly language rt accepts, and how a module that rt cannot run yet is told
//! apart from one that is not valid WebAssembly at all.
//!
//! Two feature sets meet here. The *language* is what the user asked for (Wasm 2.0, Wasm 3.0,
//! a proposal on top): validation against it decides whether a module is valid. What rt
//! *implements* ([`implemented`]) is a subset of that. A module valid in the language but
//! using something rt lacks is refused as [`Refusal::Unsupported`], naming the features, so
//! that no caller (least of all the spec runner's `assert_invalid`) can mistake it for an
//! invalid module.
pub mod uses;

use crate::module::{Module, ParseError};
use wasmparser::WasmFeatures;

/// A language feature rt can be asked about, by wasmtime's `-W` name.
pub struct Feature {
    /// wasmtime's spelling (`-W tail-call=y`).
    pub name: &'static str,
    /// How messages name it ("unsupported: tail calls").
    pub prose: &'static str,
    pub flags: WasmFeatures,
}

/// Every feature beyond Wasm 2.0's scalar core that a `-W` flag can switch, in the order
/// messages list them.
pub const FEATURES: &[Feature] = &[
    Feature {
        name: "simd",
        prose: "SIMD",
        flags: WasmFeatures::SIMD,
    },
    Feature {
        name: "relaxed-simd",
        prose: "relaxed SIMD",
        flags: WasmFeatures::RELAXED_SIMD,
    },
    Feature {
        name: "tail-call",
        prose: "tail calls",
        flags: WasmFeatures::TAIL_CALL,
    },
    Feature {
        name: "extended-const",
        prose: "extended constant expressions",
        flags: WasmFeatures::EXTENDED_CONST,
    },
    Feature {
        name: "multi-memory",
        prose: "multiple memories",
        flags: WasmFeatures::MULTI_MEMORY,
    },
    Feature {
        name: "memory64",
        prose: "64-bit memories and tables",
        flags: WasmFeatures::MEMORY64,
    },
    Feature {
        name: "function-references",
        prose: "typed function references",
        flags: WasmFeatures::FUNCTION_REFERENCES,
    },
    Feature {
        name: "gc",
        prose: "garbage collection",
        flags: WasmFeatures::GC,
    },
    Feature {
        name: "exceptions",
        prose: "exception handling",
        flags: WasmFeatures::EXCEPTIONS,
    },
    Feature {
        name: "threads",
        prose: "threads",
        flags: WasmFeatures::THREADS,
    },
    Feature {
        name: "wide-arithmetic",
        prose: "wide arithmetic",
        flags: WasmFeatures::WIDE_ARITHMETIC,
    },
    Feature {
        name: "custom-page-sizes",
        prose: "custom page sizes",
        flags: WasmFeatures::CUSTOM_PAGE_SIZES,
    },
    Feature {
        name: "custom-descriptors",
        prose: "custom descriptors",
        flags: WasmFeatures::CUSTOM_DESCRIPTORS,
    },
];

/// Look a feature up by its `-W` name.
pub fn by_name(name: &str) -> Option<&'static Feature> {
    FEATURES.iter().find(|f| f.name == name)
}

/// The Wasm 1.0 language (the base of the threads proposal's scripts).
pub fn wasm1() -> WasmFeatures {
    WasmFeatures::WASM1
}

/// The Wasm 2.0 language.
pub fn wasm2() -> WasmFeatures {
    WasmFeatures::WASM2
}

/// The Wasm 3.0 language as wasmtime 49 enables it by default: the 3.0 standard plus the
/// threads proposal (shared memories and atomics validate; wasmtime turns them on too).
pub fn wasm3() -> WasmFeatures {
    WasmFeatures::WASM3
}

/// What rt compiles and runs today: the Wasm 2.0 language, relaxed SIMD, multiple and 64-bit
/// memories, extended constant expressions, typed function references, tail calls,
/// exception handling and the type system and heap-free instructions of GC (struct and
/// array instructions are refused when the module is compiled: see `compile::gc`). SIMD
/// validates; an operator the translator does not lower yet is refused as unsupported when
/// the module is compiled.
pub fn implemented() -> WasmFeatures {
    WasmFeatures::WASM2
        .union(WasmFeatures::RELAXED_SIMD)
        .union(WasmFeatures::MULTI_MEMORY)
        .union(WasmFeatures::MEMORY64)
        .union(WasmFeatures::EXTENDED_CONST)
        .union(WasmFeatures::FUNCTION_REFERENCES)
        .union(WasmFeatures::TAIL_CALL)
        .union(WasmFeatures::EXCEPTIONS)
        .union(WasmFeatures::GC)
}

/// Why a module using the legacy exception instructions is refused (clang-16's
/// `-fwasm-exceptions` emits them; wasmtime refuses them too).
pub const LEGACY_EXCEPTIONS_NOTE: &str = "this module uses legacy exception handling \
    (try/catch/rethrow/delegate, the pre-standard form clang-16's -fwasm-exceptions emits), \
    which rt does not run; Wasm 3.0 exceptions are try_table/throw/throw_ref, which newer \
    toolchains emit (LLVM 20+: -mllvm -wasm-use-legacy-eh=false)";

/// Why a module was refused.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// Not valid (or not even well-formed) in the language asked for.
    Invalid(ParseError),
    /// Valid in the language asked for, but it needs features rt does not implement.
    Unsupported {
        /// The features whose absence makes validation fail, by their prose names.
        features: Vec<&'static str>,
        /// Where validation against rt's own feature set stopped.
        error: ParseError,
    },
}

impl Refusal {
    /// The byte offset in the binary where validation stopped.
    pub fn offset(&self) -> usize {
        match self {
            Refusal::Invalid(e) => e.offset,
            Refusal::Unsupported { error, .. } => error.offset,
        }
    }

    /// What is wrong, without the offset (callers place it: in the binary or in the text).
    pub fn message(&self) -> String {
        match self {
            Refusal::Invalid(e) => e.message.clone(),
            Refusal::Unsupported { features, .. } => format!(
                "unsupported by rt: {} (the module is valid, but rt does not implement it yet)",
                features.join(", ")
            ),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}: {}", self.offset(), self.message())
    }
}

impl std::error::Error for Refusal {}

/// Validate `bytes` in `language` and check that rt implements what they use.
pub fn check(bytes: &[u8], language: WasmFeatures) -> Result<(), Refusal> {
    let runnable = language.intersection(implemented());
    let Err(narrow) = crate::module::validate(bytes, runnable) else {
        return Ok(());
    };
    if let Err(mut invalid) = crate::module::validate(bytes, language) {
        if !language.contains(WasmFeatures::LEGACY_EXCEPTIONS)
            && crate::module::validate(bytes, language.union(WasmFeatures::LEGACY_EXCEPTIONS))
                .is_ok()
        {
            // Not a feature rt lacks but one no Wasm language has: say what it is.
            invalid.message = format!("{}: {LEGACY_EXCEPTIONS_NOTE}", invalid.message);
        }
        return Err(Refusal::Invalid(invalid));
    }
    // Valid in the language, not in rt's subset of it: a feature the module needs is one
    // whose removal from the language makes it invalid. (Only this slow path pays for the
    // extra validations.)
    let missing = language.difference(runnable);
    let mut features: Vec<&'static str> = FEATURES
        .iter()
        .filter(|f| missing.contains(f.flags))
        .filter(|f| crate::module::validate(bytes, language.difference(f.flags)).is_err())
        .map(|f| f.prose)
        .collect();
    if features.is_empty() {
        // No single feature is essential: either of two would do (a typed reference is
        // valid with function references or with GC). Name the first, in FEATURES order,
        // that suffices on its own; failing that, every missing one.
        features = FEATURES
            .iter()
            .filter(|f| missing.contains(f.flags))
            .find(|f| crate::module::validate(bytes, runnable.union(f.flags)).is_ok())
            .map(|f| vec![f.prose])
            .unwrap_or_else(|| {
                FEATURES
                    .iter()
                    .filter(|f| missing.intersects(f.flags))
                    .map(|f| f.prose)
                    .collect()
            });
    }
    Err(Refusal::Unsupported {
        features,
        error: narrow,
    })
}

/// Parse `bytes` into a [`Module`] after [`check`]ing them in `language`.
pub fn parse_checked(bytes: Vec<u8>, language: WasmFeatures) -> Result<Module, Refusal> {
    check(&bytes, language)?;
    Module::parse(bytes).map_err(Refusal::Invalid)
}
