//! Turning a validation error (an offset in the encoded binary) back into a place in the
//! text: the failing instruction when it is in a function body, else the module field (export,
//! global, memory, segment...) the offset falls in, else the module.
use super::Error;
use wasmparser::{Parser, Payload, SectionLimited};
use wast::core::{FuncKind, ModuleField, ModuleKind};
use wast::token::Span;

pub fn validation_error(
    path: &str,
    source: &str,
    wasm: &[u8],
    err: &wasmparser::BinaryReaderError,
) -> Error {
    at_binary_offset(path, source, wasm, err.offset(), err.message().to_string())
}

/// An error found at byte `offset` of `wasm` (the binary `source` was assembled into),
/// reported at the text that produced those bytes.
pub fn at_binary_offset(
    path: &str,
    source: &str,
    wasm: &[u8],
    offset: u64,
    message: String,
) -> Error {
    let offset = place_of(wasm, offset)
        .and_then(|place| source_offset(source, place))
        .unwrap_or_else(|| source.find("(module").map_or(0, |i| i + 1));
    Error::at(path, source, offset, message)
}

/// The kinds of module field, in the order of their binary sections.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum FieldKind {
    Type,
    Import,
    Func,
    Table,
    Memory,
    Tag,
    Global,
    Export,
    Start,
    Elem,
    Data,
}

/// Where in the module a binary offset is.
#[derive(Debug)]
enum Place {
    /// Defined function `func`, its operator `op` (None: in the locals or the size).
    Code { func: usize, op: Option<usize> },
    /// Entry `index` of the section holding fields of `kind`.
    Entry { kind: FieldKind, index: usize },
    /// Type `member` of rec group `group` (the type section's entries are rec groups: a
    /// `(rec ...)` field, or one `(type ...)` standing alone); no member for the group's
    /// own header.
    Type {
        group: usize,
        member: Option<usize>,
        /// The type's index (for a type the text only implies, found at its first user).
        index: u32,
    },
}

/// Which entry of `reader` contains `offset`: the last one starting at or before it.
fn entry_index<'a, T: wasmparser::FromReader<'a>>(
    reader: SectionLimited<'a, T>,
    offset: u64,
) -> usize {
    let mut index = 0;
    for (i, entry) in reader.into_iter_with_offsets().enumerate() {
        match entry {
            Ok((start, _)) if start <= offset => index = i,
            _ => break,
        }
    }
    index
}

fn place_of(wasm: &[u8], offset: u64) -> Option<Place> {
    let mut func = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.ok()?;
        let entry = |kind, index| Some(Place::Entry { kind, index });
        let (range, place) = match payload {
            Payload::CodeSectionEntry(body) => {
                let range = body.range();
                if !range.contains(&offset) {
                    func += 1;
                    continue;
                }
                let op = operator_index(&body, offset);
                return Some(Place::Code { func, op });
            }
            Payload::TypeSection(r) => (r.range(), type_place(r, offset)),
            Payload::ImportSection(r) => {
                (r.range(), entry(FieldKind::Import, entry_index(r, offset)))
            }
            Payload::FunctionSection(r) => {
                (r.range(), entry(FieldKind::Func, entry_index(r, offset)))
            }
            Payload::TableSection(r) => {
                (r.range(), entry(FieldKind::Table, entry_index(r, offset)))
            }
            Payload::MemorySection(r) => {
                (r.range(), entry(FieldKind::Memory, entry_index(r, offset)))
            }
            Payload::TagSection(r) => (r.range(), entry(FieldKind::Tag, entry_index(r, offset))),
            Payload::GlobalSection(r) => {
                (r.range(), entry(FieldKind::Global, entry_index(r, offset)))
            }
            Payload::ExportSection(r) => {
                (r.range(), entry(FieldKind::Export, entry_index(r, offset)))
            }
            Payload::StartSection { range, .. } => (range, entry(FieldKind::Start, 0)),
            Payload::ElementSection(r) => {
                (r.range(), entry(FieldKind::Elem, entry_index(r, offset)))
            }
            Payload::DataSection(r) => (r.range(), entry(FieldKind::Data, entry_index(r, offset))),
            _ => continue,
        };
        // The section header (id and size) belongs to the section's first entry.
        if range.start.saturating_sub(6) <= offset && offset < range.end {
            return place;
        }
    }
    None
}

/// The rec group, and the type inside it, that `offset` falls in.
fn type_place(reader: wasmparser::TypeSectionReader<'_>, offset: u64) -> Option<Place> {
    let group = entry_index(reader.clone(), offset);
    let mut groups = reader.into_iter();
    let mut index = 0;
    for earlier in groups.by_ref().take(group) {
        index += earlier.ok()?.types().len() as u32;
    }
    let rec = groups.next()?.ok()?;
    let member = rec
        .into_types_and_offsets()
        .take_while(|(start, _)| *start <= offset)
        .count()
        .checked_sub(1);
    let index = index + member.unwrap_or(0) as u32;
    Some(Place::Type {
        group,
        member,
        index,
    })
}

fn operator_index(body: &wasmparser::FunctionBody<'_>, offset: u64) -> Option<usize> {
    let mut ops = body.get_operators_reader().ok()?;
    let mut index = None;
    let mut i = 0;
    while !ops.eof() {
        let Ok((_, at)) = ops.read_with_offset() else {
            break;
        };
        if at > offset {
            break;
        }
        index = Some(i);
        i += 1;
    }
    index
}

/// The text span of a module field, if it is of `kind`.
fn field_span(field: &ModuleField<'_>, kind: FieldKind) -> Option<Span> {
    let (k, span) = match field {
        ModuleField::Type(t) => (FieldKind::Type, t.span),
        ModuleField::Import(i) => (FieldKind::Import, i.span),
        ModuleField::Func(f) => (FieldKind::Func, f.span),
        ModuleField::Table(t) => (FieldKind::Table, t.span),
        ModuleField::Memory(m) => (FieldKind::Memory, m.span),
        ModuleField::Tag(t) => (FieldKind::Tag, t.span),
        ModuleField::Global(g) => (FieldKind::Global, g.span),
        ModuleField::Export(e) => (FieldKind::Export, e.span),
        ModuleField::Start(i) => (FieldKind::Start, i.span()),
        ModuleField::Elem(e) => (FieldKind::Elem, e.span),
        ModuleField::Data(d) => (FieldKind::Data, d.span),
        ModuleField::Rec(r) => (FieldKind::Type, r.span),
        ModuleField::Custom(_) => return None,
    };
    (k == kind).then_some(span)
}

/// The first function or tag whose signature is type `index`.
fn first_user(fields: &[ModuleField<'_>], index: u32) -> Option<Span> {
    use wast::core::TagType;
    use wast::token::Index;
    let is = |i: &Option<Index<'_>>| matches!(i, Some(Index::Num(n, _)) if *n == index);
    fields.iter().find_map(|field| match field {
        ModuleField::Func(f) if is(&f.ty.index) => Some(f.span),
        ModuleField::Tag(t) => match &t.ty {
            TagType::Exception(ty) if is(&ty.index) => Some(t.span),
            _ => None,
        },
        _ => None,
    })
}

/// The source offset of `place`. The text is parsed again, this time keeping each
/// instruction's span: errors are rare, so the normal path does not pay for spans.
fn source_offset(source: &str, place: Place) -> Option<usize> {
    let mut buf = super::parse_buffer(source).ok()?;
    buf.track_instr_spans(true);
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).ok()?;
    let wast::Wat::Module(module) = &mut wat else {
        return None;
    };
    // Resolving moves inline imports and exports out into fields of their own, as encoded.
    module.resolve().ok()?;
    let ModuleKind::Text(fields) = &module.kind else {
        return None;
    };
    let span = match place {
        Place::Code { func, op } => {
            let f = fields
                .iter()
                .filter_map(|field| match field {
                    ModuleField::Func(f) if matches!(f.kind, FuncKind::Inline { .. }) => Some(f),
                    _ => None,
                })
                .nth(func)?;
            let FuncKind::Inline { expression, .. } = &f.kind else {
                return None;
            };
            // The function's closing `end` is not a text instruction: an error there (a wrong
            // implicit return) is shown at the last instruction, as wabt does.
            let spans = expression.instr_spans.as_deref().unwrap_or(&[]);
            op.and_then(|i| spans.get(i).or(spans.last()).copied())
                .unwrap_or(f.span)
        }
        Place::Entry { kind, index } => fields
            .iter()
            .filter_map(|field| field_span(field, kind))
            .nth(index)?,
        Place::Type {
            group,
            member,
            index,
        } => {
            let field = fields
                .iter()
                .filter(|field| field_span(field, FieldKind::Type).is_some())
                .nth(group)?;
            match field {
                ModuleField::Rec(r) => member
                    .and_then(|m| r.types.get(m))
                    .map_or(r.span, |t| t.span),
                // A type the text only implies (`(func (param ...))` with no `(type ...)`)
                // has a made-up span at offset 0: show its first user instead.
                ModuleField::Type(t) if t.span.offset() == 0 && !source.starts_with("(type") => {
                    first_user(fields, index).unwrap_or(t.span)
                }
                other => field_span(other, FieldKind::Type)?,
            }
        }
    };
    Some(span.offset())
}
