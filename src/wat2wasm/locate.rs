//! Turning a validation error (an offset in the encoded binary) back into a place in the
//! text: the instruction that failed when it is in a function body, else the module.
use super::Error;
use wasmparser::{Parser, Payload};
use wast::core::{FuncKind, ModuleField, ModuleKind};

pub fn validation_error(
    path: &str,
    source: &str,
    wasm: &[u8],
    err: &wasmparser::BinaryReaderError,
) -> Error {
    let offset = instruction_offset(source, wasm, err.offset() as usize)
        .unwrap_or_else(|| source.find("(module").map_or(0, |i| i + 1));
    Error::at(path, source, offset, err.message().to_string())
}

/// (defined function index, operator index) of the operator at `offset`, if it is in code.
fn operator_at(wasm: &[u8], offset: usize) -> Option<(usize, Option<usize>)> {
    let mut func = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else {
            continue;
        };
        if body.range().contains(&(offset as u64)) {
            let mut ops = body.get_operators_reader().ok()?;
            let mut index = None;
            let mut i = 0;
            while !ops.eof() {
                let Ok((_, at)) = ops.read_with_offset() else {
                    break;
                };
                if at as usize > offset {
                    break;
                }
                index = Some(i);
                i += 1;
            }
            return Some((func, index));
        }
        func += 1;
    }
    None
}

/// The source offset of the instruction the binary `offset` falls in (or of its function).
fn instruction_offset(source: &str, wasm: &[u8], offset: usize) -> Option<usize> {
    let (func, op) = operator_at(wasm, offset)?;
    // Parse again, this time keeping each instruction's span (errors are rare; the normal
    // path does not pay for spans).
    let mut buf = super::parse_buffer(source).ok()?;
    buf.track_instr_spans(true);
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).ok()?;
    let wast::Wat::Module(module) = &mut wat else {
        return None;
    };
    module.resolve().ok()?;
    let ModuleKind::Text(fields) = &module.kind else {
        return None;
    };
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
    let span = op
        .and_then(|i| expression.instr_spans.as_ref()?.get(i).copied())
        .unwrap_or(f.span);
    Some(span.offset())
}
