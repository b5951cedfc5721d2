//! `filestat` built from host metadata and written in either module's layout, and the
//! `fstflags` time arguments of the *_set_times calls.
use super::memory::GuestMemory;
use super::types::{filetype, fstflags, layout, Errno, WasiResult};
use super::Abi;
use cap_std::fs::{FileTypeExt, Metadata, MetadataExt};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

fn ns(secs: i64, nsec: i64) -> u64 {
    (secs as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(nsec as u64)
}

/// The device number every file shows the guest, as in wasmtime.
pub const GUEST_DEV: u64 = 1;

/// The inode number the guest sees: wasmtime's, a 64-bit hash of the host's device and
/// inode (std's `DefaultHasher`), so it identifies a file without showing host numbers
/// and matches what programs see under wasmtime.
pub fn guest_ino(md: &Metadata) -> u64 {
    hash_dev_ino(md.dev(), md.ino())
}

pub fn hash_dev_ino(dev: u64, ino: u64) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write_u64(dev);
    h.write_u64(ino);
    h.finish()
}

pub fn filetype_of(ft: cap_std::fs::FileType) -> u8 {
    if ft.is_dir() {
        filetype::DIRECTORY
    } else if ft.is_file() {
        filetype::REGULAR_FILE
    } else if ft.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if ft.is_block_device() {
        filetype::BLOCK_DEVICE
    } else if ft.is_char_device() {
        filetype::CHARACTER_DEVICE
    } else if ft.is_socket() {
        filetype::SOCKET_STREAM
    } else {
        filetype::UNKNOWN
    }
}

impl Filestat {
    pub fn from_metadata(md: &Metadata) -> Filestat {
        Filestat {
            dev: GUEST_DEV,
            ino: guest_ino(md),
            filetype: filetype_of(md.file_type()),
            nlink: md.nlink(),
            size: md.len(),
            atim: ns(md.atime(), md.atime_nsec()),
            mtim: ns(md.mtime(), md.mtime_nsec()),
            ctim: ns(md.ctime(), md.ctime_nsec()),
        }
    }

    /// Write at `ptr` in `abi`'s layout (wasi_unstable's nlink was a u32).
    pub fn write(&self, m: &mut GuestMemory, ptr: u32, abi: Abi) -> WasiResult {
        let (size, nlink_at, rest_at) = match abi {
            Abi::Preview1 => (layout::FILESTAT_SIZE, 24, 32),
            Abi::Unstable => (layout::FILESTAT_UNSTABLE_SIZE, 20, 24),
        };
        let mut buf = vec![0u8; size as usize];
        buf[0..8].copy_from_slice(&self.dev.to_le_bytes());
        buf[8..16].copy_from_slice(&self.ino.to_le_bytes());
        buf[16] = self.filetype;
        match abi {
            Abi::Preview1 => buf[nlink_at..nlink_at + 8].copy_from_slice(&self.nlink.to_le_bytes()),
            Abi::Unstable => {
                let nlink = self.nlink.min(u32::MAX as u64) as u32;
                buf[nlink_at..nlink_at + 4].copy_from_slice(&nlink.to_le_bytes())
            }
        }
        for (i, v) in [self.size, self.atim, self.mtim, self.ctim]
            .iter()
            .enumerate()
        {
            let at = rest_at + 8 * i;
            buf[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        m.write(ptr, &buf)
    }
}

/// One side (access or modification) of a set_times call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeChange {
    Keep,
    Now,
    At(u64),
}

/// Decode `fstflags`: asking for both a value and "now" for the same time is `EINVAL`.
pub fn time_changes(atim: u64, mtim: u64, flags: u32) -> WasiResult<(TimeChange, TimeChange)> {
    let flags = u16::try_from(flags).map_err(|_| Errno::INVAL)?;
    let known = fstflags::ATIM | fstflags::ATIM_NOW | fstflags::MTIM | fstflags::MTIM_NOW;
    if flags & !known != 0 {
        return Err(Errno::INVAL);
    }
    let one = |value: u64, set: u16, now: u16| match (flags & set != 0, flags & now != 0) {
        (true, true) => Err(Errno::INVAL),
        (true, false) => Ok(TimeChange::At(value)),
        (false, true) => Ok(TimeChange::Now),
        (false, false) => Ok(TimeChange::Keep),
    };
    Ok((
        one(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        one(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ))
}

impl TimeChange {
    /// As a `timespec` for futimens/utimensat.
    pub fn timespec(self) -> libc::timespec {
        match self {
            TimeChange::Keep => libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_OMIT,
            },
            TimeChange::Now => libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_NOW,
            },
            TimeChange::At(ns) => libc::timespec {
                tv_sec: (ns / 1_000_000_000) as libc::time_t,
                tv_nsec: (ns % 1_000_000_000) as libc::c_long,
            },
        }
    }

    /// As cap-primitives' spec for its sandboxed set_times.
    pub fn system_time_spec(self) -> Option<cap_primitives::fs::SystemTimeSpec> {
        use cap_primitives::fs::SystemTimeSpec;
        match self {
            TimeChange::Keep => None,
            TimeChange::Now => Some(SystemTimeSpec::SymbolicNow),
            TimeChange::At(ns) => {
                let t = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns);
                Some(SystemTimeSpec::Absolute(
                    cap_primitives::time::SystemTime::from_std(t),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_layouts() {
        let st = Filestat {
            dev: 1,
            ino: 2,
            filetype: 4,
            nlink: 3,
            size: 5,
            atim: 6,
            mtim: 7,
            ctim: 8,
        };
        let mut bytes = vec![0xaau8; 64];
        st.write(&mut GuestMemory::new(&mut bytes), 0, Abi::Preview1)
            .unwrap();
        let u64_at = |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
        assert_eq!(bytes[16], 4);
        assert_eq!(
            [u64_at(&bytes, 24), u64_at(&bytes, 32), u64_at(&bytes, 56)],
            [3, 5, 8]
        );
        let mut old = vec![0xaau8; 64];
        st.write(&mut GuestMemory::new(&mut old), 0, Abi::Unstable)
            .unwrap();
        assert_eq!(u32::from_le_bytes(old[20..24].try_into().unwrap()), 3);
        assert_eq!([u64_at(&old, 24), u64_at(&old, 48)], [5, 8]);
        assert_eq!(old[56], 0xaa, "unstable filestat is 56 bytes");
    }

    #[test]
    fn inodes_are_hashed_as_wasmtime_hashes_them() {
        // Observed under wasmtime for host device 65024, inode 10135046.
        assert_eq!(hash_dev_ino(65024, 10135046), 7404773045449145004);
        assert_ne!(hash_dev_ino(65024, 10135047), hash_dev_ino(65024, 10135046));
    }

    #[test]
    fn fstflags_conflicts() {
        assert_eq!(
            time_changes(1, 2, 0),
            Ok((TimeChange::Keep, TimeChange::Keep))
        );
        assert_eq!(
            time_changes(1, 2, 1 | 8),
            Ok((TimeChange::At(1), TimeChange::Now))
        );
        assert_eq!(time_changes(1, 2, 1 | 2), Err(Errno::INVAL));
        assert_eq!(time_changes(1, 2, 4 | 8), Err(Errno::INVAL));
        assert_eq!(time_changes(1, 2, 16), Err(Errno::INVAL));
    }
}
