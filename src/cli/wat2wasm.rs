//! `rt wat2wasm`: wabt 1.0.32's wat2wasm, same flags, same bytes, same `-v` log.
use crate::wat2wasm::{assemble, dump_module, Features, Options, FEATURES};
use anyhow::Context;
use clap::{Arg, ArgAction, ArgMatches};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The text module to read (.wat; a .wast holding one module works too); `-` reads stdin
    pub file: PathBuf,
    /// Output file; `-` writes to stdout. Default: the input's file name with its extension
    /// replaced by `.wasm`, in the current directory (as wabt does)
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    pub output: Option<PathBuf>,
    /// Print wabt's annotated hex dump of the written module (on stderr, where wabt prints it)
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub verbose: u8,
    /// Accepted for compatibility: wabt prints nothing extra for a module that parses
    #[arg(long = "debug-parser")]
    pub debug_parser: bool,
    /// Print a hex dump of the module to stdout
    #[arg(short = 'd', long = "dump-module")]
    pub dump_module: bool,
    /// Not supported: relocatable output (linking and reloc sections) is not implemented
    #[arg(short = 'r', long = "relocatable")]
    pub relocatable: bool,
    /// Write all LEB128 sizes as 5 bytes instead of their minimal size
    #[arg(long = "no-canonicalize-leb128s")]
    pub no_canonicalize_leb128s: bool,
    /// Write debug names (a `name` section) to the output
    #[arg(long = "debug-names")]
    pub debug_names: bool,
    /// Don't check for invalid modules
    #[arg(long = "no-check")]
    pub no_check: bool,
    #[command(flatten)]
    pub features: FeatureFlags,
}

/// `--enable-X` / `--disable-X` for every wabt feature and `--enable-all`, applied in
/// command-line order as wabt does (`--enable-all --disable-simd` leaves SIMD off).
#[derive(Debug, Clone, Default)]
pub struct FeatureFlags {
    pub features: Features,
}

const ENABLE_ALL: &str = "enable-all";

impl FeatureFlags {
    /// The language a reader that also knows what came after wabt 1.0.32 accepts under
    /// these flags: Wasm 3.0 and every wabt feature, less those the flags switched off from
    /// their default (`--disable-simd`). Switching off a feature that is off by default in
    /// wabt changes nothing, since rt reads it anyway.
    pub fn language(&self) -> wasmparser::WasmFeatures {
        let everything = crate::features::wasm3() | Features::all().wasmparser();
        let switched_off = Features::default()
            .wasmparser()
            .difference(self.features.wasmparser());
        everything.difference(switched_off)
    }
}

impl clap::FromArgMatches for FeatureFlags {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        // (position on the command line, feature or None for all, on/off)
        let mut changes: Vec<(usize, Option<&str>, bool)> = Vec::new();
        let mut note = |id: &str, feature: Option<&'static str>, on: bool| {
            if m.get_flag(id) {
                if let Some(i) = m.index_of(id) {
                    changes.push((i, feature, on));
                }
            }
        };
        note(ENABLE_ALL, None, true);
        for f in FEATURES {
            note(f.enable_flag, Some(f.name), true);
            note(f.disable_flag, Some(f.name), false);
        }
        changes.sort_by_key(|c| c.0);
        let mut features = Features::default();
        for (_, feature, on) in changes {
            match feature {
                Some(name) => {
                    features.set(name, on);
                }
                None => features = Features::all(),
            }
        }
        features.resolve_dependencies();
        Ok(FeatureFlags { features })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for FeatureFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let flag = |id: &'static str, help: String| {
            Arg::new(id).long(id).action(ArgAction::SetTrue).help(help)
        };
        let cmd = cmd.arg(flag(ENABLE_ALL, "Enable all features".into()));
        FEATURES.iter().fold(cmd, |cmd, f| {
            let state = if f.default { "on" } else { "off" };
            cmd.arg(flag(
                f.enable_flag,
                format!("Enable {} (default {state})", f.help),
            ))
            .arg(flag(f.disable_flag, format!("Disable {}", f.help)))
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.relocatable {
        anyhow::bail!(
            "--relocatable is not supported by rt wat2wasm (no linking or reloc sections); \
             use wabt's wat2wasm -r"
        );
    }
    let shown = args.file.display().to_string();
    // `-` reads the text from stdin, as wabt does.
    let bytes = if args.file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .context("could not read stdin")?;
        bytes
    } else {
        std::fs::read(&args.file).with_context(|| format!("could not read {shown}"))?
    };
    let source = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{shown}: the text is not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let opts = Options {
        features: args.features.features.clone(),
        debug_names: args.debug_names,
        check: !args.no_check,
        canonicalize_lebs: !args.no_canonicalize_leb128s,
        verbose: args.verbose > 0,
    };
    let out = match assemble(&shown, &source, &opts) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(log) = &out.log {
        std::io::stderr().write_all(log.as_bytes())?;
    }
    let mut stdout = std::io::stdout().lock();
    if args.dump_module {
        if args.verbose > 0 {
            writeln!(stdout, ";; dump")?;
        }
        stdout.write_all(dump_module(&out.wasm).as_bytes())?;
    }
    match &args.output {
        Some(p) if p.as_os_str() == "-" => stdout.write_all(&out.wasm)?,
        Some(p) => write_atomically(p, &out.wasm)?,
        None => write_atomically(&default_output(&args.file), &out.wasm)?,
    }
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// wabt's default: the input's file name, extension replaced by `.wasm`, in the current
/// directory.
fn default_output(input: &Path) -> PathBuf {
    let name = input.file_name().map(Path::new).unwrap_or(Path::new("out"));
    name.with_extension("wasm")
}

/// Write the output without ever leaving a half-written file (see [`crate::output`]).
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::output::write_atomically(path, bytes)
        .with_context(|| format!("could not write {}", path.display()))
}
