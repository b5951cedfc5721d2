//! End-to-end tests: each runs the built `rt` binary as a user would.
//! One module per subcommand; `common` holds the shared helpers.
mod common;
mod compile;
mod exceptions;
mod expected;
mod explain;
mod float_nans;
mod funcref;
mod memories;
mod micropython;
mod objdump;
mod objdump_differential;
mod run;
mod simd_programs;
mod smoke;
mod spec;
mod tail_calls;
mod traps_sunk_loads;
mod unknown_imports;
mod validate;
mod wasi;
mod wasi_differential;
mod wasi_testsuite;
mod wasm2wat;
mod wasm2wat_differential;
mod wast;
mod wat2wasm;
