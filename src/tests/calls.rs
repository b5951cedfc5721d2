//! Calls into wasm (`runtime::call`): each call has its own record and traps to its own entry.
use crate::{Caller, Engine, Linker, Module, Store, Trap, TrapKind};

const NESTED: &str = r#"(module
  (import "host" "probe" (func $probe (param i32) (result i32)))
  (memory 1)
  (func $oob (export "oob") (param i32) (result i32) (i32.load (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32) (call $probe (local.get 0)))
  (func $after (export "after") (param i32) (result i32)
    (i32.div_u (call $probe (local.get 0)) (local.get 0))))"#;

fn trap_of(e: anyhow::Error) -> Trap {
    e.downcast::<Trap>().expect("a trap")
}

/// Calls nest through a host function, each with its own record: a trap in the inner call
/// ends that call only (the host function gets it as an error, with the inner backtrace,
/// and carries on), a host function's failure reaches the outer entry as its own trap,
/// and a later trap in the outer call unwinds to the outer entry with the outer backtrace.
#[test]
fn each_call_traps_to_its_own_entry() {
    let engine = Engine::default();
    let module = Module::new(&engine, NESTED).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "probe",
            |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Trap> {
                let oob = (caller.get_export("oob").and_then(|e| e.into_func()))
                    .unwrap()
                    .typed::<i32, i32>(&caller)
                    .unwrap();
                let inner = trap_of(oob.call(&mut caller, 1 << 16).unwrap_err());
                assert_eq!(inner.kind, TrapKind::MemoryOutOfBounds);
                assert_eq!(inner.backtrace, ["oob"]);
                assert_eq!(oob.call(&mut caller, 0).unwrap(), 0);
                match x {
                    0 => Ok(0),
                    1 => Ok(7),
                    _ => Err(inner),
                }
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    assert_eq!(outer.call(&mut store, 1).unwrap(), 7);
    // The host function fails with the inner trap: it arrives whole, backtrace included.
    let failed = trap_of(outer.call(&mut store, 2).unwrap_err());
    assert_eq!(failed.kind, TrapKind::MemoryOutOfBounds);
    assert_eq!(failed.backtrace, ["oob"]);
    let after = instance
        .get_typed_func::<i32, i32>(&store, "after")
        .unwrap();
    let late = trap_of(after.call(&mut store, 0).unwrap_err());
    assert_eq!(late.kind, TrapKind::IntegerDivideByZero);
    assert_eq!(late.backtrace, ["after"]);
    assert_eq!(after.call(&mut store, 1).unwrap(), 7);
}
