//! Unit tests of rt-core's runtime and embedding API that compile modules. They live in this
//! crate, where the LLVM back end is linked in; rt-core's own tests compile nothing.
mod addrmap;
mod api;
mod calls;
mod exceptions;
