//! `-d`: each function body as offset, raw bytes (nine to a line) and instruction text,
//! indented by block depth.
use super::details::linking::InlineRelocation;
use super::instr::{InstrText, Shape};
use super::names::suffix;
use super::{Ctx, Out};
use crate::module::{FunctionCode, ParseError};
use std::fmt::Write as _;

/// wabt shows at most this many bytes of an instruction per line, continuing below.
const BYTES_PER_LINE: usize = 9;

/// Prints the disassembly; returns the defect that stopped it, if any. wabt decodes bodies
/// only in this pass, so a body it cannot read fails the file here (and only here), and
/// nothing after that instruction is shown.
pub(super) fn print(ctx: &Ctx, out: &mut Out) -> Option<ParseError> {
    out.push_str("\nCode Disassembly:\n\n");
    let m = ctx.module;
    // Like `-h`, wabt's `-d` ignores `-j`.
    let code_section = m.sections.iter().find(|s| s.id == 10)?;
    let base = if ctx.opts.section_offsets {
        code_section.range.start
    } else {
        0
    };
    let relocations = if ctx.opts.relocs {
        super::details::linking::relocations_of(ctx, 10)
    } else {
        Vec::new()
    };
    let mut lines = Lines {
        out,
        bytes: &m.bytes,
        base,
        relocations: &relocations,
        next_relocation: 0,
    };
    for (i, code) in m.code.iter().enumerate() {
        let func_index = m.num_imported_funcs + i as u32;
        let _ = writeln!(
            lines.out,
            "{:06x} func[{func_index}]{}:",
            code.body.start - base,
            suffix(ctx.names.func(func_index))
        );
        // A closed pipe: nothing more can be shown.
        if lines.out.failed() {
            return None;
        }
        print_locals(ctx, &mut lines, code, func_index);
        if let Some(defect) = print_body(ctx, &mut lines, code, func_index) {
            return Some(defect);
        }
    }
    None
}

fn print_locals(ctx: &Ctx, lines: &mut Lines, code: &FunctionCode, func_index: u32) {
    // wabt numbers declared locals from the parameter count of *type* `func_index`
    // (a quirk of 1.0.32), or from 0 when there is no such type.
    let mut local = ctx
        .module
        .types
        .get(func_index as usize)
        .map_or(0, |t| t.params().len() as u32);
    for (k, (count, ty)) in code.locals.iter().enumerate() {
        let start = code.local_offsets[k];
        let end = code
            .local_offsets
            .get(k + 1)
            .copied()
            .unwrap_or(code.ops_start);
        let ty = super::details::val_type(*ty);
        let text = if *count == 1 {
            format!("local[{local}] type={ty}")
        } else {
            format!(
                "local[{local}..{}] type={ty}",
                local.wrapping_add(count.wrapping_sub(1))
            )
        };
        lines.instruction(start, end, 0, &text);
        local = local.wrapping_add(*count);
    }
}

fn print_body(
    ctx: &Ctx,
    lines: &mut Lines,
    code: &FunctionCode,
    func_index: u32,
) -> Option<ParseError> {
    let m = ctx.module;
    let defect = |offset: usize, message: &str| ParseError {
        offset,
        message: message.to_string(),
    };
    if code.local_offsets.len() > code.locals.len() {
        let at = code.local_offsets[code.locals.len()];
        return Some(defect(at, "malformed local declaration"));
    }
    let mut visitor = InstrText::new(ctx, func_index);
    let mut reader = m.code_reader(code, ctx.features);
    let mut depth = 0usize;
    let mut last_was_end = false;
    while !reader.eof() && !lines.out.failed() {
        let start = reader.original_position() as usize;
        visitor.next_opcode = reader.clone().read_u8().unwrap_or(0);
        if let Err(e) = reader.visit_operator(&mut visitor) {
            return Some(e.into());
        }
        if visitor.unsupported {
            return Some(defect(start, "an instruction wabt 1.0.32 does not read"));
        }
        if visitor
            .memory_used
            .is_some_and(|mem| mem as usize >= m.memories.len())
        {
            return Some(defect(start, "memory index out of range"));
        }
        if visitor.needs_data_count && m.data_count.is_none() {
            return Some(defect(
                start,
                "data instruction requires a data count section",
            ));
        }
        let end = reader.original_position() as usize;
        let indent = match visitor.shape {
            Shape::Plain => depth,
            Shape::Open => {
                depth += 1;
                depth - 1
            }
            Shape::Middle => depth.saturating_sub(1),
            Shape::End => {
                depth = depth.saturating_sub(1);
                depth
            }
        };
        last_was_end = visitor.shape == Shape::End;
        lines.instruction(start, end, indent, &visitor.text);
    }
    if !last_was_end && !lines.out.failed() {
        return Some(defect(
            code.body.end,
            "function body must end with END opcode",
        ));
    }
    None
}

struct Lines<'o, 'w, 'b> {
    out: &'o mut Out<'w>,
    bytes: &'b [u8],
    base: usize,
    /// `-r`: relocations still to show, by offset.
    relocations: &'b [InlineRelocation],
    next_relocation: usize,
}

impl Lines<'_, '_, '_> {
    /// ` OFFSET: BYTES | TEXT`, with the bytes wrapped nine to a line; the text goes on the
    /// first line only, after two spaces per indent level.
    fn instruction(&mut self, start: usize, end: usize, indent: usize, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut offset = start;
        let mut first = true;
        while offset < end || first {
            let _ = write!(self.out, " {:06x}: ", offset - self.base);
            for _ in 0..BYTES_PER_LINE {
                if offset < end {
                    let b = self.bytes[offset];
                    self.out.push(HEX[(b >> 4) as usize] as char);
                    self.out.push(HEX[(b & 15) as usize] as char);
                    self.out.push(' ');
                    offset += 1;
                } else {
                    self.out.push_str("   ");
                }
            }
            self.out.push_str("| ");
            if first {
                self.out.spaces(2 * indent);
                self.out.push_str(text);
                first = false;
            }
            self.out.push('\n');
        }
        // Under the instruction: the relocations that patch its bytes.
        while let Some(r) = self.relocations.get(self.next_relocation) {
            if r.offset >= end {
                break;
            }
            // wabt shows file offsets here even with --section-offsets.
            let _ = writeln!(self.out, "           {:06x}: {}", r.offset, r.text);
            self.next_relocation += 1;
        }
    }
}
