//! Embedding rt: a host function, guest memory, and a callback into wasm.
//!
//! `cargo run --example embed` compiles a small module with LLVM, gives it a host function
//! `host.log` that reads a string out of the guest's memory, counts calls in the store's own
//! state, and calls back into the guest's exported `square` before returning.
use rt::{Caller, Engine, Extern, Linker, Module, Store};

/// The host's state, owned by the store and reached from host functions.
#[derive(Default)]
struct Host {
    lines: Vec<String>,
}

const GUEST: &str = r#"(module
  (import "host" "log" (func $log (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "hello from the guest")
  (func (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "main") (result i32)
    ;; log(ptr, len) returns what the host computed by calling back into `square`.
    (call $log (i32.const 100) (i32.const 20))))"#;

fn main() -> anyhow::Result<()> {
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST)?;

    let mut linker = Linker::new(&engine);
    linker.func_wrap(
        "host",
        "log",
        |mut caller: Caller<'_, Host>, ptr: i32, len: i32| -> anyhow::Result<i32> {
            // Read the guest's string out of its exported memory.
            let memory = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .ok_or_else(|| anyhow::anyhow!("the guest exports no memory"))?;
            let bytes = memory
                .data(&caller)
                .get(ptr as usize..(ptr + len) as usize)
                .ok_or_else(|| anyhow::anyhow!("string out of bounds"))?;
            let text = String::from_utf8_lossy(bytes).into_owned();
            println!("host.log: the guest says {text:?}");
            caller.data_mut().lines.push(text);

            // Call back into the guest while it is suspended in this host call.
            let square = caller
                .get_export("square")
                .and_then(Extern::into_func)
                .ok_or_else(|| anyhow::anyhow!("the guest exports no `square`"))?
                .typed::<i32, i32>(&caller)?;
            let answer = square.call(&mut caller, len)?;
            println!("host.log: called back into wasm: square({len}) = {answer}");
            Ok(answer)
        },
    )?;

    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate(&mut store, &module)?;
    let main = instance.get_typed_func::<(), i32>(&store, "main")?;
    let result = main.call(&mut store, ())?;
    println!("main returned {result}");

    // The host writes into guest memory directly too.
    let memory = instance
        .get_memory(&store, "memory")
        .ok_or_else(|| anyhow::anyhow!("no memory"))?;
    memory.data_mut(&mut store)[0..4].copy_from_slice(b"rt!\0");
    println!(
        "memory[0..3] = {:?}; host state holds {} line(s)",
        std::str::from_utf8(&memory.data(&store)[0..3])?,
        store.data().lines.len()
    );
    Ok(())
}
