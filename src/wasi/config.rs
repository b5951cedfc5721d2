//! What a WASI instance starts with: arguments, environment, preopened directories and
//! sockets, and where its stdio goes. The `parse_*` helpers accept wasmtime's spellings of
//! `--env`, `--dir` and `--mapdir` so users can type what they already know.
use std::net::TcpListener;
use std::path::PathBuf;
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
    /// argv, including argv[0].
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
