//! `rt compile` artifacts and `rt run`'s compilation cache.
use crate::common::*;
use std::path::Path;
use std::process::Output;

const MODULE: &str = r#"(module
  (func (export "sum") (param i32) (result i64) (local i64)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 1)))"#;

fn compile(src: &Path, out: &Path) -> Output {
    rt().arg("compile")
        .arg(src)
        .arg("-o")
        .arg(out)
        .output()
        .expect("spawn rt")
}

fn run_sum(module: &Path) -> Output {
    rt().env("RT_CACHE", "off")
        .args(["run", "--invoke", "sum"])
        .arg(module)
        .arg("100")
        .output()
        .expect("spawn rt")
}

#[test]
fn artifact_round_trip() {
    let d = tempdir();
    let src = write(d.path(), "sum.wat", MODULE);
    let art = d.path().join("sum.rtaot");
    let out = compile(&src, &art);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run_sum(&art);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "5050\n");
    // No temporary files are left beside the artifact.
    let names: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

fn refused(bytes: &[u8], dir: &Path, why: &str) {
    let bad = dir.join("bad.rtaot");
    std::fs::write(&bad, bytes).unwrap();
    let out = run_sum(&bad);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains(why),
        "expected `{why}` in: {}",
        stderr(&out)
    );
}

#[test]
fn corrupted_or_mismatched_artifacts_are_refused() {
    let d = tempdir();
    let src = write(d.path(), "sum.wat", MODULE);
    let art = d.path().join("sum.rtaot");
    assert!(compile(&src, &art).status.success());
    let good = std::fs::read(&art).unwrap();

    let mut version = good.clone();
    version[8] = 99;
    refused(&version, d.path(), "format version 99");

    // The first byte of the rt version string (after magic, format, and its length).
    let mut rt_version = good.clone();
    rt_version[20] = b'9';
    refused(&rt_version, d.path(), "was made by rt");

    let wasm_at = good.windows(4).position(|w| w == b"\0asm").unwrap();
    let mut corrupt = good.clone();
    corrupt[wasm_at + 12] ^= 0xff;
    refused(&corrupt, d.path(), "corrupted");

    refused(&good[..good.len() - 10], d.path(), "truncated");
}

#[test]
fn compile_errors_leave_no_output() {
    let d = tempdir();
    let src = write(d.path(), "bad.wat", "(module (func (result i32)))");
    let out_path = d.path().join("bad.rtaot");
    let out = compile(&src, &out_path);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.wat"), "{}", stderr(&out));
    assert!(!out_path.exists());
    let out = compile(&d.path().join("missing.wat"), &out_path);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out_path.exists());
}

#[test]
fn run_reuses_the_cache_and_survives_a_corrupt_entry() {
    let d = tempdir();
    let cache = d.path().join("cache");
    let src = write(d.path(), "sum.wat", MODULE);
    let run = || {
        rt().env("RT_CACHE_DIR", &cache)
            .env_remove("RT_CACHE")
            .args(["run", "--invoke", "sum"])
            .arg(&src)
            .arg("10")
            .output()
            .unwrap()
    };
    assert_eq!(stdout(&run()), "55\n");
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    let cached = std::fs::read(entry).unwrap();
    assert!(cached.starts_with(b"\0rtaot"));
    assert_eq!(stdout(&run()), "55\n");
    std::fs::write(entry, b"garbage").unwrap();
    let out = run();
    assert_eq!(stdout(&out), "55\n", "{}", stderr(&out));
}

/// `-O0` .. `-O3` (and `-O opt-level=N`) each compile a working artifact, and the level is
/// part of the artifact's key: an artifact of one level is refused by a run at another.
#[test]
fn every_optimisation_level_compiles_and_is_in_the_key() {
    let d = tempdir();
    let src = write(d.path(), "sum.wat", MODULE);
    for level in ["-O0", "-O1", "-O2", "-O3", "-Oopt-level=1"] {
        let art = d.path().join("sum.rtaot");
        let out = rt()
            .args(["compile", level])
            .arg(&src)
            .arg("-o")
            .arg(&art)
            .output()
            .expect("spawn rt");
        assert!(out.status.success(), "{level}: {}", stderr(&out));
        let out = rt()
            .env("RT_CACHE", "off")
            .args(["run", level, "--invoke", "sum"])
            .arg(&art)
            .arg("100")
            .output()
            .expect("spawn rt");
        assert!(out.status.success(), "{level}: {}", stderr(&out));
        assert_eq!(stdout(&out), "5050\n", "{level}");
    }
    let art = d.path().join("sum0.rtaot");
    assert!(rt()
        .args(["compile", "-O0"])
        .arg(&src)
        .arg("-o")
        .arg(&art)
        .status()
        .unwrap()
        .success());
    let out = run_sum(&art);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("opt-level=0"), "{}", stderr(&out));
}

/// The progress bar is for terminals only: compiling a real program with stderr going to a
/// pipe (as here) prints nothing at all.
#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let d = tempdir();
    let out = rt()
        .env("RT_CACHE", "off")
        .arg("compile")
        .arg(fixture("wasi_posix"))
        .arg("-o")
        .arg(d.path().join("posix.rtaot"))
        .output()
        .expect("spawn rt");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out), "");
}
