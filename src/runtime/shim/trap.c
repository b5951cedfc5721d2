/* Trap unwinding, fault classification and wasm exception raising for rt's compiled code.
 *
 * Every host->wasm entry goes through rt_enter with a per-call record (struct rt_call, declared
 * in rt_abi.h from src/runtime/vm/abi.rs; the Rust runtime's CallRecord starts with it) that
 * the caller made on its stack. rt_enter links it in as the thread's innermost call (rt_current,
 * the one piece of per-thread state, which the fault handler needs) and sigsetjmps; a trap (a
 * runtime call from compiled code, or a fault signal raised by a guest access into a guard page)
 * writes its code and backtrace into that record and siglongjmps back to it. Only compiled wasm
 * frames, LLVM-generated trampolines and this file's frames lie between the two, so no Rust
 * destructor is ever skipped: host functions return a status instead of unwinding themselves.
 *
 * That argument holds only for faults compiled wasm raised, so the handler claims a fault
 * only when its pc lies in compiled wasm (a region the loader registered, or the guest
 * builtins below) and, for SIGSEGV/SIGBUS, its address lies in a linear memory's
 * reservation. Anything else -- a bug in a Rust helper or host function, a wild access from
 * wasm code outside every memory -- goes to the previous handler or the default action: a real
 * crash, never a trap that would siglongjmp over Rust frames.
 *
 * The wasm backtrace is read from the frame-pointer chain (compiled code keeps frame
 * pointers), bounded by the entry's own frame so the walk never leaves the guest's stack.
 *
 * Constants shared with Rust (trap codes, region kinds, the backtrace size) come from rt_abi.h,
 * and the record's layout come from rt_abi.h, which build.rs generates from src/runtime/vm/abi.rs. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unwind.h>

#include "rt_abi.h"

typedef void (*rt_tramp_fn)(void *code, void *callee_vmctx, void *caller_vmctx, uint64_t *args,
                            uint64_t *results);

/* The innermost call on this thread (NULL outside compiled code). */
static __thread struct rt_call *rt_current;

static struct sigaction rt_prev_segv, rt_prev_bus, rt_prev_fpe, rt_prev_ill;

/* ---- The address ranges the handler may claim ----
 *
 * The loader registers each code region it maps, and each linear memory its whole
 * reservation, for exactly as long as they are mapped. The handler reads this registry, so
 * reading takes no lock and allocates nothing: slots live in chunks that are linked in once
 * and never freed, and each slot is a seqlock (an odd sequence number means "being
 * rewritten") so a reader skips a slot in transition instead of pairing one range's start with
 * another's end. Skipping is always right: a region is registered before its code can run or
 * its memory be touched, and unregistered only once neither can happen any more, so no fault
 * a region must explain can race with its own slot being written. Writers (ordinary threads
 * loading code or creating and dropping memories) serialise on a mutex. */

#define RT_REGION_CHUNK 128

struct rt_region {
    atomic_uint seq;
    atomic_int kind; /* 0: free */
    atomic_uintptr_t start, end;
};

struct rt_region_chunk {
    struct rt_region slot[RT_REGION_CHUNK];
    struct rt_region_chunk *_Atomic next;
};

static struct rt_region_chunk rt_regions;
static pthread_mutex_t rt_regions_lock = PTHREAD_MUTEX_INITIALIZER;

/* Called with rt_regions_lock held. */
static void rt_region_write(struct rt_region *r, int kind, uintptr_t start, uintptr_t end) {
    unsigned seq = atomic_load_explicit(&r->seq, memory_order_relaxed);
    atomic_store_explicit(&r->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&r->kind, kind, memory_order_relaxed);
    atomic_store_explicit(&r->start, start, memory_order_relaxed);
    atomic_store_explicit(&r->end, end, memory_order_relaxed);
    atomic_store_explicit(&r->seq, seq + 2, memory_order_release);
}

/* Register [start, end) as a region of `kind`; returns the token that unregisters it, or NULL
 * when no slot could be allocated. */
void *rt_region_register(int kind, uintptr_t start, uintptr_t end) {
    struct rt_region *found = NULL;
    pthread_mutex_lock(&rt_regions_lock);
    for (struct rt_region_chunk *c = &rt_regions; c && !found;) {
        for (int i = 0; i < RT_REGION_CHUNK && !found; i++)
            if (atomic_load_explicit(&c->slot[i].kind, memory_order_relaxed) == 0)
                found = &c->slot[i];
        struct rt_region_chunk *next = atomic_load_explicit(&c->next, memory_order_relaxed);
        if (!found && !next && (next = calloc(1, sizeof *next)))
            /* Release: a reader that reaches the new chunk sees its slots zeroed (free). */
            atomic_store_explicit(&c->next, next, memory_order_release);
        c = next;
    }
    if (found) rt_region_write(found, kind, start, end);
    pthread_mutex_unlock(&rt_regions_lock);
    return found;
}

void rt_region_unregister(void *token) {
    pthread_mutex_lock(&rt_regions_lock);
    rt_region_write(token, 0, 0, 0);
    pthread_mutex_unlock(&rt_regions_lock);
}

/* Whether `addr` lies in a registered region of `kind`. Async-signal-safe: atomic loads only. */
static int rt_region_contains(int kind, uintptr_t addr) {
    for (struct rt_region_chunk *c = &rt_regions; c;
         c = atomic_load_explicit(&c->next, memory_order_acquire)) {
        for (int i = 0; i < RT_REGION_CHUNK; i++) {
            struct rt_region *r = &c->slot[i];
            unsigned seq = atomic_load_explicit(&r->seq, memory_order_acquire);
            if (seq & 1) continue;
            int k = atomic_load_explicit(&r->kind, memory_order_relaxed);
            uintptr_t start = atomic_load_explicit(&r->start, memory_order_relaxed);
            uintptr_t end = atomic_load_explicit(&r->end, memory_order_relaxed);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&r->seq, memory_order_relaxed) != seq) continue;
            if (k == kind && addr >= start && addr < end) return 1;
        }
    }
    return 0;
}

/* ---- memset, memcpy and memmove for compiled code ----
 *
 * LLVM turns some wasm loops into calls to these, and the loader binds those calls here, not
 * to libc: a guest access that faults inside them is a wasm trap like one in compiled code, so
 * their pcs must be known (rt_guest_builtins_start..end), which libc's are not. `rep stosb` and
 * `rep movsb` also store in the order the loop did, one element at a time, and a fault leaves
 * every earlier element stored, exactly the state the wasm loop would have trapped in (libc's
 * may store the tail first). None of them touches the stack, so at every instruction [rsp]
 * is the return address into the compiled caller, where a backtrace starts. x86-64 SysV. */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl rt_guest_builtins_start\n"
        ".hidden rt_guest_builtins_start\n"
        "rt_guest_builtins_start:\n"
        ".globl rt_guest_memset\n"
        ".hidden rt_guest_memset\n"
        ".type rt_guest_memset, @function\n"
        "rt_guest_memset:\n"
        "    mov %rdi, %r8\n"
        "    mov %esi, %eax\n"
        "    mov %rdx, %rcx\n"
        "    rep stosb\n"
        "    mov %r8, %rax\n"
        "    ret\n"
        ".size rt_guest_memset, .-rt_guest_memset\n"
        ".globl rt_guest_memcpy\n"
        ".hidden rt_guest_memcpy\n"
        ".type rt_guest_memcpy, @function\n"
        "rt_guest_memcpy:\n"
        "    mov %rdi, %rax\n"
        "    mov %rdx, %rcx\n"
        "    rep movsb\n"
        "    ret\n"
        ".size rt_guest_memcpy, .-rt_guest_memcpy\n"
        ".globl rt_guest_memmove\n"
        ".hidden rt_guest_memmove\n"
        ".type rt_guest_memmove, @function\n"
        "rt_guest_memmove:\n"
        "    mov %rdi, %rax\n"
        "    mov %rdx, %rcx\n"
        /* dst - src < len (unsigned): dst lies inside the source, so copy from the top down. */
        "    mov %rdi, %r8\n"
        "    sub %rsi, %r8\n"
        "    cmp %rdx, %r8\n"
        "    jb 1f\n"
        "    rep movsb\n"
        "    ret\n"
        "1:  lea -1(%rdi,%rdx), %rdi\n"
        "    lea -1(%rsi,%rdx), %rsi\n"
        "    std\n"
        "    rep movsb\n"
        "    cld\n"
        "    ret\n"
        ".size rt_guest_memmove, .-rt_guest_memmove\n"
        ".globl rt_guest_builtins_end\n"
        ".hidden rt_guest_builtins_end\n"
        "rt_guest_builtins_end:\n");

extern const char rt_guest_builtins_start[], rt_guest_builtins_end[];

static int rt_in_guest_builtins(uintptr_t pc) {
    return pc >= (uintptr_t)rt_guest_builtins_start && pc < (uintptr_t)rt_guest_builtins_end;
}

/* The trap a fault at `pc` touching `addr` stands for, or 0 when it is not wasm's to claim.
 * Exported so a unit test can check the decision without faulting. */
int rt_fault_trap_code(int sig, uintptr_t pc, uintptr_t addr) {
    if (!rt_in_guest_builtins(pc) && !rt_region_contains(RT_REGION_CODE, pc)) return 0;
    switch (sig) {
    case SIGSEGV:
    case SIGBUS:
        /* Compiled code addresses memory only as base + 32-bit index + 32-bit offset, inside
         * the reservation; stack overflow is caught by the prologue check, never a fault. */
        return rt_region_contains(RT_REGION_MEMORY, addr) ? RT_TRAP_OOB_MEMORY : 0;
    /* Generated code never divides unchecked nor executes ud2; these are defence in depth. */
    case SIGFPE:
        return RT_TRAP_INT_DIV_ZERO;
    case SIGILL:
        return RT_TRAP_UNREACHABLE;
    }
    return 0;
}

/* Record the wasm backtrace into `call`, walking frame pointers from `fp` up to the entry. */
static void rt_record_backtrace(struct rt_call *call, uintptr_t pc, uintptr_t fp) {
    int n = 0;
    /* Store the faulting pc as if it were a return address, so every entry is "call site + 1". */
    if (pc) call->bt[n++] = pc + 1;
    while (fp && n < RT_BACKTRACE_MAX && (fp & 7) == 0 && fp < call->frame_top) {
        uintptr_t next = ((uintptr_t *)fp)[0];
        uintptr_t ret = ((uintptr_t *)fp)[1];
        call->bt[n++] = ret;
        if (next <= fp) break;
        fp = next;
    }
    call->bt_len = n;
}

/* End the innermost call with trap `code`: record it and unwind to its rt_enter. */
__attribute__((noreturn)) static void rt_unwind(struct rt_call *call, int code, uintptr_t pc,
                                                uintptr_t fp) {
    rt_record_backtrace(call, pc, fp);
    call->trap_code = code;
    siglongjmp(*call->jmp, 1);
}

/* The trap helper: called by compiled code (through the vmctx helper table), including the
 * host-call adapters when a host function reports failure. */
__attribute__((noreturn, noinline)) void rt_trap(int code) {
    struct rt_call *call = rt_current;
    if (!call) abort();
    rt_unwind(call, code, 0, (uintptr_t)__builtin_frame_address(0));
}

/* ---- Exceptions: raising, and the personality routines of compiled code ----
 *
 * A wasm exception travels as a DWARF exception, with libgcc's two-phase unwinder and the
 * unwind tables the loader registered for compiled code (see docs/architecture.md,
 * "Exceptions"). Every call a `try_table` covers is an LLVM `invoke` whose landing pad
 * catches everything, and every entry trampoline calls wasm through an `invoke` too, so the
 * search always ends inside the running call's own frames: nothing unwinds past the entry
 * trampoline into rt_enter or Rust. The exception object is per thread: a raise ends before
 * its landing pad runs, and the catch code reads the exnref out of it at once. */

#define RT_EXN_CLASS 0x7274007761736d00ull /* "rt\0wasm\0" */

struct rt_raise {
    struct _Unwind_Exception ue;
    /* The exnref being thrown. */
    void *exn;
    /* rt_exn_raise's frame: an uncaught exception's backtrace starts there. */
    uintptr_t fp;
};

static __thread struct rt_raise rt_raising;

/* Throw exception object `exn` (an exnref, never null) from compiled code. Called by the
 * function that throws, so it is the innermost frame of the search; returns only if no frame
 * handles the exception, which the entry trampolines rule out. */
__attribute__((noinline)) void rt_exn_raise(void *exn) {
    struct rt_raise *r = &rt_raising;
    memset(&r->ue, 0, sizeof r->ue);
    r->ue.exception_class = RT_EXN_CLASS;
    r->exn = exn;
    r->fp = (uintptr_t)__builtin_frame_address(0);
    _Unwind_RaiseException(&r->ue);
    /* Unreachable under an entry trampoline; without one, end the call as uncaught. */
    struct rt_call *call = rt_current;
    if (!call) abort();
    call->exception = exn;
    rt_unwind(call, RT_TRAP_EXCEPTION, 0, r->fp);
}

/* The landing pad of an entry trampoline: no handler of the running call caught `exn`, which
 * ends the call with it (its backtrace was recorded by rt_eh_personality_entry). */
__attribute__((noreturn, noinline)) void rt_exn_uncaught(void *exn) {
    struct rt_call *call = rt_current;
    if (!call) abort();
    call->exception = exn;
    call->trap_code = RT_TRAP_EXCEPTION;
    siglongjmp(*call->jmp, 1);
}

/* Read one value of DWARF pointer encoding `enc` (its format bits only: LLVM's call-site
 * tables hold offsets, never applied pointers) and advance `*p`. */
static uintptr_t rt_read_encoded(const uint8_t **p, uint8_t enc) {
    const uint8_t *q = *p;
    uintptr_t v = 0;
    switch (enc & 0x0f) {
    case 0x00: /* absptr */
    case 0x04: /* udata8 */
    case 0x0c: /* sdata8 */
        memcpy(&v, q, 8);
        q += 8;
        break;
    case 0x01: /* uleb128 */
    case 0x09: { /* sleb128 */
        unsigned shift = 0;
        uint8_t byte;
        do {
            byte = *q++;
            if (shift < 64) v |= (uintptr_t)(byte & 0x7f) << shift;
            shift += 7;
        } while (byte & 0x80);
        if ((enc & 0x0f) == 0x09 && shift < 64 && (byte & 0x40)) v |= -((uintptr_t)1 << shift);
        break;
    }
    case 0x02: { /* udata2 */
        uint16_t x;
        memcpy(&x, q, 2);
        v = x;
        q += 2;
        break;
    }
    case 0x0a: { /* sdata2 */
        int16_t x;
        memcpy(&x, q, 2);
        v = (uintptr_t)(intptr_t)x;
        q += 2;
        break;
    }
    case 0x03: { /* udata4 */
        uint32_t x;
        memcpy(&x, q, 4);
        v = x;
        q += 4;
        break;
    }
    case 0x0b: { /* sdata4 */
        int32_t x;
        memcpy(&x, q, 4);
        v = (uintptr_t)(intptr_t)x;
        q += 4;
        break;
    }
    }
    *p = q;
    return v;
}

static uintptr_t rt_read_uleb(const uint8_t **p) { return rt_read_encoded(p, 0x01); }

/* The landing pad covering the call the context's frame is in, or 0. LLVM's LSDA: an
 * lpstart encoding (omitted: landing pads are relative to the function start), a type table
 * encoding and offset (ignored: every landing pad of compiled code catches everything), then
 * the call-site table: start, length, landing pad, action per entry, sorted by start. */
static uintptr_t rt_landing_pad(struct _Unwind_Context *ctx) {
    const uint8_t *p = _Unwind_GetLanguageSpecificData(ctx);
    if (!p) return 0;
    int before = 0;
    uintptr_t ip = _Unwind_GetIPInfo(ctx, &before);
    /* A return address points after its call, which may be the last instruction of a
     * call-site range: look up the call itself. */
    if (!before) ip--;
    uintptr_t func = _Unwind_GetRegionStart(ctx);
    uintptr_t lpstart = func;
    uint8_t lpstart_enc = *p++;
    if (lpstart_enc != 0xff) lpstart = rt_read_encoded(&p, lpstart_enc);
    uint8_t ttype_enc = *p++;
    if (ttype_enc != 0xff) rt_read_uleb(&p);
    uint8_t cs_enc = *p++;
    uintptr_t cs_len = rt_read_uleb(&p);
    const uint8_t *end = p + cs_len;
    while (p < end) {
        uintptr_t start = rt_read_encoded(&p, cs_enc);
        uintptr_t len = rt_read_encoded(&p, cs_enc);
        uintptr_t lp = rt_read_encoded(&p, cs_enc);
        rt_read_uleb(&p); /* action */
        if (ip < func + start) break;
        if (ip < func + start + len) return lp ? lpstart + lp : 0;
    }
    return 0;
}

static _Unwind_Reason_Code rt_personality(int version, _Unwind_Action actions,
                                          uint64_t exception_class,
                                          struct _Unwind_Exception *ue,
                                          struct _Unwind_Context *ctx, int entry) {
    if (version != 1) return _URC_FATAL_PHASE1_ERROR;
    /* Only rt_exn_raise raises; anything else is not wasm's to catch. */
    if (exception_class != RT_EXN_CLASS) return _URC_CONTINUE_UNWIND;
    uintptr_t lp = rt_landing_pad(ctx);
    if (!lp) return _URC_CONTINUE_UNWIND;
    struct rt_raise *r = (struct rt_raise *)ue;
    if (actions & _UA_SEARCH_PHASE) {
        /* The entry catching it means no wasm handler did: record the backtrace now, while
         * the frames between the raise and the entry are still there. */
        if (entry && rt_current) rt_record_backtrace(rt_current, 0, r->fp);
        return _URC_HANDLER_FOUND;
    }
    /* The landing pad gets the exnref itself (the landingpad's first value). */
    _Unwind_SetGR(ctx, __builtin_eh_return_data_regno(0), (uintptr_t)r->exn);
    _Unwind_SetGR(ctx, __builtin_eh_return_data_regno(1), 1);
    _Unwind_SetIP(ctx, lp);
    return _URC_INSTALL_CONTEXT;
}

/* The personality of compiled wasm functions with landing pads. */
_Unwind_Reason_Code rt_eh_personality(int version, _Unwind_Action actions,
                                      uint64_t exception_class, struct _Unwind_Exception *ue,
                                      struct _Unwind_Context *ctx) {
    return rt_personality(version, actions, exception_class, ue, ctx, 0);
}

/* The personality of the entry trampolines, whose landing pad ends the call. */
_Unwind_Reason_Code rt_eh_personality_entry(int version, _Unwind_Action actions,
                                            uint64_t exception_class,
                                            struct _Unwind_Exception *ue,
                                            struct _Unwind_Context *ctx) {
    return rt_personality(version, actions, exception_class, ue, ctx, 1);
}

/* Run tramp(code, vmctx, vmctx, slots, slots) as call `call`, which the caller has initialised
 * (trap_code 0, in_host 0); returns 0, or the code of the trap that ended it. */
__attribute__((noinline)) int rt_enter(struct rt_call *call, rt_tramp_fn tramp, void *code,
                                       void *vmctx, uint64_t *slots) {
    sigjmp_buf buf;
    call->jmp = &buf;
    call->prev = rt_current;
    call->frame_top = (uintptr_t)__builtin_frame_address(0);
    if (sigsetjmp(buf, 0) == 0) {
        rt_current = call;
        tramp(code, vmctx, vmctx, slots, slots);
        rt_current = call->prev;
        return 0;
    }
    rt_current = call->prev;
    return call->trap_code;
}

/* The innermost call on this thread: the host-call helper finds its store and marks the host
 * function running there. */
struct rt_call *rt_current_call(void) { return rt_current; }

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
    ucontext_t *uc = (ucontext_t *)uctx;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    /* While a host function runs under the innermost call, faults are the host's: real
     * crashes. (Its pcs lie outside compiled code anyway; its own calls back into wasm are
     * calls of their own, with in_host clear.) */
    struct rt_call *call = rt_current;
    int code = call && !call->in_host ? rt_fault_trap_code(sig, pc, (uintptr_t)info->si_addr) : 0;
    if (code) {
        uintptr_t fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
        /* In a builtin, start from its compiled caller (the builtins keep [rsp] = return). */
        if (rt_in_guest_builtins(pc)) pc = *(uintptr_t *)uc->uc_mcontext.gregs[REG_RSP] - 1;
        rt_unwind(call, code, pc, fp);
    }
    rt_chain(sig == SIGSEGV  ? &rt_prev_segv
             : sig == SIGBUS ? &rt_prev_bus
             : sig == SIGILL ? &rt_prev_ill
                             : &rt_prev_fpe,
             sig, info, uctx);
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
    sigaction(SIGILL, &sa, &rt_prev_ill);
}
