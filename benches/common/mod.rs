//! What the bench harnesses share: the run count and medians. Each bench includes this file
//! as `mod common;` (a bench is a crate of its own; a folder keeps cargo from taking
//! this file for a bench). Not every bench uses every helper.
#![allow(dead_code)]
use std::time::Duration;

/// `RT_BENCH_RUNS`, default 7, at least `min`.
pub fn bench_runs(min: usize) -> usize {
    std::env::var("RT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
        .max(min)
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The resource usage of this process's finished children so far (`RUSAGE_CHILDREN`): a
/// bench takes it before and after a child to get that child's share.
pub fn children_usage() -> libc::rusage {
    // SAFETY: an all-zero rusage is a valid value for getrusage to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage for the call to fill.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage(RUSAGE_CHILDREN)");
    usage
}

/// The CPU time (user and system) of this process's finished children so far.
pub fn children_cpu() -> Duration {
    let usage = children_usage();
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
