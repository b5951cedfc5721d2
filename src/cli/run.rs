//! `rt run`: compile (or load from cache/artifact) and run a module.
use crate::runtime::{Error, Trap, TrapKind, Val};
use crate::wasi::WasiCtx;
use crate::{Engine, Linker, Module, Store};
use anyhow::{anyhow, bail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wasmparser::ValType;

/// wasmtime's exit status for a trap on Unix (what `abort()` gives).
pub const TRAP_EXIT_STATUS: u8 = 134;

#[derive(clap::Args, Debug)]
#[command(trailing_var_arg = true)]
pub struct Args {
    /// Set an environment variable for the guest: NAME=VALUE, or NAME to inherit the host's
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,
    /// Preopen a host directory: HOST (same path in the guest) or HOST::GUEST
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,
    /// Preopen a host directory under another guest path (wasmtime's older spelling)
    #[arg(long = "mapdir", value_name = "GUEST::HOST")]
    pub mapdirs: Vec<String>,
    /// Call this export instead of `_start` and print its results
    #[arg(long)]
    pub invoke: Option<String>,
    /// Load a module first and make its exports importable under NAME
    #[arg(long = "preload", value_name = "NAME=PATH")]
    pub preloads: Vec<String>,
    // The text is clap's help, where `[0]` must read as written, not as a rustdoc link.
    #[allow(rustdoc::broken_intra_doc_links)]
    /// Profile the guest with an external profiler: `perfmap` writes /tmp/perf-PID.map
    /// naming every compiled function, for `perf record` / `perf report`; `jitdump` writes
    /// ./jit-PID.dump (names and code) for `perf record -k mono` and `perf inject --jit`;
    /// `guest[,PATH[,INTERVAL]]` samples the wasm call stack every INTERVAL of CPU time
    /// (default 10ms) into folded stacks for flame graphs (default rt-guest-profile.folded)
    #[arg(long, value_name = "STRATEGY")]
    pub profile: Option<String>,
    /// The guest's argv[0] (default: the module's file name)
    #[arg(long)]
    pub argv0: Option<String>,
    #[command(flatten)]
    pub options: super::options::CodegenOptions,
    /// The module (.wasm, .wat, or an artifact from `rt compile`)
    pub module: PathBuf,
    /// Arguments for the guest (everything after MODULE)
    #[arg(allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let guest_profile = match args.profile.as_deref() {
        Some(p) if p == "guest" || p.starts_with("guest,") => Some(guest_profile_spec(p)?),
        _ => None,
    };
    let mut config = args.options.config()?;
    // The profiler tells functions LLVM inlined apart through the address map.
    config.generate_address_map(guest_profile.is_some());
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, wasi_ctx(&args)?);
    let limits = args.options.run_limits()?;
    if let Some(fuel) = limits.fuel {
        store.set_fuel(fuel)?;
    }
    if let Some(timeout) = limits.timeout {
        // The clock starts before instantiation, as wasmtime's does: a start function that
        // spins is interrupted too. The thread dies with the process.
        let handle = store.interrupt_handle();
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            handle.interrupt();
        });
    }
    let mut linker = Linker::new(&engine);
    crate::wasi::link::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
    let mut preloaded = Vec::new();
    for spec in &args.preloads {
        let (name, path) = spec
            .split_once('=')
            .ok_or_else(|| anyhow!("--preload expects NAME=PATH, got `{spec}`"))?;
        let m = load_module(&engine, Path::new(path))?;
        preloaded.push(m.clone());
        let inst = match linker.instantiate(&mut store, &m) {
            Ok(i) => i,
            Err(e) => return trapped(e).map_err(|e| anyhow!("{path}: {e}")),
        };
        linker.instance(&store, name, inst)?;
    }
    let shown = args.module.display().to_string();
    let m = load_module(&engine, &args.module)?;
    let linking = args.options.linking()?;
    if linking.unknown_imports_trap {
        linker.define_unknown_imports_as_traps(&m)?;
    }
    if linking.unknown_imports_default {
        linker.define_unknown_imports_as_default_values(&m)?;
    }
    match args.profile.as_deref() {
        None => {}
        Some("perfmap") => {
            // Every module this run loaded: the preloads were linked above; list them too.
            let mut compiled = vec![m.compiled()];
            compiled.extend(preloaded.iter().map(|p| p.compiled()));
            crate::runtime::perfmap::write(&compiled)
                .map_err(|e| anyhow!("cannot write the perf map: {e}"))?;
        }
        Some("jitdump") => {
            let mut compiled = vec![m.compiled()];
            compiled.extend(preloaded.iter().map(|p| p.compiled()));
            crate::runtime::jitdump::write(&compiled)
                .map_err(|e| anyhow!("cannot write the jitdump file: {e}"))?;
        }
        Some(_) if guest_profile.is_some() => {}
        Some(other) => {
            bail!("unknown --profile strategy `{other}` (known: perfmap, jitdump, guest)")
        }
    }
    let profile = match &guest_profile {
        Some((_, interval)) => {
            let mut compiled = vec![m.compiled()];
            compiled.extend(preloaded.iter().map(|p| p.compiled()));
            let started = crate::runtime::guestprof::start(&compiled, *interval)
                .map_err(|e| anyhow!("cannot start the guest profiler: {e}"))?;
            Some(started)
        }
        None => None,
    };
    // Everything from instantiation to the entry's return is profiled, however it ends.
    let mut go = || -> anyhow::Result<ExitCode> {
        let inst = match linker.instantiate(&mut store, &m) {
            Ok(i) => i,
            Err(e) => return trapped(e).map_err(|e| anyhow!("{shown}: {e}")),
        };
        // A WASI reactor initialises itself through `_initialize` before anything else is called.
        if let Some(init) = inst.get_func(&store, "_initialize") {
            if let Err(e) = init.call(&mut store, &[], &mut []) {
                return trapped(e);
            }
        }
        let (func, call_args) = match &args.invoke {
            Some(name) => {
                let Some(f) = inst.get_func(&store, name) else {
                    bail!("{shown}: no exported function named `{name}`");
                };
                let ty = f.ty(&store);
                let raw: Vec<String> = args
                    .args
                    .iter()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect();
                if raw.len() != ty.params().len() {
                    bail!(
                        "`{name}` takes {} argument(s), {} given",
                        ty.params().len(),
                        raw.len()
                    );
                }
                let vals = raw
                    .iter()
                    .zip(ty.params())
                    .map(|(a, t)| parse_arg(a, *t))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                (f, vals)
            }
            None => match inst.get_func(&store, "_start") {
                Some(f) => (f, Vec::new()),
                None => return Ok(ExitCode::SUCCESS),
            },
        };
        let mut results: Vec<Val> = func
            .ty(&store)
            .results()
            .iter()
            .map(|t| Val::default_for(*t))
            .collect();
        match func.call(&mut store, &call_args, &mut results) {
            Ok(()) => {
                if args.invoke.is_some() {
                    for r in results {
                        println!("{}", format_val(r));
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => trapped(e),
        }
    };
    let outcome = go();
    if let (Some(profile), Some((path, _))) = (profile, &guest_profile) {
        profile
            .finish(path)
            .map_err(|e| anyhow!("cannot write the guest profile {}: {e}", path.display()))?;
    }
    outcome
}

/// `guest[,PATH[,INTERVAL]]`: where the guest profile goes (default
/// `rt-guest-profile.folded`) and how often it samples (`10ms` by default; `us` and `ms`
/// suffixes, a bare number is milliseconds).
fn guest_profile_spec(spec: &str) -> anyhow::Result<(PathBuf, std::time::Duration)> {
    let mut parts = spec.splitn(3, ',').skip(1);
    let path = match parts.next() {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from("rt-guest-profile.folded"),
    };
    let interval = match parts.next() {
        None => crate::runtime::guestprof::DEFAULT_INTERVAL,
        Some(i) => {
            let bad = || anyhow!("--profile=guest: bad interval `{i}` (e.g. 1ms, 500us)");
            let (digits, scale) = if let Some(us) = i.strip_suffix("us") {
                (us, 1)
            } else {
                (i.strip_suffix("ms").unwrap_or(i), 1000)
            };
            let n: u64 = digits.parse().map_err(|_| bad())?;
            if n == 0 {
                return Err(bad());
            }
            std::time::Duration::from_micros(n.saturating_mul(scale))
        }
    };
    Ok((path, interval))
}

/// A trap (or `proc_exit`) becomes the exit status; any other error stays an error.
fn trapped(e: anyhow::Error) -> anyhow::Result<ExitCode> {
    let trap = match e.downcast_ref::<Error>() {
        Some(Error::Trap(t)) => Some(t),
        _ => e.downcast_ref::<Trap>(),
    };
    match trap {
        Some(t) => Ok(report_trap(t)),
        None => Err(e),
    }
}

/// The guest's WASI context from the command line (its args, env and preopened dirs).
pub fn wasi_ctx(args: &Args) -> anyhow::Result<WasiCtx> {
    let config = crate::wasi::WasiConfig::from_cli(
        &args.env,
        &args.dirs,
        &args.mapdirs,
        args.argv0.as_deref(),
        &args.module,
        &args.args,
    )
    .map_err(|e| anyhow!(e))?;
    WasiCtx::new(config).map_err(|e| anyhow!(e))
}

/// Load a module for running: an artifact from `rt compile` (no LLVM work), or a .wasm/.wat
/// file compiled through the cache.
pub fn load_module(engine: &Engine, path: &Path) -> anyhow::Result<Module> {
    Module::from_file_cached(engine, path)
}

/// wasmtime's exit status when an exception escapes the program or a host function fails
/// (an ordinary error, not the abort a trap gives).
pub const ERROR_EXIT_STATUS: u8 = 1;

/// Print a trap like wasmtime (message, then the wasm backtrace) and pick the exit status:
/// the guest's for `proc_exit`, 134 for a trap, 1 for an uncaught exception or a host
/// function's error, which wasmtime reports in the same words but not as a "wasm trap".
pub fn report_trap(t: &Trap) -> ExitCode {
    if let TrapKind::Exit(code) = t.kind {
        return ExitCode::from(code as u8);
    }
    let not_a_trap = matches!(t.kind, TrapKind::Exception(_) | TrapKind::Host(_));
    if not_a_trap {
        eprintln!("error: {}", t.kind);
    } else {
        eprintln!("error: wasm trap: {}", t.kind);
    }
    if !t.frames.is_empty() {
        eprintln!("wasm backtrace:");
        eprint!("{}", detailed_backtrace(&t.frames));
    } else if !t.backtrace.is_empty() {
        eprintln!("wasm backtrace:");
        for (i, f) in t.backtrace.iter().enumerate() {
            eprintln!("  {i:>3}: {f}");
        }
    }
    ExitCode::from(if not_a_trap {
        ERROR_EXIT_STATUS
    } else {
        TRAP_EXIT_STATUS
    })
}

/// Detailed frames (`RT_BACKTRACE_DETAILS=1`) in wasmtime's layout: the instruction's offset
/// in the module, then each source function DWARF gives it (innermost first, the ones it was
/// inlined into after) with its file, line and column; without DWARF, `MODULE!FUNCTION`.
pub fn detailed_backtrace(frames: &[crate::FrameInfo]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (i, frame) in frames.iter().enumerate() {
        let _ = write!(out, "  {i:>3}: ");
        if let Some(offset) = frame.module_offset {
            let _ = write!(out, "{offset:#8x} - ");
        }
        let raw_name = match &frame.func_name {
            Some(name) => name.clone(),
            None => format!("<wasm function {}>", frame.func_index),
        };
        if frame.symbols.is_empty() {
            let module = frame.module_name.as_deref().unwrap_or("<unknown>");
            let _ = write!(out, "{module}!{raw_name}");
        }
        for (j, symbol) in frame.symbols.iter().enumerate() {
            if j > 0 {
                out.push_str("\n                - ");
            }
            match &symbol.name {
                Some(name) => out.push_str(name),
                None if j == 0 => out.push_str(&raw_name),
                None => out.push_str("<inlined function>"),
            }
            if let Some(file) = &symbol.file {
                let _ = write!(out, "\n                    at {file}");
                if let Some(line) = symbol.line {
                    let _ = write!(out, ":{line}");
                    if let Some(column) = symbol.column {
                        let _ = write!(out, ":{column}");
                    }
                }
            }
        }
        out.push('\n');
    }
    out
}

fn parse_arg(a: &str, ty: ValType) -> anyhow::Result<Val> {
    let bad = || anyhow!("invalid {ty} argument `{a}`");
    Ok(match ty {
        ValType::I32 => Val::I32(parse_int(a, 32).ok_or_else(bad)? as i32),
        ValType::I64 => Val::I64(parse_int(a, 64).ok_or_else(bad)? as i64),
        ValType::F32 => Val::F32(a.parse::<f32>().map_err(|_| bad())?.to_bits()),
        ValType::F64 => Val::F64(a.parse::<f64>().map_err(|_| bad())?.to_bits()),
        // wasmtime refuses v128 arguments; rt takes the 128 bits as one number, decimal or
        // `0x` hex, lane 0 in the low bits (the form results are printed in).
        ValType::V128 => Val::V128(match a.strip_prefix("0x") {
            Some(h) => u128::from_str_radix(h, 16).map_err(|_| bad())?,
            None => a.parse().map_err(|_| bad())?,
        }),
        // No reference can be named on the command line, but a nullable one can be null.
        ValType::Ref(r) if r.is_nullable() && a == "null" => Val::default_for(ty),
        _ => bail!("cannot pass a {ty} argument from the command line"),
    })
}

/// Accept both signed and unsigned spellings of a `bits`-wide integer (wasmtime does).
fn parse_int(a: &str, bits: u32) -> Option<i128> {
    let v: i128 = match a.strip_prefix("0x") {
        Some(h) => i128::from_str_radix(h, 16).ok()?,
        None => a.parse().ok()?,
    };
    let min = -(1i128 << (bits - 1));
    let max = (1i128 << bits) - 1;
    (min..=max).contains(&v).then_some(v)
}

fn format_val(v: Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(b).to_string(),
        Val::F64(b) => f64::from_bits(b).to_string(),
        // wasmtime prints a v128 as one unsigned decimal number.
        Val::V128(b) => b.to_string(),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => "null".into(),
        Val::ExnRef(Some(_)) => "<exnref>".into(),
        Val::FuncRef(Some(_)) => "<funcref>".into(),
        Val::ExternRef(Some(x)) => format!("<externref {x}>"),
        Val::AnyRef(None) => "null".into(),
        Val::AnyRef(Some(crate::runtime::AnyRef::I31(x))) => format!("<i31ref {x}>"),
        Val::AnyRef(Some(crate::runtime::AnyRef::Host(x))) => format!("<anyref {x}>"),
        Val::AnyRef(Some(crate::runtime::AnyRef::Struct(_))) => "<structref>".into(),
        Val::AnyRef(Some(crate::runtime::AnyRef::Array(_))) => "<arrayref>".into(),
        Val::ExternAny(_) => "<externref>".into(),
    }
}
