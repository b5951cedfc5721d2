//! Translator unit tests: compile small modules, run them through the runtime API, and check
//! the results bit for bit where the spec is picky.
use crate::module::Module;
use crate::{Engine, Instance, Linker, Store, Trap, TrapKind, Val};

fn instance(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = crate::Module::new(&engine, wat).expect("compiles");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, inst)
}

fn call(
    store: &mut Store<()>,
    inst: Instance,
    name: &str,
    args: &[Val],
) -> Result<Vec<Val>, TrapKind> {
    let f = inst
        .get_func(&*store, name)
        .unwrap_or_else(|| panic!("no export {name}"));
    call_func(store, f, args)
}

/// Call `f` with `args`: its results, or the kind of trap it ended with. A call fails with a
/// `Trap` only (instantiation errors happen in `instance`).
pub(super) fn call_func(
    store: &mut Store<()>,
    f: crate::Func,
    args: &[Val],
) -> Result<Vec<Val>, TrapKind> {
    let mut results: Vec<Val> = f
        .ty(&*store)
        .results()
        .iter()
        .map(|t| Val::default_for(*t))
        .collect();
    match f.call(&mut *store, args, &mut results) {
        Ok(()) => Ok(results),
        Err(e) => match e.downcast_ref::<Trap>() {
            Some(t) => Err(t.kind.clone()),
            None => panic!("not a trap: {e:#}"),
        },
    }
}

#[test]
fn float_min_max_order_signed_zeros_and_quiet_nans() {
    let (mut s, i) = instance(
        r#"(module
          (func (export "min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
          (func (export "max") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1))))"#,
    );
    let neg0 = (-0.0f32).to_bits();
    assert_eq!(
        call(&mut s, i, "min", &[Val::F32(0), Val::F32(neg0)]),
        Ok(vec![Val::F32(neg0)])
    );
    let r = call(
        &mut s,
        i,
        "max",
        &[Val::F64((-0.0f64).to_bits()), Val::F64(0)],
    );
    assert_eq!(r, Ok(vec![Val::F64(0)]));
    // A signalling NaN operand comes out quiet.
    let Ok(r) = call(&mut s, i, "min", &[Val::F32(0x7fa0_0000), Val::F32(0)]) else {
        panic!()
    };
    let Val::F32(bits) = r[0] else { panic!() };
    assert_eq!(
        bits & 0x7fc0_0000,
        0x7fc0_0000,
        "{bits:#x} is not a quiet NaN"
    );
}

#[test]
fn nearest_rounds_half_to_even_and_trunc_sat_saturates() {
    let (mut s, i) = instance(
        r#"(module
          (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
          (func (export "sat") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
          (func (export "sat_u") (param f64) (result i64) (i64.trunc_sat_f64_u (local.get 0))))"#,
    );
    let n = |x: f64, s: &mut Store<()>| call(s, i, "nearest", &[Val::F64(x.to_bits())]);
    assert_eq!(n(2.5, &mut s), Ok(vec![Val::F64(2.0f64.to_bits())]));
    assert_eq!(n(-3.5, &mut s), Ok(vec![Val::F64((-4.0f64).to_bits())]));
    assert_eq!(n(-0.5, &mut s), Ok(vec![Val::F64((-0.0f64).to_bits())]));
    assert_eq!(
        call(&mut s, i, "sat", &[Val::F32(f32::NAN.to_bits())]),
        Ok(vec![Val::I32(0)])
    );
    assert_eq!(
        call(&mut s, i, "sat", &[Val::F32(1e10f32.to_bits())]),
        Ok(vec![Val::I32(i32::MAX)])
    );
    assert_eq!(
        call(&mut s, i, "sat_u", &[Val::F64((-5.0f64).to_bits())]),
        Ok(vec![Val::I64(0)])
    );
}

#[test]
fn integer_edge_cases() {
    let (mut s, i) = instance(
        r#"(module
          (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
          (func (export "rotl") (param i64 i64) (result i64) (i64.rotl (local.get 0) (local.get 1)))
          (func (export "shl") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get 1)))
          (func (export "clz") (param i32) (result i32) (i32.clz (local.get 0)))
          (func (export "ext") (param i32) (result i64) (i64.extend_i32_u (i32.extend8_s (local.get 0)))))"#,
    );
    assert_eq!(
        call(&mut s, i, "rem_s", &[Val::I32(i32::MIN), Val::I32(-1)]),
        Ok(vec![Val::I32(0)])
    );
    assert_eq!(
        call(&mut s, i, "rem_s", &[Val::I32(-7), Val::I32(2)]),
        Ok(vec![Val::I32(-1)])
    );
    assert_eq!(
        call(&mut s, i, "rem_s", &[Val::I32(1), Val::I32(0)]),
        Err(TrapKind::IntegerDivideByZero)
    );
    assert_eq!(
        call(&mut s, i, "rotl", &[Val::I64(1 << 63), Val::I64(65)]),
        Ok(vec![Val::I64(1)])
    );
    assert_eq!(
        call(&mut s, i, "shl", &[Val::I32(1), Val::I32(33)]),
        Ok(vec![Val::I32(2)])
    );
    assert_eq!(
        call(&mut s, i, "clz", &[Val::I32(0)]),
        Ok(vec![Val::I32(32)])
    );
    assert_eq!(
        call(&mut s, i, "ext", &[Val::I32(0x80)]),
        Ok(vec![Val::I64(0xffff_ff80)])
    );
}

#[test]
fn multi_value_blocks_br_table_and_if_params() {
    let (mut s, i) = instance(
        r#"(module
          (func (export "pick") (param i32) (result i32 i32)
            (block (result i32 i32)
              (block (result i32 i32)
                (i32.const 1) (i32.const 2)
                (br_table 0 1 1 (local.get 0)))
              (i32.add) (i32.const 10)))
          (func (export "ifp") (param i32) (result i32)
            (i32.const 5)
            (if (param i32) (result i32) (local.get 0)
              (then (i32.const 1) (i32.add))
              (else (i32.const 1) (i32.sub))))
          (func (export "count") (param i32) (result i32)
            (i32.const 0)
            (loop (param i32) (result i32)
              (i32.const 1) (i32.add)
              (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
              (br_if 0 (i32.const 0) (i32.ne))
              (drop) (i32.const 99))))"#,
    );
    assert_eq!(
        call(&mut s, i, "pick", &[Val::I32(0)]),
        Ok(vec![Val::I32(3), Val::I32(10)])
    );
    assert_eq!(
        call(&mut s, i, "pick", &[Val::I32(1)]),
        Ok(vec![Val::I32(1), Val::I32(2)])
    );
    assert_eq!(
        call(&mut s, i, "pick", &[Val::I32(7)]),
        Ok(vec![Val::I32(1), Val::I32(2)])
    );
    assert_eq!(
        call(&mut s, i, "ifp", &[Val::I32(1)]),
        Ok(vec![Val::I32(6)])
    );
    assert_eq!(
        call(&mut s, i, "ifp", &[Val::I32(0)]),
        Ok(vec![Val::I32(4)])
    );
}

#[test]
fn tables_references_and_bulk_memory() {
    let (mut s, i) = instance(
        r#"(module
          (memory 1)
          (data $d "hello")
          (table $t 2 funcref)
          (table $e 1 externref)
          (func $seven (result i32) (i32.const 7))
          (elem declare func $seven)
          (func (export "grow") (result i32) (table.grow $t (ref.func $seven) (i32.const 3)))
          (func (export "size") (result i32) (table.size $t))
          (func (export "callit") (result i32)
            (table.set $t (i32.const 4) (ref.func $seven))
            (call_indirect $t (result i32) (i32.const 4)))
          (func (export "ext") (param externref) (result externref)
            (table.set $e (i32.const 0) (local.get 0)) (table.get $e (i32.const 0)))
          (func (export "init") (result i32)
            (memory.init $d (i32.const 100) (i32.const 1) (i32.const 4))
            (memory.copy (i32.const 200) (i32.const 100) (i32.const 4))
            (memory.fill (i32.const 203) (i32.const 33) (i32.const 1))
            (i32.load (i32.const 200)))
          (func (export "init_oob") (memory.init $d (i32.const 0) (i32.const 4) (i32.const 2))))"#,
    );
    assert_eq!(call(&mut s, i, "grow", &[]), Ok(vec![Val::I32(2)]));
    assert_eq!(call(&mut s, i, "size", &[]), Ok(vec![Val::I32(5)]));
    assert_eq!(call(&mut s, i, "callit", &[]), Ok(vec![Val::I32(7)]));
    let e = Val::ExternRef(Some(42));
    assert_eq!(call(&mut s, i, "ext", &[e]), Ok(vec![e]));
    assert_eq!(
        call(&mut s, i, "init", &[]),
        Ok(vec![Val::I32(i32::from_le_bytes(*b"ell!"))])
    );
    assert_eq!(
        call(&mut s, i, "init_oob", &[]),
        Err(TrapKind::MemoryOutOfBounds)
    );
}

#[test]
fn host_functions_see_the_callers_memory() {
    let engine = Engine::default();
    let module = crate::Module::new(
        &engine,
        r#"(module (import "env" "peek" (func $peek (param i32) (result i32)))
             (memory (export "mem") 1) (data (i32.const 8) "\2a")
             (func (export "go") (result i32) (call $peek (i32.const 8))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "env",
            "peek",
            |mut caller: crate::Caller<'_, ()>, at: i32| {
                let (mem, _) = caller.memory_and_data();
                i32::from(mem[at as usize])
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    assert_eq!(call(&mut store, inst, "go", &[]), Ok(vec![Val::I32(42)]));
}

#[test]
fn large_modules_compile_in_partitions_that_call_each_other() {
    // 400 functions of ~300 bytes each: well past the parallel threshold. Function i adds
    // i to what function i-1 returns, so the sum crosses every partition boundary.
    let mut wat = String::from("(module (func $f0 (result i32) (i32.const 0))\n");
    for i in 1..400 {
        wat.push_str(&format!(
            "(func $f{i} (result i32) (local i32) (local.set 0 (call $f{}))",
            i - 1
        ));
        for _ in 0..40 {
            wat.push_str(" (local.set 0 (i32.xor (local.get 0) (i32.const 0)))");
        }
        wat.push_str(&format!(" (i32.add (local.get 0) (i32.const {i})))\n"));
    }
    wat.push_str("(export \"top\" (func $f399)))");
    let bytes = wat::parse_str(&wat).unwrap();
    let module = Module::parse_validated(bytes, crate::features::implemented()).unwrap();
    // The split depends on the module alone, not on the host's cores.
    let parts = super::chunks(&module);
    assert!(parts.len() > 1, "{parts:?}");
    let mut covered: Vec<u32> = parts.iter().flatten().copied().collect();
    covered.sort_unstable();
    let defined: Vec<u32> = (module.num_imported_funcs..module.num_funcs()).collect();
    assert_eq!(covered, defined, "every function in exactly one chunk");
    let engine = Engine::default();
    let compiled = crate::Module::from_checked(&engine, module).unwrap();
    assert_eq!(compiled.compiled.objects.len(), parts.len());
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &compiled)
        .unwrap();
    assert_eq!(
        call(&mut store, inst, "top", &[]),
        Ok(vec![Val::I32(399 * 400 / 2)])
    );
}

/// A function past the giant threshold is a chunk of its own, compiled at level 0 (LLVM's
/// optimisers go superlinear on such functions), and still computes the right answer.
#[test]
fn giant_functions_compile_alone_and_run() {
    let mut wat = String::from("(module (func (export \"big\") (param i32) (result i32)");
    for i in 0..12_000 {
        wat.push_str(&format!(
            " (local.set 0 (i32.add (local.get 0) (i32.const {})))",
            i % 3
        ));
    }
    wat.push_str(" (local.get 0)) (func (export \"small\") (result i32) (i32.const 7)))");
    let bytes = wat::parse_str(&wat).unwrap();
    let module = Module::parse_validated(bytes, crate::features::implemented()).unwrap();
    assert!(super::is_giant(&module, 0));
    let parts = super::chunks(&module);
    assert!(parts.contains(&vec![0]), "{parts:?}");
    let engine = Engine::default();
    let compiled = crate::Module::from_checked(&engine, module).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &compiled)
        .unwrap();
    // 4,000 each of 0, 1 and 2.
    assert_eq!(
        call(&mut store, inst, "big", &[Val::I32(5)]),
        Ok(vec![Val::I32(5 + 4_000 * 3)])
    );
    assert_eq!(call(&mut store, inst, "small", &[]), Ok(vec![Val::I32(7)]));
}

#[test]
fn unused_loads_still_trap() {
    let (mut s, i) = instance(
        r#"(module (memory 1)
          (func (export "eqz_dropped") (param i32) (drop (i32.eqz (i32.load8_u (local.get 0)))))
          (func (export "add_dropped") (param i32)
            (drop (i64.add (i64.load offset=8 (local.get 0)) (i64.const 1)))))"#,
    );
    assert_eq!(
        call(&mut s, i, "eqz_dropped", &[Val::I32(70000)]),
        Err(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        call(&mut s, i, "add_dropped", &[Val::I32(65530)]),
        Err(TrapKind::MemoryOutOfBounds)
    );
    assert_eq!(
        call(&mut s, i, "add_dropped", &[Val::I32(65520)]),
        Ok(vec![])
    );
}

/// Values cross in 16-byte slots: globals (v128 too), and host functions over `Val`s and over
/// raw slots whose results land in the caller's slots, all keep every bit.
#[test]
fn values_cross_the_host_boundary_in_16_byte_slots() {
    use crate::{Global, ValRaw};
    use wasmparser::{FuncType, GlobalType, ValType};
    let engine = Engine::default();
    let module = crate::Module::new(
        &engine,
        r#"(module
             (import "env" "pair" (func $pair (param i64 f64) (result f64 i64 i32)))
             (import "env" "raw" (func $raw (param i32 i64) (result i64)))
             (global $g (export "g") (mut i64) (i64.const -2))
             (func (export "swap") (param i64 f64) (result f64 i64 i32)
               (call $pair (local.get 0) (local.get 1)))
             (func (export "raw") (param i32 i64) (result i64)
               (call $raw (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "env",
            "pair",
            FuncType::new(
                [ValType::I64, ValType::F64],
                [ValType::F64, ValType::I64, ValType::I32],
            ),
            |_caller, args, results| {
                let (Val::I64(a), Val::F64(b)) = (args[0], args[1]) else {
                    unreachable!()
                };
                results.copy_from_slice(&[Val::F64(a as u64), Val::I64(b as i64), Val::I32(-7)]);
                Ok(())
            },
        )
        .unwrap();
    let raw = |_caller: crate::Caller<'_, ()>, slots: &mut [ValRaw]| {
        // i32 arguments arrive zero-extended to their whole slot.
        assert_eq!(slots[0].v128(), 0xffff_fffe);
        slots[0] = ValRaw::from_i64(i64::from(slots[0].i32()) * slots[1].i64());
        Ok(())
    };
    let raw_ty = FuncType::new([ValType::I32, ValType::I64], [ValType::I64]);
    // SAFETY: the result written is an i64, the declared result type.
    unsafe { linker.func_new_unchecked("env", "raw", raw_ty, raw) }.unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let nan_bits = 0x7ff4_0000_0000_0001u64;
    assert_eq!(
        call(
            &mut store,
            inst,
            "swap",
            &[Val::I64(0x1234_5678_9abc), Val::F64(nan_bits)]
        ),
        Ok(vec![
            Val::F64(0x1234_5678_9abc),
            Val::I64(nan_bits as i64),
            Val::I32(-7)
        ])
    );
    assert_eq!(
        call(&mut store, inst, "raw", &[Val::I32(-2), Val::I64(1 << 40)]),
        Ok(vec![Val::I64(-(1 << 41))])
    );
    let g = inst.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store), Val::I64(-2));
    let v128_type = GlobalType {
        content_type: ValType::V128,
        mutable: true,
        shared: false,
    };
    let v128 = Global::new(&mut store, v128_type, Val::V128(u128::MAX - 5)).unwrap();
    assert_eq!(v128.get(&store), Val::V128(u128::MAX - 5));
}
