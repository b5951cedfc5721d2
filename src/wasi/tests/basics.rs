//! args, environ, clocks, random, proc_*, stdio, memory faults and the call interface itself.
use super::*;
use crate::wasi::signatures;

#[test]
fn args_sizes_and_strings() {
    let mut h = harness_with(|c| c.args = vec!["prog".into(), "a b".into(), "".into(), "ü".into()]);
    let (argc, size) = (h.alloc(4), h.alloc(4));
    h.ok("args_sizes_get", &[argc, size]);
    assert_eq!(h.u32_at(argc), 4);
    assert_eq!(h.u32_at(size), 5 + 4 + 1 + 3);
    let (argv, buf) = (h.alloc(16), h.alloc(13));
    h.ok("args_get", &[argv, buf]);
    assert_eq!(h.u32_at(argv), buf as u32);
    assert_eq!(h.u32_at(argv + 4), buf as u32 + 5);
    assert_eq!(h.slice(buf, 13), b"prog\0a b\0\0\xc3\xbc\0");
}

#[test]
fn environ_sizes_and_strings() {
    let mut h =
        harness_with(|c| c.env = vec![("ONE".into(), "1".into()), ("TWO".into(), "2=2".into())]);
    let (count, size) = (h.alloc(4), h.alloc(4));
    h.ok("environ_sizes_get", &[count, size]);
    assert_eq!((h.u32_at(count), h.u32_at(size)), (2, 6 + 8));
    let (ptrs, buf) = (h.alloc(8), h.alloc(14));
    h.ok("environ_get", &[ptrs, buf]);
    assert_eq!(h.slice(buf, 14), b"ONE=1\0TWO=2=2\0");
    assert_eq!(h.u32_at(ptrs + 4), buf as u32 + 6);
}

#[test]
fn bad_pointers_are_efault_not_panics() {
    let mut h = harness_with(|c| c.args = vec!["prog".into(), "x".into()]);
    let end = h.mem.len() as u64;
    assert_eq!(h.call("args_sizes_get", &[end - 2, 0]), Errno::FAULT);
    assert_eq!(h.call("args_get", &[end - 4, end - 1]), Errno::FAULT);
    assert_eq!(
        h.call("environ_sizes_get", &[u32::MAX as u64, 0]),
        Errno::FAULT
    );
    assert_eq!(h.call("clock_time_get", &[0, 0, end - 7]), Errno::FAULT);
    assert_eq!(h.call("random_get", &[end - 10, 11]), Errno::FAULT);
    assert_eq!(h.call("fd_write", &[1, end - 4, 1, 0]), Errno::FAULT);
    let (iov, _) = h.iovec(b"x", 0);
    h.put_u32(iov, end as u32 - 1);
    h.put_u32(iov + 4, 2);
    assert_eq!(
        h.call("fd_write", &[1, iov, 1, 0]),
        Errno::FAULT,
        "iovec running off the end"
    );
    assert_eq!(
        h.call("fd_write", &[1, 0, u32::MAX as u64, 0]),
        Errno::FAULT
    );
    assert_eq!(
        h.call("fd_prestat_dir_name", &[SANDBOX, end - 2, 8]),
        Errno::FAULT
    );
    assert_eq!(
        h.call("path_open", &[SANDBOX, 0, end - 1, 5, 0, 0, 0, 0, 0]),
        Errno::FAULT
    );
    assert_eq!(h.call("poll_oneoff", &[end - 8, 0, 1, 0]), Errno::FAULT);
    assert_eq!(
        h.call("fd_readdir", &[SANDBOX, end - 8, 100, 0, 0]),
        Errno::FAULT
    );
    assert!(
        h.captured_stdout().is_empty(),
        "nothing may be written when a pointer is bad"
    );
}

#[test]
fn clocks_tick_and_have_resolutions() {
    let mut h = harness();
    let t = h.alloc(8);
    for id in 0..2 {
        h.ok("clock_res_get", &[id, t]);
        assert!(h.u64_at(t) > 0, "clock {id} resolution");
    }
    // The CPU-time clocks are refused as wasmtime refuses them; no such clock is a trap.
    assert_eq!(h.call("clock_res_get", &[2, t]), Errno::BADF);
    assert_eq!(h.call("clock_time_get", &[3, 0, t]), Errno::BADF);
    assert!(matches!(
        h.ctx.call(&mut h.mem, "clock_time_get", &[4, 0, t]),
        Outcome::Trap(_)
    ));
    h.ok("clock_time_get", &[1, 0, t]);
    let first = h.u64_at(t);
    h.ok("clock_time_get", &[1, 0, t]);
    assert!(h.u64_at(t) >= first);
    h.ok("clock_time_get", &[0, 1, t]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    assert!(h.u64_at(t).abs_diff(now.as_nanos() as u64) < 60_000_000_000);
}

#[test]
fn random_fills_the_buffer() {
    let mut h = harness();
    let buf = h.alloc(64);
    h.ok("random_get", &[buf, 64]);
    assert!(h.slice(buf, 64).iter().any(|&b| b != 0));
    h.ok("random_get", &[buf, 0]);
}

#[test]
fn proc_exit_and_raise() {
    let mut h = harness();
    h.write_fd(1, b"before exit");
    assert_eq!(h.ctx.call(&mut h.mem, "proc_exit", &[7]), Outcome::Exit(7));
    assert_eq!(h.captured_stdout(), "before exit");
    assert!(matches!(
        h.ctx.call(&mut h.mem, "proc_exit", &[126]),
        Outcome::Trap(_)
    ));
    // Signals cannot be raised (ENOTSUP, as in wasmtime); no such signal is a trap.
    assert_eq!(h.call("proc_raise", &[0]), Errno::NOTSUP);
    assert_eq!(h.call("proc_raise", &[6]), Errno::NOTSUP);
    match h.ctx.call(&mut h.mem, "proc_raise", &[31]) {
        Outcome::Trap(msg) => assert!(msg.contains("signal"), "{msg}"),
        other => panic!("{other:?}"),
    }
    h.ok("sched_yield", &[]);
}

#[test]
fn stdio_writes_reads_and_fdstat() {
    let mut h = harness_with(|c| c.stdin = StdinSource::Bytes(b"input!".to_vec()));
    let (a, al) = h.str("hello, ");
    let (b, bl) = h.str("world\n");
    let iov1 = h.alloc(16); // a two-element iovec array
    for (i, (p, l)) in [(a, al), (b, bl)].into_iter().enumerate() {
        h.put_u32(iov1 + 8 * i as u64, p as u32);
        h.put_u32(iov1 + 8 * i as u64 + 4, l as u32);
    }
    let n = h.alloc(4);
    h.ok("fd_write", &[1, iov1, 2, n]);
    assert_eq!(h.u32_at(n), 13);
    assert_eq!(h.captured_stdout(), "hello, world\n");
    assert_eq!(h.write_fd(2, b"oops"), Errno::SUCCESS);
    assert_eq!(&*h.stderr.lock().unwrap(), b"oops");
    assert_eq!(h.read_fd(0, 4).unwrap(), b"inpu");
    assert_eq!(h.read_fd(0, 100).unwrap(), b"t!");
    assert_eq!(h.read_fd(0, 100).unwrap(), b"", "end of input");
    assert_eq!(h.read_fd(1, 4), Err(Errno::BADF));
    assert_eq!(h.write_fd(0, b"x"), Errno::BADF);
    assert_eq!(h.write_fd(77, b"x"), Errno::BADF);
    let st = h.alloc(24);
    h.ok("fd_fdstat_get", &[1, st]);
    assert_eq!(
        h.u64_at(st + 8) & crate::wasi::types::rights::FD_WRITE,
        1 << 6
    );
    let pos = h.alloc(8);
    assert_eq!(h.call("fd_seek", &[1, 0, 0, pos]), Errno::SPIPE);
    assert_eq!(h.call("fd_tell", &[0, pos]), Errno::SPIPE);
    let fs = h.alloc(64);
    h.ok("fd_filestat_get", &[1, fs]);
}

#[test]
fn closed_pipe_is_epipe_for_the_guest() {
    let mut fds = [0; 2];
    // SAFETY: pipe fills the two ints; we close both ends ourselves.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    unsafe { libc::close(fds[0]) };
    let result = crate::wasi::stdio::write_output(&OutputSink::Inherit, fds[1], b"abc");
    unsafe { libc::close(fds[1]) };
    assert_eq!(result, Err(Errno::PIPE));
}

#[test]
fn the_call_interface_rejects_misuse() {
    let mut h = harness();
    assert!(matches!(
        h.ctx.call(&mut h.mem, "fd_frobnicate", &[]),
        Outcome::Trap(_)
    ));
    assert!(matches!(
        h.ctx.call(&mut h.mem, "fd_close", &[]),
        Outcome::Trap(_)
    ));
    assert!(matches!(
        h.ctx.call_module("env", &mut h.mem, "fd_close", &[9]),
        Outcome::Trap(_)
    ));
    assert!(matches!(
        h.ctx
            .call_module("wasi_unstable", &mut h.mem, "sock_accept", &[0, 0, 0]),
        Outcome::Trap(_)
    ));
    assert_eq!(
        h.ctx
            .call_module("wasi_unstable", &mut h.mem, "fd_close", &[9]),
        Outcome::Return(8)
    );
    assert_eq!(signatures().len(), 46);
    // High bits of an i32 argument (a sign-extended u64) are ignored.
    assert_eq!(h.call("fd_close", &[0xffff_ffff_0000_0009]), Errno::BADF);
}

#[test]
fn missing_preopen_is_an_error_before_start() {
    let cfg = WasiConfig {
        preopens: vec![("/definitely/not/here".into(), "/x".into())],
        ..WasiConfig::default()
    };
    let err = WasiCtx::new(cfg).err().expect("must fail");
    assert!(err.contains("/definitely/not/here"), "{err}");
}

#[test]
fn prestat_names_the_preopen() {
    let mut h = harness();
    let p = h.alloc(8);
    h.ok("fd_prestat_get", &[SANDBOX, p]);
    assert_eq!((h.mem[p as usize], h.u32_at(p + 4)), (0, 8));
    let name = h.alloc(8);
    h.ok("fd_prestat_dir_name", &[SANDBOX, name, 8]);
    assert_eq!(h.slice(name, 8), b"/sandbox");
    assert_eq!(
        h.call("fd_prestat_dir_name", &[SANDBOX, name, 3]),
        Errno::NAMETOOLONG
    );
    assert_eq!(h.call("fd_prestat_get", &[4, p]), Errno::BADF);
    assert_eq!(h.call("fd_prestat_get", &[1, p]), Errno::BADF);
}

#[test]
fn enum_and_flag_arguments_out_of_range_trap_as_in_wasmtime() {
    let mut h = harness();
    let (p, l) = h.str("f");
    let out = h.alloc(64);
    let cases: &[(&str, Vec<u64>)] = &[
        ("clock_res_get", vec![4, out]),
        ("fd_advise", vec![1, 0, 0, 6]),
        ("fd_seek", vec![1, 0, 3, out]),
        ("fd_filestat_set_times", vec![1, 0, 0, 16]),
        ("path_open", vec![SANDBOX, 2, p, l, 0, 0, 0, 0, out]),
        ("path_open", vec![SANDBOX, 1, p, l, 16, 0, 0, 0, out]),
        ("path_open", vec![SANDBOX, 1, p, l, 0, 1 << 30, 0, 0, out]),
        ("path_open", vec![SANDBOX, 1, p, l, 0, 0, 0, 32, out]),
        ("path_filestat_get", vec![SANDBOX, 3, p, l, out]),
        ("path_link", vec![SANDBOX, 2, p, l, SANDBOX, p, l]),
        ("fd_fdstat_set_flags", vec![1, 0x20]),
        ("proc_raise", vec![31]),
        ("sock_shutdown", vec![0, 4]),
        ("sock_accept", vec![0, 0x40, out]),
        ("sock_recv", vec![0, out, 0, 4, out, out]),
    ];
    for (name, args) in cases {
        let got = h.ctx.call(&mut h.mem, name, args);
        assert!(matches!(got, Outcome::Trap(_)), "{name}{args:?}: {got:?}");
    }
    // In range, the same calls return errnos.
    assert_eq!(h.call("sock_shutdown", &[0, 0]), Errno::NOTSOCK);
    assert_eq!(h.call("fd_fdstat_set_flags", &[1, 0x1f]), Errno::BADF);
}
