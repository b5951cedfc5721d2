//! Constants the Rust runtime and the C shim (`shim/trap.c`) share. They are written down only
//! here: build.rs includes this file and writes every constant as a `#define` into the header
//! the shim includes (`rt_abi.h` in `OUT_DIR`), so the two sides cannot disagree.

/// Declares a module of constants together with `C`, their `(C name, value)` pairs: the name
/// is `prefix` followed by the Rust name, so a constant cannot be added to one side only.
macro_rules! shared_with_c {
    ($(#[$doc:meta])* pub mod $module:ident: $ty:ty, $prefix:literal {
        $($(#[$attr:meta])* $name:ident = $value:expr;)*
    }) => {
        $(#[$doc])*
        pub mod $module {
            $($(#[$attr])* pub const $name: $ty = $value;)*
            /// Every constant above as it appears in the generated C header.
            pub const C: &[(&str, i64)] = &[$((concat!($prefix, stringify!($name)), $name as i64)),*];
        }
    };
}

shared_with_c! {
    /// Trap codes: passed to the trap helper by compiled code, returned by helpers that fail,
    /// and chosen by the fault handler for the faults it claims.
    pub mod trap_code: i32, "RT_TRAP_" {
        UNREACHABLE = 1;
        INT_DIV_ZERO = 2;
        INT_OVERFLOW = 3;
        BAD_CONVERSION = 4;
        OOB_MEMORY = 5;
        OOB_TABLE = 6;
        SIG_MISMATCH = 7;
        UNINIT_ELEM = 8;
        UNDEF_ELEM = 9;
        STACK = 10;
        HOST = 11;
    }
}

shared_with_c! {
    /// The kinds of address range registered with the fault handler (see `runtime::faults`).
    pub mod region_kind: i32, "RT_REGION_" {
        /// Code the loader mapped: a fault whose pc lies here was raised by compiled wasm.
        CODE = 1;
        /// A linear memory's whole reservation: a guest access faulting here is out of bounds.
        MEMORY = 2;
    }
}

shared_with_c! {
    /// Sizes of buffers that cross the boundary.
    pub mod limits: usize, "RT_" {
        /// The most frames the shim records for one trap's backtrace.
        BACKTRACE_MAX = 64;
    }
}

/// Every constant shared with C, for build.rs to write into the header.
pub const C_DEFINES: &[&[(&str, i64)]] = &[trap_code::C, region_kind::C, limits::C];
