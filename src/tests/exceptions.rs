//! Exceptions (`runtime::exn`): what the landing-pad scheme must get right beyond the spec
//! scripts: tail calls leave a `try_table`, unwinding crosses thousands of frames, an uncaught
//! exception's backtrace is the one at the throw, unwind tables come and go with the code,
//! and each thread unwinds on its own.
use crate::{Engine, Linker, Module, Store, Trap, TrapKind, Val};

const UNWIND: &str = r#"(module
  (tag $t (param i32))
  (func $thrower (param i32) (throw $t (local.get 0)))
  ;; A tail call leaves this frame and its try_table: the callee's throw is not its.
  (func $leaves (param i32) (result i32)
    (block $h
      (try_table (catch_all $h)
        (return_call $tail_thrower (local.get 0))))
    (i32.const -1))
  (func $tail_thrower (param i32) (result i32)
    (throw $t (local.get 0)))
  ;; Tail recursion `n` deep, then a throw.
  (func $spin (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $t (i32.const 77))))
    (return_call $spin (i32.sub (local.get 0) (i32.const 1))))
  ;; Ordinary recursion `n` deep, then a throw: every frame is unwound.
  (func $dive (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (call $thrower (i32.const 88))))
    (i32.add (i32.const 1) (call $dive (i32.sub (local.get 0) (i32.const 1)))))
  (func (export "tail") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $t $h) (call $leaves (local.get 0)))))
  (func (export "spin") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $t $h) (call $spin (local.get 0)))))
  (func (export "dive") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $t $h) (call $dive (local.get 0)))))
  ;; Through the table, so that LLVM cannot inline the frames the backtrace must show.
  (type $sink (func (param i32)))
  (table 2 funcref)
  (elem (i32.const 0) $thrower $middle)
  (func $middle (param i32) (call_indirect (type $sink) (local.get 0) (i32.const 0)))
  (func (export "escape") (param i32)
    (call_indirect (type $sink) (local.get 0) (i32.const 1))))"#;

fn call(store: &mut Store<()>, inst: &crate::Instance, name: &str, x: i32) -> anyhow::Result<i32> {
    inst.get_typed_func::<i32, i32>(&*store, name)?
        .call(store, x)
}

/// A fresh store with the `UNWIND` module instantiated in it.
fn instantiate_unwind() -> (Store<()>, crate::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, UNWIND).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, inst)
}

#[test]
fn tail_calls_and_deep_stacks_unwind_to_the_right_handler() {
    let (mut store, inst) = instantiate_unwind();
    // Not -1: the try_table the tail call left does not catch.
    assert_eq!(call(&mut store, &inst, "tail", 5).unwrap(), 5);
    assert_eq!(call(&mut store, &inst, "spin", 100_000).unwrap(), 77);
    assert_eq!(call(&mut store, &inst, "dive", 5_000).unwrap(), 88);
    // The store goes on working after every kind of unwind.
    assert_eq!(call(&mut store, &inst, "tail", 6).unwrap(), 6);
}

#[test]
fn an_uncaught_exception_has_the_backtrace_at_the_throw() {
    let (mut store, inst) = instantiate_unwind();
    let escape = inst.get_typed_func::<i32, ()>(&store, "escape").unwrap();
    let trap = escape
        .call(&mut store, 3)
        .unwrap_err()
        .downcast::<Trap>()
        .unwrap();
    assert_eq!(trap.backtrace, ["thrower", "middle", "escape"]);
    let TrapKind::Exception(thrown) = trap.kind else {
        panic!("not an exception: {:?}", trap.kind);
    };
    assert_eq!(thrown.payload, vec![Val::I32(3)]);
}

/// Code is unmapped with its unwind tables deregistered: modules compiled, used and
/// dropped one after another, on two threads at once, each throw finding its own.
#[test]
fn unwind_tables_follow_the_code_on_every_thread() {
    let threads: Vec<_> = (0..2)
        .map(|t| {
            std::thread::spawn(move || {
                for round in 0..8 {
                    let engine = Engine::default();
                    // A distinct module each round, so no cache hands back loaded code.
                    let wat = UNWIND.replace(
                        "(i32.const 88)",
                        &format!("(i32.const {})", 1000 * t + round),
                    );
                    let module = Module::new(&engine, wat).unwrap();
                    let mut store = Store::new(&engine, ());
                    let inst = Linker::new(&engine)
                        .instantiate(&mut store, &module)
                        .unwrap();
                    for _ in 0..50 {
                        assert_eq!(
                            call(&mut store, &inst, "dive", 20).unwrap(),
                            1000 * t + round
                        );
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
