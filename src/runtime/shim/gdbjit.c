/* GDB's JIT interface symbols (see runtime/gdbjit.rs), defined weak. The `rt` executable
 * links no LLVM, so these are the ones there. A process that links LLVM's own definitions
 * (its JIT's GDB listener) gets those instead: the linker prefers a strong definition, so the
 * process still has exactly one descriptor, which is what a debugger reads. */
#include <stdint.h>

struct rt_jit_descriptor {
    uint32_t version;
    uint32_t action_flag;
    void *relevant_entry;
    void *first_entry;
};

__attribute__((weak)) struct rt_jit_descriptor __jit_debug_descriptor = {1, 0, 0, 0};

/* gdb breaks here; it must stay a real, separate call. */
__attribute__((weak, noinline)) void __jit_debug_register_code(void) {
    __asm__ volatile("" ::: "memory");
}
