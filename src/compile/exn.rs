//! Exception handling: `try_table`, `throw` and `throw_ref` (the scheme is described in
//! docs/architecture.md, "Exceptions").
//!
//! Entering a `try_table` fills a handler record (`vm::ExnHandler`) in the function's frame,
//! runs `llvm.eh.sjlj.setjmp` on it and makes it the store's innermost handler; every way out
//! of the body (its end, a branch, `return`) puts the previous one back. A throw is a helper
//! call that hands the exception to the innermost handler and returns it, after which compiled
//! code resumes there with `llvm.eh.sjlj.longjmp`; the resumed `setjmp` returns non-zero and
//! the landing code matches the catch clauses in order, branching to the first that matches
//! with its payload, or throws the exception on outwards. Only `try_table` entry and exit cost
//! anything: calls and code outside `try_table`s are exactly as without exceptions.
//!
//! What `setjmp` asks of the function: values live across it must be in memory when the
//! landing code runs. SSA values defined before the entry cannot change, and the backend keeps
//! them in stack slots of their own over a `returns_twice` call; but a local the body assigns
//! would be promoted to a register, and the landing code would see its value at entry. So a
//! local assigned inside any `try_table` body of the function is accessed with volatile loads
//! and stores (`FuncTx::exn_locals`, found by [`locals_assigned_in_try`]), which keeps it in
//! its stack slot.
use super::env::{llvm_err, Env, Res};
use super::func::{FrameKind, FuncTx};
use crate::runtime::vm::{helper, offset, trap_code, ValRaw};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::module::Linkage;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValueEnum, FunctionValue, PointerValue};
use inkwell::IntPredicate;
use std::collections::HashSet;
use wasmparser::{Catch, Operator, OperatorsReader, TryTable};

/// The locals a function assigns (`local.set`, `local.tee`) inside a `try_table` body: their
/// values must survive a throw to that `try_table`'s landing code (see the module
/// documentation).
pub(crate) fn locals_assigned_in_try(mut ops: OperatorsReader) -> Res<HashSet<u32>> {
    let mut set = HashSet::new();
    // One entry per open construct: whether it is a try_table.
    let mut open: Vec<bool> = Vec::new();
    let mut tries = 0usize;
    while !ops.eof() {
        match ops.read().map_err(|e| format!("bad operator: {e}"))? {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                open.push(false)
            }
            Operator::TryTable { .. } => {
                open.push(true);
                tries += 1;
            }
            // The guard pops for every `end`; only a try_table's lowers the count.
            Operator::End if open.pop() == Some(true) => tries -= 1,
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index }
                if tries > 0 =>
            {
                set.insert(local_index);
            }
            _ => {}
        }
    }
    Ok(set)
}

/// Bytes of a handler record (`vm::ExnHandler`): five words of jump buffer, `prev`, `exn`.
const HANDLER_WORDS: u32 = 7;
/// Where `llvm.eh.sjlj.setjmp` wants the stack pointer saved (word 2 of the buffer).
const JMP_SP: u32 = 16;

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn exn_op(&mut self, op: &Operator) -> Res<bool> {
        match op {
            Operator::TryTable { try_table } => self.try_table(try_table)?,
            Operator::Throw { tag_index } => self.throw(*tag_index)?,
            Operator::ThrowRef => self.throw_ref()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The store's innermost-handler cell.
    fn handler_cell(&self) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        Ok(env
            .load_field(self.vmctx, offset::EXN_HEAD, env.ptr().into())?
            .into_pointer_value())
    }

    /// Make what a branch to label `depth` leaves: when it leaves `try_table`s of this
    /// function, the innermost handler becomes the one the outermost of them found on entry.
    /// Emits nothing for a branch that leaves none.
    pub(crate) fn leave_try_tables(&self, depth: u32) -> Res<()> {
        let idx = self.frames.len() - 1 - depth as usize;
        let outermost = self.frames[idx..].iter().find_map(|f| match f.kind {
            FrameKind::TryTable { handler } => Some(handler),
            _ => None,
        });
        let Some(handler) = outermost else {
            return Ok(());
        };
        let env = self.env;
        let prev_ptr = env.field_ptr(handler, offset::HANDLER_PREV)?;
        let prev = env
            .b
            .build_load(env.ptr(), prev_ptr, "prev")
            .map_err(llvm_err)?;
        let cell = self.handler_cell()?;
        env.b.build_store(cell, prev).map_err(llvm_err)?;
        Ok(())
    }

    /// Whether a branch to label `depth` leaves a `try_table`.
    pub(crate) fn leaves_try_table(&self, depth: u32) -> bool {
        let idx = self.frames.len() - 1 - depth as usize;
        (self.frames[idx..])
            .iter()
            .any(|f| matches!(f.kind, FrameKind::TryTable { .. }))
    }

    fn try_table(&mut self, tt: &TryTable) -> Res<()> {
        let env = self.env;
        let b = &env.b;
        let (params, results) = self.block_sig(tt.ty);
        let rec = self.entry_alloca(env.i64().array_type(HANDLER_WORDS).into(), "exn_handler")?;
        let cell = self.handler_cell()?;
        let prev = b.build_load(env.ptr(), cell, "prev").map_err(llvm_err)?;
        b.build_store(env.field_ptr(rec, offset::HANDLER_PREV)?, prev)
            .map_err(llvm_err)?;
        // The jump buffer as llvm.eh.sjlj.setjmp expects it: the frame pointer in word 0
        // and the stack pointer in word 2; the intrinsic writes the resume address.
        let fa = env.intrinsic("llvm.frameaddress", &[env.ptr().into()]);
        let fp = b
            .build_call(fa, &[env.i32().const_zero().into()], "fp")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("frameaddress")?;
        b.build_store(rec, fp).map_err(llvm_err)?;
        let ss = env.intrinsic("llvm.stacksave", &[env.ptr().into()]);
        let sp = b
            .build_call(ss, &[], "sp")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("stacksave")?;
        b.build_store(env.field_ptr(rec, JMP_SP)?, sp)
            .map_err(llvm_err)?;
        let setjmp = env.intrinsic("llvm.eh.sjlj.setjmp", &[]);
        let call = b
            .build_call(setjmp, &[rec.into()], "sj")
            .map_err(llvm_err)?;
        // Makes the backend treat every register as clobbered across it and give every value
        // live across it a stack slot of its own (no slot sharing), as for C's setjmp.
        let kind = Attribute::get_named_enum_kind_id("returns_twice");
        call.add_attribute(
            AttributeLoc::Function,
            env.ctx.create_enum_attribute(kind, 0),
        );
        let resumed = call
            .try_as_basic_value()
            .basic()
            .ok_or("setjmp result")?
            .into_int_value();
        let resumed = b
            .build_int_compare(IntPredicate::NE, resumed, env.i32().const_zero(), "caught")
            .map_err(llvm_err)?;
        let body = env.ctx.append_basic_block(self.func, "try_body");
        let landing = env.ctx.append_basic_block(self.func, "try_landing");
        b.build_conditional_branch(resumed, landing, body)
            .map_err(llvm_err)?;

        // The landing code runs in the context around the try_table (catch labels are
        // relative to it), with the try_table's parameters gone from the stack.
        b.position_at_end(landing);
        // The throw wrote the count to the store's cell; the local's value is stale here.
        self.fuel_reload()?;
        let height = self.stack.len() - params.len();
        let saved = self.stack.clone();
        self.stack.truncate(height);
        let exn_ptr = env.field_ptr(rec, offset::HANDLER_EXN)?;
        let exn = b
            .build_load(env.ptr(), exn_ptr, "exn")
            .map_err(llvm_err)?
            .into_pointer_value();
        self.dispatch_catches(exn, &tt.catches)?;
        // The landing code ends in branches and a rethrow; the body goes on from the entry.
        self.stack = saved;
        self.reachable = true;

        b.position_at_end(body);
        b.build_store(cell, rec).map_err(llvm_err)?;
        let next = env.ctx.append_basic_block(self.func, "try_end");
        self.push_frame(
            FrameKind::TryTable { handler: rec },
            next,
            &results,
            height,
            None,
        )?;
        Ok(())
    }

    /// Match a caught exception against the catch clauses in order; without a match, throw it
    /// on to the next handler out.
    fn dispatch_catches(&mut self, exn: PointerValue<'ctx>, catches: &[Catch]) -> Res<()> {
        let env = self.env;
        let b = &env.b;
        let tag_ptr = env.field_ptr(exn, offset::EXN_TAG)?;
        let tag = b
            .build_load(env.ptr(), tag_ptr, "exn_tag")
            .map_err(llvm_err)?
            .into_pointer_value();
        for c in catches {
            let (label, with_ref) = match *c {
                Catch::One { tag: t, label } | Catch::OneRef { tag: t, label } => {
                    let tags = env
                        .load_field(self.vmctx, offset::TAGS, env.ptr().into())?
                        .into_pointer_value();
                    let want =
                        env.load_indexed_ptr(tags, env.i32().const_int(u64::from(t), false))?;
                    let same = b
                        .build_int_compare(IntPredicate::EQ, tag, want, "same_tag")
                        .map_err(llvm_err)?;
                    let hit = env.ctx.append_basic_block(self.func, "catch");
                    let miss = env.ctx.append_basic_block(self.func, "catch_next");
                    b.build_conditional_branch(same, hit, miss)
                        .map_err(llvm_err)?;
                    b.position_at_end(hit);
                    let payload = self.payload_types(t)?;
                    for (i, ty) in payload.iter().enumerate() {
                        let at =
                            env.field_ptr(exn, offset::EXN_PAYLOAD + i as u32 * ValRaw::SIZE)?;
                        let v = b.build_load(*ty, at, "payload").map_err(llvm_err)?;
                        self.push(v);
                    }
                    let with_ref = matches!(c, Catch::OneRef { .. });
                    self.branch_with_payload(label, payload.len(), with_ref, exn)?;
                    b.position_at_end(miss);
                    continue;
                }
                Catch::All { label } => (label, false),
                Catch::AllRef { label } => (label, true),
            };
            // A catch_all takes everything: the clauses after it are never reached.
            return self.branch_with_payload(label, 0, with_ref, exn);
        }
        self.rethrow(exn)
    }

    /// Branch out of the landing code to `label` with the `n` payload values on the stack and
    /// the exception itself when `with_ref`, then drop them again.
    fn branch_with_payload(
        &mut self,
        label: u32,
        n: usize,
        with_ref: bool,
        exn: PointerValue<'ctx>,
    ) -> Res<()> {
        if with_ref {
            self.push(exn);
        }
        self.leave_try_tables(label)?;
        let target = self.add_branch_incoming(label);
        self.env
            .b
            .build_unconditional_branch(target)
            .map_err(llvm_err)?;
        let keep = self.stack.len() - n - usize::from(with_ref);
        self.stack.truncate(keep);
        Ok(())
    }

    /// LLVM types of tag `t`'s payload.
    fn payload_types(&self, t: u32) -> Res<Vec<BasicTypeEnum<'ctx>>> {
        let wasm = self.env.wasm;
        let ty = &wasm.types[wasm.tags[t as usize] as usize];
        self.types_of(ty.params())
    }

    fn throw(&mut self, t: u32) -> Res<()> {
        let env = self.env;
        let b = &env.b;
        let n = self.payload_types(t)?.len();
        let vals = self.popn(n);
        let slots = if n == 0 {
            env.ptr().const_null()
        } else {
            let slots = self.entry_alloca(
                env.ctx.i128_type().array_type(n as u32).into(),
                "exn_payload",
            )?;
            for (i, v) in vals.iter().enumerate() {
                let at = env.field_ptr(slots, i as u32 * ValRaw::SIZE)?;
                b.build_store(at, *v).map_err(llvm_err)?;
            }
            slots
        };
        let handler = self
            .call_helper(
                helper::throw,
                &[self.vmctx.into(), self.const_u32(t), slots.into()],
            )?
            .ok_or("throw result")?
            .into_pointer_value();
        self.resume(handler)
    }

    fn throw_ref(&mut self) -> Res<()> {
        let env = self.env;
        let exn = self.pop().into_pointer_value();
        let null = env.b.build_is_null(exn, "null_exn").map_err(llvm_err)?;
        self.trap_if(null, trap_code::NULL_EXN_REF)?;
        self.rethrow(exn)
    }

    /// Throw a (non-null) exception object on.
    fn rethrow(&mut self, exn: PointerValue<'ctx>) -> Res<()> {
        let handler = self
            .call_helper(helper::throw_ref, &[self.vmctx.into(), exn.into()])?
            .ok_or("throw_ref result")?
            .into_pointer_value();
        self.resume(handler)
    }

    /// Resume at the handler a throw helper returned; null means the running call has none,
    /// and the call ends with the exception (the trap helper unwinds to its entry, recording
    /// the backtrace at the throw). Leaves the code after it unreachable.
    fn resume(&mut self, handler: PointerValue<'ctx>) -> Res<()> {
        let env = self.env;
        let none = env.b.build_is_null(handler, "uncaught").map_err(llvm_err)?;
        self.trap_if(none, trap_code::EXCEPTION)?;
        let f = resume_function(env)?;
        env.b
            .build_call(f, &[handler.into()], "")
            .map_err(llvm_err)?;
        env.b.build_unreachable().map_err(llvm_err)?;
        self.mark_unreachable();
        Ok(())
    }
}

/// [`FuncTx::resume`] for code outside a translated function (the host-call adapters): ends
/// the current block of `func`.
pub(crate) fn emit_resume<'ctx>(
    env: &Env<'ctx, '_>,
    func: FunctionValue<'ctx>,
    vmctx: PointerValue<'ctx>,
    handler: PointerValue<'ctx>,
) -> Res<()> {
    let b = &env.b;
    let none = b.build_is_null(handler, "uncaught").map_err(llvm_err)?;
    let trap = env.ctx.append_basic_block(func, "uncaught");
    let jump = env.ctx.append_basic_block(func, "resume");
    b.build_conditional_branch(none, trap, jump)
        .map_err(llvm_err)?;
    b.position_at_end(trap);
    env.emit_trap(
        vmctx,
        env.i32().const_int(trap_code::EXCEPTION as u64, false),
    )?;
    b.position_at_end(jump);
    let f = resume_function(env)?;
    b.build_call(f, &[handler.into()], "").map_err(llvm_err)?;
    b.build_unreachable().map_err(llvm_err)?;
    Ok(())
}

/// The module's `rt_exn_resume(handler)`: `llvm.eh.sjlj.longjmp` to a handler's buffer. A
/// function of its own, never inlined, so the jump always leaves a frame other than the one
/// that ran the `setjmp`, as the intrinsic pair requires.
fn resume_function<'ctx>(env: &Env<'ctx, '_>) -> Res<FunctionValue<'ctx>> {
    const NAME: &str = "rt_exn_resume";
    if let Some(f) = env.llmod.get_function(NAME) {
        return Ok(f);
    }
    let fty = env.ctx.void_type().fn_type(&[env.ptr().into()], false);
    let f = env.llmod.add_function(NAME, fty, Some(Linkage::Internal));
    super::calls::set_function_attributes(env, f);
    for name in ["noinline", "noreturn", "nounwind"] {
        let kind = Attribute::get_named_enum_kind_id(name);
        f.add_attribute(
            AttributeLoc::Function,
            env.ctx.create_enum_attribute(kind, 0),
        );
    }
    let here: Option<BasicBlock> = env.b.get_insert_block();
    let entry = env.ctx.append_basic_block(f, "entry");
    env.b.position_at_end(entry);
    let buf: BasicValueEnum = f.get_nth_param(0).ok_or("resume parameter")?;
    let longjmp = env.intrinsic("llvm.eh.sjlj.longjmp", &[]);
    env.b
        .build_call(longjmp, &[buf.into()], "")
        .map_err(llvm_err)?;
    env.b.build_unreachable().map_err(llvm_err)?;
    if let Some(h) = here {
        env.b.position_at_end(h);
    }
    Ok(f)
}
