//! From a resolved function and raw arguments to the implementation, and from its result
//! to an [`Outcome`]. i32 arguments arrive as u64 (zero- or sign-extended; only the low 32 bits
//! count), i64 arguments as their bit pattern.
use super::memory::GuestMemory;
use super::signatures::Func;
use super::types::WasiResult;
use super::{Abi, Outcome, WasiCtx};
use wasmparser::ValType;

pub fn dispatch(ctx: &mut WasiCtx, abi: Abi, mem: &mut [u8], func: Func, a: &[u64]) -> Outcome {
    let params = func.params();
    if a.len() != params.len() {
        let name = func.name();
        return Outcome::Trap(format!(
            "WASI {name} takes {} arguments, the caller passed {}",
            params.len(),
            a.len()
        ));
    }
    if let Some(trap) = invalid_argument(func, a) {
        return Outcome::Trap(trap);
    }
    let m = &mut GuestMemory::new(mem);
    let w = |i: usize| a[i] as u32;
    let result: WasiResult = match func {
        Func::args_get => ctx.args_get(m, w(0), w(1)),
        Func::args_sizes_get => ctx.args_sizes_get(m, w(0), w(1)),
        Func::environ_get => ctx.environ_get(m, w(0), w(1)),
        Func::environ_sizes_get => ctx.environ_sizes_get(m, w(0), w(1)),
        Func::clock_res_get => ctx.clock_res_get(m, w(0), w(1)),
        Func::clock_time_get => ctx.clock_time_get(m, w(0), a[1], w(2)),
        Func::fd_advise => ctx.fd_advise(w(0), a[1], a[2], w(3)),
        Func::fd_allocate => ctx.fd_allocate(w(0), a[1], a[2]),
        Func::fd_close => ctx.fd_close(w(0)),
        Func::fd_datasync => ctx.fd_datasync(w(0)),
        Func::fd_fdstat_get => ctx.fd_fdstat_get(m, w(0), w(1)),
        Func::fd_fdstat_set_flags => ctx.fd_fdstat_set_flags(w(0), w(1)),
        Func::fd_fdstat_set_rights => ctx.fd_fdstat_set_rights(w(0), a[1], a[2]),
        Func::fd_filestat_get => ctx.fd_filestat_get(abi, m, w(0), w(1)),
        Func::fd_filestat_set_size => ctx.fd_filestat_set_size(w(0), a[1]),
        Func::fd_filestat_set_times => ctx.fd_filestat_set_times(w(0), a[1], a[2], w(3)),
        Func::fd_pread => ctx.fd_pread(m, w(0), w(1), w(2), a[3], w(4)),
        Func::fd_prestat_get => ctx.fd_prestat_get(m, w(0), w(1)),
        Func::fd_prestat_dir_name => ctx.fd_prestat_dir_name(m, w(0), w(1), w(2)),
        Func::fd_pwrite => ctx.fd_pwrite(m, w(0), w(1), w(2), a[3], w(4)),
        Func::fd_read => ctx.fd_read(m, w(0), w(1), w(2), w(3)),
        Func::fd_readdir => ctx.fd_readdir(m, w(0), w(1), w(2), a[3], w(4)),
        Func::fd_renumber => ctx.fd_renumber(w(0), w(1)),
        Func::fd_seek => ctx.fd_seek(abi, m, w(0), a[1] as i64, w(2), w(3)),
        Func::fd_sync => ctx.fd_sync(w(0)),
        Func::fd_tell => ctx.fd_tell(m, w(0), w(1)),
        Func::fd_write => ctx.fd_write(m, w(0), w(1), w(2), w(3)),
        Func::path_create_directory => ctx.path_dir_op(m, w(0), w(1), w(2), |d, p| d.create_dir(p)),
        Func::path_filestat_get => ctx.path_filestat_get(abi, m, w(0), w(1), w(2), w(3), w(4)),
        Func::path_filestat_set_times => {
            ctx.path_filestat_set_times(m, w(0), w(1), w(2), w(3), a[4], a[5], w(6))
        }
        Func::path_link => ctx.path_link(m, w(0), w(1), w(2), w(3), w(4), w(5), w(6)),
        Func::path_open => ctx.path_open(m, w(0), w(1), w(2), w(3), w(4), a[5], a[6], w(7), w(8)),
        Func::path_readlink => ctx.path_readlink(m, w(0), w(1), w(2), w(3), w(4), w(5)),
        Func::path_remove_directory => ctx.path_dir_op(m, w(0), w(1), w(2), |d, p| d.remove_dir(p)),
        Func::path_rename => ctx.path_rename(m, w(0), w(1), w(2), w(3), w(4), w(5)),
        Func::path_symlink => ctx.path_symlink(m, w(0), w(1), w(2), w(3), w(4)),
        Func::path_unlink_file => ctx.path_dir_op(m, w(0), w(1), w(2), |d, p| d.remove_file(p)),
        Func::poll_oneoff => ctx.poll_oneoff(abi, m, w(0), w(1), w(2), w(3)),
        Func::proc_exit => return ctx.proc_exit(w(0)),
        Func::proc_raise => return ctx.proc_raise(w(0)),
        Func::sched_yield => ctx.sched_yield(),
        Func::random_get => ctx.random_get(m, w(0), w(1)),
        Func::sock_accept => ctx.sock_accept(m, w(0), w(1), w(2)),
        Func::sock_recv => ctx.sock_recv(m, w(0), w(1), w(2), w(3), w(4), w(5)),
        Func::sock_send => ctx.sock_send(m, w(0), w(1), w(2), w(3), w(4)),
        Func::sock_shutdown => ctx.sock_shutdown(w(0), w(1)),
    };
    Outcome::Return(match result {
        Ok(()) => 0,
        Err(errno) => errno.0 as i32,
    })
}

/// An enum or flags argument outside its type, described as a trap message.
fn invalid_argument(func: Func, a: &[u64]) -> Option<String> {
    for &(i, ty, max) in func.checks() {
        let value = if func.params()[i] == ValType::I64 {
            a[i]
        } else {
            a[i] as u32 as u64
        };
        if value > max {
            let (name, param) = (func.name(), func.param_names()[i]);
            return Some(format!(
                "{name}: invalid {ty} value {value:#x} for `{param}`"
            ));
        }
    }
    None
}
