//! Exception handling: `try_table`, `throw` and `throw_ref`, with DWARF landing pads (the
//! scheme is described in docs/architecture.md, "Exceptions").
//!
//! Entering a `try_table` costs nothing at run time. Its catch clauses are compiled once, at
//! entry, into a dispatch block in the context around the `try_table` (catch labels are
//! relative to it): it reads the exception from a stack slot of the `try_table`, compares the
//! tag with each clause in order and branches to the first match with the payload, or throws
//! the exception on outwards. Two ways lead there:
//!
//! - a call in the body (`call`, `call_indirect`, `call_ref`, including calls of host
//!   adapters) is an LLVM `invoke` whose unwind edge goes to the `try_table`'s landing pad
//!   (one per `try_table`, made by its first call): a catch-all `landingpad`, whose first
//!   value is the exnref (the shim's personality routine hands it over), stored in the slot;
//! - a `throw` or `throw_ref` directly in the body stores the exception in the slot and
//!   branches to the dispatch block: no unwinding at all.
//!
//! Outside every `try_table` of the function, a throw calls the shim's `rt_exn_raise`, which
//! unwinds with libgcc through the unwind tables the loader registered, to the innermost
//! landing pad of a caller, or to the entry trampoline's, which ends the call with the
//! exception ([`landing_pad`] with `entry`). A tail call is never an `invoke`: it leaves the
//! function, and the function's `try_table`s with it.
use super::env::{llvm_err, Env, Res};
use super::func::{FrameKind, FuncTx};
use crate::runtime::vm::{helper, offset, trap_code, ValRaw};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::module::Linkage;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValueEnum, FunctionValue, PointerValue};
use inkwell::IntPredicate;
use wasmparser::{Catch, Operator, TryTable};

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

    /// The frame index of the innermost open `try_table`, if any.
    fn innermost_try(&self) -> Option<usize> {
        (self.frames.iter()).rposition(|f| matches!(f.kind, FrameKind::TryTable { .. }))
    }

    /// Where a call made here unwinds to: the innermost `try_table`'s landing pad (made now
    /// if this is its first call), or nowhere in this function (None: a plain call).
    pub(crate) fn unwind_dest(&mut self) -> Res<Option<BasicBlock<'ctx>>> {
        let Some(i) = self.innermost_try() else {
            return Ok(None);
        };
        let FrameKind::TryTable {
            dispatch,
            exn,
            landing,
        } = self.frames[i].kind
        else {
            return Err("try_table frame expected".into());
        };
        if landing.is_some() {
            return Ok(landing);
        }
        let env = self.env;
        let b = &env.b;
        let here = self.cur_block();
        let pad = env.ctx.append_basic_block(self.func, "landing_pad");
        b.position_at_end(pad);
        let thrown = landing_pad(env, self.func, false)?;
        b.build_store(exn, thrown).map_err(llvm_err)?;
        b.build_unconditional_branch(dispatch).map_err(llvm_err)?;
        b.position_at_end(here);
        self.frames[i].kind = FrameKind::TryTable {
            dispatch,
            exn,
            landing: Some(pad),
        };
        Ok(Some(pad))
    }

    fn try_table(&mut self, tt: &TryTable) -> Res<()> {
        let env = self.env;
        let b = &env.b;
        let (params, results) = self.block_sig(tt.ty);
        let exn = self.entry_alloca(env.ptr().into(), "caught")?;
        let here = self.cur_block();
        // The dispatch code runs in the context around the try_table, with the try_table's
        // parameters gone from the stack.
        let dispatch = env.ctx.append_basic_block(self.func, "catch_dispatch");
        b.position_at_end(dispatch);
        // The throw wrote the count to the store's cell; the local's value is stale here.
        self.fuel_reload()?;
        let height = self.stack.len() - params.len();
        let saved = self.stack.clone();
        self.stack.truncate(height);
        let thrown = b
            .build_load(env.ptr(), exn, "exn")
            .map_err(llvm_err)?
            .into_pointer_value();
        self.dispatch_catches(thrown, &tt.catches)?;
        // The dispatch code ends in branches and a throw; the body goes on from the entry.
        self.stack = saved;
        self.reachable = true;
        b.position_at_end(here);
        let next = env.ctx.append_basic_block(self.func, "try_end");
        self.push_frame(
            FrameKind::TryTable {
                dispatch,
                exn,
                landing: None,
            },
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
        self.raise(exn)
    }

    /// Branch out of the dispatch code to `label` with the `n` payload values on the stack
    /// and the exception itself when `with_ref`, then drop them again.
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
        let exn = self
            .call_helper(
                helper::throw,
                &[self.vmctx.into(), self.const_u32(t), slots.into()],
            )?
            .ok_or("throw result")?
            .into_pointer_value();
        self.raise(exn)
    }

    fn throw_ref(&mut self) -> Res<()> {
        let env = self.env;
        let exn = self.pop().into_pointer_value();
        let null = env.b.build_is_null(exn, "null_exn").map_err(llvm_err)?;
        self.trap_if(null, trap_code::NULL_EXN_REF)?;
        self.raise(exn)
    }

    /// Throw a (non-null) exception object from here: to the innermost `try_table` of this
    /// function by a branch, else by unwinding out of it. Leaves the code after it
    /// unreachable.
    fn raise(&mut self, exn: PointerValue<'ctx>) -> Res<()> {
        let env = self.env;
        match self.innermost_try().map(|i| self.frames[i].kind) {
            Some(FrameKind::TryTable {
                dispatch,
                exn: slot,
                ..
            }) => {
                env.b.build_store(slot, exn).map_err(llvm_err)?;
                env.b
                    .build_unconditional_branch(dispatch)
                    .map_err(llvm_err)?;
            }
            _ => emit_raise(env, exn)?,
        }
        self.mark_unreachable();
        Ok(())
    }
}

/// Throw `exn` out of the current function with the shim's `rt_exn_raise`; ends the current
/// block. (A plain call: the function has no handler for it, or the caller branched instead.)
pub(crate) fn emit_raise<'ctx>(env: &Env<'ctx, '_>, exn: PointerValue<'ctx>) -> Res<()> {
    let f = shim_function(env, "rt_exn_raise", &["noreturn"]);
    env.b.build_call(f, &[exn.into()], "").map_err(llvm_err)?;
    env.b.build_unreachable().map_err(llvm_err)?;
    Ok(())
}

/// The landing pad instruction at the builder's position in `func` (which gets the shim's
/// personality routine): catches every exception and returns its exnref. An `entry`
/// trampoline's personality also records the backtrace of an exception no wasm handler
/// caught.
pub(crate) fn landing_pad<'ctx>(
    env: &Env<'ctx, '_>,
    func: FunctionValue<'ctx>,
    entry: bool,
) -> Res<PointerValue<'ctx>> {
    let name = match entry {
        true => "rt_eh_personality_entry",
        false => "rt_eh_personality",
    };
    let personality = match env.llmod.get_function(name) {
        Some(f) => f,
        None => {
            let fty = env.i32().fn_type(&[], true);
            env.llmod.add_function(name, fty, Some(Linkage::External))
        }
    };
    func.set_personality_function(personality);
    let ty = env
        .ctx
        .struct_type(&[env.ptr().into(), env.i32().into()], false);
    let all: BasicValueEnum = env.ptr().const_null().into();
    let lp = env
        .b
        .build_landing_pad(ty, personality, &[all], false, "lp")
        .map_err(llvm_err)?;
    Ok(env
        .b
        .build_extract_value(lp.into_struct_value(), 0, "thrown")
        .map_err(llvm_err)?
        .into_pointer_value())
}

/// An entry trampoline's landing pad code: no handler of the call caught `exn`, which ends
/// the call with it (`rt_exn_uncaught` does not return). Ends the current block.
pub(crate) fn emit_uncaught<'ctx>(env: &Env<'ctx, '_>, exn: PointerValue<'ctx>) -> Res<()> {
    let f = shim_function(env, "rt_exn_uncaught", &["noreturn", "nounwind"]);
    env.b.build_call(f, &[exn.into()], "").map_err(llvm_err)?;
    env.b.build_unreachable().map_err(llvm_err)?;
    Ok(())
}

/// The declaration of one of the shim's `void f(void *)` exception routines, which the
/// loader binds by name.
fn shim_function<'ctx>(env: &Env<'ctx, '_>, name: &str, attrs: &[&str]) -> FunctionValue<'ctx> {
    if let Some(f) = env.llmod.get_function(name) {
        return f;
    }
    let fty = env.ctx.void_type().fn_type(&[env.ptr().into()], false);
    let f = env.llmod.add_function(name, fty, Some(Linkage::External));
    for a in attrs {
        let kind = Attribute::get_named_enum_kind_id(a);
        f.add_attribute(
            AttributeLoc::Function,
            env.ctx.create_enum_attribute(kind, 0),
        );
    }
    f
}
