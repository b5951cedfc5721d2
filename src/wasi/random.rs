//! random_get: the host's CSPRNG (getrandom(2)), as wasmtime uses.
use super::host_errno;
use super::memory::GuestMemory;
use super::types::WasiResult;
use super::WasiCtx;

/// Fill `buf` from getrandom(2), retrying short reads and interruptions.
pub fn fill(buf: &mut [u8]) -> WasiResult {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: getrandom writes at most rest.len() bytes into rest.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(host_errno::from_io(&err));
        }
        done += n as usize;
    }
    Ok(())
}

impl WasiCtx {
    pub(super) fn random_get(&mut self, m: &mut GuestMemory, buf: u32, len: u32) -> WasiResult {
        fill(m.slice_mut(buf, len)?)
    }
}
