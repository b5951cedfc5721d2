//! The progress of one compile, for a bar on stderr: functions done of the total, and the
//! time taken. A bar is drawn only when the embedder asked for it (the CLI does when stderr
//! is a terminal) and only once the compile has taken a second, so quick compiles and
//! output to files or pipes stay as they were.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a compile runs before its bar appears.
const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    /// Whether a bar may be drawn at all.
    enabled: bool,
    delay: Duration,
    start: Instant,
    done: AtomicUsize,
    total: AtomicUsize,
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress {
    /// No bar, ever (the API's default, tests, output that is not a terminal).
    pub fn silent() -> Progress {
        Progress::new(false, DELAY)
    }

    /// A bar on stderr if stderr is a terminal.
    pub fn on_terminal() -> Progress {
        use std::io::IsTerminal;
        Progress::new(std::io::stderr().is_terminal(), DELAY)
    }

    fn new(enabled: bool, delay: Duration) -> Progress {
        Progress {
            enabled,
            delay,
            start: Instant::now(),
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
            bar: Mutex::new(None),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The compile of `total` functions starts.
    pub fn begin(&self, total: usize) {
        self.total.store(total, Relaxed);
        self.done.store(0, Relaxed);
    }

    /// `n` more functions are compiled.
    pub fn add(&self, n: usize) {
        self.done.fetch_add(n, Relaxed);
        self.tick();
    }

    /// Draw (or create, once the delay has passed) the bar with the current count.
    pub fn tick(&self) {
        if !self.enabled || self.start.elapsed() < self.delay {
            return;
        }
        let mut bar = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        let bar = bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(
                Some(self.total.load(Relaxed) as u64),
                ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = ProgressStyle::with_template(
                "compiling [{elapsed_precise}] {wide_bar} {pos}/{len} functions",
            ) {
                bar.set_style(style);
            }
            // Elapsed time counts from the compile's start, not from the bar's.
            bar.with_elapsed(self.start.elapsed())
        });
        bar.set_position(self.done.load(Relaxed) as u64);
    }

    /// The compile is over: clear the bar so the terminal shows what it did before.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
        }
    }

    /// Whether a bar was ever created (for tests).
    #[cfg(test)]
    fn drawn(&self) -> bool {
        self.bar.lock().unwrap().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disabled progress (stderr not a terminal) never creates a bar, however long the
    /// compile takes.
    #[test]
    fn disabled_progress_never_draws() {
        let p = Progress::new(false, Duration::ZERO);
        p.begin(10);
        p.add(5);
        p.tick();
        assert!(!p.drawn());
        p.finish();
    }

    /// An enabled one does once its delay has passed, and clears it at the end.
    #[test]
    fn enabled_progress_draws_after_its_delay() {
        let p = Progress::new(true, Duration::ZERO);
        p.begin(10);
        p.add(5);
        assert!(p.drawn());
        p.finish();
        assert!(!p.drawn());
    }
}
