//! Native artifacts (`rt compile`) and the compilation cache (`rt run`).
//!
//! Format: magic, format version, rt version, host CPU (name + features), SHA-256 of the
//! input Wasm, then the Wasm itself (instantiation re-reads it: parsing is cheap, LLVM is not)
//! and the object code (a count, then one object per compiled partition). A mismatch in any header field refuses the artifact.
use crate::module::Module;
use crate::runtime::{CompiledModule, Error};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub const MAGIC: &[u8; 8] = b"\0rtaot\r\n";
pub const FORMAT_VERSION: u32 = 2;

pub fn is_artifact(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

fn cpu_id() -> String {
    let (name, features) = super::host_cpu();
    format!("{name};{features}")
}

fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Serialise an artifact for `wasm` compiled to `objects` on this host.
pub fn write(wasm: &[u8], objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    put(&mut out, env!("CARGO_PKG_VERSION").as_bytes());
    put(&mut out, cpu_id().as_bytes());
    out.extend_from_slice(&Sha256::digest(wasm));
    put(&mut out, wasm);
    out.extend_from_slice(&(objects.len() as u32).to_le_bytes());
    for o in objects {
        put(&mut out, o);
    }
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("artifact is truncated at offset {}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn chunk(&mut self) -> Result<&'a [u8], String> {
        let len = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        self.take(usize::try_from(len).map_err(|_| "artifact length overflows")?)
    }
}

/// Check an artifact's header against this rt and host; return (wasm, objects).
pub fn read(bytes: &[u8]) -> Result<(Vec<u8>, Vec<Vec<u8>>), String> {
    if !is_artifact(bytes) {
        return Err("not an rt artifact (bad magic)".into());
    }
    let mut r = Reader {
        bytes,
        at: MAGIC.len(),
    };
    let version = u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(format!(
            "artifact format version {version} is not supported (expected {FORMAT_VERSION})"
        ));
    }
    let rt_version = String::from_utf8_lossy(r.chunk()?).into_owned();
    if rt_version != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "artifact was made by rt {rt_version}, this is rt {}: recompile it",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let cpu = String::from_utf8_lossy(r.chunk()?).into_owned();
    if cpu != cpu_id() {
        return Err(
            "artifact was compiled for a different CPU (features differ): recompile it".into(),
        );
    }
    let hash = r.take(32)?.to_vec();
    let wasm = r.chunk()?.to_vec();
    if Sha256::digest(&wasm).as_slice() != hash.as_slice() {
        return Err("artifact is corrupted: the module hash does not match".into());
    }
    let count = u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes"));
    let mut objects = Vec::new();
    for _ in 0..count {
        objects.push(r.chunk()?.to_vec());
    }
    if r.at != bytes.len() {
        return Err("artifact has trailing bytes".into());
    }
    Ok((wasm, objects))
}

/// The features rt validates modules with (Wasm 2.0; SIMD parses and is rejected later with
/// a clear message).
pub fn features() -> wasmparser::WasmFeatures {
    wasmparser::WasmFeatures::WASM2
}

/// Where compiled code is cached: `$RT_CACHE_DIR`, else `$XDG_CACHE_HOME/rt`, else
/// `~/.cache/rt`. `RT_CACHE=off` (or an empty `RT_CACHE_DIR`) disables the cache.
pub fn cache_dir() -> Option<PathBuf> {
    if std::env::var("RT_CACHE")
        .map(|v| v == "off" || v == "0")
        .unwrap_or(false)
    {
        return None;
    }
    if let Some(d) = std::env::var_os("RT_CACHE_DIR") {
        return if d.is_empty() {
            None
        } else {
            Some(PathBuf::from(d))
        };
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("rt"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("rt"))
}

fn cache_key(wasm: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(cpu_id().as_bytes());
    h.update([u8::from(super::memory::bounds_checks())]);
    h.update(wasm);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Compile `wasm` (validated into `module`), reusing the cache when possible.
pub fn compile_cached(module: Module) -> Result<CompiledModule, Error> {
    let dir = cache_dir();
    let entry = dir
        .as_ref()
        .map(|d| d.join(format!("{}.rtaot", cache_key(&module.bytes))));
    if let Some(path) = &entry {
        if let Ok(bytes) = std::fs::read(path) {
            if let Ok((wasm, objects)) = read(&bytes) {
                if wasm == module.bytes {
                    return CompiledModule::from_objects(module, objects);
                }
            }
        }
    }
    let objects = super::compile_objects(&module).map_err(Error::Compile)?;
    if let (Some(dir), Some(path)) = (&dir, &entry) {
        // The cache is an optimisation: failing to write it is not an error.
        if std::fs::create_dir_all(dir).is_ok() {
            let _ = crate::output::write_atomically(path, &write(&module.bytes, &objects));
        }
    }
    CompiledModule::from_objects(module, objects)
}
