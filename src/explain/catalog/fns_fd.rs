//! The `fd_*` functions: calls on an open descriptor.
use super::{func, param, Function, Param, Ty, OUT_BYTES};

const FD: Ty = Ty::Named("fd");
const SIZE: Ty = Ty::Named("size");
const FILESIZE: Ty = Ty::Named("filesize");

const FD_PARAM: Param = param("fd", FD, "The open file descriptor to act on.");
const READ_ERRNOS: &[&str] = &[
    "badf",
    "notcapable",
    "isdir",
    "again",
    "intr",
    "io",
    "fault",
    "inval",
];
const WRITE_ERRNOS: &[&str] = &[
    "badf",
    "notcapable",
    "again",
    "fbig",
    "nospc",
    "pipe",
    "io",
    "fault",
    "inval",
];

pub static FUNCTIONS: &[Function] = &[
    Function {
        params: &[
            FD_PARAM,
            param("offset", FILESIZE, "Where the region the advice is about starts."),
            param("len", FILESIZE, "How long the region is (0: to the end of the file)."),
            param("advice", Ty::Named("advice"), "The expected access pattern."),
        ],
        errnos: &["badf", "notcapable", "inval", "spipe"],
        rights: &["fd_advise"],
        libc: &["posix_fadvise"],
        ..func("fd_advise", "Tell the host how a region of a file will be accessed, like POSIX posix_fadvise. A hint only.")
    },
    Function {
        params: &[
            FD_PARAM,
            param("offset", FILESIZE, "Where the region to reserve starts."),
            param("len", FILESIZE, "How many bytes to reserve."),
        ],
        errnos: &["badf", "notcapable", "inval", "nospc", "fbig", "notsup"],
        rights: &["fd_allocate"],
        libc: &["posix_fallocate"],
        ..func("fd_allocate", "Reserve disk space for a region of a file, growing it if needed, like POSIX posix_fallocate.")
    },
    Function {
        params: &[param("fd", FD, "The descriptor to close; its number may be reused afterwards.")],
        errnos: &["badf", "io"],
        libc: &["close", "fclose", "closedir"],
        ..func("fd_close", "Close a file descriptor, like POSIX close.")
    },
    Function {
        params: &[FD_PARAM],
        errnos: &["badf", "notcapable", "io", "inval"],
        rights: &["fd_datasync"],
        libc: &["fdatasync"],
        ..func("fd_datasync", "Wait until a file's data (not necessarily its metadata) reaches storage, like POSIX fdatasync.")
    },
    Function {
        params: &[FD_PARAM],
        results: &[param("stat", Ty::Named("fdstat"), "A 24-byte fdstat record written at the out-pointer: file type, flags, rights.")],
        errnos: &["badf", "fault"],
        libc: &["isatty", "fcntl", "openat", "faccessat", "pread", "pwrite", "ioctl", "getsockopt", "printf"],
        ..func("fd_fdstat_get", "Report what a descriptor is (file type), its flags and its rights. wasi-libc's isatty asks it whether stdout is a terminal, which is why printf reaches it.")
    },
    Function {
        params: &[FD_PARAM, param("flags", Ty::Named("fdflags"), "The new flags (append, nonblock, ...), replacing the old ones.")],
        errnos: &["badf", "notcapable", "inval", "notsup"],
        rights: &["fd_fdstat_set_flags"],
        libc: &["fcntl", "ioctl"],
        ..func("fd_fdstat_set_flags", "Change a descriptor's flags, like fcntl(fd, F_SETFL, flags).")
    },
    Function {
        params: &[
            FD_PARAM,
            param("fs_rights_base", Ty::Named("rights"), "The new base rights; must be a subset of the current ones."),
            param("fs_rights_inheriting", Ty::Named("rights"), "The new inheriting rights; must be a subset of the current ones."),
        ],
        errnos: &["badf", "notcapable"],
        libc: &["__wasi_fd_fdstat_set_rights"],
        ..func("fd_fdstat_set_rights", "Drop rights from a descriptor. Rights can only shrink: asking for more fails with notcapable.")
    },
    Function {
        params: &[FD_PARAM],
        results: &[param("stat", Ty::Named("filestat"), "A 64-byte filestat record written at the out-pointer.")],
        errnos: &["badf", "notcapable", "io", "fault"],
        rights: &["fd_filestat_get"],
        libc: &["fstat"],
        ..func("fd_filestat_get", "Report an open file's attributes (size, type, times, ...), like POSIX fstat.")
    },
    Function {
        params: &[FD_PARAM, param("size", FILESIZE, "The new size; growing fills with zero bytes.")],
        errnos: &["badf", "notcapable", "inval", "fbig", "isdir", "io"],
        rights: &["fd_filestat_set_size"],
        libc: &["ftruncate"],
        ..func("fd_filestat_set_size", "Truncate or extend an open file, like POSIX ftruncate.")
    },
    Function {
        params: &[
            FD_PARAM,
            param("atim", Ty::Named("timestamp"), "The new access time, used when fst_flags has atim."),
            param("mtim", Ty::Named("timestamp"), "The new modification time, used when fst_flags has mtim."),
            param("fst_flags", Ty::Named("fstflags"), "Which times to set, and whether to the value given or to now."),
        ],
        errnos: &["badf", "notcapable", "inval", "io"],
        rights: &["fd_filestat_set_times"],
        libc: &["futimens"],
        ..func("fd_filestat_set_times", "Set the access and modification times of an open file, like POSIX futimens.")
    },
    Function {
        params: &[
            FD_PARAM,
            param("iovs", Ty::Named("iovec_array"), "Buffers (iovec records, 8 bytes each) the host fills in order."),
            param("offset", FILESIZE, "Where in the file to read from; the descriptor's own offset does not move."),
        ],
        results: &[param("nread", SIZE, "How many bytes were read; 0 at end of file.")],
        errnos: &["badf", "notcapable", "isdir", "spipe", "inval", "io", "fault"],
        rights: &["fd_read", "fd_seek"],
        libc: &["pread", "preadv"],
        ..func("fd_pread", "Read from a given file offset into several buffers, like POSIX preadv.")
    },
    Function {
        params: &[param("fd", FD, "A descriptor to test: preopens are numbered from 3 without gaps.")],
        results: &[param("prestat", Ty::Named("prestat"), "An 8-byte prestat written at the out-pointer: tag 0 (dir) @0, name length u32 @4.")],
        errnos: &["badf", "fault"],
        libc: &["__wasilibc_populate_preopens"],
        ..func("fd_prestat_get", "Ask whether a descriptor is a preopened directory and how long its guest path is. wasi-libc calls it for fd 3, 4, ... until badf to learn its preopens, at start-up (from a constructor) or, in newer versions, before the first path operation.")
    },
    Function {
        params: &[
            param("fd", FD, "A preopened directory, as fd_prestat_get reported."),
            param("path", OUT_BYTES, "A buffer the host fills with the preopen's guest path (no NUL byte)."),
            param("path_len", SIZE, "The buffer's size: pr_name_len from fd_prestat_get."),
        ],
        errnos: &["badf", "nametoolong", "fault"],
        libc: &["__wasilibc_populate_preopens"],
        ..func("fd_prestat_dir_name", "Copy a preopened directory's guest path (the one --dir gave) into guest memory.")
    },
    Function {
        params: &[
            FD_PARAM,
            param("iovs", Ty::Named("ciovec_array"), "Buffers (ciovec records, 8 bytes each) whose bytes are written in order."),
            param("offset", FILESIZE, "Where in the file to write; the descriptor's own offset does not move."),
        ],
        results: &[param("nwritten", SIZE, "How many bytes were written.")],
        errnos: &["badf", "notcapable", "spipe", "inval", "fbig", "nospc", "io", "fault"],
        rights: &["fd_write", "fd_seek"],
        libc: &["pwrite", "pwritev"],
        ..func("fd_pwrite", "Write several buffers at a given file offset, like POSIX pwritev.")
    },
    Function {
        params: &[FD_PARAM, param("iovs", Ty::Named("iovec_array"), "Buffers (iovec records, 8 bytes each) the host fills in order.")],
        results: &[param("nread", SIZE, "How many bytes were read in total; 0 at end of file.")],
        errnos: READ_ERRNOS,
        rights: &["fd_read"],
        libc: &["read", "readv", "fread", "fgets", "fgetc", "getc", "getchar", "getline", "getdelim", "scanf", "fscanf"],
        ..func("fd_read", "Read from a descriptor into several buffers at its current offset, like POSIX readv.")
    },
    Function {
        params: &[
            param("fd", FD, "An open directory."),
            param("buf", OUT_BYTES, "The buffer the host fills: a dirent (24 bytes) then its name, repeated. The last entry may be cut off when the buffer is full."),
            param("buf_len", SIZE, "The buffer's size in bytes."),
            param("cookie", Ty::Named("dircookie"), "Where to start: 0, or the d_next of the last entry already read."),
        ],
        results: &[param("bufused", SIZE, "How many bytes were written; less than buf_len means the end of the directory was reached.")],
        errnos: &["badf", "notcapable", "notdir", "inval", "io", "fault"],
        rights: &["fd_readdir"],
        libc: &["readdir", "fdopendir", "scandir", "scandirat", "nftw"],
        see_also: &["dirent", "filetype"],
        ..func("fd_readdir", "Read directory entries into a buffer, resuming from a cookie. readdir() calls it to refill its buffer, then hands out one entry at a time.")
    },
    Function {
        params: &[
            param("fd", FD, "The descriptor to move."),
            param("to", FD, "The number it takes over; whatever was open there is closed."),
        ],
        errnos: &["badf", "notsup"],
        libc: &["__wasilibc_fd_renumber"],
        ..func("fd_renumber", "Move a descriptor to another number, closing what was there, like an atomic dup2 followed by close.")
    },
    Function {
        params: &[
            FD_PARAM,
            param("offset", Ty::Named("filedelta"), "How far to move (signed)."),
            param("whence", Ty::Named("whence"), "What the offset is relative to: set, cur or end."),
        ],
        results: &[param("newoffset", FILESIZE, "The new offset from the start of the file (a u64 written at the out-pointer).")],
        errnos: &["badf", "notcapable", "inval", "spipe", "overflow", "fault"],
        rights: &["fd_seek"],
        libc: &["lseek", "fseek", "fseeko", "ftell", "ftello", "rewind", "fgetpos", "fsetpos"],
        ..func("fd_seek", "Move a descriptor's offset, like POSIX lseek.")
    },
    Function {
        params: &[FD_PARAM],
        errnos: &["badf", "notcapable", "io", "inval"],
        rights: &["fd_sync"],
        libc: &["fsync"],
        ..func("fd_sync", "Wait until a file's data and metadata reach storage, like POSIX fsync.")
    },
    Function {
        params: &[FD_PARAM],
        results: &[param("offset", FILESIZE, "The current offset from the start of the file.")],
        errnos: &["badf", "notcapable", "spipe", "fault"],
        rights: &["fd_tell"],
        libc: &["__wasilibc_tell"],
        ..func("fd_tell", "Report a descriptor's current offset, like lseek(fd, 0, SEEK_CUR).")
    },
    Function {
        params: &[FD_PARAM, param("iovs", Ty::Named("ciovec_array"), "Buffers (ciovec records, 8 bytes each) whose bytes are written in order.")],
        results: &[param("nwritten", SIZE, "How many bytes were written in total (a u32 written at the out-pointer).")],
        errnos: WRITE_ERRNOS,
        rights: &["fd_write"],
        libc: &["write", "writev", "printf", "puts", "fputs", "fwrite", "fprintf", "putchar", "fputc", "putc", "perror", "vprintf", "vfprintf", "dprintf", "fflush"],
        ..func("fd_write", "Write several buffers to a descriptor at its current offset (or the end, with append), like POSIX writev. stdio's printf and puts reach it when their buffer is flushed.")
    },
];
