//! poll_oneoff with clocks and fds, and the socket calls on a preopened listener.
use super::*;
use crate::wasi::types::event;

/// Write a clock subscription (preview1 layout) at `at`.
fn clock_sub(h: &mut Harness, at: u64, userdata: u64, timeout_ns: u64, abstime: bool) {
    h.put_u64(at, userdata);
    h.mem[at as usize + 8] = event::CLOCK;
    h.put_u32(at + 16, 1); // monotonic
    h.put_u64(at + 24, timeout_ns);
    h.put_u64(at + 32, 0);
    let flags = if abstime { 1u16 } else { 0 };
    h.mem[at as usize + 40..at as usize + 42].copy_from_slice(&flags.to_le_bytes());
}

fn fd_sub(h: &mut Harness, at: u64, userdata: u64, kind: u8, fd: u32) {
    h.put_u64(at, userdata);
    h.mem[at as usize + 8] = kind;
    h.put_u32(at + 16, fd);
}

#[test]
fn clock_subscription_sleeps_and_fires() {
    let mut h = harness();
    let (subs, events, n) = (h.alloc(48), h.alloc(32), h.alloc(4));
    clock_sub(&mut h, subs, 42, 1_000_000, false);
    let start = std::time::Instant::now();
    h.ok("poll_oneoff", &[subs, events, 1, n]);
    assert!(start.elapsed() >= std::time::Duration::from_millis(1));
    assert_eq!((h.u32_at(n), h.u64_at(events)), (1, 42));
    assert_eq!(
        (h.u16_at(events + 8), h.mem[events as usize + 10]),
        (0, event::CLOCK)
    );
    // An absolute deadline in the past fires at once.
    clock_sub(&mut h, subs, 7, 1, true);
    h.ok("poll_oneoff", &[subs, events, 1, n]);
    assert_eq!(h.u64_at(events), 7);
    assert_eq!(h.call("poll_oneoff", &[subs, events, 0, n]), Errno::INVAL);
    h.mem[subs as usize + 8] = 9;
    assert_eq!(h.call("poll_oneoff", &[subs, events, 1, n]), Errno::INVAL);
}

#[test]
fn ready_fds_win_over_a_long_timeout() {
    let mut h = harness_with(|c| c.stdin = StdinSource::Bytes(b"abc".to_vec()));
    std::fs::write(h.host("f"), b"12345").unwrap();
    let f = h.open("f", 0).unwrap();
    let (subs, events, n) = (h.alloc(48 * 4), h.alloc(32 * 4), h.alloc(4));
    clock_sub(&mut h, subs, 1, 60_000_000_000, false);
    fd_sub(&mut h, subs + 48, 2, event::FD_READ, f as u32);
    fd_sub(&mut h, subs + 96, 3, event::FD_WRITE, 1);
    fd_sub(&mut h, subs + 144, 4, event::FD_READ, 0);
    h.ok("poll_oneoff", &[subs, events, 4, n]);
    assert_eq!(h.u32_at(n), 3, "the three ready fds, not the clock");
    let got: Vec<(u64, u16, u8, u64)> = (0..3)
        .map(|i| events + 32 * i)
        .map(|e| {
            (
                h.u64_at(e),
                h.u16_at(e + 8),
                h.mem[e as usize + 10],
                h.u64_at(e + 16),
            )
        })
        .collect();
    // Like wasmtime, a ready fd reports one byte available.
    let (read, write) = (event::FD_READ, event::FD_WRITE);
    assert_eq!(
        got,
        vec![(2, 0, read, 1), (3, 0, write, 1), (4, 0, read, 1)]
    );
}

#[test]
fn bad_fds_and_clocks_fail_the_whole_poll() {
    let mut h = harness();
    let (subs, events, n) = (h.alloc(96), h.alloc(64), h.alloc(4));
    fd_sub(&mut h, subs, 1, event::FD_WRITE, 1);
    for (fd, kind) in [
        (99, event::FD_READ),
        (SANDBOX as u32, event::FD_READ),
        (0, event::FD_WRITE),
        (1, event::FD_READ),
    ] {
        fd_sub(&mut h, subs + 48, 2, kind, fd);
        assert_eq!(
            h.call("poll_oneoff", &[subs, events, 2, n]),
            Errno::BADF,
            "fd {fd}"
        );
    }
    for clock in [2u32, 3, 9] {
        clock_sub(&mut h, subs + 48, 2, 0, false);
        h.put_u32(subs + 48 + 16, clock);
        assert_eq!(
            h.call("poll_oneoff", &[subs, events, 2, n]),
            Errno::INVAL,
            "clock {clock}"
        );
    }
}

#[test]
fn a_lone_cpu_time_clock_subscription_is_refused_not_slept() {
    // The one form the wasmtime CLI sleeps (as if on the monotonic clock) instead of
    // refusing; see tests/cli/wasi_differential.rs for why rt refuses it too.
    let mut h = harness();
    let (subs, events, n) = (h.alloc(48), h.alloc(32), h.alloc(4));
    for clock in [2u32, 3] {
        for abstime in [false, true] {
            clock_sub(&mut h, subs, 1, 60_000_000_000, abstime);
            h.put_u32(subs + 16, clock);
            let start = std::time::Instant::now();
            assert_eq!(
                h.call("poll_oneoff", &[subs, events, 1, n]),
                Errno::INVAL,
                "clock {clock}, abstime {abstime}"
            );
            assert!(start.elapsed() < std::time::Duration::from_secs(1));
        }
    }
}

#[test]
fn unstable_clock_layout_has_an_identifier() {
    let mut h = harness();
    let (subs, events, n) = (h.alloc(56), h.alloc(32), h.alloc(4));
    h.put_u64(subs, 9);
    h.mem[subs as usize + 8] = event::CLOCK;
    h.put_u64(subs + 16, 0xdead); // identifier
    h.put_u32(subs + 24, 1);
    h.put_u64(subs + 32, 1000);
    let r = h.ctx.call_module(
        "wasi_unstable",
        &mut h.mem,
        "poll_oneoff",
        &[subs, events, 1, n],
    );
    assert_eq!((r, h.u64_at(events)), (Outcome::Return(0), 9));
}

#[test]
fn host_pipe_read_readiness() {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut h = harness_with(|c| c.listeners = vec![listener]);
    let lfd = 4;
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    let out = h.alloc(4);
    h.ok("sock_accept", &[lfd, 0, out]);
    let sfd = h.u32_at(out) as u64;
    client.write_all(b"ping").unwrap();
    let (subs, events, n) = (h.alloc(48), h.alloc(32), h.alloc(4));
    fd_sub(&mut h, subs, 11, event::FD_READ, sfd as u32);
    h.ok("poll_oneoff", &[subs, events, 1, n]);
    assert_eq!((h.u64_at(events), h.u64_at(events + 16)), (11, 1));

    let (iov, buf) = h.iovec(&[], 16);
    let (len, flags) = (h.alloc(4), h.alloc(2));
    h.ok("sock_recv", &[sfd, iov, 1, 1, len, flags]); // peek
    assert_eq!(h.slice(buf, h.u32_at(len) as usize), b"ping");
    h.ok("sock_recv", &[sfd, iov, 1, 0, len, flags]);
    assert_eq!((h.u32_at(len), h.u16_at(flags)), (4, 0));
    let (iov, _) = h.iovec(b"pong", 0);
    h.ok("sock_send", &[sfd, iov, 1, 0, len]);
    assert_eq!(h.u32_at(len), 4);
    let mut got = [0u8; 4];
    std::io::Read::read_exact(&mut client, &mut got).unwrap();
    assert_eq!(&got, b"pong");
    h.ok("sock_shutdown", &[sfd, 2]);
    assert_eq!(h.call("sock_shutdown", &[sfd, 0]), Errno::INVAL);
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut client, &mut rest).unwrap();
    assert!(
        rest.is_empty(),
        "shutdown for writing ends the peer's stream"
    );
    // Through fd_read/fd_write too, as wasmtime allows.
    assert_eq!(
        h.call("sock_recv", &[lfd, iov, 1, 0, len, flags]),
        Errno::NOTCONN
    );
}

#[test]
fn socket_calls_on_non_sockets() {
    let mut h = harness();
    let out = h.alloc(4);
    let (iov, _) = h.iovec(b"x", 0);
    assert_eq!(h.call("sock_accept", &[0, 0, out]), Errno::NOTSOCK);
    assert_eq!(h.call("sock_accept", &[SANDBOX, 0, out]), Errno::NOTSOCK);
    assert_eq!(
        h.call("sock_recv", &[1, iov, 1, 0, out, out]),
        Errno::NOTSOCK
    );
    assert_eq!(h.call("sock_send", &[1, iov, 1, 0, out]), Errno::NOTSOCK);
    assert_eq!(h.call("sock_shutdown", &[0, 2]), Errno::NOTSOCK);
    assert_eq!(h.call("sock_shutdown", &[99, 2]), Errno::BADF);
}
