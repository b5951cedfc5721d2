//! The human-readable report of `rt explain MODULE`.
use super::module_report::{Chain, ModuleReport, WasiImportReport};
use super::text::{table, Style};
use std::fmt::Write;

/// The most direct callers named on one line; JSON lists them all.
const MAX_LISTED_CALLERS: usize = 16;

/// The chain's names, the last one carrying how the chain ends.
fn chain_items(chain: &Chain) -> Vec<String> {
    let mut names: Vec<String> = chain.functions.iter().map(|f| f.name.clone()).collect();
    let end = match (chain.ends_at, &chain.export) {
        ("export", Some(name)) if Some(name) != names.last() => {
            format!("  (exported as {name})")
        }
        ("export", _) => String::new(),
        ("start", _) => "  (the start function)".to_string(),
        ("indirect", _) => "  (reached only through call_indirect)".to_string(),
        _ => "  (nothing calls it: dead code)".to_string(),
    };
    if let Some(last) = names.last_mut() {
        last.push_str(&end);
    }
    names
}

/// Column widths shared by every import's first line, so indexes, names and types line up.
struct Widths {
    index: usize,
    name: usize,
    signature: usize,
}

fn import_block(out: &mut String, w: &WasiImportReport, widths: &Widths, style: &Style) {
    let verdict = if !w.known {
        style.bad("UNKNOWN to wasi_snapshot_preview1")
    } else if w.signature_ok {
        style.good("signature ok")
    } else {
        style.bad(&format!(
            "SIGNATURE MISMATCH: expected {}",
            w.expected_signature.as_deref().unwrap_or("?")
        ))
    };
    let index = format!("func[{}]", w.index);
    let module = if w.module == "wasi_snapshot_preview1" {
        String::new()
    } else {
        format!("  {}", style.dim(&format!("[{}]", w.module)))
    };
    let _ = writeln!(
        out,
        "  {}{}  {}{}  {:sig$}  {}{}",
        style.dim(&index),
        " ".repeat(widths.index - index.len()),
        style.name(&w.name),
        " ".repeat(widths.name - w.name.chars().count()),
        w.signature,
        verdict,
        module,
        sig = widths.signature
    );
    if let Some(summary) = w.summary {
        for line in style.paragraph(summary, 6).lines() {
            let _ = writeln!(out, "{}", style.dim(line));
        }
    }
    if w.direct_callers.is_empty() {
        let _ = writeln!(out, "      {}", style.dim("not called by any function"));
        return;
    }
    let callers: Vec<String> = w
        .direct_callers
        .iter()
        .take(MAX_LISTED_CALLERS)
        .map(|f| {
            let index = format!("func[{}]", f.index);
            if f.name == index {
                index
            } else {
                format!("{} ({index})", f.name)
            }
        })
        .collect();
    let more = w.direct_callers.len().saturating_sub(MAX_LISTED_CALLERS);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let mut callers = callers;
    if let Some(last) = callers.last_mut() {
        last.push_str(&more);
    }
    out.push_str(&style.labelled_list("      called by: ", &callers, ", "));
    for chain in &w.chains {
        out.push_str(&style.labelled_list("      chain:     ", &chain_items(chain), " <- "));
    }
    if w.chains_omitted > 0 {
        let _ = writeln!(
            out,
            "      ({} more callers without a chain shown)",
            w.chains_omitted
        );
    }
}

pub fn module(m: &ModuleReport, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} WASI imports, {} other imports",
        style.heading(&m.path),
        m.wasi_imports.len(),
        m.other_imports.len()
    );
    if !m.wasi_imports.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.heading("WASI imports (import <- direct caller <- ... <- export)")
        );
        let widths = Widths {
            index: m
                .wasi_imports
                .iter()
                .map(|w| format!("func[{}]", w.index).len())
                .max()
                .unwrap_or(0),
            name: m
                .wasi_imports
                .iter()
                .map(|w| w.name.chars().count())
                .max()
                .unwrap_or(0),
            signature: m
                .wasi_imports
                .iter()
                .map(|w| w.signature.len())
                .max()
                .unwrap_or(0),
        };
        for w in &m.wasi_imports {
            import_block(&mut out, w, &widths, style);
        }
    }
    if !m.mismatched_wasi_imports.is_empty() {
        let _ = writeln!(
            out,
            "\n{} {}",
            style.bad("Imports that do not match WASI preview1:"),
            m.mismatched_wasi_imports.join(", ")
        );
    }
    let _ = writeln!(out, "\n{}", style.heading("WASI imports nothing calls"));
    if m.uncalled_wasi_imports.is_empty() {
        let _ = writeln!(out, "  none");
    } else {
        let _ = writeln!(out, "  {}", m.uncalled_wasi_imports.join(", "));
    }
    let _ = writeln!(out, "\n{}", style.heading("Other imports"));
    if m.other_imports.is_empty() {
        let _ = writeln!(out, "  none");
    } else {
        let rows: Vec<Vec<String>> = m
            .other_imports
            .iter()
            .map(|o| {
                let index = o.index.map_or(String::new(), |i| format!("func[{i}]"));
                let what = o.signature.clone().unwrap_or_else(|| o.kind.to_string());
                vec![format!("{}.{}", o.module, o.name), index, what]
            })
            .collect();
        table(&mut out, style, 2, &rows);
    }
    if !m.indirect_call_sites.is_empty() {
        let sites: usize = m.indirect_call_sites.iter().map(|s| s.offsets.len()).sum();
        let functions = m.indirect_call_sites.len();
        let text = format!(
            "{sites} indirect call {} (call_indirect, call_ref) in {functions} {}: their \
             callees are unknown, so the chains above follow direct calls only.",
            plural(sites, "site", "sites"),
            plural(functions, "function", "functions"),
        );
        let _ = write!(
            out,
            "\n{}\n{}",
            style.heading("Indirect calls"),
            style.paragraph(&text, 2)
        );
        let names: Vec<String> = m
            .indirect_call_sites
            .iter()
            .map(|s| s.function.name.clone())
            .collect();
        out.push_str(&style.labelled_list("  in: ", &names, ", "));
    }
    if !m.libc_functions.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.heading("libc functions in this module and the WASI calls they reach")
        );
        let rows: Vec<Vec<String>> = m
            .libc_functions
            .iter()
            .map(|l| {
                let reaches = if l.reaches.is_empty() {
                    "none through direct calls".to_string()
                } else {
                    l.reaches.join(", ")
                };
                let indirect = if l.makes_indirect_calls {
                    "  (+ indirect calls)"
                } else {
                    ""
                };
                let index = format!("func[{}]", l.function.index);
                vec![
                    l.function.name.clone(),
                    index,
                    format!("{reaches}{indirect}"),
                ]
            })
            .collect();
        table(&mut out, style, 2, &rows);
    }
    for note in &m.notes {
        let _ = write!(
            out,
            "\n{}\n{}",
            style.heading("Note"),
            style.paragraph(note, 2)
        );
    }
    let _ = writeln!(out, "\n{}", style.heading("What it needs from rt run"));
    if m.run_needs.is_empty() {
        let _ = writeln!(out, "  nothing beyond stdio");
    } else {
        let rows: Vec<Vec<String>> = m
            .run_needs
            .iter()
            .map(|n| {
                let flag = n.need.flag.unwrap_or("(host)").to_string();
                vec![
                    flag,
                    n.need.reason.to_string(),
                    format!("[{}]", n.needed_by.join(", ")),
                ]
            })
            .collect();
        table(&mut out, style, 2, &rows);
    }
    out
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}
