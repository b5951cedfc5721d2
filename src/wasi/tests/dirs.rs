//! Directories and names: readdir, mkdir/rmdir, unlink, rename, link, symlink, readlink,
//! path_filestat_*.
use super::*;
use crate::wasi::types::{filetype, fstflags, oflags, rights, LOOKUP_SYMLINK_FOLLOW};

/// Parse fd_readdir output into (d_next, name, type) triples.
fn dirents(bytes: &[u8]) -> Vec<(u64, String, u8)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 24 <= bytes.len() {
        let next = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
        let len = u32::from_le_bytes(bytes[at + 16..at + 20].try_into().unwrap()) as usize;
        let name =
            String::from_utf8_lossy(&bytes[at + 24..(at + 24 + len).min(bytes.len())]).into_owned();
        out.push((next, name, bytes[at + 20]));
        at += 24 + len;
    }
    out
}

fn readdir(h: &mut Harness, fd: u64, cookie: u64, cap: u32) -> Vec<u8> {
    let (buf, used) = (h.alloc(cap), h.alloc(4));
    h.ok("fd_readdir", &[fd, buf, cap as u64, cookie, used]);
    h.slice(buf, h.u32_at(used) as usize).to_vec()
}

#[test]
fn readdir_lists_dot_dotdot_and_entries_with_cookies() {
    let mut h = harness();
    std::fs::write(h.host("file"), b"x").unwrap();
    std::fs::create_dir(h.host("sub")).unwrap();
    let all = dirents(&readdir(&mut h, SANDBOX, 0, 4096));
    let mut names: Vec<_> = all.iter().map(|e| (e.1.clone(), e.2)).collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            (".".into(), filetype::DIRECTORY),
            ("..".into(), filetype::DIRECTORY),
            ("file".into(), filetype::REGULAR_FILE),
            ("sub".into(), filetype::DIRECTORY)
        ]
    );
    assert_eq!(
        all.iter().map(|e| e.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    let rest = dirents(&readdir(&mut h, SANDBOX, 2, 4096));
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[0].1, all[2].1);
    // A small buffer is filled completely, the last entry cut short.
    assert_eq!(readdir(&mut h, SANDBOX, 0, 30).len(), 30);
    assert!(readdir(&mut h, SANDBOX, 10, 100).is_empty());
    let fd = h.open("file", 0).unwrap();
    let (buf, used) = (h.alloc(64), h.alloc(4));
    assert_eq!(h.call("fd_readdir", &[fd, buf, 64, 0, used]), Errno::BADF);
}

#[test]
fn directories_open_as_dirfds() {
    let mut h = harness();
    std::fs::create_dir_all(h.host("a/b")).unwrap();
    std::fs::write(h.host("a/b/c"), b"deep").unwrap();
    let a = h.open_dir(SANDBOX, "a").unwrap();
    assert_eq!(
        h.open("a", oflags::DIRECTORY as u64),
        Err(Errno::ISDIR),
        "asking for write rights"
    );
    let c = h.open_at(a, "b/c", 1, 0, ALL_RIGHTS, 0).unwrap();
    assert_eq!(h.read_fd(c, 10).unwrap(), b"deep");
    // A read-only open of a directory without O_DIRECTORY also gives a directory fd.
    let read_only = rights::FD_READ | rights::FD_READDIR | rights::FD_SEEK | rights::PATH_OPEN;
    assert_eq!(
        h.open("a/b", 0),
        Err(Errno::ISDIR),
        "asking to write a directory"
    );
    let b = h.open_at(SANDBOX, "a/b", 1, 0, read_only, 0).unwrap();
    let st = h.alloc(24);
    h.ok("fd_fdstat_get", &[b, st]);
    assert_eq!(h.mem[st as usize], filetype::DIRECTORY);
    let names = dirents(&readdir(&mut h, b, 0, 4096));
    assert!(names.iter().any(|e| e.1 == "c"));
    assert_eq!(h.read_fd(b, 4), Err(Errno::BADF));
    let p = h.alloc(8);
    assert_eq!(
        h.call("fd_prestat_get", &[b, p]),
        Errno::BADF,
        "only preopens have a prestat"
    );
}

#[test]
fn mkdir_rmdir_unlink() {
    let mut h = harness();
    assert_eq!(h.path_call("path_create_directory", "d"), Errno::SUCCESS);
    assert!(h.host("d").is_dir());
    assert_eq!(h.path_call("path_create_directory", "d"), Errno::EXIST);
    std::fs::write(h.host("d/f"), b"").unwrap();
    assert_eq!(h.path_call("path_remove_directory", "d"), Errno::NOTEMPTY);
    assert_eq!(h.path_call("path_unlink_file", "d"), Errno::ISDIR);
    assert_eq!(h.path_call("path_unlink_file", "d/f"), Errno::SUCCESS);
    assert_eq!(h.path_call("path_unlink_file", "d/f"), Errno::NOENT);
    assert_eq!(h.path_call("path_remove_directory", "d"), Errno::SUCCESS);
    assert!(!h.host("d").exists());
    std::fs::write(h.host("plain"), b"").unwrap();
    assert_eq!(h.path_call("path_remove_directory", "plain"), Errno::NOTDIR);
}

#[test]
fn rename_link_symlink_readlink() {
    let mut h = harness();
    std::fs::write(h.host("a"), b"A").unwrap();
    std::fs::create_dir(h.host("sub")).unwrap();
    let (o, ol) = h.str("a");
    let (n, nl) = h.str("sub/b");
    h.ok("path_rename", &[SANDBOX, o, ol, SANDBOX, n, nl]);
    assert_eq!(std::fs::read(h.host("sub/b")).unwrap(), b"A");
    assert_eq!(
        h.call("path_rename", &[SANDBOX, o, ol, SANDBOX, n, nl]),
        Errno::NOENT
    );

    let (l, ll) = h.str("hard");
    h.ok("path_link", &[SANDBOX, 0, n, nl, SANDBOX, l, ll]);
    let st = h.alloc(64);
    h.ok("path_filestat_get", &[SANDBOX, 0, l, ll, st]);
    assert_eq!(h.u64_at(st + 24), 2, "two links now");
    assert_eq!(
        h.call("path_link", &[SANDBOX, 1, n, nl, SANDBOX, l, ll]),
        Errno::INVAL
    );

    let (t, tl) = h.str("sub/b");
    let (s, sl) = h.str("soft");
    h.ok("path_symlink", &[t, tl, SANDBOX, s, sl]);
    let (buf, used) = (h.alloc(16), h.alloc(4));
    h.ok("path_readlink", &[SANDBOX, s, sl, buf, 16, used]);
    assert_eq!(h.slice(buf, h.u32_at(used) as usize), b"sub/b");
    h.ok("path_readlink", &[SANDBOX, s, sl, buf, 3, used]);
    assert_eq!(
        h.u32_at(used),
        3,
        "a short buffer gets the start of the target"
    );
    assert_eq!(
        h.call("path_readlink", &[SANDBOX, t, tl, buf, 16, used]),
        Errno::INVAL
    );

    h.ok("path_filestat_get", &[SANDBOX, 0, s, sl, st]);
    assert_eq!(h.mem[st as usize + 16], filetype::SYMBOLIC_LINK);
    h.ok("path_filestat_get", &[SANDBOX, 1, s, sl, st]);
    assert_eq!(
        (h.mem[st as usize + 16], h.u64_at(st + 32)),
        (filetype::REGULAR_FILE, 1)
    );
    // Opening a symlink without LOOKUP_SYMLINK_FOLLOW is ELOOP, as with O_NOFOLLOW.
    assert_eq!(
        h.open_at(SANDBOX, "soft", 0, 0, ALL_RIGHTS, 0),
        Err(Errno::LOOP)
    );
    let fd = h.open_at(SANDBOX, "soft", 1, 0, ALL_RIGHTS, 0).unwrap();
    assert_eq!(h.read_fd(fd, 4).unwrap(), b"A");
}

#[test]
fn path_filestat_set_times_follow_and_nofollow() {
    let mut h = harness();
    std::fs::write(h.host("t"), b"").unwrap();
    std::os::unix::fs::symlink("t", h.host("lnk")).unwrap();
    let (p, l) = h.str("lnk");
    let t = 1_500_000_000_000_000_000u64;
    let flags = (fstflags::ATIM | fstflags::MTIM) as u64;
    h.ok("path_filestat_set_times", &[SANDBOX, 1, p, l, t, t, flags]);
    let st = h.alloc(64);
    let (tp, tl) = h.str("t");
    h.ok("path_filestat_get", &[SANDBOX, 0, tp, tl, st]);
    assert_eq!(
        h.u64_at(st + 48),
        t,
        "following the link set the target's mtime"
    );
    h.ok(
        "path_filestat_set_times",
        &[SANDBOX, 0, p, l, t + 5, t + 5, flags],
    );
    h.ok("path_filestat_get", &[SANDBOX, 0, p, l, st]);
    assert_eq!(
        h.u64_at(st + 48),
        t + 5,
        "nofollow set the link's own mtime"
    );
    h.ok("path_filestat_get", &[SANDBOX, 0, tp, tl, st]);
    assert_eq!(h.u64_at(st + 48), t);
    let (mp, ml) = h.str("missing");
    assert_eq!(
        h.call(
            "path_filestat_set_times",
            &[SANDBOX, 0, mp, ml, 0, 0, flags]
        ),
        Errno::NOENT
    );
}

#[test]
fn a_trailing_slash_resolves_the_last_symlink() {
    let mut h = harness();
    std::fs::create_dir(h.host("d")).unwrap();
    std::os::unix::fs::symlink("d", h.host("sd")).unwrap();
    std::fs::write(h.host("f"), b"").unwrap();
    let st = h.alloc(64);
    let (p, l) = h.str("sd/");
    h.ok("path_filestat_get", &[SANDBOX, 0, p, l, st]);
    assert_eq!(
        h.mem[st as usize + 16],
        filetype::DIRECTORY,
        "as POSIX (and Linux lstat): sd/ is the directory, not the link"
    );
    // Nor does the flag decide whether "f/" and "sf/" (a link to a file) name anything.
    // wasmtime drops the slash without the follow flag; see tests/cli/wasi_differential.rs.
    std::os::unix::fs::symlink("f", h.host("sf")).unwrap();
    for path in ["f/", "sf/"] {
        for flags in [0, u64::from(LOOKUP_SYMLINK_FOLLOW)] {
            let (p, l) = h.str(path);
            assert_eq!(
                h.call("path_filestat_get", &[SANDBOX, flags, p, l, st]),
                Errno::NOTDIR,
                "{path} with lookup flags {flags}"
            );
        }
    }
}
