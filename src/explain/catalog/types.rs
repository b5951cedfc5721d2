//! The named types of preview1: aliases, enums, flags, records, variants and lists, with
//! layouts as witx computes them for wasm32 (pointers are 4 bytes).
use super::{Case, Field, Int, Ty, TypeDef, TypeKind, VariantCase};

const fn case(name: &'static str, doc: &'static str) -> Case {
    Case { name, doc }
}

const fn field(name: &'static str, ty: Ty, offset: u32, doc: &'static str) -> Field {
    Field {
        name,
        ty,
        offset,
        doc,
    }
}

const fn alias(name: &'static str, repr: Int, summary: &'static str) -> TypeDef {
    TypeDef {
        name,
        summary,
        kind: TypeKind::Alias(repr),
    }
}

const CLOCKIDS: &[Case] = &[
    case(
        "realtime",
        "Wall-clock time in nanoseconds since 1970-01-01 UTC; it can jump.",
    ),
    case(
        "monotonic",
        "A clock that only moves forward, from an arbitrary start; for measuring intervals.",
    ),
    case("process_cputime_id", "CPU time consumed by this process."),
    case("thread_cputime_id", "CPU time consumed by this thread."),
];

const WHENCE: &[Case] = &[
    case("set", "Seek relative to the start of the file."),
    case("cur", "Seek relative to the current offset."),
    case("end", "Seek relative to the end of the file."),
];

const FILETYPES: &[Case] = &[
    case("unknown", "The type is not known or is none of the others."),
    case("block_device", "A block device."),
    case(
        "character_device",
        "A character device (a terminal, /dev/null).",
    ),
    case("directory", "A directory."),
    case("regular_file", "A regular file."),
    case("socket_dgram", "A datagram socket."),
    case("socket_stream", "A byte-stream socket."),
    case("symbolic_link", "A symbolic link."),
];

const ADVICE: &[Case] = &[
    case("normal", "No particular access pattern."),
    case("sequential", "The data will be read front to back."),
    case("random", "The data will be read in no particular order."),
    case("willneed", "The data will be needed soon."),
    case("dontneed", "The data will not be needed soon."),
    case("noreuse", "The data will be read once."),
];

const FDFLAGS: &[Case] = &[
    case("append", "Every write goes to the end of the file."),
    case("dsync", "Writes wait until the data reaches storage."),
    case("nonblock", "Calls fail with `again` instead of blocking."),
    case("rsync", "Reads wait for pending writes to reach storage."),
    case("sync", "Writes wait until data and metadata reach storage."),
];

const RIGHTS: &[Case] = &[
    case("fd_datasync", "May call fd_datasync."),
    case(
        "fd_read",
        "May call fd_read and sock_recv (and fd_pread with fd_seek).",
    ),
    case("fd_seek", "May call fd_seek (which implies fd_tell)."),
    case("fd_fdstat_set_flags", "May call fd_fdstat_set_flags."),
    case("fd_sync", "May call fd_sync."),
    case(
        "fd_tell",
        "May call fd_tell, or fd_seek that does not move the offset.",
    ),
    case(
        "fd_write",
        "May call fd_write and sock_send (and fd_pwrite with fd_seek).",
    ),
    case("fd_advise", "May call fd_advise."),
    case("fd_allocate", "May call fd_allocate."),
    case("path_create_directory", "May call path_create_directory."),
    case(
        "path_create_file",
        "May create files with path_open and oflags `creat`.",
    ),
    case(
        "path_link_source",
        "May be the source directory of path_link.",
    ),
    case(
        "path_link_target",
        "May be the target directory of path_link.",
    ),
    case("path_open", "May call path_open."),
    case("fd_readdir", "May call fd_readdir."),
    case("path_readlink", "May call path_readlink."),
    case(
        "path_rename_source",
        "May be the source directory of path_rename.",
    ),
    case(
        "path_rename_target",
        "May be the target directory of path_rename.",
    ),
    case("path_filestat_get", "May call path_filestat_get."),
    case(
        "path_filestat_set_size",
        "May truncate with path_open and oflags `trunc`.",
    ),
    case(
        "path_filestat_set_times",
        "May call path_filestat_set_times.",
    ),
    case("fd_filestat_get", "May call fd_filestat_get."),
    case("fd_filestat_set_size", "May call fd_filestat_set_size."),
    case("fd_filestat_set_times", "May call fd_filestat_set_times."),
    case("path_symlink", "May call path_symlink."),
    case("path_remove_directory", "May call path_remove_directory."),
    case("path_unlink_file", "May call path_unlink_file."),
    case(
        "poll_fd_readwrite",
        "May subscribe to the descriptor with poll_oneoff.",
    ),
    case("sock_shutdown", "May call sock_shutdown."),
    case("sock_accept", "May call sock_accept."),
];

const FSTFLAGS: &[Case] = &[
    case("atim", "Set the access time to the given value."),
    case("atim_now", "Set the access time to the current time."),
    case("mtim", "Set the modification time to the given value."),
    case("mtim_now", "Set the modification time to the current time."),
];

const LOOKUPFLAGS: &[Case] = &[case(
    "symlink_follow",
    "If the last path component is a symbolic link, resolve it.",
)];

const OFLAGS: &[Case] = &[
    case("creat", "Create the file if it does not exist."),
    case("directory", "Fail unless the path is a directory."),
    case("excl", "With creat: fail if the file already exists."),
    case("trunc", "Truncate the file to size 0."),
];

const EVENTTYPES: &[Case] = &[
    case("clock", "A clock subscription's timeout was reached."),
    case(
        "fd_read",
        "The descriptor has data to read (or the peer hung up).",
    ),
    case("fd_write", "The descriptor can take more data."),
];

const EVENTRWFLAGS: &[Case] = &[case(
    "fd_readwrite_hangup",
    "The peer of this socket or pipe has closed its end.",
)];

const SUBCLOCKFLAGS: &[Case] = &[case(
    "subscription_clock_abstime",
    "The timeout is an absolute time of the clock, not a duration from now.",
)];

const RIFLAGS: &[Case] = &[
    case(
        "recv_peek",
        "Look at the data without removing it from the queue.",
    ),
    case("recv_waitall", "Wait until the whole buffer is filled."),
];

const ROFLAGS: &[Case] = &[case(
    "recv_data_truncated",
    "The message did not fit the buffers and was cut short.",
)];

const SDFLAGS: &[Case] = &[
    case("rd", "Shut down the receiving side."),
    case("wr", "Shut down the sending side."),
];

const PREOPENTYPES: &[Case] = &[case("dir", "A preopened directory.")];

const SIGNALS: &[Case] = &[
    case(
        "none",
        "No signal; used to test whether signals can be sent.",
    ),
    case("hup", "Hang-up (terminate)."),
    case("int", "Interrupt, as from Ctrl-C (terminate)."),
    case("quit", "Quit (terminate with core)."),
    case("ill", "Illegal instruction (terminate with core)."),
    case("trap", "Trace or breakpoint trap (terminate with core)."),
    case("abrt", "Abort, as from abort() (terminate with core)."),
    case("bus", "Bad memory access (terminate with core)."),
    case("fpe", "Arithmetic error (terminate with core)."),
    case("kill", "Kill, cannot be caught (terminate)."),
    case("usr1", "User-defined signal 1 (terminate)."),
    case("segv", "Invalid memory reference (terminate with core)."),
    case("usr2", "User-defined signal 2 (terminate)."),
    case("pipe", "Write to a pipe nobody reads (terminate)."),
    case("alrm", "Alarm clock (terminate)."),
    case("term", "Termination request (terminate)."),
    case("chld", "A child stopped or exited (ignored)."),
    case("cont", "Continue if stopped (continue)."),
    case("stop", "Stop, cannot be caught (stop)."),
    case("tstp", "Stop typed at a terminal (stop)."),
    case("ttin", "Background read from a terminal (stop)."),
    case("ttou", "Background write to a terminal (stop)."),
    case("urg", "Urgent socket data (ignored)."),
    case("xcpu", "CPU time limit exceeded (terminate with core)."),
    case("xfsz", "File size limit exceeded (terminate with core)."),
    case("vtalrm", "Virtual timer expired (terminate)."),
    case("prof", "Profiling timer expired (terminate)."),
    case("winch", "Window size changed (ignored)."),
    case("poll", "Pollable event (terminate)."),
    case("pwr", "Power failure (terminate)."),
    case("sys", "Bad system call (terminate with core)."),
];

pub static TYPES: &[TypeDef] = &[
    alias("size", Int::U32, "A size or count in guest memory; wasm32 pointers are 32 bits."),
    alias("filesize", Int::U64, "A file size or an offset in a file, in bytes."),
    alias("timestamp", Int::U64, "A point in time, in nanoseconds (since 1970 for realtime)."),
    alias("filedelta", Int::S64, "A signed distance to move a file offset."),
    alias("dircookie", Int::U64, "A position in a directory stream; 0 is the start."),
    alias("dirnamlen", Int::U32, "The length of a directory entry's name, in bytes."),
    alias("inode", Int::U64, "A file's serial number, unique within its device."),
    alias("device", Int::U64, "The identifier of the device holding a file."),
    alias("linkcount", Int::U64, "The number of hard links to a file."),
    alias("userdata", Int::U64, "A value the program attaches to a subscription and gets back in the event."),
    alias("exitcode", Int::U32, "A process exit status; 0 means success."),
    TypeDef {
        name: "fd",
        summary: "A file descriptor: an index into the host's table of open files, sockets and preopened directories. 0, 1 and 2 are stdin, stdout and stderr; preopens follow from 3.",
        kind: TypeKind::Handle,
    },
    TypeDef {
        name: "errno",
        summary: "The error code every call returns: 0 on success, otherwise why it failed.",
        kind: TypeKind::Enum {
            repr: Int::U16,
            cases: &[],
        },
    },
    TypeDef {
        name: "clockid",
        summary: "Which clock clock_time_get, clock_res_get and poll_oneoff read.",
        kind: TypeKind::Enum {
            repr: Int::U32,
            cases: CLOCKIDS,
        },
    },
    TypeDef {
        name: "whence",
        summary: "The base fd_seek measures its offset from.",
        kind: TypeKind::Enum {
            repr: Int::U8,
            cases: WHENCE,
        },
    },
    TypeDef {
        name: "filetype",
        summary: "What kind of object a descriptor or directory entry refers to.",
        kind: TypeKind::Enum {
            repr: Int::U8,
            cases: FILETYPES,
        },
    },
    TypeDef {
        name: "advice",
        summary: "An access-pattern hint given with fd_advise.",
        kind: TypeKind::Enum {
            repr: Int::U8,
            cases: ADVICE,
        },
    },
    TypeDef {
        name: "eventtype",
        summary: "What a subscription waits for, and what kind of event poll_oneoff reports.",
        kind: TypeKind::Enum {
            repr: Int::U8,
            cases: EVENTTYPES,
        },
    },
    TypeDef {
        name: "preopentype",
        summary: "What kind of resource a preopened descriptor is.",
        kind: TypeKind::Enum {
            repr: Int::U8,
            cases: PREOPENTYPES,
        },
    },
    TypeDef {
        name: "signal",
        summary: "A signal number for proc_raise; the text in parentheses is the default action.",
        kind: TypeKind::Enum {
            repr: Int::U8,
            cases: SIGNALS,
        },
    },
    TypeDef {
        name: "rights",
        summary: "What a descriptor may be used for. Each preopen and each descriptor path_open returns carries a base set (for calls on it) and an inheriting set (the most that descriptors opened through it may get).",
        kind: TypeKind::Flags {
            repr: Int::U64,
            bits: RIGHTS,
        },
    },
    TypeDef {
        name: "fdflags",
        summary: "Per-descriptor behaviour, like open(2)'s O_APPEND and O_NONBLOCK.",
        kind: TypeKind::Flags {
            repr: Int::U16,
            bits: FDFLAGS,
        },
    },
    TypeDef {
        name: "fstflags",
        summary: "Which timestamps a set_times call changes, and whether to the given value or to now.",
        kind: TypeKind::Flags {
            repr: Int::U16,
            bits: FSTFLAGS,
        },
    },
    TypeDef {
        name: "lookupflags",
        summary: "How the path of a path_* call is resolved.",
        kind: TypeKind::Flags {
            repr: Int::U32,
            bits: LOOKUPFLAGS,
        },
    },
    TypeDef {
        name: "oflags",
        summary: "How path_open opens: create, require a directory, exclusive, truncate.",
        kind: TypeKind::Flags {
            repr: Int::U16,
            bits: OFLAGS,
        },
    },
    TypeDef {
        name: "eventrwflags",
        summary: "Extra state reported with an fd_read or fd_write event.",
        kind: TypeKind::Flags {
            repr: Int::U16,
            bits: EVENTRWFLAGS,
        },
    },
    TypeDef {
        name: "subclockflags",
        summary: "How a clock subscription's timeout is read.",
        kind: TypeKind::Flags {
            repr: Int::U16,
            bits: SUBCLOCKFLAGS,
        },
    },
    TypeDef {
        name: "riflags",
        summary: "Flags for sock_recv.",
        kind: TypeKind::Flags {
            repr: Int::U16,
            bits: RIFLAGS,
        },
    },
    TypeDef {
        name: "roflags",
        summary: "Flags sock_recv reports back.",
        kind: TypeKind::Flags {
            repr: Int::U16,
            bits: ROFLAGS,
        },
    },
    TypeDef {
        name: "siflags",
        summary: "Flags for sock_send; none are defined, pass 0.",
        kind: TypeKind::Flags {
            repr: Int::U16,
            bits: &[],
        },
    },
    TypeDef {
        name: "sdflags",
        summary: "Which directions sock_shutdown closes.",
        kind: TypeKind::Flags {
            repr: Int::U8,
            bits: SDFLAGS,
        },
    },
    TypeDef {
        name: "iovec",
        summary: "One buffer the host writes into (fd_read, fd_pread, sock_recv).",
        kind: TypeKind::Record {
            size: 8,
            align: 4,
            fields: &[
                field("buf", Ty::Pointer(&Ty::Int(Int::U8)), 0, "Address of the buffer in linear memory."),
                field("buf_len", Ty::Named("size"), 4, "How many bytes the buffer holds."),
            ],
        },
    },
    TypeDef {
        name: "ciovec",
        summary: "One buffer the host reads from (fd_write, fd_pwrite, sock_send).",
        kind: TypeKind::Record {
            size: 8,
            align: 4,
            fields: &[
                field("buf", Ty::ConstPointer(&Ty::Int(Int::U8)), 0, "Address of the bytes in linear memory."),
                field("buf_len", Ty::Named("size"), 4, "How many bytes to take from it."),
            ],
        },
    },
    TypeDef {
        name: "iovec_array",
        summary: "An array of iovec records: the core ABI passes its address and its element count.",
        kind: TypeKind::List {
            element: Ty::Named("iovec"),
        },
    },
    TypeDef {
        name: "ciovec_array",
        summary: "An array of ciovec records: the core ABI passes its address and its element count.",
        kind: TypeKind::List {
            element: Ty::Named("ciovec"),
        },
    },
    TypeDef {
        name: "dirent",
        summary: "The header of one directory entry in fd_readdir's buffer; the entry's name (d_namlen bytes, not NUL-terminated) follows it directly, and the next header follows the name.",
        kind: TypeKind::Record {
            size: 24,
            align: 8,
            fields: &[
                field("d_next", Ty::Named("dircookie"), 0, "The cookie to pass to fd_readdir to continue after this entry."),
                field("d_ino", Ty::Named("inode"), 8, "The entry's inode number."),
                field("d_namlen", Ty::Named("dirnamlen"), 16, "The length of the name that follows."),
                field("d_type", Ty::Named("filetype"), 20, "The entry's file type."),
            ],
        },
    },
    TypeDef {
        name: "fdstat",
        summary: "What fd_fdstat_get reports about a descriptor.",
        kind: TypeKind::Record {
            size: 24,
            align: 8,
            fields: &[
                field("fs_filetype", Ty::Named("filetype"), 0, "What the descriptor refers to."),
                field("fs_flags", Ty::Named("fdflags"), 2, "Its flags (append, nonblock, ...)."),
                field("fs_rights_base", Ty::Named("rights"), 8, "The rights for calls on this descriptor."),
                field("fs_rights_inheriting", Ty::Named("rights"), 16, "The most rights descriptors opened through it may get."),
            ],
        },
    },
    TypeDef {
        name: "filestat",
        summary: "A file's attributes, as fd_filestat_get and path_filestat_get report them (like struct stat).",
        kind: TypeKind::Record {
            size: 64,
            align: 8,
            fields: &[
                field("dev", Ty::Named("device"), 0, "The device holding the file."),
                field("ino", Ty::Named("inode"), 8, "The file's inode number."),
                field("filetype", Ty::Named("filetype"), 16, "What kind of file it is."),
                field("nlink", Ty::Named("linkcount"), 24, "How many hard links it has."),
                field("size", Ty::Named("filesize"), 32, "Its size in bytes (for a symlink: its target's length)."),
                field("atim", Ty::Named("timestamp"), 40, "Last access time."),
                field("mtim", Ty::Named("timestamp"), 48, "Last data modification time."),
                field("ctim", Ty::Named("timestamp"), 56, "Last status change time."),
            ],
        },
    },
    TypeDef {
        name: "event_fd_readwrite",
        summary: "The payload of an fd_read or fd_write event.",
        kind: TypeKind::Record {
            size: 16,
            align: 8,
            fields: &[
                field("nbytes", Ty::Named("filesize"), 0, "How many bytes can be read or written without blocking."),
                field("flags", Ty::Named("eventrwflags"), 8, "Whether the peer hung up."),
            ],
        },
    },
    TypeDef {
        name: "event",
        summary: "One event poll_oneoff writes into its output array.",
        kind: TypeKind::Record {
            size: 32,
            align: 8,
            fields: &[
                field("userdata", Ty::Named("userdata"), 0, "Copied from the subscription that fired."),
                field("error", Ty::Named("errno"), 8, "Non-zero if waiting on this subscription failed."),
                field("type", Ty::Named("eventtype"), 10, "Which kind of subscription fired."),
                field("fd_readwrite", Ty::Named("event_fd_readwrite"), 16, "For fd_read/fd_write events: bytes available and flags."),
            ],
        },
    },
    TypeDef {
        name: "subscription_clock",
        summary: "The payload of a clock subscription: wake up when a clock reaches a time.",
        kind: TypeKind::Record {
            size: 32,
            align: 8,
            fields: &[
                field("id", Ty::Named("clockid"), 0, "Which clock to watch."),
                field("timeout", Ty::Named("timestamp"), 8, "A duration, or an absolute time with subscription_clock_abstime."),
                field("precision", Ty::Named("timestamp"), 16, "How late the wake-up may be."),
                field("flags", Ty::Named("subclockflags"), 24, "Whether timeout is absolute."),
            ],
        },
    },
    TypeDef {
        name: "subscription_fd_readwrite",
        summary: "The payload of an fd_read or fd_write subscription.",
        kind: TypeKind::Record {
            size: 4,
            align: 4,
            fields: &[field("file_descriptor", Ty::Named("fd"), 0, "The descriptor to wait on.")],
        },
    },
    TypeDef {
        name: "subscription_u",
        summary: "What a subscription waits for: a tag byte (an eventtype) selects the payload at offset 8.",
        kind: TypeKind::Variant {
            tag: Int::U8,
            size: 40,
            align: 8,
            payload_offset: 8,
            cases: &[
                VariantCase { name: "clock", ty: Some(Ty::Named("subscription_clock")), doc: "Wait for a clock." },
                VariantCase { name: "fd_read", ty: Some(Ty::Named("subscription_fd_readwrite")), doc: "Wait until a descriptor is readable." },
                VariantCase { name: "fd_write", ty: Some(Ty::Named("subscription_fd_readwrite")), doc: "Wait until a descriptor is writable." },
            ],
        },
    },
    TypeDef {
        name: "subscription",
        summary: "One thing poll_oneoff waits for: the userdata to echo back, then a tagged union saying what to wait for.",
        kind: TypeKind::Record {
            size: 48,
            align: 8,
            fields: &[
                field("userdata", Ty::Named("userdata"), 0, "Returned unchanged in the matching event."),
                field("u", Ty::Named("subscription_u"), 8, "The kind of wait and its parameters."),
            ],
        },
    },
    TypeDef {
        name: "prestat_dir",
        summary: "The payload of a preopened directory's prestat.",
        kind: TypeKind::Record {
            size: 4,
            align: 4,
            fields: &[field("pr_name_len", Ty::Named("size"), 0, "The length of the directory's guest path; fetch it with fd_prestat_dir_name.")],
        },
    },
    TypeDef {
        name: "prestat",
        summary: "What fd_prestat_get reports about a preopened descriptor: a tag byte (a preopentype), then the payload at offset 4.",
        kind: TypeKind::Variant {
            tag: Int::U8,
            size: 8,
            align: 4,
            payload_offset: 4,
            cases: &[VariantCase { name: "dir", ty: Some(Ty::Named("prestat_dir")), doc: "A preopened directory; pr_name_len @4." }],
        },
    },
];
