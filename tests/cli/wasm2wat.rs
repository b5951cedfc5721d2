//! `rt wasm2wat`: flags, output paths and errors. Character-for-character agreement with wabt
//! over whole suites is tests/cli/wasm2wat_differential.rs.
use crate::common::*;

/// A module with a name section, an import, an export, a block and a float.
const MODULE: &str = r#"(module
  (import "env" "log" (func $log (param i32)))
  (func $main (export "main") (param $x i32) (result f32)
    (block (br_if 0 (local.get $x)) (call $log (i32.const 7)))
    f32.const 1.5))"#;

fn binary(dir: &std::path::Path) -> std::path::PathBuf {
    let wat = write(dir, "m.wat", MODULE);
    let out = rt()
        .args(["wat2wasm", "--debug-names"])
        .arg(&wat)
        .arg("-o")
        .arg(dir.join("m.wasm"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    dir.join("m.wasm")
}

#[test]
fn prints_wabts_text_with_names_from_the_name_section() {
    let d = tempdir();
    let m = binary(d.path());
    let out = rt().arg("wasm2wat").arg(&m).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        r#"(module
  (type (;0;) (func (param i32)))
  (type (;1;) (func (param i32) (result f32)))
  (import "env" "log" (func $log (type 0)))
  (func $main (type 1) (param $x i32) (result f32)
    block  ;; label = @1
      local.get $x
      br_if 0 (;@1;)
      i32.const 7
      call $log
    end
    f32.const 0x1.8p+0 (;=1.5;))
  (export "main" (func $main)))
"#
    );
}

#[test]
fn flags_fold_inline_and_rename() {
    let d = tempdir();
    let m = binary(d.path());
    let run = |flags: &[&str]| {
        let out = rt().arg("wasm2wat").args(flags).arg(&m).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let folded = run(&["--fold-exprs"]);
    assert!(
        folded.contains("(br_if 0 (;@1;)\n        (local.get $x))"),
        "{folded}"
    );
    let inline = run(&["--inline-exports", "--inline-imports"]);
    assert!(
        inline.contains(r#"(func $log (import "env" "log") (type 0) (param i32))"#),
        "{inline}"
    );
    assert!(
        inline.contains(r#"(func $main (export "main") (type 1)"#),
        "{inline}"
    );
    let plain = run(&["--no-debug-names"]);
    assert!(
        plain.contains("(func (;1;) (type 1) (param i32) (result f32)"),
        "{plain}"
    );
    assert!(plain.contains("call 0\n"), "{plain}");
    let generated = run(&["--no-debug-names", "--generate-names"]);
    assert!(
        generated.contains("(import \"env\" \"log\" (func $env.log (type $t0)))"),
        "{generated}"
    );
    assert!(
        generated.contains("(func $main (type $t1) (param $p0 i32)"),
        "{generated}"
    );
    assert!(generated.contains("block $B0\n"), "{generated}");
}

#[test]
fn output_file_and_stdin() {
    let d = tempdir();
    let m = binary(d.path());
    let out = rt()
        .arg("wasm2wat")
        .arg(&m)
        .arg("-o")
        .arg(d.path().join("out.wat"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    let written = std::fs::read_to_string(d.path().join("out.wat")).unwrap();
    assert!(written.starts_with("(module\n"));
    let piped = output_with_stdin(rt().args(["wasm2wat", "-"]), &std::fs::read(&m).unwrap());
    assert_eq!(stdout(&piped), written);
}

#[test]
fn the_text_assembles_back_to_the_same_bytes() {
    let d = tempdir();
    let wat = write(d.path(), "p.wat", "(module (memory 1) (func (export \"f\") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))) (data (i32.const 8) \"hi\"))");
    let first = d.path().join("p.wasm");
    assert!(rt()
        .arg("wat2wasm")
        .arg(&wat)
        .arg("-o")
        .arg(&first)
        .status()
        .unwrap()
        .success());
    let text = d.path().join("back.wat");
    assert!(rt()
        .arg("wasm2wat")
        .arg(&first)
        .arg("-o")
        .arg(&text)
        .status()
        .unwrap()
        .success());
    let second = d.path().join("back.wasm");
    assert!(rt()
        .arg("wat2wasm")
        .arg(&text)
        .arg("-o")
        .arg(&second)
        .status()
        .unwrap()
        .success());
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap()
    );
}

#[test]
fn newer_features_are_printed_in_the_same_style() {
    let d = tempdir();
    write(
        d.path(),
        "t.wat",
        r#"(module (type $t (func)) (table 1 funcref)
             (func $f (param (ref null $t))
               (block (br_on_null 0 (local.get 0)) (call_ref $t))
               (return_call_ref $t (local.get 0))))"#,
    );
    // rt's wat2wasm writes only what wabt 1.0.32 can: the `wat` crate encodes these.
    let wasm = d.path().join("t.wasm");
    std::fs::write(&wasm, wat_bytes(&d.path().join("t.wat"))).unwrap();
    let out = rt().arg("wasm2wat").arg(&wasm).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text,
        "(module
  (type $t (func))
  (type (;1;) (func (param (ref null $t))))
  (func $f (type 1) (param (ref null $t))
    block  ;; label = @1
      local.get 0
      br_on_null 0 (;@1;)
      call_ref $t
    end
    local.get 0
    return_call_ref $t)
  (table (;0;) 1 funcref))
"
    );
}

/// The binary of a text file, encoded by the `wat` crate.
fn wat_bytes(path: &std::path::Path) -> Vec<u8> {
    wat::parse_file(path).expect("valid text")
}

#[test]
fn invalid_modules_components_and_bad_input_are_errors() {
    let d = tempdir();
    // (func (result i32) i64.const 1): a type mismatch, reported at its offset.
    let bad = [
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 10, 6, 1, 4, 0,
        0x42, 1, 0x0b,
    ];
    std::fs::write(d.path().join("bad.wasm"), bad).unwrap();
    let out = rt()
        .args(["wasm2wat", "bad.wasm"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "bad.wasm:0x1a: error: type mismatch: expected i32, found i64\n"
    );
    // --no-check prints it anyway.
    let out = rt()
        .args(["wasm2wat", "--no-check", "bad.wasm"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("i64.const 1)"));
    std::fs::write(
        d.path().join("c.wasm"),
        [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0],
    )
    .unwrap();
    let out = rt()
        .args(["wasm2wat", "c.wasm"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("this is a WebAssembly component"));
    let out = rt()
        .args(["wasm2wat", "missing.wasm"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = rt().args(["wasm2wat"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `--no-check` prints what validation would refuse, but a function without a body is
/// still an error (the reader's), not a crash.
#[test]
fn unchecked_modules_with_missing_parts_fail_cleanly() {
    let d = tempdir();
    let no_body = [
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0,
    ];
    std::fs::write(d.path().join("nobody.wasm"), no_body).unwrap();
    let out = rt()
        .args(["wasm2wat", "--no-check", "nobody.wasm"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "nobody.wasm:0x12: error: function section has non-zero count but code section is absent\n"
    );
}

/// `--disable-X` of a feature wabt enables by default makes modules that use it invalid, as
/// in wabt; `--enable-X` changes nothing rt does not already read.
#[test]
fn feature_switches_change_what_is_valid() {
    let d = tempdir();
    write(
        d.path(),
        "simd.wat",
        "(module (func (result v128) v128.const i32x4 1 2 3 4))",
    );
    let wasm = d.path().join("simd.wasm");
    std::fs::write(&wasm, wat_bytes(&d.path().join("simd.wat"))).unwrap();
    let out = rt().arg("wasm2wat").arg(&wasm).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("v128.const i32x4 0x00000001 0x00000002 0x00000003 0x00000004"));
    let out = rt()
        .args(["wasm2wat", "--disable-simd"])
        .arg(&wasm)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("SIMD support is not enabled"),
        "{}",
        stderr(&out)
    );
    let out = rt()
        .args(["wasm2wat", "--enable-all", "--enable-tail-call"])
        .arg(&wasm)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A GC module: a rec group, a packed array, struct and cast instructions, names.
const GC_MODULE: &str = r#"(module $gc
  (rec
    (type $node (sub (struct (field $v i32) (field $next (ref null $node)))))
    (type $leaf (sub final $node (struct (field $v i32) (field $next (ref null $node))))))
  (type $bytes (array (mut i8)))
  (import "env" "log" (func $log (param i32)))
  (func $get (export "get") (param $n anyref) (result i32)
    (block $l (result (ref $leaf))
      (br_on_cast $l anyref (ref $leaf) (local.get $n))
      (drop)
      (return (array.len (array.new_default $bytes (i32.const 3)))))
    (struct.get $leaf $v)))"#;

/// The GC module assembled by `rt wat2wasm --enable-gc` (with names if `names`).
fn gc_binary(dir: &std::path::Path, names: bool) -> std::path::PathBuf {
    let wat = write(dir, "gc.wat", GC_MODULE);
    let wasm = dir.join("gc.wasm");
    let mut cmd = rt();
    cmd.args(["wat2wasm", "--enable-gc"])
        .arg(&wat)
        .arg("-o")
        .arg(&wasm);
    if names {
        cmd.arg("--debug-names");
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    wasm
}

fn wasm2wat(args: &[&std::ffi::OsStr]) -> std::process::Output {
    rt().arg("wasm2wat").args(args).output().unwrap()
}

/// wabt 1.0.32 reads no GC: rt prints GC modules with wasmprinter, in the current text
/// format, and the text assembles back to the same bytes.
#[test]
fn gc_modules_are_printed_and_assemble_back_to_the_same_bytes() {
    let d = tempdir();
    let wasm = gc_binary(d.path(), true);
    let text_file = d.path().join("back.wat");
    let out = wasm2wat(&[wasm.as_os_str(), "-o".as_ref(), text_file.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&text_file).unwrap();
    for part in [
        "(module $gc",
        "(rec",
        "(type $leaf (;1;) (sub final $node (struct (field $v i32) (field $next (ref null $node)))))",
        "(type $bytes (;2;) (array (mut i8)))",
        "(import \"env\" \"log\" (func $log (;0;) (type 3) (param i32)))",
        "br_on_cast $l anyref (ref $leaf)",
        "array.new_default $bytes",
        "struct.get $leaf $v",
    ] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }
    let back = rt()
        .args(["wat2wasm", "--enable-gc", "--debug-names", "-o", "-"])
        .arg(&text_file)
        .output()
        .unwrap();
    assert!(back.status.success(), "{}", stderr(&back));
    assert_eq!(back.stdout, std::fs::read(&wasm).unwrap());
}

#[test]
fn gc_modules_take_the_naming_and_folding_flags() {
    let d = tempdir();
    let wasm = gc_binary(d.path(), true);
    let print = |flags: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![wasm.as_os_str()];
        args.extend(flags.iter().map(std::ffi::OsStr::new));
        let out = wasm2wat(&args);
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        (stdout(&out), stderr(&out))
    };
    let (bare, _) = print(&["--no-debug-names"]);
    assert!(!bare.contains('$'), "{bare}");
    assert!(bare.contains("struct.get 1 0"), "{bare}");
    let (folded, _) = print(&["--no-debug-names", "--fold-exprs"]);
    assert!(folded.contains("(struct.get 1 0\n"), "{folded}");
    let (named, _) = print(&["--no-debug-names", "--generate-names"]);
    assert!(named.contains("(func $#func1 (;1;)"), "{named}");
    // No wasmprinter form for inline exports and imports: said, and printed as fields.
    let (text, note) = print(&["--inline-exports", "--inline-imports"]);
    assert_eq!(
        note,
        format!(
            "{}: note: --inline-exports and --inline-imports not applied: this module has GC, \
             which wabt 1.0.32 does not read, and is printed by wasmprinter, which writes \
             imports and exports as fields of their own\n",
            wasm.display()
        )
    );
    assert!(text.contains("(export \"get\" (func $get))"), "{text}");
}

/// An invalid GC module is refused at its offset; `--no-check` prints it.
#[test]
fn invalid_gc_modules_are_refused_unless_unchecked() {
    let d = tempdir();
    let bad = write(
        d.path(),
        "bad.wat",
        "(module (type $s (struct (field i32))) (func (drop (struct.new $s (i64.const 1)))))",
    );
    let wasm = d.path().join("bad.wasm");
    let out = rt()
        .args(["wat2wasm", "--enable-gc", "--no-check"])
        .arg(&bad)
        .arg("-o")
        .arg(&wasm)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = wasm2wat(&[wasm.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.starts_with(&format!("{}:0x", wasm.display())) && message.contains("type mismatch"),
        "{message}"
    );
    let out = wasm2wat(&[wasm.as_os_str(), "--no-check".as_ref()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("struct.new 0"), "{}", stdout(&out));
    // Cut short inside the code section: an error at an offset, not a panic.
    let bytes = std::fs::read(&wasm).unwrap();
    let cut = d.path().join("cut.wasm");
    std::fs::write(&cut, &bytes[..bytes.len() - 3]).unwrap();
    for flags in [&[][..], &["--no-check"]] {
        let mut args = vec![cut.as_os_str()];
        args.extend(flags.iter().map(std::ffi::OsStr::new));
        let out = wasm2wat(&args);
        assert_eq!(out.status.code(), Some(1), "{flags:?}");
        assert!(stderr(&out).contains(": error: "), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}
