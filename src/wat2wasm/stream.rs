//! The output buffer with wabt's annotated log: every write may carry a description, and when
//! logging is on each write becomes one `-v` line exactly as wabt's `Stream` prints it.
use std::fmt::Write as _;

/// Bytes per dump line and per group, as in wabt's `WriteMemoryDump`.
const OCTETS_PER_LINE: usize = 16;
const OCTETS_PER_GROUP: usize = 2;
/// The longest LEB128 encoding of a u32.
pub const MAX_U32_LEB128_BYTES: usize = 5;

/// Whether a dump line shows the printable characters after the hex (wabt does for strings).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Chars {
    No,
    Yes,
}

/// A size field written before its content is known: where it is and how many bytes it took.
#[derive(Clone, Copy)]
pub struct SizeSlot {
    offset: usize,
    guess: usize,
}

pub struct Stream {
    buf: Vec<u8>,
    log: Option<String>,
    canonicalize_lebs: bool,
}

impl Stream {
    pub fn new(log: bool, canonicalize_lebs: bool) -> Stream {
        Stream {
            buf: Vec::new(),
            log: log.then(String::new),
            canonicalize_lebs,
        }
    }

    pub fn logging(&self) -> bool {
        self.log.is_some()
    }

    pub fn offset(&self) -> usize {
        self.buf.len()
    }

    pub fn into_parts(self) -> (Vec<u8>, Option<String>) {
        (self.buf, self.log)
    }

    /// A comment line of the log (`; section "Type" (1)`), no bytes.
    pub fn note(&mut self, text: std::fmt::Arguments<'_>) {
        if let Some(log) = &mut self.log {
            let _ = writeln!(log, "; {text}");
        }
    }

    pub fn data(&mut self, bytes: &[u8], desc: &str, chars: Chars) {
        if let Some(log) = &mut self.log {
            dump(log, bytes, self.buf.len(), chars, Some(desc));
        }
        self.buf.extend_from_slice(bytes);
    }

    pub fn u8(&mut self, byte: u8, desc: &str) {
        self.data(&[byte], desc, Chars::No);
    }

    pub fn u32_leb(&mut self, value: u32, desc: &str) {
        let mut tmp = [0u8; MAX_U32_LEB128_BYTES];
        let n = leb_u64(value.into(), &mut tmp);
        self.data(&tmp[..n], desc, Chars::No);
    }

    pub fn u64_leb(&mut self, value: u64, desc: &str) {
        let mut tmp = [0u8; 10];
        let n = leb_u64(value, &mut tmp);
        self.data(&tmp[..n], desc, Chars::No);
    }

    pub fn s32_leb(&mut self, value: i32, desc: &str) {
        self.s64_leb(value.into(), desc);
    }

    pub fn s64_leb(&mut self, value: i64, desc: &str) {
        let mut tmp = [0u8; 10];
        let n = leb_s64(value, &mut tmp);
        self.data(&tmp[..n], desc, Chars::No);
    }

    /// A length-prefixed name, its bytes shown as characters in the log.
    pub fn string(&mut self, s: &[u8], desc: &str) {
        self.u32_leb(s.len() as u32, "string length");
        self.data(s, desc, Chars::Yes);
    }

    /// Reserve a size field: one byte when LEBs are canonicalised (fixed up and the content
    /// moved if the size needs more), else the full five bytes.
    pub fn reserve_size(&mut self, desc: &str) -> SizeSlot {
        let guess = if self.canonicalize_lebs {
            1
        } else {
            MAX_U32_LEB128_BYTES
        };
        let offset = self.offset();
        self.data(&[0u8; MAX_U32_LEB128_BYTES][..guess], desc, Chars::No);
        SizeSlot { offset, guess }
    }

    /// Fill in a reserved size with the number of bytes written since, as wabt's
    /// `WriteFixupU32Leb128Size` does (including its `move data` log line).
    pub fn fixup_size(&mut self, slot: SizeSlot, desc: &str) {
        let size = self.offset() - slot.offset - slot.guess;
        let mut tmp = [0u8; MAX_U32_LEB128_BYTES];
        let len = if self.canonicalize_lebs {
            let len = leb_u64(size as u64, &mut tmp);
            if len != slot.guess {
                let src = slot.offset + slot.guess;
                self.move_data(slot.offset + len, src, size);
            }
            len
        } else {
            fixed_leb5(size as u32, &mut tmp);
            MAX_U32_LEB128_BYTES
        };
        self.write_at(slot.offset, &tmp[..len], desc);
    }

    /// Move `size` bytes from `src` to `dst`, growing or shrinking the buffer's tail.
    pub fn move_data(&mut self, dst: usize, src: usize, size: usize) {
        // wabt's MoveData does nothing, and logs nothing, for an empty range.
        if size == 0 {
            return;
        }
        if let Some(log) = &mut self.log {
            let _ = writeln!(
                log,
                "; move data: [{:x}, {:x}) -> [{:x}, {:x})",
                src,
                src + size,
                dst,
                dst + size
            );
        }
        if dst > src {
            let grow = dst - src;
            self.buf.splice(src..src, vec![0u8; grow]).for_each(drop);
        } else {
            self.buf.drain(dst..src);
        }
    }

    pub fn truncate(&mut self, size: usize) {
        if let Some(log) = &mut self.log {
            let _ = writeln!(log, "; truncate to {size} (0x{size:x})");
        }
        self.buf.truncate(size);
    }

    fn write_at(&mut self, offset: usize, bytes: &[u8], desc: &str) {
        if let Some(log) = &mut self.log {
            dump(log, bytes, offset, Chars::No, Some(desc));
        }
        self.buf[offset..offset + bytes.len()].copy_from_slice(bytes);
    }
}

/// wabt's `WriteMemoryDump`: 16 bytes a line in groups of two, optional characters, and the
/// description on the last line only.
pub fn dump(out: &mut String, bytes: &[u8], base: usize, chars: Chars, desc: Option<&str>) {
    for (line_index, line) in bytes.chunks(OCTETS_PER_LINE).enumerate() {
        let _ = write!(out, "{:07x}: ", base + line_index * OCTETS_PER_LINE);
        push_hex_columns(out, line);
        if chars == Chars::Yes {
            out.push(' ');
            push_printable(out, line);
        }
        let last = (line_index + 1) * OCTETS_PER_LINE >= bytes.len();
        if let (Some(desc), true) = (desc, last) {
            let _ = write!(out, "  ; {desc}");
        }
        out.push('\n');
    }
}

/// One dump line's hex columns: up to 16 bytes in groups of two, blanks past the end, each
/// group followed by a space. wabt prints the same memory dump for `objdump -s` and for the
/// `-v` log, so both dumps share this (and [`push_printable`]) instead of keeping two copies.
pub(crate) fn push_hex_columns(out: &mut String, line: &[u8]) {
    for group in 0..OCTETS_PER_LINE / OCTETS_PER_GROUP {
        for i in 0..OCTETS_PER_GROUP {
            match line.get(group * OCTETS_PER_GROUP + i) {
                Some(b) => {
                    let _ = write!(out, "{b:02x}");
                }
                None => out.push_str("  "),
            }
        }
        out.push(' ');
    }
}

/// One dump line's character column: printable ASCII as itself, anything else as `.`.
pub(crate) fn push_printable(out: &mut String, line: &[u8]) {
    for &b in line {
        out.push(if (0x20..0x7f).contains(&b) {
            b as char
        } else {
            '.'
        });
    }
}

fn leb_u64(mut value: u64, out: &mut [u8]) -> usize {
    let mut n = 0;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out[n] = byte;
            return n + 1;
        }
        out[n] = byte | 0x80;
        n += 1;
    }
}

fn leb_s64(mut value: i64, out: &mut [u8]) -> usize {
    let mut n = 0;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        if done {
            out[n] = byte;
            return n + 1;
        }
        out[n] = byte | 0x80;
        n += 1;
    }
}

fn fixed_leb5(value: u32, out: &mut [u8; MAX_U32_LEB128_BYTES]) {
    for (i, byte) in out.iter_mut().enumerate() {
        let bits = ((value >> (7 * i)) & 0x7f) as u8;
        *byte = if i + 1 < MAX_U32_LEB128_BYTES {
            bits | 0x80
        } else {
            bits
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_line_matches_wabt_layout() {
        let mut s = String::new();
        dump(&mut s, &[0x01], 8, Chars::No, Some("section code"));
        assert_eq!(s, format!("0000008: 01{}; section code\n", " ".repeat(40)));
    }

    #[test]
    fn size_fixup_moves_content_when_the_size_needs_two_bytes() {
        let mut st = Stream::new(true, true);
        let slot = st.reserve_size("section size (guess)");
        st.data(&[7u8; 200], "payload", Chars::No);
        st.fixup_size(slot, "FIXUP section size");
        let (bytes, log) = st.into_parts();
        assert_eq!(&bytes[..2], &[0xc8, 0x01]);
        assert_eq!(bytes.len(), 202);
        assert!(log.unwrap().contains("; move data: [1, c9) -> [2, ca)\n"));
    }

    #[test]
    fn signed_leb_edges() {
        let enc = |v: i64| {
            let mut t = [0u8; 10];
            let n = leb_s64(v, &mut t);
            t[..n].to_vec()
        };
        assert_eq!(enc(-1), [0x7f]);
        assert_eq!(enc(64), [0xc0, 0x00]);
        assert_eq!(enc(-65), [0xbf, 0x7f]);
    }
}
