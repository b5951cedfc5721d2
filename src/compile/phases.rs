//! `RT_COMPILE_TIMES=1`: where a compile's time goes, per chunk and in total, as CPU time of
//! the thread that compiled the chunk. On a loaded machine wall time measures the
//! neighbours too (it was 2-5x the CPU time while other builds ran), CPU time much less.
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The phases of a chunk's compile.
pub(crate) const PHASES: [&str; 4] = ["translate", "verify", "optimise", "codegen"];

/// CPU nanoseconds per phase, summed over the chunks of the compiles of this process.
static TOTALS: [AtomicU64; PHASES.len()] = [const { AtomicU64::new(0) }; PHASES.len()];

pub(crate) fn enabled() -> bool {
    std::env::var_os("RT_COMPILE_TIMES").is_some()
}

/// The calling thread's CPU time so far.
pub(crate) fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec for the call to fill in.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Print one chunk's phases (`marks`: the thread's CPU time at the start and after each
/// phase) and add them to the totals.
pub(crate) fn chunk(functions: usize, first: u32, level: u8, marks: [Duration; PHASES.len() + 1]) {
    let mut line = format!("chunk of {functions} functions from {first} at level {level}:");
    for (n, name) in PHASES.iter().enumerate() {
        let spent = marks[n + 1].saturating_sub(marks[n]);
        TOTALS[n].fetch_add(spent.as_nanos() as u64, Relaxed);
        line += &format!(" {name} {:.1} ms", spent.as_secs_f64() * 1e3);
    }
    eprintln!("{line}");
}

/// Print the totals of every chunk compiled so far.
pub(crate) fn total() {
    let mut line = "compile CPU time:".to_string();
    let mut all = 0.0;
    for (n, name) in PHASES.iter().enumerate() {
        let s = TOTALS[n].load(Relaxed) as f64 / 1e9;
        all += s;
        line += &format!(" {name} {s:.2} s");
    }
    eprintln!("{line}; all {all:.2} s");
}
