//! The `path_*` functions: calls that name a file by a path relative to a directory
//! descriptor. A path may not leave its directory (no `..` above it, no absolute symlinks).
use super::{func, param, Function, Param, Ty, OUT_BYTES};

const FD: Ty = Ty::Named("fd");
const LOOKUP: Ty = Ty::Named("lookupflags");

const DIR_PARAM: Param = param(
    "fd",
    FD,
    "The directory the path is relative to (a preopen or a directory opened from one).",
);
const LOOKUP_PARAM: Param = param(
    "flags",
    LOOKUP,
    "symlink_follow: whether a symbolic link as the last component is followed.",
);
/// Errors any path resolution can produce.
const RESOLVE_ERRNOS: &[&str] = &[
    "badf",
    "notcapable",
    "noent",
    "notdir",
    "loop",
    "nametoolong",
    "acces",
    "perm",
    "ilseq",
    "fault",
    "inval",
];

pub static FUNCTIONS: &[Function] = &[
    Function {
        params: &[DIR_PARAM, param("path", Ty::String, "The directory to create.")],
        errnos: &["exist", "noent", "notdir", "nospc", "rofs", "badf", "notcapable", "acces", "fault"],
        rights: &["path_create_directory"],
        libc: &["mkdir", "mkdirat"],
        ..func("path_create_directory", "Create a directory, like POSIX mkdirat.")
    },
    Function {
        params: &[DIR_PARAM, LOOKUP_PARAM, param("path", Ty::String, "The file or directory to inspect.")],
        results: &[param("stat", Ty::Named("filestat"), "A 64-byte filestat record written at the out-pointer.")],
        errnos: RESOLVE_ERRNOS,
        rights: &["path_filestat_get"],
        libc: &["stat", "lstat", "fstatat", "access", "faccessat"],
        ..func("path_filestat_get", "Report a file's attributes by path, like POSIX fstatat (stat follows symlinks, lstat does not).")
    },
    Function {
        params: &[
            DIR_PARAM,
            LOOKUP_PARAM,
            param("path", Ty::String, "The file or directory to change."),
            param("atim", Ty::Named("timestamp"), "The new access time, used when fst_flags has atim."),
            param("mtim", Ty::Named("timestamp"), "The new modification time, used when fst_flags has mtim."),
            param("fst_flags", Ty::Named("fstflags"), "Which times to set, and whether to the value given or to now."),
        ],
        errnos: RESOLVE_ERRNOS,
        rights: &["path_filestat_set_times"],
        libc: &["utimensat", "utimes", "utime"],
        ..func("path_filestat_set_times", "Set a file's access and modification times by path, like POSIX utimensat.")
    },
    Function {
        params: &[
            param("old_fd", FD, "The directory old_path is relative to."),
            param("old_flags", LOOKUP, "Whether a symlink as old_path's last component is followed."),
            param("old_path", Ty::String, "The existing file."),
            param("new_fd", FD, "The directory new_path is relative to."),
            param("new_path", Ty::String, "The name of the new link."),
        ],
        errnos: &["exist", "noent", "notdir", "xdev", "perm", "mlink", "badf", "notcapable", "fault"],
        rights: &["path_link_source", "path_link_target"],
        libc: &["link", "linkat"],
        ..func("path_link", "Create a hard link, like POSIX linkat.")
    },
    Function {
        params: &[
            param("fd", FD, "The directory the path is relative to: a preopen (fd 3 and up, from --dir) or a directory opened from one."),
            param("dirflags", LOOKUP, "symlink_follow: whether a symbolic link as the last component is followed."),
            param("path", Ty::String, "The file or directory to open, relative to fd."),
            param("oflags", Ty::Named("oflags"), "creat, directory, excl, trunc."),
            param("fs_rights_base", Ty::Named("rights"), "The rights the new descriptor asks for (fd_read, fd_write, ...); the host may grant fewer."),
            param("fs_rights_inheriting", Ty::Named("rights"), "The rights descriptors opened through the new one may get."),
            param("fdflags", Ty::Named("fdflags"), "append, nonblock, sync, ... for the new descriptor."),
        ],
        results: &[param("opened_fd", FD, "The new descriptor (a u32 written at the out-pointer).")],
        errnos: &["noent", "exist", "notdir", "isdir", "acces", "perm", "loop", "mfile", "nametoolong", "notcapable", "badf", "inval", "rofs", "fault"],
        rights: &["path_open", "path_create_file", "path_filestat_set_size"],
        libc: &["open", "openat", "fopen", "freopen", "opendir", "creat"],
        ..func("path_open", "Open a file or directory relative to a directory descriptor, like POSIX openat. Every path a program opens must lie under a directory preopened with --dir; path_create_file is needed with creat, path_filestat_set_size with trunc.")
    },
    Function {
        params: &[
            DIR_PARAM,
            param("path", Ty::String, "The symbolic link to read."),
            param("buf", OUT_BYTES, "The buffer the host fills with the link's target (no NUL byte)."),
            param("buf_len", Ty::Named("size"), "The buffer's size; a longer target is cut short."),
        ],
        results: &[param("bufused", Ty::Named("size"), "How many bytes were written to buf.")],
        errnos: &["noent", "inval", "notdir", "badf", "notcapable", "fault"],
        rights: &["path_readlink"],
        libc: &["readlink", "readlinkat"],
        ..func("path_readlink", "Read where a symbolic link points, like POSIX readlinkat.")
    },
    Function {
        params: &[DIR_PARAM, param("path", Ty::String, "The directory to remove; it must be empty.")],
        errnos: &["notempty", "noent", "notdir", "busy", "badf", "notcapable", "acces", "fault"],
        rights: &["path_remove_directory"],
        libc: &["rmdir", "remove", "unlinkat", "__wasilibc_rmdirat"],
        ..func("path_remove_directory", "Remove an empty directory, like unlinkat(fd, path, AT_REMOVEDIR).")
    },
    Function {
        params: &[
            param("fd", FD, "The directory old_path is relative to."),
            param("old_path", Ty::String, "The file or directory to rename."),
            param("new_fd", FD, "The directory new_path is relative to."),
            param("new_path", Ty::String, "Its new name; an existing file there is replaced."),
        ],
        errnos: &["noent", "exist", "notempty", "isdir", "notdir", "xdev", "inval", "busy", "badf", "notcapable", "fault"],
        rights: &["path_rename_source", "path_rename_target"],
        libc: &["rename", "renameat"],
        ..func("path_rename", "Rename a file or directory, like POSIX renameat.")
    },
    Function {
        params: &[
            param("old_path", Ty::String, "What the link will point to (stored as is)."),
            DIR_PARAM,
            param("new_path", Ty::String, "Where to create the link."),
        ],
        errnos: &["exist", "noent", "notdir", "perm", "badf", "notcapable", "fault"],
        rights: &["path_symlink"],
        libc: &["symlink", "symlinkat"],
        ..func("path_symlink", "Create a symbolic link, like POSIX symlinkat. Note the argument order: the target comes first.")
    },
    Function {
        params: &[DIR_PARAM, param("path", Ty::String, "The file to remove.")],
        errnos: &["noent", "isdir", "notdir", "perm", "busy", "badf", "notcapable", "acces", "fault"],
        rights: &["path_unlink_file"],
        libc: &["unlink", "remove", "unlinkat", "__wasilibc_unlinkat"],
        ..func("path_unlink_file", "Remove a file (not a directory), like unlinkat(fd, path, 0).")
    },
];
