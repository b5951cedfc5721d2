//! The 77 errnos of preview1, numbered by position as witx numbers them.
use super::Errno;

pub static ERRNOS: &[Errno] = &[
    Errno {
        number: 0,
        name: "success",
        meaning: "No error: the call did what was asked.",
    },
    Errno {
        number: 1,
        name: "2big",
        meaning: "The argument list is too long.",
    },
    Errno {
        number: 2,
        name: "acces",
        meaning: "Permission denied by the host's file permissions.",
    },
    Errno {
        number: 3,
        name: "addrinuse",
        meaning: "The socket address is already in use.",
    },
    Errno {
        number: 4,
        name: "addrnotavail",
        meaning: "The socket address is not available on this host.",
    },
    Errno {
        number: 5,
        name: "afnosupport",
        meaning: "The address family is not supported.",
    },
    Errno {
        number: 6,
        name: "again",
        meaning: "The resource is temporarily unavailable; try again (a non-blocking call would block).",
    },
    Errno {
        number: 7,
        name: "already",
        meaning: "An operation of this kind is already in progress on the descriptor.",
    },
    Errno {
        number: 8,
        name: "badf",
        meaning: "The file descriptor is not open (or not valid for this call).",
    },
    Errno {
        number: 9,
        name: "badmsg",
        meaning: "The message is malformed.",
    },
    Errno {
        number: 10,
        name: "busy",
        meaning: "The device or resource is busy.",
    },
    Errno {
        number: 11,
        name: "canceled",
        meaning: "The operation was canceled.",
    },
    Errno {
        number: 12,
        name: "child",
        meaning: "There are no child processes.",
    },
    Errno {
        number: 13,
        name: "connaborted",
        meaning: "The connection was aborted.",
    },
    Errno {
        number: 14,
        name: "connrefused",
        meaning: "The connection was refused by the peer.",
    },
    Errno {
        number: 15,
        name: "connreset",
        meaning: "The connection was reset by the peer.",
    },
    Errno {
        number: 16,
        name: "deadlk",
        meaning: "Performing the operation would deadlock.",
    },
    Errno {
        number: 17,
        name: "destaddrreq",
        meaning: "A destination address is required.",
    },
    Errno {
        number: 18,
        name: "dom",
        meaning: "A mathematics argument is outside the function's domain.",
    },
    Errno {
        number: 19,
        name: "dquot",
        meaning: "Reserved (disk quota exceeded).",
    },
    Errno {
        number: 20,
        name: "exist",
        meaning: "The file or directory already exists.",
    },
    Errno {
        number: 21,
        name: "fault",
        meaning: "A pointer or length points outside the module's linear memory.",
    },
    Errno {
        number: 22,
        name: "fbig",
        meaning: "The file would grow too large.",
    },
    Errno {
        number: 23,
        name: "hostunreach",
        meaning: "The host cannot be reached.",
    },
    Errno {
        number: 24,
        name: "idrm",
        meaning: "The identifier was removed.",
    },
    Errno {
        number: 25,
        name: "ilseq",
        meaning: "A byte sequence is not valid (for example a path that is not UTF-8).",
    },
    Errno {
        number: 26,
        name: "inprogress",
        meaning: "The operation is now in progress and will finish later.",
    },
    Errno {
        number: 27,
        name: "intr",
        meaning: "The call was interrupted.",
    },
    Errno {
        number: 28,
        name: "inval",
        meaning: "An argument is invalid (a bad flag, whence, clock id, or offset).",
    },
    Errno {
        number: 29,
        name: "io",
        meaning: "A low-level input/output error happened on the host.",
    },
    Errno {
        number: 30,
        name: "isconn",
        meaning: "The socket is already connected.",
    },
    Errno {
        number: 31,
        name: "isdir",
        meaning: "The path names a directory where a file was expected.",
    },
    Errno {
        number: 32,
        name: "loop",
        meaning: "Too many symbolic links were met while resolving the path.",
    },
    Errno {
        number: 33,
        name: "mfile",
        meaning: "This process has too many open file descriptors.",
    },
    Errno {
        number: 34,
        name: "mlink",
        meaning: "The file has too many hard links.",
    },
    Errno {
        number: 35,
        name: "msgsize",
        meaning: "The message is too large.",
    },
    Errno {
        number: 36,
        name: "multihop",
        meaning: "Reserved (multihop attempted).",
    },
    Errno {
        number: 37,
        name: "nametoolong",
        meaning: "The file name or path is too long.",
    },
    Errno {
        number: 38,
        name: "netdown",
        meaning: "The network is down.",
    },
    Errno {
        number: 39,
        name: "netreset",
        meaning: "The network dropped the connection.",
    },
    Errno {
        number: 40,
        name: "netunreach",
        meaning: "The network cannot be reached.",
    },
    Errno {
        number: 41,
        name: "nfile",
        meaning: "The whole system has too many open files.",
    },
    Errno {
        number: 42,
        name: "nobufs",
        meaning: "No buffer space is available.",
    },
    Errno {
        number: 43,
        name: "nodev",
        meaning: "No such device.",
    },
    Errno {
        number: 44,
        name: "noent",
        meaning: "No such file or directory.",
    },
    Errno {
        number: 45,
        name: "noexec",
        meaning: "The file is not an executable format.",
    },
    Errno {
        number: 46,
        name: "nolck",
        meaning: "No locks are available.",
    },
    Errno {
        number: 47,
        name: "nolink",
        meaning: "Reserved (link has been severed).",
    },
    Errno {
        number: 48,
        name: "nomem",
        meaning: "The host ran out of memory.",
    },
    Errno {
        number: 49,
        name: "nomsg",
        meaning: "No message of the wanted type.",
    },
    Errno {
        number: 50,
        name: "noprotoopt",
        meaning: "The protocol option is not available.",
    },
    Errno {
        number: 51,
        name: "nospc",
        meaning: "No space is left on the device.",
    },
    Errno {
        number: 52,
        name: "nosys",
        meaning: "The function is not implemented by this host.",
    },
    Errno {
        number: 53,
        name: "notconn",
        meaning: "The socket is not connected.",
    },
    Errno {
        number: 54,
        name: "notdir",
        meaning: "A path component, or the descriptor, is not a directory.",
    },
    Errno {
        number: 55,
        name: "notempty",
        meaning: "The directory is not empty.",
    },
    Errno {
        number: 56,
        name: "notrecoverable",
        meaning: "The state is not recoverable.",
    },
    Errno {
        number: 57,
        name: "notsock",
        meaning: "The descriptor is not a socket.",
    },
    Errno {
        number: 58,
        name: "notsup",
        meaning: "The operation is not supported (on this file, socket or host).",
    },
    Errno {
        number: 59,
        name: "notty",
        meaning: "The descriptor is not a terminal, or the I/O control does not apply.",
    },
    Errno {
        number: 60,
        name: "nxio",
        meaning: "No such device or address.",
    },
    Errno {
        number: 61,
        name: "overflow",
        meaning: "A value is too large for its data type.",
    },
    Errno {
        number: 62,
        name: "ownerdead",
        meaning: "The previous owner died.",
    },
    Errno {
        number: 63,
        name: "perm",
        meaning: "The operation is not permitted.",
    },
    Errno {
        number: 64,
        name: "pipe",
        meaning: "The pipe or socket was closed at the other end.",
    },
    Errno {
        number: 65,
        name: "proto",
        meaning: "A protocol error happened.",
    },
    Errno {
        number: 66,
        name: "protonosupport",
        meaning: "The protocol is not supported.",
    },
    Errno {
        number: 67,
        name: "prototype",
        meaning: "The protocol is the wrong type for the socket.",
    },
    Errno {
        number: 68,
        name: "range",
        meaning: "The result is too large.",
    },
    Errno {
        number: 69,
        name: "rofs",
        meaning: "The file system is read-only.",
    },
    Errno {
        number: 70,
        name: "spipe",
        meaning: "The descriptor cannot seek (it is a pipe, socket or terminal).",
    },
    Errno {
        number: 71,
        name: "srch",
        meaning: "No such process.",
    },
    Errno {
        number: 72,
        name: "stale",
        meaning: "Reserved (stale file handle).",
    },
    Errno {
        number: 73,
        name: "timedout",
        meaning: "The connection or operation timed out.",
    },
    Errno {
        number: 74,
        name: "txtbsy",
        meaning: "The text file is busy.",
    },
    Errno {
        number: 75,
        name: "xdev",
        meaning: "The link would cross devices (file systems).",
    },
    Errno {
        number: 76,
        name: "notcapable",
        meaning: "The descriptor lacks a right the call needs, or the path leaves its preopened directory.",
    },
];
