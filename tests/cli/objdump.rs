//! `rt objdump`: every flag and error path on small modules (expected text taken from wabt
//! 1.0.32's `wasm-objdump` on the same bytes), and the differential run against wabt over
//! the spec test suite and the C fixture (in `objdump_differential.rs`).
use crate::common::*;
use std::path::{Path, PathBuf};

/// A module with an import, a memory, a global, a block, a call and a data segment.
const TINY_WAT: &str = r#"(module
  (import "env" "log" (func $log (param i32)))
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 7))
  (func $main (export "main") (param i32) (result i32) (local i64)
    (call $log (local.get 0))
    (block (result i32) (i32.const 1))
    (global.get $g)
    (i32.add))
  (data (i32.const 16) "hi"))
"#;

/// TINY_WAT as wabt's wat2wasm encodes it (no name section).
const TINY_WASM: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
    0x01, 0x0a, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, // types
    0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x00, // import
    0x03, 0x02, 0x01, 0x01, // function
    0x05, 0x03, 0x01, 0x00, 0x01, // memory
    0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b, // global
    0x07, 0x0e, 0x02, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x04, 0x6d, 0x61, 0x69, 0x6e, 0x00,
    0x01, // export
    0x0a, 0x12, 0x01, 0x10, 0x01, 0x01, 0x7e, 0x20, 0x00, 0x10, 0x00, 0x02, 0x7f, 0x41, 0x01, 0x0b,
    0x23, 0x00, 0x6a, 0x0b, // code
    0x0b, 0x08, 0x01, 0x00, 0x41, 0x10, 0x0b, 0x02, 0x68, 0x69, // data
];

const TINY_HEADERS: &str = "
tiny.wasm:\tfile format wasm 0x1

Sections:

     Type start=0x0000000a end=0x00000014 (size=0x0000000a) count: 2
   Import start=0x00000016 end=0x00000021 (size=0x0000000b) count: 1
 Function start=0x00000023 end=0x00000025 (size=0x00000002) count: 1
   Memory start=0x00000027 end=0x0000002a (size=0x00000003) count: 1
   Global start=0x0000002c end=0x00000032 (size=0x00000006) count: 1
   Export start=0x00000034 end=0x00000042 (size=0x0000000e) count: 2
     Code start=0x00000044 end=0x00000056 (size=0x00000012) count: 1
     Data start=0x00000058 end=0x00000060 (size=0x00000008) count: 1
";

const TINY_DETAILS: &str = "
tiny.wasm:\tfile format wasm 0x1

Section Details:

Type[2]:
 - type[0] (i32) -> nil
 - type[1] (i32) -> i32
Import[1]:
 - func[0] sig=0 <env.log> <- env.log
Function[1]:
 - func[1] sig=1 <main>
Memory[1]:
 - memory[0] pages: initial=1
Global[1]:
 - global[0] i32 mutable=1 - init i32=7
Export[2]:
 - memory[0] -> \"mem\"
 - func[1] <main> -> \"main\"
Code[1]:
 - func[1] size=16 <main>
Data[1]:
 - segment[0] memory=0 size=2 - init i32=16
  - 0000010: 6869                                     hi
";

const TINY_DISASSEMBLY: &str = "
tiny.wasm:\tfile format wasm 0x1

Code Disassembly:

000046 func[1] <main>:
 000047: 01 7e                      | local[1] type=i64
 000049: 20 00                      | local.get 0
 00004b: 10 00                      | call 0 <env.log>
 00004d: 02 7f                      | block i32
 00004f: 41 01                      |   i32.const 1
 000051: 0b                         | end
 000052: 23 00                      | global.get 0
 000054: 6a                         | i32.add
 000055: 0b                         | end
";

const TINY_CONTENTS_CODE: &str = "
tiny.wasm:\tfile format wasm 0x1

Contents of section Code:
0000044: 0110 0101 7e20 0010 0002 7f41 010b 2300  ....~ .....A..#.
0000054: 6a0b                                     j.
";

fn tiny(dir: &Path) -> PathBuf {
    let p = dir.join("tiny.wasm");
    std::fs::write(&p, TINY_WASM).expect("write tiny.wasm");
    p
}

/// Run `rt objdump ARGS` in `dir`.
fn objdump_in(dir: &Path, args: &[&str]) -> std::process::Output {
    rt().arg("objdump")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn rt")
}

fn assert_ok_stdout(out: &std::process::Output, expected: &str) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        stderr(out)
    );
    assert_eq!(stdout(out), expected);
}

#[test]
fn headers_match_wabt() {
    let dir = tempdir();
    tiny(dir.path());
    assert_ok_stdout(&objdump_in(dir.path(), &["-h", "tiny.wasm"]), TINY_HEADERS);
    assert_ok_stdout(
        &objdump_in(dir.path(), &["--headers", "tiny.wasm"]),
        TINY_HEADERS,
    );
}

#[test]
fn details_match_wabt() {
    let dir = tempdir();
    tiny(dir.path());
    assert_ok_stdout(&objdump_in(dir.path(), &["-x", "tiny.wasm"]), TINY_DETAILS);
}

#[test]
fn disassembly_matches_wabt() {
    let dir = tempdir();
    tiny(dir.path());
    assert_ok_stdout(
        &objdump_in(dir.path(), &["-d", "tiny.wasm"]),
        TINY_DISASSEMBLY,
    );
}

#[test]
fn section_offsets_count_from_the_code_section() {
    let dir = tempdir();
    tiny(dir.path());
    let out = objdump_in(dir.path(), &["-d", "--section-offsets", "tiny.wasm"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("000002 func[1] <main>:\n"), "{text}");
    assert!(text.contains(" 000003: 01 7e "), "{text}");
}

#[test]
fn contents_with_section_filter_match_wabt() {
    let dir = tempdir();
    tiny(dir.path());
    // -j compares names case-insensitively.
    for name in ["Code", "code"] {
        assert_ok_stdout(
            &objdump_in(dir.path(), &["-s", "-j", name, "tiny.wasm"]),
            TINY_CONTENTS_CODE,
        );
    }
    let all = objdump_in(dir.path(), &["--full-contents", "tiny.wasm"]);
    assert!(all.status.success());
    assert!(stdout(&all).contains("Contents of section Data:\n0000058: 0100 4110 0b02 6869"));
}

#[test]
fn details_filter_keeps_the_title() {
    let dir = tempdir();
    tiny(dir.path());
    let out = objdump_in(dir.path(), &["-x", "--section=Data", "tiny.wasm"]);
    assert_ok_stdout(
        &out,
        "\ntiny.wasm:\tfile format wasm 0x1\n\nSection Details:\n\nData[1]:\n - segment[0] memory=0 size=2 - init i32=16\n  - 0000010: 6869                                     hi\n",
    );
}

#[test]
fn all_modes_print_in_wabt_order() {
    let dir = tempdir();
    tiny(dir.path());
    let out = objdump_in(dir.path(), &["-s", "-d", "-x", "-h", "tiny.wasm"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let at = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("{s} missing:\n{text}"))
    };
    assert!(at("Sections:") < at("Section Details:"));
    assert!(at("Section Details:") < at("Code Disassembly:"));
    assert!(at("Code Disassembly:") < at("Contents of section Type:"));
    assert_eq!(text.matches("file format wasm").count(), 1);
}

#[test]
fn missing_section_is_reported_per_pass() {
    let dir = tempdir();
    tiny(dir.path());
    let out = objdump_in(dir.path(), &["-h", "-x", "-j", "Nope", "tiny.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).matches("Section not found: Nope").count(), 2);
    // wabt's -d ignores -j altogether.
    let out = objdump_in(dir.path(), &["-d", "-j", "Nope", "tiny.wasm"]);
    assert_ok_stdout(&out, TINY_DISASSEMBLY);
}

#[test]
fn missing_mode_gives_wabts_message() {
    let dir = tempdir();
    tiny(dir.path());
    let out = objdump_in(dir.path(), &["tiny.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert_eq!(
        stderr(&out),
        "At least one of the following switches must be given:\n -d/--disassemble\n -h/--headers\n -x/--details\n -s/--full-contents\n"
    );
}

#[test]
fn missing_file_argument_is_an_error() {
    let out = rt_output(&["objdump", "-h"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("expected filename argument"));
}

#[test]
fn several_files_print_in_turn_and_the_first_failure_stops() {
    let dir = tempdir();
    tiny(dir.path());
    std::fs::write(dir.path().join("bad.wasm"), b"\0asm\x02\0\0\0").unwrap();
    let out = objdump_in(dir.path(), &["-h", "tiny.wasm", "tiny.wasm"]);
    assert_ok_stdout(&out, &format!("{TINY_HEADERS}{TINY_HEADERS}"));
    let out = objdump_in(dir.path(), &["-h", "bad.wasm", "tiny.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "\n", "nothing after the failed file");
}

#[test]
fn only_the_base_name_is_printed() {
    let dir = tempdir();
    tiny(dir.path());
    let out = rt_output(&[
        "objdump",
        "-h",
        dir.path().join("tiny.wasm").to_str().unwrap(),
    ]);
    assert_ok_stdout(&out, TINY_HEADERS);
}

#[test]
fn text_input_is_assembled_in_memory() {
    let dir = tempdir();
    write(dir.path(), "tiny.wat", TINY_WAT);
    let out = objdump_in(dir.path(), &["-d", "tiny.wat"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("\ntiny.wat:\tfile format wasm 0x1\n"),
        "{text}"
    );
    // The text names survive through the name section the assembler writes.
    assert!(text.contains("| call 0 <log>\n"), "{text}");
    assert!(text.contains("| global.get 0 <g>\n"), "{text}");
}

#[test]
fn text_errors_are_located() {
    let dir = tempdir();
    write(dir.path(), "broken.wat", "(module\n  (func (i32.bogus)))\n");
    let out = objdump_in(dir.path(), &["-x", "broken.wat"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("broken.wat:2:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn truncated_binary_prints_what_precedes_the_defect() {
    let dir = tempdir();
    std::fs::write(dir.path().join("cut.wasm"), &TINY_WASM[..0x40]).unwrap();
    let out = objdump_in(dir.path(), &["-h", "cut.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("   Global start=0x0000002c"), "{text}");
    assert!(!text.contains("Export"), "{text}");
    assert_eq!(
        stderr(&out),
        "cut.wasm:0x34: error: invalid section size: extends past end\n"
    );
}

#[test]
fn bad_headers_name_the_offset_and_reason() {
    let dir = tempdir();
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "empty.wasm",
            b"",
            "empty.wasm:0x0: error: unable to read uint32_t: magic",
        ),
        (
            "magic.wasm",
            b"\x7fELF\x02\x01\x01\0",
            "magic.wasm:0x4: error: bad magic value",
        ),
        (
            "short.wasm",
            b"\0asm",
            "short.wasm:0x4: error: unable to read uint32_t: version",
        ),
        (
            "version.wasm",
            b"\0asm\x02\0\0\0",
            "version.wasm:0x8: error: bad wasm file version: 0x2 (expected 0x1)",
        ),
    ];
    for (name, bytes, message) in cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let out = objdump_in(dir.path(), &["-x", name]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert_eq!(stdout(&out), "\n", "{name}");
        assert_eq!(stderr(&out).trim_end(), message, "{name}");
    }
}

#[test]
fn unreadable_instruction_ends_the_listing_and_fails() {
    // `f32.load` in a module without memory: wabt stops the listing there.
    let bytes: &[u8] = &[
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 0x0a, 0x0a, 1, 8, 0,
        0x41, 0, 0x2a, 2, 0, 0x1a, 0x0b,
    ];
    let dir = tempdir();
    std::fs::write(dir.path().join("nomem.wasm"), bytes).unwrap();
    let out = objdump_in(dir.path(), &["-d", "nomem.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).ends_with(" 000017: 41 00                      | i32.const 0\n"));
    assert!(
        stderr(&out).contains("nomem.wasm:0x19: error:"),
        "{}",
        stderr(&out)
    );
    // Only the disassembler reads bodies: the other modes succeed.
    assert!(objdump_in(dir.path(), &["-x", "nomem.wasm"])
        .status
        .success());
}

#[test]
fn broken_custom_section_is_reported_but_forgiven() {
    // A custom section whose name is not UTF-8, as in the spec's utf8-custom-section-id.
    let bytes: &[u8] = &[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 2, 1, 0xbf];
    let dir = tempdir();
    std::fs::write(dir.path().join("c.wasm"), bytes).unwrap();
    let out = objdump_in(dir.path(), &["-h", "c.wasm"]);
    assert!(out.status.success());
    assert!(stdout(&out).ends_with("   Custom start=0x0000000a end=0x0000000c (size=0x00000002) "));
    assert!(
        stderr(&out).starts_with("c.wasm:0xb: error:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreadable_files_are_errors() {
    let dir = tempdir();
    let out = objdump_in(dir.path(), &["-h", "nope.wasm"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "nope.wasm: No such file or directory\n");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let out = objdump_in(dir.path(), &["-h", "sub"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "sub: not a regular file\n");
}

#[test]
fn compatibility_flags_are_accepted() {
    let dir = tempdir();
    tiny(dir.path());
    let out = objdump_in(dir.path(), &["-d", "-r", "--debug", "tiny.wasm"]);
    assert_ok_stdout(&out, TINY_DISASSEMBLY);
    let help = objdump_in(dir.path(), &["--help"]);
    assert!(help.status.success());
    assert!(stdout(&help).contains("--full-contents"));
}

/// Proposals wabt 1.0.32's reader knows (threads, multi-memory, tail calls), and the name
/// section's module name. Expected text: wasm-objdump on the bytes this text assembles to.
#[test]
fn proposals_wabt_reads_print_like_wabt() {
    let dir = tempdir();
    write(
        dir.path(),
        "p.wat",
        r#"(module $demo
  (memory 1) (memory $second 1 2 shared)
  (table 1 funcref)
  (func $f (return_call $f))
  (func $g (return_call_indirect (type 0) (i32.const 0)))
  (func (atomic.fence)
    (drop (i32.atomic.rmw.add 1 offset=4 (i32.const 0) (i32.const 1)))
    (drop (i32.load 1 (i32.const 0)))
    (memory.copy 1 0 (i32.const 0) (i32.const 0) (i32.const 0))))
"#,
    );
    let out = objdump_in(dir.path(), &["-d", "p.wat"]);
    assert_ok_stdout(
        &out,
        "
p.wat:\tfile format wasm 0x1
module name: <demo>

Code Disassembly:

000026 func[0] <f>:
 000027: 12 00                      | return_call 0
 000029: 0b                         | end
00002b func[1] <g>:
 00002c: 41 00                      | i32.const 0
 00002e: 13 00 00                   | return_call_indirect 0 0
 000031: 0b                         | end
000033 func[2]:
 000034: fe 03 00                   | atomic.fence 0
 000037: 41 00                      | i32.const 0
 000039: 41 01                      | i32.const 1
 00003b: fe 1e 42 01 04             | i32.atomic.rmw.add 2 1 4
 000040: 1a                         | drop
 000041: 41 00                      | i32.const 0
 000043: 28 42 01 00                | i32.load 2 1 0
 000047: 1a                         | drop
 000048: 41 00                      | i32.const 0
 00004a: 41 00                      | i32.const 0
 00004c: 41 00                      | i32.const 0
 00004e: fc 0a 01 00                | memory.copy 1 0
 000052: 0b                         | end
",
    );
    let out = objdump_in(dir.path(), &["-x", "-j", "memory", "p.wat"]);
    assert_ok_stdout(
        &out,
        "
p.wat:\tfile format wasm 0x1
module name: <demo>

Section Details:

Memory[2]:
 - memory[0] pages: initial=1
 - memory[1] pages: initial=1 max=2 shared
",
    );
}

/// Legacy exception handling, which wabt 1.0.32 reads: a tag section and try/catch/
/// delegate/catch_all/rethrow nested as wabt indents them (expected text: wasm-objdump).
#[test]
fn legacy_exceptions_print_like_wabt() {
    let bytes: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03,
        0x02, 0x01, 0x00, 0x0d, 0x03, 0x01, 0x00, 0x00, 0x0a, 0x13, 0x01, 0x11, 0x00, 0x06, 0x40,
        0x08, 0x00, 0x07, 0x00, 0x06, 0x40, 0x01, 0x18, 0x00, 0x19, 0x09, 0x00, 0x0b, 0x0b,
    ];
    let dir = tempdir();
    std::fs::write(dir.path().join("exc.wasm"), bytes).unwrap();
    let out = objdump_in(dir.path(), &["-x", "-j", "Tag", "exc.wasm"]);
    assert_ok_stdout(
        &out,
        "\nexc.wasm:\tfile format wasm 0x1\n\nSection Details:\n\nTag[1]:\n - tag[0] sig=0\n",
    );
    let out = objdump_in(dir.path(), &["-d", "exc.wasm"]);
    assert_ok_stdout(
        &out,
        "
exc.wasm:\tfile format wasm 0x1

Code Disassembly:

00001b func[0]:
 00001c: 06 40                      | try
 00001e: 08 00                      |   throw 0
 000020: 07 00                      | catch 0
 000022: 06 40                      |   try
 000024: 01                         |     nop
 000025: 18 00                      |   delegate 0
 000027: 19                         | catch_all
 000028: 09 00                      |   rethrow 0
 00002a: 0b                         | end
 00002b: 0b                         | end
",
    );
}

/// wabt numbers the bytes and items of a segment from the last constant offset it saw: a
/// `global.get` offset or a passive segment reuses the previous one (expected text:
/// wasm-objdump on the same bytes).
#[test]
fn segments_reuse_the_last_constant_offset_like_wabt() {
    let dir = tempdir();
    write(
        dir.path(),
        "seg.wat",
        r#"(module
  (import "env" "base" (global $base i32))
  (memory 1)
  (table 8 funcref)
  (func $f)
  (data (global.get $base) "ab")
  (data (i32.const 100) "cd")
  (data (global.get $base) "ef")
  (data "passive")
  (elem (i32.const 3) func $f $f)
  (elem func $f)
  (elem (global.get $base) func $f))
"#,
    );
    let out = objdump_in(dir.path(), &["-x", "-j", "Data", "seg.wat"]);
    assert_ok_stdout(
        &out,
        "
seg.wat:\tfile format wasm 0x1

Section Details:

Data[4]:
 - segment[0] memory=0 size=2 - init global=0 <base>
  - 0000000: 6162                                     ab
 - segment[1] memory=0 size=2 - init i32=100
  - 0000064: 6364                                     cd
 - segment[2] memory=0 size=2 - init global=0 <base>
  - 0000064: 6566                                     ef
 - segment[3] passive size=7
  - 0000064: 7061 7373 6976 65                        passive
",
    );
    let out = objdump_in(dir.path(), &["-x", "-j", "Elem", "seg.wat"]);
    assert_ok_stdout(
        &out,
        "
seg.wat:\tfile format wasm 0x1

Section Details:

Elem[3]:
 - segment[0] flags=0 table=0 count=2 - init i32=3
  - elem[3] = func[0] <f>
  - elem[4] = func[0] <f>
 - segment[1] flags=1 table=0 count=1
  - elem[3] = func[0] <f>
 - segment[2] flags=0 table=0 count=1 - init global=0 <base>
  - elem[3] = func[0] <f>
",
    );
}

/// A name section that breaks part-way keeps the names before the break, as in wabt
/// (which only warns): the file still succeeds.
#[test]
fn names_before_a_broken_name_entry_are_kept() {
    let bytes: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03,
        0x03, 0x02, 0x00, 0x00, 0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x00, 0x14,
        0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x0d, 0x02, 0x00, 0x05, 0x66, 0x69, 0x72, 0x73, 0x74,
        0x01, 0x32, 0x73, 0x65, 0x63,
    ];
    let dir = tempdir();
    std::fs::write(dir.path().join("names.wasm"), bytes).unwrap();
    let out = objdump_in(dir.path(), &["-d", "names.wasm"]);
    assert_ok_stdout(
        &out,
        "
names.wasm:\tfile format wasm 0x1

Code Disassembly:

000017 func[0] <first>:
 000018: 0b                         | end
00001a func[1]:
 00001b: 0b                         | end
",
    );
}

/// A relocatable object's `linking` symbol table names its functions, as in wabt.
#[test]
fn linking_symbols_name_functions() {
    let mut bytes =
        b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x04\x01\x02\0\x0b".to_vec();
    bytes.extend_from_slice(b"\0\x13\x07linking\x02\x08\x08\x01\0\0\0\x03sym");
    let dir = tempdir();
    std::fs::write(dir.path().join("link.wasm"), bytes).unwrap();
    let out = objdump_in(dir.path(), &["-d", "link.wasm"]);
    assert_ok_stdout(
        &out,
        "\nlink.wasm:\tfile format wasm 0x1\n\nCode Disassembly:\n\n000016 func[0] <sym>:\n 000017: 0b                         | end\n",
    );
}

const COMPONENT: &str = r#"(component
  (import "wasi:cli/environment@0.2.0" (instance))
  (core module $m (func (export "f")))
  (core instance $i (instantiate $m))
  (func $f (canon lift (core func $i "f")))
  (export "run" (func $f)))"#;

/// wabt 1.0.32 cannot read a component; rt describes it in the same style: its sections
/// (`-h`) and its imports and exports (`-x`), and `rt explain` names them too.
#[test]
fn a_component_is_described_by_objdump_and_explain() {
    let d = tempdir();
    let c = write(d.path(), "comp.wat", COMPONENT);
    let out = rt_output(&["objdump", "-h", "-x", c.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("comp.wat:\tfile format wasm 0x1000d (component)"),
        "{text}"
    );
    assert!(text.contains("  CoreModule start=0x"), "{text}");
    assert!(text.contains("      Import start=0x"), "{text}");
    assert!(
        text.contains("Import[1]:\n - instance[0] <wasi:cli/environment@0.2.0>"),
        "{text}"
    );
    assert!(text.contains("Export[1]:\n - func[0] <run>"), "{text}");
    let out = rt_output(&["objdump", "-d", c.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("this is a component"),
        "{}",
        stderr(&out)
    );
    let out = rt_output(&["explain", c.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("component imports:\n  wasi:cli/environment@0.2.0 (instance)"),
        "{err}"
    );
    assert!(err.contains("component exports:\n  run (func)"), "{err}");
    assert!(err.contains("build for `wasm32-wasip1`"), "{err}");
}

/// A GC module: wabt 1.0.32 reads none of it, so the forms are rt's own (docs/cli.md).
const GC_WAT: &str = r#"(module
  (rec
    (type $node (sub (struct (field $v (mut i32)) (field $next (ref null $node)))))
    (type $leaf (sub final $node (struct (field $v (mut i32)) (field $next (ref null $node))))))
  (type $bytes (array (mut i8)))
  (global $g (ref null $node) (ref.null $node))
  (table $t 1 anyref (ref.i31 (i32.const 7)))
  (elem (table $t) (i32.const 0) anyref (ref.i31 (i32.const 1)))
  (func (export "f") (param $x anyref) (result i32)
    (block $l (result (ref $leaf))
      (br_on_cast $l anyref (ref $leaf) (local.get $x))
      (drop)
      (drop (ref.cast (ref null $node) (global.get $g)))
      (return (array.len (array.new_fixed $bytes 2 (i32.const 1) (i32.const 2)))))
    (struct.get $leaf $v)))
"#;

#[test]
fn gc_modules_show_their_types_and_instructions() {
    let dir = tempdir();
    let wat = write(dir.path(), "gc.wat", GC_WAT);
    let wasm = dir.path().join("gc.wasm");
    let out = rt()
        .args(["wat2wasm", "--enable-gc"])
        .arg(&wat)
        .arg("-o")
        .arg(&wasm)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = objdump_in(dir.path(), &["-x", "-d", "gc.wasm"]);
    assert_ok_stdout(
        &out,
        "
gc.wasm:\tfile format wasm 0x1

Section Details:

Type[3]:
 - rec types[0..2]
 - type[0] sub struct (mut i32, (ref null 0))
 - type[1] sub final 0 struct (mut i32, (ref null 0))
 - type[2] array mut i8
 - type[3] (anyref) -> i32
Function[1]:
 - func[0] sig=3 <f>
Table[1]:
 - table[0] type=anyref initial=1 - init (i32.const 7, ref.i31)
Global[1]:
 - global[0] (ref null 0) mutable=0 - init null
Export[1]:
 - func[0] <f> -> \"f\"
Elem[1]:
 - segment[0] flags=6 table=0 count=1 - init i32=0
  - elem[0] = (i32.const 1, ref.i31)
Code[1]:
 - func[0] size=36 <f>

Code Disassembly:

00005c func[0] <f>:
 00005d: 02 64 01                   | block (ref 1)
 000060: 20 00                      |   local.get 0
 000062: fb 18 01 00 6e 01          |   br_on_cast 0 anyref (ref 1)
 000068: 1a                         |   drop
 000069: 23 00                      |   global.get 0
 00006b: fb 17 00                   |   ref.cast (ref null 0)
 00006e: 1a                         |   drop
 00006f: 41 01                      |   i32.const 1
 000071: 41 02                      |   i32.const 2
 000073: fb 08 02 02                |   array.new_fixed 2 2
 000077: fb 0f                      |   array.len
 000079: 0f                         |   return
 00007a: 0b                         | end
 00007b: fb 02 01 00                | struct.get 1 0
 00007f: 0b                         | end
",
    );
    // The headers and the raw contents read it too.
    let out = objdump_in(dir.path(), &["-h", "-s", "gc.wasm"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("     Type start=0x0000000a"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("Contents of section Code:"),
        "{}",
        stdout(&out)
    );
}

/// GC and typed-reference instructions need no declared GC type (an i31 made and read, a
/// tail call through a `ref.func`): `-d` shows them in any module.
#[test]
fn gc_instructions_show_without_gc_declarations() {
    let dir = tempdir();
    write(
        dir.path(),
        "ops.wat",
        "(module (type $t (func (param i32) (result i32)))
           (func $f (type $t) (i31.get_u (ref.i31 (local.get 0))))
           (func (type $t) (return_call_ref $t (local.get 0) (ref.func $f)))
           (elem declare func $f))",
    );
    let out = objdump_in(dir.path(), &["-d", "ops.wat"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        " | ref.i31\n",
        " | i31.get_u\n",
        " | ref.func 0\n",
        " | return_call_ref 0\n",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
}
