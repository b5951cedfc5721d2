//! Tail calls and the calling convention that guarantees them (see `env::WASM_CALL_CONV` and
//! `env::results_in_memory`): results beyond the return registers, tail calls across
//! instances, through tables and into host functions, `return_call_ref`.
use crate::{Engine, Linker, Store, TrapKind, Val};
use wasmparser::{FuncType, ValType};

use super::tests::call_func as call;

/// A signalling NaN: a fourth float result used to come back in an x87 register, which
/// quiets it; through the results buffer every bit survives.
const SNAN: u64 = 0x7ff4_0000_0000_0001;

/// Eight results (4 integers, 4 floats: more of each than x86-64 returns in registers) and
/// four v128s cross every kind of call and tail call, and come back bit for bit.
#[test]
fn results_beyond_the_return_registers_travel_in_a_buffer() {
    let engine = Engine::default();
    let module = crate::Module::new(
        &engine,
        r#"(module
          (type $eight (func (param i64 f64) (result i64 i64 i64 i64 f64 f64 f64 f64)))
          (import "env" "host" (func $host (type $eight)))
          (table 1 funcref)
          (elem (i32.const 0) $make)
          (func $make (type $eight)
            (local.get 0) (i64.add (local.get 0) (i64.const 1))
            (i64.add (local.get 0) (i64.const 2)) (i64.add (local.get 0) (i64.const 3))
            (f64.const 1) (f64.const 2) (f64.const 3) (local.get 1))
          (func (export "direct") (type $eight)
            (call $make (local.get 0) (local.get 1)))
          (func (export "tail") (type $eight)
            (return_call $make (local.get 0) (local.get 1)))
          (func (export "tail_indirect") (type $eight)
            (return_call_indirect (type $eight) (local.get 0) (local.get 1) (i32.const 0)))
          (func (export "host_call") (type $eight)
            (call $host (local.get 0) (local.get 1)))
          (func (export "host_tail") (type $eight)
            (return_call $host (local.get 0) (local.get 1)))
          (func $vecs (param v128) (result v128 v128 v128 v128)
            (local.get 0) (local.get 0) (local.get 0) (local.get 0))
          (func (export "vecs") (param v128) (result v128 v128 v128 v128)
            (call $vecs (local.get 0)))
          (func (export "vecs_tail") (param v128) (result v128 v128 v128 v128)
            (return_call $vecs (local.get 0))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    let eight = FuncType::new(
        [ValType::I64, ValType::F64],
        [
            ValType::I64,
            ValType::I64,
            ValType::I64,
            ValType::I64,
            ValType::F64,
            ValType::F64,
            ValType::F64,
            ValType::F64,
        ],
    );
    linker
        .func_new("env", "host", eight, |_caller, args, results| {
            let (Val::I64(a), Val::F64(x)) = (args[0], args[1]) else {
                unreachable!()
            };
            for (i, r) in results.iter_mut().take(4).enumerate() {
                *r = Val::I64(a + i as i64);
            }
            for (i, r) in results.iter_mut().skip(4).take(3).enumerate() {
                *r = Val::F64((i as f64 + 1.0).to_bits());
            }
            results[7] = Val::F64(x);
            Ok(())
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let want: Vec<Val> = [-5i64, -4, -3, -2]
        .into_iter()
        .map(Val::I64)
        .chain([1.0f64, 2.0, 3.0].map(|x| Val::F64(x.to_bits())))
        .chain([Val::F64(SNAN)])
        .collect();
    for name in ["direct", "tail", "tail_indirect", "host_call", "host_tail"] {
        let f = inst.get_func(&store, name).unwrap();
        let got = call(&mut store, f, &[Val::I64(-5), Val::F64(SNAN)]);
        assert_eq!(got, Ok(want.clone()), "{name}");
    }
    let v = 0x7ff4_0000_0000_0001_ffff_0000_1234_5678u128;
    for name in ["vecs", "vecs_tail"] {
        let f = inst.get_func(&store, name).unwrap();
        assert_eq!(
            call(&mut store, f, &[Val::V128(v)]),
            Ok(vec![Val::V128(v); 4]),
            "{name}"
        );
    }
}

/// Mutual tail recursion between two instances: `even` (instance A) tail-calls its import
/// `odd` (instance B), which tail-calls back through a table slot A filled; the last call
/// is a tail call into a host function. Ten million calls deep, far beyond the stack.
#[test]
fn tail_calls_through_imports_tables_and_host_functions_run_in_constant_stack() {
    let engine = Engine::default();
    let b = crate::Module::new(
        &engine,
        r#"(module
          (type $p (func (param i64) (result i32)))
          (import "env" "zero" (func $zero (param i64) (result i32)))
          (table (export "t") 1 funcref)
          (func (export "odd") (param i64) (result i32)
            (if (i64.eqz (local.get 0)) (then (return_call $zero (local.get 0))))
            (return_call_indirect (type $p) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0))))"#,
    )
    .unwrap();
    let a = crate::Module::new(
        &engine,
        r#"(module
          (import "b" "odd" (func $odd (param i64) (result i32)))
          (import "b" "t" (table 1 funcref))
          (elem (i32.const 0) $even)
          (func $even (export "even") (param i64) (result i32)
            (if (i64.eqz (local.get 0)) (then (return (i32.const 1))))
            (return_call $odd (i64.sub (local.get 0) (i64.const 1)))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "zero", |_n: i64| -> i32 { 0 })
        .unwrap();
    let b = linker.instantiate(&mut store, &b).unwrap();
    linker.instance(&store, "b", b).unwrap();
    let a = linker.instantiate(&mut store, &a).unwrap();
    let even = a.get_func(&store, "even").unwrap();
    assert_eq!(
        call(&mut store, even, &[Val::I64(10_000_000)]),
        Ok(vec![Val::I32(1)])
    );
    // An odd count ends in `odd`'s tail call to the host function.
    assert_eq!(
        call(&mut store, even, &[Val::I64(10_000_001)]),
        Ok(vec![Val::I32(0)])
    );
}

/// `return_call_ref` tail-calls through a function reference and traps on null. (Its
/// script needs typed function references, which rt does not accept yet: the module is
/// compiled here without the feature check.)
#[test]
fn return_call_ref_tail_calls_and_traps_on_null() {
    let engine = Engine::default();
    let bytes = wat::parse_str(
        r#"(module
          (type $f (func (param i64) (result i64)))
          (global $none (ref null $f) (ref.null $f))
          (elem declare func $count)
          (func $count (type $f)
            (if (i64.eqz (local.get 0)) (then (return (i64.const 42))))
            (return_call_ref $f (i64.sub (local.get 0) (i64.const 1)) (ref.func $count)))
          (func (export "count") (param i64) (result i64)
            (return_call_ref $f (local.get 0) (ref.func $count)))
          (func (export "null") (param i64) (result i64)
            (return_call_ref $f (local.get 0) (global.get $none))))"#,
    )
    .unwrap();
    let parsed = crate::module::Module::parse(bytes).unwrap();
    let module = crate::Module::from_checked(&engine, parsed).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let count = inst.get_func(&store, "count").unwrap();
    assert_eq!(
        call(&mut store, count, &[Val::I64(10_000_000)]),
        Ok(vec![Val::I64(42)])
    );
    let null = inst.get_func(&store, "null").unwrap();
    assert_eq!(
        call(&mut store, null, &[Val::I64(1)]),
        Err(TrapKind::NullFunctionReference)
    );
}
