//! The spec-script runner: executes every directive of a `.wast` file against the LLVM
//! runtime and counts each directive as passed or failed. It is the compiler's conformance
//! harness, so it never stops at the first failure: it records it and goes on.
//!
//! A script is run in one *language* (a [`WasmFeatures`] set: Wasm 2.0, Wasm 3.0, a proposal).
//! Validity is decided in that language; a module that is valid there but needs a feature rt
//! does not implement yet is *unsupported*: it fails, as does every later directive that
//! needs it, each marked with the missing features. It is never mistaken for the rejection
//! an `assert_invalid` or `assert_malformed` expects.
mod spectest;
mod values;

use crate::features::{self, Refusal};
use crate::runtime::{Error, Trap};
use crate::{Engine, Instance, Linker, Module, Store, Val};
use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use wasmparser::WasmFeatures;
use wast::{QuoteWat, WastDirective, WastExecute, WastInvoke, Wat};

/// One failed directive, located in its script.
#[derive(Debug, Clone)]
pub struct Failure {
    pub line: usize,
    pub col: usize,
    pub message: String,
    /// Empty for a genuine failure; otherwise the features rt lacks that the directive
    /// needed (the message then says "unsupported: ...").
    pub unsupported: Vec<&'static str>,
}

/// The outcome of one script.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub passed: usize,
    pub failures: Vec<Failure>,
}

impl Report {
    /// Directives that failed for a reason other than a feature rt lacks.
    pub fn failed(&self) -> usize {
        self.failures
            .iter()
            .filter(|f| f.unsupported.is_empty())
            .count()
    }

    /// Directives that failed because rt lacks a feature they need.
    pub fn unsupported(&self) -> usize {
        self.failures.len() - self.failed()
    }

    /// Every feature some directive needed and rt lacks.
    pub fn missing_features(&self) -> BTreeSet<&'static str> {
        self.failures
            .iter()
            .flat_map(|f| f.unsupported.iter().copied())
            .collect()
    }
}

/// Run one script file with `config` (its features are the script's language). An error here
/// means the script itself could not be read or parsed; directive failures are in the report.
pub fn run_file(path: &Path, config: &crate::Config) -> anyhow::Result<Report> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    // A script is text; say where a binary (a .wasm, an executable) stops being UTF-8, as
    // wat2wasm does, rather than io's offset-less "stream did not contain valid UTF-8".
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{shown}: a script must be UTF-8 text; byte {} is not",
            e.utf8_error().valid_up_to()
        )
    })?;
    run_script(&shown.to_string(), &text, config)
}

/// Run a script given as text (`name` is used in error messages).
pub fn run_script(name: &str, text: &str, config: &crate::Config) -> anyhow::Result<Report> {
    let locate = |e: wast::Error| {
        let (line, col) = e.span().linecol_in(text);
        anyhow::anyhow!("{name}:{}:{}: {}", line + 1, col + 1, e.message())
    };
    // The spec's names.wast deliberately uses bidi control characters in names.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = wast::parser::ParseBuffer::new_with_lexer(lexer).map_err(locate)?;
    let script = wast::parser::parse::<wast::Wast>(&buf).map_err(locate)?;
    let mut runner = Runner::new(config)?;
    let mut report = Report::default();
    for directive in script.directives {
        let (line, col) = directive.span().linecol_in(text);
        let outcome = catch_unwind(AssertUnwindSafe(|| runner.directive(directive)))
            .unwrap_or_else(|panic| {
                Err(Miss::Fail(format!(
                    "rt panicked: {}",
                    panic_message(&panic)
                )))
            });
        let (message, unsupported) = match outcome {
            Ok(()) => {
                report.passed += 1;
                continue;
            }
            Err(Miss::Fail(message)) => (message, Vec::new()),
            Err(Miss::Unsupported(features)) => {
                (format!("unsupported: {}", features.join(", ")), features)
            }
        };
        report.failures.push(Failure {
            line: line + 1,
            col: col + 1,
            message,
            unsupported,
        });
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

/// Why a directive did not pass.
pub(crate) enum Miss {
    /// rt got it wrong (or the script's expectation was not met).
    Fail(String),
    /// The directive needs these features, which rt does not implement yet.
    Unsupported(Vec<&'static str>),
}

impl From<String> for Miss {
    fn from(message: String) -> Miss {
        Miss::Fail(message)
    }
}

type Outcome<T = ()> = Result<T, Miss>;

/// A module or instance the script named: usable, or why not. Directives that use an
/// unusable one fail the same way it did, so one missing feature is not reported as a
/// string of unrelated errors.
#[derive(Clone)]
enum Slot<T> {
    Ready(T),
    Unsupported(Vec<&'static str>),
    Failed,
}

impl<T: Clone> Slot<T> {
    fn get(&self) -> Outcome<T> {
        match self {
            Slot::Ready(t) => Ok(t.clone()),
            Slot::Unsupported(features) => Err(Miss::Unsupported(features.clone())),
            Slot::Failed => Err(Miss::Fail(
                "the module this directive uses failed earlier".to_string(),
            )),
        }
    }

    /// The slot an outcome leaves behind: a genuine failure leaves a failed slot.
    fn from_outcome(outcome: &Outcome<T>) -> Slot<T> {
        match outcome {
            Ok(t) => Slot::Ready(t.clone()),
            Err(Miss::Unsupported(features)) => Slot::Unsupported(features.clone()),
            Err(Miss::Fail(_)) => Slot::Failed,
        }
    }
}

/// The state a script builds up: one store, the registered modules, the named instances.
struct Runner {
    language: WasmFeatures,
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    named: HashMap<String, Slot<Instance>>,
    current: Option<Slot<Instance>>,
    /// `(module definition $M ...)`s, by name; the last one also under "".
    definitions: HashMap<String, Slot<Module>>,
    /// Registered instances, by the name modules import them under.
    registered: HashMap<String, Instance>,
    /// Shared state an unsupported module would have touched, with the features it
    /// needed: registered names (its own, or ones it imports from, whose memories, tables
    /// and globals its instantiation could have written) and the instances behind them.
    /// A directive that reads such state cannot be judged, so it is unsupported too.
    tainted_names: HashMap<String, Vec<&'static str>>,
    tainted: HashMap<Instance, Vec<&'static str>>,
}

impl Runner {
    fn new(config: &crate::Config) -> anyhow::Result<Runner> {
        let language = config.features();
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        spectest::define(&mut store, &mut linker)?;
        Ok(Runner {
            engine,
            language,
            store,
            linker,
            named: HashMap::new(),
            current: None,
            definitions: HashMap::new(),
            registered: HashMap::new(),
            tainted_names: HashMap::new(),
            tainted: HashMap::new(),
        })
    }

    fn directive(&mut self, directive: WastDirective<'_>) -> Outcome {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let bytes = module.encode().map_err(|e| e.message())?;
                let instance = self.compile(bytes).and_then(|c| self.instantiate(&c));
                self.add_instance(name, Slot::from_outcome(&instance));
                instance.map(|_| ())
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let bytes = module.encode().map_err(|e| e.message())?;
                let compiled = self.compile(bytes);
                let slot = Slot::from_outcome(&compiled);
                if let Some(name) = name {
                    self.definitions.insert(name, slot.clone());
                }
                self.definitions.insert(String::new(), slot);
                compiled.map(|_| ())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let key = module.map(|id| id.name()).unwrap_or("");
                let definition = self
                    .definitions
                    .get(key)
                    .cloned()
                    .ok_or_else(|| format!("no module definition named ${key}"))?;
                let made = definition.get().and_then(|c| self.instantiate(&c));
                self.add_instance(
                    instance.map(|id| id.name().to_string()),
                    Slot::from_outcome(&made),
                );
                made.map(|_| ())
            }
            WastDirective::Register { name, module, .. } => {
                let slot = self.slot(module.map(|id| id.name()))?;
                if let Slot::Ready(instance) = slot {
                    self.linker
                        .instance(&self.store, name, instance)
                        .map_err(|e| e.to_string())?;
                    self.registered.insert(name.to_string(), instance);
                }
                match self.usable(slot) {
                    Err(Miss::Unsupported(features)) => {
                        self.tainted_names
                            .insert(name.to_string(), features.clone());
                        Err(Miss::Unsupported(features))
                    }
                    other => other.map(|_| ()),
                }
            }
            WastDirective::Invoke(invoke) => self.invoke(&invoke).map(|_| ()),
            WastDirective::AssertReturn { exec, results, .. } => {
                let actual = self.execute(exec)?;
                values::match_results(&actual, &results)
            }
            WastDirective::AssertTrap { exec, message, .. } => match exec {
                // `assert_trap (module ...)`: instantiation itself must trap.
                WastExecute::Wat(wat) => self.expect_uninstantiable(wat, message),
                other => match self.execute(other) {
                    Ok(values) => Err(Miss::Fail(format!(
                        "expected trap `{message}`, got {}",
                        values::show(&values)
                    ))),
                    Err(Miss::Fail(actual)) => trap_matches(&actual, message),
                    Err(unsupported) => Err(unsupported),
                },
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Ok(values) => Err(Miss::Fail(format!(
                    "expected exhaustion `{message}`, got {}",
                    values::show(&values)
                ))),
                Err(Miss::Fail(actual)) => trap_matches(&actual, message),
                Err(unsupported) => Err(unsupported),
            },
            WastDirective::AssertException { exec, .. } => match self.execute(exec) {
                Ok(values) => Err(Miss::Fail(format!(
                    "expected an exception, got {}",
                    values::show(&values)
                ))),
                // A call's failure reaches here as its message; only an uncaught exception
                // says this (spectest's host functions never fail).
                Err(Miss::Fail(actual)) if actual == crate::ThrownException::MESSAGE => Ok(()),
                Err(Miss::Fail(actual)) => {
                    Err(Miss::Fail(format!("expected an exception, got `{actual}`")))
                }
                Err(unsupported) => Err(unsupported),
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
                let compiled = self.compile(bytes)?;
                match self.linker.instantiate(&mut self.store, &compiled) {
                    Ok(_) => Err(Miss::Fail(format!(
                        "expected link error `{message}`, module linked"
                    ))),
                    Err(e) if matches!(e.downcast_ref::<Error>(), Some(Error::Link(_))) => Ok(()),
                    Err(other) => Err(Miss::Fail(format!(
                        "expected link error `{message}`, got: {other}"
                    ))),
                }
            }
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                Err(Miss::Unsupported(vec!["threads"]))
            }
            WastDirective::AssertSuspension { .. } => {
                Err(Miss::Unsupported(vec!["stack switching"]))
            }
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. } => {
                Err(Miss::Unsupported(vec!["custom section annotations"]))
            }
        }
    }

    fn add_instance(&mut self, name: Option<String>, slot: Slot<Instance>) {
        if let Some(name) = name {
            self.named.insert(name, slot.clone());
        }
        self.current = Some(slot);
    }

    fn slot(&self, name: Option<&str>) -> Outcome<Slot<Instance>> {
        let slot = match name {
            Some(n) => self
                .named
                .get(n)
                .ok_or_else(|| format!("no module named ${n}"))?,
            None => self
                .current
                .as_ref()
                .ok_or_else(|| "no module instantiated yet".to_string())?,
        };
        Ok(slot.clone())
    }

    /// The instance in `slot`, unless it is unusable or tainted.
    fn usable(&self, slot: Slot<Instance>) -> Outcome<Instance> {
        let instance = slot.get()?;
        match self.tainted.get(&instance) {
            Some(features) => Err(Miss::Unsupported(features.clone())),
            None => Ok(instance),
        }
    }

    fn instance(&self, name: Option<&str>) -> Outcome<Instance> {
        self.usable(self.slot(name)?)
    }

    /// Validate in the script's language, then compile. A module valid in the language
    /// that needs what rt lacks is unsupported, not a failure of rt's validator.
    fn compile(&mut self, bytes: Vec<u8>) -> Outcome<Module> {
        let missing = match features::parse_checked(bytes.clone(), self.language) {
            Ok(module) => match Module::from_checked(&self.engine, module) {
                Ok(compiled) => return Ok(compiled),
                // Valid, but it uses an instruction rt does not lower yet.
                Err(e) => match e.downcast_ref::<crate::aot::CompileError>() {
                    Some(crate::aot::CompileError::Unsupported { feature, .. }) => {
                        vec![*feature]
                    }
                    _ => return Err(Miss::Fail(e.to_string())),
                },
            },
            Err(Refusal::Unsupported { features, .. }) => features,
            Err(invalid) => return Err(refusal(invalid)),
        };
        self.taint_imports(&import_modules(&bytes), &missing);
        Err(Miss::Unsupported(missing))
    }

    /// An unsupported module importing from these registered names would have run its
    /// initialisers against their state: mark it as unknowable.
    fn taint_imports(&mut self, imports: &BTreeSet<String>, features: &[&'static str]) {
        for name in imports {
            self.tainted_names.insert(name.clone(), features.to_vec());
            if let Some(instance) = self.registered.get(name) {
                self.tainted.insert(*instance, features.to_vec());
            }
        }
    }

    /// Instantiate. Importing from tainted state makes the outcome unsupported: a link
    /// failure there could never have been satisfied, and a new instance inherits the taint.
    fn instantiate(&mut self, compiled: &Module) -> Outcome<Instance> {
        let instance = self.linker.instantiate(&mut self.store, compiled);
        let needed: BTreeSet<&'static str> = compiled
            .imports()
            .filter_map(|(module, _)| self.tainted_names.get(module))
            .flatten()
            .copied()
            .collect();
        if needed.is_empty() {
            return instance.map_err(|e| Miss::Fail(failure_text(&e)));
        }
        let needed: Vec<&'static str> = needed.into_iter().collect();
        match instance {
            Ok(instance) => {
                self.tainted.insert(instance, needed);
                Ok(instance)
            }
            Err(_) => Err(Miss::Unsupported(needed)),
        }
    }

    fn expect_uninstantiable(&mut self, wat: Wat<'_>, message: &str) -> Outcome {
        let bytes = QuoteWat::Wat(wat).encode().map_err(|e| e.message())?;
        let compiled = self.compile(bytes)?;
        match self.instantiate(&compiled) {
            Ok(_) => Err(Miss::Fail(format!(
                "expected instantiation to trap `{message}`"
            ))),
            Err(Miss::Fail(actual)) => trap_matches(&actual, message),
            Err(unsupported) => Err(unsupported),
        }
    }

    /// `assert_malformed` / `assert_invalid`: the module must fail to encode, decode or
    /// validate in the script's language. (`invalid` modules must at least decode.) A module
    /// rt refuses only for a missing feature is not the rejection the script expects.
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
                return Err(Miss::Fail(format!(
                    "expected invalid module `{message}`, but its text did not parse: {}",
                    e.message()
                )))
            }
        };
        match features::check(&bytes, self.language) {
            Ok(()) => Err(Miss::Fail(format!(
                "expected {} module `{message}`, but it was accepted",
                if invalid { "invalid" } else { "malformed" }
            ))),
            Err(Refusal::Invalid(_)) => Ok(()),
            Err(unsupported) => Err(refusal(unsupported)),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Outcome<Vec<Val>> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module.map(|id| id.name()))?;
                match instance.get_export(&self.store, global) {
                    Some(crate::Extern::Global(g)) => Ok(vec![g.get(&self.store)]),
                    Some(_) => Err(Miss::Fail(format!("export `{global}` is not a global"))),
                    None => Err(Miss::Fail(format!("no export `{global}`"))),
                }
            }
            WastExecute::Wat(mut wat) => {
                let bytes = wat.encode().map_err(|e| e.message())?;
                let compiled = self.compile(bytes)?;
                self.instantiate(&compiled).map(|_| Vec::new())
            }
        }
    }

    /// Call an export. `Miss::Fail` carries the trap's message (or why the call could not
    /// be made).
    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Outcome<Vec<Val>> {
        let instance = self.instance(invoke.module.map(|id| id.name()))?;
        let func = match instance.get_export(&self.store, invoke.name) {
            Some(crate::Extern::Func(f)) => f,
            Some(_) => {
                return Err(Miss::Fail(format!(
                    "export `{}` is not a function",
                    invoke.name
                )))
            }
            None => return Err(Miss::Fail(format!("no export `{}`", invoke.name))),
        };
        let args = invoke
            .args
            .iter()
            .map(values::arg)
            .collect::<Result<Vec<_>, _>>()?;
        let mut results: Vec<Val> = func
            .ty(&self.store)
            .results()
            .iter()
            .map(|t| Val::default_for(*t))
            .collect();
        func.call(&mut self.store, &args, &mut results)
            .map_err(|e| Miss::Fail(failure_text(&e)))?;
        Ok(results)
    }
}

/// The module names a binary imports from (empty if its import section cannot be read).
fn import_modules(bytes: &[u8]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let Ok(wasmparser::Payload::ImportSection(reader)) = payload else {
            continue;
        };
        for import in reader.into_imports().flatten() {
            names.insert(import.module.to_string());
        }
    }
    names
}

/// What a failed call or instantiation says: a trap's own message, else the error's.
fn failure_text(e: &anyhow::Error) -> String {
    match e.downcast_ref::<Error>() {
        Some(Error::Trap(t)) => t.to_string(),
        _ => match e.downcast_ref::<Trap>() {
            Some(t) => t.to_string(),
            None => e.to_string(),
        },
    }
}

/// A refused module as a directive outcome.
fn refusal(refused: Refusal) -> Miss {
    match refused {
        Refusal::Invalid(e) => Miss::Fail(e.to_string()),
        Refusal::Unsupported { features, .. } => Miss::Unsupported(features),
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
    Err(Miss::Fail(format!(
        "expected trap `{expected}`, got `{actual}`"
    )))
}
