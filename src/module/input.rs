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
    if is_binary(&bytes) {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| InputError::NotAModule {
        path: shown.to_string(),
        offset: e.valid_up_to(),
    })?;
    wat_to_wasm(shown, text)
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
