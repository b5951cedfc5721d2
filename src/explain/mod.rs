//! `rt explain`: the WASI preview1 catalog, the call graph of a module's WASI imports, and
//! the reports (text or JSON) built from them.
pub mod callgraph;
pub mod catalog;
