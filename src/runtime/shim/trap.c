/* Trap unwinding for rt's compiled code.
 *
 * Every host->wasm entry goes through rt_enter, which sigsetjmps; a trap (a runtime call from
 * compiled code, or a fault signal raised by a guest access into a guard page) siglongjmps
 * back to the innermost entry. Only compiled wasm frames, LLVM-generated trampolines and this
 * file's frames lie between the two, so no Rust destructor is ever skipped: host functions
 * return a status instead of unwinding themselves.
 *
 * The wasm backtrace is read from the frame-pointer chain (compiled code keeps frame
 * pointers), bounded by the entry's own frame so the walk never leaves the guest's stack. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

typedef void (*rt_tramp_fn)(void *code, void *callee_vmctx, void *caller_vmctx, uint64_t *args,
                            uint64_t *results);

struct rt_entry {
    sigjmp_buf buf;
    struct rt_entry *prev;
    uintptr_t frame_top;
};

#define RT_BACKTRACE_MAX 64
#define RT_TRAP_OOB_MEMORY 5
#define RT_TRAP_DIV_ZERO 2

static __thread struct rt_entry *rt_current;
static __thread int rt_trap_code;
static __thread int rt_in_host;
static __thread uintptr_t rt_bt[RT_BACKTRACE_MAX];
static __thread int rt_bt_len;

static struct sigaction rt_prev_segv, rt_prev_bus, rt_prev_fpe;

static void rt_record_backtrace(uintptr_t pc, uintptr_t fp) {
    int n = 0;
    uintptr_t top = rt_current ? rt_current->frame_top : 0;
    /* Store the faulting pc as if it were a return address, so every entry is "call site + 1". */
    if (pc) rt_bt[n++] = pc + 1;
    while (fp && n < RT_BACKTRACE_MAX && (fp & 7) == 0 && fp < top) {
        uintptr_t next = ((uintptr_t *)fp)[0];
        uintptr_t ret = ((uintptr_t *)fp)[1];
        rt_bt[n++] = ret;
        if (next <= fp) break;
        fp = next;
    }
    rt_bt_len = n;
}

/* Called by compiled code (through the vmctx helper table) and by host-call adapters. */
__attribute__((noreturn, noinline)) void rt_trap(int code) {
    rt_record_backtrace(0, (uintptr_t)__builtin_frame_address(0));
    rt_trap_code = code;
    if (!rt_current) abort();
    siglongjmp(rt_current->buf, 1);
}

__attribute__((noinline)) int rt_enter(rt_tramp_fn tramp, void *code, void *callee_vmctx,
                                       void *caller_vmctx, uint64_t *args, uint64_t *results) {
    struct rt_entry entry;
    int saved_in_host = rt_in_host;
    entry.prev = rt_current;
    entry.frame_top = (uintptr_t)__builtin_frame_address(0);
    if (sigsetjmp(entry.buf, 0) == 0) {
        rt_current = &entry;
        rt_in_host = 0;
        tramp(code, callee_vmctx, caller_vmctx, args, results);
        rt_current = entry.prev;
        rt_in_host = saved_in_host;
        return 0;
    }
    rt_current = entry.prev;
    rt_in_host = saved_in_host;
    return rt_trap_code;
}

/* Host functions run with faults treated as real crashes, not guest traps. */
void rt_host_begin(void) { rt_in_host++; }
void rt_host_end(void) { rt_in_host--; }

int rt_backtrace(uintptr_t *out, int max) {
    int n = rt_bt_len < max ? rt_bt_len : max;
    memcpy(out, rt_bt, (size_t)n * sizeof(uintptr_t));
    return n;
}

static void rt_chain(struct sigaction *prev, int sig, siginfo_t *info, void *uctx) {
    if (prev->sa_flags & SA_SIGINFO) {
        if (prev->sa_sigaction) { prev->sa_sigaction(sig, info, uctx); return; }
    } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
        prev->sa_handler(sig);
        return;
    }
    /* Default action: reinstall it and return, so the fault repeats and kills as usual. */
    signal(sig, SIG_DFL);
}

static void rt_on_fault(int sig, siginfo_t *info, void *uctx) {
    if (rt_current && rt_in_host == 0) {
        ucontext_t *uc = (ucontext_t *)uctx;
        uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
        uintptr_t fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
        rt_record_backtrace(pc, fp);
        rt_trap_code = sig == SIGFPE ? RT_TRAP_DIV_ZERO : RT_TRAP_OOB_MEMORY;
        siglongjmp(rt_current->buf, 1);
    }
    rt_chain(sig == SIGSEGV ? &rt_prev_segv : sig == SIGBUS ? &rt_prev_bus : &rt_prev_fpe, sig,
             info, uctx);
}

void rt_install_signal_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = rt_on_fault;
    /* NODEFER: we leave the handler by siglongjmp without restoring the mask. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &rt_prev_segv);
    sigaction(SIGBUS, &sa, &rt_prev_bus);
    sigaction(SIGFPE, &sa, &rt_prev_fpe);
}
