//! Files: open flags, reads and writes, positions, stat, size, times, flags and rights.
use super::*;
use crate::wasi::types::{fdflags, filetype, fstflags, oflags, rights};

const CREAT: u64 = oflags::CREAT as u64;
const EXCL: u64 = oflags::EXCL as u64;
const TRUNC: u64 = oflags::TRUNC as u64;
const DIRECTORY: u64 = oflags::DIRECTORY as u64;

#[test]
fn create_write_seek_read() {
    let mut h = harness();
    let fd = h.open("f.txt", CREAT).unwrap();
    assert_eq!(fd, 4);
    assert_eq!(h.write_fd(fd, b"hello world"), Errno::SUCCESS);
    let pos = h.alloc(8);
    h.ok("fd_tell", &[fd, pos]);
    assert_eq!(h.u64_at(pos), 11);
    h.ok("fd_seek", &[fd, (-5i64) as u64, 1, pos]);
    assert_eq!(h.u64_at(pos), 6);
    assert_eq!(h.read_fd(fd, 100).unwrap(), b"world");
    h.ok("fd_seek", &[fd, 0, 0, pos]);
    assert_eq!(h.read_fd(fd, 5).unwrap(), b"hello");
    h.ok("fd_seek", &[fd, (-1i64) as u64, 2, pos]);
    assert_eq!(h.u64_at(pos), 10);
    assert_eq!(
        h.call("fd_seek", &[fd, (-1i64) as u64, 0, pos]),
        Errno::INVAL
    );
    let bad_whence = h.ctx.call(&mut h.mem, "fd_seek", &[fd, 0, 3, pos]);
    assert!(matches!(bad_whence, Outcome::Trap(_)), "{bad_whence:?}");
    assert_eq!(std::fs::read(h.host("f.txt")).unwrap(), b"hello world");
    h.ok("fd_close", &[fd]);
    assert_eq!(h.call("fd_close", &[fd]), Errno::BADF);
}

#[test]
fn open_flags() {
    let mut h = harness();
    std::fs::write(h.host("f"), b"old contents").unwrap();
    assert_eq!(h.open("f", CREAT | EXCL), Err(Errno::EXIST));
    assert_eq!(h.open("missing", 0), Err(Errno::NOENT));
    let fd = h.open("f", TRUNC).unwrap();
    assert_eq!(std::fs::read(h.host("f")).unwrap(), b"");
    h.ok("fd_close", &[fd]);
    assert_eq!(h.open("f", DIRECTORY), Err(Errno::NOTDIR));
    assert_eq!(h.open("f/", 0), Err(Errno::NOTDIR));
    assert_eq!(h.open("d", DIRECTORY | CREAT), Err(Errno::INVAL));
    assert_eq!(h.open_at(1, "f", 0, 0, ALL_RIGHTS, 0), Err(Errno::NOTDIR));
    assert_eq!(h.open_at(99, "f", 0, 0, ALL_RIGHTS, 0), Err(Errno::BADF));
    let (p, l) = h.bytes(b"\xff\xfe");
    let out = h.alloc(4);
    assert_eq!(
        h.call("path_open", &[SANDBOX, 0, p, l, 0, 0, 0, 0, out]),
        Errno::ILSEQ
    );
}

#[test]
fn append_mode_writes_at_the_end() {
    let mut h = harness();
    std::fs::write(h.host("log"), b"one\n").unwrap();
    let wanted = rights::FD_WRITE | rights::FD_SEEK | rights::FD_FDSTAT_SET_FLAGS;
    let fd = h
        .open_at(SANDBOX, "log", 1, 0, wanted, fdflags::APPEND as u64)
        .unwrap();
    h.write_fd(fd, b"two\n");
    assert_eq!(
        std::fs::read_to_string(h.host("log")).unwrap(),
        "one\ntwo\n"
    );
    let st = h.alloc(24);
    h.ok("fd_fdstat_get", &[fd, st]);
    assert_eq!(h.mem[st as usize], filetype::REGULAR_FILE);
    assert_eq!(h.u16_at(st + 2), fdflags::APPEND);
    h.ok("fd_fdstat_set_flags", &[fd, 0]);
    h.ok("fd_fdstat_get", &[fd, st]);
    assert_eq!(h.u16_at(st + 2), 0);
    assert_eq!(
        h.call("fd_fdstat_set_flags", &[fd, fdflags::SYNC as u64]),
        Errno::INVAL
    );
}

#[test]
fn read_only_and_write_only_files_refuse_the_other_direction() {
    let mut h = harness();
    std::fs::write(h.host("r"), b"data").unwrap();
    let ro = h
        .open_at(SANDBOX, "r", 1, 0, rights::FD_READ | rights::FD_SEEK, 0)
        .unwrap();
    assert_eq!(h.write_fd(ro, b"x"), Errno::BADF);
    let wo = h.open_at(SANDBOX, "r", 1, 0, rights::FD_WRITE, 0).unwrap();
    assert_eq!(h.read_fd(wo, 4), Err(Errno::BADF));
    assert_eq!(h.read_fd(ro, 4).unwrap(), b"data");
}

#[test]
fn pread_and_pwrite_leave_the_position_alone() {
    let mut h = harness();
    let fd = h.open("p", CREAT).unwrap();
    h.write_fd(fd, b"0123456789");
    let (iov, buf) = h.iovec(&[], 4);
    let n = h.alloc(4);
    h.ok("fd_pread", &[fd, iov, 1, 3, n]);
    assert_eq!(h.slice(buf, h.u32_at(n) as usize), b"3456");
    let (iov, _) = h.iovec(b"AB", 0);
    h.ok("fd_pwrite", &[fd, iov, 1, 8, n]);
    assert_eq!(h.u32_at(n), 2);
    let pos = h.alloc(8);
    h.ok("fd_tell", &[fd, pos]);
    assert_eq!(h.u64_at(pos), 10);
    assert_eq!(std::fs::read(h.host("p")).unwrap(), b"01234567AB");
    assert_eq!(h.call("fd_pread", &[1, iov, 1, 0, n]), Errno::BADF);
    assert_eq!(h.call("fd_pwrite", &[SANDBOX, iov, 1, 0, n]), Errno::BADF);
}

#[test]
fn filestat_size_and_times() {
    let mut h = harness();
    let fd = h.open("s", CREAT).unwrap();
    h.write_fd(fd, b"12345");
    let st = h.alloc(64);
    h.ok("fd_filestat_get", &[fd, st]);
    assert_eq!(h.mem[st as usize + 16], filetype::REGULAR_FILE);
    assert_eq!((h.u64_at(st + 24), h.u64_at(st + 32)), (1, 5));
    // dev is always 1 and ino wasmtime's hash of the host's (dev, ino).
    let host = std::fs::metadata(h.host("s")).unwrap();
    let (dev, ino) = (
        std::os::unix::fs::MetadataExt::dev(&host),
        std::os::unix::fs::MetadataExt::ino(&host),
    );
    let hashed = crate::wasi::filestat::hash_dev_ino(dev, ino);
    assert_eq!((h.u64_at(st), h.u64_at(st + 8)), (1, hashed));
    h.ok("fd_filestat_set_size", &[fd, 2]);
    assert_eq!(std::fs::read(h.host("s")).unwrap(), b"12");
    let t = 1_000_000_000u64 * 1_600_000_000 + 123;
    let flags = (fstflags::ATIM | fstflags::MTIM) as u64;
    h.ok("fd_filestat_set_times", &[fd, t, t + 1000, flags]);
    h.ok("fd_filestat_get", &[fd, st]);
    assert_eq!((h.u64_at(st + 40), h.u64_at(st + 48)), (t, t + 1000));
    let both = (fstflags::ATIM | fstflags::ATIM_NOW) as u64;
    assert_eq!(
        h.call("fd_filestat_set_times", &[fd, 0, 0, both]),
        Errno::INVAL
    );
    h.ok(
        "fd_filestat_set_times",
        &[fd, 0, 0, fstflags::MTIM_NOW as u64],
    );
    h.ok("fd_filestat_get", &[fd, st]);
    assert!(h.u64_at(st + 48) > t + 1000);
    h.ok("fd_filestat_get", &[SANDBOX, st]);
    assert_eq!(h.mem[st as usize + 16], filetype::DIRECTORY);
}

#[test]
fn unstable_layouts_for_old_binaries() {
    let mut h = harness();
    let fd = h.open("u", CREAT).unwrap();
    h.write_fd(fd, b"abcdef");
    let st = h.alloc(64);
    let r = h
        .ctx
        .call_module("wasi_unstable", &mut h.mem, "fd_filestat_get", &[fd, st]);
    assert_eq!(r, Outcome::Return(0));
    assert_eq!((h.u32_at(st + 20), h.u64_at(st + 24)), (1, 6));
    let pos = h.alloc(8);
    // wasi_unstable whence: 0 = CUR, 1 = END, 2 = SET.
    let r = h
        .ctx
        .call_module("wasi_unstable", &mut h.mem, "fd_seek", &[fd, 2, 2, pos]);
    assert_eq!((r, h.u64_at(pos)), (Outcome::Return(0), 2));
    let r = h.ctx.call_module(
        "wasi_unstable",
        &mut h.mem,
        "fd_seek",
        &[fd, (-1i64) as u64, 1, pos],
    );
    assert_eq!((r, h.u64_at(pos)), (Outcome::Return(0), 5));
    let r = h
        .ctx
        .call_module("wasi_unstable", &mut h.mem, "fd_seek", &[fd, 1, 0, pos]);
    assert_eq!((r, h.u64_at(pos)), (Outcome::Return(0), 6));
}

#[test]
fn sync_advise_allocate_answer_as_wasmtime() {
    let mut h = harness();
    let fd = h.open("a", CREAT).unwrap();
    h.ok("fd_sync", &[fd]);
    h.ok("fd_datasync", &[fd]);
    h.ok("fd_advise", &[fd, 0, 100, 1]);
    let bad_advice = h.ctx.call(&mut h.mem, "fd_advise", &[fd, 0, 100, 9]);
    assert!(matches!(bad_advice, Outcome::Trap(_)), "{bad_advice:?}");
    assert_eq!(h.call("fd_allocate", &[fd, 0, 4096]), Errno::NOTSUP);
    assert_eq!(h.call("fd_allocate", &[SANDBOX, 0, 1]), Errno::BADF);
    for call in ["fd_sync", "fd_datasync"] {
        assert_eq!(h.call(call, &[1]), Errno::BADF, "{call} on stdout");
        assert_eq!(
            h.call(call, &[SANDBOX]),
            Errno::BADF,
            "{call} on a directory"
        );
    }
    assert_eq!(h.call("fd_advise", &[1, 0, 0, 0]), Errno::BADF);
    assert_eq!(h.call("fd_filestat_set_size", &[1, 0]), Errno::BADF);
    assert_eq!(h.call("fd_filestat_set_times", &[1, 0, 0, 8]), Errno::BADF);
    h.ok("fd_filestat_set_times", &[SANDBOX, 0, 0, 8]);
    assert_eq!(h.call("fd_fdstat_set_flags", &[1, 4]), Errno::BADF);
}

#[test]
fn rights_are_reported_as_wasmtime_reports_them_and_not_enforced() {
    let mut h = harness();
    let fd = h.open("r", CREAT).unwrap();
    let ro = h.open_at(SANDBOX, "r", 1, 0, rights::FD_READ, 0).unwrap();
    let wo = h.open_at(SANDBOX, "r", 1, 0, rights::FD_WRITE, 0).unwrap();
    let sub = h.path_call("path_create_directory", "sub");
    assert_eq!(sub, Errno::SUCCESS);
    let dir = h.open_dir(SANDBOX, "sub").unwrap();
    let st = h.alloc(24);
    let mut reported = |fd: u64| {
        h.ok("fd_fdstat_get", &[fd, st]);
        (h.u64_at(st + 8), h.u64_at(st + 16))
    };
    assert_eq!(reported(fd), (0x3fffffff, 0x3fffffff));
    assert_eq!(reported(ro), (0x3fffffbf, 0x3fffffbf));
    assert_eq!(reported(wo), (0x3fffbffd, 0x3fffbffd));
    assert_eq!(reported(dir), (0x3fb7ffbb, 0x3fb7ffbb));
    assert_eq!(reported(SANDBOX), (0x7b7fe00, 0xff7ffff));
    assert_eq!(reported(0), (rights::FD_READ, rights::FD_READ));
    assert_eq!(reported(1), (rights::FD_WRITE, rights::FD_WRITE));
    // Rights cannot be changed, and the directory's missing write rights stop nothing.
    assert_eq!(h.call("fd_fdstat_set_rights", &[fd, 0, 0]), Errno::NOTSUP);
    assert_eq!(h.call("fd_fdstat_set_rights", &[77, 0, 0]), Errno::BADF);
    let too_many = h
        .ctx
        .call(&mut h.mem, "fd_fdstat_set_rights", &[fd, 1 << 30, 0]);
    assert!(matches!(too_many, Outcome::Trap(_)), "{too_many:?}");
    assert!(h.open_at(dir, "new", 1, CREAT, ALL_RIGHTS, 0).is_ok());
}

#[test]
fn renumber_moves_an_fd() {
    let mut h = harness();
    let a = h.open("a", CREAT).unwrap();
    let b = h.open("b", CREAT).unwrap();
    h.ok("fd_renumber", &[a, b]);
    h.write_fd(b, b"to a");
    assert_eq!(std::fs::read(h.host("a")).unwrap(), b"to a");
    assert_eq!(h.write_fd(a, b"x"), Errno::BADF);
    assert_eq!(h.call("fd_renumber", &[b, 42]), Errno::BADF);
}

#[test]
fn vectored_reads_and_writes_span_iovecs() {
    let mut h = harness();
    let fd = h.open("v", CREAT).unwrap();
    let (a, b) = (h.str("abc"), h.str("defgh"));
    let table = h.alloc(24);
    for (i, (p, l)) in [a, (0, 0), b].into_iter().enumerate() {
        h.put_u32(table + 8 * i as u64, p as u32);
        h.put_u32(table + 8 * i as u64 + 4, l as u32);
    }
    let n = h.alloc(4);
    h.ok("fd_pwrite", &[fd, table, 3, 2, n]);
    assert_eq!(h.u32_at(n), 8);
    assert_eq!(std::fs::read(h.host("v")).unwrap(), b"\0\0abcdefgh");
    // Two iovecs over the same bytes: the later one wins, and nothing breaks.
    let buf = h.alloc(4);
    for i in 0..2u64 {
        h.put_u32(table + 8 * i, buf as u32);
        h.put_u32(table + 8 * i + 4, 4);
    }
    h.ok("fd_pread", &[fd, table, 2, 2, n]);
    assert_eq!((h.u32_at(n), h.slice(buf, 4)), (8, &b"efgh"[..]));
}

#[test]
fn positions_are_kept_by_rt_so_any_u64_can_be_sought() {
    let mut h = harness();
    let fd = h.open("p", CREAT).unwrap();
    h.write_fd(fd, b"abc");
    let pos = h.alloc(8);
    h.ok("fd_seek", &[fd, i64::MAX as u64, 0, pos]);
    assert_eq!(h.u64_at(pos), i64::MAX as u64);
    h.ok("fd_seek", &[fd, i64::MAX as u64, 1, pos]);
    assert_eq!(
        h.u64_at(pos),
        u64::MAX - 1,
        "as wasmtime: positions are u64"
    );
    assert_eq!(
        h.call("fd_seek", &[fd, 2, 1, pos]),
        Errno::INVAL,
        "past u64::MAX"
    );
    assert_eq!(h.read_fd(fd, 4).unwrap(), b"", "nothing lies out there");
    h.ok("fd_seek", &[fd, (-3i64) as u64, 2, pos]);
    assert_eq!(h.u64_at(pos), 0);
    assert_eq!(
        h.call("fd_seek", &[fd, (-4i64) as u64, 2, pos]),
        Errno::INVAL
    );
    h.ok("fd_seek", &[fd, 1, 0, pos]);
    h.write_fd(fd, b"Z");
    assert_eq!(std::fs::read(h.host("p")).unwrap(), b"aZc");
    h.ok("fd_tell", &[fd, pos]);
    assert_eq!(h.u64_at(pos), 2);
}
