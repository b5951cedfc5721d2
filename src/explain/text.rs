//! The human-readable renderer: aligned columns, colour only when asked for.
use super::report::{
    first_sentence, ErrnoListReport, ErrnoReport, FunctionListReport, FunctionReport, LibcReport,
    ParamReport, TypeListReport, TypeReport, TypeUsageReport,
};
use std::fmt::Write;

/// ANSI styling, or none at all, and the width to wrap long text at (a terminal's).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Columns available; `None` (pipes, files) keeps every entry on one line for tools.
    pub width: Option<usize>,
}

/// Narrowest space worth wrapping into; narrower, a long cell just runs on.
const MIN_WRAP: usize = 24;

/// Splits `text` at spaces into lines of at most `width` characters (a longer word stays
/// whole on its own line).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = line.chars().count() + 1 + word.chars().count();
        if !line.is_empty() && needed > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// Joins `items` with `sep`, breaking after a separator so no line exceeds `width`
/// (an item longer than that stays whole). Without a width, one line.
pub fn wrap_list(items: &[String], sep: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width.filter(|w| *w >= MIN_WRAP) else {
        return vec![items.join(sep)];
    };
    let mut lines = Vec::new();
    let mut line = String::new();
    for (i, item) in items.iter().enumerate() {
        let tail = if i + 1 < items.len() {
            sep.trim_end()
        } else {
            ""
        };
        let room = line.chars().count() + item.chars().count() + tail.len();
        if !line.is_empty() && room > width {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        line.push_str(item);
        if i + 1 < items.len() {
            line.push_str(sep);
        }
    }
    lines.push(line);
    lines
}

impl Style {
    /// `items` joined by `sep` after `label` (a prefix of spaces and a label), continuation
    /// lines aligned under the first item.
    pub fn labelled_list(&self, label: &str, items: &[String], sep: &str) -> String {
        let column = label.chars().count();
        let room = self.width.map(|w| w.saturating_sub(column));
        let lines = wrap_list(items, sep, room);
        let mut out = String::new();
        for (i, line) in lines.iter().enumerate() {
            let lead = if i == 0 {
                label.to_string()
            } else {
                " ".repeat(column)
            };
            out.push_str(&format!("{lead}{line}\n"));
        }
        out
    }

    /// `text` as a paragraph indented by `indent`, wrapped to the width if there is one.
    pub fn paragraph(&self, text: &str, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let lines = match self.width {
            Some(w) if w >= indent + MIN_WRAP => wrap(text, w - indent),
            _ => vec![text.to_string()],
        };
        lines.iter().map(|l| format!("{pad}{l}\n")).collect()
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn heading(&self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn name(&self, text: &str) -> String {
        self.paint("36", text)
    }
    pub fn good(&self, text: &str) -> String {
        self.paint("32", text)
    }
    pub fn bad(&self, text: &str) -> String {
        self.paint("1;31", text)
    }
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// Rows of cells printed with each column as wide as its widest cell. The first column is
/// painted as a name; widths are measured before painting so escapes never skew them.
pub fn table(out: &mut String, style: &Style, indent: usize, rows: &[Vec<String>]) {
    table_with_header(out, style, indent, &[], 0, rows)
}

/// [`table`] under a header row (none when `header` is empty, else painted dim), with the
/// names in column `name_column`.
pub fn table_with_header(
    out: &mut String,
    style: &Style,
    indent: usize,
    header: &[&str],
    name_column: usize,
    rows: &[Vec<String>],
) {
    let header: Vec<String> = header.iter().map(|c| c.to_string()).collect();
    let has_header = !header.is_empty();
    let all: Vec<&Vec<String>> = std::iter::once(&header)
        .filter(|_| has_header)
        .chain(rows)
        .collect();
    let columns = all.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            let cells = all.iter().filter_map(|r| r.get(c));
            cells.map(|s| s.chars().count()).max().unwrap_or(0)
        })
        .collect();
    for (r, row) in all.iter().enumerate() {
        let mut line = " ".repeat(indent);
        let mut visible = indent;
        for (c, cell) in row.iter().enumerate() {
            let paint = |text: &str| match (has_header && r == 0, c) {
                (true, _) => style.dim(text),
                (false, c) if c == name_column => style.name(text),
                _ => text.to_string(),
            };
            if c + 1 < row.len() {
                let pad = widths[c] - cell.chars().count() + 2;
                line.push_str(&paint(cell));
                line.push_str(&" ".repeat(pad));
                visible += cell.chars().count() + pad;
                continue;
            }
            // The last cell (usually prose) wraps under itself, keeping the columns intact.
            let pieces = match style.width {
                Some(w) if w >= visible + MIN_WRAP => wrap(cell, w - visible),
                _ => vec![cell.clone()],
            };
            let continuation = format!("\n{}", " ".repeat(visible));
            let painted: Vec<String> = pieces.iter().map(|p| paint(p)).collect();
            line.push_str(&painted.join(&continuation));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn type_cell(ty: &str, repr: &Option<String>) -> String {
    match repr {
        Some(r) => format!("{ty} ({r})"),
        None => ty.to_string(),
    }
}

fn param_rows(params: &[ParamReport]) -> Vec<Vec<String>> {
    params
        .iter()
        .map(|p| {
            vec![
                p.name.to_string(),
                type_cell(&p.ty, &p.repr),
                p.doc.to_string(),
            ]
        })
        .collect()
}

pub fn errno(report: &ErrnoReport, style: &Style) -> String {
    let e = &report.errno;
    let posix = e
        .posix
        .as_deref()
        .map_or(String::new(), |p| format!(" ({p})"));
    let mut out = format!(
        "{} {}{}\n  {}\n",
        style.heading(&format!("errno {}:", e.number)),
        style.name(e.name),
        posix,
        e.meaning
    );
    if !report.returned_by.is_empty() {
        let names: Vec<String> = report.returned_by.iter().map(|n| n.to_string()).collect();
        out.push_str(&style.labelled_list("  commonly returned by: ", &names, ", "));
    }
    out
}

pub fn function_list(list: &FunctionListReport, style: &Style) -> String {
    let mut out = style.heading("wasi_snapshot_preview1 functions (rt explain NAME for one)\n");
    let rows: Vec<Vec<String>> = list
        .functions
        .iter()
        .map(|f| {
            let summary = first_sentence(f.summary);
            vec![
                f.name.to_string(),
                f.core_signature.clone(),
                summary.to_string(),
            ]
        })
        .collect();
    table(&mut out, style, 2, &rows);
    out
}

pub fn type_list(list: &TypeListReport, style: &Style) -> String {
    let mut out = style.heading("wasi_snapshot_preview1 types (rt explain NAME for one)\n");
    let rows: Vec<Vec<String>> = list
        .types
        .iter()
        .map(|t| {
            let size = format!("{} bytes", t.size);
            let summary = first_sentence(t.summary).to_string();
            vec![t.name.to_string(), t.type_kind.to_string(), size, summary]
        })
        .collect();
    table(&mut out, style, 2, &rows);
    out
}

pub fn errno_list(list: &ErrnoListReport, style: &Style) -> String {
    let mut out = style.heading("WASI errnos (errno is a u16; 0 means success)\n");
    let rows: Vec<Vec<String>> = list
        .errnos
        .iter()
        .map(|e| {
            let posix = e.posix.clone().unwrap_or_default();
            vec![
                e.number.to_string(),
                e.name.to_string(),
                posix,
                e.meaning.to_string(),
            ]
        })
        .collect();
    table_with_header(&mut out, style, 2, &[], 1, &rows);
    out
}

pub fn function(f: &FunctionReport, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}",
        style.heading(&style.name(f.name)),
        style.dim(&format!("({} function)", f.module))
    );
    out.push_str(&style.paragraph(f.summary, 2));
    out.push('\n');
    let core_params: Vec<String> = f
        .core_params
        .iter()
        .map(|p| format!("{}: {}", p.name, p.ty))
        .collect();
    let mut sig_rows = vec![
        vec!["witx".to_string(), f.witx.clone()],
        vec!["core".to_string(), f.core_signature.clone()],
    ];
    if !core_params.is_empty() {
        sig_rows.push(vec![String::new(), core_params.join(", ")]);
    }
    table(&mut out, style, 0, &sig_rows);
    if !f.params.is_empty() {
        let _ = writeln!(out, "\n{}", style.heading("Parameters"));
        table(&mut out, style, 2, &param_rows(&f.params));
    }
    if !f.results.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.heading("Written on success (through the trailing out-pointers)")
        );
        table(&mut out, style, 2, &param_rows(&f.results));
    }
    let _ = writeln!(out);
    let returns = if f.returns == "never" {
        "nothing: the call does not return".to_string()
    } else {
        "errno as i32: 0 on success".to_string()
    };
    let errnos: Vec<String> = f
        .errnos
        .iter()
        .map(|e| format!("{} ({})", e.name, e.number))
        .collect();
    let none = || "none".to_string();
    let mut facts = vec![vec!["Returns".to_string(), returns]];
    if !errnos.is_empty() {
        facts.push(vec!["Errnos".to_string(), errnos.join(", ")]);
    }
    let rights = if f.rights.is_empty() {
        none()
    } else {
        f.rights.join(", ")
    };
    facts.push(vec!["Rights".to_string(), rights]);
    let libc = if f.libc.is_empty() {
        "none: wasi-libc does not call it".to_string()
    } else {
        f.libc.join(", ")
    };
    facts.push(vec!["libc".to_string(), libc]);
    if let Some(need) = &f.run_need {
        let flag = need.flag.map_or(String::new(), |f| format!("{f}: "));
        facts.push(vec!["rt run".to_string(), format!("{flag}{}", need.reason)]);
    }
    table(&mut out, style, 0, &facts);
    for note in &f.notes {
        let _ = writeln!(out, "\n{} {note}", style.heading("Note:"));
    }
    let detailed: Vec<&TypeReport> = f
        .types
        .iter()
        .filter(|t| !matches!(t.type_kind, "alias" | "handle") && t.name != "errno")
        .collect();
    // Types are indented by two, so they wrap two columns earlier.
    let nested = Style {
        width: style.width.map(|w| w.saturating_sub(2)),
        ..*style
    };
    if !detailed.is_empty() {
        let _ = writeln!(out, "\n{}", style.heading("Types"));
        for t in detailed {
            out.push_str(&indented(&type_(t, &nested), 2));
        }
    }
    out
}

fn indented(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect()
}

pub fn type_(t: &TypeReport, style: &Style) -> String {
    let mut out = String::new();
    let shape = match t.type_kind {
        "record" => format!("record, {} bytes, align {}", t.size, t.align),
        "variant" => format!(
            "variant, {} bytes, align {}: {} tag @0, payload @{}",
            t.size,
            t.align,
            t.repr.as_deref().unwrap_or("?"),
            t.payload_offset.unwrap_or(0)
        ),
        "list" => format!(
            "list of {}: passed as (pointer, count)",
            t.repr.as_deref().unwrap_or("?")
        ),
        "handle" => "handle, u32".to_string(),
        kind => format!("{kind}, {}", t.repr.as_deref().unwrap_or("?")),
    };
    let _ = writeln!(
        out,
        "{}  {}",
        style.heading(&style.name(t.name)),
        style.dim(&format!("({shape})"))
    );
    out.push_str(&style.paragraph(t.summary, 2));
    if !t.fields.is_empty() {
        let rows: Vec<Vec<String>> = t
            .fields
            .iter()
            .map(|f| {
                let at = format!("@{}", f.offset);
                let ty = type_cell(&f.ty, &f.repr);
                vec![
                    at,
                    f.name.to_string(),
                    ty,
                    f.size.to_string(),
                    f.doc.to_string(),
                ]
            })
            .collect();
        let header = ["offset", "field", "type", "size", "meaning"];
        table_with_header(&mut out, style, 2, &header, 1, &rows);
    }
    if !t.flat_layout.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            style.dim("nested fields at their offsets from the start:")
        );
        let rows: Vec<Vec<String>> = t
            .flat_layout
            .iter()
            .map(|f| {
                vec![
                    format!("@{}", f.offset),
                    f.path.clone(),
                    f.ty.clone(),
                    f.size.to_string(),
                ]
            })
            .collect();
        table_with_header(&mut out, style, 4, &[], 1, &rows);
    }
    let mut rows = Vec::new();
    for c in &t.cases {
        let value = match c.bit {
            Some(bit) => format!("bit {bit} ({:#x})", c.value),
            None => c.value.to_string(),
        };
        let name = match &c.payload {
            Some(p) => format!("{}: {p}", c.name),
            None => c.name.to_string(),
        };
        rows.push(vec![value, name, c.doc.to_string()]);
    }
    if !rows.is_empty() {
        table_with_header(&mut out, style, 2, &[], 1, &rows);
    }
    out
}

pub fn type_usage(t: &TypeUsageReport, style: &Style) -> String {
    let mut out = type_(&t.ty, style);
    let mut rows = Vec::new();
    if !t.used_by.is_empty() {
        rows.push(vec!["used by".to_string(), t.used_by.join(", ")]);
    }
    if !t.contained_in.is_empty() {
        rows.push(vec!["inside".to_string(), t.contained_in.join(", ")]);
    }
    if !rows.is_empty() {
        out.push('\n');
        table_with_header(&mut out, style, 0, &[], usize::MAX, &rows);
    }
    out
}

pub fn libc(l: &LibcReport, style: &Style) -> String {
    let names: Vec<&str> = l.reaches.iter().map(|f| f.name).collect();
    let mut out = format!(
        "{} is a libc function; in wasi-libc it usually reaches {}\n",
        style.heading(&style.name(&l.name)),
        names.join(", ")
    );
    for f in &l.reaches {
        out.push('\n');
        out.push_str(&function(f, style));
    }
    out
}
