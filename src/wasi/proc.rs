//! proc_exit, proc_raise and sched_yield.
use super::types::WasiResult;
use super::{Outcome, WasiCtx};

/// Signal names in witx order (`signal` enum), for messages.
const SIGNALS: [&str; 31] = [
    "none", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv",
    "usr2", "pipe", "alrm", "term", "chld", "cont", "stop", "tstp", "ttin", "ttou", "urg", "xcpu",
    "xfsz", "vtalrm", "prof", "winch", "poll", "pwr", "sys",
];

impl WasiCtx {
    /// Exit statuses 0..126 pass through, as in wasmtime; larger ones would collide with the
    /// shell's "killed by signal" codes, so they are a trap instead.
    pub(super) fn proc_exit(&mut self, code: u32) -> Outcome {
        self.flush_output();
        if code < 126 {
            Outcome::Exit(code as i32)
        } else {
            Outcome::Trap(format!(
                "proc_exit({code}): exit status outside of [0, 126)"
            ))
        }
    }

    /// Raising `none` does nothing; any real signal ends the guest with a trap naming it
    /// (there are no signal handlers in WASI to run instead).
    pub(super) fn proc_raise(&mut self, signal: u32) -> Outcome {
        match SIGNALS.get(signal as usize) {
            Some(&"none") => Outcome::Return(0),
            Some(name) => {
                self.flush_output();
                Outcome::Trap(format!("the guest raised signal {}", name.to_uppercase()))
            }
            None => Outcome::Return(super::types::Errno::INVAL.0 as i32),
        }
    }

    pub(super) fn sched_yield(&mut self) -> WasiResult {
        std::thread::yield_now();
        Ok(())
    }
}
