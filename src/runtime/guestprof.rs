//! `--profile=guest`: a sampling profiler of the wasm call stack.
//!
//! A `SIGPROF` interval timer (CPU time of the process) interrupts the guest; the handler,
//! which may only do async-signal-safe work, copies the interrupted pc and the return
//! addresses of the wasm frames above it into a buffer allocated before the timer starts.
//! Compiled code keeps frame pointers, so the wasm stack is a chain from the interrupted
//! frame pointer up to the frame of `rt_enter` (the innermost call record's `frame_top`);
//! the handler follows it only while each link lies between the interrupted stack pointer and
//! that top, so it never reads outside the live stack, whatever the registers held. A sample
//! taken outside compiled code during a wasm call (a host function, a runtime helper) counts
//! as `<host>`; one taken outside any wasm call is dropped.
//!
//! When profiling stops, the samples are symbolised (with the address map, when the code has
//! one, LLVM's inlining is undone, so inlined wasm functions are frames of their own) and
//! written as folded stacks: one line per distinct stack, `outer;...;inner COUNT`, what
//! `flamegraph.pl`, inferno and speedscope read.
use super::addrmap::{self, Symbolizer};
use super::CompiledModule;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::time::Duration;

/// The most frames one sample keeps (the innermost ones).
const DEPTH: usize = 64;
/// The most samples one run keeps (at the default 1 ms, over a minute of CPU time).
const MAX_SAMPLES: usize = 1 << 16;
/// wasmtime's default sampling interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(10);
/// Marks a sample taken in host code during a wasm call.
const HOST: usize = 1;

/// A sample: its length, then up to `DEPTH` pcs (the interrupted pc, then return addresses).
const SLOT: usize = DEPTH + 1;

/// The sample buffer (`MAX_SAMPLES * SLOT` words) and the next free sample.
static BUFFER: AtomicPtr<usize> = AtomicPtr::new(std::ptr::null_mut());
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// The code ranges of the profiled modules (start, end), read by the handler.
static CODE: AtomicPtr<(usize, usize)> = AtomicPtr::new(std::ptr::null_mut());
static CODE_LEN: AtomicUsize = AtomicUsize::new(0);
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Handlers running now (on any thread: the timer signal goes to whichever thread runs).
static IN_HANDLER: AtomicUsize = AtomicUsize::new(0);

fn in_code(pc: usize) -> bool {
    let (ptr, len) = (
        CODE.load(Ordering::Acquire),
        CODE_LEN.load(Ordering::Acquire),
    );
    if ptr.is_null() {
        return false;
    }
    // SAFETY: `start` publishes `len` ranges before the timer runs; they live until the end.
    let ranges = unsafe { std::slice::from_raw_parts(ptr, len) };
    ranges.iter().any(|&(s, e)| pc >= s && pc < e)
}

extern "C" fn on_sigprof(_sig: libc::c_int, _info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    // Counted before the buffer is read, so that `stop` can wait for this sample to finish
    // before it frees what the handler writes.
    IN_HANDLER.fetch_add(1, Ordering::SeqCst);
    sample(uc);
    IN_HANDLER.fetch_sub(1, Ordering::SeqCst);
}

fn sample(uc: *mut libc::c_void) {
    let buffer = BUFFER.load(Ordering::SeqCst);
    if buffer.is_null() || uc.is_null() {
        return;
    }
    // SAFETY: the kernel passes the interrupted context; the call record, when there is one,
    // is live on this thread's stack (it outlives every wasm frame of its call).
    unsafe {
        let top = super::call::current_frame_top();
        if top == 0 {
            return; // not in a wasm call
        }
        let gregs = &(*(uc as *const libc::ucontext_t)).uc_mcontext.gregs;
        let pc = gregs[libc::REG_RIP as usize] as usize;
        let mut fp = gregs[libc::REG_RBP as usize] as usize;
        let sp = gregs[libc::REG_RSP as usize] as usize;
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        if n >= MAX_SAMPLES {
            return;
        }
        let slot = buffer.add(n * SLOT);
        let mut len = 0;
        if !in_code(pc) {
            *slot.add(1) = HOST;
            *slot = 1;
            return;
        }
        *slot.add(1 + len) = pc;
        len += 1;
        // Follow frame pointers within the live stack, up to the entry's frame.
        while len < DEPTH && fp >= sp && fp < top && fp % 8 == 0 {
            let next = *(fp as *const usize);
            let ret = *((fp + 8) as *const usize);
            if in_code(ret) {
                *slot.add(1 + len) = ret;
                len += 1;
            }
            if next <= fp {
                break;
            }
            fp = next;
        }
        *slot = len;
    }
}

/// A running profile; [`Profile::finish`] stops it and writes the result.
pub struct Profile {
    modules: Vec<CompiledModule>,
    old_action: libc::sigaction,
    /// What `BUFFER` and `CODE` point to, from `Box::into_raw`: the handler writes through
    /// the statics while the timer runs, and stopping frees both (a profile leaked its 34 MB
    /// buffer once; LeakSanitizer found it, docs/sanitizers.md).
    buffer: *mut [usize],
    ranges: *mut [(usize, usize)],
}

/// Start sampling the wasm stacks of `modules`' code every `interval` of CPU time. One
/// profile per process at a time.
pub fn start(modules: &[&CompiledModule], interval: Duration) -> std::io::Result<Profile> {
    if ACTIVE.swap(true, Ordering::SeqCst) {
        return Err(std::io::Error::other("a guest profile is already running"));
    }
    let ranges: Box<[(usize, usize)]> = modules
        .iter()
        .map(|m| (m.code.range().start, m.code.range().end))
        .collect();
    let ranges = Box::into_raw(ranges);
    CODE_LEN.store(ranges.len(), Ordering::Release);
    CODE.store(ranges.cast(), Ordering::Release);
    let buffer = Box::into_raw(vec![0usize; MAX_SAMPLES * SLOT].into_boxed_slice());
    NEXT.store(0, Ordering::Release);
    BUFFER.store(buffer.cast(), Ordering::SeqCst);
    // SAFETY: installs a handler that only touches the statics above and the stack, then
    // arms the process's profiling timer.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigprof as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        let mut old_action: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGPROF, &action, &mut old_action) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let usec = interval.as_micros().clamp(1, 1_000_000_000) as libc::suseconds_t;
        let tv = libc::timeval {
            tv_sec: usec / 1_000_000,
            tv_usec: usec % 1_000_000,
        };
        let timer = libc::itimerval {
            it_interval: tv,
            it_value: tv,
        };
        if libc::setitimer(libc::ITIMER_PROF, &timer, std::ptr::null_mut()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Profile {
            modules: modules.iter().map(|m| (*m).clone()).collect(),
            old_action,
            buffer,
            ranges,
        })
    }
}

impl Profile {
    /// Stop sampling and return the folded stacks.
    pub fn stop(self) -> String {
        // SAFETY: disarms the timer and restores the previous handler.
        unsafe {
            let off: libc::itimerval = std::mem::zeroed();
            libc::setitimer(libc::ITIMER_PROF, &off, std::ptr::null_mut());
            libc::sigaction(libc::SIGPROF, &self.old_action, std::ptr::null_mut());
        }
        // A handler already running elsewhere when the timer stopped may still be writing
        // its sample: once `BUFFER` is null no new one starts, so wait for those to end.
        BUFFER.store(std::ptr::null_mut(), Ordering::SeqCst);
        while IN_HANDLER.load(Ordering::SeqCst) != 0 {
            std::hint::spin_loop();
        }
        CODE.store(std::ptr::null_mut(), Ordering::Release);
        CODE_LEN.store(0, Ordering::Release);
        // SAFETY: both from `Box::into_raw` in `start`; no handler uses them any more.
        let (buffer, ranges) = unsafe { (Box::from_raw(self.buffer), Box::from_raw(self.ranges)) };
        drop(ranges);
        let count = NEXT.load(Ordering::Acquire).min(MAX_SAMPLES);
        let folded = self.fold(&buffer[..count * SLOT]);
        ACTIVE.store(false, Ordering::SeqCst);
        folded
    }

    /// Stop sampling and write the folded stacks to `path`.
    pub fn finish(self, path: &Path) -> std::io::Result<()> {
        let folded = self.stop();
        let mut file = std::fs::File::create(path)?;
        file.write_all(folded.as_bytes())
    }

    fn fold(&self, samples: &[usize]) -> String {
        let sections: Vec<addrmap::Sections> = (self.modules.iter())
            .map(|m| addrmap::relocated_sections(&m.objects, &m.code))
            .collect();
        let symbolizers: Vec<Symbolizer> = (self.modules.iter().zip(&sections))
            .map(|(m, s)| Symbolizer::new(m, s))
            .collect();
        let mut names: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut stacks: BTreeMap<String, u64> = BTreeMap::new();
        for sample in samples.chunks_exact(SLOT) {
            let len = sample[0].min(DEPTH);
            let pcs = &sample[1..1 + len];
            if pcs.is_empty() {
                continue;
            }
            let mut frames: Vec<String> = Vec::new();
            if pcs == [HOST] {
                frames.push("<host>".into());
            } else {
                for (i, &pc) in pcs.iter().enumerate() {
                    // Return addresses point past their call; the interrupted pc is exact.
                    let pc = if i == 0 { pc } else { pc.wrapping_sub(1) };
                    let named = names.entry(pc).or_insert_with(|| {
                        name_frames(&self.modules, &symbolizers, pc).unwrap_or_default()
                    });
                    frames.extend(named.iter().cloned());
                }
            }
            frames.reverse();
            *stacks.entry(frames.join(";")).or_default() += 1;
        }
        stacks
            .into_iter()
            .map(|(stack, n)| format!("{stack} {n}\n"))
            .collect()
    }
}

/// The wasm frames at `pc`, innermost first (inlined functions included when the code has an
/// address map).
fn name_frames(
    modules: &[CompiledModule],
    symbolizers: &[Symbolizer],
    pc: usize,
) -> Option<Vec<String>> {
    let (n, m) = (modules.iter().enumerate()).find(|(_, m)| m.code.range().contains(&pc))?;
    let i = m.func_ranges.partition_point(|r| r.0 <= pc);
    let &(_, end, func) = m.func_ranges.get(i.checked_sub(1)?)?;
    if pc >= end {
        return None;
    }
    let frames = symbolizers[n].frames(pc, func);
    Some(
        frames
            .iter()
            .map(|f| {
                // Folded stacks separate frames with `;` and end with a count.
                let name = f
                    .func_name
                    .clone()
                    .unwrap_or(format!("func[{}]", f.func_index));
                name.replace([';', ' '], "_")
            })
            .collect(),
    )
}
