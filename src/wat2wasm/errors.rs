//! Errors as wabt prints them: `FILE:LINE:COL: error: MESSAGE`, the source line, and carets
//! under the offending token.
use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// A text or validation error at a place in the source.
    Located {
        path: String,
        line: usize,
        col: usize,
        message: String,
        source_line: String,
        width: usize,
    },
    /// The module uses something this writer cannot lay out byte-for-byte like wabt 1.0.32.
    Unsupported { path: String, what: String },
}

impl Error {
    /// An error at byte `offset` of `source`.
    pub fn at(path: &str, source: &str, offset: usize, message: String) -> Error {
        let offset = floor_char_boundary(source, offset.min(source.len()));
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let line = source[..offset].matches('\n').count() + 1;
        let col = offset - line_start + 1;
        Error::Located {
            path: path.to_string(),
            line,
            col,
            message,
            source_line: source[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
            width: token_width(&source[offset..line_end]),
        }
    }
}

/// wabt underlines the whole token: one caret for a parenthesis, else up to the next space
/// or parenthesis.
fn token_width(rest: &str) -> usize {
    match rest.chars().next() {
        None => 1,
        // An annotation's token includes its parenthesis: `(@custom`.
        Some('(') if rest[1..].starts_with('@') => token_width(&rest[1..]) + 1,
        Some('(' | ')') => 1,
        Some('"') => rest[1..].find('"').map_or(rest.len(), |i| i + 2),
        Some(_) => rest
            .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .unwrap_or(rest.len())
            .max(1),
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Located {
                path,
                line,
                col,
                message,
                source_line,
                width,
            } => {
                writeln!(f, "{path}:{line}:{col}: error: {message}")?;
                writeln!(f, "{source_line}")?;
                write!(f, "{}{}", " ".repeat(col - 1), "^".repeat(*width))
            }
            Error::Unsupported { path, what } => write!(
                f,
                "{path}: not supported: {what} (wat2wasm here writes what wabt 1.0.32 writes, \
                 and cannot lay this out like it)"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Why the writer stopped.
#[derive(Debug)]
pub enum WriteError {
    Unsupported(String),
    Binary(wasmparser::BinaryReaderError),
}

impl From<wasmparser::BinaryReaderError> for WriteError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        WriteError::Binary(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_points_at_the_token() {
        let src = "(module\n  (func i32.add))";
        let e = Error::at("m.wat", src, 16, "type mismatch".into());
        assert_eq!(
            e.to_string(),
            "m.wat:2:9: error: type mismatch\n  (func i32.add))\n        ^^^^^^^"
        );
    }
}
