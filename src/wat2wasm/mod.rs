//! Text to binary with wabt 1.0.32's exact bytes and its `-v` annotated log.
//!
//! The `wast` crate parses and resolves the text and encodes it; wasmparser validates that
//! binary with the enabled features and reads it back; `writer` lays it out again with
//! wabt's choices (section order, segment flags, the DataCount section, block types, name
//! section) through a [`stream::Stream`] that logs every field like wabt's `-v`. What wabt
//! 1.0.32 cannot write at all (GC, typed references, `try_table`: features it has no layout
//! for) is written by [`fallback`] in the standard encoding, once the enabled features allow it.
mod annotations;
mod code;
mod errors;
mod fallback;
pub mod features;
mod locate;
mod names;
mod sections;
pub mod stream;
mod types;
mod writer;

pub(crate) use code::{for_each_immediate, Imm};
pub use errors::{Error, WriteError};
pub use fallback::rebuild;
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
    /// The `-v` log, when asked for: wabt's annotated dump or, for a module wabt cannot
    /// write, a note saying why there is none.
    pub log: Option<String>,
}

/// Assemble `source` (named `path` in errors) into wabt's binary.
pub fn assemble(path: &str, source: &str, opts: &Options) -> Result<Output, Error> {
    let text_error = |e: wast::Error| Error::at(path, source, e.span().offset(), e.message());
    let blanked;
    let source = if !opts.features.is_enabled("annotations") {
        if let Some((offset, name)) = annotations::first_annotation(source) {
            let message = format!("annotations not enabled: {name}");
            return Err(Error::at(path, source, offset, message));
        }
        source
    } else if opts.features.is_enabled("code-metadata") && annotations::has_code_metadata(source) {
        return Err(Error::Unsupported {
            path: path.to_string(),
            what: "code metadata annotations (wabt writes metadata.code.* sections)".into(),
        });
    } else {
        // wabt reads and drops annotations; `(@name)` must not rename anything either.
        blanked = annotations::blank_name_annotations(source);
        blanked.as_deref().unwrap_or(source)
    };
    let buf = parse_buffer(source).map_err(text_error)?;
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).map_err(text_error)?;
    if let wast::Wat::Component(_) = wat {
        return Err(Error::Unsupported {
            path: path.to_string(),
            what: "components".into(),
        });
    }
    let encoded = wat.encode().map_err(text_error)?;
    let language = opts.features.wasmparser();
    if opts.check {
        let mut validator = wasmparser::Validator::new_with_features(language);
        if let Err(e) = validator.validate_all(&encoded) {
            return Err(locate::validation_error(path, source, &encoded, &e));
        }
    } else if let Some(found) = crate::features::uses::first_outside(&encoded, language) {
        // Unchecked, the module may be invalid, but a feature that is off stays off: wabt
        // refuses its syntax while parsing, whatever `--no-check` says.
        let message = features::not_enabled(&found);
        let offset = found.offset as u64;
        return Err(locate::at_binary_offset(
            path, source, &encoded, offset, message,
        ));
    }
    let write_opts = writer::WriteOptions {
        log: opts.verbose,
        canonicalize_lebs: opts.canonicalize_lebs,
        debug_names: opts.debug_names,
        bulk_memory: opts.features.is_enabled("bulk-memory"),
    };
    // Reading back what wast encoded only fails on constructs wabt cannot write either.
    let laid_out = sections::Sections::read(&encoded)
        .and_then(|sections| writer::write_module(&encoded, &sections, &write_opts));
    let unsupported = |what: String| Error::Unsupported {
        path: path.to_string(),
        what,
    };
    match laid_out {
        Ok((wasm, log)) => Ok(Output { wasm, log }),
        // The features it needs are on (checked above): write it in the standard encoding.
        Err(WriteError::Unsupported(what)) => {
            let wasm = fallback::rebuild(&encoded, opts.debug_names, opts.canonicalize_lebs)
                .map_err(|e| unsupported(format!("reading the encoded module: {}", e.message())))?;
            let log = opts.verbose.then(|| fallback::no_log_note(path, &what));
            Ok(Output { wasm, log })
        }
        Err(WriteError::Binary(e)) => Err(unsupported(format!(
            "reading back the encoded module: {}",
            e.message()
        ))),
    }
}

/// An error at byte `offset` of `wasm`, the binary that text `source` (named `path`) was
/// assembled into (by any encoder: only the function, instruction and field indices are
/// used), reported at the instruction or module field in the text, wabt's way: `path:line:col:
/// error: message`, the source line and a caret. For tools that validate a text module
/// after assembling it (`rt run`, `rt compile`, `rt validate`).
pub fn locate_in_text(
    path: &str,
    source: &str,
    wasm: &[u8],
    offset: usize,
    message: String,
) -> Error {
    locate::at_binary_offset(path, source, wasm, offset as u64, message)
}

/// A parse buffer over `source`. wabt accepts any Unicode in strings and comments, so the
/// lexer's guard against bidirectional-override characters is off.
fn parse_buffer(source: &str) -> Result<wast::parser::ParseBuffer<'_>, wast::Error> {
    let mut lexer = wast::lexer::Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    wast::parser::ParseBuffer::new_with_lexer(lexer)
}

/// wabt's `-d` dump of a whole module: 16 bytes a line, no characters, no descriptions.
pub fn dump_module(wasm: &[u8]) -> String {
    let mut out = String::new();
    stream::dump(&mut out, wasm, 0, stream::Chars::No, None);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module touching most of the writer: every section, segment kinds, names, SIMD.
    const KITCHEN_SINK: &str = r#"(module $m
      (type $t (func (param i32) (result i32)))
      (import "env" "f" (func $imp (param i32)))
      (import "env" "g" (global $ig i32))
      (table $tab 2 funcref)
      (memory $mem 1 2)
      (global $g (mut i32) (i32.const 0))
      (export "f" (func $f))
      (start $s)
      (elem (i32.const 0) $f $f)
      (elem $p funcref (ref.func $f) (ref.null func))
      (elem declare func $s)
      (data (i32.const 8) "hi")
      (data $d "passive")
      (func $s)
      (func $f (type $t) (local $x i64) (local f32 f32)
        (block $b (result i32)
          (br_table $b $b (local.get 0) (local.get 0)))
        (if (result i32) (then (i32.const 1)) (else (i32.const 2)))
        (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1))
        (drop (i8x16.extract_lane_u 3 (v128.const i32x4 1 2 3 4)))
        (call_indirect (type $t) (i32.const 0))))"#;

    fn mutate(text: &str, mut seed: u64, rounds: usize) -> String {
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as usize
        };
        let mut bytes = text.as_bytes().to_vec();
        for _ in 0..rounds {
            let i = next() % bytes.len().max(1);
            match next() % 3 {
                0 => {
                    let end = (i + next() % 12).min(bytes.len());
                    bytes.drain(i..end);
                }
                1 => bytes.insert(i.min(bytes.len()), b"()$0 .\"i"[next() % 8]),
                _ => {
                    let j = next() % bytes.len().max(1);
                    if i < bytes.len() && j < bytes.len() {
                        bytes.swap(i, j);
                    }
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn kitchen_sink_assembles_with_every_output_option() {
        for verbose in [false, true] {
            for debug_names in [false, true] {
                let opts = Options {
                    verbose,
                    debug_names,
                    ..Options::default()
                };
                let out = assemble("k.wat", KITCHEN_SINK, &opts).expect("assembles");
                wasmparser::Validator::new()
                    .validate_all(&out.wasm)
                    .expect("the written module is valid");
                assert_eq!(out.log.is_some(), verbose);
            }
        }
    }

    /// GC text through the fallback writer, broken the same ways, with every output option
    /// and the feature switches on or off.
    #[test]
    fn mutated_gc_text_never_panics() {
        const GC: &str = r#"(module $g
          (rec (type $n (sub (struct (field $v (mut i32)) (field (ref null $n)))))
               (type $a (array (mut i8))))
          (table 1 anyref (ref.i31 (i32.const 1)))
          (func $f (param $x anyref) (result i32)
            (block $l (result (ref $n)) (br_on_cast $l anyref (ref $n) (local.get $x))
              (drop) (return (array.len (array.new_default $a (i32.const 2)))))
            (struct.get $n $v)))"#;
        let mut gc_on = Features::default();
        gc_on.set("gc", true);
        let opts = [
            Options {
                features: gc_on.clone(),
                ..Options::default()
            },
            Options {
                features: gc_on,
                check: false,
                verbose: true,
                debug_names: true,
                canonicalize_lebs: false,
            },
            Options {
                check: false,
                ..Options::default()
            },
        ];
        assert!(assemble("g.wat", GC, &opts[0]).is_ok());
        for seed in 1..300u64 {
            let text = mutate(GC, seed.wrapping_mul(0x2545_f491_4f6c_dd1d), 3);
            for o in &opts {
                let result = std::panic::catch_unwind(|| assemble("g.wat", &text, o).is_ok());
                assert!(result.is_ok(), "panic on:\n{text}");
            }
        }
    }

    /// Broken text, unchecked invalid modules and everything between: an error or a module,
    /// never a panic.
    #[test]
    fn mutated_text_never_panics() {
        let opts = [
            Options::default(),
            Options {
                check: false,
                verbose: true,
                debug_names: true,
                canonicalize_lebs: false,
                ..Options::default()
            },
        ];
        for seed in 1..400u64 {
            let text = mutate(KITCHEN_SINK, seed.wrapping_mul(0x9e37_79b9_7f4a_7c15), 3);
            for o in &opts {
                let result = std::panic::catch_unwind(|| assemble("m.wat", &text, o).is_ok());
                assert!(result.is_ok(), "panic on:\n{text}");
            }
        }
    }
}
