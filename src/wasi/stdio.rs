//! The guest's stdin, stdout and stderr. Output to the host's streams is written straight to
//! fds 1 and 2 with no buffer in between, so nothing is lost when the guest exits or traps,
//! and a closed pipe comes back to the guest as `EPIPE` (Rust ignores SIGPIPE).
use super::config::{OutputSink, StdinSource};
use super::host_errno;
use super::hostio::{self, WhenFull};
use super::types::WasiResult;
use super::WasiCtx;
use std::io::Write;
use std::os::fd::RawFd;

/// Write all of `data` to `sink` (used where the bytes are not in guest memory).
pub fn write_output(sink: &OutputSink, host_fd: RawFd, data: &[u8]) -> WasiResult<usize> {
    match sink {
        OutputSink::Inherit => {
            let mut iov = [libc::iovec {
                iov_base: data.as_ptr() as *mut _,
                iov_len: data.len(),
            }];
            // The iovec is only read from: writev does not write through it.
            hostio::write_all(
                host_fd,
                &mut iov[..usize::from(!data.is_empty())],
                None,
                WhenFull::Wait,
            )
        }
        OutputSink::Capture(buf) => {
            buf.lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(data);
            Ok(data.len())
        }
        OutputSink::Null => Ok(data.len()),
    }
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
