//! The embedding API as an embedder uses it.
use crate::{Caller, Config, Engine, Extern, Func, Linker, Module, OptLevel, Store, Trap, Val};

const CALLBACK: &str = r#"(module
  (import "host" "twice_then_add" (func $host (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "add_one") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param i32) (result i32) (call $host (local.get 0))))"#;

/// A host function reaches the store's data, reads the caller's memory and calls back into
/// an export of its caller: wasm -> host -> wasm.
#[test]
fn a_host_function_calls_back_into_wasm() {
    let engine = Engine::default();
    let module = Module::new(&engine, CALLBACK).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "twice_then_add",
            |mut caller: Caller<'_, Vec<String>>, x: i32| -> anyhow::Result<i32> {
                let memory = caller
                    .get_export("memory")
                    .and_then(Extern::into_memory)
                    .expect("memory export");
                let text = String::from_utf8(memory.data(&caller)[16..21].to_vec())?;
                caller.data_mut().push(text);
                let add_one = caller
                    .get_export("add_one")
                    .and_then(Extern::into_func)
                    .expect("add_one export")
                    .typed::<i32, i32>(&caller)?;
                let once = add_one.call(&mut caller, x)?;
                add_one.call(&mut caller, once * 2)
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 20).unwrap(), 43);
    assert_eq!(store.data(), &["hello".to_string()]);
}

#[test]
fn a_handle_from_another_store_is_an_error() {
    let engine = Engine::default();
    let module = Module::new(&engine, CALLBACK).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "twice_then_add", |x: i32| x)
        .unwrap();
    let mut first = Store::new(&engine, ());
    let mut second = Store::new(&engine, ());
    let a = linker.instantiate(&mut first, &module).unwrap();
    let b = linker.instantiate(&mut second, &module).unwrap();
    let from_first: Func = a.get_func(&first, "add_one").unwrap();
    // Same index in both stores: only the id tells them apart.
    assert_ne!(from_first, b.get_func(&second, "add_one").unwrap());
    let err = from_first
        .call(&mut second, &[Val::I32(1)], &mut [Val::I32(0)])
        .unwrap_err();
    assert!(err.to_string().contains("wrong store"), "{err}");
    let err = linker
        .define(&second, "x", "f", from_first)
        .err()
        .expect("defining a foreign function is refused");
    assert!(err.to_string().contains("wrong store"), "{err}");
    // A funcref argument from the other store is refused too.
    let module = Module::new(
        &engine,
        "(module (func (export \"id\") (param funcref) (result funcref) (local.get 0)))",
    )
    .unwrap();
    let c = Linker::<()>::new(&engine)
        .instantiate(&mut second, &module)
        .unwrap();
    let id = c.get_func(&second, "id").unwrap();
    let mut out = [Val::FuncRef(None)];
    assert!(id
        .call(&mut second, &[Val::FuncRef(Some(from_first))], &mut out)
        .is_err());
}

#[test]
fn traps_and_host_errors_come_back_as_errors() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (import "host" "fail" (func $fail))
             (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
             (func (export "fail") (call $fail)))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "fail", || -> Result<(), Trap> {
            Err(Trap::host("no way"))
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let div = instance.get_typed_func::<i32, i32>(&store, "div").unwrap();
    assert_eq!(div.call(&mut store, 1).unwrap(), 1);
    let trap = div.call(&mut store, 0).unwrap_err();
    assert!(
        trap.to_string().contains("integer divide by zero"),
        "{trap}"
    );
    assert!(trap.downcast_ref::<Trap>().is_some());
    let fail = instance.get_typed_func::<(), ()>(&store, "fail").unwrap();
    let err = fail.call(&mut store, ()).unwrap_err();
    assert!(err.to_string().contains("no way"), "{err}");
    // Wrong static types are refused when the typed view is made.
    assert!(instance.get_typed_func::<i64, i32>(&store, "div").is_err());
}

#[test]
fn unknown_imports_and_unsupported_features_are_named() {
    let engine = Engine::default();
    let err = Module::new(&engine, "(module (memory 1 1 shared))")
        .err()
        .expect("threads are not implemented yet");
    assert!(
        err.to_string().contains("unsupported by rt: threads"),
        "{err}"
    );
    let module = Module::new(&engine, r#"(module (import "a" "b" (func)))"#).unwrap();
    let err = Linker::<()>::new(&engine)
        .instantiate(&mut Store::new(&engine, ()), &module)
        .unwrap_err();
    assert!(err.to_string().contains("unknown import: `a::b`"), "{err}");
}

/// Engines and modules are shared across threads; each thread has its own store.
#[test]
fn modules_are_used_from_several_threads() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        "(module (func (export \"sq\") (param i64) (result i64) (i64.mul (local.get 0) (local.get 0))))",
    )
    .unwrap();
    let results: Vec<i64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4i64)
            .map(|n| {
                let (engine, module) = (engine.clone(), module.clone());
                scope.spawn(move || {
                    let mut store = Store::new(&engine, ());
                    let instance = Linker::new(&engine)
                        .instantiate(&mut store, &module)
                        .unwrap();
                    let sq = instance.get_typed_func::<i64, i64>(&store, "sq").unwrap();
                    sq.call(&mut store, n + 10).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results, vec![100, 121, 144, 169]);
}

/// Settings that change code are part of the artifact header: an artifact made with one
/// configuration is refused by an engine with another.
#[test]
fn artifacts_carry_the_engine_settings() {
    let mut config = Config::new();
    config.opt_level(OptLevel::None);
    let quick = Engine::new(&config);
    let module = Module::new(
        &quick,
        "(module (func (export \"f\") (result i32) (i32.const 7)))",
    )
    .unwrap();
    let bytes = module.serialize();
    // SAFETY: an artifact this test just made.
    let again = unsafe { Module::deserialize(&quick, &bytes) }.unwrap();
    let mut store = Store::new(&quick, ());
    let f = Linker::new(&quick)
        .instantiate(&mut store, &again)
        .unwrap()
        .get_typed_func::<(), i32>(&store, "f")
        .unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 7);
    let err = unsafe { Module::deserialize(&Engine::default(), &bytes) }
        .err()
        .expect("another engine's settings");
    assert!(err.to_string().contains("opt-level=0"), "{err}");
    assert_ne!(
        quick.config().codegen_key(),
        Engine::default().config().codegen_key()
    );
    let mut deterministic = Config::new();
    deterministic.relaxed_simd_deterministic(true);
    assert_ne!(
        deterministic.codegen_key(),
        Engine::default().config().codegen_key()
    );
}

#[test]
fn globals_and_memories_through_handles() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (global (export "g") (mut i64) (i64.const 5)) (memory (export "m") 1 3))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let g = instance.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store), Val::I64(5));
    g.set(&mut store, Val::I64(-9)).unwrap();
    assert_eq!(g.get(&store), Val::I64(-9));
    assert!(g.set(&mut store, Val::I32(1)).is_err());
    let m = instance.get_memory(&store, "m").unwrap();
    assert_eq!(m.size(&store), 1);
    assert_eq!(m.grow(&mut store, 2).unwrap(), 1);
    assert!(m.grow(&mut store, 1).is_err());
    m.data_mut(&mut store)[70000] = 42;
    assert_eq!(m.data(&store)[70000], 42);
}

const TYPED_REFS: &str = r#"(module
  (type $unary (func (param i32) (result i32)))
  (type $nullary (func (result i32)))
  (func $inc (export "inc") (type $unary) (i32.add (local.get 0) (i32.const 1)))
  (func $five (export "five") (type $nullary) (i32.const 5))
  (global $chosen (export "chosen") (mut (ref null $unary)) (ref.null $unary))
  (func (export "apply") (param (ref $unary)) (param i32) (result i32)
    (call_ref $unary (local.get 1) (local.get 0)))
  (elem declare func $inc))"#;

/// Values of typed reference types are checked against the type, not only its kind: a
/// function of another signature or a null where none is allowed is refused before any
/// code runs.
#[test]
fn typed_function_references_are_checked_at_the_boundary() {
    let engine = Engine::default();
    let module = Module::new(&engine, TYPED_REFS).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let inc = instance.get_func(&store, "inc").unwrap();
    let five = instance.get_func(&store, "five").unwrap();
    let apply = instance.get_func(&store, "apply").unwrap();
    let mut out = [Val::I32(0)];
    apply
        .call(
            &mut store,
            &[Val::FuncRef(Some(inc)), Val::I32(41)],
            &mut out,
        )
        .unwrap();
    assert_eq!(out, [Val::I32(42)]);
    for wrong in [Val::FuncRef(Some(five)), Val::FuncRef(None)] {
        assert!(apply
            .call(&mut store, &[wrong, Val::I32(1)], &mut out)
            .is_err());
    }
    let chosen = instance.get_global(&store, "chosen").unwrap();
    assert_eq!(chosen.get(&store), Val::FuncRef(None));
    chosen.set(&mut store, Val::FuncRef(Some(inc))).unwrap();
    assert_eq!(chosen.get(&store), Val::FuncRef(Some(inc)));
    assert!(chosen.set(&mut store, Val::FuncRef(Some(five))).is_err());
    assert!(chosen.set(&mut store, Val::ExternRef(None)).is_err());
    chosen.set(&mut store, Val::FuncRef(None)).unwrap();
}

const THROWS: &str = r#"(module
  (import "host" "tag" (tag $host (param i32)))
  (tag $mine (export "mine") (param i32 i64 v128 externref))
  (func (export "throw_mine") (param i32)
    (throw $mine (local.get 0) (i64.const -2) (v128.const i64x2 1 2) (ref.null extern)))
  (func (export "throw_host") (param i32) (throw $host (local.get 0)))
  (func (export "catch_host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $host $h) (call 1 (local.get 0)))
      (i32.const -1))))"#;

/// An exception that leaves wasm reaches the host as the call's error, carrying the store's
/// exception object, its tag and its payload; a tag the host defines is the tag wasm throws
/// and catches.
#[test]
fn an_uncaught_exception_is_the_hosts_error_value() {
    use crate::{Tag, ThrownException, TrapKind};
    let engine = Engine::default();
    let module = Module::new(&engine, THROWS).unwrap();
    let mut store = Store::new(&engine, ());
    let ty = wasmparser::FuncType::new([wasmparser::ValType::I32], []);
    let host_tag = Tag::new(&mut store, ty.clone()).unwrap();
    assert_eq!(host_tag.ty(&store), ty);
    let mut linker = Linker::new(&engine);
    linker.define(&store, "host", "tag", host_tag).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let mine = instance
        .get_export(&store, "mine")
        .and_then(Extern::into_tag)
        .expect("tag export");

    let throw_mine = instance
        .get_typed_func::<i32, ()>(&store, "throw_mine")
        .unwrap();
    let err = throw_mine.call(&mut store, 5).unwrap_err();
    let trap = err.downcast::<Trap>().expect("a trap-like error");
    assert_eq!(trap.to_string(), ThrownException::MESSAGE);
    let TrapKind::Exception(thrown) = trap.kind else {
        panic!("not an exception: {trap:?}");
    };
    assert_eq!(thrown.tag, mine);
    let payload = vec![
        Val::I32(5),
        Val::I64(-2),
        Val::V128(1 | (2 << 64)),
        Val::ExternRef(None),
    ];
    assert_eq!(thrown.payload, payload);
    // The handle stays valid in the store: the host may inspect it later.
    assert_eq!(thrown.exn.tag(&store), mine);
    assert_eq!(thrown.exn.payload(&store), payload);

    let throw_host = instance
        .get_typed_func::<i32, ()>(&store, "throw_host")
        .unwrap();
    let err = throw_host.call(&mut store, 9).unwrap_err();
    let TrapKind::Exception(thrown) = err.downcast::<Trap>().unwrap().kind else {
        panic!("not an exception");
    };
    assert_eq!((thrown.tag, thrown.payload), (host_tag, vec![Val::I32(9)]));

    // Caught in wasm, the exception never reaches the host; the store works on afterwards.
    let catch_host = instance
        .get_typed_func::<i32, i32>(&store, "catch_host")
        .unwrap();
    assert_eq!(catch_host.call(&mut store, 11).unwrap(), 11);
    assert!(throw_mine.call(&mut store, 1).is_err());
    assert_eq!(catch_host.call(&mut store, 12).unwrap(), 12);
}

const THROUGH_HOST: &str = r#"(module
  (import "host" "relay" (func $relay (param i32)))
  (tag $t (param i32))
  (func (export "thrower") (param i32) (throw $t (local.get 0)))
  (func (export "outer") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $t $h) (call $relay (local.get 0)))
      (i32.const -1)))
  (func (export "uncaught") (param i32) (call $relay (local.get 0))))"#;

/// wasm -> host -> wasm: the inner call's uncaught exception is the host function's error
/// value; passed on, it is thrown in the calling wasm, where a try_table catches it (and
/// without one it ends the outer call as the same exception). A host function that handles
/// the error instead returns normally.
#[test]
fn an_exception_passes_through_a_host_function() {
    use crate::TrapKind;
    let engine = Engine::default();
    let module = Module::new(&engine, THROUGH_HOST).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "relay",
            |mut caller: Caller<'_, ()>, x: i32| -> anyhow::Result<()> {
                let thrower = caller
                    .get_export("thrower")
                    .and_then(Extern::into_func)
                    .unwrap()
                    .typed::<i32, ()>(&caller)?;
                match thrower.call(&mut caller, x) {
                    Err(e) if x == 0 => {
                        // Handled by the host: the exception goes no further.
                        assert!(e.downcast_ref::<Trap>().is_some());
                        Ok(())
                    }
                    other => other,
                }
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    assert_eq!(outer.call(&mut store, 42).unwrap(), 42);
    assert_eq!(outer.call(&mut store, 0).unwrap(), -1);
    let uncaught = instance
        .get_typed_func::<i32, ()>(&store, "uncaught")
        .unwrap();
    let err = uncaught.call(&mut store, 7).unwrap_err();
    let TrapKind::Exception(thrown) = err.downcast::<Trap>().unwrap().kind else {
        panic!("not an exception");
    };
    assert_eq!(thrown.payload, vec![Val::I32(7)]);
    assert_eq!(outer.call(&mut store, 5).unwrap(), 5);
}

/// Fuel through the embedding API: what a call used is gone from the store, running out
/// is a trap, and a store without fuel configured says so.
#[test]
fn fuel_is_the_stores_and_interrupts_come_from_any_thread() {
    use crate::TrapKind;
    let wat = r#"(module
      (func (export "count") (param i32) (result i32) (local i32)
        (loop $l
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
        (local.get 1))
      (func (export "spin") (loop $l (br $l))))"#;
    let mut config = crate::Config::new();
    config.consume_fuel(true).interruptible(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let count = instance
        .get_typed_func::<i32, i32>(&store, "count")
        .unwrap();
    store.set_fuel(1000).unwrap();
    assert_eq!(count.call(&mut store, 10).unwrap(), 10);
    // The entry (1, as wasmtime counts it), 10 iterations of 8 units, the final local.get.
    assert_eq!(store.get_fuel().unwrap(), 1000 - 82);
    let err = count.call(&mut store, 1000).unwrap_err();
    assert_eq!(err.downcast::<Trap>().unwrap().kind, TrapKind::OutOfFuel);

    store.set_fuel(u64::MAX).unwrap();
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let handle = store.interrupt_handle();
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        handle.interrupt();
    });
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast::<Trap>().unwrap().kind, TrapKind::Interrupt);
    interrupter.join().unwrap();
    store.interrupt_handle().reset();
    assert_eq!(count.call(&mut store, 3).unwrap(), 3);

    let plain = Engine::default();
    let mut store = Store::new(&plain, ());
    assert!(store.set_fuel(10).is_err());
    assert!(store.get_fuel().is_err());
}

/// What `Store::get_fuel` says after a call: exact after a return, after a trap the compiled
/// code raises itself (the trapping operator paid for, as every one before it), and through
/// a throw caught in another frame; a call that starts with no fuel left traps at once.
#[test]
fn fuel_is_exact_after_returns_traps_and_throws() {
    use crate::TrapKind;
    let wat = r#"(module
      (memory 1)
      (tag $t)
      (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
      (func (export "unreachable") (drop (i32.const 1)) (unreachable))
      (func (export "fill") (memory.fill (i32.const 65530) (i32.const 0) (i32.const 100)))
      (func $throw (throw $t))
      (func (export "catch") (result i32)
        (block $h (try_table (catch_all $h) (call $throw)) (return (i32.const 0)))
        (i32.const 1)))"#;
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let kind = |e: anyhow::Error| e.downcast::<Trap>().unwrap().kind;
    let div = instance.get_typed_func::<i32, i32>(&store, "div").unwrap();
    // Entry 1, i32.const, local.get, i32.div_u.
    store.set_fuel(1000).unwrap();
    assert_eq!(div.call(&mut store, 1).unwrap(), 1);
    assert_eq!(store.get_fuel().unwrap(), 996);
    store.set_fuel(1000).unwrap();
    assert_eq!(
        kind(div.call(&mut store, 0).unwrap_err()),
        TrapKind::IntegerDivideByZero
    );
    assert_eq!(store.get_fuel().unwrap(), 996);
    // Entry 1, i32.const 1; drop and unreachable are free.
    let unreachable = instance
        .get_typed_func::<(), ()>(&store, "unreachable")
        .unwrap();
    store.set_fuel(1000).unwrap();
    assert_eq!(
        kind(unreachable.call(&mut store, ()).unwrap_err()),
        TrapKind::Unreachable
    );
    assert_eq!(store.get_fuel().unwrap(), 998);
    // Entry 1, three constants, memory.fill (which a helper runs, and fails).
    let fill = instance.get_typed_func::<(), ()>(&store, "fill").unwrap();
    store.set_fuel(1000).unwrap();
    assert_eq!(
        kind(fill.call(&mut store, ()).unwrap_err()),
        TrapKind::MemoryOutOfBounds
    );
    assert_eq!(store.get_fuel().unwrap(), 995);
    // Entry 1, try_table, call; the callee's entry 1 and throw; then i32.const.
    let catch = instance.get_typed_func::<(), i32>(&store, "catch").unwrap();
    store.set_fuel(1000).unwrap();
    assert_eq!(catch.call(&mut store, ()).unwrap(), 1);
    assert_eq!(store.get_fuel().unwrap(), 994);
    // The entry's unit leaves none: out of fuel before anything runs. With 2, the body may
    // overdraw until the next check (there is none), as in wasmtime.
    store.set_fuel(1).unwrap();
    assert_eq!(
        kind(div.call(&mut store, 1).unwrap_err()),
        TrapKind::OutOfFuel
    );
    assert_eq!(store.get_fuel().unwrap(), 0);
    store.set_fuel(2).unwrap();
    assert_eq!(div.call(&mut store, 1).unwrap(), 1);
    assert_eq!(store.get_fuel().unwrap(), 0);
}

/// Fuel crosses host calls both ways: what wasm a host function calls back into uses is
/// charged, and its caller, whether it called or tail-called the host, carries on from the
/// count the host call leaves. `three` returns three integers, which with fuel's returned
/// count no longer fit in registers: they come back through a buffer, the count in one.
#[test]
fn fuel_is_charged_through_host_calls_and_callbacks() {
    let wat = r#"(module
      (import "host" "back" (func $host (param i32) (result i32)))
      (func (export "work") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $three (result i32 i64 i64) (i32.const 1) (i64.const 2) (i64.const 3))
      (func (export "outer") (result i32)
        call $three drop drop drop
        (call $host (i32.const 5)))
      (func (export "tail") (result i32) (return_call $host (i32.const 5))))"#;
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "back",
            |mut caller: Caller<'_, ()>, x: i32| -> anyhow::Result<i32> {
                let work = caller
                    .get_export("work")
                    .and_then(Extern::into_func)
                    .expect("work export")
                    .typed::<i32, i32>(&caller)?;
                work.call(&mut caller, x)
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    // outer: entry, call, i32.const, call (4); three: entry and three constants (4); work:
    // entry, local.get, i32.const, i32.add (4). The drops are free.
    let outer = instance.get_typed_func::<(), i32>(&store, "outer").unwrap();
    store.set_fuel(1000).unwrap();
    assert_eq!(outer.call(&mut store, ()).unwrap(), 6);
    assert_eq!(store.get_fuel().unwrap(), 1000 - 12);
    // tail: entry, i32.const, return_call (3); work (4).
    let tail = instance.get_typed_func::<(), i32>(&store, "tail").unwrap();
    store.set_fuel(1000).unwrap();
    assert_eq!(tail.call(&mut store, ()).unwrap(), 6);
    assert_eq!(store.get_fuel().unwrap(), 1000 - 7);
}

/// `wat` instantiated in a new store of `config`, its import `host.stop` interrupting that
/// store; with the store's interrupt handle.
fn instance_that_stops(
    config: &Config,
    wat: &str,
) -> (Store<()>, crate::Instance, crate::InterruptHandle) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let handle = store.interrupt_handle();
    let stopper = handle.clone();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("host", "stop", move || stopper.interrupt())
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance, handle)
}

/// With fuel and interruption both on (see `compile/limits.rs`): an interrupt stops the
/// guest at the next function entry (whose stack check fails, before the entry's unit is
/// paid) or loop header (whose one compare checks both limits, out of fuel first), and the
/// count there is exact; after a reset it runs again. The interrupt comes from a host
/// function the loop calls, so where it lands is known: no thread, no timing.
#[test]
fn an_interrupt_stops_entries_and_loop_headers_with_exact_fuel() {
    use crate::TrapKind;
    let wat = r#"(module
      (import "host" "stop" (func $stop))
      (func (export "count") (param i32) (result i32) (local i32)
        (loop $l
          (if (i32.eq (local.get 1) (i32.const 3)) (then (call $stop)))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
        (local.get 1)))"#;
    let mut config = Config::new();
    config.consume_fuel(true).interruptible(true);
    let (mut store, instance, handle) = instance_that_stops(&config, wat);
    let count = instance
        .get_typed_func::<i32, i32>(&store, "count")
        .unwrap();
    let kind = |e: anyhow::Error| e.downcast::<Trap>().unwrap().kind;
    // Each iteration costs 12 (the `if` and its test 4, the increment 4, the `br_if` and
    // its test 4), the entry 1, the final local.get 1; the call in the fourth iteration 1.
    store.set_fuel(1000).unwrap();
    assert_eq!(count.call(&mut store, 2).unwrap(), 2);
    assert_eq!(store.get_fuel().unwrap(), 1000 - 26);
    // `count(10)` from `fuel` units (after a reset when `reset`) traps with `trap`,
    // leaving `left`.
    let mut stops = |reset: bool, fuel: Option<u64>, trap: TrapKind, left: u64| {
        if reset {
            handle.reset();
        }
        if let Some(fuel) = fuel {
            store.set_fuel(fuel).unwrap();
        }
        assert_eq!(kind(count.call(&mut store, 10).unwrap_err()), trap);
        assert_eq!(store.get_fuel().unwrap(), left);
    };
    // Stopped at the header of the fifth iteration, after 1 + 4 * 12 + 1 units.
    stops(false, None, TrapKind::Interrupt, 1000 - 26 - 50);
    // Still interrupted: stopped at the entry, which has not paid its unit.
    stops(false, Some(1000), TrapKind::Interrupt, 1000);
    // At that header the count is also spent (interrupted and out of fuel): out of fuel.
    stops(true, Some(50), TrapKind::OutOfFuel, 0);
    stops(true, Some(51), TrapKind::Interrupt, 1);
    handle.reset();
    store.set_fuel(1000).unwrap();
    assert_eq!(count.call(&mut store, 3).unwrap(), 3);
    assert_eq!(store.get_fuel().unwrap(), 1000 - 38);
}

/// Interrupts ride on the stack limit at function entries (see `compile/limits.rs`), so:
/// a real stack overflow in interruptible code is still reported as one; a store whose code
/// is not interruptible ignores interrupts; and an interrupt raised during a call whose
/// entry moved the stack limit (`max_wasm_stack`), which the call's exit moves back,
/// survives to stop the next call.
#[test]
fn interrupts_and_the_stack_limit_stay_apart() {
    use crate::TrapKind;
    let wat = r#"(module
      (import "host" "stop" (func $stop))
      (func $deep (export "deep") (param i32) (result i32)
        (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
      (func (export "stop_then") (param i32) (result i32) (call $stop) (local.get 0))
      (func (export "id") (param i32) (result i32) (local.get 0)))"#;
    for interruptible in [true, false] {
        let mut config = Config::new();
        config
            .interruptible(interruptible)
            .max_wasm_stack(256 * 1024);
        let (mut store, instance, handle) = instance_that_stops(&config, wat);
        let func = |name: &str| instance.get_typed_func::<i32, i32>(&store, name).unwrap();
        let (deep, stop_then, id) = (func("deep"), func("stop_then"), func("id"));
        let kind = |e: anyhow::Error| e.downcast::<Trap>().unwrap().kind;
        assert_eq!(
            kind(deep.call(&mut store, 0).unwrap_err()),
            TrapKind::StackOverflow
        );
        // The interrupt lands after the call's only check: it returns, and the next stops.
        assert_eq!(stop_then.call(&mut store, 7).unwrap(), 7);
        match interruptible {
            true => {
                assert_eq!(
                    kind(id.call(&mut store, 1).unwrap_err()),
                    TrapKind::Interrupt
                );
                handle.reset();
                assert_eq!(id.call(&mut store, 1).unwrap(), 1);
                assert_eq!(
                    kind(deep.call(&mut store, 0).unwrap_err()),
                    TrapKind::StackOverflow
                );
            }
            false => assert_eq!(id.call(&mut store, 1).unwrap(), 1),
        }
    }
}

const GC_OBJECTS: &str = r#"(module
  (type $point (struct (field $x (mut i32)) (field $y i64)))
  (type $other (struct (field f64)))
  (func (export "make") (param i32) (result (ref $point))
    (struct.new $point (local.get 0) (i64.const 9)))
  (func (export "other") (result anyref) (struct.new $other (f64.const 1)))
  (func (export "x") (param (ref null $point)) (result i32)
    (struct.get $point $x (local.get 0)))
  (func (export "churn") (param i32)
    (loop $l
      (drop (struct.new $point (local.get 0) (i64.const 0)))
      (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l)))
  (func (export "internalize") (param externref) (result anyref)
    (any.convert_extern (local.get 0))))"#;

/// A GC object handed to the host stays valid across collections and can be passed back;
/// it is checked against the parameter's type, and another store's object is refused
/// rather than read as an address. A host reference brought into `any` comes back out
/// unchanged.
#[test]
fn gc_objects_cross_the_host_boundary_safely() {
    let engine = Engine::default();
    let module = Module::new(&engine, GC_OBJECTS).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let func = |name: &str| instance.get_func(&store, name).unwrap();
    let (make, other, x, churn) = (func("make"), func("other"), func("x"), func("churn"));
    let internalize = func("internalize");
    let mut out = [Val::I32(0)];
    make.call(&mut store, &[Val::I32(41)], &mut out).unwrap();
    let point = out[0];
    assert!(matches!(
        point,
        Val::AnyRef(Some(crate::runtime::AnyRef::Struct(_)))
    ));
    // Far more than the collection threshold: the host's handle must survive.
    churn
        .call(&mut store, &[Val::I32(200_000)], &mut [])
        .unwrap();
    x.call(&mut store, &[point], &mut out).unwrap();
    assert_eq!(out, [Val::I32(41)]);
    other.call(&mut store, &[], &mut out).unwrap();
    let wrong = out[0];
    assert!(x.call(&mut store, &[wrong], &mut out).is_err());
    let mut elsewhere = Store::new(&engine, ());
    let theirs = Linker::new(&engine)
        .instantiate(&mut elsewhere, &module)
        .unwrap();
    let their_x = theirs.get_func(&elsewhere, "x").unwrap();
    assert!(their_x.call(&mut elsewhere, &[point], &mut out).is_err());
    internalize
        .call(&mut store, &[Val::ExternRef(Some(7))], &mut out)
        .unwrap();
    assert_eq!(out, [Val::AnyRef(Some(crate::runtime::AnyRef::Host(7)))]);
}
