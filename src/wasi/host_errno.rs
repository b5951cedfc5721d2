//! Host errors become WASI errnos: the raw OS errno when there is one, else the error kind
//! (cap-std reports a sandbox escape as `PermissionDenied` with no OS errno, which wasmtime
//! shows the guest as `perm`).
use super::types::Errno;
use std::io;

pub fn from_io(err: &io::Error) -> Errno {
    if let Some(code) = err.raw_os_error() {
        return from_raw(code);
    }
    use io::ErrorKind as K;
    match err.kind() {
        K::NotFound => Errno::NOENT,
        K::PermissionDenied => Errno::PERM,
        K::AlreadyExists => Errno::EXIST,
        K::InvalidInput => Errno::INVAL,
        K::BrokenPipe => Errno::PIPE,
        K::WouldBlock => Errno::AGAIN,
        K::Interrupted => Errno::INTR,
        K::Unsupported => Errno::NOTSUP,
        K::OutOfMemory => Errno::NOMEM,
        K::ConnectionRefused => Errno::CONNREFUSED,
        K::ConnectionReset => Errno::CONNRESET,
        K::ConnectionAborted => Errno::CONNABORTED,
        K::NotConnected => Errno::NOTCONN,
        K::AddrInUse => Errno::ADDRINUSE,
        K::AddrNotAvailable => Errno::ADDRNOTAVAIL,
        K::TimedOut => Errno::TIMEDOUT,
        K::UnexpectedEof => Errno::IO,
        _ => Errno::IO,
    }
}

/// Linux errno -> WASI errno.
pub fn from_raw(code: i32) -> Errno {
    match code {
        0 => Errno::SUCCESS,
        libc::E2BIG => Errno::TOOBIG,
        libc::EACCES => Errno::ACCES,
        libc::EADDRINUSE => Errno::ADDRINUSE,
        libc::EADDRNOTAVAIL => Errno::ADDRNOTAVAIL,
        libc::EAFNOSUPPORT => Errno::AFNOSUPPORT,
        libc::EAGAIN => Errno::AGAIN,
        libc::EALREADY => Errno::ALREADY,
        libc::EBADF => Errno::BADF,
        libc::EBADMSG => Errno::BADMSG,
        libc::EBUSY => Errno::BUSY,
        libc::ECANCELED => Errno::CANCELED,
        libc::ECHILD => Errno::CHILD,
        libc::ECONNABORTED => Errno::CONNABORTED,
        libc::ECONNREFUSED => Errno::CONNREFUSED,
        libc::ECONNRESET => Errno::CONNRESET,
        libc::EDEADLK => Errno::DEADLK,
        libc::EDESTADDRREQ => Errno::DESTADDRREQ,
        libc::EDOM => Errno::DOM,
        libc::EDQUOT => Errno::DQUOT,
        libc::EEXIST => Errno::EXIST,
        libc::EFAULT => Errno::FAULT,
        libc::EFBIG => Errno::FBIG,
        libc::EHOSTUNREACH => Errno::HOSTUNREACH,
        libc::EIDRM => Errno::IDRM,
        libc::EILSEQ => Errno::ILSEQ,
        libc::EINPROGRESS => Errno::INPROGRESS,
        libc::EINTR => Errno::INTR,
        libc::EINVAL => Errno::INVAL,
        libc::EIO => Errno::IO,
        libc::EISCONN => Errno::ISCONN,
        libc::EISDIR => Errno::ISDIR,
        libc::ELOOP => Errno::LOOP,
        libc::EMFILE => Errno::MFILE,
        libc::EMLINK => Errno::MLINK,
        libc::EMSGSIZE => Errno::MSGSIZE,
        libc::EMULTIHOP => Errno::MULTIHOP,
        libc::ENAMETOOLONG => Errno::NAMETOOLONG,
        libc::ENETDOWN => Errno::NETDOWN,
        libc::ENETRESET => Errno::NETRESET,
        libc::ENETUNREACH => Errno::NETUNREACH,
        libc::ENFILE => Errno::NFILE,
        libc::ENOBUFS => Errno::NOBUFS,
        libc::ENODEV => Errno::NODEV,
        libc::ENOENT => Errno::NOENT,
        libc::ENOEXEC => Errno::NOEXEC,
        libc::ENOLCK => Errno::NOLCK,
        libc::ENOLINK => Errno::NOLINK,
        libc::ENOMEM => Errno::NOMEM,
        libc::ENOMSG => Errno::NOMSG,
        libc::ENOPROTOOPT => Errno::NOPROTOOPT,
        libc::ENOSPC => Errno::NOSPC,
        libc::ENOSYS => Errno::NOSYS,
        libc::ENOTCONN => Errno::NOTCONN,
        libc::ENOTDIR => Errno::NOTDIR,
        libc::ENOTEMPTY => Errno::NOTEMPTY,
        libc::ENOTRECOVERABLE => Errno::NOTRECOVERABLE,
        libc::ENOTSOCK => Errno::NOTSOCK,
        libc::EOPNOTSUPP => Errno::NOTSUP,
        libc::ENOTTY => Errno::NOTTY,
        libc::ENXIO => Errno::NXIO,
        libc::EOVERFLOW => Errno::OVERFLOW,
        libc::EOWNERDEAD => Errno::OWNERDEAD,
        libc::EPERM => Errno::PERM,
        libc::EPIPE => Errno::PIPE,
        libc::EPROTO => Errno::PROTO,
        libc::EPROTONOSUPPORT => Errno::PROTONOSUPPORT,
        libc::EPROTOTYPE => Errno::PROTOTYPE,
        libc::ERANGE => Errno::RANGE,
        libc::EROFS => Errno::ROFS,
        libc::ESPIPE => Errno::SPIPE,
        libc::ESRCH => Errno::SRCH,
        libc::ESTALE => Errno::STALE,
        libc::ETIMEDOUT => Errno::TIMEDOUT,
        libc::ETXTBSY => Errno::TXTBSY,
        libc::EXDEV => Errno::XDEV,
        _ => Errno::IO,
    }
}

impl From<io::Error> for Errno {
    fn from(err: io::Error) -> Errno {
        from_io(&err)
    }
}

/// The errno of the last failed libc call.
pub fn last_os() -> Errno {
    from_io(&io::Error::last_os_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errnos_map_by_meaning() {
        assert_eq!(from_raw(libc::ENOENT), Errno::NOENT);
        assert_eq!(from_raw(libc::ELOOP), Errno::LOOP);
        assert_eq!(
            from_io(&io::Error::from_raw_os_error(libc::EPIPE)),
            Errno::PIPE
        );
    }

    #[test]
    fn kind_only_errors_map_too() {
        let escape = io::Error::new(io::ErrorKind::PermissionDenied, "a path led outside");
        assert_eq!(from_io(&escape), Errno::PERM);
    }
}
