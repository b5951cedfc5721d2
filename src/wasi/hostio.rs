//! Vectored host I/O straight between guest memory and host fds (readv, writev, preadv,
//! pwritev, recvmsg, sendmsg): no copy, and no host buffer as large as the guest's, so a
//! guest reading into a 1 GiB buffer costs no extra 1 GiB here.
use super::host_errno;
use super::types::{Errno, WasiResult};
use std::io;
use std::os::fd::RawFd;

/// At most this many iovecs go to one host call (Linux's IOV_MAX); a read over more is a
/// short read, which POSIX allows; a write continues with the rest.
const IOV_MAX: usize = 1024;

/// Run `op` until it is not interrupted; a negative result becomes the errno.
fn retrying(mut op: impl FnMut() -> isize) -> WasiResult<usize> {
    loop {
        let n = op();
        if n >= 0 {
            return Ok(n as usize);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(host_errno::from_io(&err));
        }
    }
}

fn capped(iovs: &[libc::iovec]) -> (*const libc::iovec, libc::c_int) {
    (iovs.as_ptr(), iovs.len().min(IOV_MAX) as libc::c_int)
}

/// One readv(2): what is available now, up to the iovecs' total. With `WhenFull::Wait`
/// an fd that is non-blocking on the host side (the guest did not ask for that) is waited
/// on instead of answering `EAGAIN`.
pub fn readv(fd: RawFd, iovs: &[libc::iovec], empty: WhenFull) -> WasiResult<usize> {
    let (ptr, count) = capped(iovs);
    loop {
        // SAFETY: the iovecs point into guest memory the caller holds mutably.
        match retrying(|| unsafe { libc::readv(fd, ptr, count) }) {
            Err(Errno::AGAIN) if empty == WhenFull::Wait => wait_for(fd, libc::POLLIN),
            other => return other,
        }
    }
}

/// One preadv(2) at `offset`.
pub fn preadv(fd: RawFd, iovs: &[libc::iovec], offset: u64) -> WasiResult<usize> {
    let offset = libc::off_t::try_from(offset).map_err(|_| Errno::INVAL)?;
    let (ptr, count) = capped(iovs);
    // SAFETY: as for readv.
    retrying(|| unsafe { libc::preadv(fd, ptr, count, offset) })
}

/// How I/O treats a non-blocking fd that is full (writes) or empty (reads).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// Wait for it (the guest did not make the fd non-blocking; the host may have).
    Wait,
    /// Report what was done, or `EAGAIN` if nothing (an fd the guest set NONBLOCK).
    Return,
}

/// Write all of the iovecs with writev(2) (or pwritev(2) from `offset`), continuing after
/// short writes. Returns the bytes written.
pub fn write_all(
    fd: RawFd,
    iovs: &mut [libc::iovec],
    offset: Option<u64>,
    full: WhenFull,
) -> WasiResult<usize> {
    let mut done = 0usize;
    let mut first = 0;
    while first < iovs.len() {
        let rest = &iovs[first..];
        let (ptr, count) = capped(rest);
        let result = match offset {
            Some(at) => {
                let at = libc::off_t::try_from(at + done as u64).map_err(|_| Errno::INVAL)?;
                // SAFETY: the iovecs point into guest memory the caller holds.
                retrying(|| unsafe { libc::pwritev(fd, ptr, count, at) })
            }
            // SAFETY: as above.
            None => retrying(|| unsafe { libc::writev(fd, ptr, count) }),
        };
        let mut n = match result {
            Ok(n) => n,
            Err(Errno::AGAIN) if full == WhenFull::Wait => {
                wait_for(fd, libc::POLLOUT);
                continue;
            }
            Err(Errno::AGAIN) if done > 0 => return Ok(done),
            Err(e) => return Err(e),
        };
        done += n;
        // Skip what was written: whole iovecs, then part of the next.
        while first < iovs.len() && n >= iovs[first].iov_len {
            n -= iovs[first].iov_len;
            first += 1;
        }
        if n > 0 {
            let v = &mut iovs[first];
            // SAFETY: n < iov_len, so the advanced pointer stays inside the same iovec.
            v.iov_base = unsafe { v.iov_base.cast::<u8>().add(n).cast() };
            v.iov_len -= n;
        }
    }
    Ok(done)
}

/// Block until `fd` is ready for `events` (POLLIN or POLLOUT).
fn wait_for(fd: RawFd, events: libc::c_short) {
    let mut p = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: one pollfd we own.
    unsafe { libc::poll(&mut p, 1, -1) };
}

/// One recvmsg(2) into the iovecs with `flags` (MSG_PEEK, MSG_WAITALL); returns the bytes
/// received and whether the data was truncated.
pub fn recv(fd: RawFd, iovs: &mut [libc::iovec], flags: libc::c_int) -> WasiResult<(usize, bool)> {
    // SAFETY: a zeroed msghdr is valid; we fill in only the iovec fields.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iovs.as_mut_ptr();
    msg.msg_iovlen = iovs.len().min(IOV_MAX) as _;
    // SAFETY: the msghdr names iovecs into guest memory the caller holds mutably.
    let n = retrying(|| unsafe { libc::recvmsg(fd, &mut msg, flags) })?;
    Ok((n, msg.msg_flags & libc::MSG_TRUNC != 0))
}

/// One sendmsg(2) of the iovecs; MSG_NOSIGNAL turns a closed peer into EPIPE.
pub fn send(fd: RawFd, iovs: &mut [libc::iovec]) -> WasiResult<usize> {
    // SAFETY: as for recv.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iovs.as_mut_ptr();
    msg.msg_iovlen = iovs.len().min(IOV_MAX) as _;
    // SAFETY: the msghdr names iovecs into guest memory the caller holds.
    retrying(|| unsafe { libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::memory::{GuestMemory, IoVec};

    #[test]
    fn short_writes_continue_where_they_stopped() {
        let mut fds = [0; 2];
        // SAFETY: pipe fills the two ints; both ends are closed below.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let mut bytes = b"hello world".to_vec();
        let mut m = GuestMemory::new(&mut bytes);
        let vecs = [
            IoVec { ptr: 0, len: 6 },
            IoVec { ptr: 0, len: 0 },
            IoVec { ptr: 6, len: 5 },
        ];
        let mut iovs = m.host_iovecs(&vecs).unwrap();
        assert_eq!(iovs.len(), 2, "empty iovecs are dropped");
        assert_eq!(write_all(fds[1], &mut iovs, None, WhenFull::Wait), Ok(11));
        let mut out = [0u8; 16];
        let back = vec![libc::iovec {
            iov_base: out.as_mut_ptr().cast(),
            iov_len: 16,
        }];
        assert_eq!(readv(fds[0], &back, WhenFull::Wait), Ok(11));
        assert_eq!(&out[..11], b"hello world");
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
    }

    #[test]
    fn reads_of_a_host_non_blocking_fd_wait_unless_the_guest_asked() {
        let mut fds = [0; 2];
        // SAFETY: pipe fills the two ints; fcntl only sets flags; both ends closed below.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        unsafe { libc::fcntl(fds[0], libc::F_SETFL, libc::O_NONBLOCK) };
        let mut out = [0u8; 8];
        let iov = [libc::iovec {
            iov_base: out.as_mut_ptr().cast(),
            iov_len: 8,
        }];
        assert_eq!(readv(fds[0], &iov, WhenFull::Return), Err(Errno::AGAIN));
        let writer = fds[1];
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            // SAFETY: writes 4 bytes from a static string.
            unsafe { libc::write(writer, b"late".as_ptr().cast(), 4) };
        });
        assert_eq!(readv(fds[0], &iov, WhenFull::Wait), Ok(4));
        t.join().unwrap();
        assert_eq!(&out[..4], b"late");
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
    }
}
