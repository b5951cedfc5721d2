//! sock_accept, sock_recv, sock_send, sock_shutdown on preopened TCP sockets (WASI preview1
//! cannot create sockets; the host hands listeners in through `WasiConfig::listeners`).
//! Any other fd is `ENOTSOCK`.
use super::fdtable::{Entry, Kind};
use super::hostio;
use super::memory::GuestMemory;
use super::types::{fdflags, sock, Errno, WasiResult};
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
        let flags = flags as u16; // checked against fdflags by dispatch
        let entry = self.fds.get(fd)?;
        let listener = match &entry.kind {
            Kind::Listener(l) => l,
            Kind::Socket(_) => return Err(Errno::INVAL),
            _ => return Err(Errno::NOTSOCK),
        };
        let (stream, _) = listener.accept()?;
        stream.set_nonblocking(flags & fdflags::NONBLOCK != 0)?;
        let mut accepted = Entry::new(Kind::Socket(stream));
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
        let vecs = m.iovecs(iovs, iovs_len)?;
        let host = stream_of(self.fds.get(fd)?)?.as_raw_fd();
        let mut host_flags = 0;
        if ri_flags & sock::RECV_PEEK as u32 != 0 {
            host_flags |= libc::MSG_PEEK;
        }
        if ri_flags & sock::RECV_WAITALL as u32 != 0 {
            host_flags |= libc::MSG_WAITALL;
        }
        let (n, truncated) = hostio::recv(host, &mut m.host_iovecs(&vecs)?, host_flags)?;
        let roflags = if truncated {
            sock::RECV_DATA_TRUNCATED
        } else {
            0
        };
        m.write_u32(len_out, n as u32)?;
        m.write_u16(flags_out, roflags)
    }

    pub(super) fn sock_send(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        _si_flags: u32,
        len_out: u32,
    ) -> WasiResult {
        let vecs = m.iovecs(iovs, iovs_len)?;
        let host = stream_of(self.fds.get(fd)?)?.as_raw_fd();
        let n = hostio::send(host, &mut m.host_iovecs(&vecs)?)?;
        m.write_u32(len_out, n as u32)
    }

    pub(super) fn sock_shutdown(&mut self, fd: u32, how: u32) -> WasiResult {
        let stream = stream_of(self.fds.get(fd)?)?;
        let how = match how as u8 {
            sock::SHUT_RD => Shutdown::Read,
            sock::SHUT_WR => Shutdown::Write,
            h if h == sock::SHUT_RD | sock::SHUT_WR => Shutdown::Both,
            _ => return Err(Errno::INVAL),
        };
        Ok(stream.shutdown(how)?)
    }
}
