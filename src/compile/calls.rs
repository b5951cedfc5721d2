//! Calls: direct calls between the module's functions, calls through imported function
//! references and tables (with a signature check), and the two generated bridges: array
//! trampolines (host -> wasm, `(code, callee_vmctx, caller_vmctx, args*, results*)`) and host
//! adapters (wasm -> host, internal convention -> spilled arguments + the host-call helper).
use super::env::{llvm_err, Env, Heap, Res, WASM_CALL_CONV};
use super::func::FuncTx;
use crate::runtime::vm::{helper, offset, trap_code, ValRaw};
use inkwell::types::BasicTypeEnum;
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, CallSiteValue, FunctionValue, IntValue, PointerValue,
};
use inkwell::values::{BasicValue, LLVMTailCallKind};
use inkwell::IntPredicate;
use wasmparser::{FuncType, ValType};

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    /// Call `code`, an internal-convention function of type `ty`, with the popped arguments.
    /// An ordinary call pushes its results. A tail call (`tail`) is a `musttail` call whose
    /// results are returned as this function's own: the callee reuses this frame, so tail
    /// recursion of any depth runs in constant stack. (Validation guarantees the callee's
    /// results are this function's.)
    fn emit_call(
        &mut self,
        code: PointerValue<'ctx>,
        callee_vmctx: PointerValue<'ctx>,
        ty: &FuncType,
        tail: bool,
    ) -> Res<()> {
        let env = self.env;
        let params = self.popn(ty.params().len());
        let mut args: Vec<BasicValueEnum> = vec![callee_vmctx.into(), self.vmctx.into()];
        let buffer = match (env.results_in_memory(ty.results()), tail) {
            (false, _) => None,
            // The results go straight to this function's caller's buffer.
            (true, true) => Some(self.results_buf.ok_or("tail call without results buffer")?),
            (true, false) => {
                let layout = env.results_struct(ty.results())?;
                Some(self.entry_alloca(layout.into(), "results")?)
            }
        };
        args.extend(buffer.map(BasicValueEnum::from));
        args.extend(env.lower_args(ty.params(), &params)?);
        if let Some(fuel) = self.fuel_left()? {
            args.push(fuel.into());
        }
        // Inside a try_table an exception the callee throws lands in this function.
        let unwind = match tail {
            true => None,
            false => self.unwind_dest()?,
        };
        let call = match unwind {
            None => {
                let args: Vec<BasicMetadataValueEnum> = args.iter().map(|&a| a.into()).collect();
                env.b
                    .build_indirect_call(env.fn_type(ty)?, code, &args, "call")
                    .map_err(llvm_err)?
            }
            Some(pad) => {
                let ok = env.ctx.append_basic_block(self.func, "returned");
                let call = env
                    .b
                    .build_indirect_invoke(env.fn_type(ty)?, code, &args, ok, pad, "call")
                    .map_err(llvm_err)?;
                env.b.position_at_end(ok);
                call
            }
        };
        call.set_call_convention(WASM_CALL_CONV);
        if tail {
            call.set_tail_call_kind(LLVMTailCallKind::LLVMTailCallKindMustTail);
            let value = call.try_as_basic_value().basic();
            env.b
                .build_return(value.as_ref().map(|v| v as &dyn BasicValue))
                .map_err(llvm_err)?;
            return Ok(());
        }
        let (values, fuel) = results_of(env, call, ty.results(), buffer)?;
        for v in values {
            self.push(v);
        }
        // The callee (or the host) used fuel, or set it: carry on with what it returned.
        if let Some(fuel) = fuel {
            self.fuel_set(fuel)?;
        }
        Ok(())
    }

    /// Call (or, if `tail`, tail-call) through an `AnyFunc` (imports, tables, references). Its code is a wasm function or a
    /// host adapter, both in the internal convention, so a tail call to a host function is
    /// as constant-stack as one to wasm.
    fn call_anyfunc_as(
        &mut self,
        anyfunc: PointerValue<'ctx>,
        ty: &FuncType,
        tail: bool,
    ) -> Res<()> {
        let env = self.env;
        let code = env
            .load_field(anyfunc, offset::FUNC_CODE, env.ptr().into())?
            .into_pointer_value();
        let callee = env
            .load_field(anyfunc, offset::FUNC_VMCTX, env.ptr().into())?
            .into_pointer_value();
        self.emit_call(code, callee, ty, tail)
    }

    pub(crate) fn call(&mut self, index: u32) -> Res<()> {
        self.call_as(index, false)
    }

    /// `call` or `return_call` of function `index`.
    pub(crate) fn call_as(&mut self, index: u32, tail: bool) -> Res<()> {
        let env = self.env;
        let ty = env.wasm.func_type(index).clone();
        if let Some(f) = env.func(index)? {
            let code = f.as_global_value().as_pointer_value();
            return self.emit_call(code, self.vmctx, &ty, tail);
        }
        let funcs = env
            .load_field(self.vmctx, offset::FUNCS, env.ptr().into())?
            .into_pointer_value();
        let anyfunc = env.load_indexed_ptr(funcs, env.i32().const_int(u64::from(index), false))?;
        self.call_anyfunc_as(anyfunc, &ty, tail)
    }

    pub(crate) fn call_indirect(&mut self, type_index: u32, table: u32) -> Res<()> {
        self.call_indirect_as(type_index, table, false)
    }

    /// `call_indirect` or `return_call_indirect`: the same checks (bounds, null, signature)
    /// come before either kind of call.
    pub(crate) fn call_indirect_as(&mut self, type_index: u32, table: u32, tail: bool) -> Res<()> {
        let env = self.env;
        let ty = env.wasm.types[type_index as usize].clone();
        let index = self.pop_int();
        let slot = self.table_slot(table, index, trap_code::UNDEF_ELEM)?;
        let anyfunc = env
            .b
            .build_load(env.ptr(), slot, "fref")
            .map_err(llvm_err)?;
        env.tag(anyfunc.as_instruction_value().ok_or("load")?, Heap::Table)?;
        let anyfunc = anyfunc.into_pointer_value();
        let null = env.b.build_is_null(anyfunc, "null").map_err(llvm_err)?;
        self.trap_if(null, trap_code::UNINIT_ELEM)?;
        let have = env
            .load_field(anyfunc, offset::FUNC_TYPE_ID, env.i64().into())?
            .into_int_value();
        let ids = env
            .load_field(self.vmctx, offset::TYPE_IDS, env.ptr().into())?
            .into_pointer_value();
        let want = env
            .load_field(ids, type_index * 4, env.i32().into())?
            .into_int_value();
        let want = env
            .b
            .build_int_z_extend(want, env.i64(), "want")
            .map_err(llvm_err)?;
        let bad = env
            .b
            .build_int_compare(IntPredicate::NE, have, want, "sig")
            .map_err(llvm_err)?;
        let is_final = env
            .wasm
            .sub_types
            .get(type_index as usize)
            .map_or(true, |s| s.is_final);
        if is_final {
            // A final type has no subtypes: the ids must be equal.
            self.trap_if(bad, trap_code::SIG_MISMATCH)?;
        } else {
            // A different id may still be a declared subtype: ask the runtime, off the
            // fast path.
            let slow = env.ctx.append_basic_block(self.func, "sig_slow");
            let ok = env.ctx.append_basic_block(self.func, "sig_ok");
            env.b
                .build_conditional_branch(bad, slow, ok)
                .map_err(llvm_err)?;
            env.b.position_at_end(slow);
            let narrow = |v: IntValue<'ctx>| env.b.build_int_truncate(v, env.i32(), "id");
            let args = [
                self.vmctx.into(),
                narrow(have).map_err(llvm_err)?.into(),
                narrow(want).map_err(llvm_err)?.into(),
            ];
            let sub = self
                .call_helper(helper::subtype, &args)?
                .ok_or("subtype helper result")?
                .into_int_value();
            let no = env
                .b
                .build_int_compare(IntPredicate::EQ, sub, env.i32().const_zero(), "nosub")
                .map_err(llvm_err)?;
            self.trap_if(no, trap_code::SIG_MISMATCH)?;
            env.b.build_unconditional_branch(ok).map_err(llvm_err)?;
            env.b.position_at_end(ok);
        }
        self.call_anyfunc_as(anyfunc, &ty, tail)
    }

    /// `return_call_ref` (`tail`), or `call_ref`: the reference on top of the stack is the
    /// callee. Validation guarantees its type is `type_index` or a subtype, whose LLVM
    /// prototype is the same, so unlike `call_indirect` only null is checked.
    pub(crate) fn call_ref_as(&mut self, type_index: u32, tail: bool) -> Res<()> {
        let env = self.env;
        let ty = env.wasm.types[type_index as usize].clone();
        let anyfunc = self.pop().into_pointer_value();
        let null = env.b.build_is_null(anyfunc, "null").map_err(llvm_err)?;
        self.trap_if(null, trap_code::NULL_FUNC_REF)?;
        self.call_anyfunc_as(anyfunc, &ty, tail)
    }
}

/// Give a wasm function or host adapter the internal calling convention, [`WASM_CALL_CONV`].
pub(crate) fn set_wasm_convention(f: FunctionValue) {
    f.set_call_conventions(WASM_CALL_CONV);
}

/// Attributes every generated function carries: frame pointers (trap backtraces walk them),
/// no tail-call elimination (it would turn runaway recursion, which must exhaust the stack
/// and trap, into an endless loop; it would also drop frames from backtraces), and
/// asynchronous unwind tables (wasm exceptions unwind through every frame; see `exn.rs`).
pub(crate) fn set_function_attributes(env: &Env, f: FunctionValue) {
    for (k, v) in [("frame-pointer", "all"), ("disable-tail-calls", "true")] {
        let attr = env.ctx.create_string_attribute(k, v);
        f.add_attribute(inkwell::attributes::AttributeLoc::Function, attr);
    }
    // 2: UWTableKind::Async.
    let uwtable = inkwell::attributes::Attribute::get_named_enum_kind_id("uwtable");
    f.add_attribute(
        inkwell::attributes::AttributeLoc::Function,
        env.ctx.create_enum_attribute(uwtable, 2),
    );
}

fn slot_ptr<'ctx>(
    env: &Env<'ctx, '_>,
    base: PointerValue<'ctx>,
    i: usize,
) -> Res<PointerValue<'ctx>> {
    env.field_ptr(base, i as u32 * ValRaw::SIZE)
}

/// Store `v` into slot `i` of `base`, zero-extended to the slot's full 16 bytes, so a host
/// reading a slot raw (WASI reads an i32 argument as the low 8 bytes) sees no stale bits.
fn store_slot<'ctx>(
    env: &Env<'ctx, '_>,
    base: PointerValue<'ctx>,
    i: usize,
    v: BasicValueEnum<'ctx>,
) -> Res<()> {
    let b = &env.b;
    let wide = env.ctx.i128_type();
    let bits = match v {
        BasicValueEnum::IntValue(x) => x,
        BasicValueEnum::PointerValue(p) => {
            b.build_ptr_to_int(p, env.i64(), "bits").map_err(llvm_err)?
        }
        BasicValueEnum::FloatValue(f) => {
            let width = f.get_type().get_bit_width();
            b.build_bit_cast(f, env.int_bits(width), "bits")
                .map_err(llvm_err)?
                .into_int_value()
        }
        other => b
            .build_bit_cast(other, wide, "bits")
            .map_err(llvm_err)?
            .into_int_value(),
    };
    let slot = if bits.get_type().get_bit_width() < 128 {
        b.build_int_z_extend(bits, wide, "slot").map_err(llvm_err)?
    } else {
        bits
    };
    b.build_store(slot_ptr(env, base, i)?, slot)
        .map_err(llvm_err)?;
    Ok(())
}

/// `tramp(code, callee_vmctx, caller_vmctx, args*, results*)` for one signature.
pub(crate) fn build_trampoline(env: &Env, name: &str, ty: &FuncType) -> Res<()> {
    let p = env.ptr();
    let fty = env
        .ctx
        .void_type()
        .fn_type(&[p.into(), p.into(), p.into(), p.into(), p.into()], false);
    let f = env.llmod.add_function(name, fty, None);
    set_function_attributes(env, f);
    let b = &env.b;
    b.position_at_end(env.ctx.append_basic_block(f, "entry"));
    let param = |i: u32| {
        f.get_nth_param(i)
            .expect("trampoline param")
            .into_pointer_value()
    };
    let (code, callee, caller, args, results) = (param(0), param(1), param(2), param(3), param(4));
    let mut call_args: Vec<BasicValueEnum> = vec![callee.into(), caller.into()];
    let buffer = if env.results_in_memory(ty.results()) {
        let layout = env.results_struct(ty.results())?;
        let buffer = b.build_alloca(layout, "results").map_err(llvm_err)?;
        call_args.push(buffer.into());
        Some(buffer)
    } else {
        None
    };
    let mut wasm_args = Vec::with_capacity(ty.params().len());
    for (i, t) in ty.params().iter().enumerate() {
        let v = b
            .build_load(env.val_type(*t)?, slot_ptr(env, args, i)?, "arg")
            .map_err(llvm_err)?;
        wasm_args.push(v);
    }
    call_args.extend(env.lower_args(ty.params(), &wasm_args)?);
    // With fuel, the callee's count comes from the store's cell, and what it returns goes
    // back there (see `limits.rs`).
    let fuel_cell = match env.settings.consume_fuel {
        true => Some(fuel_cell(env, caller)?),
        false => None,
    };
    if let Some(cell) = fuel_cell {
        call_args.push(b.build_load(env.i64(), cell, "fuel").map_err(llvm_err)?);
    }
    // The trampoline itself is called from C (the shim), so it keeps the C convention; the
    // call into wasm uses wasm's. It is an invoke: an exception no wasm handler catches
    // lands here, which ends the call, so unwinding never leaves the call's own frames.
    let returned = env.ctx.append_basic_block(f, "returned");
    let uncaught = env.ctx.append_basic_block(f, "uncaught");
    let call = b
        .build_indirect_invoke(
            env.fn_type(ty)?,
            code,
            &call_args,
            returned,
            uncaught,
            "call",
        )
        .map_err(llvm_err)?;
    call.set_call_convention(WASM_CALL_CONV);
    b.position_at_end(uncaught);
    let exn = super::exn::landing_pad(env, f, true)?;
    super::exn::emit_uncaught(env, exn)?;
    b.position_at_end(returned);
    let (vals, fuel) = results_of(env, call, ty.results(), buffer)?;
    for (i, v) in vals.iter().enumerate() {
        store_slot(env, results, i, *v)?;
    }
    if let (Some(cell), Some(fuel)) = (fuel_cell, fuel) {
        let st = b.build_store(cell, fuel).map_err(llvm_err)?;
        env.tag(st, Heap::Runtime)?;
    }
    b.build_return(None).map_err(llvm_err)?;
    Ok(())
}

/// The store's fuel cell, through `vmctx`.
fn fuel_cell<'ctx>(env: &Env<'ctx, '_>, vmctx: PointerValue<'ctx>) -> Res<PointerValue<'ctx>> {
    let limits = env
        .load_field(vmctx, offset::LIMITS, env.ptr().into())?
        .into_pointer_value();
    env.field_ptr(limits, offset::LIMIT_FUEL)
}

/// A finished call's results (what it wrote to `buffer` when it was given one, see
/// `Env::results_in_memory`, else what it returned) and, with fuel, the count it returned
/// (see `Env::returned_types`).
fn results_of<'ctx>(
    env: &Env<'ctx, '_>,
    call: CallSiteValue<'ctx>,
    results: &[ValType],
    buffer: Option<PointerValue<'ctx>>,
) -> Res<(Vec<BasicValueEnum<'ctx>>, Option<IntValue<'ctx>>)> {
    let fields = |value: BasicValueEnum<'ctx>, n: usize| -> Res<Vec<BasicValueEnum<'ctx>>> {
        if n == 1 {
            return Ok(vec![value]);
        }
        (0..n)
            .map(|i| {
                env.b
                    .build_extract_value(value.into_struct_value(), i as u32, "r")
                    .map_err(llvm_err)
            })
            .collect()
    };
    let returned = env.returned_types(results)?.len();
    let mut values = match call.try_as_basic_value().basic() {
        Some(value) => fields(value, returned)?,
        None => vec![],
    };
    let fuel = match env.settings.consume_fuel {
        true => Some(values.pop().ok_or("no fuel result")?.into_int_value()),
        false => None,
    };
    if let Some(buffer) = buffer {
        let layout = env.results_struct(results)?;
        let value = env
            .b
            .build_load(layout, buffer, "results")
            .map_err(llvm_err)?;
        values = fields(value, results.len())?;
    }
    Ok((values, fuel))
}

/// `adapter(host_ctx, caller_vmctx, params...) -> results`: spill, call the host, reload.
pub(crate) fn build_adapter(env: &Env, name: &str, ty: &FuncType) -> Res<()> {
    let f = env.llmod.add_function(name, env.fn_type(ty)?, None);
    set_function_attributes(env, f);
    // Wasm code calls (and tail-calls) adapters exactly as it calls wasm functions.
    set_wasm_convention(f);
    let b = &env.b;
    b.position_at_end(env.ctx.append_basic_block(f, "entry"));
    let host = f.get_nth_param(0).expect("host ctx").into_pointer_value();
    let caller = f.get_nth_param(1).expect("caller").into_pointer_value();
    let n = ty.params().len().max(ty.results().len()).max(1);
    // One 16-byte, 16-aligned slot per value: i128's layout on x86-64 is exactly ValRaw's.
    let buf_ty = env.ctx.i128_type().array_type(n as u32);
    let buf = b.build_alloca(buf_ty, "slots").map_err(llvm_err)?;
    // The host reads these as `ValRaw`s, which Rust may move with aligned vector
    // instructions: the buffer must be 16-aligned whatever the module's data layout says.
    buf.as_instruction()
        .ok_or("slots alloca")?
        .set_alignment(16)
        .map_err(|e| e.to_string())?;
    for (i, v) in env.wasm_params(f, ty)?.into_iter().enumerate() {
        store_slot(env, buf, i, v)?;
    }
    // The host function's failure comes back as a status: trap with it here, in compiled
    // code, so the unwind to the entry crosses no Rust frame. An exception it passes on is
    // thrown here instead, as if this adapter had thrown it.
    // With fuel, the host sees the count the caller passed (see `limits.rs`); the caller reads
    // it back after the call.
    let fuel_cell = match env.settings.consume_fuel {
        true => Some(fuel_cell(env, caller)?),
        false => None,
    };
    if let Some(cell) = fuel_cell {
        let fuel = f.get_last_param().expect("fuel param");
        let st = b.build_store(cell, fuel).map_err(llvm_err)?;
        env.tag(st, Heap::Runtime)?;
    }
    let args = [host.into(), caller.into(), buf.into()];
    let rc = env
        .call_helper(caller, helper::host_call, &args)?
        .ok_or("host_call status")?
        .into_int_value();
    let failed = b
        .build_int_compare(IntPredicate::NE, rc, env.i32().const_zero(), "failed")
        .map_err(llvm_err)?;
    let bad = env.ctx.append_basic_block(f, "host_failed");
    let cont = env.ctx.append_basic_block(f, "ok");
    b.build_conditional_branch(failed, bad, cont)
        .map_err(llvm_err)?;
    b.position_at_end(bad);
    let exception = env.i32().const_int(trap_code::EXCEPTION as u64, false);
    let thrown = b
        .build_int_compare(IntPredicate::EQ, rc, exception, "thrown")
        .map_err(llvm_err)?;
    let rethrow = env.ctx.append_basic_block(f, "host_threw");
    let trap = env.ctx.append_basic_block(f, "host_trap");
    b.build_conditional_branch(thrown, rethrow, trap)
        .map_err(llvm_err)?;
    b.position_at_end(trap);
    env.emit_trap(caller, rc)?;
    b.position_at_end(rethrow);
    let exn = b
        .build_load(env.ptr(), slot_ptr(env, buf, 0)?, "exn")
        .map_err(llvm_err)?
        .into_pointer_value();
    super::exn::emit_raise(env, exn)?;
    b.position_at_end(cont);
    let mut vals = Vec::new();
    for (i, t) in ty.results().iter().enumerate() {
        vals.push(
            b.build_load(env.val_type(*t)?, slot_ptr(env, buf, i)?, "res")
                .map_err(llvm_err)?,
        );
    }
    // The host may have used or set fuel: the caller carries on with the cell's count.
    let fuel = match fuel_cell {
        Some(cell) => {
            let fuel = b.build_load(env.i64(), cell, "fuel").map_err(llvm_err)?;
            env.tag(fuel.as_instruction_value().ok_or("load")?, Heap::Runtime)?;
            Some(fuel.into_int_value())
        }
        None => None,
    };
    let buffer = match env.results_in_memory(ty.results()) {
        true => Some(
            f.get_nth_param(2)
                .expect("results buffer")
                .into_pointer_value(),
        ),
        false => None,
    };
    build_wasm_return(env, &vals, buffer, fuel)
}

/// Return from an internal-convention function: its results `vals` into the caller's
/// `buffer` when it passed one (see `Env::results_in_memory`), else in registers, and with
/// fuel the count left, `fuel` (see `Env::returned_types`).
pub(crate) fn build_wasm_return<'ctx>(
    env: &Env<'ctx, '_>,
    vals: &[BasicValueEnum<'ctx>],
    buffer: Option<PointerValue<'ctx>>,
    fuel: Option<IntValue<'ctx>>,
) -> Res<()> {
    let mut returned = Vec::new();
    match buffer {
        Some(buffer) => store_results(env, buffer, vals)?,
        None => returned.extend_from_slice(vals),
    }
    returned.extend(fuel.map(BasicValueEnum::from));
    match returned.len() {
        0 => env.b.build_return(None),
        1 => env.b.build_return(Some(&returned[0])),
        _ => env.b.build_aggregate_return(&returned),
    }
    .map_err(llvm_err)?;
    Ok(())
}

/// Write a function's results into the results buffer its caller passed (see
/// `Env::results_in_memory`); the buffer's layout is the struct of their types.
fn store_results<'ctx>(
    env: &Env<'ctx, '_>,
    buffer: PointerValue<'ctx>,
    vals: &[BasicValueEnum<'ctx>],
) -> Res<()> {
    let types: Vec<BasicTypeEnum> = vals.iter().map(|v| v.get_type()).collect();
    let layout = env.ctx.struct_type(&types, false);
    for (i, v) in vals.iter().enumerate() {
        let field = env
            .b
            .build_struct_gep(layout, buffer, i as u32, "result")
            .map_err(llvm_err)?;
        env.b.build_store(field, *v).map_err(llvm_err)?;
    }
    Ok(())
}
