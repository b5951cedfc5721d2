//! `rt wat2wasm`: every flag and error path here; the byte-for-byte comparison with wabt over
//! the spec suite is in `wat2wasm/differential.rs`.
use crate::common::*;
use std::path::Path;
use std::process::Output;

mod differential;
mod gc_suite;
mod proposals;

/// `(func (result i32) i32.const 42)` exported as "answer", the bytes wabt 1.0.32 writes.
const ANSWER_WAT: &str = r#"(module
  (func $answer (export "answer") (result i32)
    i32.const 42))
"#;
const ANSWER_WASM: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
    0x03, 0x02, 0x01, 0x00, // function: type 0
    0x07, 0x0a, 0x01, 0x06, b'a', b'n', b's', b'w', b'e', b'r', 0x00, 0x00, // export
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, // code: i32.const 42
];

fn run_in(dir: &Path, args: &[&str]) -> Output {
    rt().current_dir(dir)
        .arg("wat2wasm")
        .args(args)
        .output()
        .expect("spawn rt")
}

fn assert_failed_cleanly(out: &Output) {
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(out));
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
}

#[test]
fn default_output_is_the_input_name_with_wasm_in_the_current_directory() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    write(&dir.path().join("src"), "answer.wat", ANSWER_WAT);
    let out = run_in(dir.path(), &["src/answer.wat"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.path().join("answer.wasm")).unwrap(),
        ANSWER_WASM
    );
    assert!(!dir.path().join("src/answer.wasm").exists());
    assert!(out.stdout.is_empty());
}

#[test]
fn output_flag_names_the_file_in_both_spellings() {
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    for args in [
        &["a.wat", "-o", "x.wasm"][..],
        &["a.wat", "--output=y.wasm"],
    ] {
        let out = run_in(dir.path(), args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(
        std::fs::read(dir.path().join("x.wasm")).unwrap(),
        ANSWER_WASM
    );
    assert_eq!(
        std::fs::read(dir.path().join("y.wasm")).unwrap(),
        ANSWER_WASM
    );
    // Only the outputs: no temporary files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
}

#[test]
fn output_to_a_device_writes_through_it_and_leaves_the_device_alone() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    let out = run_in(dir.path(), &["a.wat", "-o", "/dev/null"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let kind = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/null is no longer a device");
}

#[test]
fn dash_output_writes_the_binary_to_stdout() {
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    for args in [&["a.wat", "-o", "-"][..], &["a.wat", "--output=-"]] {
        let out = run_in(dir.path(), args);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(out.stdout, ANSWER_WASM);
    }
    assert!(!dir.path().join("a.wasm").exists());
}

#[test]
fn dash_input_reads_stdin() {
    let dir = tempdir();
    let out = output_with_stdin(
        rt().current_dir(dir.path())
            .args(["wat2wasm", "-", "-o", "-"]),
        ANSWER_WAT.as_bytes(),
    );
    assert!(out.status.success());
    assert_eq!(out.stdout, ANSWER_WASM);
}

#[test]
fn verbose_prints_wabts_annotated_log_on_stderr() {
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    let out = run_in(dir.path(), &["a.wat", "-v", "-o", "a.wasm"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    let lines: Vec<&str> = log.lines().collect();
    let pad = |hex: &str| format!("{hex}{}", " ".repeat(42 - hex.len()));
    assert_eq!(
        lines[0],
        format!("0000000: {}; WASM_BINARY_MAGIC", pad("0061 736d"))
    );
    assert_eq!(lines[2], "; section \"Type\" (1)");
    assert!(log.contains(&format!("0000009: {}; FIXUP section size\n", pad("05"))));
    assert!(log.contains(&format!("0000024: {}; i32.const\n", pad("41"))));
    assert!(log.contains(&format!("0000025: {}; i32 literal\n", pad("2a"))));
    assert!(log.contains(&format!(
        "0000017: 616e 7377 6572{}answer  ; export name\n",
        " ".repeat(27)
    )));
    assert_eq!(
        std::fs::read(dir.path().join("a.wasm")).unwrap(),
        ANSWER_WASM
    );
}

#[test]
fn dump_module_prints_the_hex_dump_on_stdout() {
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    let out = run_in(dir.path(), &["-d", "a.wat", "-o", "a.wasm"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("0000000: 0061 736d 0100 0000 0105 0160 0001 7f03 \n"));
    assert_eq!(text.lines().count(), ANSWER_WASM.len().div_ceil(16));
    let verbose = run_in(dir.path(), &["-d", "-v", "a.wat", "-o", "a.wasm"]);
    assert!(stdout(&verbose).starts_with(";; dump\n0000000: "));
}

#[test]
fn debug_names_adds_the_name_section_and_only_then() {
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    let plain = run_in(dir.path(), &["a.wat", "-o", "-"]);
    let named = run_in(dir.path(), &["a.wat", "--debug-names", "-o", "-"]);
    assert!(plain.status.success() && named.status.success());
    let tail = &named.stdout[ANSWER_WASM.len()..];
    // custom section 0, then "name", function names ("answer"), local names (none).
    assert_eq!(&named.stdout[..ANSWER_WASM.len()], ANSWER_WASM);
    assert_eq!(tail[0], 0);
    assert_eq!(&tail[3..7], b"name");
    assert!(tail.windows(6).any(|w| w == b"answer"));
    assert_eq!(plain.stdout, ANSWER_WASM);
}

#[test]
fn no_canonicalize_leb128s_writes_five_byte_sizes() {
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    let out = run_in(
        dir.path(),
        &["a.wat", "--no-canonicalize-leb128s", "-o", "-"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Type section: id, size 5 as a padded LEB, then the content.
    assert_eq!(
        &out.stdout[8..15],
        &[0x01, 0x85, 0x80, 0x80, 0x80, 0x00, 0x01]
    );
    assert_eq!(out.stdout.len(), ANSWER_WASM.len() + 4 * 5);
}

const TYPE_ERROR_WAT: &str =
    "(module\n  (func (result i32)\n    i32.const 1 i64.const 2 i32.add))\n";

#[test]
fn invalid_module_is_reported_at_the_instruction_and_nothing_is_written() {
    let dir = tempdir();
    write(dir.path(), "bad.wat", TYPE_ERROR_WAT);
    let out = run_in(dir.path(), &["bad.wat", "-o", "bad.wasm"]);
    assert_failed_cleanly(&out);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with("bad.wat:3:29: error: type mismatch"),
        "{err}"
    );
    assert_eq!(lines[1], "    i32.const 1 i64.const 2 i32.add))");
    assert_eq!(lines[2], format!("{}^^^^^^^", " ".repeat(28)));
    assert!(!dir.path().join("bad.wasm").exists());
}

#[test]
fn errors_outside_function_bodies_point_at_their_field() {
    let dir = tempdir();
    let cases = [
        (
            "(module (func $f) (export \"a\" (func $f)) (export \"a\" (func $f)))",
            "1:43",
        ),
        ("(module\n  (global i32 (i64.const 0)))", "2:4"),
        (
            "(module\n  (memory 1)\n  (data (i32.const 0) \"x\")\n  (data (i64.const 0) \"y\"))",
            "4:4",
        ),
        ("(module\n  (func (result i32)\n    i64.const 1))", "3:5"),
    ];
    for (i, (wat, place)) in cases.iter().enumerate() {
        let name = format!("e{i}.wat");
        write(dir.path(), &name, wat);
        let out = run_in(dir.path(), &[&name]);
        assert_failed_cleanly(&out);
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("{name}:{place}: error: ")),
            "{err}"
        );
    }
}

#[test]
fn no_check_writes_an_invalid_module_anyway() {
    let dir = tempdir();
    write(dir.path(), "bad.wat", TYPE_ERROR_WAT);
    let out = run_in(dir.path(), &["bad.wat", "--no-check", "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"\0asm"));
    // i32.const 1, i64.const 2, i32.add survive as written.
    assert!(out
        .stdout
        .windows(5)
        .any(|w| w == [0x41, 0x01, 0x42, 0x02, 0x6a]));
}

#[test]
fn text_error_gives_file_line_column_and_a_caret() {
    let dir = tempdir();
    write(
        dir.path(),
        "t.wat",
        "(module\n  (func (result i32)\n    i32.cnst 1))\n",
    );
    let out = run_in(dir.path(), &["t.wat"]);
    assert_failed_cleanly(&out);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("t.wat:3:5: error: "), "{err}");
    assert_eq!(lines[1], "    i32.cnst 1))");
    assert_eq!(lines[2], "    ^^^^^^^^");
    assert!(!dir.path().join("t.wasm").exists());
}

#[test]
fn feature_flags_follow_wabts_defaults_and_command_line_order() {
    let dir = tempdir();
    write(
        dir.path(),
        "simd.wat",
        "(module (func (result v128) (v128.const i64x2 1 2)))",
    );
    write(dir.path(), "shared.wat", "(module (memory 1 1 shared))");
    let ok = |args: &[&str]| run_in(dir.path(), args).status.code();
    assert_eq!(ok(&["simd.wat", "-o", "-"]), Some(0));
    assert_eq!(ok(&["simd.wat", "--disable-simd", "-o", "-"]), Some(1));
    assert_eq!(
        ok(&["simd.wat", "--enable-all", "--disable-simd", "-o", "-"]),
        Some(1)
    );
    assert_eq!(
        ok(&["simd.wat", "--disable-simd", "--enable-all", "-o", "-"]),
        Some(0)
    );
    assert_eq!(ok(&["shared.wat", "-o", "-"]), Some(1));
    assert_eq!(ok(&["shared.wat", "--enable-threads", "-o", "-"]), Some(0));
    assert_eq!(ok(&["shared.wat", "--enable-all", "-o", "-"]), Some(0));
}

#[test]
fn annotations_need_their_feature_as_in_wabt() {
    let dir = tempdir();
    write(
        dir.path(),
        "c.wat",
        "(module (@custom \"hello\" \"world\") (func))",
    );
    let refused = run_in(dir.path(), &["c.wat", "-o", "-"]);
    assert_failed_cleanly(&refused);
    let err = stderr(&refused);
    assert!(
        err.starts_with("c.wat:1:9: error: annotations not enabled: custom\n"),
        "{err}"
    );
    assert!(err.ends_with("\n        ^^^^^^^^\n"), "{err:?}");
    // Enabled, wabt 1.0.32 reads and drops them: no custom section is written.
    let accepted = run_in(dir.path(), &["c.wat", "--enable-annotations", "-o", "-"]);
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    assert!(!accepted.stdout.windows(5).any(|w| w == b"hello"));
}

#[test]
fn code_metadata_is_refused_rather_than_dropped() {
    let dir = tempdir();
    let wat = "(module (func (param i32) (result i32) (local.get 0)\n\
               (@metadata.code.branch_hint \"\\01\")\n\
               (if (result i32) (then (i32.const 1)) (else (i32.const 2)))))";
    write(dir.path(), "bh.wat", wat);
    // Annotations on and code metadata off: wabt drops the hint, so does rt.
    let dropped = run_in(dir.path(), &["bh.wat", "--enable-annotations", "-o", "-"]);
    assert!(dropped.status.success(), "{}", stderr(&dropped));
    // With code metadata wabt writes a section rt cannot lay out: refused, nothing written.
    let args = ["bh.wat", "--enable-annotations", "--enable-code-metadata"];
    let refused = run_in(dir.path(), &args);
    assert_failed_cleanly(&refused);
    assert!(stderr(&refused).contains("not supported: code metadata"));
    assert!(!dir.path().join("bh.wasm").exists());
}

#[test]
fn every_wabt_feature_has_both_switches() {
    let out = rt_output(&["wat2wasm", "--help"]);
    let help = stdout(&out);
    for feature in [
        "exceptions",
        "mutable-globals",
        "saturating-float-to-int",
        "sign-extension",
        "simd",
        "threads",
        "function-references",
        "multi-value",
        "tail-call",
        "bulk-memory",
        "reference-types",
        "annotations",
        "code-metadata",
        "gc",
        "memory64",
        "multi-memory",
        "extended-const",
        "relaxed-simd",
    ] {
        assert!(help.contains(&format!("--enable-{feature}")), "{feature}");
        assert!(help.contains(&format!("--disable-{feature}")), "{feature}");
    }
    assert!(help.contains("--enable-all"));
}

#[test]
fn disabling_bulk_memory_drops_the_data_count_section_and_reference_types() {
    let dir = tempdir();
    let wat = "(module (memory 1) (data (i32.const 0) \"x\") \
               (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))))";
    write(dir.path(), "bulk.wat", wat);
    let with = run_in(dir.path(), &["bulk.wat", "-o", "-"]);
    assert!(with.status.success(), "{}", stderr(&with));
    assert!(
        with.stdout.windows(3).any(|w| w == [0x0c, 0x01, 0x01]),
        "DataCount kept"
    );
    let without = run_in(
        dir.path(),
        &["bulk.wat", "--disable-bulk-memory", "-o", "-"],
    );
    assert_failed_cleanly(&without);
    write(
        dir.path(),
        "ref.wat",
        "(module (func (result externref) ref.null extern))",
    );
    let refs = run_in(dir.path(), &["ref.wat", "--disable-bulk-memory", "-o", "-"]);
    assert_failed_cleanly(&refs);
}

#[test]
fn relocatable_is_refused_with_a_reason() {
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    let out = run_in(dir.path(), &["a.wat", "-r"]);
    assert_failed_cleanly(&out);
    assert!(stderr(&out).contains("--relocatable is not supported"));
    assert!(!dir.path().join("a.wasm").exists());
}

#[test]
fn debug_parser_is_accepted_and_changes_nothing() {
    let dir = tempdir();
    write(dir.path(), "a.wat", ANSWER_WAT);
    let out = run_in(dir.path(), &["a.wat", "--debug-parser", "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, ANSWER_WASM);
}

#[test]
fn missing_input_unreadable_text_and_bad_output_path_are_errors() {
    let dir = tempdir();
    let missing = run_in(dir.path(), &["nope.wat"]);
    assert_failed_cleanly(&missing);
    assert!(stderr(&missing).contains("nope.wat"));

    std::fs::write(dir.path().join("bin.wat"), [0x28, 0xff, 0xfe, 0x29]).unwrap();
    let binary = run_in(dir.path(), &["bin.wat"]);
    assert_failed_cleanly(&binary);
    assert!(stderr(&binary).contains("not UTF-8"), "{}", stderr(&binary));

    write(dir.path(), "a.wat", ANSWER_WAT);
    let bad_out = run_in(dir.path(), &["a.wat", "-o", "no/such/dir/a.wasm"]);
    assert_failed_cleanly(&bad_out);
    assert!(stderr(&bad_out).contains("no/such/dir/a.wasm"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempdir();
    assert_eq!(run_in(dir.path(), &[]).status.code(), Some(2));
    assert_eq!(
        run_in(dir.path(), &["a.wat", "--frobnicate"]).status.code(),
        Some(2)
    );
}

/// A GC module: a rec group of subtypes, a packed array, struct, i31 and cast instructions.
const GC_WAT: &str = r#"(module $gc
  (rec
    (type $node (sub (struct (field $v i32) (field $next (ref null $node)))))
    (type $leaf (sub final $node (struct (field $v i32) (field $next (ref null $node))))))
  (type $bytes (array (mut i8)))
  (func $sum (export "sum") (param $n (ref null $node)) (result i32)
    (struct.get $node $v (local.get $n)))
  (func (export "cast") (param anyref) (result i32)
    (block $l (result (ref $leaf))
      (br_on_cast $l anyref (ref $leaf) (local.get 0))
      (drop)
      (return (i31.get_s (ref.i31 (i32.const -1)))))
    (struct.get $leaf $v))
  (func (export "len") (result i32)
    (array.len (array.new_default $bytes (i32.const 3)))))
"#;

/// The module as it validates: GC on, nothing else beyond Wasm 2.0.
fn validate_gc(wasm: &[u8]) {
    let features = wasmparser::WasmFeatures::WASM2
        | wasmparser::WasmFeatures::GC
        | wasmparser::WasmFeatures::FUNCTION_REFERENCES;
    wasmparser::Validator::new_with_features(features)
        .validate_all(wasm)
        .expect("rt's output validates");
}

/// The names of the custom sections of `wasm`.
fn custom_sections(wasm: &[u8]) -> Vec<String> {
    wasmparser::Parser::new(0)
        .parse_all(wasm)
        .filter_map(|p| match p.expect("readable") {
            wasmparser::Payload::CustomSection(c) => Some(c.name().to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn gc_text_is_written_with_enable_gc_and_every_output_flag() {
    let dir = tempdir();
    write(dir.path(), "gc.wat", GC_WAT);
    let want = wat::parse_str(GC_WAT).unwrap();
    for flags in [&["--enable-gc"][..], &["--enable-all"]] {
        let mut args = vec!["gc.wat", "-o", "-"];
        args.extend_from_slice(flags);
        let out = run_in(dir.path(), &args);
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{}", stderr(&out));
        validate_gc(&out.stdout);
        // The wat crate's encoding of the same text, less its name section.
        assert!(custom_sections(&out.stdout).is_empty());
        assert_eq!(out.stdout[..], want[..out.stdout.len()], "{flags:?}");
    }
    // --debug-names keeps the standard name section: the wat crate's bytes exactly.
    let named = run_in(
        dir.path(),
        &["gc.wat", "--enable-gc", "--debug-names", "-o", "-"],
    );
    assert!(named.status.success(), "{}", stderr(&named));
    assert_eq!(named.stdout, want);
    assert_eq!(custom_sections(&named.stdout), ["name"]);
    // Five-byte sizes: every section, body and name subsection size grows by four bytes.
    let padded = run_in(
        dir.path(),
        &[
            "gc.wat",
            "--enable-gc",
            "--no-canonicalize-leb128s",
            "-o",
            "-",
        ],
    );
    assert!(padded.status.success(), "{}", stderr(&padded));
    validate_gc(&padded.stdout);
    // Type, function, export and code sections, three bodies.
    let plain = run_in(dir.path(), &["gc.wat", "--enable-gc", "-o", "-"]).stdout;
    assert_eq!(padded.stdout.len(), plain.len() + 7 * 4);
    assert_eq!(
        &padded.stdout[9..14],
        &[0x80 | (plain[9] & 0x7f), 0x80, 0x80, 0x80, 0x00]
    );
    // The default output name, and -d's dump.
    let out = run_in(dir.path(), &["gc.wat", "--enable-gc", "-d"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.path().join("gc.wasm")).unwrap(), plain);
    assert!(
        stdout(&out).starts_with("0000000: 0061 736d 0100 0000"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn verbose_says_why_there_is_no_wabt_log_for_gc_and_still_writes() {
    let dir = tempdir();
    write(dir.path(), "gc.wat", GC_WAT);
    let out = run_in(
        dir.path(),
        &["gc.wat", "--enable-gc", "-v", "-o", "gc.wasm"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "gc.wat: note: no -v log: wabt 1.0.32 cannot write this module (rec groups, subtypes \
         and shared types), so there is no wabt layout to annotate; it was written in the \
         standard encoding (see `rt objdump -x` for its contents)\n"
    );
    validate_gc(&std::fs::read(dir.path().join("gc.wasm")).unwrap());
    // A GC module wabt can lay out (struct and array types only) keeps wabt's log.
    write(
        dir.path(),
        "types.wat",
        "(module (type (struct (field i32))) (type (array i64)))",
    );
    let out = run_in(dir.path(), &["types.wat", "--enable-gc", "-v", "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("0000000: 0061 736d"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("; struct type 0\n"),
        "{}",
        stderr(&out)
    );
}

/// Without `--enable-gc` GC text is refused where it starts, with or without `--no-check`:
/// the type inside a rec group, the first GC instruction.
#[test]
fn gc_without_its_flag_is_refused_at_file_line_col() {
    let dir = tempdir();
    let cases = [
        (
            GC_WAT,
            "",
            "gc.wat:3:6: error: gc proposal must be enabled to use subtypes",
        ),
        (
            GC_WAT,
            "--no-check",
            "gc.wat:2:4: error: rec group is not allowed without --enable-gc",
        ),
        (
            "(module\n  (func (result i32)\n    (i31.get_s (ref.i31 (i32.const 1)))))",
            "",
            "gc.wat:3:17: error: gc support is not enabled",
        ),
        (
            "(module\n  (func (result i32)\n    (i31.get_s (ref.i31 (i32.const 1)))))",
            "--no-check",
            "gc.wat:3:17: error: ref.i31 is not allowed without --enable-gc",
        ),
        (
            "(module\n  (type $s (struct))\n  (func (param (ref $s))))",
            "--enable-function-references",
            "gc.wat:2:4: error: ",
        ),
    ];
    for (text, flag, want) in cases {
        write(dir.path(), "gc.wat", text);
        let mut args = vec!["gc.wat", "-o", "out.wasm"];
        if !flag.is_empty() {
            args.push(flag);
        }
        let out = run_in(dir.path(), &args);
        assert_failed_cleanly(&out);
        assert!(stderr(&out).starts_with(want), "{flag}: {}", stderr(&out));
        assert!(!dir.path().join("out.wasm").exists());
    }
}

/// `--no-check` writes an invalid GC module as parsed, when GC is enabled.
#[test]
fn no_check_writes_an_invalid_gc_module() {
    let dir = tempdir();
    let bad = "(module (type $s (struct (field i32)))\n  (func (result i32) (struct.new $s (i64.const 1)) drop (i32.const 0)))";
    write(dir.path(), "bad.wat", bad);
    let checked = run_in(dir.path(), &["bad.wat", "--enable-gc", "-o", "-"]);
    assert_failed_cleanly(&checked);
    assert!(
        stderr(&checked).starts_with("bad.wat:2:23: error: type mismatch"),
        "{}",
        stderr(&checked)
    );
    let out = run_in(
        dir.path(),
        &[
            "bad.wat",
            "--enable-gc",
            "--no-check",
            "--debug-names",
            "-o",
            "-",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The wat crate's bytes, names and all: nothing was checked or changed.
    assert_eq!(out.stdout, wat::parse_str(bad).unwrap());
}

/// The other Wasm 3.0 features wabt 1.0.32 has no layout for take the same way out, each
/// behind its own flag: typed function references, try_table and exnref, table initialisers.
#[test]
fn other_features_wabt_cannot_write_are_written_behind_their_flags() {
    let dir = tempdir();
    let cases = [
        (
            "--enable-function-references",
            "(module (type $f (func (result i32)))\n  (func $k (type $f) (i32.const 1))\n  (elem declare func $k)\n  (func (result i32) (call_ref $f (ref.func $k))))",
            "4:23",
        ),
        (
            "--enable-exceptions",
            "(module (tag $e)\n  (func (result exnref)\n    (block $h (result exnref) (try_table (catch_all_ref $h) (throw $e)) (unreachable))))",
            // The function's type, which the text only implies: shown at the function.
            "2:4",
        ),
        (
            "--enable-function-references",
            "(module (func $f)\n  (table 1 (ref func) (ref.func $f)))",
            "2:4",
        ),
    ];
    for (i, (flag, text, place)) in cases.iter().enumerate() {
        let name = format!("m{i}.wat");
        write(dir.path(), &name, text);
        let out = run_in(dir.path(), &[&name, flag, "-o", "-"]);
        assert!(out.status.success(), "{flag}: {}", stderr(&out));
        wasmparser::Validator::new()
            .validate_all(&out.stdout)
            .expect("valid");
        let plain = run_in(dir.path(), &[&name, "-o", "-"]);
        assert_failed_cleanly(&plain);
        assert!(
            stderr(&plain).starts_with(&format!("{name}:{place}: error: ")),
            "{}",
            stderr(&plain)
        );
    }
}
