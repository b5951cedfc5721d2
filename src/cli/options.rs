//! Flags shared by the subcommands that compile (`run`, `compile`): wasmtime's `-O` and `-W`
//! spellings, which only fill in a [`Config`]. Not a subcommand of its own.
use crate::{Config, OptLevel};
use anyhow::{anyhow, bail, Result};
use wasmparser::WasmFeatures;

#[derive(clap::Args, Debug, Default, Clone)]
pub struct CodegenOptions {
    /// Optimisation and code-generation options, comma-separated KEY=VALUE (repeatable):
    /// opt-level=0|1|2|3|s (also written -O0 .. -O3; 0 compiles fastest, 2 is the default,
    /// 3 is LLVM's full default<O3>), signals-based-traps=y|n (n: an explicit bounds check on every
    /// memory access)
    #[arg(short = 'O', value_name = "KEY=VALUE[,...]")]
    pub optimize: Vec<String>,
    /// WebAssembly features, comma-separated NAME[=y|n] (repeatable), in wasmtime's names:
    /// simd, relaxed-simd, tail-call, extended-const, multi-memory, memory64,
    /// function-references, gc, exceptions, threads, wide-arithmetic, custom-page-sizes,
    /// custom-descriptors; relaxed-simd-deterministic (relaxed SIMD gives the same answers
    /// on every host); max-memories=N, max-tables=N, max-instances=N (per store, default
    /// 10000), max-memory-size=BYTES, max-table-elements=N, max-wasm-stack=BYTES,
    /// trap-on-grow-failure; max-gc-heap=SIZE
    /// (bytes of GC objects per store, K/M/G suffixes, default 1G);
    /// unknown-imports-trap (functions nothing defines fail when called) and
    /// unknown-imports-default (they return zeros), fuel=N (trap after N operators) and
    /// timeout=DURATION (trap after that long: 500ms, 2s, 1m), for `rt run`
    #[arg(short = 'W', value_name = "NAME[=y|n][,...]")]
    pub wasm: Vec<String>,
    /// Debugging options, comma-separated KEY[=y|n] (repeatable): debug-info (DWARF for the
    /// generated code from the module's, registered with GDB's JIT interface)
    #[arg(short = 'D', value_name = "KEY[=y|n][,...]")]
    pub debug: Vec<String>,
}

impl CodegenOptions {
    /// The engine configuration these flags (and `RT_BOUNDS_CHECKS=1`, kept for old scripts)
    /// describe.
    pub fn config(&self) -> Result<Config> {
        let mut config = Config::new();
        // A long compile shows its progress (only when stderr is a terminal).
        config.compile_progress(true);
        if std::env::var("RT_BOUNDS_CHECKS").is_ok_and(|v| v == "1") {
            config.explicit_bounds_checks(true);
        }
        config.wasm_backtrace_details(backtrace_details_env());
        apply_opt_switches(&mut config, &self.optimize)?;
        for (key, value) in pairs(&self.debug) {
            match key {
                "debug-info" => config.debug_info(yes(key, value)?),
                other => bail!("unknown -D option `{other}` (known: debug-info)"),
            };
        }
        apply_wasm_switches(&mut config, &self.wasm)?;
        Ok(config)
    }
}

/// Apply `-O` switches to `config`: the optimisation level and explicit bounds checks, for
/// `rt run`, `rt compile` and `rt wast`.
pub fn apply_opt_switches(config: &mut Config, switches: &[String]) -> Result<()> {
    for (key, value) in pairs(switches) {
        // `-O0` .. `-O3` (a compiler's spelling) mean `-O opt-level=N`.
        let (key, value) = match key {
            "0" | "1" | "2" | "3" | "s" if value == "y" => ("opt-level", key),
            _ => (key, value),
        };
        match (key, value) {
            ("opt-level", "0") => config.opt_level(OptLevel::None),
            ("opt-level", "1") => config.opt_level(OptLevel::Less),
            ("opt-level", "2") => config.opt_level(OptLevel::Speed),
            ("opt-level", "3" | "s") => config.opt_level(OptLevel::SpeedAndSize),
            ("signals-based-traps", v) => config.explicit_bounds_checks(!yes(key, v)?),
            ("opt-level", other) => bail!("-O opt-level={other}: expected 0, 1, 2, 3 or s"),
            (other, _) => {
                bail!("unknown -O option `{other}` (known: opt-level, signals-based-traps)")
            }
        };
    }
    Ok(())
}

/// Whether the environment asks for detailed trap backtraces: `RT_BACKTRACE_DETAILS=1`, or
/// wasmtime's `WASMTIME_BACKTRACE_DETAILS=1`.
pub fn backtrace_details_env() -> bool {
    ["RT_BACKTRACE_DETAILS", "WASMTIME_BACKTRACE_DETAILS"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| v == "1"))
}

/// Apply `-W` switches to `config`: language features, `relaxed-simd-deterministic` (a
/// code-generation switch rather than a feature), `max-memories=N` and `max-gc-heap=SIZE`
/// (store limits), for
/// `rt run`, `rt compile` and `rt wast`.
pub fn apply_wasm_switches(config: &mut Config, switches: &[String]) -> Result<()> {
    let mut languages = Vec::new();
    for (name, value) in pairs(switches) {
        if name == "relaxed-simd-deterministic" {
            config.relaxed_simd_deterministic(yes(name, value)?);
        } else if name == "fuel" {
            // The amount is the store's (`run_limits`); the code must count it.
            parse_fuel(value)?;
            config.consume_fuel(true);
        } else if name == "timeout" {
            parse_duration(value)?;
            config.interruptible(true);
        } else if LINKING_SWITCHES.contains(&name) {
            // How `rt run` links, not how code is generated: read by `linking()`.
            yes(name, value)?;
        } else if name == "trap-on-grow-failure" {
            config.trap_on_grow_failure(yes(name, value)?);
        } else if let Some(set) = store_limit(name) {
            let n: u64 = value
                .parse()
                .map_err(|_| anyhow!("{name}={value}: expected a number"))?;
            set(config, n);
        } else if name == "max-gc-heap" {
            let n = parse_size(value).ok_or_else(|| {
                anyhow!("max-gc-heap={value}: expected a size in bytes (K, M, G suffixes allowed)")
            })?;
            config.max_gc_heap(n);
        } else {
            languages.push(format!("{name}={value}"));
        }
    }
    let mut features = config.features();
    switch_features(&mut features, &languages)?;
    config.wasm_features(features);
    Ok(())
}

/// The `-W` switches that bound what a store creates, and how each sets the `Config`.
fn store_limit(name: &str) -> Option<fn(&mut Config, u64)> {
    Some(match name {
        "max-memories" => |c, n| {
            c.max_memories(n as usize);
        },
        "max-tables" => |c, n| {
            c.max_tables(n as usize);
        },
        "max-instances" => |c, n| {
            c.max_instances(n as usize);
        },
        "max-memory-size" => |c, n| {
            c.max_memory_size(n);
        },
        "max-table-elements" => |c, n| {
            c.max_table_elements(n);
        },
        "max-wasm-stack" => |c, n| {
            c.max_wasm_stack(n as usize);
        },
        _ => return None,
    })
}

/// `-W fuel=N` and `-W timeout=DURATION`: what bounds a run (wasmtime's switches).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunLimits {
    /// Fuel units the store starts with.
    pub fuel: Option<u64>,
    /// How long the guest may run before it is interrupted.
    pub timeout: Option<std::time::Duration>,
}

impl RunLimits {
    pub fn any(&self) -> bool {
        self.fuel.is_some() || self.timeout.is_some()
    }
}

fn parse_fuel(value: &str) -> Result<u64> {
    value
        .parse()
        .map_err(|_| anyhow!("fuel={value}: expected a number of fuel units"))
}

/// A duration in wasmtime's spelling: a number with a unit (`ns`, `us`, `ms`, `s`, `m`, `h`);
/// a bare number is seconds.
pub fn parse_duration(value: &str) -> Result<std::time::Duration> {
    let bad = || anyhow!("timeout={value}: expected a duration such as 500ms, 2s or 1m");
    let digits = value
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(digits);
    let number: f64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit.trim() {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    std::time::Duration::try_from_secs_f64(number * seconds).map_err(|_| bad())
}

/// A byte size: a number with an optional K, M or G suffix (powers of 1024).
fn parse_size(s: &str) -> Option<usize> {
    let (digits, unit) = match s.char_indices().last()? {
        (i, 'k' | 'K') => (&s[..i], 1usize << 10),
        (i, 'm' | 'M') => (&s[..i], 1 << 20),
        (i, 'g' | 'G') => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(unit)
}

/// The `-W` switches that decide how `rt run` satisfies imports rather than what it compiles.
const LINKING_SWITCHES: [&str; 2] = ["unknown-imports-trap", "unknown-imports-default"];

/// What to do with function imports that nothing defines (wasmtime's `-W` switches of the
/// same names); by default they fail instantiation.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Linking {
    /// `unknown-imports-trap=y`: each fails when called, with the unknown-import message.
    pub unknown_imports_trap: bool,
    /// `unknown-imports-default=y`: each returns zeros (null references).
    pub unknown_imports_default: bool,
}

impl CodegenOptions {
    /// `-W fuel` and `-W timeout` among the `-W` flags.
    pub fn run_limits(&self) -> Result<RunLimits> {
        let mut limits = RunLimits::default();
        for (name, value) in pairs(&self.wasm) {
            match name {
                "fuel" => limits.fuel = Some(parse_fuel(value)?),
                "timeout" => limits.timeout = Some(parse_duration(value)?),
                _ => {}
            }
        }
        Ok(limits)
    }

    /// The linking switches among the `-W` flags.
    pub fn linking(&self) -> Result<Linking> {
        let mut linking = Linking::default();
        for (name, value) in pairs(&self.wasm) {
            match name {
                "unknown-imports-trap" => linking.unknown_imports_trap = yes(name, value)?,
                "unknown-imports-default" => linking.unknown_imports_default = yes(name, value)?,
                _ => {}
            }
        }
        Ok(linking)
    }
}

/// Apply `-W` switches (`NAME`, `NAME=y`, `NAME=n`, comma-separated) to `features`.
pub fn switch_features(features: &mut WasmFeatures, switches: &[String]) -> Result<()> {
    for (name, value) in pairs(switches) {
        let feature = crate::features::by_name(name).ok_or_else(|| {
            let known: Vec<&str> = crate::features::FEATURES.iter().map(|f| f.name).collect();
            anyhow!(
                "unknown feature `{name}` in -W (known: {})",
                known.join(", ")
            )
        })?;
        features.set(feature.flags, yes(name, value)?);
    }
    Ok(())
}

/// `KEY[=VALUE]` items of comma-separated lists; a bare KEY means `KEY=y`.
fn pairs(lists: &[String]) -> impl Iterator<Item = (&str, &str)> {
    lists
        .iter()
        .flat_map(|list| list.split(','))
        .filter(|item| !item.is_empty())
        .map(|item| item.split_once('=').unwrap_or((item, "y")))
}

fn yes(key: &str, value: &str) -> Result<bool> {
    match value {
        "y" | "yes" | "true" => Ok(true),
        "n" | "no" | "false" => Ok(false),
        other => bail!("{key}={other}: expected y or n"),
    }
}

/// `-W help`, `-O help` and `-D help` (wasmtime's way of listing what each group of `KEY=VALUE`
/// options takes): the listing for `letter`, in wasmtime's layout.
pub fn option_help(letter: char) -> Option<String> {
    let (group, entries): (&str, Vec<(String, String)>) = match letter {
        'O' => (
            "optimize",
            vec![
                (
                    "opt-level=0|1|2|3|s".into(),
                    "Optimization level of generated code (0: none, fastest compile; 1: light; 2: lean pipeline, the default; 3 and s: LLVM O3)".into(),
                ),
                (
                    "signals-based-traps[=y|n]".into(),
                    "Use guard pages for memory bounds (n: an explicit check on every access)".into(),
                ),
            ],
        ),
        'D' => (
            "debug",
            vec![(
                "debug-info[=y|n]".into(),
                "Give generated code debug information from the module's DWARF, registered with GDB".into(),
            )],
        ),
        'W' => {
            let mut entries: Vec<(String, String)> = crate::features::FEATURES
                .iter()
                .map(|f| {
                    (
                        format!("{}[=y|n]", f.name),
                        format!("Configure support for {}.", f.prose),
                    )
                })
                .collect();
            for (spec, what) in [
                ("relaxed-simd-deterministic[=y|n]", "Give relaxed SIMD operators the same answers on every host."),
                ("fuel=N", "Run on N units of fuel, one per operator, trapping when it runs out."),
                ("timeout=N|Ns|Nms|..", "Maximum execution time of wasm code before it traps (1, 2s, 100ms, etc)."),
                ("max-wasm-stack=N", "Maximum native stack, in bytes, wasm may use below its outermost entry."),
                ("max-memory-size=N", "Maximum size, in bytes, that a linear memory is allowed to reach."),
                ("max-table-elements=N", "Maximum size, in table elements, that a table is allowed to reach."),
                ("max-instances=N", "Maximum number of WebAssembly instances allowed to be created."),
                ("max-tables=N", "Maximum number of WebAssembly tables allowed to be created."),
                ("max-memories=N", "Maximum number of WebAssembly linear memories allowed to be created."),
                ("max-gc-heap=N", "Maximum bytes of GC objects a store may hold (K, M, G suffixes)."),
                ("trap-on-grow-failure[=y|n]", "End the call when memory.grow or table.grow fails instead of returning -1."),
                ("unknown-imports-trap[=y|n]", "Define unknown imported functions as ones that fail when called."),
                ("unknown-imports-default[=y|n]", "Define unknown imported functions as ones that return zeros."),
            ] {
                entries.push((spec.into(), what.into()));
            }
            ("wasm", entries)
        }
        _ => return None,
    };
    let width = entries.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
    let mut out = format!("Available {group} options:\n\n");
    for (spec, what) in entries {
        out += &format!("  -{letter} {spec:>width$} -- {what}\n");
    }
    Some(out)
}

/// The option group whose help `args` (a subcommand's arguments) ask for: `-W help`,
/// `-Whelp`, `-O help`, `-D help`.
pub fn help_requested(args: &[String]) -> Option<char> {
    args.iter().enumerate().find_map(|(i, a)| {
        let (letter, value) = match a.as_str() {
            "-W" | "-O" | "-D" => (a.chars().nth(1)?, args.get(i + 1)?.as_str()),
            other if other.len() > 2 && ["-W", "-O", "-D"].contains(&&other[..2]) => {
                (other.chars().nth(1)?, &other[2..])
            }
            _ => return None,
        };
        (value == "help").then_some(letter)
    })
}
