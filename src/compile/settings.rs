//! What each optimisation level of the [`CodegenSettings`] (rt-core's `aot::settings`) means
//! to LLVM: the pass pipeline and the code generator's level.
use super::CodegenSettings;

/// The LLVM side of the settings.
pub(crate) trait Levels {
    /// The new pass manager's pipeline for this level (none at level 0).
    fn pipeline(&self) -> Option<&'static str>;
    /// LLVM's code generator level for this level.
    fn codegen_level(&self) -> inkwell::OptimizationLevel;
    /// Whether the functions are code-generated as `optnone` (level 1): FastISel and the
    /// greedy allocator, without the machine-level optimisations.
    fn quick_codegen(&self) -> bool;
    /// Whether instructions are selected by FastISel (levels 0 and 1), which needs
    /// faulting loads marked volatile (see `memory.rs`).
    fn fast_isel(&self) -> bool;
}

impl Levels for CodegenSettings {
    fn quick_codegen(&self) -> bool {
        self.opt_level == 1
    }

    fn fast_isel(&self) -> bool {
        self.opt_level <= 1
    }

    fn pipeline(&self) -> Option<&'static str> {
        match self.opt_level {
            0 => None,
            1 => Some(LEAN_O1),
            3 => Some("default<O3>"),
            _ => Some(LEAN_O2),
        }
    }

    fn codegen_level(&self) -> inkwell::OptimizationLevel {
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
