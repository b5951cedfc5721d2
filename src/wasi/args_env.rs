//! args_* and environ_*: both lay out a list of NUL-terminated strings the same way, an
//! array of pointers plus one buffer holding the strings back to back.
use super::memory::GuestMemory;
use super::types::{Errno, WasiResult};
use super::WasiCtx;

/// Write `items` as C strings into `buf` and their addresses into `ptrs`.
fn write_strings(m: &mut GuestMemory, items: &[String], ptrs: u32, buf: u32) -> WasiResult {
    let mut at = buf;
    for (i, item) in items.iter().enumerate() {
        let slot = ptrs.checked_add(4 * i as u32).ok_or(Errno::FAULT)?;
        m.write_u32(slot, at)?;
        m.write(at, item.as_bytes())?;
        let nul = at.checked_add(item.len() as u32).ok_or(Errno::FAULT)?;
        m.write_u8(nul, 0)?;
        at = nul.checked_add(1).ok_or(Errno::FAULT)?;
    }
    Ok(())
}

/// Write the count and the total buffer size (each string plus its NUL).
fn write_sizes(m: &mut GuestMemory, items: &[String], count_out: u32, size_out: u32) -> WasiResult {
    let size: usize = items.iter().map(|s| s.len() + 1).sum();
    m.write_u32(count_out, items.len() as u32)?;
    m.write_u32(size_out, u32::try_from(size).map_err(|_| Errno::OVERFLOW)?)
}

impl WasiCtx {
    pub(super) fn args_get(&mut self, m: &mut GuestMemory, argv: u32, buf: u32) -> WasiResult {
        write_strings(m, &self.args, argv, buf)
    }

    pub(super) fn args_sizes_get(
        &mut self,
        m: &mut GuestMemory,
        argc: u32,
        size: u32,
    ) -> WasiResult {
        write_sizes(m, &self.args, argc, size)
    }

    pub(super) fn environ_get(&mut self, m: &mut GuestMemory, env: u32, buf: u32) -> WasiResult {
        write_strings(m, &self.env, env, buf)
    }

    pub(super) fn environ_sizes_get(
        &mut self,
        m: &mut GuestMemory,
        count: u32,
        size: u32,
    ) -> WasiResult {
        write_sizes(m, &self.env, count, size)
    }
}
