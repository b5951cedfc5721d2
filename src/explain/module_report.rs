//! `rt explain MODULE`: a module's WASI imports, who calls them, and what it needs to run.
use super::callgraph::{CallGraph, ChainEnd};
use super::catalog::{
    core_signature, find_function, libc_names, signature_text, CoreType, SNAPSHOT0_NOTE,
    WASI_MODULES,
};
use super::report::{first_sentence, run_need, RunNeed};
use crate::module::{ImportKind, Module};
use serde::Serialize;
use wasmparser::{FuncType, ValType};

/// A function of the module, by index and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FuncRef {
    pub index: u32,
    /// The name section's name, an export name, or `func[N]`.
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    /// From the WASI import up: `[fd_readdir, __wasi_fd_readdir, readdir, ..., _start]`.
    pub functions: Vec<FuncRef>,
    /// `export` (the last function is exported, see `export`), `start`, `indirect` (the last
    /// function is only reached through a table), or `orphan` (nothing calls it).
    pub ends_at: &'static str,
    pub export: Option<String>,
}

/// How many callers of one import get a chain: enough to see every path in real programs,
/// few enough that a module with thousands of callers cannot make the report quadratic.
pub const MAX_CHAINS: usize = 8;

#[derive(Debug, Clone, Serialize)]
pub struct WasiImportReport {
    /// The function index the import occupies.
    pub index: u32,
    pub module: String,
    pub name: String,
    /// Whether the catalog knows this function.
    pub known: bool,
    /// The catalog's first sentence about it; null for unknown functions.
    pub summary: Option<&'static str>,
    /// The type the module imports it with, `(i32, i32) -> i32`.
    pub signature: String,
    /// The type the catalog says it has; null for unknown functions.
    pub expected_signature: Option<String>,
    pub signature_ok: bool,
    pub direct_callers: Vec<FuncRef>,
    /// One shortest chain per direct caller (the first [`MAX_CHAINS`] callers), up to an
    /// export or the start function.
    pub chains: Vec<Chain>,
    /// Direct callers whose chains are not listed.
    pub chains_omitted: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherImportReport {
    pub module: String,
    pub name: String,
    /// func, table, memory, global, tag
    pub kind: &'static str,
    /// For functions: the function index.
    pub index: Option<u32>,
    pub signature: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndirectSites {
    pub function: FuncRef,
    /// Byte offsets of its call_indirect / call_ref instructions.
    pub offsets: Vec<usize>,
}

/// A function of the module named like a libc function the catalog knows.
#[derive(Debug, Clone, Serialize)]
pub struct LibcFunctionReport {
    pub function: FuncRef,
    /// The WASI imports it reaches through direct calls, in import order.
    pub reaches: Vec<String>,
    /// Whether something it reaches makes indirect calls, which may reach more.
    pub makes_indirect_calls: bool,
}

/// A run flag or host resource, and the imports that make it matter.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleRunNeed {
    #[serde(flatten)]
    pub need: RunNeed,
    pub needed_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleReport {
    pub kind: &'static str,
    pub path: String,
    pub wasi_imports: Vec<WasiImportReport>,
    /// Names of WASI imports no function calls directly.
    pub uncalled_wasi_imports: Vec<String>,
    /// Names of WASI imports whose signature differs from the catalog, or that it lacks.
    pub mismatched_wasi_imports: Vec<String>,
    pub other_imports: Vec<OtherImportReport>,
    /// Calls whose callee is unknown statically.
    pub indirect_call_sites: Vec<IndirectSites>,
    pub run_needs: Vec<ModuleRunNeed>,
    /// libc functions present in the module (by name) and the WASI calls each reaches.
    pub libc_functions: Vec<LibcFunctionReport>,
    /// Caveats about how to read this report for this module.
    pub notes: Vec<&'static str>,
}

/// A function type in the same spelling as the catalog's core signatures.
fn func_type_text(ty: &FuncType) -> String {
    let text = |t: &ValType| crate::module::typetext::val_type(*t);
    let params: Vec<String> = ty.params().iter().map(text).collect();
    let results: Vec<String> = ty.results().iter().map(text).collect();
    signature_text(&params, &results)
}

fn matches_core(ty: &FuncType, params: &[CoreType], results: &[CoreType]) -> bool {
    let same = |vals: &[ValType], core: &[CoreType]| {
        vals.len() == core.len()
            && vals.iter().zip(core).all(|(v, c)| {
                matches!(
                    (v, c),
                    (ValType::I32, CoreType::I32) | (ValType::I64, CoreType::I64)
                )
            })
    };
    same(ty.params(), params) && same(ty.results(), results)
}

struct Namer<'a> {
    module: &'a Module,
}

impl Namer<'_> {
    /// Imports are shown by their WASI name (`fd_readdir`); others by their function name.
    fn func(&self, index: u32) -> FuncRef {
        let name = match self.module.func_import(index) {
            Some(import) => import.name.clone(),
            None => self
                .module
                .func_name(index)
                .map_or_else(|| format!("func[{index}]"), str::to_string),
        };
        FuncRef { index, name }
    }
}

pub fn module_report(
    path: &str,
    module: &Module,
) -> Result<ModuleReport, crate::module::ParseError> {
    let graph = CallGraph::build(module)?;
    let namer = Namer { module };
    let mut report = ModuleReport {
        kind: "module",
        path: path.to_string(),
        wasi_imports: Vec::new(),
        uncalled_wasi_imports: Vec::new(),
        mismatched_wasi_imports: Vec::new(),
        other_imports: Vec::new(),
        indirect_call_sites: Vec::new(),
        run_needs: Vec::new(),
        libc_functions: Vec::new(),
        notes: Vec::new(),
    };
    for import in &module.imports {
        let ImportKind::Func(type_index) = import.kind else {
            report.other_imports.push(other_import(import, module));
            continue;
        };
        if !WASI_MODULES.contains(&import.module.as_str()) {
            report.other_imports.push(other_import(import, module));
            let by = format!("{}.{}", import.module, import.name);
            add_need(&mut report.run_needs, NON_WASI_FUNCTION, &by);
            continue;
        }
        let wasi = wasi_import(import, type_index, module, &graph, &namer);
        if wasi.direct_callers.is_empty() {
            report.uncalled_wasi_imports.push(wasi.name.clone());
        }
        if !wasi.signature_ok {
            report.mismatched_wasi_imports.push(wasi.name.clone());
        }
        if let Some(need) = find_function(&wasi.name).and_then(run_need) {
            add_need(&mut report.run_needs, need, &wasi.name);
        }
        report.wasi_imports.push(wasi);
    }
    for (func, offsets) in graph.indirect_sites() {
        report.indirect_call_sites.push(IndirectSites {
            function: namer.func(*func),
            offsets: offsets.clone(),
        });
    }
    report.libc_functions = libc_functions(module, &graph, &namer);
    if report
        .wasi_imports
        .iter()
        .any(|w| w.module == "wasi_unstable")
    {
        report.notes.push(SNAPSHOT0_NOTE);
    }
    Ok(report)
}

/// A function import WASI does not define: `rt run` has nothing to link it to unless a
/// preloaded module provides it, or it is left to fail when called.
const NON_WASI_FUNCTION: RunNeed = RunNeed {
    flag: Some("--preload NAME=PATH or -W unknown-imports-trap=y"),
    reason: "imports functions WASI does not define (a preloaded module may provide them)",
};

fn add_need(needs: &mut Vec<ModuleRunNeed>, need: RunNeed, by: &str) {
    match needs.iter_mut().find(|n| n.need == need) {
        Some(existing) => existing.needed_by.push(by.to_string()),
        None => needs.push(ModuleRunNeed {
            need,
            needed_by: vec![by.to_string()],
        }),
    }
}

fn wasi_import(
    import: &crate::module::Import,
    type_index: u32,
    module: &Module,
    graph: &CallGraph,
    namer: &Namer<'_>,
) -> WasiImportReport {
    let ty = module.types.get(type_index as usize);
    let signature = ty.map_or_else(|| format!("type[{type_index}]"), func_type_text);
    let expected = find_function(&import.name).map(core_signature);
    let signature_ok = match (&expected, ty) {
        (Some(core), Some(ty)) => matches_core(ty, &core.param_types(), &core.results),
        _ => false,
    };
    let direct: Vec<u32> = graph.callers(import.index).to_vec();
    let chains = direct
        .iter()
        .take(MAX_CHAINS)
        .map(|&caller| {
            let (up, end) = graph.chain_to_root(caller);
            let mut functions = vec![namer.func(import.index)];
            functions.extend(up.into_iter().map(|f| namer.func(f)));
            let (ends_at, export) = match end {
                ChainEnd::Start => ("start", None),
                ChainEnd::Export(name) => ("export", Some(name)),
                ChainEnd::Indirect => ("indirect", None),
                ChainEnd::Orphan => ("orphan", None),
            };
            Chain {
                functions,
                ends_at,
                export,
            }
        })
        .collect();
    WasiImportReport {
        index: import.index,
        module: import.module.clone(),
        name: import.name.clone(),
        known: expected.is_some(),
        summary: find_function(&import.name).map(|f| first_sentence(f.summary)),
        signature,
        expected_signature: expected.map(|c| c.to_string()),
        signature_ok,
        chains_omitted: direct.len().saturating_sub(MAX_CHAINS),
        direct_callers: direct.iter().map(|&f| namer.func(f)).collect(),
        chains,
    }
}

fn other_import(import: &crate::module::Import, module: &Module) -> OtherImportReport {
    let (kind, index, signature) = match import.kind {
        ImportKind::Func(t) => (
            "func",
            Some(import.index),
            module.types.get(t as usize).map(func_type_text),
        ),
        ImportKind::Table(_) => ("table", None, None),
        ImportKind::Memory(_) => ("memory", None, None),
        ImportKind::Global(_) => ("global", None, None),
        ImportKind::Tag(_) => ("tag", None, None),
    };
    OtherImportReport {
        module: import.module.clone(),
        name: import.name.clone(),
        kind,
        index,
        signature,
    }
}

/// For each defined function named like a libc function in the catalog (`readdir`, `fopen`),
/// the WASI imports it reaches by direct calls.
fn libc_functions(
    module: &Module,
    graph: &CallGraph,
    namer: &Namer<'_>,
) -> Vec<LibcFunctionReport> {
    let known = libc_names();
    let is_wasi_import = |f: u32| {
        module
            .func_import(f)
            .is_some_and(|i| WASI_MODULES.contains(&i.module.as_str()))
    };
    (module.num_imported_funcs..module.num_funcs())
        .filter(|&f| {
            module
                .names
                .functions
                .get(&f)
                .is_some_and(|n| known.contains(&n.as_str()))
        })
        .map(|f| {
            let (reached, makes_indirect_calls) = graph.reachable(f);
            let reaches = reached
                .into_iter()
                .filter(|&g| is_wasi_import(g))
                .map(|g| namer.func(g).name)
                .collect();
            LibcFunctionReport {
                function: namer.func(f),
                reaches,
                makes_indirect_calls,
            }
        })
        .collect()
}
