//! proc_exit, proc_raise and sched_yield.
use super::types::{Errno, WasiResult};
use super::{Outcome, WasiCtx};

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

    /// wasmtime cannot raise signals and answers `ENOTSUP` for every valid signal number
    /// (an invalid one is a trap, checked by dispatch); rt does the same.
    pub(super) fn proc_raise(&mut self, _signal: u32) -> Outcome {
        Outcome::Return(Errno::NOTSUP.0 as i32)
    }

    pub(super) fn sched_yield(&mut self) -> WasiResult {
        std::thread::yield_now();
        Ok(())
    }
}
