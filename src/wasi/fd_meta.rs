//! The fd_* calls about a descriptor rather than its data: close, renumber, stat, flags,
//! rights, seek/tell, sync, advise, allocate, size and times, and the preopen queries.
use super::fdtable::{Entry, FileEntry, Kind};
use super::filestat::{time_changes, Filestat};
use super::host_errno;
use super::memory::GuestMemory;
use super::types::{advice, fdflags, whence, Errno, WasiResult, PREOPENTYPE_DIR};
use super::{Abi, WasiCtx};
use std::os::fd::AsRawFd;

/// A host handle to a file or directory for fsync, futimens and friends. cap-std holds
/// directories as O_PATH fds, which those calls refuse, so a directory is reopened
/// read-only (beneath itself, as ".") for the call. Streams are `EBADF`.
fn storage(entry: &Entry) -> WasiResult<cap_std::fs::File> {
    match &entry.kind {
        Kind::File(f) => Ok(f.file.try_clone()?),
        Kind::Dir(d) => {
            let mut opts = cap_std::fs::OpenOptions::new();
            opts.read(true)._cap_fs_ext_maybe_dir(true);
            Ok(d.dir.open_with(".", &opts)?)
        }
        _ => Err(Errno::BADF),
    }
}

/// The regular file behind `entry`; anything else is `EBADF`, as wasmtime answers.
fn file_of(entry: &Entry) -> WasiResult<&cap_std::fs::File> {
    match &entry.kind {
        Kind::File(f) => Ok(&f.file),
        _ => Err(Errno::BADF),
    }
}

/// The file for fd_seek and fd_tell: streams cannot seek (`ESPIPE`), directories are
/// `EBADF`.
fn seekable(entry: &mut Entry) -> WasiResult<&mut FileEntry> {
    match &mut entry.kind {
        Kind::File(f) => Ok(f),
        Kind::Stdin(..) | Kind::Output(..) | Kind::Socket(_) => Err(Errno::SPIPE),
        _ => Err(Errno::BADF),
    }
}

/// Turn a libc-style "0 or -1 with errno" result into a WasiResult.
fn check(rc: libc::c_int) -> WasiResult {
    if rc == 0 {
        Ok(())
    } else {
        Err(host_errno::last_os())
    }
}

impl WasiCtx {
    pub(super) fn fd_close(&mut self, fd: u32) -> WasiResult {
        self.fds.remove(fd).map(drop)
    }

    pub(super) fn fd_renumber(&mut self, from: u32, to: u32) -> WasiResult {
        self.fds.renumber(from, to)
    }

    pub(super) fn fd_fdstat_get(&mut self, m: &mut GuestMemory, fd: u32, out: u32) -> WasiResult {
        let entry = self.fds.get(fd)?;
        let (base, inheriting) = entry.rights();
        let mut buf = [0u8; 24];
        buf[0] = entry.filetype();
        buf[2..4].copy_from_slice(&entry.fdflags.to_le_bytes());
        buf[8..16].copy_from_slice(&base.to_le_bytes());
        buf[16..24].copy_from_slice(&inheriting.to_le_bytes());
        m.write(out, &buf)
    }

    /// Only APPEND and NONBLOCK can change after open (fcntl F_SETFL); asking for a sync
    /// flag is `EINVAL`, and only files and sockets have flags to set, as in wasmtime.
    pub(super) fn fd_fdstat_set_flags(&mut self, fd: u32, flags: u32) -> WasiResult {
        let entry = self.fds.get_mut(fd)?;
        let host = match entry.kind {
            Kind::File(_) | Kind::Socket(_) => entry.host_fd().ok_or(Errno::BADF)?,
            _ => return Err(Errno::BADF),
        };
        let flags = flags as u16;
        let settable = fdflags::APPEND | fdflags::NONBLOCK;
        if flags & !settable != 0 {
            return Err(Errno::INVAL);
        }
        // SAFETY: fcntl on an fd we own, with integer arguments only.
        let current = unsafe { libc::fcntl(host, libc::F_GETFL) };
        if current < 0 {
            return Err(host_errno::last_os());
        }
        let mut wanted = current & !(libc::O_APPEND | libc::O_NONBLOCK);
        if flags & fdflags::APPEND != 0 {
            wanted |= libc::O_APPEND;
        }
        if flags & fdflags::NONBLOCK != 0 {
            wanted |= libc::O_NONBLOCK;
        }
        check(unsafe { libc::fcntl(host, libc::F_SETFL, wanted) })?;
        entry.fdflags = flags;
        Ok(())
    }

    /// wasmtime does not let rights change (nor enforces them): `ENOTSUP`.
    pub(super) fn fd_fdstat_set_rights(
        &mut self,
        fd: u32,
        _base: u64,
        _inheriting: u64,
    ) -> WasiResult {
        self.fds.get(fd)?;
        Err(Errno::NOTSUP)
    }

    pub(super) fn fd_prestat_get(&mut self, m: &mut GuestMemory, fd: u32, out: u32) -> WasiResult {
        let name = preopen_name(self.fds.get(fd)?)?;
        let mut buf = [0u8; 8];
        buf[0] = PREOPENTYPE_DIR;
        buf[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
        m.write(out, &buf)
    }

    pub(super) fn fd_prestat_dir_name(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        buf: u32,
        len: u32,
    ) -> WasiResult {
        let name = preopen_name(self.fds.get(fd)?)?;
        if (len as usize) < name.len() {
            return Err(Errno::NAMETOOLONG);
        }
        m.write(buf, name.as_bytes())
    }

    pub(super) fn fd_filestat_get(
        &mut self,
        abi: Abi,
        m: &mut GuestMemory,
        fd: u32,
        out: u32,
    ) -> WasiResult {
        let entry = self.fds.get(fd)?;
        let st = match &entry.kind {
            Kind::File(f) => Filestat::from_metadata(&f.file.metadata()?),
            Kind::Dir(d) => Filestat::from_metadata(&d.dir.dir_metadata()?),
            // Streams: only their type, like wasmtime (the host's inode means nothing here).
            _ => Filestat {
                filetype: entry.filetype(),
                ..Filestat::default()
            },
        };
        st.write(m, out, abi)
    }

    pub(super) fn fd_filestat_set_size(&mut self, fd: u32, size: u64) -> WasiResult {
        let entry = self.fds.get(fd)?;
        let file = file_of(entry)?;
        if size > i64::MAX as u64 {
            return Err(Errno::INVAL);
        }
        Ok(file.set_len(size)?)
    }

    pub(super) fn fd_filestat_set_times(
        &mut self,
        fd: u32,
        atim: u64,
        mtim: u64,
        flags: u32,
    ) -> WasiResult {
        let entry = self.fds.get(fd)?;
        let host = storage(entry)?;
        let (a, m) = time_changes(atim, mtim, flags)?;
        let times = [a.timespec(), m.timespec()];
        // SAFETY: futimens reads the two timespecs we own.
        check(unsafe { libc::futimens(host.as_raw_fd(), times.as_ptr()) })
    }

    pub(super) fn fd_seek(
        &mut self,
        abi: Abi,
        m: &mut GuestMemory,
        fd: u32,
        offset: i64,
        how: u32,
        out: u32,
    ) -> WasiResult {
        // Checked against the enum by dispatch. wasi_unstable numbered CUR=0, END=1, SET=2.
        let how = match (abi, how as u8) {
            (Abi::Preview1, h) => h,
            (Abi::Unstable, 0) => whence::CUR,
            (Abi::Unstable, 1) => whence::END,
            (Abi::Unstable, _) => whence::SET,
        };
        let file = seekable(self.fds.get_mut(fd)?)?;
        // Any position a u64 holds is fine (as in wasmtime); before the start is EINVAL.
        let new = match how {
            whence::SET => u64::try_from(offset).ok(),
            whence::CUR => file.position.checked_add_signed(offset),
            _ => file.file.metadata()?.len().checked_add_signed(offset),
        };
        file.position = new.ok_or(Errno::INVAL)?;
        m.write_u64(out, file.position)
    }

    pub(super) fn fd_tell(&mut self, m: &mut GuestMemory, fd: u32, out: u32) -> WasiResult {
        let position = seekable(self.fds.get_mut(fd)?)?.position;
        m.write_u64(out, position)
    }

    /// Files only: wasmtime answers `EBADF` for directories and streams.
    pub(super) fn fd_sync(&mut self, fd: u32) -> WasiResult {
        Ok(file_of(self.fds.get(fd)?)?.sync_all()?)
    }

    pub(super) fn fd_datasync(&mut self, fd: u32) -> WasiResult {
        Ok(file_of(self.fds.get(fd)?)?.sync_data()?)
    }

    pub(super) fn fd_advise(&mut self, fd: u32, offset: u64, len: u64, how: u32) -> WasiResult {
        let host_advice = match how as u8 {
            advice::NORMAL => libc::POSIX_FADV_NORMAL,
            advice::SEQUENTIAL => libc::POSIX_FADV_SEQUENTIAL,
            advice::RANDOM => libc::POSIX_FADV_RANDOM,
            advice::WILLNEED => libc::POSIX_FADV_WILLNEED,
            advice::DONTNEED => libc::POSIX_FADV_DONTNEED,
            advice::NOREUSE => libc::POSIX_FADV_NOREUSE,
            _ => return Err(Errno::INVAL),
        };
        let entry = self.fds.get(fd)?;
        let host = file_of(entry)?.as_raw_fd();
        // Advice is only a hint: a range the host cannot express is accepted and ignored,
        // as wasmtime does.
        let (Ok(offset), Ok(len)) = (libc::off_t::try_from(offset), libc::off_t::try_from(len))
        else {
            return Ok(());
        };
        // SAFETY: posix_fadvise takes integers only; it returns the error instead of errno.
        let rc = unsafe { libc::posix_fadvise(host, offset, len, host_advice) };
        if rc == 0 {
            Ok(())
        } else {
            Err(host_errno::from_raw(rc))
        }
    }

    /// wasmtime has no way to preallocate (WASI preview2 dropped it) and answers `ENOTSUP`
    /// for a file, `EBADF` for anything else; rt does the same so programs behave alike.
    pub(super) fn fd_allocate(&mut self, fd: u32, _offset: u64, _len: u64) -> WasiResult {
        file_of(self.fds.get(fd)?)?;
        Err(Errno::NOTSUP)
    }
}

/// The guest path of a preopened directory; any other fd is `EBADF`.
fn preopen_name(entry: &Entry) -> WasiResult<&str> {
    match &entry.kind {
        Kind::Dir(d) => d.preopen.as_deref().ok_or(Errno::BADF),
        _ => Err(Errno::BADF),
    }
}
