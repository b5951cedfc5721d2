//! Wiring WASI into the runtime: every preview1 (and wasi_unstable) function becomes a host
//! function of the linker that forwards raw arguments and the caller's memory to [`WasiCtx`].
use super::{signatures, Outcome, WasiCtx, WasiImport, PREVIEW1, UNSTABLE};
use crate::runtime::{Extern, Linker, Store, Trap, TrapKind, ValRaw};
use std::sync::{Arc, Mutex};
use wasmparser::FuncType;

/// Define both WASI module names in `linker`, all sharing one context.
pub fn define(linker: &mut Linker, store: &mut Store, ctx: WasiCtx) {
    let ctx = Arc::new(Mutex::new(ctx));
    for module in [PREVIEW1, UNSTABLE] {
        for &(name, params, results) in signatures() {
            if !super::provides(module, name) {
                continue;
            }
            let ty = FuncType::new(params.iter().copied(), results.iter().copied());
            let Some(import) = WasiImport::resolve(module, name) else {
                continue;
            };
            let ctx = Arc::clone(&ctx);
            let func = store.host_func_raw(
                ty,
                Arc::new(move |caller, slots| {
                    // WASI takes i32 as a u32 in a u64 and i64 as its bits: exactly the low
                    // 8 bytes of a slot. At most 9 parameters (path_open): no allocation.
                    let mut raw = [0u64; 9];
                    for (word, slot) in raw.iter_mut().zip(&*slots) {
                        *word = slot.u64();
                    }
                    let raw = &raw[..params.len().min(9)];
                    let mut empty = [];
                    let mem = caller.memory().unwrap_or(&mut empty);
                    // A poisoned lock means an earlier call panicked; the state is still the
                    // descriptor table, which stays usable.
                    let mut ctx = ctx.lock().unwrap_or_else(|p| p.into_inner());
                    match ctx.call_import(import, mem, raw) {
                        Outcome::Return(_) if results.is_empty() => Ok(()),
                        Outcome::Return(errno) => {
                            slots[0] = ValRaw::from_i32(errno);
                            Ok(())
                        }
                        Outcome::Exit(code) => Err(Trap::new(TrapKind::Exit(code))),
                        Outcome::Trap(message) => Err(Trap::host(message)),
                    }
                }),
            );
            linker.define(module, name, Extern::Func(func));
        }
    }
}
