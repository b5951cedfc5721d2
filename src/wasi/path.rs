//! The path_* calls. Every path is resolved by cap-std beneath the directory fd it is
//! relative to: `..` above it, absolute paths and symlinks that point outside are refused
//! (`EPERM`, as wasmtime reports cap-std's escape error), symlink loops are `ELOOP`.
use super::fdtable::{DirEntry, Entry, Kind};
use super::filestat::{time_changes, Filestat};
use super::memory::GuestMemory;
use super::types::{fdflags, oflags, rights, Errno, WasiResult, LOOKUP_SYMLINK_FOLLOW};
use super::{Abi, WasiCtx};
use cap_primitives::fs::FollowSymlinks;
use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt};
use std::mem::ManuallyDrop;
use std::os::fd::{AsRawFd, FromRawFd};

/// The directory behind `fd`; a file or stream fd is `ENOTDIR`, as wasmtime answers.
fn dir_of(entry: &Entry) -> WasiResult<&DirEntry> {
    entry.dir()
}

/// Borrow a cap-std `Dir` as the `std::fs::File` that cap-primitives' free functions take.
fn as_std_file(dir: &Dir) -> ManuallyDrop<std::fs::File> {
    // SAFETY: the File never outlives `dir` in our use and ManuallyDrop keeps it from
    // closing the fd that `dir` still owns.
    ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(dir.as_raw_fd()) })
}

fn follows(flags: u32) -> bool {
    flags & LOOKUP_SYMLINK_FOLLOW != 0
}

impl WasiCtx {
    /// Look up `fd` as a directory with `needed` rights and read the guest path.
    fn dir_path<'m>(
        &self,
        m: &'m GuestMemory,
        fd: u32,
        ptr: u32,
        len: u32,
    ) -> WasiResult<(&DirEntry, &'m str)> {
        let d = dir_of(self.fds.get(fd)?)?;
        Ok((d, m.read_str(ptr, len)?))
    }

    /// `path_create_directory`, `path_remove_directory` and `path_unlink_file`: each is one
    /// cap-std call on a path beneath a directory fd, so they share this body and dispatch
    /// passes the call as `op`.
    pub(super) fn path_dir_op(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        ptr: u32,
        len: u32,
        op: fn(&Dir, &str) -> std::io::Result<()>,
    ) -> WasiResult {
        let (d, path) = self.dir_path(m, fd, ptr, len)?;
        Ok(op(&d.dir, path)?)
    }

    pub(super) fn path_filestat_get(
        &mut self,
        abi: Abi,
        m: &mut GuestMemory,
        fd: u32,
        flags: u32,
        ptr: u32,
        len: u32,
        out: u32,
    ) -> WasiResult {
        let (d, path) = self.dir_path(m, fd, ptr, len)?;
        // A trailing slash makes the last component resolve (POSIX), whatever the flags say.
        let md = if follows(flags) || trailing_slash(path) {
            d.dir.metadata(path)?
        } else {
            d.dir.symlink_metadata(path)?
        };
        if trailing_slash(path) && !md.is_dir() {
            return Err(Errno::NOTDIR);
        }
        Filestat::from_metadata(&md).write(m, out, abi)
    }

    pub(super) fn path_filestat_set_times(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        flags: u32,
        ptr: u32,
        len: u32,
        atim: u64,
        mtim: u64,
        fst: u32,
    ) -> WasiResult {
        let (d, path) = self.dir_path(m, fd, ptr, len)?;
        let (a, mt) = time_changes(atim, mtim, fst)?;
        let start = as_std_file(&d.dir);
        let follow = follows(flags) || trailing_slash(path);
        let path = std::path::Path::new(path);
        let (a, mt) = (a.system_time_spec(), mt.system_time_spec());
        if follow {
            cap_primitives::fs::set_times(&start, path, a, mt)?;
        } else {
            cap_primitives::fs::set_times_nofollow(&start, path, a, mt)?;
        }
        Ok(())
    }

    pub(super) fn path_link(
        &mut self,
        m: &mut GuestMemory,
        old_fd: u32,
        old_flags: u32,
        old_ptr: u32,
        old_len: u32,
        new_fd: u32,
        new_ptr: u32,
        new_len: u32,
    ) -> WasiResult {
        let (old, old_path) = self.dir_path(m, old_fd, old_ptr, old_len)?;
        let (new, new_path) = self.dir_path(m, new_fd, new_ptr, new_len)?;
        // Following a symlink source is not offered by wasmtime either (linkat would need
        // AT_SYMLINK_FOLLOW resolved outside cap-std's sandboxed lookup).
        if follows(old_flags) {
            return Err(Errno::INVAL);
        }
        Ok(old.dir.hard_link(old_path, &new.dir, new_path)?)
    }

    pub(super) fn path_rename(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        old_ptr: u32,
        old_len: u32,
        new_fd: u32,
        new_ptr: u32,
        new_len: u32,
    ) -> WasiResult {
        let (old, old_path) = self.dir_path(m, fd, old_ptr, old_len)?;
        let (new, new_path) = self.dir_path(m, new_fd, new_ptr, new_len)?;
        Ok(old.dir.rename(old_path, &new.dir, new_path)?)
    }

    /// The link's text is stored as given; cap-std refuses an absolute one, and a relative
    /// one that climbs out is harmless because following it is refused later.
    pub(super) fn path_symlink(
        &mut self,
        m: &mut GuestMemory,
        old_ptr: u32,
        old_len: u32,
        fd: u32,
        new_ptr: u32,
        new_len: u32,
    ) -> WasiResult {
        let target = m.read_str(old_ptr, old_len)?;
        let (d, link) = self.dir_path(m, fd, new_ptr, new_len)?;
        Ok(d.dir.symlink(target, link)?)
    }

    pub(super) fn path_readlink(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        ptr: u32,
        len: u32,
        buf: u32,
        buf_len: u32,
        used_out: u32,
    ) -> WasiResult {
        let (d, path) = self.dir_path(m, fd, ptr, len)?;
        let target = d.dir.read_link_contents(path)?;
        let bytes = target.as_os_str().as_encoded_bytes();
        let n = bytes.len().min(buf_len as usize);
        m.write(buf, &bytes[..n])?;
        m.write_u32(used_out, n as u32)
    }

    pub(super) fn path_open(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        dirflags: u32,
        ptr: u32,
        len: u32,
        oflags: u32,
        base: u64,
        _inheriting: u64,
        fdflags: u32,
        fd_out: u32,
    ) -> WasiResult {
        let (oflags, fdflags) = (oflags as u16, fdflags as u16); // checked by dispatch
                                                                 // wasmtime cannot open with the sync flags (WASI preview2 has none): `ENOTSUP`.
        if fdflags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
            return Err(Errno::NOTSUP);
        }
        let (d, path) = self.dir_path(m, fd, ptr, len)?;
        let want_dir = oflags & oflags::DIRECTORY != 0;
        if want_dir && oflags & (oflags::CREAT | oflags::TRUNC) != 0 {
            return Err(Errno::INVAL);
        }
        let readable = opts_reads(base, fdflags);
        let writable = opts_writes(oflags, base, fdflags);
        let opts = open_options(oflags, fdflags, base, follows(dirflags));
        let file = d.dir.open_with(path, &opts)?;
        let md = file.metadata()?;
        if want_dir && !md.is_dir() {
            return Err(Errno::NOTDIR);
        }
        if trailing_slash(path) && !md.is_dir() {
            return Err(Errno::NOTDIR);
        }
        let kind = if md.is_dir() {
            let dir = Dir::from_std_file(file.into_std());
            Kind::Dir(DirEntry {
                dir,
                preopen: None,
                listing: None,
            })
        } else {
            Kind::File(super::fdtable::FileEntry {
                file,
                readable,
                writable,
                filetype: super::filestat::filetype_of(md.file_type()),
                position: 0,
            })
        };
        let mut entry = Entry::new(kind);
        entry.fdflags = fdflags;
        let new_fd = self.fds.insert(entry)?;
        m.write_u32(fd_out, new_fd)
    }
}

/// Write access is what the rights ask for (as wasmtime decides), or what creating,
/// truncating or appending needs.
fn opts_writes(oflags: u16, base: u64, fdflags: u16) -> bool {
    let write_rights = rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE;
    base & write_rights != 0
        || oflags & (oflags::CREAT | oflags::TRUNC) != 0
        || fdflags & fdflags::APPEND != 0
}

/// Read access when asked for, and also when nothing was (an fd for stat or seek still
/// needs some access mode on the host).
fn opts_reads(base: u64, fdflags: u16) -> bool {
    let wants_write =
        base & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE) != 0
            || fdflags & fdflags::APPEND != 0;
    base & (rights::FD_READ | rights::FD_READDIR) != 0 || !wants_write
}

fn open_options(oflags: u16, fdflags: u16, base: u64, follow: bool) -> OpenOptions {
    let mut o = OpenOptions::new();
    let write = opts_writes(oflags, base, fdflags);
    // Write access to a directory is refused by the host (EISDIR), as in wasmtime; a
    // read-only open may name a directory and then gives a directory fd.
    o.read(opts_reads(base, fdflags) || !write)
        .write(write)
        .truncate(oflags & oflags::TRUNC != 0)
        .create(oflags & oflags::CREAT != 0)
        .create_new(oflags & (oflags::CREAT | oflags::EXCL) == oflags::CREAT | oflags::EXCL);
    o._cap_fs_ext_maybe_dir(!write);
    // O_APPEND as a raw flag: cap-std, like std, refuses append together with truncate,
    // which POSIX (and so the guest's libc) allows.
    if fdflags & fdflags::APPEND != 0 {
        o.custom_flags(libc::O_APPEND);
    }
    o._cap_fs_ext_follow(if follow {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    });
    o._cap_fs_ext_nonblock(fdflags & fdflags::NONBLOCK != 0);
    o
}

/// "name/" must name a directory.
fn trailing_slash(path: &str) -> bool {
    path.ends_with('/')
}
