//! What a WASI instance starts with: arguments, environment, preopened directories and
//! sockets, and where its stdio goes. The `parse_*` helpers accept wasmtime's spellings of
//! `--env`, `--dir` and `--mapdir` so users can type what they already know.
use std::ffi::OsString;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where the guest's stdin comes from.
#[derive(Debug, Default)]
pub enum StdinSource {
    /// The host process's stdin (fd 0).
    #[default]
    Inherit,
    /// A fixed byte string, then end of file (tests, embedding).
    Bytes(Vec<u8>),
}

/// Where the guest's stdout or stderr goes.
#[derive(Debug, Default, Clone)]
pub enum OutputSink {
    /// The host process's own stdout/stderr, written unbuffered so nothing is lost on exit.
    #[default]
    Inherit,
    /// Collected in memory (tests, embedding).
    Capture(Arc<Mutex<Vec<u8>>>),
    /// Discarded.
    Null,
}

#[derive(Debug, Default)]
pub struct WasiConfig {
    /// argv, including `argv[0]`.
    pub args: Vec<String>,
    /// Environment as NAME, VALUE pairs, in the order given.
    pub env: Vec<(String, String)>,
    /// Preopened directories: (host path, guest path), given fds 3, 4, ... in this order.
    pub preopens: Vec<(PathBuf, String)>,
    /// Preopened listening sockets (wasmtime's `--tcplisten`), numbered after the directories.
    pub listeners: Vec<TcpListener>,
    pub stdin: StdinSource,
    pub stdout: OutputSink,
    pub stderr: OutputSink,
}

impl WasiConfig {
    /// The configuration `rt run` builds from its flags: `argv[0]` is `--argv0` or the module's
    /// file name (wasmtime shows the guest only the base name, not the host path), then
    /// the guest arguments; `--env`, `--dir` and `--mapdir` as the parse_* helpers read
    /// them. Stdio is the host's.
    pub fn from_cli(
        env: &[String],
        dirs: &[String],
        mapdirs: &[String],
        argv0: Option<&str>,
        module: &Path,
        args: &[OsString],
    ) -> Result<WasiConfig, String> {
        let name = match argv0 {
            Some(a) => a.to_string(),
            None => module
                .file_name()
                .unwrap_or(module.as_os_str())
                .to_string_lossy()
                .into_owned(),
        };
        let mut cfg = WasiConfig {
            args: vec![name],
            ..WasiConfig::default()
        };
        for (i, arg) in args.iter().enumerate() {
            let arg = arg
                .to_str()
                .ok_or_else(|| format!("guest argument {} is not valid UTF-8: {arg:?}", i + 1))?;
            cfg.args.push(arg.to_string());
        }
        for e in env {
            cfg.env.push(Self::parse_env(e)?);
        }
        for d in dirs {
            cfg.preopens.push(Self::parse_dir(d)?);
        }
        for d in mapdirs {
            cfg.preopens.push(Self::parse_mapdir(d)?);
        }
        Ok(cfg)
    }

    /// `--env NAME=VALUE`, or `--env NAME` to pass the host's value through.
    pub fn parse_env(s: &str) -> Result<(String, String), String> {
        let (name, value) = match s.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (s, None),
        };
        if name.is_empty() {
            return Err(format!(
                "--env `{s}`: the variable name is empty (expected NAME=VALUE or NAME)"
            ));
        }
        let value = match value {
            Some(v) => v,
            None => match std::env::var_os(name) {
                Some(v) => v
                    .into_string()
                    .map_err(|_| format!("--env {name}: the host's value is not valid UTF-8"))?,
                None => {
                    return Err(format!(
                        "--env {name}: {name} is not set in the host environment (use {name}=VALUE)"
                    ))
                }
            },
        };
        Ok((name.to_string(), value))
    }

    /// `--dir HOST` (seen by the guest under the same path) or `--dir HOST::GUEST`.
    pub fn parse_dir(s: &str) -> Result<(PathBuf, String), String> {
        let (host, guest) = s.split_once("::").unwrap_or((s, s));
        if host.is_empty() || guest.is_empty() {
            return Err(format!(
                "--dir `{s}`: expected HOST or HOST::GUEST with non-empty paths"
            ));
        }
        Ok((PathBuf::from(host), guest.to_string()))
    }

    /// `--mapdir GUEST::HOST` (wasmtime's older spelling; note the reversed order).
    pub fn parse_mapdir(s: &str) -> Result<(PathBuf, String), String> {
        match s.split_once("::") {
            Some((guest, host)) if !guest.is_empty() && !host.is_empty() => {
                Ok((PathBuf::from(host), guest.to_string()))
            }
            _ => Err(format!("--mapdir `{s}`: expected GUEST::HOST")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_forms() {
        assert_eq!(WasiConfig::parse_env("A=1"), Ok(("A".into(), "1".into())));
        assert_eq!(
            WasiConfig::parse_env("A=b=c"),
            Ok(("A".into(), "b=c".into()))
        );
        assert_eq!(WasiConfig::parse_env("A="), Ok(("A".into(), "".into())));
        assert!(WasiConfig::parse_env("=1").is_err());
        assert!(WasiConfig::parse_env("").is_err());
        assert_eq!(
            WasiConfig::parse_env("PATH").unwrap().1,
            std::env::var("PATH").unwrap()
        );
        let err = WasiConfig::parse_env("RT_SURELY_UNSET_VARIABLE_42").unwrap_err();
        assert!(err.contains("not set"), "{err}");
    }

    #[test]
    fn from_cli_builds_argv_env_and_preopens() {
        let cfg = WasiConfig::from_cli(
            &["A=1".into()],
            &["/tmp::/t".into()],
            &["/m::/tmp".into()],
            None,
            Path::new("some/dir/prog.wasm"),
            &["x".into(), "y z".into()],
        )
        .unwrap();
        assert_eq!(cfg.args, ["prog.wasm", "x", "y z"]);
        assert_eq!(cfg.env, [("A".to_string(), "1".to_string())]);
        assert_eq!(cfg.preopens[0], ("/tmp".into(), "/t".into()));
        assert_eq!(cfg.preopens[1], ("/tmp".into(), "/m".into()));
        let named =
            WasiConfig::from_cli(&[], &[], &[], Some("me"), Path::new("p.wasm"), &[]).unwrap();
        assert_eq!(named.args, ["me"]);
        let bad = WasiConfig::from_cli(&["=x".into()], &[], &[], None, Path::new("p.wasm"), &[]);
        assert!(bad.is_err());
    }

    #[test]
    fn dir_forms() {
        assert_eq!(WasiConfig::parse_dir("."), Ok((".".into(), ".".into())));
        assert_eq!(
            WasiConfig::parse_dir("/tmp/x::/"),
            Ok(("/tmp/x".into(), "/".into()))
        );
        assert!(WasiConfig::parse_dir("").is_err());
        assert!(WasiConfig::parse_dir("::/x").is_err());
        assert_eq!(
            WasiConfig::parse_mapdir("/sandbox::/tmp/x"),
            Ok(("/tmp/x".into(), "/sandbox".into()))
        );
        assert!(WasiConfig::parse_mapdir("/tmp/x").is_err());
        assert!(WasiConfig::parse_mapdir("::/tmp").is_err());
    }
}
