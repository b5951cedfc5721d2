//! Debug information for a native debugger (`-D debug-info=y`): the module's own DWARF (the
//! `.debug_*` custom sections `clang -g` writes, addressed relative to the code section)
//! turned into LLVM debug metadata for the generated code, so the object's DWARF describes
//! the guest's C functions, lines and locals in terms of the native code. The runtime then
//! registers the loaded objects with GDB's JIT interface (`runtime::gdbjit`).
//!
//! - every defined function that the DWARF describes gets a `DISubprogram` with the source
//!   function's name, file and line;
//! - every wasm instruction gets the `DILocation` of its row in the wasm line table;
//! - scalar variables and parameters at a fixed offset from the wasm frame base (what clang
//!   emits at `-O0`: `DW_OP_fbreg N`, with the frame base a wasm local, `DW_OP_WASM_location
//!   0 L`) are described through one extra stack slot per function holding the *native*
//!   address of the frame base (memory base + local L), rewritten at every `local.set` /
//!   `local.tee` of L. A variable's address is then `*slot + N`, an expression LLVM can
//!   carry (`DW_OP_deref, DW_OP_plus_uconst N`) and gdb can evaluate without knowing where
//!   linear memory is. The slot's stores are volatile so that optimisation keeps it.
//!
//! Not described: variables in location lists or wasm locals/globals/operand-stack slots
//! (what clang emits at `-O1` and above), and aggregate types (pointers show as 32-bit
//! unsigned integers: they are offsets in linear memory, not native pointers).
use super::env::Env;
use gimli::{EndianSlice, LittleEndian, SectionId};
use inkwell::debug_info::{
    AsDIScope, DICompileUnit, DIFlags, DIFlagsConstants, DIScope, DIType, DWARFEmissionKind,
    DWARFSourceLanguage, DebugInfoBuilder,
};
use inkwell::values::{FunctionValue, PointerValue};
use std::cell::RefCell;
use std::collections::HashMap;

type Reader<'a> = EndianSlice<'a, LittleEndian>;

/// `DW_OP_WASM_location` (an LLVM extension: 0 local, 1 global, 2 operand stack, 3 global
/// given as a fixed 4-byte index).
const DW_OP_WASM_LOCATION: u8 = 0xed;
const DW_OP_FBREG: u8 = 0x91;
// DIExpression operators (DWARF numbering).
const DW_OP_DEREF: i64 = 0x06;
const DW_OP_PLUS_UCONST: i64 = 0x23;
const DW_OP_CONSTU: i64 = 0x10;
const DW_OP_MINUS: i64 = 0x1c;

/// A scalar type, as far as the debugger needs it.
#[derive(Clone, Debug)]
struct Scalar {
    name: String,
    bytes: u64,
    encoding: u32,
}

/// A variable or parameter at a fixed offset from the frame base.
#[derive(Clone, Debug)]
struct Var {
    name: String,
    line: u32,
    /// The parameter's position (from 1), or None for a variable.
    arg_no: Option<u32>,
    fbreg: i64,
    ty: Scalar,
}

/// One source function of the wasm DWARF.
#[derive(Clone, Debug)]
struct SourceFunc {
    name: String,
    line: u32,
    /// The result type, when scalar (gdb's `finish` prints the value returned).
    ret: Option<Scalar>,
    /// The wasm local holding the frame base, if it is one.
    frame_local: Option<u32>,
    vars: Vec<Var>,
}

/// The module's DWARF, read for the compiler.
struct WasmDwarf<'m> {
    lines: addr2line::Context<Reader<'m>>,
    /// Source functions by their low pc (relative to the code section's payload).
    funcs: HashMap<u64, SourceFunc>,
    /// Addresses the line table marks `prologue_end`: where each function's body starts
    /// after its shadow-stack frame is set up.
    prologue_ends: std::collections::BTreeSet<u64>,
    code_start: u64,
}

fn read_dwarf(module: &crate::module::Module) -> Option<WasmDwarf<'_>> {
    let custom = |id: SectionId| -> &[u8] {
        module
            .custom_sections
            .iter()
            .find(|c| c.name == id.name())
            .and_then(|c| module.bytes.get(c.data.clone()))
            .unwrap_or(&[])
    };
    if custom(SectionId::DebugInfo).is_empty() {
        return None;
    }
    let load = |id| -> Result<Reader<'_>, ()> { Ok(EndianSlice::new(custom(id), LittleEndian)) };
    let dwarf = gimli::Dwarf::load(load).ok()?;
    let funcs = source_functions(&dwarf).unwrap_or_default();
    let prologue_ends = prologue_ends(&dwarf).unwrap_or_default();
    let lines = addr2line::Context::from_dwarf(gimli::Dwarf::load(load).ok()?).ok()?;
    let code_start = module
        .sections
        .iter()
        .find(|s| s.id == 10)
        .map_or(0, |s| s.range.start as u64);
    Some(WasmDwarf {
        lines,
        funcs,
        prologue_ends,
        code_start,
    })
}

fn prologue_ends(
    dwarf: &gimli::Dwarf<Reader<'_>>,
) -> gimli::Result<std::collections::BTreeSet<u64>> {
    let mut out = std::collections::BTreeSet::new();
    let mut units = dwarf.units();
    while let Some(header) = units.next()? {
        let unit = dwarf.unit(header)?;
        let Some(program) = unit.line_program.clone() else {
            continue;
        };
        let mut rows = program.rows();
        while let Some((_, row)) = rows.next_row()? {
            if row.prologue_end() {
                out.insert(row.address());
            }
        }
    }
    Ok(out)
}

/// Every subprogram with code, with its frame base and its `DW_OP_fbreg` scalars (nested
/// lexical blocks flattened into the function: a debugger still finds them by name).
fn source_functions(dwarf: &gimli::Dwarf<Reader<'_>>) -> gimli::Result<HashMap<u64, SourceFunc>> {
    let mut out = HashMap::new();
    let mut units = dwarf.units();
    while let Some(header) = units.next()? {
        let unit = dwarf.unit(header)?;
        let mut tree = unit.entries_tree(None)?;
        let root = tree.root()?;
        let mut children = root.children();
        while let Some(child) = children.next()? {
            collect_subprograms(dwarf, &unit, child, &mut out)?;
        }
    }
    Ok(out)
}

fn collect_subprograms(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    node: gimli::EntriesTreeNode<'_, '_, '_, Reader<'_>>,
    out: &mut HashMap<u64, SourceFunc>,
) -> gimli::Result<()> {
    let entry = node.entry().clone();
    if entry.tag() == gimli::DW_TAG_subprogram {
        if let Some(gimli::AttributeValue::Addr(low)) = entry.attr_value(gimli::DW_AT_low_pc)? {
            let name = string_attr(dwarf, unit, &entry, gimli::DW_AT_name).unwrap_or_default();
            let line = decl_line(&entry);
            let frame_local = match entry.attr_value(gimli::DW_AT_frame_base)? {
                Some(gimli::AttributeValue::Exprloc(e)) => wasm_local(e.0.slice()),
                _ => None,
            };
            let ret = match entry.attr_value(gimli::DW_AT_type)? {
                Some(gimli::AttributeValue::UnitRef(r)) => scalar(dwarf, unit, r, 0),
                _ => None,
            };
            let mut vars = Vec::new();
            let mut arg_no = 0;
            collect_vars(dwarf, unit, node, &mut vars, &mut arg_no)?;
            out.insert(
                low,
                SourceFunc {
                    name,
                    line,
                    ret,
                    frame_local,
                    vars,
                },
            );
        }
        return Ok(());
    }
    // Subprograms can sit inside namespaces and the like (C++).
    let mut children = node.children();
    while let Some(child) = children.next()? {
        collect_subprograms(dwarf, unit, child, out)?;
    }
    Ok(())
}

fn collect_vars(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    node: gimli::EntriesTreeNode<'_, '_, '_, Reader<'_>>,
    vars: &mut Vec<Var>,
    arg_no: &mut u32,
) -> gimli::Result<()> {
    let mut children = node.children();
    while let Some(child) = children.next()? {
        let entry = child.entry().clone();
        match entry.tag() {
            gimli::DW_TAG_formal_parameter | gimli::DW_TAG_variable => {
                let param = entry.tag() == gimli::DW_TAG_formal_parameter;
                if param {
                    *arg_no += 1;
                }
                let fbreg = match entry.attr_value(gimli::DW_AT_location)? {
                    Some(gimli::AttributeValue::Exprloc(e)) => fbreg_offset(e.0.slice()),
                    _ => None,
                };
                let ty = match entry.attr_value(gimli::DW_AT_type)? {
                    Some(gimli::AttributeValue::UnitRef(r)) => scalar(dwarf, unit, r, 0),
                    _ => None,
                };
                let name = string_attr(dwarf, unit, &entry, gimli::DW_AT_name);
                if let (Some(fbreg), Some(ty), Some(name)) = (fbreg, ty, name) {
                    let line = decl_line(&entry);
                    vars.push(Var {
                        name,
                        line,
                        arg_no: param.then_some(*arg_no),
                        fbreg,
                        ty,
                    });
                }
            }
            gimli::DW_TAG_lexical_block => collect_vars(dwarf, unit, child, vars, arg_no)?,
            _ => {}
        }
    }
    Ok(())
}

/// `DW_AT_decl_line` in whichever constant form it comes (0: unknown).
fn decl_line(entry: &gimli::DebuggingInformationEntry<'_, '_, Reader<'_>>) -> u32 {
    entry
        .attr_value(gimli::DW_AT_decl_line)
        .ok()
        .flatten()
        .and_then(|v| v.udata_value())
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

fn string_attr(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    entry: &gimli::DebuggingInformationEntry<'_, '_, Reader<'_>>,
    at: gimli::DwAt,
) -> Option<String> {
    let value = entry.attr_value(at).ok()??;
    let s = dwarf.attr_string(unit, value).ok()?;
    Some(s.to_string_lossy().into_owned())
}

/// The scalar type at `offset`, through typedefs and qualifiers; pointers are 32-bit
/// unsigned (linear-memory offsets). `depth` stops cycles in malformed input.
fn scalar(
    dwarf: &gimli::Dwarf<Reader<'_>>,
    unit: &gimli::Unit<Reader<'_>>,
    offset: gimli::UnitOffset,
    depth: u32,
) -> Option<Scalar> {
    if depth > 16 {
        return None;
    }
    let entry = unit.entry(offset).ok()?;
    let next = || match entry.attr_value(gimli::DW_AT_type).ok()? {
        Some(gimli::AttributeValue::UnitRef(r)) => scalar(dwarf, unit, r, depth + 1),
        _ => None,
    };
    match entry.tag() {
        gimli::DW_TAG_base_type => {
            let name = string_attr(dwarf, unit, &entry, gimli::DW_AT_name)?;
            let bytes = entry
                .attr_value(gimli::DW_AT_byte_size)
                .ok()??
                .udata_value()?;
            let encoding = match entry.attr_value(gimli::DW_AT_encoding).ok()?? {
                gimli::AttributeValue::Encoding(e) => e.0 as u32,
                other => other.udata_value()? as u32,
            };
            Some(Scalar {
                name,
                bytes,
                encoding,
            })
        }
        gimli::DW_TAG_typedef => {
            // Keep the typedef's name: it is what the program calls the type.
            let inner = next()?;
            let name = string_attr(dwarf, unit, &entry, gimli::DW_AT_name).unwrap_or(inner.name);
            Some(Scalar { name, ..inner })
        }
        gimli::DW_TAG_const_type | gimli::DW_TAG_volatile_type => next(),
        gimli::DW_TAG_pointer_type => Some(Scalar {
            name: "wasm_ptr".to_string(),
            bytes: 4,
            encoding: gimli::DW_ATE_unsigned.0 as u32,
        }),
        gimli::DW_TAG_enumeration_type => Some(Scalar {
            name: string_attr(dwarf, unit, &entry, gimli::DW_AT_name)
                .unwrap_or_else(|| "enum".to_string()),
            bytes: entry
                .attr_value(gimli::DW_AT_byte_size)
                .ok()??
                .udata_value()?,
            encoding: gimli::DW_ATE_signed.0 as u32,
        }),
        _ => None,
    }
}

/// `DW_OP_WASM_location 0 L [DW_OP_stack_value]`: wasm local L.
fn wasm_local(expr: &[u8]) -> Option<u32> {
    let (&op, rest) = expr.split_first()?;
    let (&kind, rest) = rest.split_first()?;
    if op != DW_OP_WASM_LOCATION || kind != 0 {
        return None;
    }
    let mut r = EndianSlice::new(rest, LittleEndian);
    gimli::Reader::read_uleb128(&mut r).ok().map(|n| n as u32)
}

/// `DW_OP_fbreg N` alone: the offset N.
fn fbreg_offset(expr: &[u8]) -> Option<i64> {
    let (&op, rest) = expr.split_first()?;
    if op != DW_OP_FBREG {
        return None;
    }
    let mut r = EndianSlice::new(rest, LittleEndian);
    let n = gimli::Reader::read_sleb128(&mut r).ok()?;
    gimli::Reader::is_empty(&r).then_some(n)
}

/// The debug-info builder of one partition's LLVM module.
pub(crate) struct DebugInfo<'ctx, 'm> {
    dib: DebugInfoBuilder<'ctx>,
    unit: DICompileUnit<'ctx>,
    dwarf: Option<WasmDwarf<'m>>,
    files: RefCell<HashMap<String, inkwell::debug_info::DIFile<'ctx>>>,
}

/// A function's debug scope and what its locals need.
#[derive(Clone, Copy)]
pub(crate) struct FuncScope<'ctx> {
    scope: DIScope<'ctx>,
    /// The module offset where the source function's body starts (after its prologue).
    body: u32,
    /// The wasm local holding the frame base (None: no variables are described).
    pub frame_local: Option<u32>,
}

impl<'ctx, 'm> DebugInfo<'ctx, 'm> {
    pub fn new(
        env_mod: &inkwell::module::Module<'ctx>,
        ctx: &'ctx inkwell::context::Context,
        module: &'m crate::module::Module,
    ) -> Self {
        super::addrmap::set_dwarf_flags(env_mod, ctx);
        let dwarf = read_dwarf(module);
        // The unit is named after the module's first source file, as a native build's is.
        let (unit_file, unit_dir) = dwarf
            .as_ref()
            .and_then(|d| {
                let low = d.funcs.keys().min()?;
                let loc = d.lines.find_location(*low).ok()??;
                Some(split_path(loc.file?))
            })
            .unwrap_or(("wasm".to_string(), String::new()));
        let (dib, unit) = env_mod.create_debug_info_builder(
            true,
            DWARFSourceLanguage::C,
            &unit_file,
            &unit_dir,
            "rt",
            // Not "optimised": gdb then trusts the variables' locations.
            false,
            "",
            0,
            "",
            DWARFEmissionKind::Full,
            0,
            false,
            false,
            "",
            "",
        );
        DebugInfo {
            dib,
            unit,
            dwarf,
            files: RefCell::new(HashMap::new()),
        }
    }

    fn file(&self, path: &str) -> inkwell::debug_info::DIFile<'ctx> {
        *self
            .files
            .borrow_mut()
            .entry(path.to_string())
            .or_insert_with(|| {
                let (name, dir) = split_path(path);
                self.dib.create_file(&name, &dir)
            })
    }

    /// The DWARF's source location of module offset `offset`.
    fn location(&self, offset: u32) -> Option<(String, u32, u32)> {
        let d = self.dwarf.as_ref()?;
        let addr = (offset as u64).checked_sub(d.code_start)?;
        let loc = d.lines.find_location(addr).ok()??;
        Some((loc.file?.to_string(), loc.line?, loc.column.unwrap_or(0)))
    }

    /// Give `func` its subprogram when the DWARF describes the function whose body starts at
    /// module offset `body_start` (None: the function gets no debug information).
    pub fn function(&self, func: FunctionValue<'ctx>, body_start: u32) -> Option<FuncScope<'ctx>> {
        let d = self.dwarf.as_ref()?;
        let low = (body_start as u64).checked_sub(d.code_start)?;
        let source = d.funcs.get(&low)?;
        let (path, _, _) = self.location(body_start)?;
        let file = self.file(&path);
        let ret = source.ret.as_ref().and_then(|t| self.basic_type(t));
        let ty = self
            .dib
            .create_subroutine_type(file, ret, &[], DIFlags::ZERO);
        let sp = self.dib.create_function(
            self.unit.as_debug_info_scope(),
            &source.name,
            // No linkage name: gdb would index a C function under it instead of its name.
            None,
            file,
            source.line,
            ty,
            false,
            true,
            source.line,
            DIFlags::PROTOTYPED,
            false,
        );
        func.set_subprogram(sp);
        // The first prologue_end inside the function (none: the body is the whole function).
        let high = d.funcs.keys().filter(|&&k| k > low).min().copied();
        let body = d
            .prologue_ends
            .range(low..high.unwrap_or(u64::MAX))
            .next()
            .and_then(|&a| u32::try_from(a.checked_add(d.code_start)?).ok())
            .unwrap_or(body_start);
        Some(FuncScope {
            scope: sp.as_debug_info_scope(),
            body,
            frame_local: source.frame_local.filter(|_| !source.vars.is_empty()),
        })
    }

    /// Tag everything built from here on with the source position of module offset `offset`
    /// (line 0, "no source", where the line table has none). rt's own prologue and the
    /// wasm code that sets up the shadow-stack frame get line 0 too: LLVM then marks the
    /// first instruction of the source body `prologue_end`, which is where gdb puts a
    /// breakpoint on the function, and where its variables can be read.
    pub fn at(&self, env: &Env<'ctx, '_>, f: FuncScope<'ctx>, offset: u32) {
        let (line, column) = if offset < f.body {
            (0, 0)
        } else {
            self.location(offset).map_or((0, 0), |l| (l.1, l.2))
        };
        let loc = self
            .dib
            .create_debug_location(env.ctx, line, column, f.scope, None);
        env.b.set_current_debug_location(loc);
    }

    /// Describe the variables of the function whose body starts at `body_start` as living at
    /// `*frame_slot + offset` (see the module comment), declared in `block`.
    pub fn declare_vars(
        &self,
        env: &Env<'ctx, '_>,
        f: FuncScope<'ctx>,
        body_start: u32,
        frame_slot: PointerValue<'ctx>,
        block: inkwell::basic_block::BasicBlock<'ctx>,
    ) {
        let Some(d) = self.dwarf.as_ref() else { return };
        let Some(source) = (body_start as u64)
            .checked_sub(d.code_start)
            .and_then(|low| d.funcs.get(&low))
        else {
            return;
        };
        let Some((path, _, _)) = self.location(body_start) else {
            return;
        };
        let file = self.file(&path);
        for var in &source.vars {
            let Some(ty) = self.basic_type(&var.ty) else {
                continue;
            };
            let info = match var.arg_no {
                Some(n) => self.dib.create_parameter_variable(
                    f.scope,
                    &var.name,
                    n,
                    file,
                    var.line,
                    ty,
                    true,
                    DIFlags::ZERO,
                ),
                None => self.dib.create_auto_variable(
                    f.scope,
                    &var.name,
                    file,
                    var.line,
                    ty,
                    true,
                    DIFlags::ZERO,
                    0,
                ),
            };
            let mut ops = vec![DW_OP_DEREF];
            if var.fbreg >= 0 {
                ops.extend([DW_OP_PLUS_UCONST, var.fbreg]);
            } else {
                ops.extend([DW_OP_CONSTU, var.fbreg.unsigned_abs() as i64, DW_OP_MINUS]);
            }
            let expr = self.dib.create_expression(ops);
            let loc = self
                .dib
                .create_debug_location(env.ctx, source.line, 0, f.scope, None);
            self.dib
                .insert_declare_at_end(frame_slot, Some(info), Some(expr), loc, block);
        }
    }

    /// The LLVM type of a scalar. Sizes come from the module: a nonsensical one is skipped,
    /// not multiplied.
    fn basic_type(&self, t: &Scalar) -> Option<DIType<'ctx>> {
        let bits = t.bytes.checked_mul(8).filter(|&b| b > 0 && b <= 128)?;
        let ty = self
            .dib
            .create_basic_type(&t.name, bits, t.encoding, DIFlags::ZERO)
            .ok()?;
        Some(ty.as_type())
    }

    /// Resolve the metadata (before the module is verified).
    pub fn finish(&self) {
        self.dib.finalize();
    }
}

/// `dir/name` as (name, dir).
fn split_path(path: &str) -> (String, String) {
    match path.rsplit_once('/') {
        Some((dir, name)) => (name.to_string(), dir.to_string()),
        None => (path.to_string(), String::new()),
    }
}
