//! The `rt-compile` helper: the `rt` command line with the LLVM back end linked in. Calling
//! through the `rt` library crate (not rt-core directly) is what links the back end, and with
//! it the compiler rt-core finds (`rt_core::aot::linked_compiler`).
/// jemalloc in place of glibc's malloc for the whole process: with its unprefixed symbols
/// it also serves LLVM's C++ allocations, which are most of a compile's. glibc's malloc
/// took 15% of a level-1 compile (its free-list consolidation under two compiling threads);
/// jemalloc cut a compile's CPU time by 12-18% (docs/architecture.md, "Compile time").
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    rt::cli::main()
}
