//! fd_read, fd_write, fd_pread, fd_pwrite: data in and out through iovecs.
//!
//! Host fds are read and written with readv/writev straight from guest memory: a read is
//! one host read (a terminal or pipe returns what is available instead of blocking to fill
//! a second buffer), a write continues until everything is written. An fd that cannot do
//! the operation (a read-only file for a write, stdout for a read, a directory) is
//! `EBADF`, as wasmtime answers.
use super::config::{OutputSink, StdinSource};
use super::fdtable::{Entry, FileEntry, Kind};
use super::hostio::{self, WhenFull};
use super::memory::{total_len, GuestMemory};
use super::stdio::{read_stdin, write_output};
use super::types::{fdflags, filetype, Errno, WasiResult};
use super::WasiCtx;
use std::os::fd::{AsRawFd, RawFd};

/// Where a read comes from.
enum Source {
    Host(RawFd, WhenFull),
    Bytes,
}

/// Where a write goes.
enum Sink {
    Host(RawFd, WhenFull),
    Memory,
}

/// I/O on an fd the guest made non-blocking may answer EAGAIN; otherwise it waits.
fn when_full(entry: &Entry) -> WhenFull {
    if entry.fdflags & fdflags::NONBLOCK != 0 {
        WhenFull::Return
    } else {
        WhenFull::Wait
    }
}

/// The file behind `entry` for a positioned read or write. A stream that could do the
/// unpositioned operation cannot seek (`ESPIPE`); anything else is the wrong fd (`EBADF`),
/// the answers wasmtime gives.
fn positioned_fd(entry: &Entry, write: bool) -> WasiResult<RawFd> {
    match (&entry.kind, write) {
        (Kind::File(f), true) if f.writable => Ok(f.file.as_raw_fd()),
        (Kind::File(f), false) if f.readable => Ok(f.file.as_raw_fd()),
        (Kind::Output(..), true) | (Kind::Stdin(..), false) | (Kind::Socket(_), _) => {
            Err(Errno::SPIPE)
        }
        _ => Err(Errno::BADF),
    }
}

/// Regular files and block devices have positions; FIFOs and character devices opened by
/// path are streams, read and written without one.
fn has_position(f: &FileEntry) -> bool {
    f.filetype == filetype::REGULAR_FILE || f.filetype == filetype::BLOCK_DEVICE
}

/// Read at the file's own position and advance it. Nothing lies beyond what the host can
/// address, so a position past that reads as end of file.
fn read_file(f: &mut FileEntry, iovs: &[libc::iovec]) -> WasiResult<usize> {
    let host = f.file.as_raw_fd();
    if !has_position(f) {
        return hostio::readv(host, iovs, WhenFull::Wait);
    }
    if f.position > i64::MAX as u64 {
        return Ok(0);
    }
    let n = hostio::preadv(host, iovs, f.position)?;
    f.position += n as u64;
    Ok(n)
}

/// Write at the file's own position and advance it; in append mode the host appends and
/// the position moves to the new end, as in wasmtime.
fn write_file(
    f: &mut FileEntry,
    iovs: &mut [libc::iovec],
    append: bool,
    full: WhenFull,
) -> WasiResult<usize> {
    let host = f.file.as_raw_fd();
    if append || !has_position(f) {
        let n = hostio::write_all(host, iovs, None, full)?;
        if append {
            f.position = f.file.metadata()?.len();
        }
        return Ok(n);
    }
    let n = hostio::write_all(host, iovs, Some(f.position), full)?;
    f.position += n as u64;
    Ok(n)
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
        let entry = self.fds.get_mut(fd)?;
        if let Kind::File(f) = &mut entry.kind {
            if !f.readable {
                return Err(Errno::BADF);
            }
            let n = read_file(f, &m.host_iovecs(&vecs)?)?;
            return m.write_u32(nread_out, n as u32);
        }
        let source = match &entry.kind {
            Kind::Stdin(StdinSource::Inherit, _) => Source::Host(0, when_full(entry)),
            Kind::Stdin(StdinSource::Bytes(_), _) => Source::Bytes,
            Kind::Socket(s) => Source::Host(s.as_raw_fd(), when_full(entry)),
            _ => return Err(Errno::BADF),
        };
        let n = match source {
            Source::Host(host, empty) => hostio::readv(host, &m.host_iovecs(&vecs)?, empty)?,
            Source::Bytes => {
                let Kind::Stdin(src, pos) = &mut entry.kind else {
                    return Err(Errno::BADF);
                };
                let data = read_stdin(src, pos, total_len(&vecs)?)?;
                m.scatter(&vecs, &data)?
            }
        };
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
        let entry = self.fds.get_mut(fd)?;
        let (full, append) = (when_full(entry), entry.fdflags & fdflags::APPEND != 0);
        if let Kind::File(f) = &mut entry.kind {
            if !f.writable {
                return Err(Errno::BADF);
            }
            let n = write_file(f, &mut m.host_iovecs(&vecs)?, append, full)?;
            return m.write_u32(nwritten_out, n as u32);
        }
        let sink = match &entry.kind {
            Kind::Output(OutputSink::Inherit, host) => Sink::Host(*host, WhenFull::Wait),
            Kind::Output(..) => Sink::Memory,
            Kind::Socket(s) => Sink::Host(s.as_raw_fd(), when_full(entry)),
            _ => return Err(Errno::BADF),
        };
        let n = match sink {
            Sink::Host(host, full) => {
                hostio::write_all(host, &mut m.host_iovecs(&vecs)?, None, full)?
            }
            Sink::Memory => match &entry.kind {
                Kind::Output(sink, host) => write_output(sink, *host, &m.gather(&vecs)?)?,
                _ => return Err(Errno::BADF),
            },
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
        let host = positioned_fd(self.fds.get(fd)?, false)?;
        let n = hostio::preadv(host, &m.host_iovecs(&vecs)?, offset)?;
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
        let entry = self.fds.get(fd)?;
        let host = positioned_fd(entry, true)?;
        let full = when_full(entry);
        let n = hostio::write_all(host, &mut m.host_iovecs(&vecs)?, Some(offset), full)?;
        m.write_u32(nwritten_out, n as u32)
    }
}
