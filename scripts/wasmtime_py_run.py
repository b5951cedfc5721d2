#!/usr/bin/env python3
"""`wasmtime run` for differential checks where the wasmtime CLI is not installed.

Built on wasmtime-py (`pip install wasmtime`, a prebuilt wheel), which embeds the same
WASI preview1 implementation as the wasmtime CLI. Accepts the subset of `wasmtime run`
that scripts/wasi-diff.sh uses:

    wasmtime_py_run.py run [--env K=V | --env K] [--dir HOST[::GUEST]] [--mapdir G::H]
                           [--argv0 NAME] MODULE.wasm [ARGS...]

Exit status: the guest's proc_exit code, 0 when _start returns, 134 on a trap (as the
wasmtime CLI on Unix).
"""
import os
import sys

from wasmtime import Engine, ExitTrap, Linker, Module, Store, Trap, WasiConfig, WasmtimeError


def main(argv):
    if not argv or argv[0] != "run":
        sys.exit("usage: wasmtime_py_run.py run [FLAGS] MODULE [ARGS...]")
    args = argv[1:]
    cfg = WasiConfig()
    env, argv0 = [], None
    while args and args[0].startswith("--"):
        flag = args.pop(0)
        if "=" in flag:
            flag, value = flag.split("=", 1)
        else:
            value = args.pop(0)
        if flag == "--env":
            name, sep, val = value.partition("=")
            if not sep:
                val = os.environ.get(name)
                if val is None:
                    continue
            env.append((name, val))
        elif flag == "--dir":
            host, _, guest = value.partition("::")
            cfg.preopen_dir(host, guest or host)
        elif flag == "--mapdir":
            guest, _, host = value.partition("::")
            cfg.preopen_dir(host, guest)
        elif flag == "--argv0":
            argv0 = value
        else:
            sys.exit(f"wasmtime_py_run.py: unsupported flag {flag}")
    module_path = args[0]
    cfg.argv = [argv0 or os.path.basename(module_path)] + args[1:]
    cfg.env = env
    cfg.inherit_stdin()
    cfg.inherit_stdout()
    cfg.inherit_stderr()
    engine = Engine()
    store = Store(engine)
    store.set_wasi(cfg)
    linker = Linker(engine)
    linker.define_wasi()
    try:
        instance = linker.instantiate(store, Module.from_file(engine, module_path))
        instance.exports(store)["_start"](store)
    except ExitTrap as e:
        sys.stdout.flush()
        os._exit(e.code)
    except (Trap, WasmtimeError) as e:
        print(f"Error: {e}", file=sys.stderr)
        sys.stdout.flush()
        os._exit(134)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
