//! Target 6: rt against wasmi on valid modules from wasm-smith.
//!
//! The input picks a language profile (MVP + Wasm 2.0 scalar; the same with SIMD; and the
//! Wasm 3.0 proposals both engines run: multi-memory, memory64, tail calls, extended
//! constants) and wasm-smith builds a module from the rest. The module imports nothing and
//! exports everything. Both engines instantiate it (rt through its embedding API at the
//! default optimisation level, no compile cache; wasmi with its defaults), then call every
//! exported function in export order with the same fixed arguments, each call on a fresh
//! fuel budget. After instantiation and after each call they must agree on:
//!
//! - the call's results (NaNs canonicalised), or that it trapped, and on the trap's kind
//!   where both engines have a name for it;
//! - every exported memory (its size and a hash of its bytes), global (its value, NaNs
//!   canonicalised; references compared as null or not) and table (its size).
//!
//! Fuel is counted differently by the two engines, and their stacks differ in depth, so an
//! out-of-fuel or stack-overflow trap on either side makes the rest of that input
//! inconclusive: comparison stops there (both stack overflows agree, though). wasm-smith
//! canonicalises NaNs in the code it generates, since Wasm lets float operators return any
//! NaN and memory would otherwise differ for allowed reasons.
//!
//! A disagreement panics with both sides' answers. The counters below are printed to stderr
//! every [`REPORT_EVERY`] inputs, so a long run's log says how many inputs were conclusive.
use arbitrary::Unstructured;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Fuel for instantiation and for each call, on each side. High enough that nearly every
/// generated module finishes (the log's `fuel` column measures it), low enough that a
/// generated infinite loop costs well under a second.
pub const FUEL: u64 = 1_000_000;
/// The largest linear memory (either engine refuses to create or grow past it) and what
/// wasm-smith may declare: small, so hashing memory after every call stays cheap.
const MEMORY_LIMIT: u64 = 1 << 20;
const TABLE_LIMIT: u64 = 1_000;
/// How often the running totals are printed.
const REPORT_EVERY: u64 = 500;

/// The language a module is generated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// MVP + Wasm 2.0 without SIMD.
    Scalar,
    /// MVP + Wasm 2.0 with SIMD (not relaxed SIMD: its answers are the host's choice).
    Simd,
    /// The Wasm 3.0 proposals both engines implement, SIMD included.
    Wasm3,
}

impl Profile {
    /// Scalar half the time: it is the most reliable comparison.
    fn pick(u: &mut Unstructured) -> arbitrary::Result<Profile> {
        Ok(match u.int_in_range(0..=3u8)? {
            0 | 1 => Profile::Scalar,
            2 => Profile::Simd,
            _ => Profile::Wasm3,
        })
    }

    fn smith_config(self) -> wasm_smith::Config {
        let wasm3 = self == Profile::Wasm3;
        wasm_smith::Config {
            // Nothing to import: the module stands alone in both engines.
            max_imports: 0,
            max_tags: 0,
            // A function needs a type to have one: at least one of each.
            min_types: 1,
            min_funcs: 1,
            max_funcs: 10,
            max_types: 20,
            max_globals: 10,
            max_exports: 20,
            export_everything: true,
            max_instructions: 200,
            max_data_segments: 5,
            max_element_segments: 5,
            max_elements: 20,
            max_memories: if wasm3 { 3 } else { 1 },
            max_tables: 3,
            max_memory32_bytes: MEMORY_LIMIT,
            max_memory64_bytes: MEMORY_LIMIT as u128,
            max_table_elements: TABLE_LIMIT,
            canonicalize_nans: true,
            // Wasm 2.0.
            bulk_memory_enabled: true,
            reference_types_enabled: true,
            multi_value_enabled: true,
            saturating_float_to_int_enabled: true,
            sign_extension_ops_enabled: true,
            simd_enabled: self != Profile::Scalar,
            // 3.0 proposals wasmi runs too.
            memory64_enabled: wasm3,
            tail_call_enabled: wasm3,
            extended_const_enabled: wasm3,
            // Not compared: nondeterministic (relaxed SIMD), not in wasmi (exceptions, GC,
            // threads), or not in rt (the rest).
            relaxed_simd_enabled: false,
            exceptions_enabled: false,
            gc_enabled: false,
            threads_enabled: false,
            wide_arithmetic_enabled: false,
            custom_page_sizes_enabled: false,
            compact_imports_enabled: false,
            ..wasm_smith::Config::default()
        }
    }
}

/// Running totals, for the ratio of conclusive inputs in a long run's log.
#[derive(Default)]
struct Counters {
    inputs: AtomicU64,
    /// wasm-smith ran out of input bytes before making a module.
    no_module: AtomicU64,
    /// Compared from instantiation to the last call.
    finished: AtomicU64,
    /// Stopped at an out-of-fuel trap on either side.
    fuel: AtomicU64,
    /// Stopped at a stack overflow on one side only.
    stack: AtomicU64,
    /// wasmi or rt refused the module or its instantiation for a reason of its own (limits).
    refused: AtomicU64,
    calls: AtomicU64,
}

static COUNTERS: OnceLock<Counters> = OnceLock::new();

fn counters() -> &'static Counters {
    COUNTERS.get_or_init(Counters::default)
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn report_totals() {
    let c = counters();
    let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let modules = get(&c.inputs) - get(&c.no_module);
    let pct = |n: u64| 100.0 * n as f64 / modules.max(1) as f64;
    eprintln!(
        "differential: {} inputs, {} modules: {} finished ({:.1}%), {} out of fuel ({:.1}%), \
         {} one-sided stack overflow ({:.1}%), {} refused ({:.1}%); {} calls compared",
        get(&c.inputs),
        modules,
        get(&c.finished),
        pct(get(&c.finished)),
        get(&c.fuel),
        pct(get(&c.fuel)),
        get(&c.stack),
        pct(get(&c.stack)),
        get(&c.refused),
        pct(get(&c.refused)),
        get(&c.calls),
    );
}

/// How one input ended (the divergences panic instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    NoModule,
    Finished,
    OutOfFuel,
    StackOverflow,
    Refused,
}

/// Generate, run in both engines, compare; panic on a disagreement.
pub fn check(data: &[u8]) -> Verdict {
    let c = counters();
    let n = c.inputs.fetch_add(1, Ordering::Relaxed) + 1;
    let verdict = run(data);
    bump(match verdict {
        Verdict::NoModule => &c.no_module,
        Verdict::Finished => &c.finished,
        Verdict::OutOfFuel => &c.fuel,
        Verdict::StackOverflow => &c.stack,
        Verdict::Refused => &c.refused,
    });
    if n.is_multiple_of(REPORT_EVERY) {
        report_totals();
    }
    verdict
}

/// The module an input generates, and its profile (for triage: `RT_FUZZ_SAVE_WASM=FILE`
/// makes [`check`] write it out before running it).
pub fn generate(data: &[u8]) -> Option<(Profile, Vec<u8>)> {
    let mut u = Unstructured::new(data);
    let profile = Profile::pick(&mut u).ok()?;
    let module = wasm_smith::Module::new(profile.smith_config(), &mut u).ok()?;
    Some((profile, module.to_bytes()))
}

fn run(data: &[u8]) -> Verdict {
    let Some((profile, wasm)) = generate(data) else {
        return Verdict::NoModule;
    };
    if let Some(path) = std::env::var_os("RT_FUZZ_SAVE_WASM") {
        let _ = std::fs::write(path, &wasm);
    }
    compare(profile, &wasm)
}

/// `f()`, or None if it panicked. For the reference engine's translation only: wasmi 2.0.0
/// trips one of its own debug assertions ("a register operand already exists on the stack",
/// in `push_else_operands`) on some valid modules (fuzz/corpus/differential/wasmi-else-operands
/// is one), which would otherwise end every fuzzing run that finds one. libFuzzer's panic hook
/// aborts the process, so it is swapped out for the call (the harness is single-threaded).
fn reference_survives<T>(f: impl FnOnce() -> T) -> Option<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    result.ok()
}

/// Run `wasm` in both engines and compare them (public for regression tests of findings).
pub fn compare(profile: Profile, wasm: &[u8]) -> Verdict {
    let mut w = match reference_survives(|| Wasmi::new(profile, wasm)) {
        Some(Ok(w)) => w,
        Some(Err(e)) => panic!("wasmi refused a wasm-smith module: {e}"),
        // The reference's own bug: no verdict on rt either way.
        None => return Verdict::Refused,
    };
    let mut r = match Rt::new(wasm) {
        Ok(r) => r,
        Err(e) => {
            let text = format!("{e:#}");
            if text.contains("unsupported") {
                return Verdict::Refused;
            }
            panic!("rt refused a valid module that wasmi compiles: {text}");
        }
    };

    // Instantiation: start function, segment initialisation.
    let wi = w.instantiate();
    let ri = r.instantiate();
    match (&wi, &ri) {
        (Ok(()), Ok(())) => {}
        (Err(we), Err(re)) => {
            return match judge(&Outcome::Trap(we.clone()), &Outcome::Trap(re.clone())) {
                Judgement::Same => Verdict::Finished,
                Judgement::Stop(v) => v,
                Judgement::Differ => panic!("instantiation traps differ: wasmi {we:?}, rt {re:?}"),
            };
        }
        (Err(Kind::Limit(_)), Ok(())) | (Ok(()), Err(Kind::Limit(_))) => return Verdict::Refused,
        _ => {
            if let Some(v) = inconclusive(wi.as_ref().err(), ri.as_ref().err()) {
                return v;
            }
            panic!("instantiation differs: wasmi {wi:?}, rt {ri:?}");
        }
    }
    let exports = exports(wasm);
    compare_state(&mut w, &mut r, &exports, "after instantiation");

    for (name, kind) in &exports {
        if *kind != wasmparser::ExternalKind::Func {
            continue;
        }
        bump(&counters().calls);
        let wo = w.call(name);
        let ro = r.call(name);
        match judge(&wo, &ro) {
            Judgement::Same => {}
            Judgement::Stop(v) => return v,
            Judgement::Differ => panic!("call of export {name:?} differs: wasmi {wo:?}, rt {ro:?}"),
        }
        compare_state(&mut w, &mut r, &exports, &format!("after calling {name:?}"));
    }
    Verdict::Finished
}

/// A value as both engines can give it: floats as bits with NaNs made canonical, references
/// as null or not (their identities are each engine's own).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum V {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    Ref { null: bool },
}

fn f32_bits(bits: u32) -> V {
    if f32::from_bits(bits).is_nan() {
        V::F32(0x7fc0_0000)
    } else {
        V::F32(bits)
    }
}

fn f64_bits(bits: u64) -> V {
    if f64::from_bits(bits).is_nan() {
        V::F64(0x7ff8_0000_0000_0000)
    } else {
        V::F64(bits)
    }
}

/// A trap (or instantiation failure) under a name both engines share.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    DivisionByZero,
    IntegerOverflow,
    BadConversion,
    StackOverflow,
    OutOfFuel,
    /// A store limit refused a memory or table (not a trap).
    Limit(String),
    /// Anything the other engine has no name for: only "it failed" is compared.
    Other(String),
}

#[derive(Debug)]
enum Outcome {
    Values(Vec<V>),
    Trap(Kind),
}

enum Judgement {
    Same,
    Differ,
    Stop(Verdict),
}

/// Whether a failure on either side makes the comparison meaningless from here on.
fn inconclusive(w: Option<&Kind>, r: Option<&Kind>) -> Option<Verdict> {
    if w == Some(&Kind::OutOfFuel) || r == Some(&Kind::OutOfFuel) {
        return Some(Verdict::OutOfFuel);
    }
    if w == Some(&Kind::StackOverflow) || r == Some(&Kind::StackOverflow) {
        return Some(Verdict::StackOverflow);
    }
    None
}

fn judge(w: &Outcome, r: &Outcome) -> Judgement {
    let kind = |o: &Outcome| match o {
        Outcome::Trap(k) => Some(k.clone()),
        Outcome::Values(_) => None,
    };
    let (wk, rk) = (kind(w), kind(r));
    // Both out of stack: the same answer, even if at different depths.
    if wk == Some(Kind::StackOverflow) && rk == Some(Kind::StackOverflow) {
        return Judgement::Stop(Verdict::Finished);
    }
    if let Some(v) = inconclusive(wk.as_ref(), rk.as_ref()) {
        return Judgement::Stop(v);
    }
    match (w, r) {
        (Outcome::Values(a), Outcome::Values(b)) if a == b => Judgement::Same,
        (Outcome::Trap(a), Outcome::Trap(b)) => {
            let named = |k: &Kind| !matches!(k, Kind::Other(_) | Kind::Limit(_));
            if a == b || !named(a) || !named(b) {
                Judgement::Same
            } else {
                Judgement::Differ
            }
        }
        _ => Judgement::Differ,
    }
}

/// Exported items in the module's order.
fn exports(wasm: &[u8]) -> Vec<(String, wasmparser::ExternalKind)> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::ExportSection(reader)) = payload {
            for export in reader.into_iter().flatten() {
                out.push((export.name.to_string(), export.kind));
            }
        }
    }
    out
}

fn compare_state(
    w: &mut Wasmi,
    r: &mut Rt,
    exports: &[(String, wasmparser::ExternalKind)],
    when: &str,
) {
    use wasmparser::ExternalKind as K;
    for (name, kind) in exports {
        let (a, b) = match kind {
            K::Memory => (w.memory(name), r.memory(name)),
            K::Global => (w.global(name), r.global(name)),
            K::Table => (w.table(name), r.table(name)),
            _ => continue,
        };
        if a != b {
            panic!("{when}: exported {kind:?} {name:?} differs: wasmi {a:?}, rt {b:?}");
        }
    }
}

/// What a memory is compared by: its size and a hash of its bytes.
fn memory_digest(bytes: &[u8]) -> (usize, u64) {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    (bytes.len(), h.finish())
}

/// The fixed arguments: parameter `i` of type `ty` gets entry `i` (cyclically) of the
/// table for its type, so different parameters of one function see different values.
const I32_ARGS: [i32; 6] = [0, 1, -1, i32::MIN, 7, 0x10000];
const I64_ARGS: [i64; 6] = [0, 1, -1, i64::MIN, 7, 0x1_0000_0000];
const F32_ARGS: [u32; 6] = [
    0,
    0x3fc0_0000,
    0x8000_0000,
    0x7fc0_0000,
    0x7f80_0000,
    0x4f00_0000,
];
const F64_ARGS: [u64; 6] = [
    0,
    0x3ff8_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0x43e0_0000_0000_0000,
];
const V128_ARGS: [u128; 3] = [0, u128::MAX, 0x0001_0203_0405_0607_0809_0a0b_0c0d_0e0f];

// ---------------------------------------------------------------------------------------
// wasmi

struct Wasmi {
    store: wasmi::Store<wasmi::StoreLimits>,
    module: wasmi::Module,
    instance: Option<wasmi::Instance>,
}

/// A new engine for each module: translation is eager, so that a panic inside wasmi's
/// translator comes out of `Module::new` (see `reference_survives`), and an engine a panic
/// went through is never used again.
fn wasmi_engine(profile: Profile) -> wasmi::Engine {
    let wasm3 = profile == Profile::Wasm3;
    let mut config = wasmi::Config::default();
    config
        .compilation_mode(wasmi::CompilationMode::Eager)
        .consume_fuel(true)
        .wasm_simd(profile != Profile::Scalar)
        .wasm_relaxed_simd(false)
        .wasm_multi_memory(wasm3)
        .wasm_memory64(wasm3)
        .wasm_tail_call(wasm3)
        .wasm_extended_const(wasm3)
        .wasm_wide_arithmetic(false)
        .wasm_custom_page_sizes(false);
    wasmi::Engine::new(&config)
}

fn wasmi_kind(e: &wasmi::Error) -> Kind {
    use wasmi::TrapCode as T;
    match e.as_trap_code() {
        Some(T::UnreachableCodeReached) => Kind::Unreachable,
        Some(T::MemoryOutOfBounds) => Kind::MemoryOutOfBounds,
        Some(T::TableOutOfBounds) => Kind::TableOutOfBounds,
        Some(T::IndirectCallToNull) => Kind::IndirectCallToNull,
        Some(T::IntegerDivisionByZero) => Kind::DivisionByZero,
        Some(T::IntegerOverflow) => Kind::IntegerOverflow,
        Some(T::BadConversionToInteger) => Kind::BadConversion,
        Some(T::StackOverflow) => Kind::StackOverflow,
        Some(T::BadSignature) => Kind::BadSignature,
        Some(T::OutOfFuel) => Kind::OutOfFuel,
        _ => {
            let text = e.to_string();
            if text.contains("limit") || text.contains("resource") {
                Kind::Limit(text)
            } else {
                Kind::Other(text)
            }
        }
    }
}

impl Wasmi {
    fn new(profile: Profile, wasm: &[u8]) -> Result<Wasmi, wasmi::Error> {
        let engine = &wasmi_engine(profile);
        let module = wasmi::Module::new(engine, wasm)?;
        let limits = wasmi::StoreLimitsBuilder::new()
            .memory_size(MEMORY_LIMIT as usize)
            .table_elements(TABLE_LIMIT as usize)
            .build();
        let mut store = wasmi::Store::new(engine, limits);
        store.limiter(|limits| limits);
        Ok(Wasmi {
            store,
            module,
            instance: None,
        })
    }

    fn instantiate(&mut self) -> Result<(), Kind> {
        self.store.set_fuel(FUEL).expect("fuel is on");
        let linker = wasmi::Linker::<wasmi::StoreLimits>::new(self.store.engine());
        let instance = linker
            .instantiate_and_start(&mut self.store, &self.module)
            .map_err(|e| wasmi_kind(&e))?;
        self.instance = Some(instance);
        Ok(())
    }

    fn instance(&self) -> wasmi::Instance {
        self.instance.expect("instantiated")
    }

    fn call(&mut self, name: &str) -> Outcome {
        let func = self
            .instance()
            .get_func(&self.store, name)
            .expect("exported function");
        let ty = func.ty(&self.store);
        let params: Vec<wasmi::Val> = ty
            .params()
            .iter()
            .enumerate()
            .map(|(i, t)| wasmi_arg(i, *t))
            .collect();
        let mut results: Vec<wasmi::Val> = ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        self.store.set_fuel(FUEL).expect("fuel is on");
        match func.call(&mut self.store, &params, &mut results) {
            Ok(()) => Outcome::Values(results.iter().map(wasmi_value).collect()),
            Err(e) => Outcome::Trap(wasmi_kind(&e)),
        }
    }

    fn memory(&self, name: &str) -> String {
        let memory = self
            .instance()
            .get_memory(&self.store, name)
            .expect("exported memory");
        format!("{:?}", memory_digest(memory.data(&self.store)))
    }

    fn global(&self, name: &str) -> String {
        let global = self
            .instance()
            .get_global(&self.store, name)
            .expect("exported global");
        format!("{:?}", wasmi_value(&global.get(&self.store)))
    }

    fn table(&self, name: &str) -> String {
        let table = self
            .instance()
            .get_table(&self.store, name)
            .expect("exported table");
        format!("size {}", table.size(&self.store))
    }
}

fn wasmi_arg(i: usize, ty: wasmi::ValType) -> wasmi::Val {
    use wasmi::ValType as T;
    match ty {
        T::I32 => wasmi::Val::I32(I32_ARGS[i % I32_ARGS.len()]),
        T::I64 => wasmi::Val::I64(I64_ARGS[i % I64_ARGS.len()]),
        T::F32 => wasmi::Val::F32(wasmi::F32::from_bits(F32_ARGS[i % F32_ARGS.len()])),
        T::F64 => wasmi::Val::F64(wasmi::F64::from_bits(F64_ARGS[i % F64_ARGS.len()])),
        T::V128 => wasmi::Val::V128(V128_ARGS[i % V128_ARGS.len()].into()),
        other => wasmi::Val::default_for_ty(other),
    }
}

fn wasmi_value(v: &wasmi::Val) -> V {
    match v {
        wasmi::Val::I32(x) => V::I32(*x),
        wasmi::Val::I64(x) => V::I64(*x),
        wasmi::Val::F32(x) => f32_bits(x.to_bits()),
        wasmi::Val::F64(x) => f64_bits(x.to_bits()),
        wasmi::Val::V128(x) => V::V128(x.as_u128()),
        wasmi::Val::FuncRef(r) => V::Ref { null: r.is_null() },
        wasmi::Val::ExternRef(r) => V::Ref { null: r.is_null() },
    }
}

// ---------------------------------------------------------------------------------------
// rt

struct Rt {
    store: rt::Store<()>,
    module: rt::Module,
    instance: Option<rt::Instance>,
}

/// rt at its defaults (opt-level 2, guard pages), with fuel, and store limits matching
/// wasmi's. `Module::new` never goes through the on-disk compile cache.
fn rt_engine() -> &'static rt::Engine {
    static ENGINE: OnceLock<rt::Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = rt::Config::new();
        config
            .consume_fuel(true)
            .max_memory_size(MEMORY_LIMIT)
            .max_table_elements(TABLE_LIMIT);
        rt::Engine::new(&config)
    })
}

fn rt_kind(e: &anyhow::Error) -> Kind {
    use rt::TrapKind as T;
    let trap = match e.downcast_ref::<rt::runtime::Error>() {
        Some(rt::runtime::Error::Trap(t)) => Some(t),
        Some(rt::runtime::Error::Limit(m)) => return Kind::Limit(m.clone()),
        _ => e.downcast_ref::<rt::Trap>(),
    };
    let Some(trap) = trap else {
        return Kind::Other(format!("{e:#}"));
    };
    match &trap.kind {
        T::Unreachable => Kind::Unreachable,
        T::MemoryOutOfBounds => Kind::MemoryOutOfBounds,
        // rt (like wasmtime) calls an index past the table's end in `call_indirect` an
        // undefined element; wasmi calls it a table access out of bounds.
        T::TableOutOfBounds | T::UndefinedElement => Kind::TableOutOfBounds,
        T::UninitializedElement => Kind::IndirectCallToNull,
        T::IndirectCallTypeMismatch => Kind::BadSignature,
        T::IntegerDivideByZero => Kind::DivisionByZero,
        T::IntegerOverflow => Kind::IntegerOverflow,
        T::BadConversionToInteger => Kind::BadConversion,
        T::StackOverflow => Kind::StackOverflow,
        T::OutOfFuel => Kind::OutOfFuel,
        other => Kind::Other(format!("{other}")),
    }
}

impl Rt {
    fn new(wasm: &[u8]) -> anyhow::Result<Rt> {
        let engine = rt_engine();
        let module = rt::Module::new(engine, wasm)?;
        Ok(Rt {
            store: rt::Store::new(engine, ()),
            module,
            instance: None,
        })
    }

    fn instantiate(&mut self) -> Result<(), Kind> {
        self.store.set_fuel(FUEL).expect("fuel is on");
        let linker = rt::Linker::<()>::new(rt_engine());
        let instance = linker
            .instantiate(&mut self.store, &self.module)
            .map_err(|e| rt_kind(&e))?;
        self.instance = Some(instance);
        Ok(())
    }

    fn instance(&self) -> rt::Instance {
        self.instance.expect("instantiated")
    }

    fn call(&mut self, name: &str) -> Outcome {
        let func = self
            .instance()
            .get_func(&self.store, name)
            .expect("exported function");
        let ty = func.ty(&self.store);
        let params: Vec<rt::Val> = ty
            .params()
            .iter()
            .enumerate()
            .map(|(i, t)| rt_arg(i, *t))
            .collect();
        let mut results: Vec<rt::Val> = ty
            .results()
            .iter()
            .map(|t| rt::Val::default_for(*t))
            .collect();
        self.store.set_fuel(FUEL).expect("fuel is on");
        match func.call(&mut self.store, &params, &mut results) {
            Ok(()) => Outcome::Values(results.iter().map(rt_value).collect()),
            Err(e) => Outcome::Trap(rt_kind(&e)),
        }
    }

    fn memory(&self, name: &str) -> String {
        let memory = self
            .instance()
            .get_memory(&self.store, name)
            .expect("exported memory");
        format!("{:?}", memory_digest(memory.data(&self.store)))
    }

    fn global(&self, name: &str) -> String {
        let global = self
            .instance()
            .get_global(&self.store, name)
            .expect("exported global");
        format!("{:?}", rt_value(&global.get(&self.store)))
    }

    fn table(&self, name: &str) -> String {
        let table = self
            .instance()
            .get_table(&self.store, name)
            .expect("exported table");
        format!("size {}", table.size(&self.store))
    }
}

fn rt_arg(i: usize, ty: wasmparser::ValType) -> rt::Val {
    use wasmparser::ValType as T;
    match ty {
        T::I32 => rt::Val::I32(I32_ARGS[i % I32_ARGS.len()]),
        T::I64 => rt::Val::I64(I64_ARGS[i % I64_ARGS.len()]),
        T::F32 => rt::Val::F32(F32_ARGS[i % F32_ARGS.len()]),
        T::F64 => rt::Val::F64(F64_ARGS[i % F64_ARGS.len()]),
        T::V128 => rt::Val::V128(V128_ARGS[i % V128_ARGS.len()]),
        other => rt::Val::default_for(other),
    }
}

fn rt_value(v: &rt::Val) -> V {
    match v {
        rt::Val::I32(x) => V::I32(*x),
        rt::Val::I64(x) => V::I64(*x),
        rt::Val::F32(x) => f32_bits(*x),
        rt::Val::F64(x) => f64_bits(*x),
        rt::Val::V128(x) => V::V128(*x),
        rt::Val::FuncRef(r) => V::Ref { null: r.is_none() },
        rt::Val::ExternRef(r) => V::Ref { null: r.is_none() },
        rt::Val::ExnRef(r) => V::Ref { null: r.is_none() },
        rt::Val::AnyRef(r) => V::Ref { null: r.is_none() },
        rt::Val::ExternAny(_) => V::Ref { null: false },
    }
}
