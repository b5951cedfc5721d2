//! Trap frames located through the address map (`runtime::addrmap`).
use crate::{Config, Engine, Linker, Module, Store, Trap};

const WAT: &str = r#"(module
  (func $inner (param i32 i32 i32) (result i32)
    (i32.div_s (i32.div_s (local.get 0) (local.get 1)) (local.get 2)))
  (func $run (export "run") (param i32 i32 i32) (result i32)
    (call $inner (local.get 0) (local.get 1) (local.get 2))))"#;

/// Module offsets of the operators of `wasm` for which `pick` holds, in order.
fn offsets_of(wasm: &[u8], pick: impl Fn(&wasmparser::Operator) -> bool) -> Vec<usize> {
    let module = crate::module::Module::parse(wasm.to_vec()).unwrap();
    let mut out = Vec::new();
    for code in &module.code {
        let mut ops = module.operators(code);
        while !ops.eof() {
            let at = ops.original_position() as usize;
            if pick(&ops.read().unwrap()) {
                out.push(at);
            }
        }
    }
    out
}

fn trap(details: bool, args: (i32, i32, i32)) -> Trap {
    let mut config = Config::new();
    config.wasm_backtrace_details(details);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, WAT).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance
        .get_typed_func::<(i32, i32, i32), i32>(&store, "run")
        .unwrap();
    run.call(&mut store, args)
        .unwrap_err()
        .downcast::<Trap>()
        .unwrap()
}

/// Each trap site has its own location, although LLVM would merge two identical trap
/// calls; the call into `$inner`, inlined into `$run`, is a frame of its own again.
#[test]
fn frames_have_the_offsets_of_their_instructions() {
    let wasm = wat::parse_str(WAT).unwrap();
    let divs = offsets_of(&wasm, |op| matches!(op, wasmparser::Operator::I32DivS));
    let calls = offsets_of(&wasm, |op| matches!(op, wasmparser::Operator::Call { .. }));
    for (args, site) in [((1, 0, 1), divs[0]), ((1, 1, 0), divs[1])] {
        let t = trap(true, args);
        let at: Vec<_> = t.frames.iter().map(|f| f.module_offset).collect();
        assert_eq!(at, [Some(site), Some(calls[0])], "{args:?}");
        assert_eq!(t.backtrace, ["inner", "run"]);
        assert!(t.frames.iter().all(|f| f.symbols.is_empty()), "no DWARF");
    }
    // Not asked for: no details.
    let t = trap(false, (1, 0, 1));
    assert!(t.frames.is_empty());
    assert!(!t.backtrace.is_empty());
}
