//! `(@...)` annotations as wabt 1.0.32 treats them: refused unless `--enable-annotations`,
//! and then read and dropped. The wast parser honours `(@name "...")` in the name section,
//! so those are blanked out (same length, so every error position stays right).
use wast::lexer::{Lexer, Token, TokenKind};

fn tokens(source: &str) -> impl Iterator<Item = Token> + '_ {
    // Built per call: the lexer borrows the source. A lexing error ends the scan; it is the
    // parser's to report, with its own message.
    let mut lexer = Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    let tokens: Vec<Token> = lexer.iter(0).map_while(Result::ok).collect();
    tokens.into_iter()
}

/// The first annotation (its opening parenthesis, where wabt points, and its name), if any.
pub fn first_annotation(source: &str) -> Option<(usize, String)> {
    // Most modules have none: only lex when the text could hold one.
    if !source.contains("(@") {
        return None;
    }
    let token = tokens(source).find(|t| matches!(t.kind, TokenKind::Annotation))?;
    let name = token.annotation(source).ok()?.into_owned();
    Some((token.offset.saturating_sub(1), name))
}

/// Whether the text holds a `(@metadata.code.*)` annotation: with `--enable-code-metadata`
/// wabt turns those into custom sections, which this writer does not lay out.
pub fn has_code_metadata(source: &str) -> bool {
    source.contains("(@metadata.code.")
        && tokens(source).any(|t| {
            matches!(t.kind, TokenKind::Annotation)
                && t.annotation(source)
                    .is_ok_and(|n| n.starts_with("metadata.code."))
        })
}

/// `source` with every `(@name ...)` annotation replaced by spaces, or None if it has none.
pub fn blank_name_annotations(source: &str) -> Option<String> {
    if !source.contains("(@name") {
        return None;
    }
    let mut bytes = source.as_bytes().to_vec();
    let mut tokens = tokens(source);
    while let Some(token) = tokens.next() {
        let is_name = matches!(token.kind, TokenKind::Annotation)
            && token.annotation(source).is_ok_and(|n| n == "name");
        if !is_name {
            continue;
        }
        // From the `(` before `@name` to its matching `)`.
        let start = token.offset.saturating_sub(1);
        let mut depth = 1;
        let mut end = source.len();
        for inner in tokens.by_ref() {
            match inner.kind {
                TokenKind::LParen => depth += 1,
                TokenKind::RParen => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = inner.offset + 1;
                break;
            }
        }
        bytes[start..end].fill(b' ');
    }
    // Whole tokens were replaced by ASCII spaces, so the text is still UTF-8.
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_annotations_become_spaces_of_the_same_length() {
        let src = r#"(module (func $f (@name "ünï") (param $p (@name "pp") i32)))"#;
        let blanked = blank_name_annotations(src).unwrap();
        assert_eq!(blanked.len(), src.len());
        assert!(!blanked.contains('@'));
        assert!(blanked.contains("(func $f ") && blanked.contains("(param $p "));
        assert_eq!(blank_name_annotations("(module)"), None);
    }

    #[test]
    fn the_first_annotation_is_found_at_its_parenthesis() {
        let src = r#"(module ;; (@not "in a comment")
  (@custom "x" "y"))"#;
        let (offset, name) = first_annotation(src).unwrap();
        assert_eq!(
            (&src[offset..offset + 8], name.as_str()),
            ("(@custom", "custom")
        );
    }
}
