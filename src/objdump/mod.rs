//! `rt objdump`: wabt 1.0.32 `wasm-objdump`, character for character, over the module model.
//!
//! wasm-objdump reads a file in several passes (one per mode) and prints as it reads, so a
//! defect in the binary cuts every pass short at the same place. Here the module is parsed
//! once ([`Module::parse_partial`]) into everything that precedes the defect, and each
//! printer walks that model; the defect is then reported once, as wabt does.
mod component;
mod contents;
mod details;
mod disasm;
mod headers;
pub mod hexfloat;
mod instr;
mod names;

use crate::module::{Module, ParseError};
use std::fmt::Write as _;
use std::io;

pub use names::NameTable;

/// What objdump reads in a module whose declarations use GC or typed function references,
/// which wabt 1.0.32 does not read: wabt's language and those two. Such a module is shown in
/// the same style (rt's own, where wabt has no form for it: GC types in `-x`, GC and
/// typed-reference instructions in `-d`); every other module is read as wabt reads it
/// ([`crate::module::WABT_READS`]).
const GC_READS: wasmparser::WasmFeatures = crate::module::WABT_READS
    .union(wasmparser::WasmFeatures::GC)
    .union(wasmparser::WasmFeatures::FUNCTION_REFERENCES);

/// The language to read `bytes` in. The declarations decide (types, imports, tables,
/// globals, segments, locals): a look at the instructions too would cost every large module
/// a second decoding, for modules that use GC instructions on no type they declare.
fn reading(bytes: &[u8]) -> wasmparser::WasmFeatures {
    use wasmparser::WasmFeatures as F;
    let without = F::all().difference(F::GC | F::FUNCTION_REFERENCES);
    match crate::features::uses::first_declared_outside(bytes, without) {
        Some(_) => GC_READS,
        None => crate::module::WABT_READS,
    }
}

/// Which passes to print, and the `-j` section filter.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub headers: bool,
    pub details: bool,
    pub disassemble: bool,
    pub raw: bool,
    /// `-j NAME`: a known section's name ("Type", case-insensitive) or a custom section's name.
    pub section: Option<String>,
    /// `--section-offsets`: disassembly offsets relative to the code section.
    pub section_offsets: bool,
    /// `-r`: relocations of the code section under the instructions they patch.
    pub relocs: bool,
}

impl Options {
    /// wabt insists on at least one mode.
    pub fn any_mode(&self) -> bool {
        self.headers || self.details || self.disassemble || self.raw
    }
}

/// Why a file's dump stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpError {
    /// The binary is malformed at `offset`.
    Malformed(ParseError),
    /// `-j` named a section the file does not have.
    SectionNotFound(String),
}

/// The result of dumping one file: the errors met (a malformed binary once; a missing `-j`
/// section once per pass, as wabt reports it). The listing itself went to the writer.
pub struct Dump {
    pub errors: Vec<DumpError>,
    /// Writing the listing failed (a closed pipe, a full disk): the dump stopped there.
    pub write_error: Option<io::Error>,
    /// Whether the file counts as failed (exit 1, later files not read). Defects inside
    /// custom sections are reported but, as in wabt, do not fail the file.
    pub failed: bool,
}

/// Where the printers write: text is gathered in a small buffer and handed to the writer
/// whenever the buffer fills, so a listing far larger than memory (`-d` of 100,000 nested
/// blocks indents its lines by up to 200,000 spaces: gigabytes) streams out in bounded
/// memory. The first write error is kept and every later write is dropped; printers poll
/// [`Out::failed`] in their long loops so a closed pipe also stops the work.
pub(crate) struct Out<'w> {
    buf: String,
    sink: &'w mut dyn io::Write,
    error: Option<io::Error>,
}

/// How much text is gathered before it is written: large enough that writes are few, small
/// enough not to matter for memory.
const OUT_CHUNK: usize = 64 * 1024;

impl<'w> Out<'w> {
    pub fn new(sink: &'w mut dyn io::Write) -> Self {
        Out {
            buf: String::with_capacity(OUT_CHUNK * 2),
            sink,
            error: None,
        }
    }

    pub fn push_str(&mut self, s: &str) {
        if self.error.is_some() {
            return;
        }
        self.buf.push_str(s);
        if self.buf.len() >= OUT_CHUNK {
            self.drain();
        }
    }

    pub fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    /// `n` spaces, in slices rather than one call per space: deep indents are long.
    pub fn spaces(&mut self, mut n: usize) {
        const SPACES: &str = "                                                                ";
        while n > 0 && self.error.is_none() {
            let k = n.min(SPACES.len());
            self.push_str(&SPACES[..k]);
            n -= k;
        }
    }

    /// Whether a write has failed (later output is dropped, so there is no point going on).
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    fn drain(&mut self) {
        if let Err(e) = self.sink.write_all(self.buf.as_bytes()) {
            self.error = Some(e);
        }
        self.buf.clear();
    }

    /// Write what is left and flush the writer; the first error met, if any.
    pub fn finish(mut self) -> Option<io::Error> {
        if self.error.is_none() {
            self.drain();
        }
        if self.error.is_none() {
            if let Err(e) = self.sink.flush() {
                self.error = Some(e);
            }
        }
        self.error
    }
}

impl std::fmt::Write for Out<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        if self.failed() {
            Err(std::fmt::Error)
        } else {
            Ok(())
        }
    }
}

/// Everything the printers share: the (possibly partial) module and wabt's name tables.
pub(crate) struct Ctx<'m> {
    pub module: &'m Module,
    pub names: NameTable,
    pub opts: &'m Options,
    /// Where wabt's reader rejects an element expression, if it does.
    pub elem_defect: Option<details::ElemDefect>,
    /// The language the module is read in (see [`reading`]).
    pub features: wasmparser::WasmFeatures,
}

impl Ctx<'_> {
    /// Whether a section passes the `-j` filter.
    pub fn section_selected(&self, section: &crate::module::Section) -> bool {
        match &self.opts.section {
            None => true,
            Some(want) => section_match_name(section).eq_ignore_ascii_case(want),
        }
    }
}

/// The name `-j` compares against: a custom section's own name, else the kind's name.
fn section_match_name(section: &crate::module::Section) -> &str {
    match &section.custom_name {
        Some(name) if section.id == 0 => name,
        _ => section.kind_name(),
    }
}

/// C's `%#0Nx`: `width` characters with a `0x` prefix, except that zero gets no prefix
/// (printf's alternate form adds none to 0).
pub(crate) fn c_alt_hex(v: usize, width: usize) -> String {
    if v == 0 {
        "0".repeat(width)
    } else {
        format!("{v:#0width$x}")
    }
}

/// Whether a defect lies inside a custom section (whose defects wabt forgives).
fn in_custom_section(module: &Module, offset: usize) -> bool {
    module
        .sections
        .iter()
        .any(|s| s.id == 0 && (s.header_start..=s.range.end).contains(&offset))
}

/// The magic and version must be there for any pass to start; wabt's words for each.
fn check_preamble(bytes: &[u8]) -> Result<u32, ParseError> {
    let fail = |offset: usize, message: &str| ParseError {
        offset,
        message: message.to_string(),
    };
    if bytes.len() < 4 {
        return Err(fail(0, "unable to read uint32_t: magic"));
    }
    if &bytes[0..4] != b"\0asm" {
        return Err(fail(4, "bad magic value"));
    }
    if bytes.len() < 8 {
        return Err(fail(4, "unable to read uint32_t: version"));
    }
    let version = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if version != 1 {
        return Err(fail(
            8,
            &format!("bad wasm file version: {version:#x} (expected 0x1)"),
        ));
    }
    Ok(version)
}

/// One mode's printer; it returns a defect only it discovers (the disassembler's).
type Printer = fn(&Ctx, &mut Out) -> Option<ParseError>;

/// Dump one binary, writing the listing to `sink` as it is made. `display_name` is the path
/// as given; like wabt, only its base name is printed.
pub fn dump(display_name: &str, bytes: Vec<u8>, opts: &Options, sink: &mut dyn io::Write) -> Dump {
    let mut out = Out::new(sink);
    if crate::module::is_component(&bytes) {
        let base = display_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(display_name);
        let (errors, failed) = component::dump(base, &bytes, opts, &mut out);
        return Dump {
            errors,
            write_error: out.finish(),
            failed,
        };
    }
    out.push('\n');
    let version = match check_preamble(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return Dump {
                errors: vec![DumpError::Malformed(e)],
                write_error: out.finish(),
                failed: true,
            }
        }
    };
    let features = reading(&bytes);
    let (module, parse_errors) = Module::parse_partial(bytes, features);
    let base = display_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(display_name);
    let _ = writeln!(out, "{base}:\tfile format wasm {version:#x}");
    // wabt's first pass announces the name section's module name as it reads it.
    if let Some(name) = &module.names.module {
        let _ = writeln!(out, "module name: <{}>", names::cstr(name));
    }
    let ctx = Ctx {
        names: NameTable::new(&module),
        module: &module,
        opts,
        elem_defect: details::elem_expr_defect(&module, features),
        features,
    };
    let found = opts.section.is_none() || module.sections.iter().any(|s| ctx.section_selected(s));
    let mut parse_errors = parse_errors;
    if let Some(defect) = &ctx.elem_defect {
        parse_errors.push(defect.error.clone());
    }
    let malformed = parse_errors
        .iter()
        .any(|e| !in_custom_section(&module, e.offset));
    let mut errors: Vec<DumpError> = parse_errors.into_iter().map(DumpError::Malformed).collect();
    let mut pass_failed = false;
    // (enabled, printer, whether the pass reports a `-j` section that is not there)
    let passes: [(bool, Printer, bool); 4] = [
        (opts.headers, headers::print, true),
        (opts.details, details::print, true),
        (opts.disassemble, disasm::print, false),
        (opts.raw, contents::print, true),
    ];
    for (enabled, print, checks_section) in passes {
        if !enabled || out.failed() {
            continue;
        }
        if let Some(defect) = print(&ctx, &mut out) {
            errors.push(DumpError::Malformed(defect));
            pass_failed = true;
            continue;
        }
        // A pass that reaches the end of a well-formed module checks the `-j` name.
        if !malformed && !found && checks_section {
            errors.push(DumpError::SectionNotFound(
                opts.section.clone().unwrap_or_default(),
            ));
        }
    }
    let failed = malformed
        || pass_failed
        || errors
            .iter()
            .any(|e| matches!(e, DumpError::SectionNotFound(_)));
    Dump {
        errors,
        write_error: out.finish(),
        failed,
    }
}
