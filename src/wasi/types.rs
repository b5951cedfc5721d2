//! The preview1 vocabulary as the witx files define it: errno values, rights, flag bits,
//! enum tags and the byte layouts of the structs the guest hands us.
//!
//! Everything is a plain constant so the call implementations read like the spec.

/// A WASI errno (`errno` is a `u16` enum in witx; the call returns it widened to i32).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub u16);

/// What every call implementation returns: success, or the errno the guest sees.
pub type WasiResult<T = ()> = Result<T, Errno>;

macro_rules! errnos {
    ($($name:ident = $value:expr, $text:literal;)*) => {
        impl Errno {
            $(pub const $name: Errno = Errno($value);)*

            /// The witx name (`badf`, `noent`, ...), for traces and messages.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($value => $text,)*
                    _ => "unknown",
                }
            }
        }
    };
}

errnos! {
    SUCCESS = 0, "success"; TOOBIG = 1, "2big"; ACCES = 2, "acces"; ADDRINUSE = 3, "addrinuse";
    ADDRNOTAVAIL = 4, "addrnotavail"; AFNOSUPPORT = 5, "afnosupport"; AGAIN = 6, "again";
    ALREADY = 7, "already"; BADF = 8, "badf"; BADMSG = 9, "badmsg"; BUSY = 10, "busy";
    CANCELED = 11, "canceled"; CHILD = 12, "child"; CONNABORTED = 13, "connaborted";
    CONNREFUSED = 14, "connrefused"; CONNRESET = 15, "connreset"; DEADLK = 16, "deadlk";
    DESTADDRREQ = 17, "destaddrreq"; DOM = 18, "dom"; DQUOT = 19, "dquot"; EXIST = 20, "exist";
    FAULT = 21, "fault"; FBIG = 22, "fbig"; HOSTUNREACH = 23, "hostunreach"; IDRM = 24, "idrm";
    ILSEQ = 25, "ilseq"; INPROGRESS = 26, "inprogress"; INTR = 27, "intr"; INVAL = 28, "inval";
    IO = 29, "io"; ISCONN = 30, "isconn"; ISDIR = 31, "isdir"; LOOP = 32, "loop";
    MFILE = 33, "mfile"; MLINK = 34, "mlink"; MSGSIZE = 35, "msgsize"; MULTIHOP = 36, "multihop";
    NAMETOOLONG = 37, "nametoolong"; NETDOWN = 38, "netdown"; NETRESET = 39, "netreset";
    NETUNREACH = 40, "netunreach"; NFILE = 41, "nfile"; NOBUFS = 42, "nobufs";
    NODEV = 43, "nodev"; NOENT = 44, "noent"; NOEXEC = 45, "noexec"; NOLCK = 46, "nolck";
    NOLINK = 47, "nolink"; NOMEM = 48, "nomem"; NOMSG = 49, "nomsg";
    NOPROTOOPT = 50, "noprotoopt"; NOSPC = 51, "nospc"; NOSYS = 52, "nosys";
    NOTCONN = 53, "notconn"; NOTDIR = 54, "notdir"; NOTEMPTY = 55, "notempty";
    NOTRECOVERABLE = 56, "notrecoverable"; NOTSOCK = 57, "notsock"; NOTSUP = 58, "notsup";
    NOTTY = 59, "notty"; NXIO = 60, "nxio"; OVERFLOW = 61, "overflow";
    OWNERDEAD = 62, "ownerdead"; PERM = 63, "perm"; PIPE = 64, "pipe"; PROTO = 65, "proto";
    PROTONOSUPPORT = 66, "protonosupport"; PROTOTYPE = 67, "prototype"; RANGE = 68, "range";
    ROFS = 69, "rofs"; SPIPE = 70, "spipe"; SRCH = 71, "srch"; STALE = 72, "stale";
    TIMEDOUT = 73, "timedout"; TXTBSY = 74, "txtbsy"; XDEV = 75, "xdev";
    NOTCAPABLE = 76, "notcapable";
}

/// `filetype`
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `rights` bits (u64).
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;

    /// All thirty rights: what wasmtime reports for a file open for reading and writing.
    pub const ALL: u64 = (1 << 30) - 1;

    /// What wasmtime reports as a preopened directory's own rights.
    pub const PREOPEN_BASE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// What wasmtime reports a preopen passes on: the first 28 rights but the path size.
    pub const PREOPEN_INHERITING: u64 = ((1 << 28) - 1) & !PATH_FILESTAT_SET_SIZE;

    /// What wasmtime reports for a directory opened with path_open (base and inheriting).
    pub const OPENED_DIRECTORY: u64 =
        ALL & !(FD_SEEK | FD_WRITE | PATH_FILESTAT_SET_SIZE | FD_FILESTAT_SET_SIZE);

    /// A socket the host gave us.
    pub const SOCKET: u64 = FD_READ
        | FD_WRITE
        | FD_FDSTAT_SET_FLAGS
        | FD_FILESTAT_GET
        | POLL_FD_READWRITE
        | SOCK_SHUTDOWN;
}

/// `fdflags` (u16).
pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
}

/// `oflags` (u16).
pub mod oflags {
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
}

/// `lookupflags` (u32).
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `fstflags` (u16).
pub mod fstflags {
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
}

/// `whence` (u8) in preview1. wasi_unstable numbered them CUR=0, END=1, SET=2.
pub mod whence {
    pub const SET: u8 = 0;
    pub const CUR: u8 = 1;
    pub const END: u8 = 2;
}

/// `advice` (u8).
pub mod advice {
    pub const NORMAL: u8 = 0;
    pub const SEQUENTIAL: u8 = 1;
    pub const RANDOM: u8 = 2;
    pub const WILLNEED: u8 = 3;
    pub const DONTNEED: u8 = 4;
    pub const NOREUSE: u8 = 5;
}

/// `clockid` (u32).
pub mod clockid {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

/// `eventtype` (u8), `subclockflags` (u16), `eventrwflags` (u16).
pub mod event {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
    pub const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;
    pub const FD_READWRITE_HANGUP: u16 = 1;
}

/// `riflags`, `roflags`, `sdflags`.
pub mod sock {
    pub const RECV_PEEK: u16 = 1 << 0;
    pub const RECV_WAITALL: u16 = 1 << 1;
    pub const RECV_DATA_TRUNCATED: u16 = 1 << 0;
    pub const SHUT_RD: u8 = 1 << 0;
    pub const SHUT_WR: u8 = 1 << 1;
}

/// `preopentype`
pub const PREOPENTYPE_DIR: u8 = 0;

/// Byte layouts (size, and field offsets) of the structs in guest memory.
pub mod layout {
    /// `iovec` / `ciovec`: buf u32 @0, buf_len u32 @4.
    pub const IOVEC_SIZE: u32 = 8;
    /// `fdstat`: fs_filetype u8 @0, fs_flags u16 @2, rights_base u64 @8, inheriting u64 @16.
    pub const FDSTAT_SIZE: u32 = 24;
    /// `filestat` (preview1): dev @0, ino @8, filetype u8 @16, nlink u64 @24, size @32,
    /// atim @40, mtim @48, ctim @56.
    pub const FILESTAT_SIZE: u32 = 64;
    /// `filestat` (wasi_unstable): nlink was a u32 @20, so size @24 ... ctim @48.
    pub const FILESTAT_UNSTABLE_SIZE: u32 = 56;
    /// `dirent`: d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20; name follows.
    pub const DIRENT_SIZE: u32 = 24;
    /// `prestat`: tag u8 @0, pr_name_len u32 @4.
    pub const PRESTAT_SIZE: u32 = 8;
    /// `subscription` (preview1): userdata u64 @0, tag u8 @8, union @16 (clock: id u32 @16,
    /// timeout u64 @24, precision u64 @32, flags u16 @40; fd_readwrite: fd u32 @16).
    pub const SUBSCRIPTION_SIZE: u32 = 48;
    /// `subscription` (wasi_unstable): the clock arm began with an `identifier` u64, moving
    /// id to @24, timeout @32, precision @40, flags @48.
    pub const SUBSCRIPTION_UNSTABLE_SIZE: u32 = 56;
    /// `event`: userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24.
    pub const EVENT_SIZE: u32 = 32;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_follow_witx() {
        assert_eq!(Errno::TOOBIG.name(), "2big");
        assert_eq!(Errno::NOTCAPABLE.0, 76);
        assert_eq!(Errno::NOTCAPABLE.name(), "notcapable");
        assert_eq!(Errno(999).name(), "unknown");
    }

    #[test]
    fn reported_rights_match_wasmtime() {
        assert_eq!(rights::SOCK_ACCEPT, 1 << 29);
        assert_eq!(rights::PREOPEN_BASE, 0x7b7fe00);
        assert_eq!(rights::PREOPEN_INHERITING, 0xff7ffff);
        assert_eq!(rights::OPENED_DIRECTORY, 0x3fb7ffbb);
    }
}
