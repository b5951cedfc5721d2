//! The guest's file descriptor table: what each WASI fd number stands for on the host.
//!
//! Files and directories are cap-std handles, so every path the guest names later is
//! resolved beneath a directory it was given and can never climb out of it.
use super::config::{OutputSink, StdinSource};
use super::types::{filetype, rights, Errno, WasiResult};
use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};

pub struct Entry {
    pub kind: Kind,
    pub rights_base: u64,
    pub rights_inheriting: u64,
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
    pub fn new(kind: Kind, rights_base: u64, rights_inheriting: u64) -> Entry {
        Entry {
            kind,
            rights_base,
            rights_inheriting,
            fdflags: 0,
        }
    }

    /// Refuse an operation the fd's rights do not include.
    pub fn require(&self, needed: u64) -> WasiResult {
        if self.rights_base & needed == needed {
            Ok(())
        } else {
            Err(Errno::NOTCAPABLE)
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
/// says yes), a socket a stream socket, anything else (pipes, files) unknown.
fn host_stream_filetype(fd: RawFd) -> u8 {
    // SAFETY: fstat only writes into the zeroed stat buffer we own.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return filetype::UNKNOWN;
    }
    match st.st_mode & libc::S_IFMT {
        libc::S_IFCHR => filetype::CHARACTER_DEVICE,
        libc::S_IFSOCK => filetype::SOCKET_STREAM,
        _ => filetype::UNKNOWN,
    }
}

#[derive(Default)]
pub struct FdTable {
    entries: BTreeMap<u32, Entry>,
}

impl FdTable {
    pub fn stdio(stdin: StdinSource, stdout: OutputSink, stderr: OutputSink) -> FdTable {
        let mut t = FdTable::default();
        t.entries.insert(
            0,
            Entry::new(Kind::Stdin(stdin, 0), rights::STREAM & !rights::FD_WRITE, 0),
        );
        t.entries.insert(
            1,
            Entry::new(
                Kind::Output(stdout, 1),
                rights::STREAM & !rights::FD_READ,
                0,
            ),
        );
        t.entries.insert(
            2,
            Entry::new(
                Kind::Output(stderr, 2),
                rights::STREAM & !rights::FD_READ,
                0,
            ),
        );
        t
    }

    /// Put `entry` at the lowest free number, as POSIX open does.
    pub fn insert(&mut self, entry: Entry) -> WasiResult<u32> {
        let mut fd = 0u32;
        for &used in self.entries.keys() {
            if used != fd {
                break;
            }
            fd = fd.checked_add(1).ok_or(Errno::MFILE)?;
        }
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
        self.entries.remove(&fd).ok_or(Errno::BADF)
    }

    /// fd_renumber: `to` must be open; it is closed and `from` takes its number.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult {
        self.get(from)?;
        self.get(to)?;
        if from != to {
            let entry = self.remove(from)?;
            self.entries.insert(to, entry);
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
    fn lowest_free_number_is_reused() {
        let mut t = null_table();
        let a = t
            .insert(Entry::new(Kind::Output(OutputSink::Null, 1), 0, 0))
            .unwrap();
        let b = t
            .insert(Entry::new(Kind::Output(OutputSink::Null, 1), 0, 0))
            .unwrap();
        assert_eq!((a, b), (3, 4));
        t.remove(3).unwrap();
        assert_eq!(
            t.insert(Entry::new(Kind::Output(OutputSink::Null, 1), 0, 0))
                .unwrap(),
            3
        );
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
