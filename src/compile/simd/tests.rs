//! Machine-code tests (issue 10): a few SIMD operators compile to their x86 vector
//! instruction, not to a scalarised sequence or loop. The module is compiled to its ELF object
//! as the embedding API does, and the object disassembled with objdump (binutils, or LLVM 19's
//! llvm-objdump). AVX and SSE spellings are both accepted (`vpaddd` or `paddd`).
use crate::compile::{compile_objects, CodegenSettings};
use crate::module::Module;
use crate::runtime::vm::func_symbol;
use std::collections::HashMap;
use std::process::Command;

/// Each operator, applied to the two v128 parameters, and the instructions (SSE spelling)
/// of which at least one must appear in its function.
const OPERATORS: &[(&str, &[&str])] = &[
    ("i32x4.add", &["paddd"]),
    // The low halves interleaved byte by byte: punpcklbw's own mask.
    (
        "i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23",
        &["punpcklbw", "pshufb"],
    ),
    ("i8x16.swizzle", &["pshufb"]),
    ("f32x4.mul", &["mulps"]),
    ("i16x8.add_sat_s", &["paddsw"]),
];

/// At most this many instructions per function (frame, stack check and its trap call
/// included, padding nops not): the operator itself must be a few instructions, where a
/// scalarised one would move lanes one by one.
const MAX_INSTRUCTIONS: usize = 20;

/// One disassembled instruction: its address, mnemonic and operands.
struct Insn {
    addr: u64,
    mnemonic: String,
    operands: String,
}

fn objdump() -> String {
    let works = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    [
        "objdump",
        "/usr/lib/llvm-19/bin/llvm-objdump",
        "llvm-objdump-19",
    ]
    .into_iter()
    .find(|t| works(t))
    .expect("no objdump: binutils or llvm-19 (`make setup`) provides one")
    .to_string()
}

/// Disassemble an ELF object into its functions' instructions, by symbol.
fn disassemble(object: &[u8]) -> HashMap<String, Vec<Insn>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("simd.o");
    std::fs::write(&path, object).expect("write object");
    let tool = objdump();
    let out = Command::new(&tool)
        .args(["-d", "--no-show-raw-insn"])
        .arg(&path)
        .output()
        .expect("spawn objdump");
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("objdump prints UTF-8");
    let mut funcs: HashMap<String, Vec<Insn>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        // A symbol header: `0000000000000020 <wasm_f1>:`.
        if let Some(name) = line
            .strip_suffix(">:")
            .and_then(|l| l.split_once(" <"))
            .map(|(_, name)| name.to_string())
        {
            funcs.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        // An instruction: `  2d:\tvpunpcklbw %xmm1,%xmm0,%xmm0` (binutils) or
        // `      2d: \tvpunpcklbw\t%xmm1, %xmm0, %xmm0` (llvm-objdump).
        let (Some(name), Some((addr, rest))) = (&current, line.split_once(':')) else {
            continue;
        };
        let Ok(addr) = u64::from_str_radix(addr.trim(), 16) else {
            continue;
        };
        let mut parts = rest.trim().splitn(2, char::is_whitespace);
        let mnemonic = parts.next().unwrap_or("").to_string();
        if mnemonic.is_empty() {
            continue;
        }
        let operands = parts.next().unwrap_or("").trim().to_string();
        funcs.get_mut(name).unwrap().push(Insn {
            addr,
            mnemonic,
            operands,
        });
    }
    funcs
}

/// The target of a direct jump (`ja 13 <wasm_f0+0x13>` or `ja 0x13 <wasm_f0+0x13>`).
fn jump_target(insn: &Insn) -> Option<u64> {
    let is_jump = insn.mnemonic.starts_with('j') || insn.mnemonic.starts_with("loop");
    let target = insn.operands.split_whitespace().next()?;
    let target = target.strip_prefix("0x").unwrap_or(target);
    is_jump.then(|| u64::from_str_radix(target, 16).ok())?
}

/// Alignment padding between functions: nops of every length (`nopw`, `cs nopw`,
/// `data16 ...`, `xchg %ax,%ax`) and int3.
fn is_padding(insn: &Insn) -> bool {
    let whole = format!("{} {}", insn.mnemonic, insn.operands).replace(' ', "");
    whole.contains("nop")
        || whole.starts_with("int3")
        || whole.starts_with("xchg%ax,%ax")
        || whole.starts_with("xchgw%ax,%ax")
}

#[test]
fn simd_operators_are_vector_instructions() {
    let mut wat = String::from("(module\n");
    for (op, _) in OPERATORS {
        wat.push_str(&format!(
            "  (func (param v128 v128) (result v128) ({op} (local.get 0) (local.get 1)))\n"
        ));
    }
    wat.push(')');
    let bytes = wat::parse_str(&wat).expect("valid wat");
    let module = Module::parse_validated(bytes, crate::features::implemented()).expect("valid");
    let objects = compile_objects(&module, &CodegenSettings::default()).expect("compiles");
    let mut funcs = HashMap::new();
    for object in &objects {
        funcs.extend(disassemble(object));
    }

    let mut failures = Vec::new();
    for (index, (op, wanted)) in OPERATORS.iter().enumerate() {
        let symbol = func_symbol(module.num_imported_funcs + index as u32);
        let Some(insns) = funcs.get(&symbol) else {
            failures.push(format!("{op}: no {symbol} in the object"));
            continue;
        };
        let listing = insns
            .iter()
            .map(|i| format!("  {:x}: {} {}", i.addr, i.mnemonic, i.operands))
            .collect::<Vec<_>>()
            .join("\n");
        let has = |want: &str| {
            insns
                .iter()
                .any(|i| i.mnemonic == want || i.mnemonic.strip_prefix('v') == Some(want))
        };
        if !wanted.iter().any(|w| has(w)) {
            failures.push(format!("{op}: none of {wanted:?} in\n{listing}"));
        }
        if let Some(back) = insns
            .iter()
            .find(|i| jump_target(i).is_some_and(|t| t <= i.addr))
        {
            failures.push(format!(
                "{op}: backward jump at {:x} (a scalarised loop?) in\n{listing}",
                back.addr
            ));
        }
        let lane_moves = ["pextr", "pinsr"];
        if let Some(lane) = insns.iter().find(|i| {
            let m = i.mnemonic.strip_prefix('v').unwrap_or(&i.mnemonic);
            lane_moves.iter().any(|l| m.starts_with(l))
        }) {
            failures.push(format!(
                "{op}: lane-by-lane {} (scalarised?) in\n{listing}",
                lane.mnemonic
            ));
        }
        let count = insns.iter().filter(|i| !is_padding(i)).count();
        if count > MAX_INSTRUCTIONS {
            failures.push(format!(
                "{op}: {count} instructions, more than {MAX_INSTRUCTIONS}, in\n{listing}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn jump_targets_in_both_spellings() {
    let insn = |addr, mnemonic: &str, operands: &str| Insn {
        addr,
        mnemonic: mnemonic.into(),
        operands: operands.into(),
    };
    // binutils, then llvm-objdump.
    assert_eq!(
        jump_target(&insn(0xb, "ja", "13 <wasm_f0+0x13>")),
        Some(0x13)
    );
    assert_eq!(
        jump_target(&insn(0x2b, "jne", "0x20 <wasm_f1>")),
        Some(0x20)
    );
    assert_eq!(jump_target(&insn(0x1c, "call", "*(%rax)")), None);
    assert_eq!(jump_target(&insn(0x1c, "jmp", "*%rax")), None);
}
