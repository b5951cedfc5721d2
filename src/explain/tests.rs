//! Every catalog entry renders in both formats, and the forms agree with each other.
use super::catalog::{functions, TYPES};
use super::text::Style;
use super::{explain, Format, Request};

const PLAIN: Style = Style {
    color: false,
    width: None,
};

#[test]
fn every_function_and_type_explains_in_text_and_json() {
    let names = functions()
        .map(|f| f.name)
        .chain(TYPES.iter().map(|t| t.name));
    for name in names {
        let text = explain(Request::Name(name), Format::Text, PLAIN).expect(name);
        assert!(text.contains(name), "{name}: {text}");
        let json = explain(Request::Name(name), Format::Json, PLAIN).expect(name);
        let value: serde_json::Value = serde_json::from_str(&json).expect(name);
        assert_eq!(value["name"], name);
    }
}

#[test]
fn colour_only_when_asked() {
    let coloured = explain(
        Request::Name("fd_write"),
        Format::Text,
        Style {
            color: true,
            width: None,
        },
    )
    .unwrap();
    assert!(coloured.contains("\x1b[36mfd_write\x1b[0m"));
    let plain = explain(Request::Name("fd_write"), Format::Text, PLAIN).unwrap();
    assert!(!plain.contains('\x1b'));
    // Escapes are added after padding, so columns stay aligned in colour too.
    let strip = |s: &str| {
        let mut out = String::new();
        let mut in_escape = false;
        for c in s.chars() {
            match (in_escape, c) {
                (false, '\x1b') => in_escape = true,
                (true, 'm') => in_escape = false,
                (false, c) => out.push(c),
                _ => {}
            }
        }
        out
    };
    assert_eq!(strip(&coloured), plain);
}

#[test]
fn errno_requests() {
    let one = explain(Request::Errno(Some("ENOENT")), Format::Text, PLAIN).unwrap();
    assert!(one.starts_with("errno 44: noent (ENOENT)"));
    assert!(explain(Request::Errno(Some("nope")), Format::Text, PLAIN).is_err());
    let all = explain(Request::Errno(None), Format::Json, PLAIN).unwrap();
    assert!(all.contains("\"errno_list\""));
}

#[test]
fn nested_layouts_are_flattened_to_absolute_offsets() {
    let json = explain(Request::Name("subscription"), Format::Json, PLAIN).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let flat: Vec<(String, u64, u64)> = v["flat_layout"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap().to_string();
            (
                path,
                f["offset"].as_u64().unwrap(),
                f["size"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("userdata", 0, 8),
        ("u.tag", 8, 1),
        ("u.clock.id", 16, 4),
        ("u.clock.timeout", 24, 8),
        ("u.clock.precision", 32, 8),
        ("u.clock.flags", 40, 2),
        ("u.fd_read/fd_write.file_descriptor", 16, 4),
    ];
    let expected: Vec<(String, u64, u64)> = expected
        .iter()
        .map(|(p, o, s)| (p.to_string(), *o, *s))
        .collect();
    assert_eq!(flat, expected);
    let dirent = explain(Request::Name("dirent"), Format::Json, PLAIN).unwrap();
    assert!(
        dirent.contains("\"flat_layout\": []"),
        "flat records need no flattening"
    );
}

/// Damaged modules must give an error or a report, never a panic: flip bytes of a small
/// module that has every construct the call graph reads, at every position.
#[test]
fn damaged_modules_never_panic() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
      (type $v (func))
      (table 2 funcref)
      (elem (i32.const 0) $a $b)
      (func $a (drop (call $w (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0))))
      (func $b call $a (call_indirect (type $v) (i32.const 1)) (drop (ref.func $a)))
      (func $start (export "_start") call $b (call $exit (i32.const 0)))
      (start $a))"#;
    let bytes = crate::module::wat_to_wasm("t.wat", wat).unwrap();
    let mut reports = 0;
    for at in 8..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[at] ^= flip;
            if let Ok(module) = crate::module::Module::parse(damaged) {
                if let Ok(report) = super::module_report::module_report("t.wasm", &module) {
                    let _ = super::text_module::module(&report, &PLAIN);
                    reports += 1;
                }
            }
        }
    }
    assert!(
        reports > 0,
        "some damage (in names, constants) still parses"
    );
}

#[test]
fn wrapping_keeps_columns_aligned() {
    let width = 100;
    let narrow = Style {
        color: false,
        width: Some(width),
    };
    let text = explain(Request::Name("fd_readdir"), Format::Text, narrow).unwrap();
    for line in text.lines() {
        // Only a single word longer than the room left may overflow.
        let fits = line.chars().count() <= width || !line.trim().contains(' ');
        assert!(fits, "{line}");
    }
    // A parameter's description continues under its own column.
    let lines: Vec<&str> = text.lines().collect();
    let buf = lines
        .iter()
        .position(|l| l.trim_start().starts_with("buf "))
        .unwrap();
    let column = lines[buf].find("The buffer").unwrap();
    assert_eq!(
        lines[buf + 1].len() - lines[buf + 1].trim_start().len(),
        column
    );
    assert_eq!(super::text::wrap("aa bb cc", 5), ["aa bb", "cc"]);
    assert_eq!(
        super::text::wrap("averyveryverylongword x", 5),
        ["averyveryverylongword", "x"]
    );
    // Without a width (a pipe), nothing is wrapped.
    let piped = explain(Request::Name("fd_readdir"), Format::Text, PLAIN).unwrap();
    assert!(piped.lines().any(|l| l.chars().count() > width));
}

#[test]
fn lists_wrap_after_separators() {
    let items: Vec<String> = ["fd_write", "__wasi_fd_write", "writev", "__stdio_write"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let lines = super::text::wrap_list(&items, " <- ", Some(30));
    assert_eq!(
        lines,
        ["fd_write <- __wasi_fd_write <-", "writev <- __stdio_write"]
    );
    assert_eq!(super::text::wrap_list(&items, " <- ", None).len(), 1);
    let style = Style {
        color: false,
        width: Some(40),
    };
    let text = style.labelled_list("  chain: ", &items, " <- ");
    assert_eq!(
        text,
        "  chain: fd_write <- __wasi_fd_write <-\n         writev <- __stdio_write\n"
    );
}
