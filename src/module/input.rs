//! Reading a module from disk: binary `.wasm` as is, text `.wat` assembled in memory.
use std::fmt;
use std::path::Path;

/// Why a module file could not be turned into binary bytes.
#[derive(Debug)]
pub enum InputError {
    Io {
        path: String,
        source: std::io::Error,
    },
    /// Neither a binary (no `\0asm` magic) nor UTF-8 text.
    NotAModule { path: String, offset: usize },
    /// A WebAssembly component (binary or text), which rt does not run.
    Component { path: String },
    /// A text-format error, located as `file:line:col` with the offending line.
    Text {
        path: String,
        line: usize,
        col: usize,
        message: String,
        source_line: String,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Io { path, source } => write!(f, "{path}: {source}"),
            InputError::NotAModule { path, offset } => write!(
                f,
                "{path}:{offset:#x}: not a WebAssembly module: no `\\0asm` magic, and not UTF-8 text"
            ),
            InputError::Component { path } => write!(f, "{}", component_explanation(path)),
            InputError::Text {
                path,
                line,
                col,
                message,
                source_line,
            } => {
                // wabt's shape: `file:line:col: error: message`, the line, a caret under col.
                writeln!(f, "{path}:{line}:{col}: error: {message}")?;
                writeln!(f, "{source_line}")?;
                write!(f, "{}^", " ".repeat(col.saturating_sub(1)))
            }
        }
    }
}

impl std::error::Error for InputError {}

/// True when `bytes` start with the binary magic `\0asm`.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\0asm")
}

/// True for a component: the binary magic with the component model's version and layer
/// (`0d 00 01 00`, where a core module has `01 00 00 00`), or text that opens with
/// `(component` after comments and white space.
pub fn is_component(bytes: &[u8]) -> bool {
    if is_binary(bytes) {
        // Layer 1 with a component-model version (0x0d today). A layer-1 file whose version
        // field is 0 is no component, just a core module with a bad version (the spec
        // suite's binary.30), and must be reported as that.
        return bytes.get(6..8) == Some(&[1, 0]) && bytes.get(4..6) != Some(&[0, 0]);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix(";;") {
            rest = comment.split_once('\n').map_or("", |(_, after)| after);
        } else if rest.starts_with("(;") {
            // Block comments nest; an unterminated one hides everything after it.
            let mut depth = 0;
            let mut end = rest.len();
            let b = rest.as_bytes();
            let mut i = 0;
            while i + 1 < b.len() {
                match (b[i], b[i + 1]) {
                    (b'(', b';') => {
                        depth += 1;
                        i += 2;
                    }
                    (b';', b')') => {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => i += 1,
                }
            }
            rest = &rest[end..];
        } else {
            break;
        }
    }
    rest.strip_prefix('(')
        .is_some_and(|r| r.trim_start().starts_with("component"))
}

/// What a user who hands rt a component needs to hear: what it is, what rt runs instead,
/// and how to build that.
pub fn component_explanation(path: &str) -> String {
    format!(
        "{path}: this is a WebAssembly component (the component model; what `cargo build \
         --target wasm32-wasip2` produces), not a core module. rt runs core modules with WASI \
         preview 1: build for `wasm32-wasip1` instead (`rustup target add wasm32-wasip1`, then \
         `cargo build --target wasm32-wasip1`; with wasi-sdk, `--target=wasm32-wasip1`)"
    )
}

/// Read `path` and return Wasm binary bytes: binaries unchanged, text assembled.
pub fn read_module_bytes(path: &Path) -> Result<Vec<u8>, InputError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| InputError::Io {
        path: shown.clone(),
        source,
    })?;
    module_bytes(&shown, bytes)
}

/// The binary for a file's contents already read (`shown` names it in errors): binaries
/// unchanged, text assembled. Lets callers that inspect the raw bytes first (for an artifact
/// header, say) avoid reading the file twice, which a pipe would not allow.
pub fn module_bytes(shown: &str, bytes: Vec<u8>) -> Result<Vec<u8>, InputError> {
    if is_component(&bytes) {
        return Err(InputError::Component {
            path: shown.to_string(),
        });
    }
    if is_binary(&bytes) {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| InputError::NotAModule {
        path: shown.to_string(),
        offset: e.valid_up_to(),
    })?;
    wat_to_wasm(shown, text)
}

/// A module file's contents as a binary, with the text it was assembled from (if it was
/// text), so that errors found later in the binary can be shown at their place in the text.
pub struct Input {
    pub bytes: Vec<u8>,
    pub text: Option<String>,
}

impl Input {
    /// Binaries as they are, text assembled (as [`module_bytes`]).
    pub fn new(shown: &str, bytes: Vec<u8>) -> Result<Input, InputError> {
        if is_component(&bytes) {
            return Err(InputError::Component {
                path: shown.to_string(),
            });
        }
        if is_binary(&bytes) {
            return Ok(Input { bytes, text: None });
        }
        let text = String::from_utf8(bytes).map_err(|e| InputError::NotAModule {
            path: shown.to_string(),
            offset: e.utf8_error().valid_up_to(),
        })?;
        let bytes = wat_to_wasm(shown, &text)?;
        Ok(Input {
            bytes,
            text: Some(text),
        })
    }

    /// An error at byte `offset` of the binary, for a message that will be prefixed with
    /// `error: `: `FILE:0xOFFSET: MESSAGE` for a binary; for text, `FILE:LINE:COL: MESSAGE`,
    /// the line and a caret under the instruction or field that produced the byte (a user
    /// who wrote text never saw the offsets).
    pub fn error_at(&self, shown: &str, offset: usize, message: &str) -> String {
        self.located(shown, offset, message, "")
    }

    /// The same in wabt's shape, which names the severity after the place:
    /// `FILE:0xOFFSET: error: MESSAGE`, `FILE:LINE:COL: error: MESSAGE`.
    pub fn wabt_error_at(&self, shown: &str, offset: usize, message: &str) -> String {
        self.located(shown, offset, message, "error: ")
    }

    fn located(&self, shown: &str, offset: usize, message: &str, label: &str) -> String {
        let Some(text) = &self.text else {
            return format!("{shown}:{offset:#x}: {label}{message}");
        };
        match crate::wat2wasm::locate_in_text(shown, text, &self.bytes, offset, message.into()) {
            crate::wat2wasm::Error::Located {
                path,
                line,
                col,
                message,
                source_line,
                width,
            } => format!(
                "{path}:{line}:{col}: {label}{message}\n{source_line}\n{}{}",
                " ".repeat(col.saturating_sub(1)),
                "^".repeat(width)
            ),
            other => other.to_string(),
        }
    }
}

/// Assemble text `source` (named `path` in errors) into a binary.
pub fn wat_to_wasm(path: &str, source: &str) -> Result<Vec<u8>, InputError> {
    let located = |e: wast::Error| {
        let offset = e.span().offset().min(source.len());
        let before = &source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = source[line_start..offset].chars().count() + 1;
        let source_line = source[line_start..]
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        InputError::Text {
            path: path.to_string(),
            line,
            col,
            message: e.message(),
            source_line,
        }
    };
    let buf = wast::parser::ParseBuffer::new(source).map_err(located)?;
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).map_err(located)?;
    wat.encode().map_err(located)
}
