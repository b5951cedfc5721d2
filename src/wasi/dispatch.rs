//! From a function name and raw arguments to the implementation, and from its result to an
//! [`Outcome`]. i32 arguments arrive as u64 (zero- or sign-extended; only the low 32 bits
//! count), i64 arguments as their bit pattern.
use super::memory::GuestMemory;
use super::types::WasiResult;
use super::{signature, Abi, Outcome, WasiCtx};

pub fn dispatch(ctx: &mut WasiCtx, abi: Abi, mem: &mut [u8], name: &str, a: &[u64]) -> Outcome {
    let Some((params, _)) = signature(name) else {
        return Outcome::Trap(format!("unknown WASI function `{name}`"));
    };
    if a.len() != params.len() {
        return Outcome::Trap(format!(
            "WASI {name} takes {} arguments, the caller passed {}",
            params.len(),
            a.len()
        ));
    }
    let m = &mut GuestMemory::new(mem);
    let w = |i: usize| a[i] as u32;
    let result: WasiResult = match name {
        "args_get" => ctx.args_get(m, w(0), w(1)),
        "args_sizes_get" => ctx.args_sizes_get(m, w(0), w(1)),
        "environ_get" => ctx.environ_get(m, w(0), w(1)),
        "environ_sizes_get" => ctx.environ_sizes_get(m, w(0), w(1)),
        "clock_res_get" => ctx.clock_res_get(m, w(0), w(1)),
        "clock_time_get" => ctx.clock_time_get(m, w(0), a[1], w(2)),
        "fd_advise" => ctx.fd_advise(w(0), a[1], a[2], w(3)),
        "fd_allocate" => ctx.fd_allocate(w(0), a[1], a[2]),
        "fd_close" => ctx.fd_close(w(0)),
        "fd_datasync" => ctx.fd_datasync(w(0)),
        "fd_fdstat_get" => ctx.fd_fdstat_get(m, w(0), w(1)),
        "fd_fdstat_set_flags" => ctx.fd_fdstat_set_flags(w(0), w(1)),
        "fd_fdstat_set_rights" => ctx.fd_fdstat_set_rights(w(0), a[1], a[2]),
        "fd_filestat_get" => ctx.fd_filestat_get(abi, m, w(0), w(1)),
        "fd_filestat_set_size" => ctx.fd_filestat_set_size(w(0), a[1]),
        "fd_filestat_set_times" => ctx.fd_filestat_set_times(w(0), a[1], a[2], w(3)),
        "fd_pread" => ctx.fd_pread(m, w(0), w(1), w(2), a[3], w(4)),
        "fd_prestat_get" => ctx.fd_prestat_get(m, w(0), w(1)),
        "fd_prestat_dir_name" => ctx.fd_prestat_dir_name(m, w(0), w(1), w(2)),
        "fd_pwrite" => ctx.fd_pwrite(m, w(0), w(1), w(2), a[3], w(4)),
        "fd_read" => ctx.fd_read(m, w(0), w(1), w(2), w(3)),
        "fd_readdir" => ctx.fd_readdir(m, w(0), w(1), w(2), a[3], w(4)),
        "fd_renumber" => ctx.fd_renumber(w(0), w(1)),
        "fd_seek" => ctx.fd_seek(abi, m, w(0), a[1] as i64, w(2), w(3)),
        "fd_sync" => ctx.fd_sync(w(0)),
        "fd_tell" => ctx.fd_tell(m, w(0), w(1)),
        "fd_write" => ctx.fd_write(m, w(0), w(1), w(2), w(3)),
        "path_create_directory" => ctx.path_create_directory(m, w(0), w(1), w(2)),
        "path_filestat_get" => ctx.path_filestat_get(abi, m, w(0), w(1), w(2), w(3), w(4)),
        "path_filestat_set_times" => {
            ctx.path_filestat_set_times(m, w(0), w(1), w(2), w(3), a[4], a[5], w(6))
        }
        "path_link" => ctx.path_link(m, w(0), w(1), w(2), w(3), w(4), w(5), w(6)),
        "path_open" => ctx.path_open(m, w(0), w(1), w(2), w(3), w(4), a[5], a[6], w(7), w(8)),
        "path_readlink" => ctx.path_readlink(m, w(0), w(1), w(2), w(3), w(4), w(5)),
        "path_remove_directory" => ctx.path_remove_directory(m, w(0), w(1), w(2)),
        "path_rename" => ctx.path_rename(m, w(0), w(1), w(2), w(3), w(4), w(5)),
        "path_symlink" => ctx.path_symlink(m, w(0), w(1), w(2), w(3), w(4)),
        "path_unlink_file" => ctx.path_unlink_file(m, w(0), w(1), w(2)),
        "poll_oneoff" => ctx.poll_oneoff(abi, m, w(0), w(1), w(2), w(3)),
        "proc_exit" => return ctx.proc_exit(w(0)),
        "proc_raise" => return ctx.proc_raise(w(0)),
        "sched_yield" => ctx.sched_yield(),
        "random_get" => ctx.random_get(m, w(0), w(1)),
        "sock_accept" => ctx.sock_accept(m, w(0), w(1), w(2)),
        "sock_recv" => ctx.sock_recv(m, w(0), w(1), w(2), w(3), w(4), w(5)),
        "sock_send" => ctx.sock_send(m, w(0), w(1), w(2), w(3), w(4)),
        "sock_shutdown" => ctx.sock_shutdown(w(0), w(1)),
        other => return Outcome::Trap(format!("unknown WASI function `{other}`")),
    };
    Outcome::Return(match result {
        Ok(()) => 0,
        Err(errno) => errno.0 as i32,
    })
}
