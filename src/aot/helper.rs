//! The `rt-compile` helper: the same command line as `rt`, with the LLVM back end linked in.
//! `rt` starts it when it must compile, and only then:
//!
//! - `rt compile` and `rt wast` run whole in it ([`delegate`]): same arguments, same standard
//!   streams; its exit status is rt's.
//! - `rt run` of a module that is not in the cache (and its preloads) asks it for the object
//!   code of one module at a time ([`compile_objects`]): the module's bytes go to its stdin,
//!   and it answers on stdout with an artifact (the format `rt compile` writes), which `rt`
//!   checks like any other before it loads the code or writes it to the cache.
//!
//! The helper is looked for beside the running executable (`cargo install` puts both in the
//! same folder), then on PATH. Every start tells it the build id `rt` expects, so an
//! `rt-compile` from another build of rt is refused by name instead of producing code `rt`
//! would refuse later. A helper that dies of a signal (an LLVM crash or abort) is a clear
//! error from `rt`, which goes on living.
use super::{artifact, CodegenSettings, CompileError, Progress};
use crate::module::Module;
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};

/// The helper executable's name.
pub const EXECUTABLE: &str = "rt-compile";

/// The first argument of every start of the helper: `--rt-helper=BUILD_ID`.
const HANDSHAKE: &str = "--rt-helper=";

/// The request for one module's object code (after the handshake): `objects SETTINGS`, with
/// the settings as JSON and the module on stdin.
const OBJECTS: &str = "objects";

/// The helper: beside the running executable, else the first on PATH.
pub fn locate() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| {
        format!("cannot compile: cannot find the running executable to look for {EXECUTABLE} beside it: {e}")
    })?;
    let beside = exe.with_file_name(EXECUTABLE);
    if beside.is_file() {
        return Ok(beside);
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(EXECUTABLE))
            .find(|p| p.is_file())
    });
    on_path.ok_or_else(|| {
        format!(
            "cannot compile: the compiler executable {EXECUTABLE} is missing: it is not beside rt \
             ({}) nor on PATH. It is built and installed with rt (`cargo build --release`, \
             `cargo install --path .`)",
            beside.display()
        )
    })
}

/// Run this rt subcommand (`args`: the subcommand and its arguments) in the helper, with this
/// process's standard streams, and exit as it does.
pub fn delegate(args: &[OsString]) -> anyhow::Result<ExitCode> {
    let helper = locate().map_err(anyhow::Error::msg)?;
    let status = Command::new(&helper)
        .arg(handshake())
        .args(args)
        .status()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", helper.display()))?;
    match status.code() {
        Some(code) => Ok(ExitCode::from(u8::try_from(code).unwrap_or(1))),
        None => Err(anyhow::anyhow!("{}", died(&helper, status))),
    }
}

/// The object code of `module` (validated by the caller), compiled by the helper.
pub fn compile_objects(
    module: &Module,
    settings: &CodegenSettings,
    progress: &Progress,
) -> Result<Vec<Vec<u8>>, CompileError> {
    let helper = locate()?;
    let request = serde_json::to_string(&Request {
        settings: *settings,
        progress: progress.enabled(),
    })
    .map_err(|e| format!("cannot encode the compile request: {e}"))?;
    let mut child = Command::new(&helper)
        .arg(handshake())
        .arg(OBJECTS)
        .arg(request)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", helper.display()))?;
    // The helper reads all of stdin before it writes anything, so writing first cannot
    // deadlock. A helper that exits early (a refused handshake) closes the pipe: its answer
    // says why, so the write's own error is not the one to report.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let _ = stdin.write_all(&module.bytes);
    drop(stdin);
    let mut answer = Vec::new();
    let read = child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_end(&mut answer);
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {}: {e}", helper.display()))?;
    if status.code().is_none() {
        return Err(died(&helper, status).into());
    }
    read.map_err(|e| format!("reading the answer of {}: {e}", helper.display()))?;
    if !status.success() {
        return Err(decode_error(&answer).unwrap_or_else(|| {
            CompileError::Failed(format!("{} failed ({status})", helper.display()))
        }));
    }
    let (wasm, objects) = artifact::read(&answer, &settings.key())
        .map_err(|e| format!("{} answered with a bad artifact: {e}", helper.display()))?;
    if wasm != module.bytes {
        return Err(format!("{} compiled another module", helper.display()).into());
    }
    Ok(objects)
}

/// The helper's side, when this process was started as one: `Some(exit status)` when
/// `args` (the command line after the program name) is a helper request it answered or
/// refused, `None` when `args` is an ordinary command line (left as it was) or a delegated
/// subcommand, which the handshake is removed from for the caller to run.
pub fn serve(args: &mut Vec<OsString>) -> Option<ExitCode> {
    let first = args.first()?.to_str()?;
    let expected = first.strip_prefix(HANDSHAKE)?.to_string();
    args.remove(0);
    let me = std::env::current_exe().unwrap_or_else(|_| EXECUTABLE.into());
    if expected != artifact::BUILD_ID {
        let why = format!(
            "{} is from another build of rt (build {}; the rt that started it is build \
             {expected}): install rt and {EXECUTABLE} from the same build",
            me.display(),
            artifact::BUILD_ID
        );
        return Some(answer_error(args, &CompileError::Failed(why)));
    }
    if args.first().map(OsString::as_os_str) != Some(OsStr::new(OBJECTS)) {
        return None;
    }
    let Some(compile) = super::linked_compiler() else {
        let why = format!("{} has no compiler linked in", me.display());
        return Some(answer_error(args, &CompileError::Failed(why)));
    };
    let result = (|| -> Result<Vec<u8>, CompileError> {
        let request = args.get(1).and_then(|r| r.to_str()).unwrap_or_default();
        let request: Request = serde_json::from_str(request)
            .map_err(|e| format!("bad compile request `{request}`: {e}"))?;
        let mut wasm = Vec::new();
        std::io::stdin()
            .read_to_end(&mut wasm)
            .map_err(|e| format!("reading the module from stdin: {e}"))?;
        // `rt` validated the module in its language; this guards the compiler against bytes
        // that did not come from `rt`.
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&wasm)
            .map_err(|e| format!("invalid module: {e}"))?;
        let module = Module::parse(wasm).map_err(|e| e.to_string())?;
        let progress = if request.progress {
            Progress::on_terminal()
        } else {
            Progress::silent()
        };
        let objects = compile(&module, &request.settings, &progress)?;
        Ok(artifact::write(
            &module.bytes,
            &objects,
            &request.settings.key(),
        ))
    })();
    Some(match result {
        Ok(bytes) => match crate::cli::write_stdout(&bytes) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
        Err(e) => answer_error(args, &e),
    })
}

/// What the helper is asked to compile with, besides the module.
#[derive(serde::Serialize, serde::Deserialize)]
struct Request {
    settings: CodegenSettings,
    /// Draw the progress bar on stderr (shared with `rt`) if it is a terminal.
    progress: bool,
}

/// A failure as the helper reports it: on stdout, with exit status 1, to an `objects`
/// request (so `rt` can tell an unsupported feature from a failure); on stderr otherwise.
fn answer_error(args: &[OsString], e: &CompileError) -> ExitCode {
    if args.first().map(OsString::as_os_str) == Some(OsStr::new(OBJECTS)) {
        let encoded = match e {
            CompileError::Unsupported { feature, detail } => {
                format!("unsupported\n{feature}\n{detail}")
            }
            CompileError::Failed(message) => format!("failed\n{message}"),
        };
        let _ = crate::cli::write_stdout(encoded.as_bytes());
    } else {
        eprintln!("error: {e}");
    }
    ExitCode::FAILURE
}

fn decode_error(answer: &[u8]) -> Option<CompileError> {
    let text = std::str::from_utf8(answer).ok()?;
    let (kind, rest) = text.split_once('\n')?;
    match kind {
        "failed" => Some(CompileError::Failed(rest.to_string())),
        "unsupported" => {
            let (feature, detail) = rest.split_once('\n')?;
            // The error names the feature with a `&'static str`, as `features::FEATURES`
            // does in prose; a name not found there keeps its message as a plain failure.
            let known = crate::features::FEATURES.iter().map(|f| f.prose);
            Some(match known.into_iter().find(|p| *p == feature) {
                Some(feature) => CompileError::Unsupported {
                    feature,
                    detail: detail.to_string(),
                },
                None => CompileError::Failed(format!("unsupported by rt: {feature} ({detail})")),
            })
        }
        _ => None,
    }
}

fn handshake() -> String {
    format!("{HANDSHAKE}{}", artifact::BUILD_ID)
}

/// "PATH crashed: killed by signal 11 (SIGSEGV)".
fn died(helper: &Path, status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    let signal = status.signal().unwrap_or(0);
    let name = match signal {
        libc::SIGSEGV => " (SIGSEGV)",
        libc::SIGABRT => " (SIGABRT)",
        libc::SIGILL => " (SIGILL)",
        libc::SIGBUS => " (SIGBUS)",
        libc::SIGFPE => " (SIGFPE)",
        libc::SIGKILL => " (SIGKILL)",
        libc::SIGTERM => " (SIGTERM)",
        libc::SIGINT => " (SIGINT)",
        _ => "",
    };
    format!(
        "the compiler crashed: {} was killed by signal {signal}{name}",
        helper.display()
    )
}
