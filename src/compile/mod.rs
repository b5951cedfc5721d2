//! The ahead-of-time compiler: Wasm 2.0 (scalar) -> LLVM IR (inkwell) -> `default<O2>` ->
//! an x86-64 ELF object the runtime's loader maps. Generated code references nothing outside
//! itself: runtime services are reached through the helper table in the vmctx.
//!
//! Layout: `env` (types, intrinsics, vmctx access), `func` (frame, value stack, dispatch),
//! `control`, `numeric`, `memory`, `table`, `calls` (calls + host/wasm bridges), `artifact`
//! (the on-disk format and cache).
mod addrmap;
pub mod artifact;
mod debuginfo;
mod settings;
pub use addrmap::WASM_FILE as ADDR_MAP_FILE;
pub use settings::{CodegenSettings, ADDR_MAP_KEY};
mod calls;
mod control;
mod env;
mod exn;
mod func;
mod gc;
mod limits;
mod memory;
mod numeric;
mod simd;
mod table;
#[cfg(test)]
mod tail_tests;
#[cfg(test)]
mod tests;

use env::{Env, Res};
use inkwell::context::Context;
use inkwell::module::Linkage;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::OptimizationLevel;
use std::collections::BTreeSet;

use crate::module::Module;
use crate::runtime::vm::{adapter_symbol, func_symbol, tramp_symbol};

/// The host CPU name and feature string the code is compiled for (part of artifact headers).
pub fn host_cpu() -> (String, String) {
    init_llvm();
    (
        TargetMachine::get_host_cpu_name().to_string(),
        TargetMachine::get_host_cpu_features().to_string(),
    )
}

fn init_llvm() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| Target::initialize_x86(&InitializationConfig::default()));
}

/// Why a module could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// The module is valid but uses part of a feature the translator does not lower yet
    /// (`feature` names it as `features::FEATURES` does in prose, e.g. "SIMD").
    Unsupported {
        feature: &'static str,
        detail: String,
    },
    /// Anything else: a limit, an LLVM failure, an internal error.
    Failed(String),
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::Unsupported { feature, detail } => write!(
                f,
                "unsupported by rt: {feature} ({detail}; the module is valid, but rt does not implement it yet)"
            ),
            CompileError::Failed(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for CompileError {}

impl CompileError {
    /// The same error, located in function `name`.
    fn in_function(self, name: &str) -> CompileError {
        match self {
            CompileError::Unsupported { feature, detail } => CompileError::Unsupported {
                feature,
                detail: format!("function {name}: {detail}"),
            },
            CompileError::Failed(message) => {
                CompileError::Failed(format!("function {name}: {message}"))
            }
        }
    }
}

impl From<String> for CompileError {
    fn from(message: String) -> CompileError {
        CompileError::Failed(message)
    }
}

impl From<&str> for CompileError {
    fn from(message: &str) -> CompileError {
        CompileError::Failed(message.to_string())
    }
}

/// Compile a (validated) module to ELF objects: one per partition of its functions, compiled
/// on parallel threads when the module is large. The runtime's loader links them together.
pub fn compile_objects(
    module: &Module,
    settings: &CodegenSettings,
) -> Result<Vec<Vec<u8>>, CompileError> {
    init_llvm();
    let parts = partitions(module);
    if parts.len() == 1 {
        return Ok(vec![compile_partition(
            module,
            parts[0].clone(),
            true,
            settings,
        )?]);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .enumerate()
            .map(|(n, range)| {
                let range = range.clone();
                scope.spawn(move || compile_partition(module, range, n == 0, settings))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("compiler thread panicked".into()))
            })
            .collect()
    })
}

/// Below this much code a module is compiled on one thread (threads would not pay off).
const PARALLEL_THRESHOLD: usize = 64 * 1024;

/// Split the defined functions into contiguous ranges of similar code size, one per core.
fn partitions(module: &Module) -> Vec<std::ops::Range<u32>> {
    let first = module.num_imported_funcs;
    let all = first..module.num_funcs();
    let sizes: Vec<usize> = module.code.iter().map(|c| c.body.len()).collect();
    let total: usize = sizes.iter().sum();
    // RT_COMPILE_THREADS caps the threads (e.g. 1 on a busy machine).
    let cores = std::env::var("RT_COMPILE_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let n = cores.min(8).min(total / PARALLEL_THRESHOLD + 1).max(1);
    if n == 1 {
        return vec![all];
    }
    let mut parts = Vec::new();
    let (mut start, mut acc) = (0usize, 0usize);
    for (i, size) in sizes.iter().enumerate() {
        acc += size;
        if acc * n >= total * (parts.len() + 1) && parts.len() + 1 < n {
            parts.push(first + start as u32..first + i as u32 + 1);
            start = i + 1;
        }
    }
    parts.push(first + start as u32..all.end);
    parts.retain(|r| !r.is_empty());
    parts
}

/// Compile the functions in `range` (every function is declared, so calls to other
/// partitions become symbol references); the first partition also holds the bridges.
fn compile_partition(
    module: &Module,
    range: std::ops::Range<u32>,
    with_bridges: bool,
    settings: &CodegenSettings,
) -> Result<Vec<u8>, CompileError> {
    let ctx = Context::create();
    let mut env = Env::new(&ctx, module, *settings);
    declare_functions(&mut env)?;
    for i in range {
        func::translate_function(&env, i).map_err(|e| {
            let name = module
                .func_name(i)
                .map(str::to_string)
                .unwrap_or(format!("func[{i}]"));
            e.in_function(&name)
        })?;
    }
    if let Some(lines) = &env.lines {
        // The bridges have no debug scope: nothing built from here on has a location.
        env.b.unset_current_debug_location();
        lines.finish();
    }
    if let Some(debug) = &env.debug {
        env.b.unset_current_debug_location();
        debug.finish();
    }
    if with_bridges {
        build_bridges(&env)?;
    }
    if let Err(e) = env.llmod.verify() {
        return Err(CompileError::Failed(format!(
            "internal compiler error: invalid LLVM IR: {}",
            e.to_string()
        )));
    }
    let tm = target_machine()?;
    env.llmod.set_triple(&tm.get_triple());
    env.llmod
        .set_data_layout(&tm.get_target_data().get_data_layout());
    env.llmod
        .run_passes(settings.pipeline(), &tm, PassBuilderOptions::create())
        .map_err(|e| format!("LLVM optimisation failed: {e}"))?;
    let buf = tm
        .write_to_memory_buffer(&env.llmod, FileType::Object)
        .map_err(|e| format!("LLVM code generation failed: {e}"))?;
    Ok(buf.as_slice().to_vec())
}

fn target_machine() -> Res<TargetMachine> {
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| e.to_string())?;
    let (cpu, features) = host_cpu();
    target
        .create_target_machine(
            &triple,
            &cpu,
            &features,
            OptimizationLevel::Default,
            RelocMode::PIC,
            CodeModel::Small,
        )
        .ok_or_else(|| "could not create an LLVM target machine for this host".into())
}

fn declare_functions(env: &mut Env) -> Res<()> {
    let wasm = env.wasm;
    let mut funcs = vec![None; wasm.num_imported_funcs as usize];
    for i in wasm.num_imported_funcs..wasm.num_funcs() {
        let fty = env.fn_type(wasm.func_type(i))?;
        let f = env
            .llmod
            .add_function(&func_symbol(i), fty, Some(Linkage::External));
        f.as_global_value()
            .set_visibility(inkwell::GlobalVisibility::Hidden);
        calls::set_function_attributes(env, f);
        calls::set_wasm_convention(f);
        funcs.push(Some(f));
    }
    env.funcs = funcs;
    Ok(())
}

fn build_bridges(env: &Env) -> Res<()> {
    let wasm = env.wasm;
    let defined: BTreeSet<u32> = wasm.func_types[wasm.num_imported_funcs as usize..]
        .iter()
        .copied()
        .collect();
    for t in defined {
        calls::build_trampoline(env, &tramp_symbol(t), &wasm.types[t as usize])?;
    }
    let imported: BTreeSet<u32> = wasm.func_types[..wasm.num_imported_funcs as usize]
        .iter()
        .copied()
        .collect();
    for t in imported {
        calls::build_adapter(env, &adapter_symbol(t), &wasm.types[t as usize])?;
    }
    Ok(())
}
