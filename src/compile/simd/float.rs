//! Float lane arithmetic (with Wasm's NaN rules), comparisons and conversions.
//!
//! Lane-wise twins of the scalar operators in `numeric.rs`, with the same precautions:
//! arithmetic operands are hidden from LLVM, which would fold identities such as `x * 1`
//! (so a signalling NaN still comes out quieted), min/max are `llvm.minimum`/`llvm.maximum` with NaN results quieted,
//! `nearest` is `llvm.roundeven`, and the saturating truncations are `llvm.fpto[su]i.sat`.
use super::super::env::{llvm_err, Res};
use super::super::func::FuncTx;
use super::Shape;
use inkwell::builder::{Builder, BuilderError};
use inkwell::types::VectorType;
use inkwell::values::{BasicMetadataValueEnum, VectorValue};
use inkwell::FloatPredicate as FP;
use wasmparser::Operator as O;

type VecBin<'ctx> = fn(
    &Builder<'ctx>,
    VectorValue<'ctx>,
    VectorValue<'ctx>,
) -> Result<VectorValue<'ctx>, BuilderError>;

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn simd_float_op(&mut self, op: &O) -> Res<bool> {
        use Shape::{F32x4 as F4, F64x2 as F2};
        match op {
            O::F32x4Add => self.vfbin(F4, |b, l, r| b.build_float_add(l, r, "fadd"))?,
            O::F64x2Add => self.vfbin(F2, |b, l, r| b.build_float_add(l, r, "fadd"))?,
            O::F32x4Sub => self.vfbin(F4, |b, l, r| b.build_float_sub(l, r, "fsub"))?,
            O::F64x2Sub => self.vfbin(F2, |b, l, r| b.build_float_sub(l, r, "fsub"))?,
            O::F32x4Mul => self.vfbin(F4, |b, l, r| b.build_float_mul(l, r, "fmul"))?,
            O::F64x2Mul => self.vfbin(F2, |b, l, r| b.build_float_mul(l, r, "fmul"))?,
            O::F32x4Div => self.vfbin(F4, |b, l, r| b.build_float_div(l, r, "fdiv"))?,
            O::F64x2Div => self.vfbin(F2, |b, l, r| b.build_float_div(l, r, "fdiv"))?,
            O::F32x4Sqrt => self.vfunary(F4, "llvm.sqrt")?,
            O::F64x2Sqrt => self.vfunary(F2, "llvm.sqrt")?,
            O::F32x4Ceil => self.vfunary(F4, "llvm.ceil")?,
            O::F64x2Ceil => self.vfunary(F2, "llvm.ceil")?,
            O::F32x4Floor => self.vfunary(F4, "llvm.floor")?,
            O::F64x2Floor => self.vfunary(F2, "llvm.floor")?,
            O::F32x4Trunc => self.vfunary(F4, "llvm.trunc")?,
            O::F64x2Trunc => self.vfunary(F2, "llvm.trunc")?,
            O::F32x4Nearest => self.vfunary(F4, "llvm.roundeven")?,
            O::F64x2Nearest => self.vfunary(F2, "llvm.roundeven")?,
            O::F32x4Neg => self.vsign(F4, false)?,
            O::F64x2Neg => self.vsign(F2, false)?,
            O::F32x4Abs => self.vsign(F4, true)?,
            O::F64x2Abs => self.vsign(F2, true)?,
            O::F32x4Min => self.vmin_max(F4, "llvm.minimum")?,
            O::F64x2Min => self.vmin_max(F2, "llvm.minimum")?,
            O::F32x4Max => self.vmin_max(F4, "llvm.maximum")?,
            O::F64x2Max => self.vmin_max(F2, "llvm.maximum")?,
            O::F32x4PMin => self.vpmin_pmax(F4, false)?,
            O::F64x2PMin => self.vpmin_pmax(F2, false)?,
            O::F32x4PMax => self.vpmin_pmax(F4, true)?,
            O::F64x2PMax => self.vpmin_pmax(F2, true)?,
            O::F32x4Eq => self.vfcmp(F4, FP::OEQ)?,
            O::F64x2Eq => self.vfcmp(F2, FP::OEQ)?,
            O::F32x4Ne => self.vfcmp(F4, FP::UNE)?,
            O::F64x2Ne => self.vfcmp(F2, FP::UNE)?,
            O::F32x4Lt => self.vfcmp(F4, FP::OLT)?,
            O::F64x2Lt => self.vfcmp(F2, FP::OLT)?,
            O::F32x4Gt => self.vfcmp(F4, FP::OGT)?,
            O::F64x2Gt => self.vfcmp(F2, FP::OGT)?,
            O::F32x4Le => self.vfcmp(F4, FP::OLE)?,
            O::F64x2Le => self.vfcmp(F2, FP::OLE)?,
            O::F32x4Ge => self.vfcmp(F4, FP::OGE)?,
            O::F64x2Ge => self.vfcmp(F2, FP::OGE)?,
            O::F32x4ConvertI32x4S => self.vconvert(false, true)?,
            O::F32x4ConvertI32x4U => self.vconvert(false, false)?,
            O::F64x2ConvertLowI32x4S => self.vconvert(true, true)?,
            O::F64x2ConvertLowI32x4U => self.vconvert(true, false)?,
            O::I32x4TruncSatF32x4S => self.vtrunc_sat(F4, true)?,
            O::I32x4TruncSatF32x4U => self.vtrunc_sat(F4, false)?,
            O::I32x4TruncSatF64x2SZero => self.vtrunc_sat(F2, true)?,
            O::I32x4TruncSatF64x2UZero => self.vtrunc_sat(F2, false)?,
            O::F32x4DemoteF64x2Zero => self.vdemote()?,
            O::F64x2PromoteLowF32x4 => self.vpromote()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Hide a vector from LLVM's optimiser (an empty inline asm "computes" it), as
    /// `numeric.rs` does for scalars: LLVM folds `x * 1.0 -> x` and the like, which is only
    /// wrong for a signalling NaN, which Wasm requires to come out quieted.
    pub(super) fn vopaque(&self, v: VectorValue<'ctx>) -> Res<VectorValue<'ctx>> {
        Ok(self.opaque_value(v.into())?.into_vector_value())
    }

    /// An operand of float arithmetic, hidden from LLVM, which could fold an identity with
    /// it (x+-0, x-0, x*1, x/1, x*-1, -0-x, ...) or fold the operation on a constant NaN.
    /// Every operand is hidden, not only constants: a constant can also reach the
    /// operation through a local once LLVM promotes it to a register, after lowering.
    fn vfold_prone(&self, v: VectorValue<'ctx>) -> Res<VectorValue<'ctx>> {
        self.vopaque(v)
    }

    fn vfbin(&mut self, shape: Shape, f: VecBin<'ctx>) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let (l, r) = (self.vfold_prone(l)?, self.vfold_prone(r)?);
        let v = f(&self.env.b, l, r).map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// Call a vector intrinsic overloaded on the operand type.
    fn vintrinsic(&self, name: &str, args: &[VectorValue<'ctx>]) -> Res<VectorValue<'ctx>> {
        let f = self.env.intrinsic(name, &[args[0].get_type().into()]);
        let margs: Vec<BasicMetadataValueEnum> = args.iter().map(|a| (*a).into()).collect();
        Ok(self
            .env
            .b
            .build_call(f, &margs, "i")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("intrinsic result")?
            .into_vector_value())
    }

    /// sqrt and the roundings: they quiet NaNs themselves (as the scalar ones do).
    fn vfunary(&mut self, shape: Shape, name: &str) -> Res<()> {
        let v = self.pop_shape(shape)?;
        let v = self.vfold_prone(v)?;
        let r = self.vintrinsic(name, &[v])?;
        self.push_v128(r)
    }

    /// `neg` and `abs` are bit operations on the sign bit (NaN payloads kept): done on the
    /// integer view, so nothing can treat them as arithmetic.
    fn vsign(&mut self, shape: Shape, abs: bool) -> Res<()> {
        let ishape = if shape == Shape::F32x4 {
            Shape::I32x4
        } else {
            Shape::I64x2
        };
        let v = self.pop_shape(ishape)?;
        let ity = self.shape_type(ishape);
        let lane = ity.get_element_type().into_int_type();
        let sign = 1u64 << (shape.lane_bits() - 1);
        let b = &self.env.b;
        let r = if abs {
            let mask = lane.const_int(!sign & (u64::MAX >> (64 - shape.lane_bits())), false);
            let mask = splat_const(mask.into(), shape.lanes());
            b.build_and(v, mask, "abs")
        } else {
            let mask = splat_const(lane.const_int(sign, false).into(), shape.lanes());
            b.build_xor(v, mask, "neg")
        }
        .map_err(llvm_err)?;
        self.push_v128(r)
    }

    /// IEEE minimum/maximum lane-wise (NaN-propagating, -0 < +0), NaN lanes quieted: the
    /// intrinsic may return a NaN operand unchanged, but Wasm wants an arithmetic NaN.
    pub(super) fn vmin_max(&mut self, shape: Shape, name: &str) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let (l, r) = (self.vfold_prone(l)?, self.vfold_prone(r)?);
        let m = self.vintrinsic(name, &[l, r])?;
        let b = &self.env.b;
        let nan = b
            .build_float_compare(FP::UNO, l, r, "nan")
            .map_err(llvm_err)?;
        let quiet = b.build_float_add(l, r, "quiet").map_err(llvm_err)?;
        let v = b.build_select(nan, quiet, m, "minmax").map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// `pmin` is `b < a ? b : a`, `pmax` is `a < b ? b : a`, lane-wise, exactly (no NaN or
    /// signed-zero special cases: the selected operand comes out bit for bit).
    pub(super) fn vpmin_pmax(&mut self, shape: Shape, max: bool) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let b = &self.env.b;
        let (x, y) = if max { (l, r) } else { (r, l) };
        let lt = b
            .build_float_compare(FP::OLT, x, y, "lt")
            .map_err(llvm_err)?;
        let v = b.build_select(lt, r, l, "pminmax").map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// Comparisons: all-ones lanes where true, all-zeros where false.
    fn vfcmp(&mut self, shape: Shape, p: FP) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let ity = if shape == Shape::F32x4 {
            self.shape_type(Shape::I32x4)
        } else {
            self.shape_type(Shape::I64x2)
        };
        let b = &self.env.b;
        let c = b.build_float_compare(p, l, r, "fcmp").map_err(llvm_err)?;
        let v = b.build_int_s_extend(c, ity, "mask").map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// Lanes `idx` of `a` (and, past its length, of `b`): a shuffle.
    fn vshuffle(
        &self,
        a: VectorValue<'ctx>,
        b: VectorValue<'ctx>,
        idx: &[u64],
    ) -> Res<VectorValue<'ctx>> {
        let i32t = self.env.i32();
        let mask: Vec<_> = idx.iter().map(|&i| i32t.const_int(i, false)).collect();
        self.env
            .b
            .build_shuffle_vector(a, b, VectorType::const_vector(&mask), "shuffle")
            .map_err(llvm_err)
    }

    /// `f32x4.convert_i32x4_s/u` and (`low`) `f64x2.convert_low_i32x4_s/u`.
    fn vconvert(&mut self, low: bool, signed: bool) -> Res<()> {
        let v = self.pop_shape(Shape::I32x4)?;
        let (v, to) = if low {
            let lo = self.vshuffle(v, v, &[0, 1])?;
            (lo, self.shape_type(Shape::F64x2))
        } else {
            (v, self.shape_type(Shape::F32x4))
        };
        let b = &self.env.b;
        let r = if signed {
            b.build_signed_int_to_float(v, to, "cvt")
        } else {
            b.build_unsigned_int_to_float(v, to, "cvt")
        }
        .map_err(llvm_err)?;
        self.push_v128(r)
    }

    /// `i32x4.trunc_sat_f32x4_s/u` and `i32x4.trunc_sat_f64x2_s/u_zero` (two lanes, then
    /// two zero lanes): LLVM's fpto[su]i.sat match the spec lane-wise (NaN -> 0).
    pub(super) fn vtrunc_sat(&mut self, from: Shape, signed: bool) -> Res<()> {
        let v = self.pop_shape(from)?;
        let to = self.env.i32().vec_type(from.lanes());
        let r = self
            .sat_convert(v.into(), to.into(), signed)?
            .into_vector_value();
        let r = if from.lanes() == 2 {
            self.vshuffle(r, to.const_zero(), &[0, 1, 2, 3])?
        } else {
            r
        };
        self.push_v128(r)
    }

    /// `f32x4.demote_f64x2_zero`. The operand is hidden from LLVM, which would otherwise
    /// fold demote(promote(x)) to x and let a signalling NaN through unquieted.
    fn vdemote(&mut self) -> Res<()> {
        let v = self.pop_shape(Shape::F64x2)?;
        let v = self.vopaque(v)?;
        let f2 = self.env.ctx.f32_type().vec_type(2);
        let d = self
            .env
            .b
            .build_float_trunc(v, f2, "demote")
            .map_err(llvm_err)?;
        let r = self.vshuffle(d, f2.const_zero(), &[0, 1, 2, 3])?;
        self.push_v128(r)
    }

    /// `f64x2.promote_low_f32x4` (the operand hidden from LLVM, as for demote).
    fn vpromote(&mut self) -> Res<()> {
        let v = self.pop_shape(Shape::F32x4)?;
        let v = self.vopaque(v)?;
        let lo = self.vshuffle(v, v, &[0, 1])?;
        let r = self
            .env
            .b
            .build_float_ext(lo, self.shape_type(Shape::F64x2), "promote")
            .map_err(llvm_err)?;
        self.push_v128(r)
    }
}

/// A constant vector with `x` in each of `n` lanes.
fn splat_const<'ctx>(x: inkwell::values::BasicValueEnum<'ctx>, n: u32) -> VectorValue<'ctx> {
    let lanes = vec![x; n as usize];
    VectorType::const_vector(&lanes)
}
