# rt: set-up, build, test, demo, bench. Every target installs what it needs on Debian 12.
SHELL := /bin/bash
export LLVM_SYS_191_PREFIX ?= /usr/lib/llvm-19
CARGO ?= cargo
RT := target/release/rt

# System packages: LLVM 19 (static link needs polly, zstd, zlib, ffi), the wasm32-wasi C toolchain
# used to build test fixtures, and wabt as the differential reference.
APT_PACKAGES := llvm-19-dev libpolly-19-dev libzstd-dev zlib1g-dev libffi-dev \
	clang-16 lld-16 wasi-libc libclang-rt-16-dev-wasm32 wabt hyperfine

WASI_CC := clang-16 --target=wasm32-wasi --sysroot=/usr -O2
FIXTURE_SRC := $(wildcard tests/fixtures/c/*.c)
FIXTURES := $(patsubst tests/fixtures/c/%.c,build/fixtures/%.wasm,$(FIXTURE_SRC))

.PHONY: all setup build fixtures demo test bench fmt lint clean install

all: build

setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "rt setup: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "rt setup: cargo not found; install a Rust toolchain (rustup) first" >&2; exit 1; }

build: setup
	$(CARGO) build --release

build/fixtures/%.wasm: tests/fixtures/c/%.c
	@mkdir -p build/fixtures
	$(WASI_CC) -o $@ $<

# Benchmark kernels export `run` and import nothing (no libc start-up, no WASI), so the
# runtime can be measured on its own.
build/fixtures/bench_%.wasm: tests/fixtures/c/bench_%.c
	@mkdir -p build/fixtures
	$(WASI_CC) -nostartfiles -Wl,--no-entry -o $@ $<

# Fixtures that include a shared header (tests/fixtures/c/wasi_check.h) rebuild when it changes.
$(FIXTURES): $(wildcard tests/fixtures/c/*.h)

# Relocatable objects (clang -c, with debug info) of the same sources, for objdump's
# differential test of the linking and reloc.* sections.
build/fixtures/%.o: tests/fixtures/c/%.c
	@mkdir -p build/fixtures
	$(WASI_CC) -g -c -o $@ $<

fixtures: setup $(FIXTURES)

demo: build fixtures
	@echo '== rt run: a C program built with clang-16 for wasm32-wasi, compiled by LLVM'
	$(RT) run build/fixtures/hello.wasm from the demo
	@echo '== rt run: a hand-written WASI program in the text format'
	$(RT) run examples/hello.wat
	@echo '== rt wat2wasm + rt objdump: the same program as wabt would assemble and show it'
	$(RT) wat2wasm examples/hello.wat -o build/hello.wasm
	$(RT) objdump -h build/hello.wasm
	$(RT) objdump -x build/hello.wasm
	@echo '== rt explain: which WASI calls the C program makes, and from where'
	$(RT) explain build/fixtures/hello.wasm

test: build fixtures
	$(CARGO) test --release -- --test-threads=2

# WASI differential check against wasmtime (skips with a message when no wasmtime is installed).
.PHONY: wasi-diff
wasi-diff: build fixtures
	RT=$(RT) scripts/wasi-diff.sh

# wasmtime-py embeds wasmtime 48's compiler: the runtime bench times the same kernels under it.
bench: build fixtures
	@python3 -c 'import wasmtime' 2>/dev/null || python3 -m pip install --quiet 'wasmtime==48.0.0' || \
	  echo 'rt bench: could not install the wasmtime Python package; wasmtime columns will be n/a'
	$(CARGO) bench

fmt:
	$(CARGO) fmt

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

install: setup
	$(CARGO) install --path .

clean:
	$(CARGO) clean
	rm -rf build
