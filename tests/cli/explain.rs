//! `rt explain`: WASI functions and types by name, libc functions, errnos, and modules.
use crate::common::*;
use serde_json::Value;
use std::path::Path;

/// Runs `rt explain ARGS --format json`, expects success, and parses stdout.
fn explain_json(args: &[&str]) -> Value {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = rt_output(&all);
    assert!(out.status.success(), "rt {all:?} failed: {}", stderr(&out));
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("bad JSON ({e}):\n{}", stdout(&out)))
}

/// Runs `rt explain ARGS`, expects exit 1 with nothing on stdout, returns stderr.
fn explain_error(args: &[&str]) -> String {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    let out = rt()
        .args(&all)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "rt {all:?} should fail: {}",
        stdout(&out)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout for an error");
    let err = stderr(&out);
    assert!(err.starts_with("error: "), "{err}");
    err
}

fn explain_text(args: &[&str]) -> String {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    let out = rt_output(&all);
    assert!(out.status.success(), "rt {all:?} failed: {}", stderr(&out));
    stdout(&out)
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|f| f["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn function_by_bare_name_shows_both_signatures_and_the_bytes_it_writes() {
    let text = explain_text(&["fd_readdir"]);
    assert!(text.contains("(i32, i32, i32, i64, i32) -> i32"), "{text}");
    assert!(
        text.contains("(@interface func (export \"fd_readdir\")"),
        "{text}"
    );
    // The dirent layout is printed with the function because buf is filled with dirents.
    let layout_line = text
        .lines()
        .find(|l| l.contains("d_namlen") && l.contains("@16"));
    assert!(
        layout_line.is_some_and(|l| l.contains("dirnamlen (u32)")),
        "{text}"
    );
    assert!(text.contains("readdir"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn function_json_has_core_params_errnos_rights_and_libc() {
    let f = explain_json(&["fd_readdir"]);
    assert_eq!(f["kind"], "function");
    assert_eq!(f["core_signature"], "(i32, i32, i32, i64, i32) -> i32");
    let core: Vec<&str> = f["core_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(core, ["i32", "i32", "i32", "i64", "i32"]);
    assert_eq!(names(&f["params"]), ["fd", "buf", "buf_len", "cookie"]);
    assert_eq!(names(&f["results"]), ["bufused"]);
    assert!(names(&f["errnos"]).contains(&"badf".to_string()));
    assert_eq!(f["rights"], serde_json::json!(["fd_readdir"]));
    assert!(f["libc"]
        .as_array()
        .unwrap()
        .contains(&Value::from("readdir")));
    assert!(names(&f["types"]).contains(&"dirent".to_string()));
}

#[test]
fn module_qualified_names_are_accepted() {
    for name in [
        "wasi_snapshot_preview1.fd_write",
        "wasi_unstable.fd_write",
        "__wasi_fd_write",
    ] {
        let f = explain_json(&[name]);
        assert_eq!(f["name"], "fd_write", "{name}");
        assert_eq!(f["core_signature"], "(i32, i32, i32, i32) -> i32");
    }
    let unstable = explain_json(&["wasi_unstable.fd_seek"]);
    assert!(unstable["notes"][0]
        .as_str()
        .unwrap()
        .contains("whence is cur=0"));
    assert_eq!(explain_json(&["fd_seek"])["notes"], serde_json::json!([]));
    let exit = explain_json(&["proc_exit"]);
    assert_eq!(exit["returns"], "never");
    assert_eq!(exit["core_signature"], "(i32) -> nil");
    let err = explain_error(&["wasi_snapshot_preview2.fd_write"]);
    assert!(
        err.contains("wasi_snapshot_preview2") && err.contains("not a WASI preview1 module"),
        "{err}"
    );
}

#[test]
fn record_type_layout_in_json() {
    let t = explain_json(&["dirent"]);
    assert_eq!(t["kind"], "type");
    assert_eq!(t["type_kind"], "record");
    assert_eq!(t["size"], 24);
    assert_eq!(t["align"], 8);
    let fields: Vec<(String, u64, u64)> = t["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().into(),
                f["offset"].as_u64().unwrap(),
                f["size"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("d_next", 0, 8),
        ("d_ino", 8, 8),
        ("d_namlen", 16, 4),
        ("d_type", 20, 1),
    ];
    let expected: Vec<(String, u64, u64)> = expected
        .iter()
        .map(|(n, o, s)| (n.to_string(), *o, *s))
        .collect();
    assert_eq!(fields, expected);
    assert_eq!(t["used_by"], serde_json::json!(["fd_readdir"]));
    let filetype = explain_json(&["filetype"]);
    assert_eq!(
        filetype["contained_in"],
        serde_json::json!(["dirent", "fdstat", "filestat"])
    );
    let sub = explain_json(&["__wasi_subscription_t"]);
    assert_eq!(sub["size"], 48);
}

#[test]
fn flags_and_enums_list_bits_and_values() {
    let rights = explain_json(&["rights"]);
    assert_eq!(rights["type_kind"], "flags");
    assert_eq!(rights["repr"], "u64");
    let readdir = rights["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "fd_readdir")
        .unwrap();
    assert_eq!(readdir["bit"], 14);
    assert_eq!(readdir["value"], 1u64 << 14);
    let whence = explain_json(&["whence"]);
    assert_eq!(names(&whence["cases"]), ["set", "cur", "end"]);
    assert_eq!(whence["cases"][2]["value"], 2);
    let text = explain_text(&["oflags"]);
    assert!(
        text.contains("bit 3 (0x8)") && text.contains("trunc"),
        "{text}"
    );
}

#[test]
fn libc_function_names_lead_to_wasi_calls() {
    let l = explain_json(&["readdir"]);
    assert_eq!(l["kind"], "libc");
    assert_eq!(names(&l["reaches"]), ["fd_readdir"]);
    let text = explain_text(&["fopen"]);
    assert!(
        text.starts_with("fopen is a libc function; in wasi-libc it usually reaches path_open"),
        "{text}"
    );
}

#[test]
fn errno_by_number_wasi_name_and_posix_name() {
    for key in ["8", "badf", "EBADF", "ebadf"] {
        let e = explain_json(&["errno", key]);
        assert_eq!(e["kind"], "errno", "{key}");
        assert_eq!(e["number"], 8, "{key}");
        assert_eq!(e["name"], "badf", "{key}");
        assert_eq!(e["posix"], "EBADF", "{key}");
        assert!(e["meaning"].as_str().unwrap().contains("descriptor"));
    }
    let badf = explain_json(&["errno", "badf"]);
    let returned_by = badf["returned_by"].as_array().unwrap();
    assert!(
        returned_by.contains(&Value::from("fd_readdir"))
            && returned_by.contains(&Value::from("fd_write"))
    );
    let text = explain_text(&["errno", "76"]);
    assert!(
        text.starts_with("errno 76: notcapable (ENOTCAPABLE)"),
        "{text}"
    );
    let success = explain_json(&["errno", "0"]);
    assert_eq!(success["posix"], Value::Null);
}

#[test]
fn errno_alone_lists_all_77() {
    let list = explain_json(&["errno"]);
    let errnos = list["errnos"].as_array().unwrap();
    assert_eq!(errnos.len(), 77);
    assert_eq!(errnos[44]["name"], "noent");
    let text = explain_text(&["errno"]);
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()[..3] == ["44", "noent", "ENOENT"]),
        "{text}"
    );
}

#[test]
fn unknown_names_suggest_the_nearest() {
    let err = explain_error(&["fd_wirte"]);
    assert!(
        err.contains("`fd_wirte`") && err.contains("did you mean `fd_write`"),
        "{err}"
    );
    let err = explain_error(&["path_opne"]);
    assert!(err.contains("`path_open`"), "{err}");
    let err = explain_error(&["qqqqqqqqqqqq"]);
    assert!(
        err.contains("unknown WASI function") && !err.contains("did you mean"),
        "{err}"
    );
}

#[test]
fn unknown_errnos_are_errors() {
    let err = explain_error(&["errno", "77"]);
    assert!(
        err.contains("unknown errno 77") && err.contains("0 to 76"),
        "{err}"
    );
    let err = explain_error(&["errno", "EBADFF"]);
    assert!(err.contains("`EBADFF`") && err.contains("`badf`"), "{err}");
    let err = explain_error(&["errno", "65536"]);
    assert!(err.contains("unknown errno"), "{err}");
}

#[test]
fn extra_arguments_are_refused() {
    let err = explain_error(&["fd_write", "fd_read"]);
    assert!(err.contains("`fd_read`"), "{err}");
}

#[test]
fn bad_modules_are_located_errors() {
    let dir = tempdir();
    let garbage = write(dir.path(), "garbage.wasm", "this is not wasm");
    let err = explain_error(&[garbage.to_str().unwrap()]);
    assert!(
        err.contains("garbage.wasm:0x0: not a WebAssembly binary"),
        "{err}"
    );

    let truncated = dir.path().join("truncated.wasm");
    std::fs::write(&truncated, b"\0asm\x01\0\0\0\x01\x05").unwrap();
    let err = explain_error(&[truncated.to_str().unwrap()]);
    assert!(err.contains("truncated.wasm:0x"), "{err}");

    let bad_text = write(dir.path(), "bad.wat", "(module\n  (func (i32.bogus)))\n");
    let err = explain_error(&[bad_text.to_str().unwrap()]);
    assert!(err.contains("bad.wat:2:10"), "{err}");

    // Well-formed sections, but a function body with an opcode that does not exist.
    let bad_code = dir.path().join("bad_code.wasm");
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]); // type: () -> ()
    bytes.extend_from_slice(&[0x03, 0x02, 0x01, 0x00]); // one function of type 0
    bytes.extend_from_slice(&[0x0a, 0x05, 0x01, 0x03, 0x00, 0xff, 0x0b]); // body: 0xff end
    std::fs::write(&bad_code, bytes).unwrap();
    let err = explain_error(&[bad_code.to_str().unwrap()]);
    assert!(err.contains("bad_code.wasm:0x17: illegal opcode"), "{err}");

    let missing = dir.path().join("missing.wasm");
    let err = explain_error(&[missing.to_str().unwrap()]);
    assert!(err.contains("missing.wasm"), "{err}");
}

/// A hand-written module with every situation the report must flag.
const FLAGGED: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_frobnicate" (func $frob (param i32) (result i32)))
  (import "wasi_unstable" "random_get" (func $random (param i32 i32) (result i32)))
  (import "env" "host_log" (func $log (param i32)))
  (import "env" "memory" (memory 1))
  (type $v (func))
  (table 1 funcref)
  (elem (i32.const 0) $callback)
  (func $write_it (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) drop)
  (func $callback call $write_it)
  (func $run (export "_start")
    call $write_it
    (call_indirect (type $v) (i32.const 0))
    (drop (call $random (i32.const 0) (i32.const 4)))))
"#;

#[test]
fn module_report_flags_mismatches_unknowns_uncalled_and_indirect_calls() {
    let dir = tempdir();
    let path = write(dir.path(), "flagged.wat", FLAGGED);
    let m = explain_json(&[path.to_str().unwrap()]);
    assert_eq!(m["kind"], "module");
    let imports = m["wasi_imports"].as_array().unwrap();
    assert_eq!(
        names(&m["wasi_imports"]),
        ["fd_write", "fd_read", "fd_frobnicate", "random_get"]
    );
    let by_name = |n: &str| imports.iter().find(|i| i["name"] == n).unwrap();
    assert_eq!(by_name("fd_write")["signature_ok"], true);
    assert_eq!(by_name("fd_write")["index"], 0);
    assert_eq!(names(&by_name("fd_write")["direct_callers"]), ["write_it"]);
    let chain = &by_name("fd_write")["chains"][0];
    assert_eq!(names(&chain["functions"]), ["fd_write", "write_it", "run"]);
    assert_eq!(chain["ends_at"], "export");
    assert_eq!(chain["export"], "_start");
    let read = by_name("fd_read");
    assert_eq!(read["signature_ok"], false);
    assert_eq!(read["signature"], "(i32, i32, i32) -> i32");
    assert_eq!(read["expected_signature"], "(i32, i32, i32, i32) -> i32");
    assert_eq!(by_name("fd_frobnicate")["known"], false);
    assert_eq!(by_name("fd_frobnicate")["summary"], Value::Null);
    assert_eq!(by_name("random_get")["module"], "wasi_unstable");
    assert_eq!(by_name("random_get")["signature_ok"], true);
    let notes = m["notes"].as_array().unwrap();
    assert!(
        notes.len() == 1 && notes[0].as_str().unwrap().contains("snapshot 0"),
        "{notes:?}"
    );
    assert_eq!(
        m["mismatched_wasi_imports"],
        serde_json::json!(["fd_read", "fd_frobnicate"])
    );
    assert_eq!(
        m["uncalled_wasi_imports"],
        serde_json::json!(["fd_read", "fd_frobnicate"])
    );
    let others: Vec<(String, String)> = m["other_imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().into(),
                o["kind"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        others,
        [
            ("host_log".to_string(), "func".to_string()),
            ("memory".into(), "memory".into())
        ]
    );
    let sites = m["indirect_call_sites"].as_array().unwrap();
    assert_eq!(sites.len(), 1);
    assert_eq!(sites[0]["function"]["name"], "run");

    let text = explain_text(&[path.to_str().unwrap()]);
    assert!(
        text.contains("SIGNATURE MISMATCH: expected (i32, i32, i32, i32) -> i32"),
        "{text}"
    );
    assert!(text.contains("UNKNOWN to wasi_snapshot_preview1"), "{text}");
    assert!(
        text.contains("fd_write <- write_it <- run  (exported as _start)"),
        "{text}"
    );
    assert!(text.contains("call_indirect"), "{text}");
}

fn readdir_fixture() -> String {
    let p = fixture("explain_readdir");
    assert!(Path::new(&p).is_file());
    p.to_str().unwrap().to_string()
}

#[test]
fn c_program_chains_reach_start_through_libc() {
    let path = readdir_fixture();
    let m = explain_json(&[&path]);
    let imports = m["wasi_imports"].as_array().unwrap();
    assert!(
        imports.iter().all(|i| i["signature_ok"] == true),
        "wasi-libc imports match the spec"
    );
    let chain_of = |n: &str| -> Vec<String> {
        let import = imports
            .iter()
            .find(|i| i["name"] == n)
            .unwrap_or_else(|| panic!("{n} not imported"));
        names(&import["chains"][0]["functions"])
    };
    // These chains are read from the binary's name section and code (see wasm-objdump -x -d):
    // list_dir is noinline, so readdir and opendir are called from it, and it from main.
    let fd_readdir = imports.iter().find(|i| i["name"] == "fd_readdir").unwrap();
    assert!(fd_readdir["summary"]
        .as_str()
        .unwrap()
        .starts_with("Read directory entries"));
    let readdir = chain_of("fd_readdir");
    assert_eq!(
        readdir[..5],
        [
            "fd_readdir",
            "__wasi_fd_readdir",
            "readdir",
            "list_dir",
            "main"
        ]
    );
    let open = chain_of("path_open");
    assert_eq!(open[..2], ["path_open", "__wasi_path_open"]);
    let opendir_at = open
        .iter()
        .position(|n| n == "opendir")
        .expect("path_open is reached from opendir");
    assert_eq!(open[opendir_at + 1..opendir_at + 3], ["list_dir", "main"]);
    assert!(chain_of("environ_get").contains(&"getenv".to_string()));
    assert!(chain_of("clock_time_get").contains(&"time".to_string()));
    for n in ["fd_readdir", "path_open", "environ_get", "clock_time_get"] {
        let import = imports.iter().find(|i| i["name"] == n).unwrap();
        assert_eq!(import["chains"][0]["ends_at"], "export", "{n}");
        assert_eq!(import["chains"][0]["export"], "_start", "{n}");
    }
    // The other direction: libc functions present in the binary and what they reach.
    let libc = m["libc_functions"].as_array().unwrap();
    let libc_entry = |n: &str| libc.iter().find(|l| l["function"]["name"] == n).unwrap();
    assert_eq!(
        libc_entry("readdir")["reaches"],
        serde_json::json!(["fd_readdir"])
    );
    let opendir = &libc_entry("opendir")["reaches"];
    assert!(
        opendir
            .as_array()
            .unwrap()
            .contains(&Value::from("path_open")),
        "{opendir}"
    );
    assert_eq!(libc_entry("fwrite")["reaches"], serde_json::json!([]));
    assert_eq!(libc_entry("fwrite")["makes_indirect_calls"], true);
    // printf's writes go through stdio's function-pointer table: the chain stops there.
    let write = imports.iter().find(|i| i["name"] == "fd_write").unwrap();
    assert_eq!(write["chains"][0]["ends_at"], "indirect");
    let flags: Vec<&str> = m["run_needs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["flag"].as_str())
        .collect();
    assert!(
        flags.contains(&"--dir HOST[::GUEST]") && flags.contains(&"--env NAME[=VALUE]"),
        "{flags:?}"
    );
    let dir_need = m["run_needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["flag"] == "--dir HOST[::GUEST]")
        .unwrap();
    assert!(dir_need["needed_by"]
        .as_array()
        .unwrap()
        .contains(&Value::from("path_open")));
}

#[test]
fn c_program_text_report() {
    let text = explain_text(&[&readdir_fixture()]);
    assert!(
        text.contains("fd_readdir <- __wasi_fd_readdir <- readdir <- list_dir <- main <-"),
        "{text}"
    );
    let import_line = text
        .lines()
        .find(|l| l.contains("func[") && l.contains(" fd_readdir "));
    let import_line = import_line.expect("fd_readdir import line");
    assert!(
        import_line.contains("(i32, i32, i32, i64, i32) -> i32"),
        "{import_line}"
    );
    assert!(
        import_line.trim_end().ends_with("signature ok"),
        "{import_line}"
    );
    let needs = text
        .split("What it needs from rt run")
        .nth(1)
        .expect("run section");
    assert!(
        needs.contains("--dir HOST[::GUEST]") && needs.contains("path_open"),
        "{needs}"
    );
    assert!(!text.contains('\x1b'));
}

/// Every function wasi-libc declares, lowered by clang from <wasi/api.h>: an independent
/// check of the catalog's core signatures.
#[test]
fn catalog_signatures_match_clangs_lowering_of_every_wasi_libc_declaration() {
    let path = fixture("explain_all_calls");
    let m = explain_json(&[path.to_str().unwrap()]);
    let imports = m["wasi_imports"].as_array().unwrap();
    assert_eq!(
        imports.len(),
        45,
        "all 46 but proc_raise, which wasi-libc dropped"
    );
    for i in imports {
        assert_eq!(
            i["signature_ok"], true,
            "{}: {} vs {}",
            i["name"], i["signature"], i["expected_signature"]
        );
    }
    assert_eq!(m["mismatched_wasi_imports"], serde_json::json!([]));
    // `rt explain NAME` states the very signature the module imports.
    for name in &names(&m["wasi_imports"]) {
        let f = explain_json(&[name]);
        assert_eq!(
            f["core_signature"],
            imports.iter().find(|i| &i["name"] == name).unwrap()["signature"]
        );
    }
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn wasi_testsuite_programs_import_what_the_catalog_says() {
    let dir = shared("wasi-testsuite");
    let mut checked = 0;
    for lang in ["c", "assemblyscript"] {
        let Ok(entries) = std::fs::read_dir(dir.join(lang)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                let m = explain_json(&[path.to_str().unwrap()]);
                assert_eq!(
                    m["mismatched_wasi_imports"],
                    serde_json::json!([]),
                    "{}",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 0,
        "no .wasm programs found under {}",
        dir.display()
    );
}

#[test]
fn many_callers_get_a_bounded_number_of_chains() {
    // 300 functions each call fd_write and the next one: 300 direct callers whose chains
    // grow one longer each. The report names every caller but lists chains for 8.
    let mut wat = String::from(
        "(module (import \"wasi_snapshot_preview1\" \"fd_write\" \
         (func $w (param i32 i32 i32 i32) (result i32)))\n",
    );
    let n = 300;
    for i in 0..n {
        let next = if i + 1 < n {
            format!("call $f{}", i + 1)
        } else {
            String::new()
        };
        wat.push_str(&format!(
            "(func $f{i} (drop (call $w (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0))) {next})\n"
        ));
    }
    wat.push_str("(export \"_start\" (func $f0)))\n");
    let dir = tempdir();
    let path = write(dir.path(), "many.wat", &wat);
    let m = explain_json(&[path.to_str().unwrap()]);
    let w = &m["wasi_imports"][0];
    assert_eq!(w["direct_callers"].as_array().unwrap().len(), n);
    let chains = w["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 8);
    assert_eq!(w["chains_omitted"], n - 8);
    assert_eq!(
        names(&chains[3]["functions"]),
        ["fd_write", "f3", "f2", "f1", "f0"]
    );
    let text = explain_text(&[path.to_str().unwrap()]);
    assert!(text.contains("and 284 more"), "{text}");
    assert!(
        text.contains("(292 more callers without a chain shown)"),
        "{text}"
    );
}

/// Runs `rt explain errno 8` under a pseudo-terminal (util-linux `script`, part of every
/// Debian system) and returns what the terminal received.
fn explain_on_terminal(no_color: Option<&str>) -> String {
    let command = format!("{} explain errno 8", env!("CARGO_BIN_EXE_rt"));
    // The transcript goes to a file of our own: never assume /dev/null is a device.
    let dir = tempdir();
    let transcript = dir.path().join("typescript");
    // coreutils timeout turns a stuck terminal into a failure instead of a hung suite.
    let mut script = std::process::Command::new("timeout");
    script
        .args(["120", "script", "-qec", &command])
        .arg(&transcript);
    match no_color {
        Some(v) => script.env("NO_COLOR", v),
        None => script.env_remove("NO_COLOR"),
    };
    // stdin is a pipe closed at once: script sees end of input, whatever /dev/null holds
    // (a regular file full of text on this shared machine once made script feed it to rt).
    script.stdin(std::process::Stdio::piped());
    let out = script
        .output()
        .expect("util-linux `script` runs rt under a pseudo-terminal");
    assert_ne!(
        out.status.code(),
        Some(124),
        "rt under script(1) did not finish"
    );
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let coloured = explain_on_terminal(None);
    assert!(coloured.contains("\x1b[36mbadf\x1b[0m"), "{coloured:?}");
    let plain = explain_on_terminal(Some("1"));
    assert!(
        plain.contains("badf") && !plain.contains('\x1b'),
        "{plain:?}"
    );
    // An empty NO_COLOR does not opt out (no-color.org).
    assert!(explain_on_terminal(Some("")).contains('\x1b'));
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

/// The documented JSON schema (docs/cli.md): every form's fields, so a rename or a dropped
/// field fails here before it breaks a script.
#[test]
fn json_schema_is_stable() {
    let function = explain_json(&["fd_readdir"]);
    assert_eq!(
        keys(&function),
        [
            "core_params",
            "core_results",
            "core_signature",
            "errnos",
            "kind",
            "libc",
            "module",
            "name",
            "notes",
            "params",
            "results",
            "returns",
            "rights",
            "run_need",
            "summary",
            "types",
            "witx"
        ]
    );
    assert_eq!(
        keys(&function["params"][0]),
        ["doc", "name", "repr", "type"]
    );
    assert_eq!(keys(&function["core_params"][0]), ["name", "type"]);
    let type_keys = [
        "align",
        "cases",
        "fields",
        "flat_layout",
        "kind",
        "name",
        "payload_offset",
        "repr",
        "size",
        "summary",
        "type_kind",
    ];
    assert_eq!(keys(&function["types"][0]), type_keys);
    let dirent = explain_json(&["dirent"]);
    let mut standalone: Vec<&str> = type_keys.to_vec();
    standalone.extend(["contained_in", "used_by"]);
    standalone.sort_unstable();
    assert_eq!(keys(&dirent), standalone);
    assert_eq!(
        keys(&dirent["fields"][0]),
        ["doc", "name", "offset", "repr", "size", "type"]
    );
    let whence = explain_json(&["whence"]);
    assert_eq!(
        keys(&whence["cases"][0]),
        ["bit", "doc", "name", "payload", "value"]
    );
    let open = explain_json(&["path_open"]);
    assert_eq!(keys(&open["run_need"]), ["flag", "reason"]);
    assert_eq!(
        keys(&explain_json(&["readdir"])),
        ["kind", "name", "reaches"]
    );
    let errno = explain_json(&["errno", "8"]);
    assert_eq!(
        keys(&errno),
        ["kind", "meaning", "name", "number", "posix", "returned_by"]
    );
    assert_eq!(
        keys(&function["errnos"][0]),
        ["meaning", "name", "number", "posix"]
    );
    assert_eq!(
        keys(&explain_json(&["errno"])["errnos"][0]),
        ["meaning", "name", "number", "posix"]
    );
    assert_eq!(keys(&explain_json(&["errno"])), ["errnos", "kind"]);

    let module = explain_json(&[&readdir_fixture()]);
    assert_eq!(
        keys(&module),
        [
            "indirect_call_sites",
            "kind",
            "libc_functions",
            "mismatched_wasi_imports",
            "notes",
            "other_imports",
            "path",
            "run_needs",
            "uncalled_wasi_imports",
            "wasi_imports"
        ]
    );
    let import = &module["wasi_imports"][0];
    assert_eq!(
        keys(import),
        [
            "chains",
            "chains_omitted",
            "direct_callers",
            "expected_signature",
            "index",
            "known",
            "module",
            "name",
            "signature",
            "signature_ok",
            "summary"
        ]
    );
    assert_eq!(
        keys(&import["chains"][0]),
        ["ends_at", "export", "functions"]
    );
    assert_eq!(keys(&import["direct_callers"][0]), ["index", "name"]);
    assert_eq!(
        keys(&module["run_needs"][0]),
        ["flag", "needed_by", "reason"]
    );
    assert_eq!(
        keys(&module["indirect_call_sites"][0]),
        ["function", "offsets"]
    );
    assert_eq!(
        keys(&module["libc_functions"][0]),
        ["function", "makes_indirect_calls", "reaches"]
    );
}

/// wabt's disassembly as the reference for who calls whom: `func[N] <name>:` headers, then
/// `call M <name>` lines. Returns callee index -> sorted caller indexes.
fn wabt_direct_callers(path: &str) -> std::collections::BTreeMap<u64, Vec<u64>> {
    let out = std::process::Command::new(wabt("wasm-objdump"))
        .args(["-d", path])
        .output()
        .expect("run wabt's wasm-objdump");
    assert!(out.status.success(), "{}", stderr(&out));
    let mut callers: std::collections::BTreeMap<u64, Vec<u64>> = Default::default();
    let mut current = None;
    let index_after = |text: &str, marker: &str| -> Option<u64> {
        let rest = &text[text.find(marker)? + marker.len()..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().ok()
    };
    for line in stdout(&out).lines() {
        if line.ends_with(">:") {
            current = index_after(line, "func[");
        } else if let (Some(caller), Some(callee)) = (current, index_after(line, "| call ")) {
            let list = callers.entry(callee).or_default();
            if !list.contains(&caller) {
                list.push(caller);
            }
        }
    }
    callers
}

#[test]
#[cfg_attr(rt_no_wabt, ignore = "needs wabt")]
fn direct_callers_agree_with_wabt_disassembly() {
    for name in ["explain_readdir", "explain_all_calls"] {
        let path = fixture(name).to_str().unwrap().to_string();
        let reference = wabt_direct_callers(&path);
        let m = explain_json(&[&path]);
        let imports = m["wasi_imports"].as_array().unwrap();
        let called = imports
            .iter()
            .filter(|i| i["direct_callers"] != serde_json::json!([]));
        assert!(
            called.count() >= 10,
            "{name}: the comparison must cover real callers"
        );
        for import in imports {
            let index = import["index"].as_u64().unwrap();
            let ours: Vec<u64> = import["direct_callers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["index"].as_u64().unwrap())
                .collect();
            let mut theirs = reference.get(&index).cloned().unwrap_or_default();
            theirs.sort_unstable();
            assert_eq!(ours, theirs, "{name}: callers of {}", import["name"]);
        }
    }
}

#[test]
fn functions_and_types_list_the_whole_catalog() {
    let functions = explain_json(&["functions"]);
    assert_eq!(functions["kind"], "function_list");
    let list = functions["functions"].as_array().unwrap();
    assert_eq!(list.len(), 46);
    let readdir = list.iter().find(|f| f["name"] == "fd_readdir").unwrap();
    assert_eq!(
        readdir["core_signature"],
        "(i32, i32, i32, i64, i32) -> i32"
    );
    assert_eq!(keys(readdir), ["core_signature", "name", "summary"]);
    let types = explain_json(&["types"]);
    assert_eq!(types["kind"], "type_list");
    let dirent = types["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "dirent")
        .unwrap();
    assert_eq!(dirent["size"], 24);
    assert_eq!(keys(dirent), ["name", "size", "summary", "type_kind"]);
    let text = explain_text(&["functions"]);
    assert_eq!(
        text.lines().count(),
        47,
        "a heading and one line per function"
    );
    assert!(text
        .lines()
        .any(|l| l.trim_start().starts_with("path_open ")));
    assert!(explain_text(&["types"]).contains("subscription"));
}

/// A flattened layout path as a C member designator: cases sharing a payload
/// (`fd_read/fd_write`) take the first name, and a variant field's payload sits in its union
/// member `u` (`u.clock.id` is `u.u.clock.id` in <wasi/api.h>; `u.tag` stays).
fn c_member_path(path: &str, variant_fields: &[&str]) -> String {
    let segments: Vec<&str> = path
        .split('.')
        .map(|s| s.split('/').next().unwrap())
        .collect();
    match segments.as_slice() {
        [outer, first, rest @ ..] if variant_fields.contains(outer) && *first != "tag" => {
            let mut parts = vec![*outer, "u", *first];
            parts.extend_from_slice(rest);
            parts.join(".")
        }
        _ => segments.join("."),
    }
}

/// Every layout and value the catalog states, checked by clang against wasi-libc's
/// <wasi/api.h> (itself generated from the witx files): each becomes a `_Static_assert`.
#[test]
fn layouts_and_values_agree_with_wasi_libc_header() {
    let list = explain_json(&["types"]);
    let mut c = String::from("#include <stddef.h>\n#include <wasi/api.h>\n");
    let mut checks = 0;
    let mut check = |c: &mut String, expr: String| {
        checks += 1;
        c.push_str(&format!(
            "_Static_assert({expr}, \"{}\");\n",
            expr.replace('"', "'")
        ));
    };
    for entry in list["types"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        // Lists have no C type; wasi-libc dropped proc_raise and with it `signal`.
        if entry["type_kind"] == "list" || name == "signal" {
            continue;
        }
        // Qualified, so `errno` means the type rather than the errno form.
        let t = explain_json(&[&format!("wasi_snapshot_preview1.{name}")]);
        let c_type = format!("__wasi_{name}_t");
        check(&mut c, format!("sizeof({c_type}) == {}", t["size"]));
        check(&mut c, format!("_Alignof({c_type}) == {}", t["align"]));
        for f in t["fields"].as_array().unwrap() {
            check(
                &mut c,
                format!(
                    "offsetof({c_type}, {}) == {}",
                    f["name"].as_str().unwrap(),
                    f["offset"]
                ),
            );
        }
        for f in t["flat_layout"].as_array().unwrap() {
            let variant_fields: Vec<&str> = t["fields"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["repr"].as_str().is_some_and(|r| r.contains("variant")))
                .map(|x| x["name"].as_str().unwrap())
                .collect();
            let c_path = c_member_path(f["path"].as_str().unwrap(), &variant_fields);
            check(
                &mut c,
                format!("offsetof({c_type}, {c_path}) == {}", f["offset"]),
            );
        }
        if t["type_kind"] == "variant" {
            check(
                &mut c,
                format!("offsetof({c_type}, u) == {}", t["payload_offset"]),
            );
        }
        if t["type_kind"] == "enum" || t["type_kind"] == "flags" {
            for case in t["cases"].as_array().unwrap() {
                let constant =
                    format!("__WASI_{}_{}", name, case["name"].as_str().unwrap()).to_uppercase();
                check(&mut c, format!("{constant} == {}ull", case["value"]));
            }
        }
    }
    assert!(checks > 250, "only {checks} checks generated");
    for expected in [
        "offsetof(__wasi_dirent_t, d_namlen) == 16",
        "offsetof(__wasi_subscription_t, u.u.clock.timeout) == 24",
        "offsetof(__wasi_subscription_t, u.u.fd_read.file_descriptor) == 16",
        "__WASI_RIGHTS_FD_READDIR == 16384ull",
        "__WASI_ERRNO_NOTCAPABLE == 76ull",
    ] {
        assert!(c.contains(expected), "{expected} not generated:\n{c}");
    }
    let dir = tempdir();
    let source = write(dir.path(), "layouts.c", &c);
    let out = std::process::Command::new("clang-16")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-fsyntax-only"])
        .arg(&source)
        .output()
        .expect("clang-16 (installed by make setup)");
    assert!(out.status.success(), "clang disagrees:\n{}", stderr(&out));
}

#[test]
fn a_failed_write_to_stdout_is_an_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full, which always reports a full disk");
    let out = rt()
        .args(["explain", "fd_write"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("writing the explanation to stdout"), "{err}");
}

/// A function import WASI does not define is a run need: without a preloaded module that
/// provides it, or `-W unknown-imports-trap=y`, `rt run` cannot instantiate the module.
#[test]
fn module_report_names_non_wasi_function_imports_as_a_run_need() {
    let dir = tempdir();
    let path = write(
        dir.path(),
        "host.wat",
        r#"(module
  (import "env" "log" (func (param i32)))
  (import "env" "mem" (memory 1))
  (func (export "_start") (call 0 (i32.const 1))))"#,
    );
    let m = explain_json(&[path.to_str().unwrap()]);
    let needs = m["run_needs"].as_array().unwrap();
    assert_eq!(needs.len(), 1, "{needs:?}");
    assert_eq!(
        needs[0]["flag"],
        "--preload NAME=PATH or -W unknown-imports-trap=y"
    );
    // Only the function: a memory import is not something -W unknown-imports-trap covers.
    assert_eq!(needs[0]["needed_by"], serde_json::json!(["env.log"]));
}

/// A GC module with typed references: explained like any other, its types in the text
/// format's spelling and `call_ref` counted as an indirect call.
#[test]
fn gc_modules_are_explained_with_text_format_types() {
    let dir = tempdir();
    let path = write(
        dir.path(),
        "gc.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "take" (func $take (param (ref null $s))))
  (type $s (struct (field (mut i32))))
  (type $f (func (param (ref $s)) (result i32)))
  (func $get (type $f) (struct.get $s 0 (local.get 0)))
  (elem declare func $get)
  (func (export "_start")
    (local $o (ref $s))
    (local.set $o (struct.new $s (i32.const 1)))
    (call $exit (call_ref $f (local.get $o) (ref.func $get)))))"#,
    );
    let text = explain_text(&[path.to_str().unwrap()]);
    assert!(
        text.contains("env.take  func[1]  ((ref null 0)) -> nil"),
        "{text}"
    );
    assert!(text.contains("chain:     proc_exit <- _start"), "{text}");
    assert!(
        text.contains("1 indirect call site (call_indirect, call_ref)"),
        "{text}"
    );
}
