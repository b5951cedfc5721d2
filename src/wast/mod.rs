//! The spec-script runner: executes every directive of a `.wast` file against the LLVM
//! runtime and counts each directive as passed or failed. It is the compiler's conformance
//! harness, so it never stops at the first failure: it records it and goes on.
mod spectest;
mod values;

use crate::module::Module;
use crate::runtime::{Error, Extern, Instance, Linker, Store, Val};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use wast::{QuoteWat, WastDirective, WastExecute, WastInvoke, Wat};

/// The feature set `rt wast` validates against: Wasm 2.0.
pub fn features() -> wasmparser::WasmFeatures {
    wasmparser::WasmFeatures::WASM2
}

/// One failed directive, located in its script.
#[derive(Debug, Clone)]
pub struct Failure {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// The outcome of one script.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub passed: usize,
    pub failures: Vec<Failure>,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.failures.len()
    }
}

/// Run one script file. An error here means the script itself could not be read or parsed;
/// directive failures are in the report.
pub fn run_file(path: &Path) -> anyhow::Result<Report> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    run_script(&path.display().to_string(), &text)
}

/// Run a script given as text (`name` is used in error messages).
pub fn run_script(name: &str, text: &str) -> anyhow::Result<Report> {
    let locate = |e: wast::Error| {
        let (line, col) = e.span().linecol_in(text);
        anyhow::anyhow!("{name}:{}:{}: {}", line + 1, col + 1, e.message())
    };
    // The spec's names.wast deliberately uses bidi control characters in names.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = wast::parser::ParseBuffer::new_with_lexer(lexer).map_err(locate)?;
    let script = wast::parser::parse::<wast::Wast>(&buf).map_err(locate)?;
    let mut runner = Runner::new()?;
    let mut report = Report::default();
    for directive in script.directives {
        let (line, col) = directive.span().linecol_in(text);
        let outcome = catch_unwind(AssertUnwindSafe(|| runner.directive(directive)))
            .unwrap_or_else(|panic| Err(format!("rt panicked: {}", panic_message(&panic))));
        match outcome {
            Ok(()) => report.passed += 1,
            Err(message) => report.failures.push(Failure {
                line: line + 1,
                col: col + 1,
                message,
            }),
        }
    }
    Ok(report)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// The state a script builds up: one store, the registered modules, the named instances.
struct Runner {
    store: Store,
    linker: Linker,
    named: HashMap<String, Instance>,
    current: Option<Instance>,
}

type Outcome = Result<(), String>;

impl Runner {
    fn new() -> anyhow::Result<Runner> {
        let mut store = Store::new();
        let mut linker = Linker::new();
        spectest::define(&mut store, &mut linker).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Runner {
            store,
            linker,
            named: HashMap::new(),
            current: None,
        })
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> Outcome {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let bytes = module.encode().map_err(|e| e.message())?;
                let instance = self.instantiate(bytes).map_err(|e| e.to_string())?;
                self.add_instance(name, instance);
                Ok(())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let bytes = module.encode().map_err(|e| e.message())?;
                self.compile(bytes).map(|_| ()).map_err(|e| e.to_string())
            }
            WastDirective::ModuleInstance { .. } => {
                Err("module definitions/instances are not part of Wasm 2.0".to_string())
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module.map(|id| id.name()))?;
                self.linker.define_instance(&self.store, name, instance);
                Ok(())
            }
            WastDirective::Invoke(invoke) => self.invoke(&invoke).map(|_| ()),
            WastDirective::AssertReturn { exec, results, .. } => {
                let actual = self.execute(exec)?;
                values::match_results(&actual, &results)
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                match exec {
                    // `assert_trap (module ...)`: instantiation itself must trap.
                    WastExecute::Wat(wat) => self.expect_uninstantiable(wat, message),
                    other => match self.execute(other) {
                        Ok(values) => Err(format!(
                            "expected trap `{message}`, got {}",
                            values::show(&values)
                        )),
                        Err(actual) => trap_matches(&actual, message),
                    },
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Ok(values) => Err(format!(
                    "expected exhaustion `{message}`, got {}",
                    values::show(&values)
                )),
                Err(actual) => trap_matches(&actual, message),
            },
            WastDirective::AssertMalformed {
                module, message, ..
            } => self.expect_rejected(module, message, false),
            WastDirective::AssertInvalid {
                module, message, ..
            } => self.expect_rejected(module, message, true),
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => {
                let bytes = QuoteWat::Wat(module).encode().map_err(|e| e.message())?;
                let compiled = self.compile(bytes).map_err(|e| e.to_string())?;
                match self.store.instantiate(&self.linker, &compiled) {
                    Ok(_) => Err(format!("expected link error `{message}`, module linked")),
                    Err(Error::Link(_)) => Ok(()),
                    Err(other) => Err(format!("expected link error `{message}`, got: {other}")),
                }
            }
            other => Err(format!(
                "directive not supported by a Wasm 2.0 runner: {:?}",
                std::mem::discriminant(&other)
            )),
        }
    }

    fn add_instance(&mut self, name: Option<String>, instance: Instance) {
        if let Some(name) = name {
            self.named.insert(name, instance);
        }
        self.current = Some(instance);
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, String> {
        match name {
            Some(n) => self
                .named
                .get(n)
                .copied()
                .ok_or_else(|| format!("no module named ${n}")),
            None => self
                .current
                .ok_or_else(|| "no module instantiated yet".to_string()),
        }
    }

    fn compile(&mut self, bytes: Vec<u8>) -> Result<crate::runtime::CompiledModule, String> {
        let module = Module::parse_validated(bytes, features()).map_err(|e| e.to_string())?;
        self.store.compile(module).map_err(|e| e.to_string())
    }

    fn instantiate(&mut self, bytes: Vec<u8>) -> Result<Instance, String> {
        let compiled = self.compile(bytes)?;
        self.store
            .instantiate(&self.linker, &compiled)
            .map_err(|e| e.to_string())
    }

    fn expect_uninstantiable(&mut self, wat: Wat<'_>, message: &str) -> Outcome {
        let bytes = QuoteWat::Wat(wat).encode().map_err(|e| e.message())?;
        let compiled = self.compile(bytes)?;
        match self.store.instantiate(&self.linker, &compiled) {
            Ok(_) => Err(format!("expected instantiation to trap `{message}`")),
            Err(Error::Trap(trap)) => trap_matches(&trap.to_string(), message),
            Err(other) => Err(format!("expected trap `{message}`, got: {other}")),
        }
    }

    /// `assert_malformed` / `assert_invalid`: the module must fail to encode, decode or
    /// validate. (`invalid` modules must at least decode.)
    fn expect_rejected(
        &mut self,
        mut module: QuoteWat<'_>,
        message: &str,
        invalid: bool,
    ) -> Outcome {
        let bytes = match module.encode() {
            Ok(bytes) => bytes,
            Err(_) if !invalid => return Ok(()),
            Err(e) => {
                return Err(format!(
                    "expected invalid module `{message}`, but its text did not parse: {}",
                    e.message()
                ))
            }
        };
        match Module::parse_validated(bytes, features()) {
            Ok(_) => Err(format!(
                "expected {} module `{message}`, but it was accepted",
                if invalid { "invalid" } else { "malformed" }
            )),
            Err(_) => Ok(()),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, String> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module.map(|id| id.name()))?;
                match self.store.get_export(instance, global) {
                    Some(Extern::Global(g)) => Ok(vec![self.store.global_get(g)]),
                    Some(_) => Err(format!("export `{global}` is not a global")),
                    None => Err(format!("no export `{global}`")),
                }
            }
            WastExecute::Wat(mut wat) => {
                let bytes = wat.encode().map_err(|e| e.message())?;
                self.instantiate(bytes).map(|_| Vec::new())
            }
        }
    }

    /// Call an export. `Err` carries the trap's message (or why the call could not be made).
    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, String> {
        let instance = self.instance(invoke.module.map(|id| id.name()))?;
        let func = match self.store.get_export(instance, invoke.name) {
            Some(Extern::Func(f)) => f,
            Some(_) => return Err(format!("export `{}` is not a function", invoke.name)),
            None => return Err(format!("no export `{}`", invoke.name)),
        };
        let args = invoke
            .args
            .iter()
            .map(values::arg)
            .collect::<Result<Vec<_>, _>>()?;
        self.store
            .call(func, &args)
            .map_err(|trap| trap.to_string())
    }
}

/// Whether a trap message satisfies the script's expected text. The runtime uses wasmtime's
/// wording, which contains the spec's phrase for every trap kind.
fn trap_matches(actual: &str, expected: &str) -> Outcome {
    if actual.contains(expected) {
        return Ok(());
    }
    // The spec says "uninitialized element 2" etc. for some table traps; the number is the
    // element index, which wasmtime does not print.
    let stem = expected.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ');
    if !stem.is_empty() && actual.contains(stem) {
        return Ok(());
    }
    let mut msg = String::new();
    let _ = write!(msg, "expected trap `{expected}`, got `{actual}`");
    Err(msg)
}
