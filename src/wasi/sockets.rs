//! sock_accept, sock_recv, sock_send, sock_shutdown on preopened TCP sockets (WASI preview1
//! cannot create sockets; the host hands listeners in through `WasiConfig::listeners`).
//! Any other fd is `ENOTSOCK`.
use super::fdtable::{Entry, Kind};
use super::host_errno;
use super::memory::{total_len, GuestMemory};
use super::types::{fdflags, rights, sock, Errno, WasiResult};
use super::WasiCtx;
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;

fn stream_of(entry: &Entry) -> WasiResult<&TcpStream> {
    match &entry.kind {
        Kind::Socket(s) => Ok(s),
        Kind::Listener(_) => Err(Errno::NOTCONN),
        _ => Err(Errno::NOTSOCK),
    }
}

impl WasiCtx {
    pub(super) fn sock_accept(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        flags: u32,
        fd_out: u32,
    ) -> WasiResult {
        let flags = u16::try_from(flags).map_err(|_| Errno::INVAL)?;
        if flags & !fdflags::NONBLOCK != 0 {
            return Err(Errno::INVAL);
        }
        let entry = self.fds.get(fd)?;
        let listener = match &entry.kind {
            Kind::Listener(l) => l,
            Kind::Socket(_) => return Err(Errno::INVAL),
            _ => return Err(Errno::NOTSOCK),
        };
        entry.require(rights::SOCK_ACCEPT)?;
        let (stream, _) = listener.accept()?;
        stream.set_nonblocking(flags & fdflags::NONBLOCK != 0)?;
        let mut accepted = Entry::new(
            Kind::Socket(stream),
            rights::SOCKET & !rights::SOCK_ACCEPT,
            0,
        );
        accepted.fdflags = flags;
        let new_fd = self.fds.insert(accepted)?;
        m.write_u32(fd_out, new_fd)
    }

    pub(super) fn sock_recv(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        ri_flags: u32,
        len_out: u32,
        flags_out: u32,
    ) -> WasiResult {
        let known = (sock::RECV_PEEK | sock::RECV_WAITALL) as u32;
        if ri_flags & !known != 0 {
            return Err(Errno::INVAL);
        }
        let vecs = m.iovecs(iovs, iovs_len)?;
        let max = total_len(&vecs)?;
        let entry = self.fds.get(fd)?;
        let stream = stream_of(entry)?;
        entry.require(rights::FD_READ)?;
        let mut host_flags = 0;
        if ri_flags & sock::RECV_PEEK as u32 != 0 {
            host_flags |= libc::MSG_PEEK;
        }
        if ri_flags & sock::RECV_WAITALL as u32 != 0 {
            host_flags |= libc::MSG_WAITALL;
        }
        let mut buf = vec![0u8; max];
        // SAFETY: recv writes at most buf.len() bytes into buf.
        let n = unsafe {
            libc::recv(
                stream.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                host_flags,
            )
        };
        if n < 0 {
            return Err(host_errno::last_os());
        }
        let n = m.scatter(&vecs, &buf[..n as usize])?;
        m.write_u32(len_out, n as u32)?;
        m.write_u16(flags_out, 0)
    }

    pub(super) fn sock_send(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        si_flags: u32,
        len_out: u32,
    ) -> WasiResult {
        if si_flags != 0 {
            return Err(Errno::INVAL);
        }
        let vecs = m.iovecs(iovs, iovs_len)?;
        let data = m.gather(&vecs)?;
        let entry = self.fds.get(fd)?;
        let stream = stream_of(entry)?;
        entry.require(rights::FD_WRITE)?;
        // SAFETY: send reads data.len() bytes from data; MSG_NOSIGNAL turns SIGPIPE into EPIPE.
        let n = unsafe {
            libc::send(
                stream.as_raw_fd(),
                data.as_ptr().cast(),
                data.len(),
                libc::MSG_NOSIGNAL,
            )
        };
        if n < 0 {
            return Err(host_errno::last_os());
        }
        m.write_u32(len_out, n as u32)
    }

    pub(super) fn sock_shutdown(&mut self, fd: u32, how: u32) -> WasiResult {
        let how = match how {
            h if h == sock::SHUT_RD as u32 => Shutdown::Read,
            h if h == sock::SHUT_WR as u32 => Shutdown::Write,
            h if h == (sock::SHUT_RD | sock::SHUT_WR) as u32 => Shutdown::Both,
            _ => return Err(Errno::INVAL),
        };
        let entry = self.fds.get(fd)?;
        let stream = stream_of(entry)?;
        entry.require(rights::SOCK_SHUTDOWN)?;
        Ok(stream.shutdown(how)?)
    }
}
