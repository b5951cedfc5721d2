//! End-to-end tests: each runs the built `rt` binary as a user would.
//! One module per subcommand; `common` holds the shared helpers.
mod common;
mod compile;
mod run;
mod smoke;
mod spec;
mod wast;
