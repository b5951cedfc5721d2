//! WASI preview1 (and the older wasi_unstable) for rt, independent of the runtime: the
//! runtime's linker calls [`WasiCtx::call`] with the raw arguments of an import and the
//! guest's linear memory, and gets back an errno, an exit request, or a trap.
//!
//! The file system is reached only through cap-std, so `..`, absolute paths and symlinks
//! cannot lead out of a preopened directory. Guest pointers are bounds-checked
//! (`memory`); a bad one is `EFAULT`. With `RUST_LOG=rt::wasi=trace` every call is logged
//! with its decoded arguments and result.

// The implementations mirror the WASI signatures, several of which take 8 or 9 arguments.
#![allow(clippy::too_many_arguments)]

mod args_env;
mod clocks;
mod config;
mod dispatch;
mod fd_io;
mod fd_meta;
mod fdtable;
mod filestat;
mod host_errno;
mod hostio;
pub mod link;
mod memory;
mod path;
mod poll;
mod proc;
mod random;
mod readdir;
mod signatures;
mod sockets;
mod stdio;
mod trace;
pub mod types;

#[cfg(test)]
mod tests;

pub use config::{OutputSink, StdinSource, WasiConfig};
pub use signatures::{provides, signature, signatures, PREVIEW1, UNSTABLE};

use fdtable::{DirEntry, Entry, FdTable, Kind};
use signatures::Func;

/// What a WASI call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The call returned this errno (0 is success) to the guest.
    Return(i32),
    /// proc_exit(code): stop the instance and exit with `code`. Output is already flushed.
    Exit(i32),
    /// The guest must stop with a trap carrying this message.
    Trap(String),
}

/// Which module's struct layouts and enum numbering a call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    Preview1,
    Unstable,
}

/// The state of one WASI instance: its arguments, environment and descriptor table.
pub struct WasiCtx {
    args: Vec<String>,
    env: Vec<String>,
    fds: FdTable,
}

impl WasiCtx {
    /// Open every preopened directory now, so a missing or unreadable `--dir` is an error
    /// before the guest starts rather than an errno in the middle of it.
    pub fn new(cfg: WasiConfig) -> Result<WasiCtx, String> {
        let mut fds = FdTable::stdio(cfg.stdin, cfg.stdout, cfg.stderr);
        for (host, guest) in &cfg.preopens {
            let dir = cap_std::fs::Dir::open_ambient_dir(host, cap_std::ambient_authority())
                .map_err(|e| format!("--dir {}: cannot open the directory: {e}", host.display()))?;
            let entry = DirEntry {
                dir,
                preopen: Some(guest.clone()),
                listing: None,
            };
            fds.insert(Entry::new(Kind::Dir(entry)))
                .map_err(|_| "too many preopened directories".to_string())?;
        }
        for listener in cfg.listeners {
            fds.insert(Entry::new(Kind::Listener(listener)))
                .map_err(|_| "too many preopened sockets".to_string())?;
        }
        let env = cfg.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Ok(WasiCtx {
            args: cfg.args,
            env,
            fds,
        })
    }

    /// Call the wasi_snapshot_preview1 function `name` with its raw arguments (an i32 as a
    /// u32 in a u64, an i64 as a u64) against the guest's memory.
    pub fn call(&mut self, mem: &mut [u8], name: &str, args: &[u64]) -> Outcome {
        self.call_module(PREVIEW1, mem, name, args)
    }

    /// Like [`WasiCtx::call`] for an import from `module` (`wasi_snapshot_preview1` or
    /// `wasi_unstable`; the latter numbers `whence` and lays out filestat and subscriptions
    /// its own way).
    pub fn call_module(
        &mut self,
        module: &str,
        mem: &mut [u8],
        name: &str,
        args: &[u64],
    ) -> Outcome {
        match WasiImport::resolve(module, name) {
            Some(import) => self.call_import(import, mem, args),
            None => Outcome::Trap(format!("unknown WASI function `{module}.{name}`")),
        }
    }

    /// Call a resolved import: the fast path for a linker that resolves each import once.
    pub fn call_import(&mut self, import: WasiImport, mem: &mut [u8], args: &[u64]) -> Outcome {
        if !trace::enabled() {
            return dispatch::dispatch(self, import.abi, mem, import.func, args);
        }
        let call = trace::describe_call(mem, import.func.name(), args);
        let outcome = dispatch::dispatch(self, import.abi, mem, import.func, args);
        trace::log_result(&call, &outcome);
        outcome
    }
}

/// A WASI import resolved once (module and function), for [`WasiCtx::call_import`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WasiImport {
    func: Func,
    abi: Abi,
}

impl WasiImport {
    /// `module`.`name` if WASI provides it.
    pub fn resolve(module: &str, name: &str) -> Option<WasiImport> {
        let abi = match module {
            PREVIEW1 => Abi::Preview1,
            UNSTABLE => Abi::Unstable,
            _ => return None,
        };
        if !provides(module, name) {
            return None;
        }
        Some(WasiImport {
            func: Func::at(signatures::index_of(name)?),
            abi,
        })
    }

    pub fn name(self) -> &'static str {
        self.func.name()
    }
}
