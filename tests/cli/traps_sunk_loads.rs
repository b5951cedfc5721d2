//! Issue 9, part 3: every out-of-bounds access traps, whatever LLVM does with it. Guarded
//! memories let compiled accesses run unchecked, and LLVM sees an out-of-bounds load as
//! undefined behaviour rather than a trap: left to itself it deletes loads whose value it can
//! do without, sinks them into the one branch that uses them, and moves stores across them.
//! Each case here is a shape that invites one of those, checked end to end by `rt wast`: the
//! access must trap with the out-of-bounds message, and memory, globals and tables must hold
//! exactly what was stored before it (read back by a second export after the trap).
use crate::common::*;

const OOB: &str = "\"out of bounds memory access\"";

/// Run `script` with `rt wast` at every optimisation level and require every directive to
/// pass: each level has its own way to lose a trap (level 0's instruction selector dropped
/// a dropped load's trap point, so the load never ran).
fn wast_passes(script: &str) {
    for level in ["-O0", "-O1", "-O2", "-O3"] {
        crate::common::wast_passes_with("case.wast", script, &[level]);
    }
}

/// A module with one page of memory exporting `f`, the case, `(param i32) (result T)`: it
/// must trap at address `bad` (out of bounds) and return `ok_result` at `ok` (in bounds;
/// memory is zero).
fn unary_case(ty: &str, body: &str, bad: u32, ok: u32, ok_result: &str) -> String {
    format!(
        "(module (memory 1)\n\
           (func (export \"f\") (param i32) (result {ty}) {body}))\n\
         (assert_trap (invoke \"f\" (i32.const {bad})) {OOB})\n\
         (assert_return (invoke \"f\" (i32.const {ok})) ({ty}.const {ok_result}))\n"
    )
}

/// The issue's case as a user runs it, at every optimisation level and with explicit bounds
/// checks instead of guard pages.
#[test]
fn issue_case_traps_under_rt_run() {
    let dir = tempdir();
    let m = write(
        dir.path(),
        "m.wat",
        "(module (memory 1) (func (export \"f\") (param i32 f64 f64) (result f64) \
         local.get 0 f64.load f64.const 1 local.get 1 local.get 2 f64.ne select))",
    );
    for options in [
        &[][..],
        &["-O", "opt-level=0"],
        &["-O", "opt-level=3"],
        &["-O", "signals-based-traps=n"],
    ] {
        let out = rt()
            .arg("run")
            .args(options)
            .args(["--invoke", "f"])
            .arg(&m)
            .args(["0xfff9", "0", "0"])
            .output()
            .expect("spawn rt");
        assert_eq!(
            out.status.code(),
            Some(134),
            "{options:?}: stdout: {}",
            stdout(&out)
        );
        assert!(
            stderr(&out).contains("out of bounds memory access"),
            "{options:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn select_f64_arm_not_taken() {
    wast_passes(&format!(
        "(module (memory 1)\n\
           (func (export \"f\") (param i32 f64 f64) (result f64)\n\
             local.get 0 f64.load f64.const 1 local.get 1 local.get 2 f64.ne select))\n\
         (assert_trap (invoke \"f\" (i32.const 0xfff9) (f64.const 0) (f64.const 0)) {OOB})\n\
         (assert_trap (invoke \"f\" (i32.const 0x10000) (f64.const 0) (f64.const 0)) {OOB})\n\
         (assert_return (invoke \"f\" (i32.const 0xfff8) (f64.const 0) (f64.const 0)) \
           (f64.const 1))\n"
    ));
}

#[test]
fn select_i32_and_i64_either_arm() {
    let mut script = String::new();
    for (ty, bytes) in [("i32", 4), ("i64", 8)] {
        let bad = 0x10000 - bytes + 1;
        script += &format!(
            "(module (memory 1)\n\
               (func (export \"first\") (param i32 i32) (result {ty})\n\
                 (select ({ty}.load (local.get 0)) ({ty}.const 1) (local.get 1)))\n\
               (func (export \"second\") (param i32 i32) (result {ty})\n\
                 (select ({ty}.const 1) ({ty}.load (local.get 0)) (local.get 1))))\n\
             (assert_trap (invoke \"first\" (i32.const {bad}) (i32.const 0)) {OOB})\n\
             (assert_trap (invoke \"second\" (i32.const {bad}) (i32.const 1)) {OOB})\n\
             (assert_return (invoke \"first\" (i32.const 0) (i32.const 0)) ({ty}.const 1))\n"
        );
    }
    wast_passes(&script);
}

#[test]
fn load_feeding_br_if_to_the_same_place() {
    let mut script = unary_case(
        "i32",
        "(block (br_if 0 (i32.load (local.get 0)))) (i32.const 7)",
        0xfffd,
        0,
        "7",
    );
    script += &unary_case(
        "i32",
        "(block (result i32) (br_if 0 (i32.const 7) (i32.load8_u (local.get 0))))",
        0x10000,
        0,
        "7",
    );
    script += &unary_case(
        "i64",
        "(block (br_if 0 (i64.eqz (i64.load (local.get 0))))) (i64.const 7)",
        0xfff9,
        0,
        "7",
    );
    wast_passes(&script);
}

#[test]
fn load_feeding_if_with_equal_arms() {
    let mut script = unary_case(
        "i32",
        "(if (result i32) (i32.load (local.get 0)) (then (i32.const 7)) (else (i32.const 7)))",
        0xfffd,
        0,
        "7",
    );
    script += &unary_case(
        "i32",
        "(if (i32.wrap_i64 (i64.load (local.get 0))) (then)) (i32.const 7)",
        0xfff9,
        0,
        "7",
    );
    wast_passes(&script);
}

#[test]
fn dropped_loads() {
    let mut script = String::new();
    for (op, bytes) in [
        ("i32.load", 4),
        ("i64.load", 8),
        ("f32.load", 4),
        ("f64.load", 8),
        ("i32.load16_s", 2),
        ("i64.load32_u", 4),
    ] {
        script += &unary_case(
            "i32",
            &format!("(drop ({op} (local.get 0))) (i32.const 7)"),
            0x10000 - bytes + 1,
            0,
            "7",
        );
    }
    wast_passes(&script);
}

/// `load * 0`, `load & 0` and `load == load` fold to constants, leaving the load unused.
#[test]
fn instcombine_folds_of_the_loaded_value() {
    let mut script = String::new();
    for (ty, bytes) in [("i32", 4), ("i64", 8)] {
        let bad = 0x10000 - bytes + 1;
        let load = format!("({ty}.load (local.get 0))");
        let eq = format!("({ty}.eq {load} {load})");
        // `i64.eq` gives an i32: widen it to the function's result type.
        let eq = if ty == "i64" {
            format!("(i64.extend_i32_u {eq})")
        } else {
            eq
        };
        for (body, result) in [
            (format!("({ty}.mul {load} ({ty}.const 0))"), "0"),
            (format!("({ty}.and {load} ({ty}.const 0))"), "0"),
            (eq, "1"),
        ] {
            script += &unary_case(ty, &body, bad, 0, result);
        }
    }
    wast_passes(&script);
}

/// Narrow loads whose widened value is known to fit: the comparison folds to true, and
/// masking off the bits above the load's width (unsigned) folds to zero.
#[test]
fn narrow_loads_with_known_ranges() {
    let mut script = String::new();
    for (load, test, bytes) in [
        ("i32.load8_u", "(i32.lt_u {} (i32.const 256))", 1),
        ("i32.load8_s", "(i32.ge_s {} (i32.const -128))", 1),
        ("i32.load16_u", "(i32.lt_u {} (i32.const 65536))", 2),
        ("i32.load16_s", "(i32.le_s {} (i32.const 32767))", 2),
        ("i64.load8_u", "(i64.lt_u {} (i64.const 256))", 1),
        ("i64.load16_s", "(i64.ge_s {} (i64.const -32768))", 2),
        ("i64.load32_u", "(i64.lt_u {} (i64.const 0x100000000))", 4),
        ("i64.load32_s", "(i64.ge_s {} (i64.const -0x80000000))", 4),
    ] {
        let loaded = format!("({load} (local.get 0))");
        let bad = 0x10000 - bytes + 1;
        script += &unary_case("i32", &test.replace("{}", &loaded), bad, 0, "1");
        if load.ends_with("_u") {
            let ty = &load[..3];
            let high = -(1i64 << (bytes * 8));
            let masked = format!("({ty}.and {loaded} ({ty}.const {high}))");
            script += &unary_case(ty, &masked, bad, 0, "0");
        }
    }
    wast_passes(&script);
}

/// The trap must be the load's, not that of a later check the folded value feeds.
#[test]
fn folded_load_does_not_turn_into_a_later_trap() {
    wast_passes(&format!(
        "(module (memory 1)\n\
           (func (export \"f\") (param i32) (result i32)\n\
             (i32.div_u (i32.const 1) (i32.mul (i32.load (local.get 0)) (i32.const 0)))))\n\
         (assert_trap (invoke \"f\" (i32.const 0x10000)) {OOB})\n\
         (assert_trap (invoke \"f\" (i32.const 0)) \"integer divide by zero\")\n"
    ));
}

/// Memory after a trap: `read` is a plain load of the cell at 0.
const READ: &str = "(func (export \"read\") (result i32) (i32.load (i32.const 0)))";

#[test]
fn store_before_a_trapping_load_is_visible() {
    wast_passes(&format!(
        "(module (memory 1) {READ}\n\
           (func (export \"used\") (param i32) (result i32)\n\
             (i32.store (i32.const 0) (i32.const 42))\n\
             (i32.load offset=0x10000 (local.get 0)))\n\
           (func (export \"dropped\") (param i32)\n\
             (i32.store (i32.const 0) (i32.const 43))\n\
             (drop (i64.load offset=8 (local.get 0))))\n\
           (func (export \"overwritten\") (param i32) (result i32)\n\
             (i32.store (i32.const 0) (i32.const 44))\n\
             (i32.load offset=8 (local.get 0))\n\
             (i32.store (i32.const 0) (i32.const 45)))\n\
           (func (export \"folded\") (param i32) (result i32)\n\
             (i32.store (i32.const 0) (i32.const 46))\n\
             (i32.mul (i32.load offset=8 (local.get 0)) (i32.const 0))\n\
             (i32.store (i32.const 0) (i32.const 47))))\n\
         (assert_trap (invoke \"used\" (i32.const 0)) {OOB})\n\
         (assert_return (invoke \"read\") (i32.const 42))\n\
         (assert_trap (invoke \"dropped\" (i32.const 0xfff8)) {OOB})\n\
         (assert_return (invoke \"read\") (i32.const 43))\n\
         (assert_trap (invoke \"overwritten\" (i32.const 0xfff8)) {OOB})\n\
         (assert_return (invoke \"read\") (i32.const 44))\n\
         (assert_trap (invoke \"folded\" (i32.const 0xfff8)) {OOB})\n\
         (assert_return (invoke \"read\") (i32.const 46))\n"
    ));
}

/// A loop storing to one cell (which LICM would like to keep in a register and store once
/// at the exit) and loading further on each turn until a load traps, on turn 16. The cell is
/// in memory or a global; the load's value is summed or dropped.
#[test]
fn stores_in_a_loop_before_a_trap() {
    let mut script = format!(
        "(module (memory 1) {READ}\n\
           (global $g (mut i32) (i32.const 0))\n\
           (func (export \"g\") (result i32) (global.get $g))\n"
    );
    let mut asserts = String::new();
    for (cell, store, read) in [
        ("memory", "(i32.store (i32.const 0) (local.get $i))", "read"),
        ("global", "(global.set $g (local.get $i))", "g"),
    ] {
        for (kind, use_load) in [
            ("summed", "(local.set $sum (i32.add (local.get $sum) {}))"),
            ("dropped", "(drop {})"),
        ] {
            let load = "(i32.load offset=8 (i32.add (local.get 0) (i32.shl (local.get $i) (i32.const 12))))";
            let use_load = use_load.replace("{}", load);
            script += &format!(
                "(func (export \"{cell}_{kind}\") (param i32) (result i32) (local $i i32) (local $sum i32)\n\
                   (loop $l\n\
                     (local.set $i (i32.add (local.get $i) (i32.const 1)))\n\
                     {store}\n\
                     {use_load}\n\
                     (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))\n\
                   (local.get $sum))\n"
            );
            asserts += &format!(
                "(assert_trap (invoke \"{cell}_{kind}\" (i32.const 0)) {OOB})\n\
                 (assert_return (invoke \"{read}\") (i32.const 16))\n"
            );
        }
    }
    wast_passes(&(script + ")\n" + &asserts));
}

/// A store that faults after one that does not: the first is visible, even when the second
/// overwrites it (dead-store elimination) or covers it (a narrow store, then a wide one that
/// runs off the end).
#[test]
fn trapping_store_after_a_valid_store() {
    wast_passes(&format!(
        "(module (memory 1) {READ}\n\
           (func (export \"then_oob\") (param i32)\n\
             (i32.store (i32.const 0) (i32.const 42))\n\
             (i32.store offset=8 (local.get 0) (i32.const 1)))\n\
           (func (export \"overwritten\") (param i32)\n\
             (i32.store (i32.const 0) (i32.const 43))\n\
             (i64.store offset=8 (local.get 0) (i64.const 1))\n\
             (i32.store (i32.const 0) (i32.const 44)))\n\
           (func (export \"widened\") (param i32)\n\
             (i32.store8 (local.get 0) (i32.const 45))\n\
             (i32.store (local.get 0) (i32.const 0x01010101)))\n\
           (func (export \"read8\") (param i32) (result i32) (i32.load8_u (local.get 0))))\n\
         (assert_trap (invoke \"then_oob\" (i32.const 0xfff8)) {OOB})\n\
         (assert_return (invoke \"read\") (i32.const 42))\n\
         (assert_trap (invoke \"overwritten\" (i32.const 0xfff4)) {OOB})\n\
         (assert_return (invoke \"read\") (i32.const 43))\n\
         (assert_trap (invoke \"widened\" (i32.const 0xfffd)) {OOB})\n\
         (assert_return (invoke \"read8\" (i32.const 0xfffd)) (i32.const 45))\n"
    ));
}

/// Stores to globals and tables are ordered with a trapping access like stores to memory:
/// those before it are visible after the trap, those after it (and a store to memory after
/// it) are not.
#[test]
fn globals_and_tables_around_a_trap() {
    wast_passes(&format!(
        "(module (memory 1) {READ}\n\
           (global $before (mut i32) (i32.const 0))\n\
           (global $after (mut i32) (i32.const 0))\n\
           (table 2 funcref)\n\
           (func $t) (elem declare func $t)\n\
           (func (export \"before\") (result i32) (global.get $before))\n\
           (func (export \"after\") (result i32) (global.get $after))\n\
           (func (export \"slot_empty\") (param i32) (result i32)\n\
             (ref.is_null (table.get 0 (local.get 0))))\n\
           (func (export \"f\") (param i32)\n\
             (global.set $before (i32.const 42))\n\
             (table.set 0 (i32.const 0) (ref.func $t))\n\
             (drop (i32.load offset=8 (local.get 0)))\n\
             (i32.store (i32.const 0) (i32.const 42))\n\
             (global.set $after (i32.const 42))\n\
             (table.set 0 (i32.const 1) (ref.func $t))))\n\
         (assert_trap (invoke \"f\" (i32.const 0xfff8)) {OOB})\n\
         (assert_return (invoke \"read\") (i32.const 0))\n\
         (assert_return (invoke \"before\") (i32.const 42))\n\
         (assert_return (invoke \"after\") (i32.const 0))\n\
         (assert_return (invoke \"slot_empty\" (i32.const 0)) (i32.const 0))\n\
         (assert_return (invoke \"slot_empty\" (i32.const 1)) (i32.const 1))\n"
    ));
}

/// Loads at constant addresses: inside the declared minimum they cannot fault (and are left
/// to LLVM); at or past it they must trap however their value is used, and once the memory
/// has grown they must not.
#[test]
fn constant_addresses() {
    wast_passes(&format!(
        "(module (memory 1)\n\
           (func (export \"inside\") (result i32) (i32.load (i32.const 0xfffc)))\n\
           (func (export \"grow\") (result i32) (memory.grow (i32.const 1)))\n\
           (func (export \"dropped\") (drop (i32.load (i32.const 0xfffd))))\n\
           (func (export \"folded\") (result i64)\n\
             (i64.mul (i64.load offset=0xfff9 (i32.const 0)) (i64.const 0))))\n\
         (assert_return (invoke \"inside\") (i32.const 0))\n\
         (assert_trap (invoke \"dropped\") {OOB})\n\
         (assert_trap (invoke \"folded\") {OOB})\n\
         (assert_return (invoke \"grow\") (i32.const 1))\n\
         (assert_return (invoke \"dropped\"))\n\
         (assert_return (invoke \"folded\") (i64.const 0))\n"
    ));
}
