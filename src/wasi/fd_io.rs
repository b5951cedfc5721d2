//! fd_read, fd_write, fd_pread, fd_pwrite: data in and out through iovecs.
//!
//! A read makes one host read of the iovecs' total length and spreads the bytes over them,
//! so a terminal or pipe read returns what is available instead of blocking to fill a
//! second buffer. A write gathers the iovecs and writes them all.
use super::fdtable::{Entry, Kind};
use super::memory::{total_len, GuestMemory};
use super::stdio::{read_stdin, write_output};
use super::types::{rights, Errno, WasiResult};
use super::WasiCtx;
use cap_std::fs::FileExt;
use std::io::{Read, Write};

fn read_once(reader: &mut impl Read, max: usize) -> WasiResult<Vec<u8>> {
    let mut buf = vec![0u8; max];
    loop {
        match reader.read(&mut buf) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The file behind `entry` for a positioned read/write: streams cannot seek (`ESPIPE`),
/// directories and sockets are the wrong kind of fd (`EBADF`).
fn positioned_file(entry: &Entry, write: bool) -> WasiResult<&cap_std::fs::File> {
    match &entry.kind {
        Kind::File(f) => {
            if (write && !f.writable) || (!write && !f.readable) {
                return Err(Errno::BADF);
            }
            let needed = if write {
                rights::FD_WRITE
            } else {
                rights::FD_READ
            };
            entry.require(needed | rights::FD_SEEK)?;
            Ok(&f.file)
        }
        Kind::Stdin(..) | Kind::Output(..) | Kind::Socket(_) => Err(Errno::SPIPE),
        _ => Err(Errno::BADF),
    }
}

impl WasiCtx {
    pub(super) fn fd_read(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nread_out: u32,
    ) -> WasiResult {
        let vecs = m.iovecs(iovs, iovs_len)?;
        let max = total_len(&vecs)?;
        let entry = self.fds.get_mut(fd)?;
        entry
            .require(rights::FD_READ)
            .map_err(|_| readable_errno(entry))?;
        let data = match &mut entry.kind {
            Kind::Stdin(src, pos) => read_stdin(src, pos, max)?,
            Kind::File(f) if f.readable => read_once(&mut f.file, max)?,
            Kind::Socket(s) => read_once(s, max)?,
            _ => return Err(Errno::BADF),
        };
        let n = m.scatter(&vecs, &data)?;
        m.write_u32(nread_out, n as u32)
    }

    pub(super) fn fd_write(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nwritten_out: u32,
    ) -> WasiResult {
        let vecs = m.iovecs(iovs, iovs_len)?;
        let data = m.gather(&vecs)?;
        let entry = self.fds.get_mut(fd)?;
        entry
            .require(rights::FD_WRITE)
            .map_err(|_| writable_errno(entry))?;
        let n = match &mut entry.kind {
            Kind::Output(sink, host_fd) => write_output(sink, *host_fd, &data)?,
            Kind::File(f) if f.writable => {
                f.file.write_all(&data)?;
                data.len()
            }
            Kind::Socket(s) => {
                s.write_all(&data)?;
                data.len()
            }
            _ => return Err(Errno::BADF),
        };
        m.write_u32(nwritten_out, n as u32)
    }

    pub(super) fn fd_pread(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nread_out: u32,
    ) -> WasiResult {
        let vecs = m.iovecs(iovs, iovs_len)?;
        let max = total_len(&vecs)?;
        let file = positioned_file(self.fds.get(fd)?, false)?;
        let mut buf = vec![0u8; max];
        let n = file.read_at(&mut buf, offset)?;
        let n = m.scatter(&vecs, &buf[..n])?;
        m.write_u32(nread_out, n as u32)
    }

    pub(super) fn fd_pwrite(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        nwritten_out: u32,
    ) -> WasiResult {
        let vecs = m.iovecs(iovs, iovs_len)?;
        let data = m.gather(&vecs)?;
        let file = positioned_file(self.fds.get(fd)?, true)?;
        file.write_all_at(&data, offset)?;
        m.write_u32(nwritten_out, data.len() as u32)
    }
}

/// Why a read is refused: a narrowed right is `ENOTCAPABLE`; an fd that cannot read at all
/// (a write-only file, stdout, a directory) is `EBADF`, as the host would say.
fn readable_errno(entry: &Entry) -> Errno {
    match &entry.kind {
        Kind::File(f) if f.readable => Errno::NOTCAPABLE,
        Kind::Stdin(..) | Kind::Socket(_) => Errno::NOTCAPABLE,
        _ => Errno::BADF,
    }
}

fn writable_errno(entry: &Entry) -> Errno {
    match &entry.kind {
        Kind::File(f) if f.writable => Errno::NOTCAPABLE,
        Kind::Output(..) | Kind::Socket(_) => Errno::NOTCAPABLE,
        _ => Errno::BADF,
    }
}
