//! fd_readdir: a directory's entries as packed `dirent` headers, each followed by its name.
//! Like wasmtime, the listing starts with `.` and `..`; a cookie is the index of the next
//! entry, and the last entry is cut off when the buffer is full (the guest then retries
//! from that cookie with a bigger buffer, which is how wasi-libc knows to grow it).
use super::fdtable::{Kind, Listed};
use super::filestat::{filetype_of, guest_ino, hash_dev_ino};
use super::memory::GuestMemory;
use super::types::{filetype, layout, Errno, WasiResult};
use super::WasiCtx;
use cap_std::fs::{Dir, MetadataExt};
use std::os::unix::fs::DirEntryExt;

fn list(dir: &Dir) -> WasiResult<Vec<Listed>> {
    let dir_md = dir.dir_metadata()?;
    let own_ino = guest_ino(&dir_md);
    let mut out = vec![
        Listed {
            name: b".".to_vec(),
            ino: own_ino,
            filetype: filetype::DIRECTORY,
        },
        // The parent may lie outside the sandbox, so it is not looked at: `..` shows the
        // directory's own inode (non-zero, as wasmtime's is).
        Listed {
            name: b"..".to_vec(),
            ino: own_ino,
            filetype: filetype::DIRECTORY,
        },
    ];
    for entry in dir.entries()? {
        let entry = entry?;
        let ft = entry
            .file_type()
            .map(filetype_of)
            .unwrap_or(filetype::UNKNOWN);
        // The inode as path_filestat_get shows it (wasmtime stats each entry the same way);
        // if the entry vanished meanwhile, hash the directory's device with its d_ino.
        let ino = match dir.symlink_metadata(entry.file_name()) {
            Ok(md) => guest_ino(&md),
            Err(_) => hash_dev_ino(dir_md.dev(), entry.ino()),
        };
        let name = entry.file_name().into_encoded_bytes();
        out.push(Listed {
            name,
            ino,
            filetype: ft,
        });
    }
    Ok(out)
}

fn encode(listing: &[Listed], cookie: u64, buf_len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, e) in listing.iter().enumerate().skip(start) {
        if out.len() >= buf_len {
            break;
        }
        let mut header = [0u8; layout::DIRENT_SIZE as usize];
        header[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        header[8..16].copy_from_slice(&e.ino.to_le_bytes());
        header[16..20].copy_from_slice(&(e.name.len() as u32).to_le_bytes());
        header[20] = e.filetype;
        out.extend_from_slice(&header);
        out.extend_from_slice(&e.name);
    }
    out.truncate(buf_len);
    out
}

impl WasiCtx {
    pub(super) fn fd_readdir(
        &mut self,
        m: &mut GuestMemory,
        fd: u32,
        buf: u32,
        buf_len: u32,
        cookie: u64,
        used_out: u32,
    ) -> WasiResult {
        m.slice(buf, buf_len)?;
        // Only directories can be listed; anything else is `EBADF`, as in wasmtime.
        let Kind::Dir(d) = &mut self.fds.get_mut(fd)?.kind else {
            return Err(Errno::BADF);
        };
        if cookie == 0 || d.listing.is_none() {
            d.listing = Some(list(&d.dir)?);
        }
        let bytes = encode(
            d.listing.as_deref().unwrap_or(&[]),
            cookie,
            buf_len as usize,
        );
        m.write(buf, &bytes)?;
        m.write_u32(used_out, bytes.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_truncation() {
        let listing = vec![
            Listed {
                name: b"a".to_vec(),
                ino: 7,
                filetype: filetype::REGULAR_FILE,
            },
            Listed {
                name: b"bcd".to_vec(),
                ino: 8,
                filetype: filetype::DIRECTORY,
            },
        ];
        let all = encode(&listing, 0, 1000);
        assert_eq!(all.len(), 24 + 1 + 24 + 3);
        assert_eq!(u64::from_le_bytes(all[0..8].try_into().unwrap()), 1);
        assert_eq!(all[20], filetype::REGULAR_FILE);
        assert_eq!(&all[24..25], b"a");
        let second = encode(&listing, 1, 1000);
        assert_eq!(u64::from_le_bytes(second[0..8].try_into().unwrap()), 2);
        assert_eq!(&second[24..], b"bcd");
        assert_eq!(
            encode(&listing, 0, 30).len(),
            30,
            "a full buffer is filled to the end"
        );
        assert!(encode(&listing, 5, 100).is_empty());
    }
}
