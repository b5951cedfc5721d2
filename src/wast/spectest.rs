//! The `spectest` host module that the spec scripts import: print functions that print their
//! arguments, four globals holding 666, a funcref table (10..20) and a memory (1..2 pages).
use crate::{Global, Linker, Memory, Store, Table, Trap, Val};
use wasmparser::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};

pub fn define(store: &mut Store<()>, linker: &mut Linker<()>) -> anyhow::Result<()> {
    use ValType::{F32, F64, I32, I64};
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        linker.func_new("spectest", name, ty, |_caller, args, _results| {
            for a in args {
                println!("{}", describe(a));
            }
            Ok::<(), Trap>(())
        })?;
    }
    let globals = [
        ("global_i32", I32, Val::I32(666)),
        ("global_i64", I64, Val::I64(666)),
        ("global_f32", F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, ty, value) in globals {
        let ty = GlobalType {
            content_type: ty,
            mutable: false,
            shared: false,
        };
        let global = Global::new(&mut *store, ty, value)?;
        linker.define(&*store, "spectest", name, global)?;
    }
    // `table` and, for the memory64 scripts, its 64-bit twin `table64` (as wasmtime's
    // spectest module defines them).
    for (name, table64) in [("table", false), ("table64", true)] {
        let table = Table::new(
            &mut *store,
            TableType {
                element_type: RefType::FUNCREF,
                table64,
                initial: 10,
                maximum: Some(20),
                shared: false,
            },
            Val::FuncRef(None),
        )?;
        linker.define(&*store, "spectest", name, table)?;
    }
    let memory = Memory::new(
        &mut *store,
        MemoryType {
            memory64: false,
            shared: false,
            initial: 1,
            maximum: Some(2),
            page_size_log2: None,
        },
    )?;
    linker.define(&*store, "spectest", "memory", memory)?;
    Ok(())
}

fn describe(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("{x} : i32"),
        Val::I64(x) => format!("{x} : i64"),
        Val::F32(b) => format!("{} : f32", f32::from_bits(*b)),
        Val::F64(b) => format!("{} : f64", f64::from_bits(*b)),
        Val::V128(b) => format!("{b:#034x} : v128"),
        Val::FuncRef(_) => "funcref".to_string(),
        Val::ExternRef(_) => "externref".to_string(),
        Val::ExnRef(_) => "exnref".to_string(),
        Val::AnyRef(_) => "anyref".to_string(),
        Val::ExternAny(_) => "externref".to_string(),
    }
}
