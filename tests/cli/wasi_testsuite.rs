//! The WASI conformance programs in ../shared/wasi-testsuite, run as its README specifies:
//! an optional X.json beside X.wasm gives args, env, a root directory to preopen as `/`,
//! the exit code and exact stdout/stderr. All must pass.
use crate::common::*;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let ty = entry.file_type().unwrap();
        if ty.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The suite's rule: delete every `*.cleanup` left under the test's folder before a run.
fn remove_cleanups(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            remove_cleanups(&path);
        } else if path.extension().is_some_and(|e| e == "cleanup") {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

/// Run one test program; Err describes how it differed from its expectations.
fn run_one(wasm: &Path) -> Result<(), String> {
    let folder = wasm.parent().unwrap();
    let spec: serde_json::Value = match std::fs::read_to_string(wasm.with_extension("json")) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("bad json: {e}"))?,
        Err(_) => serde_json::json!({}),
    };
    remove_cleanups(folder);
    let scratch = tempdir();
    let mut cmd = rt();
    cmd.current_dir(folder).arg("run");
    if let Some(env) = spec["env"].as_object() {
        for (k, v) in env {
            cmd.arg("--env")
                .arg(format!("{k}={}", v.as_str().unwrap_or_default()));
        }
    }
    if let Some(root) = spec["root"].as_str() {
        let copy = scratch.path().join("root");
        copy_tree(&folder.join(root), &copy);
        remove_cleanups(&copy);
        cmd.arg("--dir").arg(format!("{}::/", copy.display()));
    }
    cmd.arg(wasm);
    for a in spec["args"].as_array().into_iter().flatten() {
        cmd.arg(a.as_str().unwrap_or_default());
    }
    let out = cmd.output().map_err(|e| format!("spawn: {e}"))?;
    let want_code = spec["exit_code"].as_i64().unwrap_or(0) as i32;
    let mut problems = Vec::new();
    if out.status.code() != Some(want_code) {
        problems.push(format!("exit {:?}, want {want_code}", out.status.code()));
    }
    for (key, got) in [("stdout", stdout(&out)), ("stderr", stderr(&out))] {
        if let Some(want) = spec[key].as_str() {
            if got != want {
                problems.push(format!("{key} {got:?}, want {want:?}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n  stderr: {}",
            problems.join("; "),
            stderr(&out)
        ))
    }
}

#[test]
#[cfg_attr(rt_no_shared_data, ignore = "needs ../shared")]
fn every_wasi_testsuite_program_passes() {
    let suite = shared("wasi-testsuite");
    let mut programs = Vec::new();
    for lang in ["c", "assemblyscript"] {
        for entry in std::fs::read_dir(suite.join(lang)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                programs.push(path);
            }
        }
    }
    programs.sort();
    assert!(
        programs.len() >= 26,
        "expected the whole suite, found {}",
        programs.len()
    );
    let failures: Vec<String> = programs
        .iter()
        .filter_map(|p| run_one(p).err().map(|e| format!("{}: {e}", p.display())))
        .collect();
    eprintln!(
        "wasi-testsuite: {}/{} passed",
        programs.len() - failures.len(),
        programs.len()
    );
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
