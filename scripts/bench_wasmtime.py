#!/usr/bin/env python3
"""Time a benchmark kernel's `run` export under wasmtime, for `cargo bench --bench runtime`.

Uses wasmtime-py (`pip install wasmtime`), which embeds wasmtime's Cranelift compiler and
WASI, so the kernel is timed in-process exactly as rt's bench times its own calls.

    bench_wasmtime.py KERNEL.wasm RUNS

Prints one line: `<compile ms> <median run ms> <result of the last run>`.
Exits 3 when the wasmtime package is not installed.
"""
import sys
import time

try:
    from wasmtime import Engine, Linker, Module, Store, WasiConfig
except ImportError:
    sys.exit(3)


def main(path, runs):
    engine = Engine()
    start = time.perf_counter()
    module = Module.from_file(engine, path)
    compile_ms = (time.perf_counter() - start) * 1000
    linker = Linker(engine)
    linker.define_wasi()
    store = Store(engine)
    store.set_wasi(WasiConfig())
    run = linker.instantiate(store, module).exports(store)["run"]
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = run(store)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"{compile_ms:.3f} {times[len(times) // 2]:.3f} {result & 0xFFFFFFFF}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
