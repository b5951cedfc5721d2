//! clock_res_get and clock_time_get on the realtime and monotonic clocks. The CPU-time
//! clocks are refused with `EBADF`, as wasmtime does (WASI preview2 has no such clocks).
use super::host_errno;
use super::memory::GuestMemory;
use super::types::{clockid, Errno, WasiResult};
use super::WasiCtx;

fn host_clock(id: u32) -> WasiResult<libc::clockid_t> {
    Ok(match id {
        clockid::REALTIME => libc::CLOCK_REALTIME,
        clockid::MONOTONIC => libc::CLOCK_MONOTONIC,
        clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => return Err(Errno::BADF),
        _ => return Err(Errno::INVAL),
    })
}

fn to_ns(ts: libc::timespec) -> u64 {
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

/// The current time of WASI clock `id` in nanoseconds.
pub fn now_ns(id: u32) -> WasiResult<u64> {
    let clock = host_clock(id)?;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes only the timespec we own.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return Err(host_errno::last_os());
    }
    Ok(to_ns(ts))
}

fn resolution_ns(id: u32) -> WasiResult<u64> {
    let clock = host_clock(id)?;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: as above.
    if unsafe { libc::clock_getres(clock, &mut ts) } != 0 {
        return Err(host_errno::last_os());
    }
    // A resolution of zero would make guests divide by it; the finest real answer is 1 ns.
    Ok(to_ns(ts).max(1))
}

impl WasiCtx {
    pub(super) fn clock_res_get(&mut self, m: &mut GuestMemory, id: u32, out: u32) -> WasiResult {
        m.write_u64(out, resolution_ns(id)?)
    }

    /// `precision` is a hint the host may ignore; the host clocks are already as fine as
    /// they come.
    pub(super) fn clock_time_get(
        &mut self,
        m: &mut GuestMemory,
        id: u32,
        _precision: u64,
        out: u32,
    ) -> WasiResult {
        m.write_u64(out, now_ns(id)?)
    }
}
