//! Recorded expectations: for inputs where no reference tool can judge rt (wabt crashes on
//! them, rejects them, or prints something we deliberately do not copy), rt's output is
//! recorded once under tests/cli/expected/, read and approved by hand, committed, and from
//! then on compared exactly. A missing or different recording fails the test; nothing is
//! written in a normal run. `RT_BLESS=1` rewrites the recordings instead: review the result
//! with `git diff tests/cli/expected` before committing it.
use crate::common::project_root;
use std::path::PathBuf;

fn dir() -> PathBuf {
    project_root().join("tests/cli/expected")
}

fn blessing() -> bool {
    std::env::var("RT_BLESS").is_ok_and(|v| v == "1")
}

/// Compares `actual` with the recording tests/cli/expected/`name` (or records it under
/// `RT_BLESS=1`). The error says where they first differ and how to re-record.
pub fn check(name: &str, actual: &str) -> Result<(), String> {
    let path = dir().join(name);
    if blessing() {
        std::fs::create_dir_all(path.parent().unwrap()).expect("create tests/cli/expected");
        std::fs::write(&path, actual).expect("write a recorded expectation");
        return Ok(());
    }
    let Ok(recorded) = std::fs::read_to_string(&path) else {
        return Err(format!(
            "tests/cli/expected/{name} is missing: record it with RT_BLESS=1, then read it \
             and commit it only if it is right"
        ));
    };
    if recorded == actual {
        return Ok(());
    }
    let (old, new): (Vec<&str>, Vec<&str>) = (recorded.lines().collect(), actual.lines().collect());
    let line = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    Err(format!(
        "rt's output differs from tests/cli/expected/{name} at line {}:\n  recorded: {}\n  rt now:   {}\n\
         If the change is intended, re-record with RT_BLESS=1 and review `git diff tests/cli/expected`.",
        line + 1,
        old.get(line).unwrap_or(&"<end>"),
        new.get(line).unwrap_or(&"<end>"),
    ))
}

/// Recordings in tests/cli/expected/`sub` that no entry of the test's list names (`used`):
/// they would otherwise go stale unnoticed when an entry is removed.
pub fn unused(sub: &str, used: &[String]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir().join(sub)) else {
        return Vec::new();
    };
    let mut unused: Vec<String> = entries
        .map(|e| {
            format!(
                "{sub}/{}",
                e.expect("dir entry").file_name().to_string_lossy()
            )
        })
        .filter(|name| !used.contains(name))
        .collect();
    unused.sort();
    unused
}
