//! Every shape of signature crosses every kind of call intact. Wasm functions use LLVM's x86-64
//! `tailcc` (src/compile/env.rs), which passes the parameters past the registers on the
//! stack; LLVM 19 sized that area differently in the caller and the callee when a v128 was
//! among them (issue 14), so the stack pointer came back 16 bytes off. Rather than keep the
//! two shapes the fuzzer found, these tests generate some 140 signatures (every parameter
//! count from 0 to 20 with a v128 at the first, eighth, ninth and last place, all-v128
//! lists, mixes of all five number types, pseudo-random ones; results from none to eight,
//! beyond the return registers too) and call each one every way rt can: from the command line
//! (`--invoke`, the host-to-wasm trampoline), directly, through a table, by reference, as a
//! tail call of each of those from a function of another prototype, inside a `try_table`
//! (an LLVM invoke), into another instance, and (in-process, through the embedding API)
//! into and out of host functions, with fuel on and off.
//!
//! Each callee folds its parameters' bits into a hash and derives its results from it, so a
//! parameter that arrives wrong changes every result; the caller folds the results it gets
//! and compares with the value computed here. The comparisons run inside the module
//! (`check_all` returns 0 or which shape and which kind of call went wrong), so one process
//! checks every kind of call; `--invoke` runs once per signature.
use crate::common::*;
use rt::{Config, Engine, Linker, Module, Store, Val};
use std::fmt::Write as _;
use std::path::Path;

/// The hash's multiplier (FNV-1a's 64-bit prime): `h = h * PRIME + piece`.
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// A v128 result's high half is its low half xor this.
const HIGH_XOR: u64 = 0x5555_5555_5555_5555;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    I32,
    I64,
    F32,
    F64,
    V128,
}

const TYPES: [Ty; 5] = [Ty::I32, Ty::I64, Ty::F32, Ty::F64, Ty::V128];

impl Ty {
    fn wat(self) -> &'static str {
        match self {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::V128 => "v128",
        }
    }

    fn val_type(self) -> wasmparser::ValType {
        match self {
            Ty::I32 => wasmparser::ValType::I32,
            Ty::I64 => wasmparser::ValType::I64,
            Ty::F32 => wasmparser::ValType::F32,
            Ty::F64 => wasmparser::ValType::F64,
            Ty::V128 => wasmparser::ValType::V128,
        }
    }

    /// The 64-bit pieces of a value the hashes fold in, in order (a v128: low, then high).
    fn pieces(self, bits: u128) -> Vec<u64> {
        match self {
            Ty::I32 | Ty::F32 => vec![bits as u32 as u64],
            Ty::I64 | Ty::F64 => vec![bits as u64],
            Ty::V128 => vec![bits as u64, (bits >> 64) as u64],
        }
    }

    /// Wasm instructions pushing each piece of local `local` (see [`Self::pieces`]).
    fn piece_code(self, local: &str) -> Vec<String> {
        match self {
            Ty::I32 => vec![format!("local.get {local} i64.extend_i32_u")],
            Ty::I64 => vec![format!("local.get {local}")],
            Ty::F32 => vec![format!(
                "local.get {local} i32.reinterpret_f32 i64.extend_i32_u"
            )],
            Ty::F64 => vec![format!("local.get {local} i64.reinterpret_f64")],
            Ty::V128 => (0..2)
                .map(|lane| format!("local.get {local} i64x2.extract_lane {lane}"))
                .collect(),
        }
    }

    /// Wasm instructions pushing the constant with these bits.
    fn constant(self, bits: u128) -> String {
        match self {
            Ty::I32 => format!("i32.const {}", bits as u32 as i32),
            Ty::I64 => format!("i64.const {}", bits as u64 as i64),
            Ty::F32 => format!("i32.const {} f32.reinterpret_i32", bits as u32 as i32),
            Ty::F64 => format!("i64.const {} f64.reinterpret_i64", bits as u64 as i64),
            Ty::V128 => format!(
                "v128.const i64x2 {:#x} {:#x}",
                bits as u64,
                (bits >> 64) as u64
            ),
        }
    }

    /// How `rt run --invoke` spells the value, as an argument and as a printed result.
    fn cli(self, bits: u128) -> String {
        match self {
            Ty::I32 => (bits as u32 as i32).to_string(),
            Ty::I64 => (bits as u64 as i64).to_string(),
            Ty::F32 => f32::from_bits(bits as u32).to_string(),
            Ty::F64 => f64::from_bits(bits as u64).to_string(),
            Ty::V128 => bits.to_string(),
        }
    }

    /// The embedding API's value with these bits.
    fn val(self, bits: u128) -> Val {
        match self {
            Ty::I32 => Val::I32(bits as u32 as i32),
            Ty::I64 => Val::I64(bits as u64 as i64),
            Ty::F32 => Val::F32(bits as u32),
            Ty::F64 => Val::F64(bits as u64),
            Ty::V128 => Val::V128(bits),
        }
    }

    fn bits(v: &Val) -> u128 {
        match *v {
            Val::I32(x) => x as u32 as u128,
            Val::I64(x) => x as u64 as u128,
            Val::F32(b) => b as u128,
            Val::F64(b) => b as u128,
            Val::V128(b) => b,
            ref other => panic!("not a number: {other:?}"),
        }
    }
}

/// splitmix64: well-spread bits from a counter, so every argument differs.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

struct Shape {
    params: Vec<Ty>,
    results: Vec<Ty>,
}

/// Result lists, taken in turn: none, one of each register class, three vectors (the most
/// returned in registers), and lists the convention returns through a buffer instead.
fn result_lists() -> Vec<Vec<Ty>> {
    use Ty::*;
    vec![
        vec![],
        vec![I64],
        vec![V128],
        vec![F64],
        vec![I32, F32],
        vec![V128, V128, V128],
        vec![V128, V128, V128, V128],
        vec![I32, I64, F32, F64, V128],
        vec![I64, I64, I64, I64],
        vec![F32, V128, I32, F64, I64, V128, F32, I32],
    ]
}

/// The signatures under test (see the module comment).
fn shapes() -> Vec<Shape> {
    let mut params: Vec<Vec<Ty>> = Vec::new();
    // f64s fill the eight vector registers: a v128 at 8 or later goes on the stack, with
    // or without f64s after it.
    for n in 0..=20usize {
        let mut places = vec![0, 7, 8, n.saturating_sub(1)];
        places.retain(|&p| p < n);
        places.dedup();
        if n == 0 {
            params.push(vec![]);
        }
        for p in places {
            let mut list = vec![Ty::F64; n];
            list[p] = Ty::V128;
            params.push(list);
        }
    }
    for n in 1..=20 {
        params.push(vec![Ty::V128; n]);
    }
    // All five types in turn, from a different one for each count.
    for n in 0..=20 {
        params.push((0..n).map(|i| TYPES[(n + i) % 5]).collect());
    }
    for seed in 0..24u64 {
        let n = (mix(seed) % 21) as usize;
        params.push(
            (0..n)
                .map(|i| TYPES[(mix(seed * 64 + i as u64 + 1000) % 5) as usize])
                .collect(),
        );
    }
    let results = result_lists();
    params
        .into_iter()
        .enumerate()
        .map(|(k, params)| Shape {
            params,
            results: results[k % results.len()].clone(),
        })
        .collect()
}

impl Shape {
    /// The bits of argument `i` of shape `k`: anything but a NaN or infinity for floats (so
    /// they print and parse back exactly on the command line).
    fn arg(&self, k: usize, i: usize) -> u128 {
        let x = mix((k * 32 + i) as u64);
        match self.params[i] {
            Ty::F32 if (x as u32 >> 23) & 0xff == 0xff => (x as u32 & !(1 << 30)) as u128,
            Ty::F64 if (x >> 52) & 0x7ff == 0x7ff => (x & !(1 << 62)) as u128,
            Ty::V128 => (x as u128) | ((mix(x) as u128) << 64),
            _ => x as u128,
        }
    }

    fn args(&self, k: usize) -> Vec<u128> {
        (0..self.params.len()).map(|i| self.arg(k, i)).collect()
    }

    /// The results of shape `k`'s callee given `args` (what the wasm `$f{k}` computes).
    fn results_for(&self, k: usize, args: &[u128]) -> Vec<u128> {
        let h = fold(k as u64 + 1, &self.params, args);
        self.results
            .iter()
            .enumerate()
            .map(|(j, t)| {
                let r = h.wrapping_add(j as u64 + 1);
                match t {
                    Ty::I32 => r as u32 as u128,
                    Ty::I64 => r as u128,
                    Ty::F32 => (r as u32 & !(1 << 30)) as u128,
                    Ty::F64 => (r & !(1 << 62)) as u128,
                    Ty::V128 => (r as u128) | (((r ^ HIGH_XOR) as u128) << 64),
                }
            })
            .collect()
    }
}

/// Fold the pieces of `values` (of `types`) into `h`.
fn fold(mut h: u64, types: &[Ty], values: &[u128]) -> u64 {
    for (t, v) in types.iter().zip(values) {
        for piece in t.pieces(*v) {
            h = h.wrapping_mul(PRIME).wrapping_add(piece);
        }
    }
    h
}

/// Wasm instructions folding local `local` of type `t` into local `acc`.
fn fold_code(acc: &str, local: &str, t: Ty) -> String {
    t.piece_code(local)
        .into_iter()
        .map(|piece| {
            format!(
                "local.get {acc} i64.const {} i64.mul {piece} i64.add local.set {acc}\n",
                PRIME as i64
            )
        })
        .collect()
}

/// The kinds of call `check_all` makes, in order; a failure code is `shape * 100 + index + 1`.
const PATHS: [&str; 11] = [
    "call",
    "call_indirect",
    "return_call (from a function of another type)",
    "return_call_indirect",
    "call_ref",
    "return_call_ref",
    "call_indirect inside try_table (an invoke)",
    "call of another instance's function",
    "return_call of another instance's function",
    "call of a host function",
    "return_call of a host function",
];

/// Which calls out of the module exist: to another instance (`peer`: imports `peer.f{k}`)
/// and to host functions (`host`: imports `host.h{k}`).
#[derive(Clone, Copy)]
struct Links {
    peer: bool,
    host: bool,
}

/// The test module: for each shape `k`, `$f{k}` (exported as `f{k}`) and, unless `links` is
/// `None` (the callee-only module another instance imports), the callers and `check_all`.
fn module(shapes: &[Shape], links: Option<Links>) -> String {
    let mut m = String::from("(module\n");
    for (k, s) in shapes.iter().enumerate() {
        let params: String = s.params.iter().map(|t| format!(" {}", t.wat())).collect();
        let results: String = s.results.iter().map(|t| format!(" {}", t.wat())).collect();
        let _ = writeln!(m, "(type $t{k} (func (param{params}) (result{results})))");
        let _ = writeln!(m, "(type $w{k} (func (param i32) (result{results})))");
    }
    let Some(links) = links else {
        for (k, s) in shapes.iter().enumerate() {
            m.push_str(&callee(k, s));
        }
        return m + ")\n";
    };
    for k in 0..shapes.len() {
        if links.peer {
            let _ = writeln!(m, "(import \"peer\" \"f{k}\" (func $p{k} (type $t{k})))");
        }
        if links.host {
            let _ = writeln!(m, "(import \"host\" \"h{k}\" (func $h{k} (type $t{k})))");
        }
    }
    // Six table slots per shape: the callee and the five tail-calling wrappers (the callee
    // again where a wrapper does not exist).
    let slot = |k: usize, i: usize| k * 6 + i;
    let _ = writeln!(m, "(table $tab {} funcref)", shapes.len() * 6);
    m.push_str("(elem (table $tab) (i32.const 0) func");
    for k in 0..shapes.len() {
        let tp = if links.peer { "tp" } else { "f" };
        let th = if links.host { "th" } else { "f" };
        let _ = write!(m, " $f{k} $td{k} $ti{k} $tr{k} ${tp}{k} ${th}{k}");
    }
    m.push_str(")\n");
    for (k, s) in shapes.iter().enumerate() {
        m.push_str(&callee(k, s));
        let args: String = s
            .args(k)
            .iter()
            .zip(&s.params)
            .map(|(a, t)| t.constant(*a) + "\n")
            .collect();
        // The tail-calling wrappers: each has one i32 parameter, so it has a different
        // prototype (and stack-argument area) from the callee it replaces itself with.
        let mut wrappers = vec![
            ("td", format!("return_call $f{k}")),
            (
                "ti",
                format!("local.get 0 return_call_indirect (type $t{k})"),
            ),
            ("tr", format!("ref.func $f{k} return_call_ref $t{k}")),
        ];
        if links.peer {
            wrappers.push(("tp", format!("return_call $p{k}")));
        }
        if links.host {
            wrappers.push(("th", format!("return_call $h{k}")));
        }
        for (name, call) in wrappers {
            let _ = writeln!(m, "(func ${name}{k} (type $w{k})\n{args}{call})");
        }
        // Each path pushes the callee's results; `check` folds them.
        let callee_slot = slot(k, 0);
        let wrapper = |i: usize| {
            format!(
                "i32.const {callee_slot} i32.const {} call_indirect (type $w{k})",
                slot(k, i)
            )
        };
        let mut paths: Vec<(usize, String)> = vec![
            (0, format!("{args}call $f{k}")),
            (
                1,
                format!("{args}i32.const {callee_slot} call_indirect (type $t{k})"),
            ),
            (2, wrapper(1)),
            (3, wrapper(2)),
            (4, format!("{args}ref.func $f{k} call_ref $t{k}")),
            (5, wrapper(3)),
        ];
        if links.peer {
            paths.push((7, format!("{args}call $p{k}")));
            paths.push((8, wrapper(4)));
        }
        if links.host {
            paths.push((9, format!("{args}call $h{k}")));
            paths.push((10, wrapper(5)));
        }
        let want = fold(0, &s.results, &s.results_for(k, &s.args(k)));
        let check = |path: usize| {
            let code = k * 100 + path + 1;
            let mut c = String::new();
            for j in (0..s.results.len()).rev() {
                let _ = writeln!(c, "local.set $r{j}");
            }
            c.push_str("i64.const 0 local.set $acc\n");
            for (j, t) in s.results.iter().enumerate() {
                c.push_str(&fold_code("$acc", &format!("$r{j}"), *t));
            }
            let _ = writeln!(
                c,
                "local.get $acc i64.const {} i64.ne if i32.const {code} return end",
                want as i64
            );
            c
        };
        let locals: String = s
            .results
            .iter()
            .enumerate()
            .map(|(j, t)| format!(" (local $r{j} {})", t.wat()))
            .collect();
        let _ = writeln!(m, "(func $check{k} (result i32) (local $acc i64){locals}");
        for (path, call) in paths {
            let _ = writeln!(m, "{call}\n{}", check(path));
        }
        // The invoke: a call that may unwind into this function's handler.
        let results: String = s.results.iter().map(|t| format!(" {}", t.wat())).collect();
        let _ = writeln!(
            m,
            "block $ok block $caught\n\
             try_table (result{results}) (catch_all $caught)\n\
             {args}i32.const {callee_slot} call_indirect (type $t{k})\n\
             end\n{}br $ok end\ni32.const {} return end",
            check(6),
            k * 100 + 7
        );
        m.push_str("i32.const 0)\n");
    }
    m.push_str("(func (export \"check_all\") (result i32) (local $c i32)\n");
    for k in 0..shapes.len() {
        let _ = writeln!(m, "call $check{k} local.tee $c if local.get $c return end");
    }
    m.push_str("i32.const 0))\n");
    m
}

/// `$f{k}`: fold the parameters into `$h`, starting from `k + 1`, and derive the results
/// from it (see [`Shape::results_for`]).
fn callee(k: usize, s: &Shape) -> String {
    let mut f = format!(
        "(func $f{k} (export \"f{k}\") (type $t{k}) (local $h i64)\ni64.const {} local.set $h\n",
        k + 1
    );
    for (i, t) in s.params.iter().enumerate() {
        f.push_str(&fold_code("$h", &i.to_string(), *t));
    }
    for (j, t) in s.results.iter().enumerate() {
        let _ = write!(f, "local.get $h i64.const {} i64.add ", j + 1);
        f.push_str(match t {
            Ty::I32 => "i32.wrap_i64\n",
            Ty::I64 => "\n",
            Ty::F32 => "i32.wrap_i64 i32.const 0xbfffffff i32.and f32.reinterpret_i32\n",
            Ty::F64 => "i64.const 0xbfffffffffffffff i64.and f64.reinterpret_i64\n",
            Ty::V128 => "",
        });
        if *t == Ty::V128 {
            let _ = writeln!(
                f,
                "i64x2.splat local.get $h i64.const {} i64.add i64.const {} i64.xor \
                 i64x2.replace_lane 1",
                j + 1,
                HIGH_XOR as i64
            );
        }
    }
    f + ")\n"
}

/// What a nonzero `check_all` result means.
fn explain_failure(shapes: &[Shape], code: &str) -> String {
    let Ok(code) = code.parse::<usize>() else {
        return format!("check_all printed {code:?}");
    };
    let (k, path) = (code / 100, code % 100 - 1);
    format!(
        "shape {k} {:?} -> {:?} came back wrong through {}",
        shapes[k].params, shapes[k].results, PATHS[path]
    )
}

/// Write the callee-only module (`peer.wat`) and the one with the callers (`main.wat`).
fn write_modules(dir: &Path, shapes: &[Shape]) -> (std::path::PathBuf, std::path::PathBuf) {
    let peer = dir.join("peer.wat");
    let main = dir.join("main.wat");
    std::fs::write(&peer, module(shapes, None)).unwrap();
    let links = Links {
        peer: true,
        host: false,
    };
    std::fs::write(&main, module(shapes, Some(links))).unwrap();
    (peer, main)
}

/// `rt run` with a compile cache of the test's own (each module is compiled once per
/// setting, by this build, and reused by the test's later runs).
fn rt_cached(cache: &Path) -> std::process::Command {
    let mut cmd = rt();
    cmd.env_remove("RT_CACHE").env("RT_CACHE_DIR", cache);
    cmd.arg("run");
    cmd
}

/// Every kind of call between wasm functions, and into another instance, for every shape,
/// with fuel off and on (fuel adds a parameter), and with a timeout as well.
#[test]
fn every_signature_survives_every_kind_of_wasm_call() {
    let dir = tempfile::tempdir().unwrap();
    let shapes = shapes();
    let (peer, main) = write_modules(dir.path(), &shapes);
    let preload = format!("peer={}", peer.display());
    for flags in [
        &[][..],
        &["-W", "fuel=1000000000000"],
        &["-W", "fuel=1000000000000,timeout=1h"],
    ] {
        let out = rt_cached(&dir.path().join("cache"))
            .args(flags)
            .args(["--preload", &preload, "--invoke", "check_all"])
            .arg(&main)
            .output()
            .unwrap();
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        let code = stdout(&out);
        assert_eq!(
            code.trim(),
            "0",
            "{flags:?}: {}",
            explain_failure(&shapes, code.trim())
        );
    }
}

/// Every shape called from the command line (the host-to-wasm trampoline), with its
/// arguments parsed from text and its results printed, with fuel off and on.
#[test]
fn every_signature_survives_invoke_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let shapes = shapes();
    let (peer, _) = write_modules(dir.path(), &shapes);
    let cache = dir.path().join("cache");
    for fuel in [&[][..], &["-W", "fuel=1000000000000"]] {
        for (k, s) in shapes.iter().enumerate() {
            let args = s.args(k);
            let text: Vec<String> = s.params.iter().zip(&args).map(|(t, a)| t.cli(*a)).collect();
            let out = rt_cached(&cache)
                .args(fuel)
                .args(["--invoke", &format!("f{k}")])
                .arg(&peer)
                .args(&text)
                .output()
                .unwrap();
            let want: String = s
                .results
                .iter()
                .zip(s.results_for(k, &args))
                .map(|(t, r)| t.cli(r) + "\n")
                .collect();
            assert!(out.status.success(), "f{k} {fuel:?}: {}", stderr(&out));
            assert_eq!(
                stdout(&out),
                want,
                "f{k} {:?} -> {:?} {fuel:?}",
                s.params,
                s.results
            );
        }
    }
}

/// Host functions of every shape, called and tail-called from wasm (through the adapters
/// that spill their arguments), and every wasm callee called from the host, through the
/// embedding API, with fuel off and on.
#[test]
fn every_signature_survives_host_calls_both_ways() {
    let shapes = std::sync::Arc::new(shapes());
    for fuel in [false, true] {
        let mut config = Config::new();
        config.consume_fuel(fuel);
        let engine = Engine::new(&config);
        let peer = Module::new(&engine, module(&shapes, None)).unwrap();
        let links = Links {
            peer: true,
            host: true,
        };
        let main = Module::new(&engine, module(&shapes, Some(links))).unwrap();
        let mut store = Store::new(&engine, ());
        if fuel {
            store.set_fuel(1 << 40).unwrap();
        }
        let mut linker = Linker::new(&engine);
        for (k, s) in shapes.iter().enumerate() {
            let ty = wasmparser::FuncType::new(
                s.params.iter().map(|t| t.val_type()),
                s.results.iter().map(|t| t.val_type()),
            );
            let all = shapes.clone();
            linker
                .func_new("host", &format!("h{k}"), ty, move |_, args, results| {
                    let s = &all[k];
                    let bits: Vec<u128> = args.iter().map(Ty::bits).collect();
                    for ((r, t), b) in results
                        .iter_mut()
                        .zip(&s.results)
                        .zip(s.results_for(k, &bits))
                    {
                        *r = t.val(b);
                    }
                    Ok(())
                })
                .unwrap();
        }
        let peer = linker.instantiate(&mut store, &peer).unwrap();
        linker.instance(&mut store, "peer", peer).unwrap();
        let main = linker.instantiate(&mut store, &main).unwrap();
        let check = main.get_func(&store, "check_all").unwrap();
        let mut code = [Val::I32(-1)];
        check.call(&mut store, &[], &mut code).unwrap();
        let Val::I32(code) = code[0] else {
            unreachable!()
        };
        assert_eq!(
            code,
            0,
            "fuel {fuel}: {}",
            explain_failure(&shapes, &code.to_string())
        );
        for (k, s) in shapes.iter().enumerate() {
            let f = main.get_func(&store, &format!("f{k}")).unwrap();
            let args = s.args(k);
            let vals: Vec<Val> = s.params.iter().zip(&args).map(|(t, a)| t.val(*a)).collect();
            let mut results: Vec<Val> = s.results.iter().map(|t| t.val(0)).collect();
            f.call(&mut store, &vals, &mut results).unwrap();
            let got: Vec<u128> = results.iter().map(Ty::bits).collect();
            assert_eq!(got, s.results_for(k, &args), "f{k} fuel {fuel}");
        }
    }
}
