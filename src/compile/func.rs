//! One function's translation: its frame (locals in allocas that mem2reg promotes), the value
//! stack, the control stack, and the operator dispatch. Operator families live in sibling
//! files as further `impl FuncTx` blocks.
use super::env::{llvm_err, Env, Heap, Res};
use crate::runtime::vm::helpers::Helper;
use crate::runtime::vm::{helper, offset};
use inkwell::basic_block::BasicBlock;
use inkwell::types::BasicTypeEnum;
use inkwell::values::BasicValue;

use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, FunctionValue, IntValue, PhiValue, PointerValue,
};
use inkwell::IntPredicate;
use std::collections::HashMap;
use wasmparser::{Operator, ValType};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameKind<'ctx> {
    Block,
    Loop,
    If {
        else_block: BasicBlock<'ctx>,
        has_else: bool,
    },
    /// A `try_table`: calls in its body unwind to `landing` (made by the first of them),
    /// and throws in it store the exception in `exn` and branch to `dispatch`, its catch
    /// clauses (see `exn.rs`).
    TryTable {
        dispatch: BasicBlock<'ctx>,
        exn: PointerValue<'ctx>,
        landing: Option<BasicBlock<'ctx>>,
    },
    Function,
}

pub(crate) struct Frame<'ctx> {
    pub kind: FrameKind<'ctx>,
    /// Where the construct continues after `end`; its phis receive the results.
    pub next: BasicBlock<'ctx>,
    pub end_phis: Vec<PhiValue<'ctx>>,
    /// For loops, the header and its parameter phis (what `br` to a loop targets).
    pub header: Option<(BasicBlock<'ctx>, Vec<PhiValue<'ctx>>)>,
    /// Value-stack height below the construct's parameters.
    pub height: usize,
    /// An `if`'s parameters, restored for its `else` arm.
    pub params: Vec<BasicValueEnum<'ctx>>,
    pub next_reachable: bool,
}

/// What a trap block raises.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TrapCause {
    /// This trap code.
    Code(i32),
    /// Whichever run-time limit stopped a check that serves both fuel and interruption
    /// (see `limits.rs`).
    FuelOrInterrupt,
    /// The prologue's stack check in interruptible code, which an interrupt makes fail
    /// (see `limits.rs`): the interrupt, or else stack overflow.
    StackOrInterrupt,
}

pub(crate) struct FuncTx<'a, 'ctx, 'm> {
    pub env: &'a Env<'ctx, 'm>,
    pub func: FunctionValue<'ctx>,
    pub vmctx: PointerValue<'ctx>,
    pub locals: Vec<(PointerValue<'ctx>, BasicTypeEnum<'ctx>)>,
    pub stack: Vec<BasicValueEnum<'ctx>>,
    pub frames: Vec<Frame<'ctx>>,
    pub reachable: bool,
    /// Nesting depth of blocks opened inside unreachable code (skipped entirely).
    pub dead_depth: u32,
    trap_blocks: HashMap<TrapCause, BasicBlock<'ctx>>,
    /// Every memory's base by memory index, loaded once in the entry block (a memory never
    /// moves; a base no access uses is deleted by LLVM as a dead invariant load).
    pub mem_bases: Vec<PointerValue<'ctx>>,
    /// Where this function's results go when its signature returns them in memory (the
    /// buffer its caller passed; see `Env::results_in_memory`).
    pub results_buf: Option<PointerValue<'ctx>>,
    /// Fuel units of straight-line code not yet subtracted from the count (see `limits.rs`).
    pub fuel_pending: u64,
    /// With fuel: the function's local count (an alloca mem2reg promotes; see `limits.rs`).
    pub fuel_var: Option<PointerValue<'ctx>>,
    /// With limits, by loop (the order of the `loop` operators): whether a call at the top of
    /// its body checks for it, so the header does not (`limits::loops_checked_by_a_call`).
    pub loops_checked_by_a_call: Vec<bool>,
    /// How many `loop` operators the translation has passed.
    pub loops_seen: usize,
    /// With debug info: the wasm local holding the frame base and the slot keeping its
    /// native address for the debugger (see `debuginfo`).
    pub dbg_frame: Option<(u32, PointerValue<'ctx>)>,
}

/// Translate defined function `index` into its (already declared) LLVM function.
pub(crate) fn translate_function(env: &Env<'_, '_>, index: u32) -> Res<()> {
    let wasm = env.wasm;
    let code = wasm.code_of(index).ok_or("no code for function")?;
    let ty = wasm.func_type(index).clone();
    let func = env.func(index)?.ok_or("not a defined function")?;
    let b = &env.b;
    let entry = env.ctx.append_basic_block(func, "entry");
    b.position_at_end(entry);
    // With an address map the frame setup and prologue belong to the body's first byte.
    let scope = env.lines.as_ref().map(|lines| {
        let name = wasm
            .func_name(index)
            .map_or_else(|| format!("func[{index}]"), str::to_string);
        let start = code.body.start as u32;
        let scope = lines.function(func, &name, start);
        lines.at(env, scope, start);
        scope
    });
    let debug = env.debug.as_ref().and_then(|debug| {
        let f = debug.function(func, code.body.start as u32)?;
        // Kept out of line: a breakpoint on an inlined copy would stop before the copy's
        // shadow-stack frame exists (gdb does not skip an inlined body's prologue), showing
        // the previous call's variables.
        let noinline = inkwell::attributes::Attribute::get_named_enum_kind_id("noinline");
        func.add_attribute(
            inkwell::attributes::AttributeLoc::Function,
            env.ctx.create_enum_attribute(noinline, 0),
        );
        debug.at(env, f, code.body.start as u32);
        Some((debug, f))
    });
    let vmctx = func
        .get_nth_param(0)
        .ok_or("no vmctx")?
        .into_pointer_value();
    let mut tx = FuncTx {
        env,
        func,
        vmctx,
        locals: Vec::new(),
        stack: Vec::new(),
        frames: Vec::new(),
        reachable: true,
        dead_depth: 0,
        trap_blocks: HashMap::new(),
        mem_bases: Vec::new(),
        fuel_pending: 0,
        fuel_var: None,
        loops_checked_by_a_call: Vec::new(),
        loops_seen: 0,
        results_buf: None,
        dbg_frame: None,
    };
    if env.results_in_memory(ty.results()) {
        let buffer = func.get_nth_param(2).ok_or("no results buffer")?;
        tx.results_buf = Some(buffer.into_pointer_value());
    }
    for (p, v) in ty.params().iter().zip(env.wasm_params(func, &ty)?) {
        let t = env.val_type(*p)?;
        let slot = b.build_alloca(t, "param").map_err(llvm_err)?;
        b.build_store(slot, v).map_err(llvm_err)?;
        tx.locals.push((slot, t));
    }
    for (count, vt) in &code.locals {
        let t = env.val_type(*vt)?;
        for _ in 0..*count {
            let slot = b.build_alloca(t, "local").map_err(llvm_err)?;
            b.build_store(slot, t.const_zero()).map_err(llvm_err)?;
            tx.locals.push((slot, t));
        }
    }
    tx.prologue()?;
    if env.settings.consume_fuel || env.settings.interruptible {
        tx.loops_checked_by_a_call =
            super::limits::loops_checked_by_a_call(wasm.operators(code), wasm.num_imported_funcs)?;
    }
    if let Some((debug, f)) = debug {
        if let (Some(local), Some(_)) = (f.frame_local, tx.mem_bases.first()) {
            if (local as usize) < tx.locals.len() {
                // An array, not a scalar: InstCombine would otherwise turn the variables'
                // declarations into values at the slot's stores, valid only while a copy of
                // the address happens to stay in a register or spill slot.
                // In the entry block, so a static slot that code generation describes by
                // its frame offset for the whole function.
                let slot = tx.entry_alloca(env.ptr().array_type(1).into(), "dbg_frame")?;
                b.build_store(slot, env.ptr().const_null())
                    .map_err(llvm_err)?
                    .set_volatile(true)
                    .map_err(|e| e.to_string())?;
                tx.dbg_frame = Some((local, slot));
                tx.update_dbg_frame(local)?;
                let block = b.get_insert_block().ok_or("no block")?;
                debug.declare_vars(env, f, code.body.start as u32, slot, block);
            }
        }
    }
    let ret = env.ctx.append_basic_block(func, "return");
    let results = ty.results().to_vec();
    tx.push_frame(FrameKind::Function, ret, &results, 0, None)?;
    let mut reader = wasm.operators(code);
    while !reader.eof() {
        if let (Some(lines), Some(scope)) = (&env.lines, scope) {
            lines.at(env, scope, reader.original_position() as u32);
        }
        if let Some((debug, f)) = debug {
            debug.at(env, f, reader.original_position() as u32);
        }
        let op = reader.read().map_err(|e| format!("bad operator: {e}"))?;
        tx.operator(op)?;
    }
    Ok(())
}

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    /// With debug info, after wasm local `local` changed: if it is the frame base, keep its
    /// native address (memory 0's base + the local) where the debugger looks for it.
    fn update_dbg_frame(&mut self, local: u32) -> Res<()> {
        let Some((frame_local, slot)) = self.dbg_frame else {
            return Ok(());
        };
        if local != frame_local {
            return Ok(());
        }
        let env = self.env;
        let (p, t) = self.local(local);
        if !t.is_int_type() {
            return Ok(());
        }
        let v = env.b.build_load(t, p, "fb").map_err(llvm_err)?;
        let wide = env
            .b
            .build_int_z_extend_or_bit_cast(v.into_int_value(), env.i64(), "fbw")
            .map_err(llvm_err)?;
        // SAFETY (LLVM): only an address for the debugger; never dereferenced here.
        let native = unsafe { env.b.build_gep(env.i8(), self.mem_bases[0], &[wide], "fbn") }
            .map_err(llvm_err)?;
        env.b
            .build_store(slot, native)
            .map_err(llvm_err)?
            .set_volatile(true)
            .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Stack-limit check (deep recursion traps cleanly; in interruptible code an interrupt
    /// stops it too, see `limits.rs`), the fuel count's load and entry check, and the memory
    /// base loads.
    fn prologue(&mut self) -> Res<()> {
        let env = self.env;
        self.fuel_entry_load()?;
        let limit_ptr = env.load_field(self.vmctx, offset::STACK_LIMIT, env.ptr().into())?;
        let limit = env
            .b
            .build_load(env.i64(), limit_ptr.into_pointer_value(), "limit")
            .map_err(llvm_err)?;
        // Interrupting threads write the limit: an atomic load, which LLVM never hoists.
        if env.settings.interruptible {
            let inst = limit.as_instruction_value().ok_or("load")?;
            inst.set_alignment(8).map_err(|e| e.to_string())?;
            inst.set_atomic_ordering(inkwell::AtomicOrdering::Monotonic)
                .map_err(|e| e.to_string())?;
        }
        let limit = limit.into_int_value();
        let fa = env.intrinsic("llvm.frameaddress", &[env.ptr().into()]);
        let fp = env
            .b
            .build_call(fa, &[env.i32().const_zero().into()], "fp")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("frameaddress")?
            .into_pointer_value();
        let fp = env
            .b
            .build_ptr_to_int(fp, env.i64(), "fpi")
            .map_err(llvm_err)?;
        let low = env
            .b
            .build_int_compare(IntPredicate::ULT, fp, limit, "deep")
            .map_err(llvm_err)?;
        let cause = match env.settings.interruptible {
            true => TrapCause::StackOrInterrupt,
            false => TrapCause::Code(crate::runtime::vm::trap_code::STACK),
        };
        self.trap_if_cause(low, cause)?;
        self.entry_fuel_check()?;
        for mem in 0..env.wasm.memories.len() as u32 {
            let base = if mem == 0 {
                env.load_field(self.vmctx, offset::MEM_BASE, env.ptr().into())?
            } else {
                let md = self.memory_data(mem)?;
                env.load_field(md, offset::MEM_DATA_BASE, env.ptr().into())?
            };
            self.mem_bases.push(base.into_pointer_value());
        }
        Ok(())
    }

    /// A stack slot of type `ty` allocated in the entry block, so once per frame rather than
    /// per loop iteration (results buffers, thrown payloads), 16-aligned for the v128 values
    /// that live there.
    pub(crate) fn entry_alloca(
        &self,
        ty: BasicTypeEnum<'ctx>,
        name: &str,
    ) -> Res<PointerValue<'ctx>> {
        let entry = self.func.get_first_basic_block().ok_or("no entry block")?;
        let b = self.env.ctx.create_builder();
        match entry.get_first_instruction() {
            Some(first) => b.position_before(&first),
            None => b.position_at_end(entry),
        }
        let p = b.build_alloca(ty, name).map_err(llvm_err)?;
        p.as_instruction()
            .ok_or("alloca")?
            .set_alignment(16)
            .map_err(|e| e.to_string())?;
        Ok(p)
    }

    pub fn cur_block(&self) -> BasicBlock<'ctx> {
        self.env
            .b
            .get_insert_block()
            .expect("builder is positioned")
    }

    pub fn pop(&mut self) -> BasicValueEnum<'ctx> {
        self.stack
            .pop()
            .expect("validated module: value stack underflow")
    }

    pub fn pop_int(&mut self) -> IntValue<'ctx> {
        self.pop().into_int_value()
    }

    /// Pop an i32 condition (`if`, `br_if`, `select`) as an i1. A comparison's result is an
    /// i1 widened to i32 (`push_bool`); its i1 is taken as it is rather than compared with
    /// zero again, so level 0's instruction selector sees a compare feeding the branch and
    /// fuses them (the widening, now unused, is dropped as dead).
    pub fn pop_condition(&mut self, name: &str) -> Res<IntValue<'ctx>> {
        let c = self.pop_int();
        if let Some(inst) = c.as_instruction() {
            if inst.get_opcode() == inkwell::values::InstructionOpcode::ZExt {
                if let Some(inkwell::values::BasicValueEnum::IntValue(bit)) =
                    inst.get_operand(0).and_then(|op| op.value())
                {
                    if bit.get_type().get_bit_width() == 1 {
                        return Ok(bit);
                    }
                }
            }
        }
        let env = self.env;
        env.b
            .build_int_compare(inkwell::IntPredicate::NE, c, env.i32().const_zero(), name)
            .map_err(llvm_err)
    }

    pub fn popn(&mut self, n: usize) -> Vec<BasicValueEnum<'ctx>> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }

    pub fn push(&mut self, v: impl Into<BasicValueEnum<'ctx>>) {
        self.stack.push(v.into());
    }

    /// Branch to a shared per-function trap block when `cond` holds (one per site with an
    /// address map).
    pub fn trap_if(&mut self, cond: IntValue<'ctx>, code: i32) -> Res<()> {
        self.trap_if_cause(cond, TrapCause::Code(code))
    }

    /// [`Self::trap_if`] for any [`TrapCause`].
    pub(crate) fn trap_if_cause(&mut self, cond: IntValue<'ctx>, cause: TrapCause) -> Res<()> {
        let env = self.env;
        let trap = self.trap_block(cause)?;
        self.fuel_to_trap(trap)?;
        let cont = env.ctx.append_basic_block(self.func, "ok");
        env.b
            .build_conditional_branch(cond, trap, cont)
            .map_err(llvm_err)?;
        env.b.position_at_end(cont);
        Ok(())
    }

    fn trap_block(&mut self, cause: TrapCause) -> Res<BasicBlock<'ctx>> {
        // With an address map or debug info every site gets its own block: a shared one has
        // one location.
        let shared = self.env.lines.is_none() && self.env.debug.is_none();
        if let Some(b) = self.trap_blocks.get(&cause).filter(|_| shared) {
            return Ok(*b);
        }
        let env = self.env;
        let here = self.cur_block();
        let blk = env.ctx.append_basic_block(self.func, "trap");
        env.b.position_at_end(blk);
        let fuel = self.fuel_trap_entry()?;
        let code = match cause {
            TrapCause::Code(code) => env.i32().const_int(code as u64, true),
            TrapCause::FuelOrInterrupt => self.fuel_or_interrupt_code(fuel)?,
            TrapCause::StackOrInterrupt => self.stack_or_interrupt_code()?,
        };
        self.emit_trap(code)?;
        env.b.position_at_end(here);
        self.trap_blocks.insert(cause, blk);
        Ok(blk)
    }

    /// Call the trap helper (does not return) and end the block.
    pub fn emit_trap(&self, code: IntValue<'ctx>) -> Res<()> {
        self.env.emit_trap(self.vmctx, code)
    }

    /// Call runtime helper `h` (see `Env::call_helper`).
    pub fn call_helper(
        &self,
        h: Helper,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        self.fuel_sync()?;
        self.env.call_helper(self.vmctx, h, args)
    }

    /// A helper returning a status: trap with it unless it is OK.
    pub fn call_checked_helper(&self, h: Helper, args: &[BasicMetadataValueEnum<'ctx>]) -> Res<()> {
        self.fuel_sync()?;
        self.env.call_checked_helper(self.func, self.vmctx, h, args)
    }

    /// An immediate (a memory, table or segment index) as a helper's `u32` argument.
    pub fn const_u32(&self, v: u32) -> BasicMetadataValueEnum<'ctx> {
        self.env.i32().const_int(u64::from(v), false).into()
    }

    /// A 32-bit address, length or count widened to the helper contract's `u64`: zero-extended,
    /// as wasm's 32-bit operands are unsigned there. (A 64-bit operand passes unchanged.)
    pub fn u64_arg(&self, v: BasicValueEnum<'ctx>) -> Res<BasicMetadataValueEnum<'ctx>> {
        let env = self.env;
        let wide = env
            .b
            .build_int_z_extend_or_bit_cast(v.into_int_value(), env.i64(), "u64")
            .map_err(llvm_err)?;
        Ok(wide.into())
    }

    /// The arguments of a fill helper: vmctx, the memory or table index, then the popped
    /// destination, value and length (destination and length widened to `u64`).
    pub fn fill_args(&mut self, index: u32) -> Res<[BasicMetadataValueEnum<'ctx>; 5]> {
        let v = self.popn(3);
        Ok([
            self.vmctx.into(),
            self.const_u32(index),
            self.u64_arg(v[0])?,
            v[1].into(),
            self.u64_arg(v[2])?,
        ])
    }

    /// The arguments of a copy or init helper: vmctx, two immediates (destination and source
    /// memory or table, or the destination and a segment), then the popped destination, source
    /// and length widened to `u64`.
    pub fn bulk_args(&mut self, first: u32, second: u32) -> Res<[BasicMetadataValueEnum<'ctx>; 6]> {
        let v = self.popn(3);
        Ok([
            self.vmctx.into(),
            self.const_u32(first),
            self.const_u32(second),
            self.u64_arg(v[0])?,
            self.u64_arg(v[1])?,
            self.u64_arg(v[2])?,
        ])
    }

    /// After a grow helper (`table`: a table, else a memory): when it returned -1, ask the
    /// store whether that is a trap (`-W trap-on-grow-failure`), on a cold path.
    pub fn check_grow(
        &mut self,
        old: BasicValueEnum<'ctx>,
        table: bool,
        index: u32,
        delta: BasicMetadataValueEnum<'ctx>,
    ) -> Res<()> {
        let env = self.env;
        let failed = env
            .b
            .build_int_compare(
                IntPredicate::EQ,
                old.into_int_value(),
                env.i64().const_all_ones(),
                "grow_failed",
            )
            .map_err(llvm_err)?;
        let ask = env.ctx.append_basic_block(self.func, "grow_failed");
        let cont = env.ctx.append_basic_block(self.func, "grown");
        env.b
            .build_conditional_branch(failed, ask, cont)
            .map_err(llvm_err)?;
        env.b.position_at_end(ask);
        let args = [
            self.vmctx.into(),
            self.const_u32(u32::from(table)),
            self.const_u32(index),
            delta,
        ];
        self.call_checked_helper(helper::grow_failed, &args)?;
        env.b.build_unconditional_branch(cont).map_err(llvm_err)?;
        env.b.position_at_end(cont);
        Ok(())
    }

    /// A grow helper's `i64` result as wasm's 32-bit one: the old size fits, and -1 stays -1.
    pub fn low_i32(&self, v: BasicValueEnum<'ctx>) -> Res<IntValue<'ctx>> {
        let env = self.env;
        env.b
            .build_int_truncate(v.into_int_value(), env.i32(), "i32")
            .map_err(llvm_err)
    }

    pub fn local(&self, i: u32) -> (PointerValue<'ctx>, BasicTypeEnum<'ctx>) {
        self.locals[i as usize]
    }

    fn operator(&mut self, op: Operator) -> Res<()> {
        if let Operator::Loop { .. } = op {
            self.loops_seen += 1;
        }
        if !self.reachable {
            // Nothing runs here: fuel counted before the code became unreachable was for
            // an operator that trapped or branched away.
            self.fuel_pending = 0;
            return self.dead_operator(op);
        }
        self.count_fuel(&op)?;
        if self.control_op(&op)? {
            return Ok(());
        }
        if self.variable_op(&op)? {
            return Ok(());
        }
        if self.numeric_op(&op)? {
            return Ok(());
        }
        if self.memory_op(&op)? {
            return Ok(());
        }
        if self.table_op(&op)? {
            return Ok(());
        }
        if self.simd_op(&op)? {
            return Ok(());
        }
        if self.exn_op(&op)? {
            return Ok(());
        }
        if self.gc_op(&op)? {
            return Ok(());
        }
        Err(unsupported(&op))
    }

    /// In unreachable code only the block structure matters.
    fn dead_operator(&mut self, op: Operator) -> Res<()> {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. } => self.dead_depth += 1,
            Operator::Else if self.dead_depth == 0 => return self.control_op(&op).map(|_| ()),
            Operator::End if self.dead_depth == 0 => return self.control_op(&op).map(|_| ()),
            Operator::End => self.dead_depth -= 1,
            _ => {}
        }
        Ok(())
    }

    /// Locals, globals, drop, select, constants.
    fn variable_op(&mut self, op: &Operator) -> Res<bool> {
        let env = self.env;
        let b = &env.b;
        match *op {
            Operator::LocalGet { local_index } => {
                let (p, t) = self.local(local_index);
                let v = b.build_load(t, p, "l").map_err(llvm_err)?;
                self.push(v);
            }
            Operator::LocalSet { local_index } => {
                let v = self.pop();
                b.build_store(self.local(local_index).0, v)
                    .map_err(llvm_err)?;
                self.update_dbg_frame(local_index)?;
            }
            Operator::LocalTee { local_index } => {
                let v = *self.stack.last().expect("tee operand");
                b.build_store(self.local(local_index).0, v)
                    .map_err(llvm_err)?;
                self.update_dbg_frame(local_index)?;
            }
            Operator::GlobalGet { global_index } => {
                let (cell, ty) = self.global_cell(global_index)?;
                let v = b.build_load(ty, cell, "g").map_err(llvm_err)?;
                env.tag(v.as_instruction_value().ok_or("load")?, Heap::Global)?;
                self.push(v);
            }
            Operator::GlobalSet { global_index } => {
                let v = self.pop();
                let (cell, _) = self.global_cell(global_index)?;
                let st = b.build_store(cell, v).map_err(llvm_err)?;
                env.tag(st, Heap::Global)?;
                // A trap after this must see the new value, one before it the old.
                self.trap_point(None)?;
            }
            Operator::Drop => {
                // A dropped load still traps: its trap point (memory.rs) keeps it.
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let c = self.pop_condition("c")?;
                let f = self.pop();
                let t = self.pop();
                let v = b.build_select(c, t, f, "sel").map_err(llvm_err)?;
                self.push(v);
            }
            Operator::I32Const { value } => {
                self.push(env.i32().const_int(value as u32 as u64, false))
            }
            Operator::I64Const { value } => self.push(env.i64().const_int(value as u64, false)),
            Operator::F32Const { value } => {
                let bits = env.i32().const_int(u64::from(value.bits()), false);
                let v = b
                    .build_bit_cast(bits, env.ctx.f32_type(), "f")
                    .map_err(llvm_err)?;
                self.push(v);
            }
            Operator::F64Const { value } => {
                let bits = env.i64().const_int(value.bits(), false);
                let v = b
                    .build_bit_cast(bits, env.ctx.f64_type(), "f")
                    .map_err(llvm_err)?;
                self.push(v);
            }
            Operator::Nop => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The cell of global `index` and its LLVM type.
    fn global_cell(&self, index: u32) -> Res<(PointerValue<'ctx>, BasicTypeEnum<'ctx>)> {
        let env = self.env;
        let ty = env.val_type(env.wasm.globals[index as usize].content_type)?;
        let cells = env
            .load_field(self.vmctx, offset::GLOBALS, env.ptr().into())?
            .into_pointer_value();
        let cell = env.load_indexed_ptr(cells, env.i32().const_int(u64::from(index), false))?;
        Ok((cell, ty))
    }

    /// The LLVM type of a Wasm value type (for block signatures).
    pub fn types_of(&self, tys: &[ValType]) -> Res<Vec<BasicTypeEnum<'ctx>>> {
        tys.iter().map(|t| self.env.val_type(*t)).collect()
    }
}

/// The error for an operator no family lowers: a SIMD one is a feature rt lacks (refused as
/// unsupported, naming it), anything else a compiler failure.
pub(crate) fn unsupported(op: &Operator) -> super::CompileError {
    if let Some(e) = super::gc::unsupported_gc(op) {
        return e;
    }
    let name = format!("{op:?}");
    let name = name.split([' ', '{', '(']).next().unwrap_or("").to_string();
    let relaxed = name.contains("Relaxed");
    if relaxed
        || name.starts_with("V128")
        || name.starts_with("I8x16")
        || name.starts_with("I16x8")
        || name.starts_with("I32x4")
        || name.starts_with("I64x2")
        || name.starts_with("F32x4")
        || name.starts_with("F64x2")
    {
        return super::CompileError::Unsupported {
            feature: if relaxed { "relaxed SIMD" } else { "SIMD" },
            detail: format!("instruction {name}"),
        };
    }
    format!("unsupported instruction: {name}").into()
}
