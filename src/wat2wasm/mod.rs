//! Text to binary with wabt 1.0.32's exact bytes and its `-v` annotated log.
//!
//! The `wast` crate parses and resolves the text and encodes it; wasmparser validates that
//! binary with the enabled features and reads it back; [`writer`] lays it out again with
//! wabt's choices (section order, segment flags, the DataCount section, block types, name
//! section) through a [`stream::Stream`] that logs every field like wabt's `-v`.
mod code;
mod errors;
pub mod features;
mod locate;
mod names;
mod opnames;
mod sections;
pub mod stream;
mod types;
mod writer;

pub use errors::{Error, WriteError};
pub use features::{Features, FEATURES};

/// What to produce, mirroring wabt's wat2wasm flags.
#[derive(Clone, Debug)]
pub struct Options {
    pub features: Features,
    /// Write a `name` section (wabt's `--debug-names`).
    pub debug_names: bool,
    /// Validate before writing (off with `--no-check`).
    pub check: bool,
    /// Minimal LEB128 sizes (off with `--no-canonicalize-leb128s`: five bytes each).
    pub canonicalize_lebs: bool,
    /// Produce wabt's `-v` annotated log.
    pub verbose: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            features: Features::default(),
            debug_names: false,
            check: true,
            canonicalize_lebs: true,
            verbose: false,
        }
    }
}

pub struct Output {
    pub wasm: Vec<u8>,
    /// The `-v` log, when asked for.
    pub log: Option<String>,
}

/// Assemble `source` (named `path` in errors) into wabt's binary.
pub fn assemble(path: &str, source: &str, opts: &Options) -> Result<Output, Error> {
    let text_error = |e: wast::Error| Error::at(path, source, e.span().offset(), e.message());
    if !opts.features.is_enabled("annotations") {
        if let Some((offset, name)) = first_annotation(source) {
            let message = format!("annotations not enabled: {name}");
            return Err(Error::at(path, source, offset, message));
        }
    }
    let buf = parse_buffer(source).map_err(text_error)?;
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).map_err(text_error)?;
    if let wast::Wat::Component(_) = wat {
        return Err(Error::Unsupported {
            path: path.to_string(),
            what: "components".into(),
        });
    }
    let encoded = wat.encode().map_err(text_error)?;
    if opts.check {
        let mut validator = wasmparser::Validator::new_with_features(opts.features.wasmparser());
        if let Err(e) = validator.validate_all(&encoded) {
            return Err(locate::validation_error(path, source, &encoded, &e));
        }
    }
    let unsupported = |what: String| Error::Unsupported {
        path: path.to_string(),
        what,
    };
    let binary = |e: wasmparser::BinaryReaderError| {
        unsupported(format!("reading back the encoded module: {}", e.message()))
    };
    let sections = sections::Sections::read(&encoded).map_err(binary)?;
    let write_opts = writer::WriteOptions {
        log: opts.verbose,
        canonicalize_lebs: opts.canonicalize_lebs,
        debug_names: opts.debug_names,
        bulk_memory: opts.features.is_enabled("bulk-memory"),
    };
    let (wasm, log) =
        writer::write_module(&encoded, &sections, &write_opts).map_err(|e| match e {
            WriteError::Unsupported(what) => unsupported(what),
            WriteError::Binary(e) => binary(e),
        })?;
    Ok(Output { wasm, log })
}

/// A parse buffer over `source`. wabt accepts any Unicode in strings and comments, so the
/// lexer's guard against bidirectional-override characters is off.
fn parse_buffer(source: &str) -> Result<wast::parser::ParseBuffer<'_>, wast::Error> {
    let mut lexer = wast::lexer::Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    wast::parser::ParseBuffer::new_with_lexer(lexer)
}

/// The first `(@name ...)` annotation of the text, if any: wabt 1.0.32 refuses them unless
/// `--enable-annotations` is given (and then ignores them, as the writer does).
fn first_annotation(source: &str) -> Option<(usize, String)> {
    // Most modules have none: only lex when the text could hold one.
    if !source.contains("(@") {
        return None;
    }
    let mut lexer = wast::lexer::Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    for token in lexer.iter(0) {
        // A lexing error is the parser's to report, with its own message.
        let token = token.ok()?;
        if matches!(token.kind, wast::lexer::TokenKind::Annotation) {
            let name = token.annotation(source).ok()?.into_owned();
            // wabt points at the `(` that opens the annotation.
            return Some((token.offset.saturating_sub(1), name));
        }
    }
    None
}

/// wabt's `-d` dump of a whole module: 16 bytes a line, no characters, no descriptions.
pub fn dump_module(wasm: &[u8]) -> String {
    let mut out = String::new();
    stream::dump(&mut out, wasm, 0, stream::Chars::No, None);
    out
}
