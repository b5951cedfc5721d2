//! `rt explain`: the WASI preview1 catalog, the call graph of a module's WASI imports, and
//! the reports (text or JSON) built from them. Each form builds one serialisable report; the
//! text renderer and serde_json both read that report, so the formats never disagree.
pub mod callgraph;
pub mod catalog;
pub mod lookup;
pub mod module_report;
pub mod report;
pub mod suggest;
pub mod text;
pub mod text_module;

use crate::module::Module;
use lookup::{ErrnoAnswer, NameReport};
use std::path::Path;
use text::Style;

/// What to explain.
#[derive(Debug, Clone, Copy)]
pub enum Request<'a> {
    /// A WASI function or type, a libc function, or an errno name.
    Name(&'a str),
    /// `errno N|NAME`, or every errno.
    Errno(Option<&'a str>),
    /// Every function, one line each.
    Functions,
    /// Every type, one line each.
    Types,
    /// A module file, `.wasm` or `.wat`.
    Module(&'a Path),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Whether `target` names a module file rather than a catalog entry: it has a module
/// extension or a path separator, or it is an existing file the catalog has no name for.
pub fn looks_like_module(target: &str) -> bool {
    let has_ext = [".wasm", ".wat", ".wast"]
        .iter()
        .any(|e| target.ends_with(e));
    if has_ext || target.contains('/') || target.contains(std::path::MAIN_SEPARATOR) {
        return true;
    }
    Path::new(target).is_file() && lookup::explain_name(target).is_err()
}

/// Reads and parses a module, with errors located as `file:line:col` (text) or
/// `file:0xOFFSET` (binary).
pub fn load_module(path: &Path) -> anyhow::Result<Module> {
    // A `.wasm` without the magic would otherwise be read as text and fail confusingly at 1:1.
    if path.extension().is_some_and(|e| e == "wasm") {
        let mut head = Vec::new();
        let read = std::fs::File::open(path).and_then(|f| {
            use std::io::Read;
            f.take(4).read_to_end(&mut head)
        });
        if read.is_ok() && !crate::module::is_binary(&head) {
            anyhow::bail!(
                "{}:0x0: not a WebAssembly binary (no \\0asm magic)",
                path.display()
            );
        }
    }
    let shown = path.display().to_string();
    let raw = std::fs::read(path).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    if crate::module::is_component(&raw) {
        anyhow::bail!("{}", describe_component(&shown, &raw));
    }
    let input = crate::module::Input::new(&shown, raw).map_err(|e| anyhow::anyhow!("{e}"))?;
    // A text module's error is shown at its line and column, not at a binary offset.
    let located = |e: crate::module::ParseError| input.error_at(&shown, e.offset, &e.message);
    Module::parse(input.bytes.clone()).map_err(|e| anyhow::anyhow!("{}", located(e)))
}

/// What `rt explain` says of a component: its imports and exports (the world it lives in),
/// then that rt runs core modules and how to build one.
fn describe_component(shown: &str, raw: &[u8]) -> String {
    let bytes = match wat::parse_bytes(raw) {
        Ok(b) => b.into_owned(),
        Err(e) => return format!("{shown}: {e}"),
    };
    let mut out = String::new();
    if let Ok(summary) = crate::module::component::summarize(&bytes) {
        for (title, items) in [("imports", &summary.imports), ("exports", &summary.exports)] {
            out += &format!("{shown}: component {title}:");
            if items.is_empty() {
                out += " none";
            }
            for item in items.iter() {
                out += &format!("\n  {} ({})", item.name, item.kind);
            }
            out += "\n";
        }
    }
    out + &crate::module::component_explanation(shown)
}

fn to_json<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// Builds the report for `request` and renders it.
pub fn explain(request: Request<'_>, format: Format, style: Style) -> anyhow::Result<String> {
    let json = format == Format::Json;
    match request {
        Request::Name(name) => match lookup::explain_name(name)? {
            NameReport::Function(f) if json => to_json(&f),
            NameReport::Function(f) => Ok(text::function(&f, &style)),
            NameReport::Type(t) if json => to_json(&t),
            NameReport::Type(t) => Ok(text::type_usage(&t, &style)),
            NameReport::Libc(l) if json => to_json(&l),
            NameReport::Libc(l) => Ok(text::libc(&l, &style)),
            NameReport::Errno(e) if json => to_json(&e),
            NameReport::Errno(e) => Ok(text::errno(&e, &style)),
        },
        Request::Functions if json => to_json(&report::function_list()),
        Request::Functions => Ok(text::function_list(&report::function_list(), &style)),
        Request::Types if json => to_json(&report::type_list()),
        Request::Types => Ok(text::type_list(&report::type_list(), &style)),
        Request::Errno(key) => match lookup::explain_errno(key)? {
            ErrnoAnswer::One(e) if json => to_json(&e),
            ErrnoAnswer::One(e) => Ok(text::errno(&e, &style)),
            ErrnoAnswer::All(list) if json => to_json(&list),
            ErrnoAnswer::All(list) => Ok(text::errno_list(&list, &style)),
        },
        Request::Module(path) => {
            let module = load_module(path)?;
            let shown = path.display().to_string();
            let report = module_report::module_report(&shown, &module)
                .map_err(|e| anyhow::anyhow!("{shown}:{:#x}: {}", e.offset, e.message))?;
            if json {
                to_json(&report)
            } else {
                Ok(text_module::module(&report, &style))
            }
        }
    }
}

#[cfg(test)]
mod tests;
