//! `--profile=perfmap`: the `/tmp/perf-PID.map` file `perf report` reads to name code that
//! has no symbol table of its own: one line per compiled function, `START SIZE NAME` in hex,
//! named as trap backtraces name them (the name section's name, else `func[N]`).
use super::CompiledModule;
use std::io::Write;
use std::path::PathBuf;

/// The lines for one loaded module.
pub fn lines(module: &CompiledModule) -> String {
    let mut out = String::new();
    for &(start, end, index) in module.func_ranges.iter() {
        let name = match module.module.func_name(index) {
            Some(n) => n.to_string(),
            None => format!("func[{index}]"),
        };
        out.push_str(&format!("{start:x} {:x} {name}\n", end - start));
    }
    out
}

/// Append the lines of `modules` to this process's perf map, creating it if needed.
pub fn write(modules: &[&CompiledModule]) -> std::io::Result<PathBuf> {
    let path = PathBuf::from(format!("/tmp/perf-{}.map", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    for m in modules {
        file.write_all(lines(m).as_bytes())?;
    }
    Ok(path)
}
