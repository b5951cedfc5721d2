//! The 46 functions of wasi_snapshot_preview1 with their core Wasm types, and parameter
//! names for traces. One table feeds both so they cannot drift apart.
use wasmparser::ValType;

macro_rules! wasi_functions {
    ($($name:ident ( $($param:ident : $ty:ident),* ) $(-> $result:ident)? ;)*) => {
        static SIGNATURES: &[(&str, &[ValType], &[ValType])] = &[
            $((stringify!($name), &[$(ValType::$ty),*], &[$(ValType::$result)?]),)*
        ];
        static PARAM_NAMES: &[(&str, &[&str])] = &[
            $((stringify!($name), &[$(stringify!($param)),*]),)*
        ];

        /// One WASI function, in table order: what dispatch switches on once an import is
        /// resolved, so a call costs no string comparisons.
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Func { $($name,)* }

        static FUNCS: &[Func] = &[$(Func::$name,)*];
    };
}

wasi_functions! {
    args_get(argv: I32, argv_buf: I32) -> I32;
    args_sizes_get(argc_out: I32, argv_buf_size_out: I32) -> I32;
    environ_get(environ: I32, environ_buf: I32) -> I32;
    environ_sizes_get(count_out: I32, buf_size_out: I32) -> I32;
    clock_res_get(id: I32, resolution_out: I32) -> I32;
    clock_time_get(id: I32, precision: I64, time_out: I32) -> I32;
    fd_advise(fd: I32, offset: I64, len: I64, advice: I32) -> I32;
    fd_allocate(fd: I32, offset: I64, len: I64) -> I32;
    fd_close(fd: I32) -> I32;
    fd_datasync(fd: I32) -> I32;
    fd_fdstat_get(fd: I32, fdstat_out: I32) -> I32;
    fd_fdstat_set_flags(fd: I32, flags: I32) -> I32;
    fd_fdstat_set_rights(fd: I32, rights_base: I64, rights_inheriting: I64) -> I32;
    fd_filestat_get(fd: I32, filestat_out: I32) -> I32;
    fd_filestat_set_size(fd: I32, size: I64) -> I32;
    fd_filestat_set_times(fd: I32, atim: I64, mtim: I64, fst_flags: I32) -> I32;
    fd_pread(fd: I32, iovs: I32, iovs_len: I32, offset: I64, nread_out: I32) -> I32;
    fd_prestat_get(fd: I32, prestat_out: I32) -> I32;
    fd_prestat_dir_name(fd: I32, path_ptr: I32, path_len: I32) -> I32;
    fd_pwrite(fd: I32, iovs: I32, iovs_len: I32, offset: I64, nwritten_out: I32) -> I32;
    fd_read(fd: I32, iovs: I32, iovs_len: I32, nread_out: I32) -> I32;
    fd_readdir(fd: I32, buf: I32, buf_len: I32, cookie: I64, bufused_out: I32) -> I32;
    fd_renumber(fd: I32, to: I32) -> I32;
    fd_seek(fd: I32, offset: I64, whence: I32, newoffset_out: I32) -> I32;
    fd_sync(fd: I32) -> I32;
    fd_tell(fd: I32, offset_out: I32) -> I32;
    fd_write(fd: I32, iovs: I32, iovs_len: I32, nwritten_out: I32) -> I32;
    path_create_directory(fd: I32, path_ptr: I32, path_len: I32) -> I32;
    path_filestat_get(fd: I32, flags: I32, path_ptr: I32, path_len: I32, filestat_out: I32) -> I32;
    path_filestat_set_times(fd: I32, flags: I32, path_ptr: I32, path_len: I32, atim: I64, mtim: I64, fst_flags: I32) -> I32;
    path_link(old_fd: I32, old_flags: I32, old_path_ptr: I32, old_path_len: I32, new_fd: I32, new_path_ptr: I32, new_path_len: I32) -> I32;
    path_open(fd: I32, dirflags: I32, path_ptr: I32, path_len: I32, oflags: I32, rights_base: I64, rights_inheriting: I64, fdflags: I32, fd_out: I32) -> I32;
    path_readlink(fd: I32, path_ptr: I32, path_len: I32, buf: I32, buf_len: I32, bufused_out: I32) -> I32;
    path_remove_directory(fd: I32, path_ptr: I32, path_len: I32) -> I32;
    path_rename(fd: I32, old_path_ptr: I32, old_path_len: I32, new_fd: I32, new_path_ptr: I32, new_path_len: I32) -> I32;
    path_symlink(old_path_ptr: I32, old_path_len: I32, fd: I32, new_path_ptr: I32, new_path_len: I32) -> I32;
    path_unlink_file(fd: I32, path_ptr: I32, path_len: I32) -> I32;
    poll_oneoff(subscriptions: I32, events_out: I32, nsubscriptions: I32, nevents_out: I32) -> I32;
    proc_exit(code: I32);
    proc_raise(signal: I32) -> I32;
    sched_yield() -> I32;
    random_get(buf: I32, buf_len: I32) -> I32;
    sock_accept(fd: I32, flags: I32, fd_out: I32) -> I32;
    sock_recv(fd: I32, ri_data: I32, ri_data_len: I32, ri_flags: I32, ro_datalen_out: I32, ro_flags_out: I32) -> I32;
    sock_send(fd: I32, si_data: I32, si_data_len: I32, si_flags: I32, so_datalen_out: I32) -> I32;
    sock_shutdown(fd: I32, how: I32) -> I32;
}

/// All 46 functions: name, core Wasm parameter types, result types.
pub fn signatures() -> &'static [(&'static str, &'static [ValType], &'static [ValType])] {
    SIGNATURES
}

/// The table position of `name`.
pub fn index_of(name: &str) -> Option<usize> {
    SIGNATURES.iter().position(|s| s.0 == name)
}

/// The signature of one function, if WASI has it.
pub fn signature(name: &str) -> Option<(&'static [ValType], &'static [ValType])> {
    index_of(name).map(|i| (SIGNATURES[i].1, SIGNATURES[i].2))
}

/// Parameter names of `name`, for traces.
pub fn param_names(name: &str) -> &'static [&'static str] {
    index_of(name).map(|i| PARAM_NAMES[i].1).unwrap_or(&[])
}

/// A parameter to range-check: (position, witx type name, largest valid value).
pub type ParamCheck = (usize, &'static str, u64);

impl Func {
    pub fn at(index: usize) -> Func {
        FUNCS[index]
    }
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn name(self) -> &'static str {
        SIGNATURES[self.index()].0
    }
    pub fn params(self) -> &'static [ValType] {
        SIGNATURES[self.index()].1
    }
    pub fn param_names(self) -> &'static [&'static str] {
        PARAM_NAMES[self.index()].1
    }

    /// The enum and flags parameters to range-check: (position, type name, largest value).
    pub fn checks(self) -> &'static [ParamCheck] {
        static CHECKS: std::sync::OnceLock<Vec<Vec<ParamCheck>>> = std::sync::OnceLock::new();
        let all = CHECKS.get_or_init(|| {
            FUNCS
                .iter()
                .map(|f| {
                    let names = f.param_names().iter().enumerate();
                    names
                        .filter_map(|(i, p)| {
                            checked_param(f.name(), p).map(|(ty, max)| (i, ty, max))
                        })
                        .collect()
                })
                .collect()
        });
        &all[self.index()]
    }
}

/// For a parameter of an enum or flags type: the type's witx name and its largest valid
/// value. wasmtime's generated bindings trap on anything outside it, so rt does too.
pub fn checked_param(func: &str, param: &str) -> Option<(&'static str, u64)> {
    Some(match (func, param) {
        ("clock_res_get" | "clock_time_get", "id") => ("clockid", 3),
        ("fd_advise", "advice") => ("advice", 5),
        ("fd_seek", "whence") => ("whence", 2),
        (_, "fst_flags") => ("fstflags", 0xf),
        ("path_open", "oflags") => ("oflags", 0xf),
        ("path_open", "fdflags") | ("fd_fdstat_set_flags" | "sock_accept", "flags") => {
            ("fdflags", 0x1f)
        }
        ("path_open", "dirflags")
        | ("path_filestat_get" | "path_filestat_set_times", "flags")
        | ("path_link", "old_flags") => ("lookupflags", 1),
        (_, "rights_base" | "rights_inheriting") => ("rights", (1 << 30) - 1),
        ("proc_raise", "signal") => ("signal", 30),
        ("sock_shutdown", "how") => ("sdflags", 3),
        ("sock_recv", "ri_flags") => ("riflags", 3),
        _ => return None,
    })
}

/// The import module names WASI functions are found under. wasi_unstable (preview0) has
/// the same functions minus sock_accept, with a few layouts that `call_module` handles.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";
pub const UNSTABLE: &str = "wasi_unstable";

/// Whether `module`.`name` is a WASI import this crate provides.
pub fn provides(module: &str, name: &str) -> bool {
    match module {
        PREVIEW1 => signature(name).is_some(),
        UNSTABLE => name != "sock_accept" && signature(name).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_six_functions_with_names_for_every_param() {
        assert_eq!(signatures().len(), 46);
        for (name, params, results) in signatures() {
            assert_eq!(param_names(name).len(), params.len(), "{name}");
            let expected: &[ValType] = if *name == "proc_exit" {
                &[]
            } else {
                &[ValType::I32]
            };
            assert_eq!(*results, expected, "{name}");
        }
    }

    #[test]
    fn every_checked_param_exists() {
        let mut checked = 0;
        for (name, _, _) in signatures() {
            checked += param_names(name)
                .iter()
                .filter(|p| checked_param(name, p).is_some())
                .count();
        }
        assert_eq!(checked, 21);
    }

    #[test]
    fn funcs_follow_the_table() {
        for (i, (name, params, _)) in signatures().iter().enumerate() {
            let f = Func::at(i);
            assert_eq!((f.index(), f.name(), f.params()), (i, *name, *params));
        }
        assert_eq!(
            Func::at(index_of("fd_seek").unwrap()).checks(),
            &[(2, "whence", 2)]
        );
    }

    #[test]
    fn module_names() {
        assert!(provides(PREVIEW1, "sock_accept"));
        assert!(!provides(UNSTABLE, "sock_accept"));
        assert!(provides(UNSTABLE, "fd_write"));
        assert!(!provides("env", "fd_write"));
        assert_eq!(
            signature("clock_time_get").unwrap().0,
            &[ValType::I32, ValType::I64, ValType::I32]
        );
    }
}
