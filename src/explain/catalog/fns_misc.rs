//! Process start-up data, clocks, polling, process control, randomness and sockets.
use super::{func, param, Function, Ty, OUT_BYTES, OUT_BYTE_POINTERS};

const FD: Ty = Ty::Named("fd");
const SIZE: Ty = Ty::Named("size");

/// Arguments, environment and clocks: the first six functions of the witx file.
pub static PROCESS: &[Function] = &[
    Function {
        params: &[
            param("argv", OUT_BYTE_POINTERS, "An array of argc pointers the host fills; each points into argv_buf."),
            param("argv_buf", OUT_BYTES, "A buffer of argv_buf_size bytes the host fills with the arguments, each ending in a NUL byte."),
        ],
        errnos: &["fault"],
        libc: &["__main_void"],
        ..func("args_get", "Copy the command-line arguments into guest memory. Call args_sizes_get first to size both buffers.")
    },
    Function {
        results: &[
            param("argc", SIZE, "How many arguments there are (argv[0] included)."),
            param("argv_buf_size", SIZE, "How many bytes all arguments take, NUL bytes included."),
        ],
        errnos: &["fault"],
        libc: &["__main_void"],
        ..func("args_sizes_get", "Report how many command-line arguments there are and how many bytes they need.")
    },
    Function {
        params: &[
            param("environ", OUT_BYTE_POINTERS, "An array of pointers the host fills, one per variable, each into environ_buf."),
            param("environ_buf", OUT_BYTES, "A buffer the host fills with `NAME=value` strings, each ending in a NUL byte."),
        ],
        errnos: &["fault"],
        libc: &["__wasilibc_initialize_environ", "getenv", "environ"],
        ..func("environ_get", "Copy the environment variables into guest memory. Call environ_sizes_get first to size both buffers.")
    },
    Function {
        results: &[
            param("environ_count", SIZE, "How many variables there are."),
            param("environ_buf_size", SIZE, "How many bytes all `NAME=value` strings take, NUL bytes included."),
        ],
        errnos: &["fault"],
        libc: &["__wasilibc_initialize_environ", "getenv", "environ"],
        ..func("environ_sizes_get", "Report how many environment variables there are and how many bytes they need.")
    },
    Function {
        params: &[param("id", Ty::Named("clockid"), "The clock to ask about.")],
        results: &[param("resolution", Ty::Named("timestamp"), "The smallest step the clock can take, in nanoseconds (never 0).")],
        errnos: &["inval", "fault", "notsup"],
        libc: &["clock_getres"],
        ..func("clock_res_get", "Report the resolution of a clock, like POSIX clock_getres.")
    },
    Function {
        params: &[
            param("id", Ty::Named("clockid"), "The clock to read."),
            param("precision", Ty::Named("timestamp"), "The most error, in nanoseconds, the caller accepts; hosts may ignore it."),
        ],
        results: &[param("time", Ty::Named("timestamp"), "The clock's value in nanoseconds (a u64 written at the out-pointer).")],
        errnos: &["inval", "fault", "notsup"],
        libc: &["clock_gettime", "gettimeofday", "time", "timespec_get", "clock", "times", "getrusage"],
        ..func("clock_time_get", "Read a clock, like POSIX clock_gettime.")
    },
];

/// Polling, process control, randomness and sockets: the last nine functions.
pub static SYSTEM: &[Function] = &[
    Function {
        params: &[
            param("in", Ty::ConstPointer(&Ty::Named("subscription")), "An array of nsubscriptions subscriptions (48 bytes each) saying what to wait for."),
            param("out", Ty::Pointer(&Ty::Named("event")), "An array with room for nsubscriptions events (32 bytes each) the host fills."),
            param("nsubscriptions", SIZE, "How many subscriptions `in` holds; also the capacity of `out`."),
        ],
        results: &[param("nevents", SIZE, "How many events the host wrote to `out`.")],
        errnos: &["inval", "fault", "notsup", "badf", "notcapable"],
        rights: &["poll_fd_readwrite", "fd_read", "fd_write"],
        libc: &["poll", "select", "pselect", "nanosleep", "clock_nanosleep", "sleep", "usleep"],
        ..func("poll_oneoff", "Wait until at least one subscription fires: a clock reaches a time, or a descriptor becomes readable or writable. sleep() is a poll_oneoff with one clock subscription.")
    },
    Function {
        params: &[param("rval", Ty::Named("exitcode"), "The exit status; 0 means success.")],
        noreturn: true,
        libc: &["exit", "_Exit"],
        ..func("proc_exit", "End the process with an exit status. It does not return; stdio buffers must be flushed before (exit() does that).")
    },
    Function {
        params: &[param("sig", Ty::Named("signal"), "The signal to raise.")],
        errnos: &["inval", "nosys"],
        libc: &[],
        ..func("proc_raise", "Send a signal to the process itself. Deprecated: most hosts do not implement it, and current wasi-libc never calls it (its raise() is emulated in libwasi-emulated-signal).")
    },
    Function {
        errnos: &["nosys"],
        libc: &["sched_yield"],
        ..func("sched_yield", "Let other threads run before continuing, like POSIX sched_yield.")
    },
    Function {
        params: &[
            param("buf", OUT_BYTES, "The buffer the host fills with random bytes."),
            param("buf_len", SIZE, "How many bytes to write."),
        ],
        errnos: &["fault", "io"],
        libc: &["getentropy", "arc4random"],
        ..func("random_get", "Fill a buffer with cryptographically secure random bytes from the host. Use it to seed a generator rather than for bulk data.")
    },
    Function {
        params: &[
            param("fd", FD, "A listening socket."),
            param("flags", Ty::Named("fdflags"), "Flags for the new connection's descriptor (only nonblock is meaningful)."),
        ],
        results: &[param("conn", FD, "The descriptor of the accepted connection.")],
        errnos: &["badf", "again", "notsock", "notcapable", "inval", "fault"],
        rights: &["sock_accept"],
        libc: &["accept", "accept4"],
        ..func("sock_accept", "Accept a pending connection on a listening socket the host preopened, like POSIX accept.")
    },
    Function {
        params: &[
            param("fd", FD, "A connected socket."),
            param("ri_data", Ty::Named("iovec_array"), "Buffers (iovec records, 8 bytes each) the host fills with received bytes, in order."),
            param("ri_flags", Ty::Named("riflags"), "recv_peek and recv_waitall."),
        ],
        results: &[
            param("nread", SIZE, "How many bytes were received."),
            param("ro_flags", Ty::Named("roflags"), "Whether the message was truncated (a u16 written at the second out-pointer)."),
        ],
        errnos: &["badf", "again", "notsock", "notconn", "notcapable", "fault"],
        rights: &["fd_read"],
        libc: &["recv"],
        ..func("sock_recv", "Receive bytes from a socket into several buffers, like POSIX recv combined with readv.")
    },
    Function {
        params: &[
            param("fd", FD, "A connected socket."),
            param("si_data", Ty::Named("ciovec_array"), "Buffers (ciovec records, 8 bytes each) whose bytes are sent, in order."),
            param("si_flags", Ty::Named("siflags"), "No flags are defined; pass 0."),
        ],
        results: &[param("nwritten", SIZE, "How many bytes were sent.")],
        errnos: &["badf", "again", "notsock", "notconn", "pipe", "notcapable", "fault"],
        rights: &["fd_write"],
        libc: &["send"],
        ..func("sock_send", "Send bytes from several buffers on a socket, like POSIX send combined with writev.")
    },
    Function {
        params: &[
            param("fd", FD, "A connected socket."),
            param("how", Ty::Named("sdflags"), "Which directions to close: rd, wr or both."),
        ],
        errnos: &["badf", "notsock", "notconn", "inval", "notcapable"],
        rights: &["sock_shutdown"],
        libc: &["shutdown"],
        ..func("sock_shutdown", "Close the receiving or sending side (or both) of a socket, like POSIX shutdown.")
    },
];
