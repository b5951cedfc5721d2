//! Bounds-checked access to the guest's linear memory. Every pointer and length the guest
//! passes goes through here: out of range is `EFAULT`, never a host panic. Values are
//! little-endian as Wasm requires.
use super::types::{Errno, WasiResult};

pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

/// One `iovec`/`ciovec` read from guest memory: where and how long.
#[derive(Clone, Copy, Debug)]
pub struct IoVec {
    pub ptr: u32,
    pub len: u32,
}

impl<'a> GuestMemory<'a> {
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    fn range(&self, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::FAULT)?;
        if end > self.bytes.len() {
            return Err(Errno::FAULT);
        }
        Ok(start..end)
    }

    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.slice(ptr, N as u32)?);
        Ok(out)
    }

    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }
    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }
    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }
    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    pub fn write(&mut self, ptr: u32, data: &[u8]) -> WasiResult {
        self.slice_mut(ptr, data.len() as u32)?
            .copy_from_slice(data);
        Ok(())
    }
    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WasiResult {
        self.write(ptr, &[v])
    }
    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WasiResult {
        self.write(ptr, &v.to_le_bytes())
    }
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult {
        self.write(ptr, &v.to_le_bytes())
    }
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A guest string (`ptr`, `len`); WASI strings are UTF-8, anything else is `EILSEQ`.
    pub fn read_str(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::ILSEQ)
    }

    /// The `count` iovecs at `ptr`, each checked to lie inside memory.
    pub fn iovecs(&self, ptr: u32, count: u32) -> WasiResult<Vec<IoVec>> {
        let table = self.slice(ptr, count.checked_mul(8).ok_or(Errno::FAULT)?)?;
        let vecs: Vec<IoVec> = table
            .chunks_exact(8)
            .map(|c| IoVec {
                ptr: u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                len: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
            })
            .collect();
        for v in &vecs {
            self.range(v.ptr, v.len)?;
        }
        Ok(vecs)
    }

    /// Host iovecs for the guest iovecs `vecs` (each bounds-checked), empty ones left out.
    /// They are raw pointers derived from one base pointer, never Rust references, so guest
    /// iovecs that overlap stay sound; they are valid while this memory is borrowed.
    pub fn host_iovecs(&mut self, vecs: &[IoVec]) -> WasiResult<Vec<libc::iovec>> {
        let mut out = Vec::with_capacity(vecs.len());
        for v in vecs {
            let r = self.range(v.ptr, v.len)?;
            if !r.is_empty() {
                out.push(r);
            }
        }
        let base = self.bytes.as_mut_ptr();
        Ok(out
            .into_iter()
            // SAFETY: every range was checked to lie inside the memory `base` points to.
            .map(|r| libc::iovec {
                iov_base: unsafe { base.add(r.start) }.cast(),
                iov_len: r.len(),
            })
            .collect())
    }

    /// Concatenate the bytes the iovecs name (for writes).
    pub fn gather(&self, vecs: &[IoVec]) -> WasiResult<Vec<u8>> {
        let mut out = Vec::new();
        for v in vecs {
            out.extend_from_slice(self.slice(v.ptr, v.len)?);
        }
        Ok(out)
    }

    /// Spread `data` over the iovecs in order (for reads); returns how much was placed.
    pub fn scatter(&mut self, vecs: &[IoVec], mut data: &[u8]) -> WasiResult<usize> {
        let mut placed = 0;
        for v in vecs {
            if data.is_empty() {
                break;
            }
            let n = data.len().min(v.len as usize);
            self.write(v.ptr, &data[..n])?;
            data = &data[n..];
            placed += n;
        }
        Ok(placed)
    }
}

/// Total length the iovecs describe; more than u32 can express is `EINVAL`, as for readv.
pub fn total_len(vecs: &[IoVec]) -> WasiResult<usize> {
    let total: u64 = vecs.iter().map(|v| v.len as u64).sum();
    if total > u32::MAX as u64 {
        return Err(Errno::INVAL);
    }
    Ok(total as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_efault() {
        let mut bytes = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut bytes);
        assert_eq!(m.read_u32(13), Err(Errno::FAULT));
        assert_eq!(m.read_u64(u32::MAX), Err(Errno::FAULT));
        assert_eq!(m.write_u32(14, 1), Err(Errno::FAULT));
        assert!(m.write_u32(12, 0xdeadbeef).is_ok());
        assert_eq!(m.read_u32(12), Ok(0xdeadbeef));
    }

    #[test]
    fn iovecs_are_checked_when_read() {
        let mut bytes = vec![0u8; 64];
        bytes[0..4].copy_from_slice(&32u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&40u32.to_le_bytes()); // 32 + 40 > 64
        let m = GuestMemory::new(&mut bytes);
        assert_eq!(m.iovecs(0, 1).unwrap_err(), Errno::FAULT);
        assert_eq!(m.iovecs(60, 1).unwrap_err(), Errno::FAULT);
        assert_eq!(m.iovecs(0, u32::MAX).unwrap_err(), Errno::FAULT);
    }

    #[test]
    fn strings_must_be_utf8() {
        let mut bytes = vec![0xffu8, b'a'];
        let m = GuestMemory::new(&mut bytes);
        assert_eq!(m.read_str(0, 2), Err(Errno::ILSEQ));
        assert_eq!(m.read_str(1, 1), Ok("a"));
    }
}
