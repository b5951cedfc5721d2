//! Unit tests that drive [`WasiCtx::call`] the way the runtime will: raw arguments and a
//! plain byte vector for linear memory, against a temporary directory preopened as
//! `/sandbox` (fd 3) with stdout and stderr captured.
mod basics;
mod dirs;
mod files;
mod poll_sock;
mod sandbox;

use super::types::Errno;
use super::{Outcome, OutputSink, StdinSource, WasiConfig, WasiCtx};
use std::sync::{Arc, Mutex};

pub const SANDBOX: u64 = 3;
/// Rights wasi-libc asks for when it opens a file for reading and writing.
pub const ALL_RIGHTS: u64 = (1 << 30) - 1;

pub struct Harness {
    pub ctx: WasiCtx,
    pub mem: Vec<u8>,
    pub stdout: Arc<Mutex<Vec<u8>>>,
    pub stderr: Arc<Mutex<Vec<u8>>>,
    pub dir: tempfile::TempDir,
    next: u32,
}

pub fn harness() -> Harness {
    harness_with(|_| {})
}

/// A harness whose config `tweak` may adjust (args, env, stdin, more preopens).
pub fn harness_with(tweak: impl FnOnce(&mut WasiConfig)) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let mut cfg = WasiConfig {
        args: vec!["prog".into()],
        preopens: vec![(dir.path().to_path_buf(), "/sandbox".into())],
        stdin: StdinSource::Bytes(Vec::new()),
        stdout: OutputSink::Capture(stdout.clone()),
        stderr: OutputSink::Capture(stderr.clone()),
        ..WasiConfig::default()
    };
    tweak(&mut cfg);
    let ctx = WasiCtx::new(cfg).expect("WasiCtx::new");
    Harness {
        ctx,
        mem: vec![0; 65536],
        stdout,
        stderr,
        dir,
        next: 1024,
    }
}

impl Harness {
    /// Call and expect a plain return; gives the errno.
    pub fn call(&mut self, name: &str, args: &[u64]) -> Errno {
        match self.ctx.call(&mut self.mem, name, args) {
            Outcome::Return(e) => Errno(e as u16),
            other => panic!("{name} did not return: {other:?}"),
        }
    }

    pub fn ok(&mut self, name: &str, args: &[u64]) {
        assert_eq!(self.call(name, args), Errno::SUCCESS, "{name}{args:?}");
    }

    /// Reserve `len` bytes of scratch memory (8-aligned) and return the address.
    pub fn alloc(&mut self, len: u32) -> u64 {
        let at = self.next;
        self.next = (self.next + len + 7) & !7;
        assert!(
            self.next < self.mem.len() as u32,
            "test scratch memory exhausted"
        );
        at as u64
    }

    /// Put `bytes` in memory; returns (ptr, len) ready to pass.
    pub fn bytes(&mut self, bytes: &[u8]) -> (u64, u64) {
        let at = self.alloc(bytes.len() as u32);
        self.mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        (at, bytes.len() as u64)
    }

    pub fn str(&mut self, s: &str) -> (u64, u64) {
        self.bytes(s.as_bytes())
    }

    /// One iovec naming `data` (copied in) or, with `data` empty, `cap` fresh bytes.
    pub fn iovec(&mut self, data: &[u8], cap: u32) -> (u64, u64) {
        let (buf, len) = if data.is_empty() {
            (self.alloc(cap), cap as u64)
        } else {
            self.bytes(data)
        };
        let vec = self.alloc(8);
        self.put_u32(vec, buf as u32);
        self.put_u32(vec + 4, len as u32);
        (vec, buf)
    }

    pub fn u32_at(&self, at: u64) -> u32 {
        u32::from_le_bytes(self.mem[at as usize..at as usize + 4].try_into().unwrap())
    }
    pub fn u64_at(&self, at: u64) -> u64 {
        u64::from_le_bytes(self.mem[at as usize..at as usize + 8].try_into().unwrap())
    }
    pub fn u16_at(&self, at: u64) -> u16 {
        u16::from_le_bytes(self.mem[at as usize..at as usize + 2].try_into().unwrap())
    }
    pub fn put_u32(&mut self, at: u64, v: u32) {
        self.mem[at as usize..at as usize + 4].copy_from_slice(&v.to_le_bytes());
    }
    pub fn put_u64(&mut self, at: u64, v: u64) {
        self.mem[at as usize..at as usize + 8].copy_from_slice(&v.to_le_bytes());
    }
    pub fn slice(&self, at: u64, len: usize) -> &[u8] {
        &self.mem[at as usize..at as usize + len]
    }

    /// path_open beneath `dirfd`; Ok(new fd) or the errno.
    pub fn open_at(
        &mut self,
        dirfd: u64,
        path: &str,
        dirflags: u64,
        oflags: u64,
        rights: u64,
        fdflags: u64,
    ) -> Result<u64, Errno> {
        let (p, l) = self.str(path);
        let out = self.alloc(4);
        match self.call(
            "path_open",
            &[
                dirfd, dirflags, p, l, oflags, rights, ALL_RIGHTS, fdflags, out,
            ],
        ) {
            Errno::SUCCESS => Ok(self.u32_at(out) as u64),
            e => Err(e),
        }
    }

    /// Open a directory the way wasi-libc's opendir does: O_DIRECTORY, read rights only
    /// (asking to write a directory is EISDIR).
    pub fn open_dir(&mut self, dirfd: u64, path: &str) -> Result<u64, Errno> {
        let read = crate::wasi::types::rights::FD_READ | crate::wasi::types::rights::FD_READDIR;
        let directory = crate::wasi::types::oflags::DIRECTORY as u64;
        self.open_at(dirfd, path, 1, directory, read, 0)
    }

    /// Open in the sandbox, following symlinks, with every right.
    pub fn open(&mut self, path: &str, oflags: u64) -> Result<u64, Errno> {
        self.open_at(SANDBOX, path, 1, oflags, ALL_RIGHTS, 0)
    }

    pub fn write_fd(&mut self, fd: u64, data: &[u8]) -> Errno {
        let (iov, _) = self.iovec(data, 0);
        let n = self.alloc(4);
        let e = self.call("fd_write", &[fd, iov, 1, n]);
        if e == Errno::SUCCESS {
            assert_eq!(self.u32_at(n) as usize, data.len());
        }
        e
    }

    /// fd_read up to `cap` bytes.
    pub fn read_fd(&mut self, fd: u64, cap: u32) -> Result<Vec<u8>, Errno> {
        let (iov, buf) = self.iovec(&[], cap);
        let n = self.alloc(4);
        match self.call("fd_read", &[fd, iov, 1, n]) {
            Errno::SUCCESS => Ok(self.slice(buf, self.u32_at(n) as usize).to_vec()),
            e => Err(e),
        }
    }

    /// A path-only call (create_directory, remove_directory, unlink_file) on the sandbox.
    pub fn path_call(&mut self, name: &str, path: &str) -> Errno {
        let (p, l) = self.str(path);
        self.call(name, &[SANDBOX, p, l])
    }

    pub fn captured_stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    pub fn host(&self, rel: &str) -> std::path::PathBuf {
        self.dir.path().join(rel)
    }
}
