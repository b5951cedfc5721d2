//! The binary starts and describes itself.
use crate::common::*;

#[test]
fn help_lists_every_subcommand() {
    let out = rt_output(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for sub in ["run", "compile", "wat2wasm", "objdump", "explain", "wast"] {
        assert!(text.contains(sub), "--help does not mention {sub}:\n{text}");
    }
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let out = rt_output(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("frobnicate"));
}

/// `rt --version` names the LLVM that generates code and the CPU it generates code for.
#[test]
fn version_names_llvm_and_the_target_cpu() {
    let out = rt_output(&["--version"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("rt {} (LLVM 19.", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(
        text.contains(", code for ") && text.trim_end().ends_with(')'),
        "{text}"
    );
}
