//! The code-generation settings the compiler reads: filled in from the embedding API's
//! `Config` (or the CLI's flags), never from the environment inside the compiler.

/// What changes the machine code generated for a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodegenSettings {
    /// 0 (no IR passes, LLVM's fast instruction selector and register allocator), 1 and 2
    /// (lean function pipelines, see [`LEAN_O1`] and [`LEAN_O2`]; level 1 with the fast
    /// instruction selector and no machine-level optimisation) or 3 (`default<O3>`).
    pub opt_level: u8,
    /// An explicit bounds check on every linear-memory access (guard pages stay either way).
    pub bounds_checks: bool,
    /// Relaxed SIMD operators give their deterministic answers (wasmtime's
    /// `-W relaxed-simd-deterministic=y`) instead of the host's fastest ones.
    pub relaxed_simd_deterministic: bool,
    /// Count operators against the store's fuel and trap when it runs out (`-W fuel=N`).
    pub consume_fuel: bool,
    /// Check the store's interrupt flag at function entries and loop headers (`-W timeout`).
    pub interruptible: bool,
    /// Record which wasm instruction each piece of code came from (see `addrmap`), for trap
    /// backtraces with wasm offsets and source lines.
    pub addr_map: bool,
    /// Turn the module's DWARF into debug information for the generated code (see
    /// `debuginfo`), for a native debugger (`-D debug-info=y`).
    pub debug_info: bool,
}

impl Default for CodegenSettings {
    fn default() -> CodegenSettings {
        CodegenSettings {
            opt_level: 2,
            bounds_checks: false,
            relaxed_simd_deterministic: false,
            consume_fuel: false,
            interruptible: false,
            addr_map: false,
            debug_info: false,
        }
    }
}

impl CodegenSettings {
    /// The settings as one string, for cache keys and artifact headers. (The switches added
    /// later appear only when on, so older keys stay valid; the address map's is
    /// [`ADDR_MAP_KEY`], which artifact checks ignore.)
    pub fn key(&self) -> String {
        let mut key = format!(
            "opt-level={};bounds-checks={}",
            self.opt_level,
            u8::from(self.bounds_checks)
        );
        for (on, name) in [
            (
                self.relaxed_simd_deterministic,
                "relaxed-simd-deterministic",
            ),
            (self.consume_fuel, "consume-fuel"),
            (self.interruptible, "interruptible"),
            // It changes the code too: the frame-base slot debuggers read locals through.
            (self.debug_info, "debug-info"),
        ] {
            if on {
                key += &format!(";{name}=1");
            }
        }
        if self.addr_map {
            key += ADDR_MAP_KEY;
        }
        key
    }

    /// The new pass manager's pipeline for this level (none at level 0).
    pub(crate) fn pipeline(&self) -> Option<&'static str> {
        match self.opt_level {
            0 => None,
            1 => Some(LEAN_O1),
            3 => Some("default<O3>"),
            _ => Some(LEAN_O2),
        }
    }

    /// Whether the functions are code-generated as `optnone` (level 1): FastISel and the
    /// greedy allocator, without the machine-level optimisations.
    pub(crate) fn quick_codegen(&self) -> bool {
        self.opt_level == 1
    }

    /// Whether instructions are selected by FastISel (levels 0 and 1), which needs
    /// faulting loads marked volatile (see `memory.rs`).
    pub(crate) fn fast_isel(&self) -> bool {
        self.opt_level <= 1
    }

    /// LLVM's code generator level for this level.
    pub(crate) fn codegen_level(&self) -> inkwell::OptimizationLevel {
        use inkwell::OptimizationLevel as L;
        match self.opt_level {
            // With debug info, level 0 keeps the default code generator: FastISel's line
            // table makes gdb's `next` stop twice on a loop header (tests/cli/debugging.rs),
            // and a debugging session compiles once.
            0 if self.debug_info => L::Default,
            0 => L::None,
            1 => L::Less,
            3 => L::Aggressive,
            _ => L::Default,
        }
    }
}

/// Level 1's pipeline: promote the translator's local slots to SSA values, fold the
/// translation's redundancy (repeated vmctx and memory-base loads, zext/trunc pairs), tidy
/// the control flow. Function passes only: the module's producer already inlined, unrolled
/// and vectorised what it wanted, so the interprocedural half of `default<O2>` (inliner,
/// IPSCCP, function attributes, globalopt) spends most of its time rediscovering that.
const LEAN_O1: &str =
    "function(sroa<modify-cfg>,early-cse,simplifycfg,instcombine<no-verify-fixpoint>)";

/// Level 2's (the default's): level 1 plus hoisting loop-invariant loads (memory base,
/// globals, table bases) out of loops, global value numbering and dead-store elimination,
/// then a second clean-up round for what they expose.
const LEAN_O2: &str = "function(sroa<modify-cfg>,early-cse<memssa>,simplifycfg,\
     instcombine<no-verify-fixpoint>,loop-mssa(licm),gvn,instcombine<no-verify-fixpoint>,\
     simplifycfg,dse)";

/// How the address map shows in a settings key. It adds debug sections but does not change
/// what the code does, so an artifact's key is compared without it (`artifact::read`).
pub const ADDR_MAP_KEY: &str = ";addr-map=1";

#[cfg(test)]
mod tests {
    use super::CodegenSettings;

    /// Debug info changes the code (the frame-base slot, functions kept out of line), so a
    /// cached or precompiled module without it must not be reused when it is asked for.
    #[test]
    fn debug_info_is_part_of_the_key() {
        let off = CodegenSettings::default();
        let on = CodegenSettings {
            debug_info: true,
            ..off
        };
        assert_ne!(off.key(), on.key());
        assert!(on.key().contains(";debug-info=1"), "{}", on.key());
        assert!(!off.key().contains("debug-info"), "{}", off.key());
    }
}
