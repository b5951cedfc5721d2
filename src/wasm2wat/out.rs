//! The text stream wasm2wat writes through. wabt decides spacing lazily: every token records
//! what should come before the *next* token (nothing, a space, or a newline and the current
//! indentation), and a closing parenthesis cancels a pending space or newline, so
//! `(func ... i32.add)` closes on the line of its last instruction. A block's opening line
//! forces its newline even across a close. Reproducing that rule, rather than pretty-printing
//! a tree, is what makes the output match wabt's character for character.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Next {
    None,
    Space,
    Newline,
    /// A newline a following close must not cancel (after `block`, `loop`, `if`, `else`).
    ForceNewline,
}

pub struct Out {
    pub text: String,
    indent: usize,
    next: Next,
    /// Where the text goes as it is made; `None` keeps it all in `text`.
    pub sink: Option<Box<dyn std::io::Write + Send>>,
    /// The first write error; later text is dropped.
    error: Option<std::io::Error>,
}

/// How much text is gathered before it is written to the sink.
const CHUNK: usize = 64 * 1024;

impl Out {
    pub fn new() -> Out {
        Out {
            text: String::new(),
            indent: 0,
            next: Next::None,
            sink: None,
            error: None,
        }
    }

    /// Hand the gathered text to the sink once there is a chunk of it (never without a sink).
    fn spill(&mut self, at_least: usize) {
        let Some(sink) = &mut self.sink else {
            return;
        };
        if self.text.len() < at_least {
            return;
        }
        if self.error.is_none() {
            if let Err(e) = sink.write_all(self.text.as_bytes()) {
                self.error = Some(e);
            }
        }
        self.text.clear();
    }

    pub fn indent(&mut self) {
        self.indent += 2;
    }

    pub fn dedent(&mut self) {
        self.indent = self.indent.saturating_sub(2);
    }

    /// Emit what the previous token asked to come before this one.
    fn flush_next(&mut self) {
        match self.next {
            Next::Space => self.text.push(' '),
            Next::Newline | Next::ForceNewline => {
                self.text.push('\n');
                // Once writing failed nothing more is shown: skip the (possibly huge) indent.
                if self.error.is_none() {
                    for _ in 0..self.indent {
                        self.text.push(' ');
                    }
                }
            }
            Next::None => {}
        }
        self.next = Next::None;
    }

    /// A token, then what should follow it.
    pub fn puts(&mut self, s: &str, next: Next) {
        self.flush_next();
        self.text.push_str(s);
        self.next = next;
        self.spill(CHUNK);
    }

    pub fn space(&mut self, s: &str) {
        self.puts(s, Next::Space);
    }

    pub fn newline_after(&mut self, s: &str) {
        self.puts(s, Next::Newline);
    }

    /// Ask for a newline before the next token; a forced one already pending is written first.
    pub fn newline(&mut self, force: bool) {
        if self.next == Next::ForceNewline {
            self.flush_next();
        }
        self.next = if force {
            Next::ForceNewline
        } else {
            Next::Newline
        };
    }

    pub fn open(&mut self, name: &str, next: Next) {
        self.puts("(", Next::None);
        self.puts(name, next);
        self.indent();
    }

    pub fn open_space(&mut self, name: &str) {
        self.open(name, Next::Space);
    }

    pub fn close(&mut self, next: Next) {
        if self.next != Next::ForceNewline {
            self.next = Next::None;
        }
        self.dedent();
        self.puts(")", next);
    }

    pub fn close_space(&mut self) {
        self.close(Next::Space);
    }

    pub fn close_newline(&mut self) {
        self.close(Next::Newline);
    }

    /// Set what follows the last token (wabt's `next_char_ = ...`).
    pub fn set_next(&mut self, next: Next) {
        self.next = next;
    }

    /// A quoted string: printable ASCII as is except `"` and `\`, every other byte as `\hh`.
    pub fn quoted(&mut self, bytes: &[u8], next: Next) {
        self.flush_next();
        self.text.push('"');
        for &b in bytes {
            if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
                self.text.push(b as char);
            } else {
                self.text.push('\\');
                self.text
                    .push(char::from_digit((b >> 4) as u32, 16).unwrap());
                self.text
                    .push(char::from_digit((b & 15) as u32, 16).unwrap());
            }
        }
        self.text.push('"');
        self.next = next;
        self.spill(CHUNK);
    }

    /// The last newline, which a final close leaves pending. The text not yet written (all of
    /// it without a sink), and the write error met, if any.
    pub fn finish(mut self) -> (String, Option<std::io::Error>) {
        self.flush_next();
        self.spill(0);
        if let (Some(sink), None) = (&mut self.sink, &self.error) {
            if let Err(e) = sink.flush() {
                self.error = Some(e);
            }
        }
        (self.text, self.error)
    }
}
