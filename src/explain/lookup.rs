//! Turning what the user typed into a catalog entry: a function (bare, `module.name`, or the
//! libc wrapper `__wasi_name`), a type (`dirent`, `__wasi_dirent_t`), a libc function, or an
//! errno; otherwise an error naming the nearest known names.
use super::catalog::{
    find_errno, find_function, find_type, functions, functions_reached_by_libc, libc_names, ERRNOS,
    SNAPSHOT0_NOTE, TYPES, WASI_MODULES,
};
use super::report::{
    errno_list, function_report, libc_report, type_usage_report, ErrnoListReport, ErrnoReport,
    FunctionReport, LibcReport, TypeUsageReport,
};
use super::suggest::nearest;
use anyhow::bail;

/// What a name turned out to be.
#[derive(Debug, Clone)]
pub enum NameReport {
    Function(Box<FunctionReport>),
    Type(TypeUsageReport),
    Libc(LibcReport),
    Errno(ErrnoReport),
}

/// Strips `wasi_snapshot_preview1.` / `wasi_unstable.`; any other `module.` is an error.
fn strip_module(name: &str) -> anyhow::Result<&str> {
    let Some((module, rest)) = name.split_once('.') else {
        return Ok(name);
    };
    if WASI_MODULES.contains(&module) {
        return Ok(rest);
    }
    bail!(
        "`{module}` is not a WASI preview1 module; use `{}.NAME`, `{}.NAME` or a bare name",
        WASI_MODULES[0],
        WASI_MODULES[1]
    )
}

/// The catalog name behind spellings C code uses (`__wasi_fd_write`, `__wasi_dirent_t`,
/// `__imported_wasi_snapshot_preview1_fd_write`) or witx uses (`$fd`).
fn canonical(name: &str) -> &str {
    let name = name.trim_start_matches('$');
    if let Some(rest) = name.strip_prefix("__imported_wasi_snapshot_preview1_") {
        return rest;
    }
    match name.strip_prefix("__wasi_") {
        Some(rest) => rest
            .strip_suffix("_t")
            .filter(|t| find_type(t).is_some())
            .unwrap_or(rest),
        None => name,
    }
}

pub fn explain_name(typed: &str) -> anyhow::Result<NameReport> {
    let name = canonical(strip_module(typed)?);
    if let Some(f) = find_function(name) {
        let mut report = function_report(f);
        if typed.starts_with("wasi_unstable.") {
            report.notes.push(SNAPSHOT0_NOTE);
        }
        return Ok(NameReport::Function(Box::new(report)));
    }
    if let Some(t) = find_type(name) {
        return Ok(NameReport::Type(type_usage_report(t)));
    }
    let reached = functions_reached_by_libc(name);
    if !reached.is_empty() {
        return Ok(NameReport::Libc(libc_report(name, &reached)));
    }
    if name.parse::<u32>().is_err() {
        if let Some(e) = find_errno(name) {
            return Ok(NameReport::Errno(ErrnoReport::new(e)));
        }
    }
    let libc = libc_names();
    let candidates = functions()
        .map(|f| f.name)
        .chain(TYPES.iter().map(|t| t.name))
        .chain(libc.iter().copied());
    let close = nearest(name, candidates, 3);
    let hint = if close.is_empty() {
        "`rt explain functions` and `rt explain types` list every name".to_string()
    } else {
        format!("did you mean {}?", quoted_list(&close))
    };
    bail!("unknown WASI function, type or libc function `{typed}`; {hint}")
}

/// What `rt explain errno [KEY]` shows.
#[derive(Debug, Clone)]
pub enum ErrnoAnswer {
    One(ErrnoReport),
    All(ErrnoListReport),
}

/// `errno N`, `errno NAME`, or with no key every errno.
pub fn explain_errno(key: Option<&str>) -> anyhow::Result<ErrnoAnswer> {
    let Some(key) = key else {
        return Ok(ErrnoAnswer::All(errno_list()));
    };
    if let Some(e) = find_errno(key) {
        return Ok(ErrnoAnswer::One(ErrnoReport::new(e)));
    }
    if let Ok(n) = key.parse::<u64>() {
        bail!(
            "unknown errno {n}: WASI errnos are 0 to {}",
            ERRNOS.len() - 1
        );
    }
    let lower = key.to_ascii_lowercase();
    let bare = lower.strip_prefix('e').filter(|_| lower.len() > 1);
    let candidates = ERRNOS.iter().map(|e| e.name);
    let mut close = nearest(&lower, candidates.clone(), 3);
    if let Some(bare) = bare {
        for c in nearest(bare, candidates, 3) {
            if !close.contains(&c) {
                close.push(c);
            }
        }
    }
    let hint = if close.is_empty() {
        "`rt explain errno` lists them all".to_string()
    } else {
        format!("did you mean {}?", quoted_list(&close))
    };
    bail!("unknown errno `{key}`; {hint}")
}

fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}
