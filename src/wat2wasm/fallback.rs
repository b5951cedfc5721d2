//! Modules wabt 1.0.32 has no layout for: GC (rec groups, subtypes, packed fields, struct,
//! array, cast and i31 instructions), typed function references, `try_table` and `exnref`,
//! table initialisers. wabt cannot write them, so there are no wabt bytes to match: the
//! module is written in the standard encoding the `wast` crate (the `wat` crate's encoder)
//! produced, with wabt's output choices applied where they still mean something: custom
//! sections are dropped (wabt reads and drops annotations), the `name` section is kept only
//! with `--debug-names`, and `--no-canonicalize-leb128s` pads section, body and name
//! subsection sizes to five bytes. There is no `-v` log: wabt's log describes its own
//! layout, which this is not, so a note says so instead of printing half of one.
use super::stream::{Chars, Stream};
use wasmparser::{BinaryReader, Parser, Payload};

/// The section id of custom sections and of the code section.
const CUSTOM: u8 = 0;
const CODE: u8 = 10;

/// `wasm` again with its custom sections dropped (the `name` section kept if `keep_names`),
/// every size written minimally or, without `canonicalize_lebs`, as five bytes.
pub fn rebuild(
    wasm: &[u8],
    keep_names: bool,
    canonicalize_lebs: bool,
) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    let mut s = Stream::new(false, canonicalize_lebs);
    s.data(&wasm[..8], "", Chars::No);
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        let is_name = matches!(&payload, Payload::CustomSection(c) if c.name() == "name");
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        if id == CUSTOM && !(is_name && keep_names) {
            continue;
        }
        // The code section's range is the size its header claims (wasmparser reads the
        // bodies later): reading the contents checks that they are all there.
        let rest = wasm.get(range.start as usize..).unwrap_or(&[]);
        let contents =
            BinaryReader::new(rest, range.start).read_bytes((range.end - range.start) as usize)?;
        s.u8(id, "");
        let slot = s.reserve_size("");
        match id {
            CODE => sized_entries(&mut s, contents, range.start, Entries::Bodies)?,
            CUSTOM => sized_entries(&mut s, contents, range.start, Entries::NameSubsections)?,
            _ => s.data(contents, "", Chars::No),
        }
        s.fixup_size(slot, "");
    }
    Ok(s.into_parts().0)
}

/// The two kinds of content that hold sizes of their own.
enum Entries {
    /// A count, then each function body after its size.
    Bodies,
    /// The name `name`, then subsections: an id byte and a sized payload each.
    NameSubsections,
}

/// Copy a code or name section's contents, writing each inner size through the stream (so
/// it is padded when sizes are).
fn sized_entries(
    s: &mut Stream,
    contents: &[u8],
    offset: u64,
    kind: Entries,
) -> Result<(), wasmparser::BinaryReaderError> {
    let mut r = BinaryReader::new(contents, offset);
    let entry = |s: &mut Stream, r: &mut BinaryReader<'_>| {
        let size = r.read_var_u32()?;
        let bytes = r.read_bytes(size as usize)?;
        let slot = s.reserve_size("");
        s.data(bytes, "", Chars::No);
        s.fixup_size(slot, "");
        Ok(())
    };
    match kind {
        Entries::Bodies => {
            let count = r.read_var_u32()?;
            s.u32_leb(count, "");
            for _ in 0..count {
                entry(s, &mut r)?;
            }
        }
        Entries::NameSubsections => {
            let name = r.read_string()?;
            s.string(name.as_bytes(), "");
            while !r.eof() {
                s.u8(r.read_u8()?, "");
                entry(s, &mut r)?;
            }
        }
    }
    Ok(())
}

/// Why there is no `-v` log for a module written here.
pub fn no_log_note(path: &str, why: &str) -> String {
    format!(
        "{path}: note: no -v log: wabt 1.0.32 cannot write this module ({why}), so there is no \
         wabt layout to annotate; it was written in the standard encoding (see `rt objdump -x` \
         for its contents)\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_sections_go_and_names_stay_only_when_asked() {
        let wasm = wat::parse_str(
            r#"(module $m (@custom "extra" "bytes") (func $f (local $x i32)) (func $g))"#,
        )
        .unwrap();
        let customs = |bytes: &[u8]| -> Vec<String> {
            Parser::new(0)
                .parse_all(bytes)
                .filter_map(|p| match p.unwrap() {
                    Payload::CustomSection(c) => Some(c.name().to_string()),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(customs(&wasm), ["extra", "name"]);
        assert_eq!(customs(&rebuild(&wasm, true, true).unwrap()), ["name"]);
        let bare = rebuild(&wasm, false, true).unwrap();
        assert!(customs(&bare).is_empty());
        wasmparser::Validator::new().validate_all(&bare).unwrap();
    }

    #[test]
    fn padded_sizes_keep_the_module_the_same() {
        let wasm = wat::parse_str(r#"(module $m (func $f (local $x i32)) (func $g))"#).unwrap();
        let padded = rebuild(&wasm, true, false).unwrap();
        // Type, function, code and name sections, two bodies, three name subsections
        // (module, function, local): 4 bytes more for each of the nine sizes.
        assert_eq!(padded.len(), wasm.len() + 9 * 4);
        let text = |b: &[u8]| wasmprinter::print_bytes(b).unwrap();
        assert_eq!(text(&padded), text(&wasm));
        assert_eq!(rebuild(&wasm, true, true).unwrap(), wasm);
    }

    /// A module cut short anywhere is an error, never a slice out of range.
    #[test]
    fn truncated_modules_are_errors() {
        let wasm = wat::parse_str(r#"(module $m (func $f (local $x i32)) (func $g))"#).unwrap();
        for len in 8..wasm.len() {
            for keep_names in [false, true] {
                let result = std::panic::catch_unwind(|| rebuild(&wasm[..len], keep_names, true));
                assert!(result.is_ok(), "panic at length {len}");
            }
        }
        assert!(rebuild(&wasm[..wasm.len() - 3], true, true).is_err());
    }
}
