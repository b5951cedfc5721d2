//! `Config`: every setting that changes the code rt generates, and the language it accepts.
use wasmparser::WasmFeatures;

/// How hard LLVM optimises (wasmtime's `-O opt-level=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OptLevel {
    /// No optimisation (`opt-level=0`): fastest compiles.
    None,
    /// LLVM's `default<O2>` (`opt-level=2`, the default).
    #[default]
    Speed,
    /// LLVM's `default<O3>` (`opt-level=3`; wasmtime's `s` is accepted for it too).
    SpeedAndSize,
}

/// Settings of an [`Engine`](super::Engine). Each one that changes generated code is part of
/// the compile cache key and of the artifact header ([`Config::codegen_key`]).
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) opt_level: OptLevel,
    pub(crate) bounds_checks: bool,
    pub(crate) relaxed_simd_deterministic: bool,
    pub(crate) features: WasmFeatures,
    pub(crate) max_memories: usize,
    pub(crate) max_gc_heap: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            opt_level: OptLevel::default(),
            bounds_checks: false,
            relaxed_simd_deterministic: false,
            features: crate::features::wasm3(),
            max_memories: crate::runtime::DEFAULT_MAX_MEMORIES,
            max_gc_heap: crate::runtime::DEFAULT_MAX_GC_HEAP,
        }
    }
}

impl Config {
    /// The defaults: `OptLevel::Speed`, guard pages without explicit bounds checks, and the
    /// Wasm 3.0 language (modules using what rt does not implement yet are refused as
    /// unsupported, naming the feature).
    pub fn new() -> Config {
        Config::default()
    }

    pub fn opt_level(&mut self, level: OptLevel) -> &mut Config {
        self.opt_level = level;
        self
    }

    /// Compile an explicit bounds check into every linear-memory access instead of relying
    /// on guard pages alone (wasmtime's `-O signals-based-traps=n`; a debugging aid).
    pub fn explicit_bounds_checks(&mut self, on: bool) -> &mut Config {
        self.bounds_checks = on;
        self
    }

    /// Give relaxed SIMD operators their deterministic answers, the same on every host
    /// (wasmtime's `relaxed_simd_deterministic`, `-W relaxed-simd-deterministic=y`), instead
    /// of the host's fastest ones.
    pub fn relaxed_simd_deterministic(&mut self, on: bool) -> &mut Config {
        self.relaxed_simd_deterministic = on;
        self
    }

    /// The most linear memories one store may create, imports of host memories included
    /// (wasmtime's `-W max-memories=N`, default 10,000). Each memory reserves address space,
    /// so this bounds what a module with many memories, instantiated many times, can take.
    /// Creating one more fails with "resource limit exceeded". Not part of the code key.
    pub fn max_memories(&mut self, n: usize) -> &mut Config {
        self.max_memories = n;
        self
    }

    /// The most bytes of GC objects (structs and arrays) one store may hold (`-W
    /// max-gc-heap=N`, default 1 GiB). An allocation that does not fit even after a
    /// collection traps with "allocation failed: the GC heap is full". Not part of the code
    /// key.
    pub fn max_gc_heap(&mut self, bytes: usize) -> &mut Config {
        self.max_gc_heap = bytes;
        self
    }

    /// The language modules are validated in.
    pub fn wasm_features(&mut self, features: WasmFeatures) -> &mut Config {
        self.features = features;
        self
    }

    /// Switch one feature by its wasmtime name (`tail-call`, `simd`, ...).
    pub fn wasm_feature(&mut self, name: &str, on: bool) -> anyhow::Result<&mut Config> {
        let feature = crate::features::by_name(name)
            .ok_or_else(|| anyhow::anyhow!("unknown WebAssembly feature `{name}`"))?;
        self.features.set(feature.flags, on);
        Ok(self)
    }

    pub fn features(&self) -> WasmFeatures {
        self.features
    }

    /// What the compiler reads.
    pub(crate) fn codegen(&self) -> crate::compile::CodegenSettings {
        crate::compile::CodegenSettings {
            opt_level: match self.opt_level {
                OptLevel::None => 0,
                OptLevel::Speed => 2,
                OptLevel::SpeedAndSize => 3,
            },
            bounds_checks: self.bounds_checks,
            relaxed_simd_deterministic: self.relaxed_simd_deterministic,
        }
    }

    /// Every setting that changes generated code, as one string (cache key, artifact header).
    /// The language is included: it decides which modules compile at all.
    pub fn codegen_key(&self) -> String {
        format!(
            "{};features={:x}",
            self.codegen().key(),
            self.features.bits()
        )
    }
}
