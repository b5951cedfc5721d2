//! Nothing the guest names may leave its preopened directory: not `..`, not absolute paths,
//! not symlinks (absolute, climbing, or looping), not the targets of rename, link, symlink.
//! The preopen is `<tmp>/box`; `<tmp>/secret` lies just outside it.
use super::*;

fn boxed() -> Harness {
    let h = harness_with(|c| {
        let inner = c.preopens[0].0.join("box");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(c.preopens[0].0.join("secret"), b"outside").unwrap();
        c.preopens[0].0 = inner;
    });
    std::fs::create_dir(h.host("box/sub")).unwrap();
    h
}

/// An escape is refused with EPERM (cap-std's verdict, as wasmtime reports it) or
/// ENOTCAPABLE; either way nothing outside is touched.
fn refused(e: Errno) -> bool {
    e == Errno::PERM || e == Errno::NOTCAPABLE
}

#[test]
fn dotdot_and_absolute_paths_cannot_open_outside() {
    let mut h = boxed();
    for path in [
        "../secret",
        "sub/../../secret",
        "..",
        "/etc/passwd",
        "/",
        "sub/../..",
    ] {
        let e = h.open(path, 0).unwrap_err();
        assert!(refused(e), "{path}: {e:?}");
    }
    // `..` that stays inside is fine.
    std::fs::write(h.host("box/in"), b"inside").unwrap();
    let fd = h.open("sub/../in", 0).unwrap();
    assert_eq!(h.read_fd(fd, 10).unwrap(), b"inside");
}

#[test]
fn symlinks_cannot_lead_outside() {
    let mut h = boxed();
    std::os::unix::fs::symlink("/etc", h.host("box/abs")).unwrap();
    std::os::unix::fs::symlink("../secret", h.host("box/up")).unwrap();
    std::os::unix::fs::symlink("../../secret", h.host("box/sub/upup")).unwrap();
    for path in ["abs", "abs/passwd", "up", "sub/upup"] {
        let e = h.open(path, 0).unwrap_err();
        assert!(refused(e), "{path}: {e:?}");
    }
    let st = h.alloc(64);
    for path in ["up", "abs/passwd"] {
        let (p, l) = h.str(path);
        let e = h.call("path_filestat_get", &[SANDBOX, 1, p, l, st]);
        assert!(refused(e), "stat {path}: {e:?}");
    }
    // Without following, the link itself is inside and may be looked at.
    let (p, l) = h.str("up");
    h.ok("path_filestat_get", &[SANDBOX, 0, p, l, st]);
}

#[test]
fn symlink_loops_are_eloop() {
    let mut h = boxed();
    std::os::unix::fs::symlink("b", h.host("box/a")).unwrap();
    std::os::unix::fs::symlink("a", h.host("box/b")).unwrap();
    std::os::unix::fs::symlink("self", h.host("box/self")).unwrap();
    assert_eq!(h.open("a", 0), Err(Errno::LOOP));
    assert_eq!(h.open("self/x", 0), Err(Errno::LOOP));
}

#[test]
fn mutations_cannot_reach_outside() {
    let mut h = boxed();
    std::fs::write(h.host("box/f"), b"f").unwrap();
    let (f, fl) = h.str("f");
    let (out, outl) = h.str("../stolen");
    let (sec, secl) = h.str("../secret");
    let e = h.call("path_rename", &[SANDBOX, f, fl, SANDBOX, out, outl]);
    assert!(refused(e), "rename out: {e:?}");
    let e = h.call("path_rename", &[SANDBOX, sec, secl, SANDBOX, f, fl]);
    assert!(refused(e), "rename in: {e:?}");
    let e = h.call("path_link", &[SANDBOX, 0, f, fl, SANDBOX, out, outl]);
    assert!(refused(e), "link out: {e:?}");
    let e = h.call("path_link", &[SANDBOX, 0, sec, secl, SANDBOX, f, fl]);
    assert!(refused(e), "link in: {e:?}");
    let (abs, absl) = h.str("/etc/passwd");
    let (ln, lnl) = h.str("ln");
    let e = h.call("path_symlink", &[abs, absl, SANDBOX, ln, lnl]);
    assert!(refused(e), "absolute symlink: {e:?}");
    let e = h.call("path_symlink", &[f, fl, SANDBOX, out, outl]);
    assert!(refused(e), "symlink placed outside: {e:?}");
    for name in [
        "path_create_directory",
        "path_unlink_file",
        "path_remove_directory",
    ] {
        let e = h.path_call(name, "../secret");
        assert!(refused(e), "{name}: {e:?}");
    }
    let t = 1u64 << 40;
    let e = h.call("path_filestat_set_times", &[SANDBOX, 1, sec, secl, t, t, 5]);
    assert!(refused(e), "set_times: {e:?}");
    // A climbing relative symlink may be created (its text is just text) but not followed.
    h.ok("path_symlink", &[sec, secl, SANDBOX, ln, lnl]);
    assert!(refused(h.open("ln", 0).unwrap_err()));
    assert_eq!(std::fs::read(h.host("secret")).unwrap(), b"outside");
    assert!(!h.host("stolen").exists());
}

#[test]
fn a_subdirectory_fd_is_its_own_sandbox() {
    let mut h = boxed();
    std::fs::write(h.host("box/top"), b"t").unwrap();
    let sub = h.open_dir(SANDBOX, "sub").unwrap();
    let e = h.open_at(sub, "../top", 1, 0, ALL_RIGHTS, 0).unwrap_err();
    assert!(refused(e), "{e:?}");
}
