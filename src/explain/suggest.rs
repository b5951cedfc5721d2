//! "Did you mean ...?": the known names nearest to a misspelt one.

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Up to `max` candidates close enough to `typed` to be what was meant, nearest first.
/// A candidate that contains what was typed (or is contained in it) also counts.
pub fn nearest<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<&'a str> {
    let typed = typed.to_ascii_lowercase();
    let limit = (typed.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let d = edit_distance(&typed, c);
            let long_enough = typed.len() >= 4 && c.len() >= 4;
            let related = long_enough && (c.contains(typed.as_str()) || typed.contains(c));
            // Never offer a name that shares nothing with what was typed.
            let close = d <= limit && d < c.chars().count();
            (close || related).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(max).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("fd_write", "fd_write"), 0);
        assert_eq!(edit_distance("fd_wirte", "fd_write"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn nearest_names_first() {
        let names = ["fd_write", "fd_read", "fd_readdir", "path_open"];
        assert_eq!(nearest("fd_wirte", names, 3), ["fd_write"]);
        assert_eq!(nearest("fd_reddir", names, 1), ["fd_readdir"]);
        assert!(nearest("zzzzzzzz", names, 3).is_empty());
        assert!(nearest("", ["fd", "size"], 3).is_empty());
    }
}
