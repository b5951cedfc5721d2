//! Integer and float operators with the spec's exact semantics: explicit traps for division
//! and float->int conversion, masked shift counts, IEEE min/max with signed zeros, roundeven
//! for `nearest`. Each operator family goes through one helper.
use super::env::{llvm_err, Res};
use super::func::FuncTx;
use crate::runtime::vm::trap_code;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::builder::{Builder, BuilderError};
use inkwell::types::{BasicTypeEnum, FloatType, IntType};
use inkwell::values::{FloatValue, IntValue};
use inkwell::{FloatPredicate as FP, IntPredicate as IP};
use wasmparser::Operator as O;

type IntBin<'ctx> =
    fn(&Builder<'ctx>, IntValue<'ctx>, IntValue<'ctx>) -> Result<IntValue<'ctx>, BuilderError>;
type FloatBin<'ctx> = fn(
    &Builder<'ctx>,
    FloatValue<'ctx>,
    FloatValue<'ctx>,
) -> Result<FloatValue<'ctx>, BuilderError>;

#[derive(Clone, Copy)]
enum Div {
    DivS,
    DivU,
    RemS,
    RemU,
}

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    fn f32t(&self) -> FloatType<'ctx> {
        self.env.ctx.f32_type()
    }
    fn f64t(&self) -> FloatType<'ctx> {
        self.env.ctx.f64_type()
    }

    fn ibin(&mut self, f: IntBin<'ctx>) -> Res<()> {
        let r = self.pop_int();
        let l = self.pop_int();
        let v = f(&self.env.b, l, r).map_err(llvm_err)?;
        self.push(v);
        Ok(())
    }

    /// Hide a value from LLVM's optimiser: an empty inline asm "computes" it in the register it
    /// is already in, so it costs no instruction. The call is `memory(none) nounwind
    /// willreturn`: to LLVM it is a pure value (merged, hoisted, deleted when unused, no
    /// barrier to memory optimisations); only what LLVM could have inferred from the value
    /// itself is lost, such as its being the constant `1.0`.
    fn opaque(&self, v: FloatValue<'ctx>) -> Res<FloatValue<'ctx>> {
        Ok(self.opaque_value(v.into())?.into_float_value())
    }

    /// [`Self::opaque`] for a value of any type kept in an SSE register (floats, vectors).
    pub(crate) fn opaque_value(
        &self,
        v: inkwell::values::BasicValueEnum<'ctx>,
    ) -> Res<inkwell::values::BasicValueEnum<'ctx>> {
        use inkwell::types::BasicType as _;
        let env = self.env;
        let ty = v.get_type();
        let fty = ty.fn_type(&[ty.into()], false);
        let asm =
            env.ctx
                .create_inline_asm(fty, String::new(), "=x,0".into(), false, false, None, false);
        let call = env
            .b
            .build_indirect_call(fty, asm, &[v.into()], "opaque")
            .map_err(llvm_err)?;
        // `memory(none)` is the memory-effects attribute with every location's bits clear.
        for (name, value) in [("memory", 0), ("nounwind", 0), ("willreturn", 0)] {
            let kind = Attribute::get_named_enum_kind_id(name);
            call.add_attribute(
                AttributeLoc::Function,
                env.ctx.create_enum_attribute(kind, value),
            );
        }
        Ok(call.try_as_basic_value().basic().ok_or("asm result")?)
    }

    /// An operand of float arithmetic as LLVM may see it. Wasm wants every NaN an arithmetic
    /// operation returns quieted, but LLVM folds identities that return an operand as it is
    /// (`x + -0`, `-0 - x`, `x - 0`, `x * 1`, `x * -1`, `x / 1`, `x / -1`), which is only wrong
    /// when `x` is a signalling NaN. Whether an operand is such a constant is not known here:
    /// a constant reaching the operator through a local, a block result or a call argument
    /// becomes one only once LLVM promotes the local to a register, propagates it or inlines
    /// the call. So every operand that could be one is hidden (`opaque`, free at run time);
    /// only a constant already known not to be an identity (finite or infinite, not a NaN,
    /// not 0 or ±1) stays visible, so that `x / 4 -> x * 0.25` and the like still happen.
    fn fold_prone(&self, v: FloatValue<'ctx>) -> Res<FloatValue<'ctx>> {
        // `get_constant` reads any constant as an LLVM ConstantFP; a poison, undef or
        // constant expression is constant too but is not one, and reading it so is undefined
        // (found by the differential fuzzer: a SIGSEGV in APFloat under AddressSanitizer).
        // SAFETY: LLVMIsAConstantFP is a checked cast of a live value; it returns null when
        // the value is not a ConstantFP.
        let is_fp_constant = !unsafe {
            inkwell::llvm_sys::core::LLVMIsAConstantFP(inkwell::values::AsValueRef::as_value_ref(
                &v,
            ))
        }
        .is_null();
        if !is_fp_constant {
            return self.opaque(v);
        }
        match v.get_constant() {
            Some((c, _)) if !c.is_nan() && c != 0.0 && c.abs() != 1.0 => Ok(v),
            _ => self.opaque(v),
        }
    }

    /// A binary float operator, its operands hidden where an identity could fold
    /// (`fold_prone`). `hide_left` is false for division: no constant dividend makes `c / x`
    /// return `x`, so the dividend stays visible.
    fn fbin(&mut self, hide_left: bool, f: FloatBin<'ctx>) -> Res<()> {
        let r = self.pop().into_float_value();
        let l = self.pop().into_float_value();
        let l = if hide_left { self.fold_prone(l)? } else { l };
        let r = self.fold_prone(r)?;
        let v = f(&self.env.b, l, r).map_err(llvm_err)?;
        self.push(v);
        Ok(())
    }

    fn icmp(&mut self, p: IP) -> Res<()> {
        let r = self.pop_int();
        let l = self.pop_int();
        let c = self
            .env
            .b
            .build_int_compare(p, l, r, "cmp")
            .map_err(llvm_err)?;
        self.push_bool(c)
    }

    fn fcmp(&mut self, p: FP) -> Res<()> {
        let r = self.pop().into_float_value();
        let l = self.pop().into_float_value();
        let c = self
            .env
            .b
            .build_float_compare(p, l, r, "fcmp")
            .map_err(llvm_err)?;
        self.push_bool(c)
    }

    fn push_bool(&mut self, c: IntValue<'ctx>) -> Res<()> {
        let v = self
            .env
            .b
            .build_int_z_extend(c, self.env.i32(), "b")
            .map_err(llvm_err)?;
        self.push(v);
        Ok(())
    }

    fn eqz(&mut self) -> Res<()> {
        let v = self.pop_int();
        let c = self
            .env
            .b
            .build_int_compare(IP::EQ, v, v.get_type().const_zero(), "eqz")
            .map_err(llvm_err)?;
        self.push_bool(c)
    }

    /// Call an intrinsic overloaded on the operand type with the popped operands.
    fn intrinsic_op(&mut self, name: &str, arity: usize, extra_false: bool) -> Res<()> {
        let args = self.popn(arity);
        let ty = args[0].get_type();
        let f = self.env.intrinsic(name, &[ty]);
        let mut margs: Vec<inkwell::values::BasicMetadataValueEnum> =
            args.iter().map(|a| (*a).into()).collect();
        if extra_false {
            margs.push(self.env.ctx.bool_type().const_zero().into());
        }
        let v = self
            .env
            .b
            .build_call(f, &margs, "i")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("intrinsic result")?;
        self.push(v);
        Ok(())
    }

    fn shift(&mut self, f: IntBin<'ctx>) -> Res<()> {
        let r = self.pop_int();
        let l = self.pop_int();
        let bits = r.get_type().get_bit_width() as u64;
        let r = self
            .env
            .b
            .build_and(r, r.get_type().const_int(bits - 1, false), "amt")
            .map_err(llvm_err)?;
        let v = f(&self.env.b, l, r).map_err(llvm_err)?;
        self.push(v);
        Ok(())
    }

    fn rotate(&mut self, left: bool) -> Res<()> {
        let r = self.pop_int();
        let l = self.pop_int();
        self.push(l);
        self.push(l);
        self.push(r);
        self.intrinsic_op(if left { "llvm.fshl" } else { "llvm.fshr" }, 3, false)
    }

    fn division(&mut self, kind: Div) -> Res<()> {
        let env = self.env;
        let b = &env.b;
        let r = self.pop_int();
        let l = self.pop_int();
        let ty = r.get_type();
        let zero = b
            .build_int_compare(IP::EQ, r, ty.const_zero(), "z")
            .map_err(llvm_err)?;
        self.trap_if(zero, trap_code::INT_DIV_ZERO)?;
        let b = &env.b;
        let minus_one = ty.const_all_ones();
        let v = match kind {
            Div::DivS => {
                let bits = ty.get_bit_width();
                let min = ty.const_int(1u64 << (bits - 1), false);
                let is_min = b
                    .build_int_compare(IP::EQ, l, min, "min")
                    .map_err(llvm_err)?;
                let is_m1 = b
                    .build_int_compare(IP::EQ, r, minus_one, "m1")
                    .map_err(llvm_err)?;
                let ovf = b.build_and(is_min, is_m1, "ovf").map_err(llvm_err)?;
                self.trap_if(ovf, trap_code::INT_OVERFLOW)?;
                env.b.build_int_signed_div(l, r, "div").map_err(llvm_err)?
            }
            Div::DivU => b.build_int_unsigned_div(l, r, "div").map_err(llvm_err)?,
            Div::RemS => {
                // x % -1 is 0, but idiv faults on MIN % -1: divide by 1 instead.
                let is_m1 = b
                    .build_int_compare(IP::EQ, r, minus_one, "m1")
                    .map_err(llvm_err)?;
                let safe = b
                    .build_select(is_m1, ty.const_int(1, false), r, "d")
                    .map_err(llvm_err)?
                    .into_int_value();
                b.build_int_signed_rem(l, safe, "rem").map_err(llvm_err)?
            }
            Div::RemU => b.build_int_unsigned_rem(l, r, "rem").map_err(llvm_err)?,
        };
        self.push(v);
        Ok(())
    }

    fn sign_extend_from(&mut self, bits: u32) -> Res<()> {
        let v = self.pop_int();
        let b = &self.env.b;
        let narrow = self.env.int_bits(bits);
        let t = b.build_int_truncate(v, narrow, "t").map_err(llvm_err)?;
        let e = b
            .build_int_s_extend(t, v.get_type(), "e")
            .map_err(llvm_err)?;
        self.push(e);
        Ok(())
    }

    fn int_convert(&mut self, to: IntType<'ctx>, signed: bool) -> Res<()> {
        let v = self.pop_int();
        let b = &self.env.b;
        let r = if to.get_bit_width() < v.get_type().get_bit_width() {
            b.build_int_truncate(v, to, "wrap")
        } else if signed {
            b.build_int_s_extend(v, to, "sx")
        } else {
            b.build_int_z_extend(v, to, "zx")
        }
        .map_err(llvm_err)?;
        self.push(r);
        Ok(())
    }

    fn int_to_float(&mut self, to: FloatType<'ctx>, signed: bool) -> Res<()> {
        let v = self.pop_int();
        let b = &self.env.b;
        let r = if signed {
            b.build_signed_int_to_float(v, to, "cvt")
        } else {
            b.build_unsigned_int_to_float(v, to, "cvt")
        }
        .map_err(llvm_err)?;
        self.push(r);
        Ok(())
    }

    /// `demote` and `promote`. Both quiet a signalling NaN, but LLVM folds `demote(promote(x))`
    /// to `x`, and `demote(neg(promote(x)))` to `neg(x)` (also with abs or copysign), so the
    /// operand of every demote is hidden from it (`opaque`, free at run time): wherever that
    /// operand came from, through a local or not. Nothing folds a promote away.
    fn float_to_float(&mut self, to: FloatType<'ctx>) -> Res<()> {
        let v = self.pop().into_float_value();
        let r = if to == self.f32t() {
            let v = self.opaque(v)?;
            self.env.b.build_float_trunc(v, to, "demote")
        } else {
            self.env.b.build_float_ext(v, to, "promote")
        }
        .map_err(llvm_err)?;
        self.push(r);
        Ok(())
    }

    fn reinterpret(&mut self, to: BasicTypeEnum<'ctx>) -> Res<()> {
        let v = self.pop();
        let r = self.env.b.build_bit_cast(v, to, "bits").map_err(llvm_err)?;
        self.push(r);
        Ok(())
    }

    /// Trapping float->int truncation: NaN is an invalid conversion, out of range overflows.
    fn trunc(&mut self, to: IntType<'ctx>, signed: bool) -> Res<()> {
        let env = self.env;
        let v = self.pop().into_float_value();
        let fty = v.get_type();
        let b = &env.b;
        let nan = b
            .build_float_compare(FP::UNO, v, v, "nan")
            .map_err(llvm_err)?;
        self.trap_if(nan, trap_code::BAD_CONVERSION)?;
        let bits = to.get_bit_width() as i32;
        let mantissa = if fty == self.f32t() { 24 } else { 53 };
        // Valid inputs are those whose truncation fits: lo < x < hi, or lo <= x when lo+1
        // is not representable (then lo itself is the exclusive bound's neighbour).
        let (lo, lo_inclusive, hi) = if signed {
            let min = -(2f64.powi(bits - 1));
            if bits - 1 < mantissa {
                (min - 1.0, false, 2f64.powi(bits - 1))
            } else {
                (min, true, 2f64.powi(bits - 1))
            }
        } else {
            (-1.0, false, 2f64.powi(bits))
        };
        let b = &env.b;
        let lo_ok = b
            .build_float_compare(
                if lo_inclusive { FP::OGE } else { FP::OGT },
                v,
                fty.const_float(lo),
                "lo",
            )
            .map_err(llvm_err)?;
        let hi_ok = b
            .build_float_compare(FP::OLT, v, fty.const_float(hi), "hi")
            .map_err(llvm_err)?;
        let ok = b.build_and(lo_ok, hi_ok, "inrange").map_err(llvm_err)?;
        let bad = b.build_not(ok, "bad").map_err(llvm_err)?;
        self.trap_if(bad, trap_code::INT_OVERFLOW)?;
        let b = &env.b;
        let r = if signed {
            b.build_float_to_signed_int(v, to, "trunc")
        } else {
            b.build_float_to_unsigned_int(v, to, "trunc")
        }
        .map_err(llvm_err)?;
        self.push(r);
        Ok(())
    }

    /// Saturating truncation (LLVM's fpto[su]i.sat match the spec, NaN -> 0).
    fn trunc_sat(&mut self, to: IntType<'ctx>, signed: bool) -> Res<()> {
        let v = self.pop();
        let r = self.sat_convert(v, to.into(), signed)?;
        self.push(r);
        Ok(())
    }

    /// `v` (a float or a float vector) converted to `to` with LLVM's saturating
    /// fpto[su]i.sat, which is exactly Wasm's `trunc_sat`, lane-wise for vectors.
    pub(crate) fn sat_convert(
        &self,
        v: inkwell::values::BasicValueEnum<'ctx>,
        to: inkwell::types::BasicTypeEnum<'ctx>,
        signed: bool,
    ) -> Res<inkwell::values::BasicValueEnum<'ctx>> {
        let name = if signed {
            "llvm.fptosi.sat"
        } else {
            "llvm.fptoui.sat"
        };
        let f = self.env.intrinsic(name, &[to, v.get_type()]);
        Ok(self
            .env
            .b
            .build_call(f, &[v.into()], "sat")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("sat result")?)
    }

    /// IEEE minimum/maximum (NaN-propagating, -0 < +0), with NaN results quieted: LLVM's
    /// lowering returns a NaN operand unchanged, but Wasm wants an arithmetic NaN. The
    /// quieting `l + r` has its operands hidden where LLVM could fold it (`x + -0 -> x`);
    /// the minimum/maximum itself does not need that.
    fn min_max(&mut self, name: &str) -> Res<()> {
        let r = self.pop().into_float_value();
        let l = self.pop().into_float_value();
        self.push(l);
        self.push(r);
        self.intrinsic_op(name, 2, false)?;
        let m = self.pop().into_float_value();
        let b = &self.env.b;
        let nan = b
            .build_float_compare(FP::UNO, l, r, "nan")
            .map_err(llvm_err)?;
        let (ql, qr) = (self.fold_prone(l)?, self.fold_prone(r)?);
        let b = &self.env.b;
        let quiet = b.build_float_add(ql, qr, "quiet").map_err(llvm_err)?;
        let v = b.build_select(nan, quiet, m, "minmax").map_err(llvm_err)?;
        self.push(v);
        Ok(())
    }

    fn fneg(&mut self) -> Res<()> {
        let v = self.pop().into_float_value();
        let r = self.env.b.build_float_neg(v, "neg").map_err(llvm_err)?;
        self.push(r);
        Ok(())
    }

    pub(crate) fn numeric_op(&mut self, op: &wasmparser::Operator) -> Res<bool> {
        let (i32t, i64t) = (self.env.i32(), self.env.i64());
        match op {
            O::I32Eqz | O::I64Eqz => self.eqz()?,
            O::I32Eq | O::I64Eq => self.icmp(IP::EQ)?,
            O::I32Ne | O::I64Ne => self.icmp(IP::NE)?,
            O::I32LtS | O::I64LtS => self.icmp(IP::SLT)?,
            O::I32LtU | O::I64LtU => self.icmp(IP::ULT)?,
            O::I32GtS | O::I64GtS => self.icmp(IP::SGT)?,
            O::I32GtU | O::I64GtU => self.icmp(IP::UGT)?,
            O::I32LeS | O::I64LeS => self.icmp(IP::SLE)?,
            O::I32LeU | O::I64LeU => self.icmp(IP::ULE)?,
            O::I32GeS | O::I64GeS => self.icmp(IP::SGE)?,
            O::I32GeU | O::I64GeU => self.icmp(IP::UGE)?,
            O::F32Eq | O::F64Eq => self.fcmp(FP::OEQ)?,
            O::F32Ne | O::F64Ne => self.fcmp(FP::UNE)?,
            O::F32Lt | O::F64Lt => self.fcmp(FP::OLT)?,
            O::F32Gt | O::F64Gt => self.fcmp(FP::OGT)?,
            O::F32Le | O::F64Le => self.fcmp(FP::OLE)?,
            O::F32Ge | O::F64Ge => self.fcmp(FP::OGE)?,
            O::I32Clz | O::I64Clz => self.intrinsic_op("llvm.ctlz", 1, true)?,
            O::I32Ctz | O::I64Ctz => self.intrinsic_op("llvm.cttz", 1, true)?,
            O::I32Popcnt | O::I64Popcnt => self.intrinsic_op("llvm.ctpop", 1, false)?,
            O::I32Add | O::I64Add => self.ibin(|b, l, r| b.build_int_add(l, r, "add"))?,
            O::I32Sub | O::I64Sub => self.ibin(|b, l, r| b.build_int_sub(l, r, "sub"))?,
            O::I32Mul | O::I64Mul => self.ibin(|b, l, r| b.build_int_mul(l, r, "mul"))?,
            O::I32DivS | O::I64DivS => self.division(Div::DivS)?,
            O::I32DivU | O::I64DivU => self.division(Div::DivU)?,
            O::I32RemS | O::I64RemS => self.division(Div::RemS)?,
            O::I32RemU | O::I64RemU => self.division(Div::RemU)?,
            O::I32And | O::I64And => self.ibin(|b, l, r| b.build_and(l, r, "and"))?,
            O::I32Or | O::I64Or => self.ibin(|b, l, r| b.build_or(l, r, "or"))?,
            O::I32Xor | O::I64Xor => self.ibin(|b, l, r| b.build_xor(l, r, "xor"))?,
            O::I32Shl | O::I64Shl => self.shift(|b, l, r| b.build_left_shift(l, r, "shl"))?,
            O::I32ShrS | O::I64ShrS => {
                self.shift(|b, l, r| b.build_right_shift(l, r, true, "shr"))?
            }
            O::I32ShrU | O::I64ShrU => {
                self.shift(|b, l, r| b.build_right_shift(l, r, false, "shr"))?
            }
            O::I32Rotl | O::I64Rotl => self.rotate(true)?,
            O::I32Rotr | O::I64Rotr => self.rotate(false)?,
            O::F32Abs | O::F64Abs => self.intrinsic_op("llvm.fabs", 1, false)?,
            O::F32Neg | O::F64Neg => self.fneg()?,
            O::F32Ceil | O::F64Ceil => self.intrinsic_op("llvm.ceil", 1, false)?,
            O::F32Floor | O::F64Floor => self.intrinsic_op("llvm.floor", 1, false)?,
            O::F32Trunc | O::F64Trunc => self.intrinsic_op("llvm.trunc", 1, false)?,
            O::F32Nearest | O::F64Nearest => self.intrinsic_op("llvm.roundeven", 1, false)?,
            O::F32Sqrt | O::F64Sqrt => self.intrinsic_op("llvm.sqrt", 1, false)?,
            O::F32Add | O::F64Add => self.fbin(true, |b, l, r| b.build_float_add(l, r, "fadd"))?,
            O::F32Sub | O::F64Sub => self.fbin(true, |b, l, r| b.build_float_sub(l, r, "fsub"))?,
            O::F32Mul | O::F64Mul => self.fbin(true, |b, l, r| b.build_float_mul(l, r, "fmul"))?,
            O::F32Div | O::F64Div => self.fbin(false, |b, l, r| b.build_float_div(l, r, "fdiv"))?,
            O::F32Min | O::F64Min => self.min_max("llvm.minimum")?,
            O::F32Max | O::F64Max => self.min_max("llvm.maximum")?,
            O::F32Copysign | O::F64Copysign => self.intrinsic_op("llvm.copysign", 2, false)?,
            O::I32WrapI64 => self.int_convert(i32t, false)?,
            O::I64ExtendI32S => self.int_convert(i64t, true)?,
            O::I64ExtendI32U => self.int_convert(i64t, false)?,
            O::I32TruncF32S | O::I32TruncF64S => self.trunc(i32t, true)?,
            O::I32TruncF32U | O::I32TruncF64U => self.trunc(i32t, false)?,
            O::I64TruncF32S | O::I64TruncF64S => self.trunc(i64t, true)?,
            O::I64TruncF32U | O::I64TruncF64U => self.trunc(i64t, false)?,
            O::I32TruncSatF32S | O::I32TruncSatF64S => self.trunc_sat(i32t, true)?,
            O::I32TruncSatF32U | O::I32TruncSatF64U => self.trunc_sat(i32t, false)?,
            O::I64TruncSatF32S | O::I64TruncSatF64S => self.trunc_sat(i64t, true)?,
            O::I64TruncSatF32U | O::I64TruncSatF64U => self.trunc_sat(i64t, false)?,
            O::F32ConvertI32S | O::F32ConvertI64S => self.int_to_float(self.f32t(), true)?,
            O::F32ConvertI32U | O::F32ConvertI64U => self.int_to_float(self.f32t(), false)?,
            O::F64ConvertI32S | O::F64ConvertI64S => self.int_to_float(self.f64t(), true)?,
            O::F64ConvertI32U | O::F64ConvertI64U => self.int_to_float(self.f64t(), false)?,
            O::F32DemoteF64 => self.float_to_float(self.f32t())?,
            O::F64PromoteF32 => self.float_to_float(self.f64t())?,
            O::I32ReinterpretF32 => self.reinterpret(i32t.into())?,
            O::I64ReinterpretF64 => self.reinterpret(i64t.into())?,
            O::F32ReinterpretI32 => self.reinterpret(self.f32t().into())?,
            O::F64ReinterpretI64 => self.reinterpret(self.f64t().into())?,
            O::I32Extend8S | O::I64Extend8S => self.sign_extend_from(8)?,
            O::I32Extend16S | O::I64Extend16S => self.sign_extend_from(16)?,
            O::I64Extend32S => self.sign_extend_from(32)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}
