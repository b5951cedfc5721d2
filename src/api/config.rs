//! `Config`: every setting that changes the code rt generates, and the language it accepts.
use wasmparser::WasmFeatures;

/// How hard LLVM optimises (wasmtime's `-O opt-level=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OptLevel {
    /// No optimisation (`opt-level=0`): fastest compiles.
    None,
    /// The cheapest clean-up of the translation and LLVM's `-O1` code generator
    /// (`opt-level=1`).
    Less,
    /// A lean function pipeline and LLVM's default code generator (`opt-level=2`, the
    /// default; see docs/architecture.md for why not `default<O2>`).
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
    pub(crate) resource_limits: crate::runtime::ResourceLimits,
    pub(crate) consume_fuel: bool,
    pub(crate) interruptible: bool,
    pub(crate) backtrace_details: bool,
    pub(crate) address_map: bool,
    pub(crate) max_gc_heap: usize,
    pub(crate) debug_info: bool,
    /// Draw a progress bar on stderr during long compiles when stderr is a terminal.
    pub(crate) compile_progress: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            opt_level: OptLevel::default(),
            bounds_checks: false,
            relaxed_simd_deterministic: false,
            features: crate::features::wasm3(),
            resource_limits: Default::default(),
            consume_fuel: false,
            interruptible: false,
            backtrace_details: false,
            address_map: false,
            max_gc_heap: crate::runtime::DEFAULT_MAX_GC_HEAP,
            debug_info: false,
            compile_progress: false,
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

    /// Show a progress bar on stderr (functions compiled of the total, time taken) when a
    /// compile takes over a second and stderr is a terminal; nothing otherwise. Off by
    /// default; the CLI turns it on. It does not change the code.
    pub fn compile_progress(&mut self, on: bool) -> &mut Config {
        self.compile_progress = on;
        self
    }

    /// The progress reporter for one compile under this configuration.
    pub(crate) fn progress(&self) -> crate::aot::Progress {
        if self.compile_progress {
            crate::aot::Progress::on_terminal()
        } else {
            crate::aot::Progress::silent()
        }
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
        self.resource_limits.memories = n;
        self
    }

    /// The most tables one store may create (`-W max-tables=N`, default 10,000).
    pub fn max_tables(&mut self, n: usize) -> &mut Config {
        self.resource_limits.tables = n;
        self
    }

    /// The most instances one store may create (`-W max-instances=N`, default 10,000).
    pub fn max_instances(&mut self, n: usize) -> &mut Config {
        self.resource_limits.instances = n;
        self
    }

    /// The largest any memory of a store may be, in bytes (`-W max-memory-size=BYTES`): a
    /// memory declared larger fails instantiation, and a grow past it returns -1. Unlimited
    /// by default (a memory's own maximum and its reservation still apply).
    pub fn max_memory_size(&mut self, bytes: u64) -> &mut Config {
        self.resource_limits.memory_size = Some(bytes);
        self
    }

    /// How much native stack wasm may use below the outermost call into it, in bytes
    /// (`-W max-wasm-stack=BYTES`): deeper, a call traps with "call stack exhausted". By
    /// default the thread's whole stack less 256 KiB kept for host functions (wasmtime's
    /// default is 512 KiB; rt's frames are not cranelift's, so its figure is not copied).
    pub fn max_wasm_stack(&mut self, bytes: usize) -> &mut Config {
        self.resource_limits.wasm_stack = Some(bytes);
        self
    }

    /// Make a `memory.grow` or `table.grow` that fails end the call with an error ("forcing
    /// trap when growing memory to N bytes") instead of returning -1 (wasmtime's
    /// `-W trap-on-grow-failure`).
    pub fn trap_on_grow_failure(&mut self, on: bool) -> &mut Config {
        self.resource_limits.trap_on_grow_failure = on;
        self
    }

    /// The most elements any table of a store may hold (`-W max-table-elements=N`), as
    /// `max_memory_size` for memories.
    pub fn max_table_elements(&mut self, n: u64) -> &mut Config {
        self.resource_limits.table_elements = Some(n);
        self
    }

    /// Make compiled code count what it runs against the store's fuel (`Store::set_fuel`),
    /// one unit per operator as wasmtime counts (`nop`, `drop`, `block`, `loop`, `else`,
    /// `end`, `return` and `unreachable` are free), and trap with "all fuel consumed by
    /// WebAssembly" when it runs out (wasmtime's `consume_fuel`, `-W fuel=N`). Part of the
    /// code key: off, the code carries no fuel accounting at all.
    pub fn consume_fuel(&mut self, on: bool) -> &mut Config {
        self.consume_fuel = on;
        self
    }

    /// Make compiled code check the store's interrupt flag at every function entry and loop
    /// header, so that `Store::interrupt_handle` can stop a running guest from another thread
    /// with an "interrupt" trap (what `-W timeout=...` uses; wasmtime does this with epochs).
    /// Part of the code key: off, the code carries no checks.
    pub fn interruptible(&mut self, on: bool) -> &mut Config {
        self.interruptible = on;
        self
    }

    /// Trap backtraces with each frame's wasm offset and, for modules with DWARF, its source
    /// functions, files and lines (wasmtime's `wasm_backtrace_details`; the CLI turns it on
    /// for `RT_BACKTRACE_DETAILS=1` or `WASMTIME_BACKTRACE_DETAILS=1`). Compiles an address
    /// map into the code (part of the code key); the DWARF is read only when a trap happens.
    pub fn wasm_backtrace_details(&mut self, on: bool) -> &mut Config {
        self.backtrace_details = on;
        self
    }

    /// Compile the address map (native code -> wasm instruction) without detailed trap
    /// backtraces (wasmtime's `generate_address_map`): what the guest profiler needs to tell
    /// functions LLVM inlined apart. Part of the code key.
    pub fn generate_address_map(&mut self, on: bool) -> &mut Config {
        self.address_map = on;
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

    /// Give the generated code debug information made from the module's DWARF and register
    /// it with GDB's JIT interface, so that `gdb` can break in, step through and print the
    /// locals of guest functions (wasmtime's `debug_info`). Part of the code key.
    pub fn debug_info(&mut self, on: bool) -> &mut Config {
        self.debug_info = on;
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
    pub(crate) fn codegen(&self) -> crate::aot::CodegenSettings {
        crate::aot::CodegenSettings {
            opt_level: match self.opt_level {
                OptLevel::None => 0,
                OptLevel::Less => 1,
                OptLevel::Speed => 2,
                OptLevel::SpeedAndSize => 3,
            },
            bounds_checks: self.bounds_checks,
            relaxed_simd_deterministic: self.relaxed_simd_deterministic,
            consume_fuel: self.consume_fuel,
            interruptible: self.interruptible,
            addr_map: self.backtrace_details || self.address_map,
            debug_info: self.debug_info,
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
