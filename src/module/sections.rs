//! The section loop: frames each section (id, size) and hands its payload to wasmparser.
//!
//! A defect inside a section ends that section only: the loop records it and goes on with
//! the next section, the way streaming readers such as wabt's do, so a model of everything
//! readable is still built. Framing defects (a size past the end of the file) end the loop.
//! In `strict` mode the loop also applies the structural checks wabt's reader makes
//! (section order, duplicates, unknown ids, count agreements) that wasmparser leaves to
//! validation.
use super::parse::{empty_module, parse_section};
use super::{Module, ParseError, SegmentMode};

const HEADER: [u8; 8] = *b"\0asm\x01\0\0\0";

/// Known section ids in the order the binary format requires (custom sections aside).
fn order_rank(id: u8) -> Option<u8> {
    // type import function table memory tag global export start elem datacount code data
    const ORDER: [u8; 13] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
    ORDER.iter().position(|&x| x == id).map(|p| p as u8)
}

fn kind_name(id: u8) -> &'static str {
    super::Section {
        id,
        header_start: 0,
        range: 0..0,
        custom_name: None,
        count: None,
    }
    .kind_name()
}

fn fail(offset: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        offset,
        message: message.into(),
    }
}

/// Reads an unsigned LEB128 of at most 32 bits at `pos`; returns (value, next position).
fn read_u32_leb(bytes: &[u8], mut pos: usize) -> Option<(u32, usize)> {
    let mut value = 0u64;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(pos)?;
        pos += 1;
        value |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return (value <= u32::MAX as u64).then_some((value as u32, pos));
        }
    }
    None
}

/// Parse every section of `bytes`. Returns the model and the defects met, in file order.
/// `strict` reading (objdump's) knows only the features it names and applies wabt's
/// structural checks; without it everything is read and the first defect ends the parse.
pub(super) fn parse_sections(
    bytes: Vec<u8>,
    strict: Option<wasmparser::WasmFeatures>,
) -> (Module, Vec<ParseError>) {
    let features = strict.unwrap_or_else(wasmparser::WasmFeatures::all);
    let strict = strict.is_some();
    let mut m = empty_module();
    let mut errors = Vec::new();
    // The header itself goes through wasmparser so its wording is kept.
    let header_len = HEADER.len().min(bytes.len());
    if bytes[..header_len] != HEADER[..header_len] || bytes.len() < HEADER.len() {
        let mut parser = wasmparser::Parser::new(0);
        let error = match parser.parse(&bytes, true) {
            Err(e) => e.into(),
            Ok(_) => fail(0, "unexpected end-of-file"),
        };
        m.bytes = bytes;
        return (m, vec![error]);
    }
    let mut last_rank: Option<u8> = None;
    let mut seen = [false; 256];
    let mut pos = HEADER.len();
    while pos < bytes.len() {
        let header_start = pos;
        let id = bytes[pos];
        let Some((size, payload_start)) = read_u32_leb(&bytes, pos + 1) else {
            errors.push(fail(pos + 1, "unable to read u32 leb128: section size"));
            break;
        };
        let end = payload_start + size as usize;
        let rank = order_rank(id);
        if strict && id != 0 && rank.is_none() {
            errors.push(fail(payload_start, format!("invalid section code: {id}")));
            pos = end;
            continue;
        }
        if end > bytes.len() {
            errors.push(fail(
                payload_start,
                "invalid section size: extends past end",
            ));
            break;
        }
        if strict && id != 0 {
            if seen[id as usize] {
                errors.push(fail(
                    payload_start,
                    format!("multiple {} sections", kind_name(id)),
                ));
                break;
            }
            seen[id as usize] = true;
            if last_rank.is_some_and(|last| rank <= Some(last)) {
                errors.push(fail(
                    payload_start,
                    format!("section {} out of order", kind_name(id)),
                ));
                break;
            }
            last_rank = rank;
        }
        m.sections.push(super::Section {
            id,
            header_start,
            range: payload_start..end,
            custom_name: None,
            count: None,
        });
        let code_before = m.code.len();
        let mut result = parse_section(&mut m, id, payload_start..end, &bytes, features);
        if strict {
            // A failed agreement check happens where wabt stops reading; keep whichever
            // defect comes first.
            if let Err(check) = agreement_checks(&mut m, &bytes, id, code_before, features) {
                result = match result {
                    Err(e) if e.offset < check.offset => Err(e),
                    _ => Err(check),
                };
            }
        }
        if let Err(e) = result {
            errors.push(e);
            if !strict {
                break;
            }
        }
        pos = end;
    }
    let defined = m.func_types.len() - m.num_imported_funcs as usize;
    let has_code = m.sections.iter().any(|s| s.id == 10);
    if strict && defined > 0 && !has_code && errors.is_empty() {
        errors.push(fail(
            bytes.len(),
            "function signature count != function body count",
        ));
    }
    m.bytes = bytes;
    (m, errors)
}

/// Counts that must agree across sections, checked where wabt checks them: a defect drops
/// what the section contributed after the point wabt stops at.
fn agreement_checks(
    m: &mut Module,
    bytes: &[u8],
    id: u8,
    code_before: usize,
    features: wasmparser::WasmFeatures,
) -> Result<(), ParseError> {
    let Some(section) = m.sections.last_mut() else {
        return Ok(());
    };
    let after_count = section.range.start;
    match id {
        10 => {
            // wabt compares with the function section's declared count, read or not.
            let declared = m.sections.iter().find(|s| s.id == 3).and_then(|s| s.count);
            let defined = declared
                .map_or(m.func_types.len() - m.num_imported_funcs as usize, |c| {
                    c as usize
                });
            let Some(section) = m.sections.last_mut() else {
                return Ok(());
            };
            let bodies = section.count.unwrap_or(0) as usize;
            if defined != bodies {
                section.count = None;
                m.code.truncate(code_before);
                return Err(fail(
                    after_count,
                    "function signature count != function body count",
                ));
            }
        }
        11 => {
            if let (Some(expected), Some(count)) = (m.data_count, section.count) {
                if expected != count {
                    m.data.clear();
                    return Err(fail(
                        after_count,
                        "data segment count does not equal count in DataCount section",
                    ));
                }
            }
            if m.memories.is_empty() {
                let active = m
                    .data
                    .iter()
                    .position(|d| matches!(d.mode, SegmentMode::Active { .. }));
                if let Some(k) = active {
                    let at = m.data[k].range.start + 1;
                    m.data.truncate(k);
                    return Err(fail(at, "no memory to copy data to"));
                }
            }
        }
        // Tables with an initializer expression (function references) are beyond wabt.
        4 if m.table_inits.iter().any(Option::is_some)
            && !features.contains(wasmparser::WasmFeatures::FUNCTION_REFERENCES) =>
        {
            let k = m.table_inits.iter().position(Option::is_some).unwrap_or(0);
            m.tables.truncate(m.num_imported_tables as usize + k);
            m.table_inits.truncate(k);
            return Err(fail(
                after_count,
                "table elem type must be a reference type",
            ));
        }
        // wabt refuses a count larger than the bytes left before printing it.
        4 | 5 => {
            let payload = &bytes[section.range.clone()];
            let count_len = read_u32_leb(payload, 0).map_or(0, |(_, next)| next);
            let after = section.range.start + count_len;
            let (count, left) = (section.count.unwrap_or(0), payload.len() - count_len);
            if count as usize > left {
                section.count = None;
                let kind = if id == 4 { "table" } else { "memory" };
                if id == 4 {
                    m.tables.truncate(m.num_imported_tables as usize);
                    m.table_inits.clear();
                } else {
                    m.memories.truncate(m.num_imported_memories as usize);
                }
                return Err(fail(
                    after,
                    format!("invalid {kind} count {count}, only {left} bytes left in section"),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(sections: &[u8]) -> Vec<u8> {
        let mut bytes = HEADER.to_vec();
        bytes.extend_from_slice(sections);
        bytes
    }

    #[test]
    fn count_running_past_its_section_is_a_defect_not_a_panic() {
        // A table section of one byte whose count LEB continues into the next section.
        let (m, errors) =
            parse_sections(module(&[4, 1, 0x80, 0, 0]), Some(crate::module::WABT_READS));
        assert!(!errors.is_empty());
        assert_eq!(m.sections[0].id, 4);
        assert!(m.tables.is_empty());
    }

    #[test]
    fn a_broken_section_does_not_hide_the_next_one() {
        // Type section with count 1 but a bad form byte, then an empty memory section.
        let (m, errors) = parse_sections(
            module(&[1, 2, 1, 0x55, 5, 1, 0]),
            Some(crate::module::WABT_READS),
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(m.sections.len(), 2);
        assert_eq!(m.sections[0].count, Some(1));
        assert_eq!(m.sections[1].id, 5);
        assert_eq!(m.sections[1].count, Some(0));
    }

    #[test]
    fn strict_mode_reports_unknown_ids_and_order_and_skips_them() {
        let (m, errors) = parse_sections(
            module(&[14, 1, 0, 5, 1, 0]),
            Some(crate::module::WABT_READS),
        );
        assert_eq!(errors[0].message, "invalid section code: 14");
        assert_eq!(m.sections.len(), 1);
        let (_, errors) =
            parse_sections(module(&[5, 1, 0, 1, 1, 0]), Some(crate::module::WABT_READS));
        assert_eq!(errors[0].message, "section Type out of order");
        // Non-strict parsing leaves both to validation.
        let (_, errors) = parse_sections(module(&[5, 1, 0, 1, 1, 0]), None);
        assert!(errors.is_empty());
    }

    #[test]
    fn function_and_code_counts_must_agree() {
        // Type () -> (), two functions declared, no code section.
        let (_, errors) = parse_sections(
            module(&[1, 4, 1, 0x60, 0, 0, 3, 3, 2, 0, 0]),
            Some(crate::module::WABT_READS),
        );
        assert_eq!(
            errors[0].message,
            "function signature count != function body count"
        );
    }
}
