//! The ahead-of-time compiler: Wasm 2.0 (scalar) -> LLVM IR (inkwell) -> `default<O2>` ->
//! an x86-64 ELF object the runtime's loader maps. Generated code references nothing outside
//! itself: runtime services are reached through the helper table in the vmctx.
//!
//! Layout: `env` (types, intrinsics, vmctx access), `func` (frame, value stack, dispatch),
//! `control`, `numeric`, `memory`, `table`, `calls` (calls + host/wasm bridges), `artifact`
//! (the on-disk format and cache).
pub mod artifact;
mod calls;
mod control;
mod env;
mod func;
mod memory;
mod numeric;
mod table;

use env::{Env, Res};
use inkwell::context::Context;
use inkwell::module::Linkage;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::OptimizationLevel;
use std::collections::BTreeSet;
use wasmparser::ValType;

use crate::module::Module;

/// Symbol of defined function `index` (function index space).
pub fn func_symbol(index: u32) -> String {
    format!("wasm_f{index}")
}

/// Symbol of the host->wasm trampoline for type `index`.
pub fn tramp_symbol(type_index: u32) -> String {
    format!("wasm_tramp{type_index}")
}

/// Symbol of the wasm->host adapter for type `index`.
pub fn adapter_symbol(type_index: u32) -> String {
    format!("wasm_adapter{type_index}")
}

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

fn uses_v128(module: &Module) -> bool {
    let in_types = module.types.iter().any(|t| {
        t.params()
            .iter()
            .chain(t.results())
            .any(|v| *v == ValType::V128)
    });
    let in_globals = module
        .globals
        .iter()
        .any(|g| g.content_type == ValType::V128);
    let in_locals = module
        .code
        .iter()
        .any(|c| c.locals.iter().any(|(_, t)| *t == ValType::V128));
    in_types || in_globals || in_locals
}

/// Compile a (validated) module to an ELF object.
pub fn compile_object(module: &Module) -> Result<Vec<u8>, String> {
    if uses_v128(module) {
        return Err("SIMD is not supported yet: the module uses v128".into());
    }
    if module.memories.len() > 1 {
        return Err("multiple memories are not supported".into());
    }
    init_llvm();
    let ctx = Context::create();
    let mut env = Env::new(&ctx, module);
    declare_functions(&mut env)?;
    for i in module.num_imported_funcs..module.num_funcs() {
        func::translate_function(&env, i).map_err(|e| {
            format!(
                "function {}: {e}",
                module
                    .func_name(i)
                    .map(str::to_string)
                    .unwrap_or(format!("func[{i}]"))
            )
        })?;
    }
    build_bridges(&env)?;
    if let Err(e) = env.llmod.verify() {
        return Err(format!(
            "internal compiler error: invalid LLVM IR: {}",
            e.to_string()
        ));
    }
    let tm = target_machine()?;
    env.llmod.set_triple(&tm.get_triple());
    env.llmod
        .set_data_layout(&tm.get_target_data().get_data_layout());
    env.llmod
        .run_passes("default<O2>", &tm, PassBuilderOptions::create())
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
        .ok_or_else(|| "could not create an LLVM target machine for this host".to_string())
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
