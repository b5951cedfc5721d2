//! Entering compiled code. Every host->wasm call makes a [`CallRecord`] in its own stack frame,
//! and everything per-call lives there: the store whose code runs, where a trap unwinds to, the
//! trap's code and backtrace, a host function's failure on its way out, and whether a host
//! function is running. The shim links each record to the previous one (a host function's call
//! back into wasm nests) and keeps one thread-local pointer, to the innermost record, which its
//! fault handler needs; nothing else is per-thread.
//!
//! A trap unwinds (siglongjmp) from compiled code to the `rt_enter` that made the record, over
//! compiled and C frames only. A host function's failure travels through Rust as a value: the
//! host-call helper stores it in the record and returns a status, and the compiled adapter that
//! called the helper raises the trap.
use super::store::Store;
use super::trap::Trap;
use super::vm::abi::limits::BACKTRACE_MAX;
use super::vm::abi::CallHead;
use super::vm::{self, trap_code, Status, ValRaw};
use std::mem::MaybeUninit;
use std::ptr::addr_of_mut;
use std::sync::atomic::{AtomicUsize, Ordering};

extern "C" {
    fn rt_enter(
        call: *mut CallHead,
        tramp: *const u8,
        code: *const u8,
        vmctx: *mut u8,
        slots: *mut ValRaw,
    ) -> i32;
    fn rt_current_call() -> *mut CallHead;
}

/// One host->wasm call (see the module documentation).
#[repr(C)]
pub(crate) struct CallRecord {
    /// What the shim reads and writes. First, so the shim's pointer is the record's.
    head: CallHead,
    /// The store whose code this call runs: host functions called under it act on it.
    store: *mut Store,
    /// A host function's failure, from the host-call helper to [`CallRecord::enter`].
    pending: Option<Trap>,
}

/// What a trapped call left behind.
pub(crate) struct Trapped {
    pub code: i32,
    /// The host function's own trap, when one failed ([`trap_code::HOST`]); boxed, as
    /// errors should be small.
    pub pending: Option<Box<Trap>>,
    /// Return addresses of the wasm frames at the trap, innermost first.
    pub pcs: Vec<usize>,
    /// The uncaught exception's object ([`trap_code::EXCEPTION`]).
    pub exception: *mut u8,
}

impl CallRecord {
    /// Run `code` (through its trampoline `tramp`, with `vmctx` as both callee and caller)
    /// with its arguments in `slots`, leaving its results there.
    ///
    /// # Safety
    /// `tramp`, `code` and `vmctx` must belong to a module loaded into `store`, `slots` must
    /// hold a slot for every parameter and result, and the store must not be used through
    /// anything but the pointer handed to host functions until this returns.
    pub(crate) unsafe fn enter(
        store: *mut Store,
        tramp: *const u8,
        code: *const u8,
        vmctx: *mut u8,
        slots: *mut ValRaw,
    ) -> Result<(), Trapped> {
        let mut call = CallRecord {
            head: CallHead {
                jmp: std::ptr::null_mut(),
                prev: std::ptr::null_mut(),
                frame_top: 0,
                trap_code: 0,
                in_host: 0,
                bt_len: 0,
                // Written by the trap that ends the call, before `bt_len`; never read otherwise.
                bt: MaybeUninit::uninit(),
                exception: std::ptr::null_mut(),
            },
            store,
            pending: None,
        };
        // `max_wasm_stack` counts from the outermost entry: the first call into wasm moves
        // the limit compiled prologues check up to this frame less the allowance (never below
        // the thread's own limit); calls nested inside it (wasm -> host -> wasm) keep it.
        // An interrupt may set or clear its stop bit meanwhile: only the address changes.
        // The cells live as long as the store (behind its `Arc`, never replaced).
        let limits: &std::sync::Arc<vm::LimitCells> = &(*store).limits;
        let cell: &AtomicUsize = &limits.stack_limit;
        let set_limit = |limit: usize| {
            let keep_stop = |old: usize| Some(old & vm::STACK_STOP | limit);
            let _ = cell.fetch_update(Ordering::SeqCst, Ordering::SeqCst, keep_stop);
        };
        let thread_limit = cell.load(Ordering::SeqCst) & !vm::STACK_STOP;
        let outermost = (*store).wasm_entries == 0;
        let moved = match (outermost, (*store).resource_limits.wasm_stack) {
            (true, Some(allowance)) => {
                set_limit(stack_pointer().saturating_sub(allowance).max(thread_limit));
                true
            }
            _ => false,
        };
        (*store).wasm_entries += 1;
        // A pointer to the whole record (not just `head`): the host-call helper reaches
        // `store` and `pending` through the one the shim keeps.
        let rc = rt_enter(addr_of_mut!(call).cast(), tramp, code, vmctx, slots);
        (*store).wasm_entries -= 1;
        if moved {
            set_limit(thread_limit);
        }
        if rc == 0 {
            return Ok(());
        }
        let len = (call.head.bt_len.max(0) as usize).min(BACKTRACE_MAX);
        // SAFETY: the shim wrote `bt_len` entries before unwinding.
        let pcs = std::slice::from_raw_parts(call.head.bt.as_ptr().cast::<usize>(), len);
        Err(Trapped {
            code: rc,
            pending: call.pending.take().map(Box::new),
            pcs: pcs.to_vec(),
            exception: call.head.exception,
        })
    }

    /// The store of the innermost call on this thread (null outside any call): helpers that
    /// need store-wide state (the type registry) reach it here.
    ///
    /// # Safety
    /// Only helpers called by compiled code may use the pointer, and only while they run.
    pub(crate) unsafe fn current_store() -> *mut Store {
        let call = rt_current_call().cast::<CallRecord>();
        match call.is_null() {
            true => std::ptr::null_mut(),
            false => (*call).store,
        }
    }

    /// The innermost call's shim record on this thread (null outside any call): the
    /// collector walks the chain to bound its stack scan.
    pub(crate) unsafe fn current_head() -> *mut CallHead {
        rt_current_call()
    }

    /// The store of the innermost call, for the throw helper: compiled code runs only under
    /// a call, so there is one.
    ///
    /// # Safety
    /// Only helpers called by compiled code may call this.
    pub(crate) unsafe fn running_store() -> *mut Store {
        let store = Self::current_store();
        if store.is_null() {
            // No compiled code runs outside a call: nothing sane is left to do.
            std::process::abort();
        }
        store
    }

    /// Run a host function for the host-call helper, under the innermost call on this thread
    /// (the one whose compiled code is calling it): `f` gets that call's store. While it runs
    /// the fault handler treats faults as the host's; a panic is caught (it must not unwind
    /// into compiled code); a failure is kept in the record for [`CallRecord::enter`] and comes
    /// back as the status the adapter traps with. A failure that is an uncaught exception of
    /// this store (from the host function's own call into wasm) is thrown on instead: its
    /// object goes to `exn_out` and the status is `EXCEPTION`, on which the adapter throws it
    /// in the calling wasm, where a `try_table` may catch it.
    ///
    /// # Safety
    /// Only the host-call helper, called by compiled code, may call this, with `exn_out`
    /// writable.
    pub(crate) unsafe fn run_host(
        f: impl FnOnce(*mut Store) -> Result<(), Trap>,
        exn_out: *mut ValRaw,
    ) -> Status {
        let call = rt_current_call().cast::<CallRecord>();
        if call.is_null() {
            return Status(trap_code::HOST);
        }
        // Volatile: the fault handler reads the flag asynchronously.
        let in_host = addr_of_mut!((*call).head.in_host);
        in_host.write_volatile(1);
        let store = (*call).store;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(store)))
            .unwrap_or_else(|_| Err(Trap::host("host function panicked")));
        in_host.write_volatile(0);
        match out {
            Ok(()) => Status::OK,
            Err(Trap {
                kind: super::TrapKind::Exception(thrown),
                ..
            }) if thrown.exn.1 == (*store).id => {
                exn_out.write(ValRaw::from_u64((*store).exn_ptr(thrown.exn) as u64));
                Status(trap_code::EXCEPTION)
            }
            Err(t) => {
                (*call).pending = Some(t);
                Status(trap_code::HOST)
            }
        }
    }
}

/// This thread's native stack pointer. Not the address of a local: AddressSanitizer
/// (`make asan`) moves address-taken locals to a heap "fake stack" to catch uses after
/// return, so only the register says where the stack really is.
#[inline(always)]
pub(crate) fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads a register; touches no memory.
    unsafe {
        std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    sp
}

/// The innermost call's `frame_top` on this thread (the frame of its `rt_enter`, above every
/// wasm frame of the call), or 0 outside any call. Async-signal-safe: the guest profiler's
/// signal handler bounds its frame-pointer walk with it.
///
/// # Safety
/// Reads the innermost call record, which must be live (it is, while it is the innermost).
pub(crate) unsafe fn current_frame_top() -> usize {
    let call = rt_current_call();
    if call.is_null() {
        0
    } else {
        std::ptr::addr_of!((*call).frame_top).read_volatile()
    }
}

/// Room left below the stack limit for host functions, helpers and the signal handler.
const STACK_RESERVE: usize = 256 * 1024;

/// The stack limit compiled code checks on this thread (its prologues trap below it), after
/// making sure the thread has the alternate stack fault signals are handled on.
pub(crate) fn thread_stack_limit() -> usize {
    ensure_alt_stack();
    // SAFETY: plain pthread queries on the current thread.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return 0;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        // Never trust a stack smaller than the reserve: fall back to "a quarter of it".
        let reserve = STACK_RESERVE.min(size / 4);
        addr as usize + reserve
    }
}

/// Fault signals are handled on an alternate stack; Rust threads usually have one already.
fn ensure_alt_stack() {
    // SAFETY: querying and (once per thread) installing a leaked alternate stack.
    unsafe {
        let mut old: libc::stack_t = std::mem::zeroed();
        libc::sigaltstack(std::ptr::null(), &mut old);
        if old.ss_flags & libc::SS_DISABLE != 0 {
            let size = 64 * 1024;
            let mem = Box::leak(vec![0u8; size].into_boxed_slice());
            let st = libc::stack_t {
                ss_sp: mem.as_mut_ptr() as *mut libc::c_void,
                ss_flags: 0,
                ss_size: size,
            };
            libc::sigaltstack(&st, std::ptr::null_mut());
        }
    }
}
