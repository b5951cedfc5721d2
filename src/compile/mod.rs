//! The ahead-of-time compiler: Wasm 2.0 (scalar) -> LLVM IR (inkwell) -> `default<O2>` ->
//! an x86-64 ELF object the runtime's loader maps. Generated code references nothing outside
//! itself: runtime services are reached through the helper table in the vmctx.
//!
//! Layout: `env` (types, intrinsics, vmctx access), `func` (frame, value stack, dispatch),
//! `control`, `numeric`, `memory`, `table`, `calls` (calls + host/wasm bridges). What the
//! runtime shares with the compiler without LLVM (settings, errors, artifacts and the cache,
//! the progress bar) is rt-core's `aot`, re-exported here.
mod addrmap;
mod debuginfo;
mod settings;
pub use rt_core::aot::{artifact, CodegenSettings, CompileError, Progress};
pub use rt_core::aot::{ADDR_MAP_FILE, ADDR_MAP_KEY};
use settings::Levels;
mod calls;
mod control;
mod env;
mod exn;
mod func;
mod gc;
mod limits;
mod memory;
mod numeric;
mod phases;
mod simd;
mod table;
#[cfg(test)]
mod tail_tests;
#[cfg(test)]
mod tests;

use env::{Env, Res};
use inkwell::context::Context;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::OptimizationLevel;
use std::collections::BTreeSet;

use crate::module::Module;
use crate::runtime::vm::{adapter_symbol, tramp_symbol};

/// The host CPU name and feature string LLVM generates code for. (Artifacts and the cache
/// are tied to the host by rt-core's `aot::cpu`, which needs no LLVM.)
pub fn host_cpu() -> (String, String) {
    init_llvm();
    (
        TargetMachine::get_host_cpu_name().to_string(),
        TargetMachine::get_host_cpu_features().to_string(),
    )
}

fn init_llvm() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        Target::initialize_x86(&InitializationConfig::default());
        // X86DomainReassignment (on AVX-512 hosts: moves mask arithmetic into k-registers)
        // is quadratic in a function's size: a 110 KB function of 4,000 if/else blocks spent
        // over five minutes in it, 3 s with it off. What it gains is a few instructions in
        // mask-heavy code, so it is off for every compile. LLVM's options are process-wide
        // and read when a pipeline is built: set once, here, before any.
        let args = [c"rt".as_ptr(), c"-disable-x86-domain-reassignment".as_ptr()];
        // SAFETY: two valid NUL-terminated strings that outlive the call; the overview may
        // be null.
        unsafe {
            inkwell::llvm_sys::support::LLVMParseCommandLineOptions(
                args.len() as i32,
                args.as_ptr(),
                std::ptr::null(),
            )
        };
    });
}

/// Compile a (validated) module to ELF objects: one per chunk of its functions, compiled
/// on parallel threads when the module is large. The runtime's loader links them together.
pub fn compile_objects(
    module: &Module,
    settings: &CodegenSettings,
) -> Result<Vec<Vec<u8>>, CompileError> {
    compile_objects_with(module, settings, &Progress::silent())
}

/// [`compile_objects`], counting the functions done in `progress` (the CLI's progress bar).
pub fn compile_objects_with(
    module: &Module,
    settings: &CodegenSettings,
    progress: &Progress,
) -> Result<Vec<Vec<u8>>, CompileError> {
    init_llvm();
    let chunks = chunks(module);
    progress.begin(module.code.len());
    let threads = compile_threads().min(chunks.len());
    if threads <= 1 {
        let mut objects = Vec::with_capacity(chunks.len());
        for (n, chunk) in chunks.iter().enumerate() {
            objects.push(compile_chunk(
                module,
                chunk,
                n + 1 == chunks.len(),
                settings,
                progress,
            )?);
        }
        progress.finish();
        if phases::enabled() {
            phases::total();
        }
        return Ok(objects);
    }
    // A work queue rather than one fixed share per thread: the chunks are ordered largest
    // first, so the long ones start at once and the small ones at the end fill the gaps,
    // keeping every core busy until the last function (contiguous equal shares left one
    // thread idle for seconds while the other finished a share that held a giant function).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    type Slot = std::sync::Mutex<Option<Result<Vec<u8>, CompileError>>>;
    let results: Vec<Slot> = chunks.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let running = std::sync::atomic::AtomicUsize::new(threads);
    std::thread::scope(|scope| {
        if progress.enabled() {
            // Redraws the bar (elapsed time) while the chunks compile.
            scope.spawn(|| {
                while running.load(std::sync::atomic::Ordering::Relaxed) > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    progress.tick();
                }
            });
        }
        for _ in 0..threads {
            scope.spawn(|| {
                use std::sync::atomic::Ordering::Relaxed;
                while !failed.load(Relaxed) {
                    let n = next.fetch_add(1, Relaxed);
                    let Some(chunk) = chunks.get(n) else { break };
                    let last = n + 1 == chunks.len();
                    // A panic (a compiler bug) fails this compile, not the process, as
                    // the joined threads of the contiguous split did.
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        compile_chunk(module, chunk, last, settings, progress)
                    }))
                    .unwrap_or_else(|_| Err("compiler thread panicked".into()));
                    failed.fetch_or(result.is_err(), Relaxed);
                    *results[n].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
                running.fetch_sub(1, Relaxed);
            });
        }
    });
    progress.finish();
    if phases::enabled() {
        phases::total();
    }
    let mut objects = Vec::with_capacity(chunks.len());
    let mut first_error = None;
    for slot in results {
        match slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(object)) => objects.push(object),
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            // Skipped after another chunk failed (whose error comes first unless it was a
            // later chunk; either way the compile fails with a real error), or a thread died.
            None => {
                first_error.get_or_insert_with(|| "compiler thread panicked".into());
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(objects),
    }
}

/// How many threads compile: every core (RT_COMPILE_THREADS caps it, e.g. 1 on a busy
/// machine), at most 8.
fn compile_threads() -> usize {
    std::env::var("RT_COMPILE_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(8)
}

/// Below this much work (wasm bytes, see [`weight`]) a chunk is not split further: each
/// chunk is an LLVM module of its own and pays LLVM's fixed costs.
const CHUNK_MIN: usize = 32 * 1024;
/// At most this many chunks, whatever the module's size (enough for 8 threads to balance).
const CHUNKS_MAX: usize = 32;

/// What compiling a function costs LLVM besides its body, in body bytes: the code
/// generator's hundred-odd passes each visit every function, so an empty function costs
/// about as much as ~64 bytes of an ordinary one at level 2. Without it a module of
/// 50,000 small functions made one chunk (its bytes are few) compiled by one thread.
const FUNCTION_WEIGHT: usize = 64;

/// A function's share of the work in a chunk split.
fn weight(body_len: usize) -> usize {
    body_len + FUNCTION_WEIGHT
}

/// A function body this large (wasm bytes) is compiled at level 0 whatever the level asked
/// for (see `compile_chunk`). The largest in SQLite is 49 KB, in MicroPython 20 KB.
const GIANT: usize = 64 * 1024;

fn is_giant(module: &Module, func: u32) -> bool {
    func.checked_sub(module.num_imported_funcs)
        .and_then(|i| module.code.get(i as usize))
        .is_some_and(|c| c.body.len() > GIANT)
}

/// Split the defined functions into chunks, largest functions first. The split depends on
/// the module alone, not on the number of cores, so an artifact is the same on every host.
fn chunks(module: &Module) -> Vec<Vec<u32>> {
    let first = module.num_imported_funcs;
    let sizes: Vec<usize> = module.code.iter().map(|c| weight(c.body.len())).collect();
    let total: usize = sizes.iter().sum();
    let count = (total / CHUNK_MIN).clamp(1, CHUNKS_MAX);
    let target = total.div_ceil(count).max(1);
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    // Largest first; ties in index order, so the split is deterministic.
    order.sort_by_key(|&i| (std::cmp::Reverse(sizes[i]), i));
    let mut chunks: Vec<Vec<u32>> = Vec::new();
    let mut current = Vec::new();
    let mut acc = 0;
    for i in order {
        if module.code[i].body.len() > GIANT {
            chunks.push(vec![first + i as u32]);
            continue;
        }
        current.push(first + i as u32);
        acc += sizes[i];
        if acc >= target {
            current.sort_unstable();
            chunks.push(std::mem::take(&mut current));
            acc = 0;
        }
    }
    if !current.is_empty() || chunks.is_empty() {
        current.sort_unstable();
        chunks.push(current);
    }
    chunks
}

/// Compile the functions in `chunk` (the functions they call are declared, so calls to
/// other chunks become symbol references); the last chunk also holds the bridges.
fn compile_chunk(
    module: &Module,
    chunk: &[u32],
    with_bridges: bool,
    settings: &CodegenSettings,
    progress: &Progress,
) -> Result<Vec<u8>, CompileError> {
    let timed = phases::enabled();
    let mut marks = [std::time::Duration::ZERO; phases::PHASES.len() + 1];
    let mut mark = |n: usize| {
        if timed {
            marks[n] = phases::thread_cpu();
        }
    };
    mark(0);
    let first = chunk.first().copied().unwrap_or(0);
    // A giant function is a chunk of its own (`chunks`) and compiled at level 0: LLVM's
    // optimising passes and code generator go superlinear in a function's size (4,000
    // if/else blocks, 110 KB: 7 s at level 2; four times as many: over 300 s; level 0 is
    // linear, 1.4 s and 2.9 s for four and eight times as many).
    let giant_settings;
    let settings = if chunk.len() == 1 && is_giant(module, first) && settings.opt_level > 0 {
        giant_settings = CodegenSettings {
            opt_level: 0,
            ..*settings
        };
        &giant_settings
    } else {
        settings
    };
    let ctx = Context::create();
    // The translator names its values for readable IR dumps; LLVM keeps a per-function
    // symbol table of those names (uniquing, hashing, removal), a few percent of a compile
    // at level 1 for nothing anyone reads. Kept only when the IR is dumped.
    if std::env::var_os("RT_DUMP_IR").is_none() {
        // SAFETY: a valid context, not yet shared with another thread.
        unsafe { inkwell::llvm_sys::core::LLVMContextSetDiscardValueNames(ctx.raw(), 1) };
    }
    let env = Env::new(&ctx, module, *settings);
    // The chunk's own functions first, in index order, so they are laid out in that order
    // whatever calls what; the rest are declared as calls reach them.
    for &i in chunk {
        env.func(i)?;
    }
    for &i in chunk {
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
    mark(1);
    // LLVM's verifier catches a translator bug before LLVM crashes on its IR, at the cost
    // of a tenth of a level-0 compile. As clang does, a release build leaves it out; the
    // tests (RT_VERIFY_IR=1 in tests/cli) and the fuzzers (`make fuzz`) keep it on.
    let verify = cfg!(debug_assertions) || cfg!(test) || std::env::var_os("RT_VERIFY_IR").is_some();
    if verify {
        if let Err(e) = env.llmod.verify() {
            return Err(CompileError::Failed(format!(
                "internal compiler error: invalid LLVM IR: {}",
                e.to_string()
            )));
        }
    }
    let tm = target_machine(settings.codegen_level())?;
    env.llmod.set_triple(&tm.get_triple());
    env.llmod
        .set_data_layout(&tm.get_target_data().get_data_layout());
    mark(2);
    // Diagnostics for finding where compile time goes (docs/architecture.md): the IR of
    // each chunk before the passes, for opt-19/llc-19 -time-passes, and each chunk's phases.
    if let Ok(dir) = std::env::var("RT_DUMP_IR") {
        let _ = env.llmod.print_to_file(format!("{dir}/chunk-{first}.ll"));
    }
    // Level 0 runs no IR pass: `default<O0>` only inlines `alwaysinline` functions, of
    // which there are none, yet costs 2% of a level-0 compile setting up its analyses.
    if let Some(pipeline) = settings.pipeline() {
        env.llmod
            .run_passes(pipeline, &tm, PassBuilderOptions::create())
            .map_err(|e| format!("LLVM optimisation failed: {e}"))?;
    }
    if settings.quick_codegen() {
        // Level 1's code generator: LLVM skips its machine-level optimisations for an
        // `optnone` function and selects instructions with FastISel, keeping the greedy
        // register allocator the target machine's level chose. Set after the IR passes,
        // which would skip such a function too. Half the code generation time of the
        // default code generator; the code is 4-25% slower (docs/architecture.md).
        for &i in chunk {
            if let Some(f) = env.func(i)? {
                for name in ["optnone", "noinline"] {
                    let kind = inkwell::attributes::Attribute::get_named_enum_kind_id(name);
                    f.add_attribute(
                        inkwell::attributes::AttributeLoc::Function,
                        ctx.create_enum_attribute(kind, 0),
                    );
                }
            }
        }
    }
    mark(3);
    let buf = tm
        .write_to_memory_buffer(&env.llmod, FileType::Object)
        .map_err(|e| format!("LLVM code generation failed: {e}"))?;
    mark(4);
    progress.add(chunk.len());
    if timed {
        phases::chunk(chunk.len(), first, settings.opt_level, marks);
    }
    Ok(buf.as_slice().to_vec())
}

fn target_machine(level: OptimizationLevel) -> Res<TargetMachine> {
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| e.to_string())?;
    let (cpu, features) = host_cpu();
    target
        .create_target_machine(
            &triple,
            &cpu,
            &features,
            level,
            RelocMode::PIC,
            CodeModel::Small,
        )
        .ok_or_else(|| "could not create an LLVM target machine for this host".into())
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
