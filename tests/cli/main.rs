//! End-to-end tests: each runs the built `rt` binary as a user would (a few drive the
//! embedding API in-process too, for what the command line cannot reach: host functions).
//! One module per subcommand; `common` holds the shared helpers.
mod common;
mod compile;
mod completions;
mod debugging;
mod exceptions;
mod expected;
mod explain;
mod float_nans;
mod funcref;
mod fuzz_regressions;
mod gc;
mod helper;
mod hostile;
mod limits;
mod memories;
mod micropython;
mod objdump;
mod objdump_differential;
mod run;
mod signatures;
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
