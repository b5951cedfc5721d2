/* Is the LLVM back end linked into this process? The `rt` crate (src/lib.rs) defines
 * `rt_linked_compiler`, a #[no_mangle] static, and rustc links every such symbol of a crate it
 * links at all. The `rt` executable links only rt-core, so there the weak reference below stays
 * unresolved, its address null, and rt compiles through the rt-compile helper (src/aot/).
 * Rust has no stable weak linkage, hence these three lines of C. */
extern const char rt_linked_compiler __attribute__((weak));

const void *rt_find_linked_compiler(void) { return &rt_linked_compiler; }
