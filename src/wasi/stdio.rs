//! The guest's stdin, stdout and stderr. Output to the host's streams is written straight to
//! fds 1 and 2 with no buffer in between, so nothing is lost when the guest exits or traps,
//! and a closed pipe comes back to the guest as `EPIPE` (Rust ignores SIGPIPE).
use super::config::{OutputSink, StdinSource};
use super::host_errno;
use super::types::WasiResult;
use super::WasiCtx;
use std::io::Write;
use std::os::fd::RawFd;

/// Write all of `data` to `sink`; returns how much was written.
pub fn write_output(sink: &OutputSink, host_fd: RawFd, data: &[u8]) -> WasiResult<usize> {
    match sink {
        OutputSink::Inherit => write_all_fd(host_fd, data).map(|()| data.len()),
        OutputSink::Capture(buf) => {
            buf.lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(data);
            Ok(data.len())
        }
        OutputSink::Null => Ok(data.len()),
    }
}

fn write_all_fd(fd: RawFd, mut data: &[u8]) -> WasiResult {
    while !data.is_empty() {
        // SAFETY: write reads at most data.len() bytes from data.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            match err.kind() {
                std::io::ErrorKind::Interrupted => continue,
                // The host left the stream non-blocking: wait until it drains.
                std::io::ErrorKind::WouldBlock => wait_writable(fd),
                _ => return Err(host_errno::from_io(&err)),
            }
            continue;
        }
        data = &data[n as usize..];
    }
    Ok(())
}

fn wait_writable(fd: RawFd) {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one pollfd we own.
    unsafe { libc::poll(&mut p, 1, -1) };
}

/// Read at most `max` bytes from the guest's stdin with one host read.
pub fn read_stdin(src: &StdinSource, pos: &mut usize, max: usize) -> WasiResult<Vec<u8>> {
    match src {
        StdinSource::Inherit => {
            let mut buf = vec![0u8; max];
            loop {
                // SAFETY: read writes at most buf.len() bytes into buf.
                let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
                if n >= 0 {
                    buf.truncate(n as usize);
                    return Ok(buf);
                }
                let err = std::io::Error::last_os_error();
                if err.kind() != std::io::ErrorKind::Interrupted {
                    return Err(host_errno::from_io(&err));
                }
            }
        }
        StdinSource::Bytes(bytes) => {
            let start = (*pos).min(bytes.len());
            let end = start + max.min(bytes.len() - start);
            *pos = end;
            Ok(bytes[start..end].to_vec())
        }
    }
}

impl WasiCtx {
    /// Make sure everything the guest wrote has reached the host. Guest output is never
    /// buffered here; this pushes out anything the host process itself still holds.
    pub(super) fn flush_output(&mut self) {
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
    }
}
