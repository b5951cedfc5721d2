//! The code-generation settings the compiler reads: filled in from the embedding API's
//! `Config` (or the CLI's flags), never from the environment inside the compiler. What each
//! level means to LLVM is the back end's (src/compile/settings.rs).

/// What changes the machine code generated for a module.
// Serialisable: `rt` hands them to the rt-compile helper.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
}

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
