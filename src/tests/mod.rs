//! Unit tests of rt-core's runtime and embedding API that compile modules, and of what linking
//! the back end gives rt-core. They live in this crate, where the LLVM back end is linked in;
//! rt-core's own tests compile nothing.
mod addrmap;
mod api;
mod calls;
mod exceptions;
mod linked;
