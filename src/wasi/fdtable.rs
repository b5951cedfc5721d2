//! The guest's file descriptor table: what each WASI fd number stands for on the host.
//!
//! Files and directories are cap-std handles, so every path the guest names later is
//! resolved beneath a directory it was given and can never climb out of it.
use super::config::{OutputSink, StdinSource};
use super::types::{filetype, rights, Errno, WasiResult};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};

pub struct Entry {
    pub kind: Kind,
    /// `fdflags` the guest set at open or with fd_fdstat_set_flags.
    pub fdflags: u16,
}

pub enum Kind {
    Stdin(StdinSource, usize),
    /// stdout (host fd 1) or stderr (host fd 2).
    Output(OutputSink, RawFd),
    File(FileEntry),
    Dir(DirEntry),
    Listener(TcpListener),
    Socket(TcpStream),
}

pub struct FileEntry {
    pub file: cap_std::fs::File,
    pub readable: bool,
    pub writable: bool,
    pub filetype: u8,
    /// The file position. Like wasmtime, rt keeps it itself (reads and writes are
    /// positioned) rather than using the host's, so any u64 position can be sought to.
    pub position: u64,
}

pub struct DirEntry {
    pub dir: cap_std::fs::Dir,
    /// The guest path of a preopened directory (what fd_prestat_dir_name reports).
    pub preopen: Option<String>,
    /// fd_readdir's listing, taken when a read starts at cookie 0 and reused for the later
    /// cookies, so entries keep their positions while the guest pages through them.
    pub listing: Option<Vec<Listed>>,
}

/// One directory entry as fd_readdir reports it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub name: Vec<u8>,
    pub ino: u64,
    pub filetype: u8,
}

impl Entry {
    pub fn new(kind: Kind) -> Entry {
        Entry { kind, fdflags: 0 }
    }

    /// The (base, inheriting) rights fd_fdstat_get reports. Like wasmtime, rt does not
    /// enforce rights (the host's own checks decide, e.g. `EBADF` for writing a read-only
    /// file); it reports what wasmtime reports, which follows from what the fd is.
    pub fn rights(&self) -> (u64, u64) {
        match &self.kind {
            Kind::Stdin(..) => (rights::FD_READ, rights::FD_READ),
            Kind::Output(..) => (rights::FD_WRITE, rights::FD_WRITE),
            Kind::File(f) => {
                let mut r = rights::ALL;
                if !f.readable {
                    r &= !(rights::FD_READ | rights::FD_READDIR);
                }
                if !f.writable {
                    r &= !rights::FD_WRITE;
                }
                (r, r)
            }
            Kind::Dir(d) if d.preopen.is_some() => {
                (rights::PREOPEN_BASE, rights::PREOPEN_INHERITING)
            }
            Kind::Dir(_) => (rights::OPENED_DIRECTORY, rights::OPENED_DIRECTORY),
            Kind::Listener(_) => (rights::SOCKET | rights::SOCK_ACCEPT, 0),
            Kind::Socket(_) => (rights::SOCKET, 0),
        }
    }

    /// The host fd behind this entry, for poll, fstat and the like (None: in-memory stdio).
    pub fn host_fd(&self) -> Option<RawFd> {
        match &self.kind {
            Kind::Stdin(StdinSource::Inherit, _) => Some(0),
            Kind::Output(OutputSink::Inherit, fd) => Some(*fd),
            Kind::File(f) => Some(f.file.as_raw_fd()),
            Kind::Dir(d) => Some(d.dir.as_raw_fd()),
            Kind::Listener(l) => Some(l.as_raw_fd()),
            Kind::Socket(s) => Some(s.as_raw_fd()),
            _ => None,
        }
    }

    pub fn filetype(&self) -> u8 {
        match &self.kind {
            Kind::File(f) => f.filetype,
            Kind::Dir(_) => filetype::DIRECTORY,
            Kind::Listener(_) | Kind::Socket(_) => filetype::SOCKET_STREAM,
            Kind::Stdin(..) | Kind::Output(..) => match self.host_fd() {
                Some(fd) => host_stream_filetype(fd),
                None => filetype::UNKNOWN,
            },
        }
    }

    pub fn dir(&self) -> WasiResult<&DirEntry> {
        match &self.kind {
            Kind::Dir(d) => Ok(d),
            _ => Err(Errno::NOTDIR),
        }
    }
}

/// What a host stdio stream is: a terminal is a character device (so the guest's isatty
/// says yes); anything else (pipes, files, /dev/null) is reported as unknown, as wasmtime
/// does.
fn host_stream_filetype(fd: RawFd) -> u8 {
    // SAFETY: isatty only inspects the fd.
    if unsafe { libc::isatty(fd) } == 1 {
        filetype::CHARACTER_DEVICE
    } else {
        filetype::UNKNOWN
    }
}

#[derive(Default)]
pub struct FdTable {
    entries: BTreeMap<u32, Entry>,
    /// Numbers given back by fd_close / fd_renumber, reused highest first (wasmtime's
    /// order, which guests can observe), before any number never used.
    free: BTreeSet<u32>,
    /// The lowest number never handed out.
    next: u32,
}

impl FdTable {
    pub fn stdio(stdin: StdinSource, stdout: OutputSink, stderr: OutputSink) -> FdTable {
        let mut t = FdTable::default();
        t.entries.insert(0, Entry::new(Kind::Stdin(stdin, 0)));
        t.entries.insert(1, Entry::new(Kind::Output(stdout, 1)));
        t.entries.insert(2, Entry::new(Kind::Output(stderr, 2)));
        t.next = 3;
        t
    }

    /// Give `entry` a number: the highest one freed earlier, else the next never used.
    pub fn insert(&mut self, entry: Entry) -> WasiResult<u32> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => {
                let fd = self.next;
                self.next = fd.checked_add(1).ok_or(Errno::MFILE)?;
                fd
            }
        };
        self.entries.insert(fd, entry);
        Ok(fd)
    }

    pub fn get(&self, fd: u32) -> WasiResult<&Entry> {
        self.entries.get(&fd).ok_or(Errno::BADF)
    }

    pub fn get_mut(&mut self, fd: u32) -> WasiResult<&mut Entry> {
        self.entries.get_mut(&fd).ok_or(Errno::BADF)
    }

    pub fn remove(&mut self, fd: u32) -> WasiResult<Entry> {
        let entry = self.entries.remove(&fd).ok_or(Errno::BADF)?;
        self.free.insert(fd);
        Ok(entry)
    }

    /// fd_renumber: `to` must be open; it is closed and `from` takes its number.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult {
        self.get(from)?;
        self.get(to)?;
        if from != to {
            let entry = self.remove(from)?;
            self.entries.insert(to, entry);
            self.free.remove(&to);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn null_table() -> FdTable {
        FdTable::stdio(
            StdinSource::Bytes(vec![]),
            OutputSink::Null,
            OutputSink::Null,
        )
    }

    #[test]
    fn freed_numbers_are_reused_highest_first_like_wasmtime() {
        let mut t = null_table();
        let open = |t: &mut FdTable| {
            t.insert(Entry::new(Kind::Output(OutputSink::Null, 1)))
                .unwrap()
        };
        assert_eq!([open(&mut t), open(&mut t), open(&mut t)], [3, 4, 5]);
        for fd in [3, 5, 4] {
            t.remove(fd).unwrap();
        }
        assert_eq!(
            [open(&mut t), open(&mut t), open(&mut t), open(&mut t)],
            [5, 4, 3, 6]
        );
        t.renumber(5, 3).unwrap();
        assert_eq!(open(&mut t), 5, "renumber frees the source number");
        t.remove(0).unwrap();
        assert_eq!(open(&mut t), 0);
    }

    #[test]
    fn renumber_needs_both_open() {
        let mut t = null_table();
        assert_eq!(t.renumber(1, 9), Err(Errno::BADF));
        assert_eq!(t.renumber(9, 1), Err(Errno::BADF));
        t.renumber(2, 1).unwrap();
        assert!(t.get(2).is_err());
        assert!(t.get(1).is_ok());
    }
}
