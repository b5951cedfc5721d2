//! Wiring WASI into the embedding API: every preview1 (and wasi_unstable) function becomes a
//! host function of a `Linker<T>` that forwards raw arguments and the caller's memory to the
//! [`WasiCtx`] in the store's data.
use super::{signatures, Outcome, WasiCtx, WasiImport, PREVIEW1, UNSTABLE};
use crate::runtime::{Trap, TrapKind, ValRaw};
use crate::{Caller, Linker};
use wasmparser::FuncType;

/// Define both WASI module names in `linker`. `get` finds the WASI context in the store's
/// data. Each call reads its arguments straight from the raw slots and writes its errno
/// back there: no allocation, no lock (the context lives in the store, which the call has
/// exclusive access to).
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Copy + Send + Sync + 'static,
) -> anyhow::Result<()> {
    for module in [PREVIEW1, UNSTABLE] {
        for &(name, params, results) in signatures() {
            if !super::provides(module, name) {
                continue;
            }
            let ty = FuncType::new(params.iter().copied(), results.iter().copied());
            let Some(import) = WasiImport::resolve(module, name) else {
                continue;
            };
            let call = move |mut caller: Caller<'_, T>, slots: &mut [ValRaw]| {
                // WASI takes i32 as a u32 in a u64 and i64 as its bits: exactly the low 8
                // bytes of a slot. At most 9 parameters (path_open).
                let mut raw = [0u64; 9];
                for (word, slot) in raw.iter_mut().zip(&*slots) {
                    *word = slot.u64();
                }
                let raw = &raw[..params.len().min(9)];
                let (mem, data) = caller.memory_and_data();
                match get(data).call_import(import, mem, raw) {
                    Outcome::Return(_) if results.is_empty() => Ok(()),
                    Outcome::Return(errno) => {
                        slots[0] = ValRaw::from_i32(errno);
                        Ok(())
                    }
                    Outcome::Exit(code) => Err(Trap::new(TrapKind::Exit(code))),
                    Outcome::Trap(message) => Err(Trap::host(message)),
                }
            };
            // SAFETY: every WASI result is an i32 errno, written as one.
            unsafe { linker.func_new_unchecked(module, name, ty, call)? };
        }
    }
    Ok(())
}
