//! `RUST_LOG=rt::wasi=trace`: one line per call with its decoded arguments and result, e.g.
//! `path_open(fd=3, dirflags=0x1, path="a.txt", oflags=0x0, ...) -> success`.
use super::memory::GuestMemory;
use super::signatures::{checked_param, param_names, signature};
use super::types::Errno;
use super::Outcome;
use std::fmt::Write;
use wasmparser::ValType;

pub fn enabled() -> bool {
    tracing::enabled!(target: "rt::wasi", tracing::Level::TRACE)
}

/// Parameters that are bit sets read better in hex.
fn is_flags(name: &str) -> bool {
    name.contains("flags") || name.starts_with("rights") || name == "how" || name == "fst_flags"
}

/// The witx name of an enum argument's value (`id=monotonic`, `whence=end`), if it is one.
fn enum_label(func: &str, param: &str, value: u64) -> Option<&'static str> {
    let names: &[&str] = match checked_param(func, param)?.0 {
        "clockid" => &[
            "realtime",
            "monotonic",
            "process_cputime_id",
            "thread_cputime_id",
        ],
        "whence" => &["set", "cur", "end"],
        "advice" => &[
            "normal",
            "sequential",
            "random",
            "willneed",
            "dontneed",
            "noreuse",
        ],
        _ => return None,
    };
    names.get(usize::try_from(value).ok()?).copied()
}

/// `name(arg=value, ...)`, with `*_ptr`/`*_len` path pairs shown as the string they name.
pub fn describe_call(mem: &mut [u8], name: &str, args: &[u64]) -> String {
    let names = param_names(name);
    let types = signature(name).map(|s| s.0).unwrap_or(&[]);
    let m = GuestMemory::new(mem);
    let mut out = format!("{name}(");
    let mut i = 0;
    while i < args.len() {
        let pname = names.get(i).copied().unwrap_or("?");
        if i > 0 {
            out.push_str(", ");
        }
        if let Some(prefix) = pname.strip_suffix("_ptr") {
            if names.get(i + 1) == Some(&format!("{prefix}_len").as_str()) && i + 1 < args.len() {
                match m.read_str(args[i] as u32, args[i + 1] as u32) {
                    Ok(s) => write!(out, "{prefix}={s:?}"),
                    Err(_) => write!(
                        out,
                        "{prefix}=<bad {:#x}+{}>",
                        args[i] as u32,
                        args[i + 1] as u32
                    ),
                }
                .ok();
                i += 2;
                continue;
            }
        }
        let value = if types.get(i) == Some(&ValType::I64) {
            args[i]
        } else {
            args[i] as u32 as u64
        };
        if (name, pname) == ("fd_seek", "offset") {
            // A filedelta: signed.
            write!(out, "{pname}={}", value as i64).ok();
        } else if let Some(label) = enum_label(name, pname, value) {
            write!(out, "{pname}={label}").ok();
        } else if is_flags(pname) {
            write!(out, "{pname}={value:#x}").ok();
        } else {
            write!(out, "{pname}={value}").ok();
        }
        i += 1;
    }
    out.push(')');
    out
}

pub fn log_result(call: &str, outcome: &Outcome) {
    match outcome {
        Outcome::Return(e) => {
            let name = Errno(*e as u16).name();
            tracing::trace!(target: "rt::wasi", "{call} -> {name}");
        }
        Outcome::Exit(code) => tracing::trace!(target: "rt::wasi", "{call} -> exit({code})"),
        Outcome::Trap(msg) => tracing::trace!(target: "rt::wasi", "{call} -> trap: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_flags_are_decoded() {
        let mut mem = b"hello.txt".to_vec();
        mem.resize(64, 0);
        let s = describe_call(&mut mem, "path_open", &[3, 1, 0, 9, 1, u64::MAX, 0, 0, 32]);
        assert!(
            s.starts_with("path_open(fd=3, dirflags=0x1, path=\"hello.txt\", oflags=0x1"),
            "{s}"
        );
        assert!(s.contains("rights_base=0xffffffffffffffff"), "{s}");
        let bad = describe_call(&mut mem, "path_unlink_file", &[3, 60, 10]);
        assert!(bad.contains("path=<bad 0x3c+10>"), "{bad}");
        let clock = describe_call(&mut mem, "clock_time_get", &[1, 1000, 8]);
        assert_eq!(
            clock,
            "clock_time_get(id=monotonic, precision=1000, time_out=8)"
        );
        let seek = describe_call(&mut mem, "fd_seek", &[3, (-2i64) as u64, 2, 8]);
        assert_eq!(
            seek,
            "fd_seek(fd=3, offset=-2, whence=end, newoffset_out=8)"
        );
    }
}
