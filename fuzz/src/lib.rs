//! The fuzz targets' bodies. Each `fuzz_targets/*.rs` is one line that calls a function here,
//! so the harnesses build and run on stable too: `cargo test` in this crate replays the seed
//! corpus through every one of them (`make fuzz-check`), without libFuzzer or nightly.
//!
//! The contract each harness checks is "no panic, no crash, terminates"; the differential
//! one also panics when rt and wasmi disagree (see [`differential`]).
pub mod differential;

use std::hint::black_box;

/// Inputs larger than this are skipped by the text targets: they add run time, not coverage
/// (libFuzzer is also run with `-max_len` well under it).
const MAX_TEXT: usize = 64 * 1024;

/// Target 1: the module reader on arbitrary bytes, as every subcommand reads a module: the
/// text-or-binary front door, the feature check, full validation, the module model, and the
/// partial model objdump reads a damaged file into. A binary that validates must also parse
/// into the model (the model's reader must not be stricter than the validator).
pub fn parse(data: &[u8]) {
    if rt::module::is_component(data) {
        let _ = black_box(rt::module::component::summarize(data));
        return;
    }
    let bytes = match rt::module::Input::new("fuzz.wasm", data.to_vec()) {
        Ok(input) => input.bytes,
        Err(_) => return,
    };
    let _ = black_box(rt::features::check(&bytes, rt::features::wasm3()));
    let valid = rt::module::validate(&bytes, rt::features::wasm3()).is_ok();
    let parsed = rt::module::Module::parse(bytes.clone());
    if valid {
        if let Err(e) = &parsed {
            panic!("validated under Wasm 3.0 but the module model refused it: {e:?}");
        }
    }
    if let Ok(module) = parsed {
        black_box(module.num_funcs());
    }
    let (partial, errors) = rt::module::Module::parse_partial(bytes, rt::module::WABT_READS);
    black_box((partial.sections.len(), errors.len()));
}

/// Target 2: `rt objdump -h -x -d -s` on arbitrary bytes (and once more with `-r` and
/// `--section-offsets`), output to a sink.
pub fn objdump(data: &[u8]) {
    let all = rt::objdump::Options {
        headers: true,
        details: true,
        disassemble: true,
        raw: true,
        ..Default::default()
    };
    let dump = rt::objdump::dump("fuzz.wasm", data.to_vec(), &all, &mut std::io::sink());
    black_box((dump.errors.len(), dump.failed));
    let relocs = rt::objdump::Options {
        relocs: true,
        section_offsets: true,
        ..all
    };
    let dump = rt::objdump::dump("fuzz.wasm", data.to_vec(), &relocs, &mut std::io::sink());
    black_box((dump.errors.len(), dump.failed));
}

/// Target 3: `rt explain FILE` (text and JSON) on arbitrary bytes. explain's entry point reads
/// a file, so the input is written to one per process; the name ends in `.wasm` when the
/// bytes start with the magic and `.wat` otherwise, as a user's files would.
pub fn explain(data: &[u8]) {
    use rt::explain::{explain, text::Style, Format, Request};
    let ext = if data.starts_with(b"\0asm") {
        "wasm"
    } else {
        "wat"
    };
    let path = std::env::temp_dir().join(format!("rt-fuzz-explain-{}.{ext}", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    for format in [Format::Text, Format::Json] {
        let style = Style {
            color: false,
            width: Some(80),
        };
        let _ = black_box(explain(Request::Module(&path), format, style));
    }
    let _ = std::fs::remove_file(&path);
}

/// Target 4: the spec-script runner on arbitrary text. Modules compile at opt-level 0 (the
/// runner's job is the script, not LLVM's optimiser), with small store limits, and with fuel
/// on: the runner never sets any, so guest code stops at its first fuel check and a script
/// cannot loop forever. The runner turns a panic inside a directive into a failure message;
/// here such a message is re-raised so libFuzzer sees it.
pub fn wast(data: &[u8]) {
    if data.len() > MAX_TEXT {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut config = rt::Config::new();
    config
        .opt_level(rt::OptLevel::None)
        .consume_fuel(true)
        .max_memory_size(1 << 20)
        .max_table_elements(10_000)
        .max_memories(8)
        .max_tables(8)
        .max_instances(16);
    if let Ok(report) = rt::wast::run_script("fuzz.wast", text, &config) {
        for failure in &report.failures {
            if failure.message.contains("rt panicked") {
                panic!("{}:{}: {}", failure.line, failure.col, failure.message);
            }
        }
    }
}

/// Target 5: `rt wat2wasm` on arbitrary text, with wabt's default features and with all of
/// them, plain and with the `-v` log and debug names.
pub fn wat2wasm(data: &[u8]) {
    use rt::wat2wasm::{assemble, Features, Options};
    if data.len() > MAX_TEXT {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let plain = Options::default();
    let verbose = Options {
        features: Features::all(),
        debug_names: true,
        verbose: true,
        ..Options::default()
    };
    for opts in [plain, verbose] {
        if let Ok(out) = black_box(assemble("fuzz.wat", text, &opts)) {
            black_box((out.wasm.len(), out.log.map(|l| l.len())));
        }
    }
}

#[cfg(test)]
mod tests {
    //! Every harness over the seed corpus: a cheap check that they build and that the
    //! corpus itself passes (a seed that fails would stop libFuzzer at once).
    use std::path::Path;

    fn replay(target: &str, harness: fn(&[u8])) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(target);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            harness(&std::fs::read(&path).unwrap());
            n += 1;
        }
        assert!(n > 0, "no seeds in {}", dir.display());
    }

    #[test]
    fn parse_seeds() {
        replay("parse", super::parse);
    }

    #[test]
    fn objdump_seeds() {
        replay("objdump", super::objdump);
    }

    #[test]
    fn explain_seeds() {
        replay("explain", super::explain);
    }

    #[test]
    fn wast_seeds() {
        replay("wast", super::wast);
    }

    #[test]
    fn wat2wasm_seeds() {
        replay("wat2wasm", super::wat2wasm);
    }

    #[test]
    fn differential_seeds() {
        replay("differential", |data| {
            super::differential::check(data);
        });
    }
}
