//! What the bench harnesses share: the run count and medians. Each bench includes this file
//! as `mod common;` (a bench is a crate of its own; a folder keeps cargo from taking
//! this file for a bench).
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
