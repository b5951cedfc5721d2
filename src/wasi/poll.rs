//! poll_oneoff with clock and fd subscriptions. Regular files and in-memory stdio are always
//! ready; host streams and sockets are waited on with ppoll(2), bounded by the earliest clock
//! deadline. At least one event is reported per call, in subscription order.
use super::clocks::now_ns;
use super::config::{OutputSink, StdinSource};
use super::fdtable::Kind;
use super::host_errno;
use super::memory::GuestMemory;
use super::types::{clockid, event, layout, Errno, WasiResult};
use super::{Abi, WasiCtx};
use std::time::{Duration, Instant};

/// One event ready to be written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    hangup: bool,
}

enum Sub {
    Clock {
        userdata: u64,
        deadline: Instant,
    },
    HostFd {
        userdata: u64,
        kind: u8,
        host_fd: i32,
    },
    Ready(Event),
}

/// Decode one subscription at `at` in `abi`'s layout.
fn read_sub(ctx: &WasiCtx, m: &GuestMemory, at: u32, abi: Abi) -> WasiResult<Sub> {
    let userdata = m.read_u64(at)?;
    let tag = m.read_u8(at + 8)?;
    // wasmtime reports one readable or writable byte for every ready fd.
    let ready = |kind: u8| {
        Sub::Ready(Event {
            userdata,
            error: Errno::SUCCESS,
            kind,
            nbytes: 1,
            hangup: false,
        })
    };
    match tag {
        event::CLOCK => {
            // wasi_unstable's clock arm began with a u64 `identifier`.
            let base = if abi == Abi::Unstable {
                at + 24
            } else {
                at + 16
            };
            let id = m.read_u32(base)?;
            let timeout = m.read_u64(base + 8)?;
            let flags = m.read_u16(base + 24)?;
            // Only realtime and monotonic can be waited on: the CPU-time clocks cannot even
            // be read (clock_time_get), and a blocked process uses no CPU time. Any other
            // clock fails the whole call with EINVAL, as in wasmtime, whose CLI alone sleeps
            // a lone relative subscription whatever its clock (tests/cli/wasi_differential.rs).
            let now = match id {
                clockid::REALTIME | clockid::MONOTONIC => now_ns(id)?,
                _ => return Err(Errno::INVAL),
            };
            let wait = if flags & event::SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                timeout.saturating_sub(now)
            } else {
                timeout
            };
            let deadline = Instant::now()
                .checked_add(Duration::from_nanos(wait))
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(86400 * 365 * 100));
            Ok(Sub::Clock { userdata, deadline })
        }
        event::FD_READ | event::FD_WRITE => {
            // An fd that is not open, or cannot be polled this way, fails the whole call
            // with EBADF, as in wasmtime.
            let fd = m.read_u32(at + 16)?;
            let entry = ctx.fds.get(fd)?;
            let reading = tag == event::FD_READ;
            let host = entry.host_fd();
            match &entry.kind {
                // Regular files and in-memory stdio never block.
                Kind::File(_) => Ok(ready(tag)),
                Kind::Stdin(StdinSource::Bytes(_), _) if reading => Ok(ready(tag)),
                Kind::Output(OutputSink::Inherit, host_fd) if !reading => Ok(Sub::HostFd {
                    userdata,
                    kind: tag,
                    host_fd: *host_fd,
                }),
                Kind::Output(..) if !reading => Ok(ready(tag)),
                Kind::Stdin(StdinSource::Inherit, _) if reading => Ok(Sub::HostFd {
                    userdata,
                    kind: tag,
                    host_fd: 0,
                }),
                Kind::Socket(_) | Kind::Listener(_) => Ok(Sub::HostFd {
                    userdata,
                    kind: tag,
                    host_fd: host.ok_or(Errno::BADF)?,
                }),
                _ => Err(Errno::BADF),
            }
        }
        _ => Err(Errno::INVAL),
    }
}

/// Wait on the host fds until one is ready or `timeout` passes; return the ready events.
fn wait_host(subs: &[Sub], timeout: Option<Duration>) -> WasiResult<Vec<(usize, Event)>> {
    let mut pollfds = Vec::new();
    let mut which = Vec::new();
    for (i, s) in subs.iter().enumerate() {
        if let Sub::HostFd { kind, host_fd, .. } = s {
            let events = if *kind == event::FD_READ {
                libc::POLLIN
            } else {
                libc::POLLOUT
            };
            pollfds.push(libc::pollfd {
                fd: *host_fd,
                events,
                revents: 0,
            });
            which.push(i);
        }
    }
    let ts = timeout.map(|d| libc::timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: d.subsec_nanos() as libc::c_long,
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: ppoll reads/writes exactly the pollfds we own and reads the timespec.
    let n = unsafe {
        libc::ppoll(
            pollfds.as_mut_ptr(),
            pollfds.len() as libc::nfds_t,
            ts_ptr,
            std::ptr::null(),
        )
    };
    if n < 0 {
        let err = host_errno::last_os();
        return if err == Errno::INTR {
            Ok(vec![])
        } else {
            Err(err)
        };
    }
    let mut ready = Vec::new();
    for (p, &i) in pollfds.iter().zip(&which) {
        if p.revents == 0 {
            continue;
        }
        let Sub::HostFd { userdata, kind, .. } = subs[i] else {
            continue;
        };
        let error = if p.revents & libc::POLLNVAL != 0 {
            Errno::BADF
        } else {
            Errno::SUCCESS
        };
        let hangup = p.revents & libc::POLLHUP != 0;
        let nbytes = 1; // as wasmtime reports for any ready fd
        ready.push((
            i,
            Event {
                userdata,
                error,
                kind,
                nbytes,
                hangup,
            },
        ));
    }
    Ok(ready)
}

fn write_event(m: &mut GuestMemory, at: u32, e: &Event) -> WasiResult {
    let mut buf = [0u8; layout::EVENT_SIZE as usize];
    buf[0..8].copy_from_slice(&e.userdata.to_le_bytes());
    buf[8..10].copy_from_slice(&e.error.0.to_le_bytes());
    buf[10] = e.kind;
    if e.kind != event::CLOCK {
        buf[16..24].copy_from_slice(&e.nbytes.to_le_bytes());
        let flags = if e.hangup {
            event::FD_READWRITE_HANGUP
        } else {
            0
        };
        buf[24..26].copy_from_slice(&flags.to_le_bytes());
    }
    m.write(at, &buf)
}

impl WasiCtx {
    pub(super) fn poll_oneoff(
        &mut self,
        abi: Abi,
        m: &mut GuestMemory,
        subs_at: u32,
        events_at: u32,
        count: u32,
        nevents_out: u32,
    ) -> WasiResult {
        if count == 0 {
            return Err(Errno::INVAL);
        }
        let size = match abi {
            Abi::Preview1 => layout::SUBSCRIPTION_SIZE,
            Abi::Unstable => layout::SUBSCRIPTION_UNSTABLE_SIZE,
        };
        m.slice(subs_at, count.checked_mul(size).ok_or(Errno::FAULT)?)?;
        m.slice(
            events_at,
            count.checked_mul(layout::EVENT_SIZE).ok_or(Errno::FAULT)?,
        )?;
        let subs = (0..count)
            .map(|i| read_sub(self, m, subs_at + i * size, abi))
            .collect::<WasiResult<Vec<Sub>>>()?;

        let mut ready: Vec<(usize, Event)> = subs
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                if let Sub::Ready(e) = s {
                    Some((i, *e))
                } else {
                    None
                }
            })
            .collect();
        let has_host = subs.iter().any(|s| matches!(s, Sub::HostFd { .. }));
        let earliest = subs
            .iter()
            .filter_map(|s| {
                if let Sub::Clock { deadline, .. } = s {
                    Some(*deadline)
                } else {
                    None
                }
            })
            .min();
        // Host fds are always polled, with no wait when something is ready already, so
        // every ready subscription is reported together.
        loop {
            let timeout = if ready.is_empty() {
                earliest.map(|d| d.saturating_duration_since(Instant::now()))
            } else {
                Some(Duration::ZERO)
            };
            if has_host {
                ready.extend(wait_host(&subs, timeout)?);
            } else if !ready.is_empty() {
                break;
            } else if let Some(t) = timeout {
                std::thread::sleep(t);
            } else {
                return Err(Errno::INVAL); // nothing could ever wake this poll
            }
            let now = Instant::now();
            for (i, s) in subs.iter().enumerate() {
                if let Sub::Clock { userdata, deadline } = s {
                    if *deadline <= now {
                        let (kind, userdata) = (event::CLOCK, *userdata);
                        let e = Event {
                            userdata,
                            error: Errno::SUCCESS,
                            kind,
                            nbytes: 0,
                            hangup: false,
                        };
                        ready.push((i, e));
                    }
                }
            }
            if !ready.is_empty() {
                break;
            }
        }
        ready.sort_by_key(|(i, _)| *i);
        for (n, (_, e)) in ready.iter().enumerate() {
            write_event(m, events_at + n as u32 * layout::EVENT_SIZE, e)?;
        }
        m.write_u32(nevents_out, ready.len() as u32)
    }
}
