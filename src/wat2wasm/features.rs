//! wabt 1.0.32's feature switches, their defaults, and the wasmparser features that validate
//! the same language.
use wasmparser::WasmFeatures;

/// One wabt feature: its flag name (`--enable-NAME` / `--disable-NAME`), help text, default.
pub struct Feature {
    pub name: &'static str,
    pub enable_flag: &'static str,
    pub disable_flag: &'static str,
    pub help: &'static str,
    pub default: bool,
    validates: WasmFeatures,
}

macro_rules! features {
    ($($name:literal, $help:literal, $default:literal, $validates:expr;)*) => {
        /// wabt's list, in its `--help` order.
        pub const FEATURES: &[Feature] = &[$(Feature {
            name: $name,
            enable_flag: concat!("enable-", $name),
            disable_flag: concat!("disable-", $name),
            help: $help,
            default: $default,
            validates: $validates,
        }),*];
    };
}

features! {
    "exceptions", "Experimental exception handling", false,
        WasmFeatures::EXCEPTIONS.union(WasmFeatures::LEGACY_EXCEPTIONS);
    "mutable-globals", "Import/export mutable globals", true, WasmFeatures::MUTABLE_GLOBAL;
    "saturating-float-to-int", "Saturating float-to-int operators", true,
        WasmFeatures::SATURATING_FLOAT_TO_INT;
    "sign-extension", "Sign-extension operators", true, WasmFeatures::SIGN_EXTENSION;
    "simd", "SIMD support", true, WasmFeatures::SIMD;
    "threads", "Threading support", false, WasmFeatures::THREADS;
    "function-references", "Typed function references", false,
        WasmFeatures::FUNCTION_REFERENCES;
    "multi-value", "Multi-value", true, WasmFeatures::MULTI_VALUE;
    "tail-call", "Tail-call support", false, WasmFeatures::TAIL_CALL;
    "bulk-memory", "Bulk-memory operations", true, WasmFeatures::BULK_MEMORY;
    "reference-types", "Reference types (externref)", true, WasmFeatures::REFERENCE_TYPES;
    "annotations", "Custom annotation syntax", false, WasmFeatures::empty();
    "code-metadata", "Code metadata", false, WasmFeatures::empty();
    // The GC proposal includes typed function references (`call_ref`, `ref.as_non_null`,
    // `br_on_null`): its language validates them too.
    "gc", "Garbage collection", false,
        WasmFeatures::GC.union(WasmFeatures::FUNCTION_REFERENCES);
    "memory64", "64-bit memory", false, WasmFeatures::MEMORY64;
    "multi-memory", "Multi-memory", false, WasmFeatures::MULTI_MEMORY;
    "extended-const", "Extended constant expressions", false, WasmFeatures::EXTENDED_CONST;
    "relaxed-simd", "Relaxed SIMD", false, WasmFeatures::RELAXED_SIMD;
}

/// The set of enabled features.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Features {
    enabled: Vec<bool>,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            enabled: FEATURES.iter().map(|f| f.default).collect(),
        }
    }
}

impl Features {
    pub fn all() -> Self {
        Features {
            enabled: vec![true; FEATURES.len()],
        }
    }

    /// Turn feature `name` on or off; false if there is no such feature.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        match FEATURES.iter().position(|f| f.name == name) {
            Some(i) => {
                self.enabled[i] = on;
                true
            }
            None => false,
        }
    }

    pub fn is_enabled(&self, name: &str) -> bool {
        FEATURES
            .iter()
            .position(|f| f.name == name)
            .is_some_and(|i| self.enabled[i])
    }

    /// wabt's dependency rule: reference types need bulk memory, so disabling bulk memory
    /// disables them too.
    pub fn resolve_dependencies(&mut self) {
        if !self.is_enabled("bulk-memory") {
            self.set("reference-types", false);
        }
    }

    /// What wasmparser must accept to validate the same language.
    pub fn wasmparser(&self) -> WasmFeatures {
        FEATURES
            .iter()
            .zip(&self.enabled)
            .filter(|(_, on)| **on)
            .fold(WasmFeatures::MVP, |acc, (f, _)| acc | f.validates)
    }
}

/// Why a use the enabled features do not allow is refused, naming the switches that would
/// allow it.
pub fn not_enabled(found: &crate::features::uses::Use) -> String {
    let switches: Vec<String> = FEATURES
        .iter()
        .filter(|f| f.validates.intersects(found.needs))
        .map(|f| format!("--{}", f.enable_flag))
        .collect();
    if switches.is_empty() {
        format!(
            "{} is not allowed: it belongs to a proposal wabt 1.0.32 has no switch for",
            found.what
        )
    } else {
        format!(
            "{} is not allowed without {}",
            found.what,
            switches.join(" or ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_wabts() {
        let f = Features::default();
        assert!(f.is_enabled("simd") && f.is_enabled("bulk-memory"));
        assert!(!f.is_enabled("threads") && !f.is_enabled("memory64"));
        assert!(f.wasmparser().contains(WasmFeatures::REFERENCE_TYPES));
    }

    #[test]
    fn disabling_bulk_memory_disables_reference_types() {
        let mut f = Features::default();
        f.set("bulk-memory", false);
        f.resolve_dependencies();
        assert!(!f.is_enabled("reference-types"));
    }
}
