//! The human-readable report of `rt explain MODULE`.
use super::module_report::{Chain, ModuleReport, WasiImportReport};
use super::text::{table, Style};
use std::fmt::Write;

/// The most direct callers named on one line; JSON lists them all.
const MAX_LISTED_CALLERS: usize = 16;

fn chain_text(chain: &Chain) -> String {
    let names: Vec<&str> = chain.functions.iter().map(|f| f.name.as_str()).collect();
    let end = match (chain.ends_at, &chain.export) {
        ("export", Some(name)) if Some(name.as_str()) != names.last().copied() => {
            format!("  (exported as {name})")
        }
        ("export", _) => String::new(),
        ("start", _) => "  (the start function)".to_string(),
        ("indirect", _) => "  (reached only through call_indirect)".to_string(),
        _ => "  (nothing calls it: dead code)".to_string(),
    };
    format!("{}{end}", names.join(" <- "))
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
        let _ = writeln!(out, "      {}", style.dim(summary));
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
    let _ = writeln!(out, "      called by: {}{more}", callers.join(", "));
    for chain in &w.chains {
        let _ = writeln!(out, "      chain:     {}", chain_text(chain));
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
            style.bad("Imports that will not link as WASI:"),
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
        let _ = writeln!(
            out,
            "\n{} {sites} call_indirect sites in {} functions call unknown callees; chains above follow direct calls only",
            style.heading("Indirect calls:"),
            m.indirect_call_sites.len()
        );
        let names: Vec<&str> = m
            .indirect_call_sites
            .iter()
            .map(|s| s.function.name.as_str())
            .collect();
        let _ = writeln!(out, "  in: {}", names.join(", "));
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
        let _ = writeln!(out, "\n{} {note}", style.heading("Note:"));
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
