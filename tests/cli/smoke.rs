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

/// `rt run -W help` (and `-O help`, `-D help`) lists the keys of that option group as
/// wasmtime's does, without needing a module.
#[test]
fn option_groups_list_their_keys_with_help() {
    let out = rt_output(&["run", "-W", "help"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Available wasm options:\n\n"), "{text}");
    for key in [
        "tail-call[=y|n]",
        "fuel=N",
        "max-memories=N",
        "unknown-imports-trap[=y|n]",
    ] {
        assert!(
            text.contains(&format!("{key} -- ")),
            "{key} missing from:\n{text}"
        );
    }
    let out = rt_output(&["compile", "-Ohelp"]);
    assert!(
        stdout(&out).contains(" opt-level=0|1|2|3|s -- "),
        "{}",
        stdout(&out)
    );
    let out = rt_output(&["run", "-D", "help"]);
    assert!(
        stdout(&out).contains("debug-info[=y|n] -- "),
        "{}",
        stdout(&out)
    );
}
