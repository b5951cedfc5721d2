//! `Engine` (settings shared by everything compiled with them) and `Module` (compiled code,
//! ready to instantiate in any store of its engine, from any thread).
use super::Config;
use crate::runtime::CompiledModule;
use anyhow::{anyhow, bail, Result};
use std::path::Path;
use std::sync::Arc;

/// A compilation environment: a [`Config`] fixed for its life. Cheap to clone; `Send` and
/// `Sync`, so one engine serves every thread.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Config>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(&Config::default())
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &*self.inner)
            .finish()
    }
}

impl Engine {
    pub fn new(config: &Config) -> Engine {
        Engine {
            inner: Arc::new(config.clone()),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner
    }

    pub(crate) fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || self.inner.codegen_key() == other.inner.codegen_key()
    }
}

/// A compiled module. Cheap to clone; `Send` and `Sync`: compile once, instantiate in many
/// stores on many threads.
#[derive(Clone)]
pub struct Module {
    engine: Engine,
    // Public for the compiler's tests in the `rt` crate, not part of the API.
    #[doc(hidden)]
    pub compiled: CompiledModule,
}

impl Module {
    /// Compile a module given as binary or as WebAssembly text.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        Module::named(engine, "<module>", bytes.as_ref().to_vec())
    }

    /// Compile the `.wasm` or `.wat` file at `path` (errors name the file).
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| crate::module::InputError::Io {
            path: shown.clone(),
            source,
        })?;
        Module::named(engine, &shown, bytes)
    }

    fn named(engine: &Engine, shown: &str, bytes: Vec<u8>) -> Result<Module> {
        let parsed = Module::validate(engine, shown, bytes)?;
        let config = engine.config();
        let objects = crate::aot::compile_objects(&parsed, &config.codegen(), &config.progress())
            .map_err(|e| anyhow!("{shown}: {e}"))?;
        Module::from_parts(engine, shown, parsed, objects)
    }

    /// Text to binary, then validation in the engine's language (unsupported features are
    /// refused naming them).
    pub(crate) fn validate(
        engine: &Engine,
        shown: &str,
        bytes: Vec<u8>,
    ) -> Result<crate::module::Module> {
        let input = crate::module::Input::new(shown, bytes).map_err(|e| anyhow!("{e}"))?;
        // Checked before the binary moves into the model, so a text module's error can be
        // shown at its line and column.
        if let Err(e) = crate::features::check(&input.bytes, engine.config().features()) {
            return Err(anyhow!(
                "{}",
                input.error_at(shown, e.offset(), &e.message())
            ));
        }
        crate::module::Module::parse(input.bytes).map_err(|e| anyhow!("{shown}:{e}"))
    }

    pub(crate) fn from_parts(
        engine: &Engine,
        shown: &str,
        parsed: crate::module::Module,
        objects: Vec<Vec<u8>>,
    ) -> Result<Module> {
        let compiled = CompiledModule::from_objects(parsed, objects)
            .map_err(|e| anyhow!("{shown}: {e}"))?
            .with_backtrace_details(engine.config().backtrace_details)
            .with_debugger_registration(engine.config().debug_info);
        Ok(Module {
            engine: engine.clone(),
            compiled,
        })
    }

    /// Compile a module already parsed and checked in the engine's language (the spec
    /// runner classifies refusals itself first). Public for the compiler's tests in the `rt`
    /// crate, not part of the API.
    #[doc(hidden)]
    pub fn from_checked(engine: &Engine, parsed: crate::module::Module) -> Result<Module> {
        // Kept as the typed error, so the spec runner can tell a missing feature apart.
        let objects = crate::aot::compile_objects(
            &parsed,
            &engine.config().codegen(),
            &crate::aot::Progress::silent(),
        )
        .map_err(anyhow::Error::new)?;
        Module::from_parts(engine, "<module>", parsed, objects)
    }

    /// Compile through the on-disk cache (what `rt run` does).
    pub fn from_file_cached(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let raw = std::fs::read(path).map_err(|source| crate::module::InputError::Io {
            path: shown.clone(),
            source,
        })?;
        if crate::aot::artifact::is_artifact(&raw) {
            // SAFETY: the header is checked against this build, CPU and engine settings.
            return unsafe { Module::deserialize(engine, &raw) }
                .map_err(|e| anyhow!("{shown}: {e}"));
        }
        let parsed = Module::validate(engine, &shown, raw)?;
        let objects = crate::aot::artifact::compile_cached(&parsed, engine.config())
            .map_err(|e| anyhow!("{shown}: {e}"))?;
        Module::from_parts(engine, &shown, parsed, objects)
    }

    /// The module as an artifact (`rt compile`'s format): object code plus the header that
    /// ties it to this rt build, this CPU and these settings.
    pub fn serialize(&self) -> Vec<u8> {
        crate::aot::artifact::write(
            &self.compiled.module.bytes,
            &self.compiled.objects,
            &self.engine.config().codegen_key(),
        )
    }

    /// Load an artifact made by [`Module::serialize`] or `rt compile`.
    ///
    /// # Safety
    /// The object code is run as it is: the header check refuses artifacts from another rt
    /// build, CPU or setting, and the embedded module's hash is verified, but an artifact
    /// crafted to pass those checks could contain any machine code. Load only artifacts you
    /// made or trust.
    pub unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let (wasm, objects) = crate::aot::artifact::read(bytes, &engine.config().codegen_key())
            .map_err(|e| anyhow!(e))?;
        let parsed = crate::module::Module::parse(wasm).map_err(|e| anyhow!("{e}"))?;
        Module::from_parts(engine, "<artifact>", parsed, objects)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The compiled code as it is loaded in this process (for profilers' symbol maps).
    pub(crate) fn compiled(&self) -> &CompiledModule {
        &self.compiled
    }

    /// The module's imports: (module, name).
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str)> {
        self.compiled
            .module
            .imports
            .iter()
            .map(|i| (i.module.as_str(), i.name.as_str()))
    }

    /// The module's export names.
    pub fn exports(&self) -> impl Iterator<Item = &str> {
        self.compiled.module.exports.iter().map(|e| e.name.as_str())
    }

    pub(crate) fn check_engine(&self, engine: &Engine) -> Result<()> {
        if !self.engine.same(engine) {
            bail!("module was compiled for another engine (different settings)");
        }
        Ok(())
    }
}
