//! Integer lane arithmetic, saturation, widening, comparisons and shifts.
//!
//! Every operator is written with plain LLVM vector IR (or a target-independent intrinsic:
//! `llvm.smin`, `llvm.sadd.sat`, `llvm.abs`, `llvm.ctpop`, ...) whose semantics are exactly
//! Wasm's: wrapping arithmetic, lanes in little-endian order (lane 0 is LLVM element 0).
use super::super::env::{llvm_err, Res};
use super::super::func::FuncTx;
use super::Shape;
use inkwell::types::VectorType;
use inkwell::values::{BasicMetadataValueEnum, IntValue, VectorValue};
use inkwell::IntPredicate as IP;
use wasmparser::Operator as O;

/// A lane-wise binary operator of the builder.
#[derive(Clone, Copy)]
enum Bin {
    Add,
    Sub,
    Mul,
}

/// Which half of a vector a widening operator reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Half {
    Low,
    High,
}

/// The shape with lanes twice as wide (and half as many).
fn wider(s: Shape) -> Shape {
    match s {
        Shape::I8x16 => Shape::I16x8,
        Shape::I16x8 => Shape::I32x4,
        _ => Shape::I64x2,
    }
}

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn simd_int_op(&mut self, op: &O) -> Res<bool> {
        use Shape::{I16x8, I32x4, I64x2, I8x16};
        match op {
            O::I8x16Add => self.vbin(I8x16, Bin::Add)?,
            O::I16x8Add => self.vbin(I16x8, Bin::Add)?,
            O::I32x4Add => self.vbin(I32x4, Bin::Add)?,
            O::I64x2Add => self.vbin(I64x2, Bin::Add)?,
            O::I8x16Sub => self.vbin(I8x16, Bin::Sub)?,
            O::I16x8Sub => self.vbin(I16x8, Bin::Sub)?,
            O::I32x4Sub => self.vbin(I32x4, Bin::Sub)?,
            O::I64x2Sub => self.vbin(I64x2, Bin::Sub)?,
            O::I16x8Mul => self.vbin(I16x8, Bin::Mul)?,
            O::I32x4Mul => self.vbin(I32x4, Bin::Mul)?,
            O::I64x2Mul => self.vbin(I64x2, Bin::Mul)?,

            O::I8x16Neg => self.vneg(I8x16)?,
            O::I16x8Neg => self.vneg(I16x8)?,
            O::I32x4Neg => self.vneg(I32x4)?,
            O::I64x2Neg => self.vneg(I64x2)?,
            O::I8x16Abs => self.vabs(I8x16)?,
            O::I16x8Abs => self.vabs(I16x8)?,
            O::I32x4Abs => self.vabs(I32x4)?,
            O::I64x2Abs => self.vabs(I64x2)?,
            O::I8x16Popcnt => {
                let v = self.pop_shape(I8x16)?;
                let r = self.vcall("llvm.ctpop", &[v.into()])?;
                self.push_v128(r)?;
            }

            O::I8x16Eq => self.vcmp(I8x16, IP::EQ)?,
            O::I8x16Ne => self.vcmp(I8x16, IP::NE)?,
            O::I8x16LtS => self.vcmp(I8x16, IP::SLT)?,
            O::I8x16LtU => self.vcmp(I8x16, IP::ULT)?,
            O::I8x16GtS => self.vcmp(I8x16, IP::SGT)?,
            O::I8x16GtU => self.vcmp(I8x16, IP::UGT)?,
            O::I8x16LeS => self.vcmp(I8x16, IP::SLE)?,
            O::I8x16LeU => self.vcmp(I8x16, IP::ULE)?,
            O::I8x16GeS => self.vcmp(I8x16, IP::SGE)?,
            O::I8x16GeU => self.vcmp(I8x16, IP::UGE)?,
            O::I16x8Eq => self.vcmp(I16x8, IP::EQ)?,
            O::I16x8Ne => self.vcmp(I16x8, IP::NE)?,
            O::I16x8LtS => self.vcmp(I16x8, IP::SLT)?,
            O::I16x8LtU => self.vcmp(I16x8, IP::ULT)?,
            O::I16x8GtS => self.vcmp(I16x8, IP::SGT)?,
            O::I16x8GtU => self.vcmp(I16x8, IP::UGT)?,
            O::I16x8LeS => self.vcmp(I16x8, IP::SLE)?,
            O::I16x8LeU => self.vcmp(I16x8, IP::ULE)?,
            O::I16x8GeS => self.vcmp(I16x8, IP::SGE)?,
            O::I16x8GeU => self.vcmp(I16x8, IP::UGE)?,
            O::I32x4Eq => self.vcmp(I32x4, IP::EQ)?,
            O::I32x4Ne => self.vcmp(I32x4, IP::NE)?,
            O::I32x4LtS => self.vcmp(I32x4, IP::SLT)?,
            O::I32x4LtU => self.vcmp(I32x4, IP::ULT)?,
            O::I32x4GtS => self.vcmp(I32x4, IP::SGT)?,
            O::I32x4GtU => self.vcmp(I32x4, IP::UGT)?,
            O::I32x4LeS => self.vcmp(I32x4, IP::SLE)?,
            O::I32x4LeU => self.vcmp(I32x4, IP::ULE)?,
            O::I32x4GeS => self.vcmp(I32x4, IP::SGE)?,
            O::I32x4GeU => self.vcmp(I32x4, IP::UGE)?,
            O::I64x2Eq => self.vcmp(I64x2, IP::EQ)?,
            O::I64x2Ne => self.vcmp(I64x2, IP::NE)?,
            O::I64x2LtS => self.vcmp(I64x2, IP::SLT)?,
            O::I64x2GtS => self.vcmp(I64x2, IP::SGT)?,
            O::I64x2LeS => self.vcmp(I64x2, IP::SLE)?,
            O::I64x2GeS => self.vcmp(I64x2, IP::SGE)?,

            O::I8x16Shl | O::I16x8Shl | O::I32x4Shl | O::I64x2Shl => self.vshift(op)?,
            O::I8x16ShrS | O::I16x8ShrS | O::I32x4ShrS | O::I64x2ShrS => self.vshift(op)?,
            O::I8x16ShrU | O::I16x8ShrU | O::I32x4ShrU | O::I64x2ShrU => self.vshift(op)?,

            O::I8x16AllTrue => self.all_true(I8x16)?,
            O::I16x8AllTrue => self.all_true(I16x8)?,
            O::I32x4AllTrue => self.all_true(I32x4)?,
            O::I64x2AllTrue => self.all_true(I64x2)?,
            O::I8x16Bitmask => self.bitmask(I8x16)?,
            O::I16x8Bitmask => self.bitmask(I16x8)?,
            O::I32x4Bitmask => self.bitmask(I32x4)?,
            O::I64x2Bitmask => self.bitmask(I64x2)?,

            O::I8x16MinS => self.vbin_intrinsic(I8x16, "llvm.smin")?,
            O::I8x16MinU => self.vbin_intrinsic(I8x16, "llvm.umin")?,
            O::I8x16MaxS => self.vbin_intrinsic(I8x16, "llvm.smax")?,
            O::I8x16MaxU => self.vbin_intrinsic(I8x16, "llvm.umax")?,
            O::I16x8MinS => self.vbin_intrinsic(I16x8, "llvm.smin")?,
            O::I16x8MinU => self.vbin_intrinsic(I16x8, "llvm.umin")?,
            O::I16x8MaxS => self.vbin_intrinsic(I16x8, "llvm.smax")?,
            O::I16x8MaxU => self.vbin_intrinsic(I16x8, "llvm.umax")?,
            O::I32x4MinS => self.vbin_intrinsic(I32x4, "llvm.smin")?,
            O::I32x4MinU => self.vbin_intrinsic(I32x4, "llvm.umin")?,
            O::I32x4MaxS => self.vbin_intrinsic(I32x4, "llvm.smax")?,
            O::I32x4MaxU => self.vbin_intrinsic(I32x4, "llvm.umax")?,
            O::I8x16AddSatS => self.vbin_intrinsic(I8x16, "llvm.sadd.sat")?,
            O::I8x16AddSatU => self.vbin_intrinsic(I8x16, "llvm.uadd.sat")?,
            O::I8x16SubSatS => self.vbin_intrinsic(I8x16, "llvm.ssub.sat")?,
            O::I8x16SubSatU => self.vbin_intrinsic(I8x16, "llvm.usub.sat")?,
            O::I16x8AddSatS => self.vbin_intrinsic(I16x8, "llvm.sadd.sat")?,
            O::I16x8AddSatU => self.vbin_intrinsic(I16x8, "llvm.uadd.sat")?,
            O::I16x8SubSatS => self.vbin_intrinsic(I16x8, "llvm.ssub.sat")?,
            O::I16x8SubSatU => self.vbin_intrinsic(I16x8, "llvm.usub.sat")?,
            O::I8x16AvgrU => self.avgr_u(I8x16)?,
            O::I16x8AvgrU => self.avgr_u(I16x8)?,

            O::I8x16NarrowI16x8S => self.narrow(I16x8, true)?,
            O::I8x16NarrowI16x8U => self.narrow(I16x8, false)?,
            O::I16x8NarrowI32x4S => self.narrow(I32x4, true)?,
            O::I16x8NarrowI32x4U => self.narrow(I32x4, false)?,

            O::I16x8ExtendLowI8x16S => self.extend(I8x16, Half::Low, true)?,
            O::I16x8ExtendHighI8x16S => self.extend(I8x16, Half::High, true)?,
            O::I16x8ExtendLowI8x16U => self.extend(I8x16, Half::Low, false)?,
            O::I16x8ExtendHighI8x16U => self.extend(I8x16, Half::High, false)?,
            O::I32x4ExtendLowI16x8S => self.extend(I16x8, Half::Low, true)?,
            O::I32x4ExtendHighI16x8S => self.extend(I16x8, Half::High, true)?,
            O::I32x4ExtendLowI16x8U => self.extend(I16x8, Half::Low, false)?,
            O::I32x4ExtendHighI16x8U => self.extend(I16x8, Half::High, false)?,
            O::I64x2ExtendLowI32x4S => self.extend(I32x4, Half::Low, true)?,
            O::I64x2ExtendHighI32x4S => self.extend(I32x4, Half::High, true)?,
            O::I64x2ExtendLowI32x4U => self.extend(I32x4, Half::Low, false)?,
            O::I64x2ExtendHighI32x4U => self.extend(I32x4, Half::High, false)?,

            O::I16x8ExtMulLowI8x16S => self.extmul(I8x16, Half::Low, true)?,
            O::I16x8ExtMulHighI8x16S => self.extmul(I8x16, Half::High, true)?,
            O::I16x8ExtMulLowI8x16U => self.extmul(I8x16, Half::Low, false)?,
            O::I16x8ExtMulHighI8x16U => self.extmul(I8x16, Half::High, false)?,
            O::I32x4ExtMulLowI16x8S => self.extmul(I16x8, Half::Low, true)?,
            O::I32x4ExtMulHighI16x8S => self.extmul(I16x8, Half::High, true)?,
            O::I32x4ExtMulLowI16x8U => self.extmul(I16x8, Half::Low, false)?,
            O::I32x4ExtMulHighI16x8U => self.extmul(I16x8, Half::High, false)?,
            O::I64x2ExtMulLowI32x4S => self.extmul(I32x4, Half::Low, true)?,
            O::I64x2ExtMulHighI32x4S => self.extmul(I32x4, Half::High, true)?,
            O::I64x2ExtMulLowI32x4U => self.extmul(I32x4, Half::Low, false)?,
            O::I64x2ExtMulHighI32x4U => self.extmul(I32x4, Half::High, false)?,

            O::I16x8ExtAddPairwiseI8x16S => self.extadd_pairwise(I8x16, true)?,
            O::I16x8ExtAddPairwiseI8x16U => self.extadd_pairwise(I8x16, false)?,
            O::I32x4ExtAddPairwiseI16x8S => self.extadd_pairwise(I16x8, true)?,
            O::I32x4ExtAddPairwiseI16x8U => self.extadd_pairwise(I16x8, false)?,

            O::I32x4DotI16x8S => self.dot_i16x8_s()?,
            O::I16x8Q15MulrSatS => self.q15mulr_sat_s()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A constant `<n x iBITS>` with `x` (truncated to the lane width) in every lane.
    fn const_lanes(&self, bits: u32, n: u32, x: i64) -> VectorValue<'ctx> {
        let lane = self.env.int_bits(bits).const_int(x as u64, true);
        VectorType::const_vector(&vec![lane; n as usize])
    }

    /// A vector of `ty` with the non-constant `x` in every lane.
    fn dyn_splat(&self, ty: VectorType<'ctx>, x: IntValue<'ctx>) -> Res<VectorValue<'ctx>> {
        self.splat_vec(ty, x.into())
    }

    /// Pick lanes `idx` of `v` (from one vector, `shufflevector v, poison`).
    fn pick(&self, v: VectorValue<'ctx>, idx: impl Iterator<Item = u32>) -> Res<VectorValue<'ctx>> {
        self.shuffle2(v, v.get_type().get_undef(), idx)
    }

    /// Lanes `idx` of the concatenation of `a` and `b` (same type).
    fn shuffle2(
        &self,
        a: VectorValue<'ctx>,
        b: VectorValue<'ctx>,
        idx: impl Iterator<Item = u32>,
    ) -> Res<VectorValue<'ctx>> {
        let i32t = self.env.i32();
        let mask: Vec<_> = idx.map(|i| i32t.const_int(u64::from(i), false)).collect();
        self.env
            .b
            .build_shuffle_vector(a, b, VectorType::const_vector(&mask), "pick")
            .map_err(llvm_err)
    }

    /// Call an intrinsic overloaded on its first argument's (vector) type.
    fn vcall(&self, name: &str, args: &[BasicMetadataValueEnum<'ctx>]) -> Res<VectorValue<'ctx>> {
        let BasicMetadataValueEnum::VectorValue(first) = args[0] else {
            return Err(format!("{name}: vector operand expected").into());
        };
        let f = self.env.intrinsic(name, &[first.get_type().into()]);
        Ok(self
            .env
            .b
            .build_call(f, args, "v")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("intrinsic result")?
            .into_vector_value())
    }

    fn vbin(&mut self, shape: Shape, op: Bin) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let b = &self.env.b;
        let v = match op {
            Bin::Add => b.build_int_add(l, r, "add"),
            Bin::Sub => b.build_int_sub(l, r, "sub"),
            Bin::Mul => b.build_int_mul(l, r, "mul"),
        }
        .map_err(llvm_err)?;
        self.push_v128(v)
    }

    fn vbin_intrinsic(&mut self, shape: Shape, name: &str) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let v = self.vcall(name, &[l.into(), r.into()])?;
        self.push_v128(v)
    }

    fn vneg(&mut self, shape: Shape) -> Res<()> {
        let v = self.pop_shape(shape)?;
        let zero = self.shape_type(shape).const_zero();
        let n = self.env.b.build_int_sub(zero, v, "neg").map_err(llvm_err)?;
        self.push_v128(n)
    }

    /// `abs`: the minimum stays itself (`llvm.abs` with is_int_min_poison = false).
    fn vabs(&mut self, shape: Shape) -> Res<()> {
        let v = self.pop_shape(shape)?;
        let no_poison = self.env.ctx.bool_type().const_zero();
        let r = self.vcall("llvm.abs", &[v.into(), no_poison.into()])?;
        self.push_v128(r)
    }

    /// Comparisons give all-ones (true) or all-zeros (false) lanes.
    fn vcmp(&mut self, shape: Shape, p: IP) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let b = &self.env.b;
        let c = b.build_int_compare(p, l, r, "cmp").map_err(llvm_err)?;
        let v = b
            .build_int_s_extend(c, self.shape_type(shape), "mask")
            .map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// Shifts by an i32 count taken modulo the lane width.
    fn vshift(&mut self, op: &O) -> Res<()> {
        use Shape::{I16x8, I32x4, I64x2, I8x16};
        let (shape, kind) = match op {
            O::I8x16Shl => (I8x16, 0),
            O::I16x8Shl => (I16x8, 0),
            O::I32x4Shl => (I32x4, 0),
            O::I64x2Shl => (I64x2, 0),
            O::I8x16ShrS => (I8x16, 1),
            O::I16x8ShrS => (I16x8, 1),
            O::I32x4ShrS => (I32x4, 1),
            O::I64x2ShrS => (I64x2, 1),
            O::I8x16ShrU => (I8x16, 2),
            O::I16x8ShrU => (I16x8, 2),
            O::I32x4ShrU => (I32x4, 2),
            _ => (I64x2, 2),
        };
        let n = self.pop_int();
        let v = self.pop_shape(shape)?;
        let ty = self.shape_type(shape);
        let lane = ty.get_element_type().into_int_type();
        let b = &self.env.b;
        let bits = u64::from(shape.lane_bits());
        let n = b
            .build_and(n, n.get_type().const_int(bits - 1, false), "amt")
            .map_err(llvm_err)?;
        let n = b
            .build_int_cast_sign_flag(n, lane, false, "amt")
            .map_err(llvm_err)?;
        let n = self.dyn_splat(ty, n)?;
        let b = &self.env.b;
        let r = match kind {
            0 => b.build_left_shift(v, n, "shl"),
            1 => b.build_right_shift(v, n, true, "shr_s"),
            _ => b.build_right_shift(v, n, false, "shr_u"),
        }
        .map_err(llvm_err)?;
        self.push_v128(r)
    }

    /// A `<N x i1>` as an `iN`, bit i from lane i.
    fn bits_of(&self, m: VectorValue<'ctx>) -> Res<IntValue<'ctx>> {
        let n = m.get_type().get_size();
        let ty = std::num::NonZeroU32::new(n)
            .and_then(|n| self.env.ctx.custom_width_int_type(n).ok())
            .ok_or("bitmask width")?;
        Ok(self
            .env
            .b
            .build_bit_cast(m, ty, "bits")
            .map_err(llvm_err)?
            .into_int_value())
    }

    fn all_true(&mut self, shape: Shape) -> Res<()> {
        let v = self.pop_shape(shape)?;
        let zero = self.shape_type(shape).const_zero();
        let b = &self.env.b;
        let nz = b
            .build_int_compare(IP::NE, v, zero, "nz")
            .map_err(llvm_err)?;
        let bits = self.bits_of(nz)?;
        let b = &self.env.b;
        let all = b
            .build_int_compare(IP::EQ, bits, bits.get_type().const_all_ones(), "all")
            .map_err(llvm_err)?;
        let r = b
            .build_int_z_extend(all, self.env.i32(), "alltrue")
            .map_err(llvm_err)?;
        self.push(r);
        Ok(())
    }

    fn bitmask(&mut self, shape: Shape) -> Res<()> {
        let v = self.pop_shape(shape)?;
        let zero = self.shape_type(shape).const_zero();
        let b = &self.env.b;
        let neg = b
            .build_int_compare(IP::SLT, v, zero, "top")
            .map_err(llvm_err)?;
        let bits = self.bits_of(neg)?;
        let r = self
            .env
            .b
            .build_int_z_extend(bits, self.env.i32(), "bitmask")
            .map_err(llvm_err)?;
        self.push(r);
        Ok(())
    }

    /// `avgr_u`: (a + b + 1) / 2 computed without overflow in twice the lane width.
    fn avgr_u(&mut self, shape: Shape) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let lanes = shape.lanes();
        let wide = self.env.int_bits(shape.lane_bits() * 2).vec_type(lanes);
        let b = &self.env.b;
        let lw = b.build_int_z_extend(l, wide, "l").map_err(llvm_err)?;
        let rw = b.build_int_z_extend(r, wide, "r").map_err(llvm_err)?;
        let one = self.const_lanes(shape.lane_bits() * 2, lanes, 1);
        let s = b.build_int_add(lw, rw, "s").map_err(llvm_err)?;
        let s = b.build_int_add(s, one, "s1").map_err(llvm_err)?;
        let s = b
            .build_right_shift(s, one, false, "half")
            .map_err(llvm_err)?;
        let t = b
            .build_int_truncate(s, self.shape_type(shape), "avgr")
            .map_err(llvm_err)?;
        self.push_v128(t)
    }

    /// Saturating narrow of two `from` vectors (lhs lanes first) into lanes half as wide,
    /// each lane read as signed and clamped to the signed or unsigned narrow range.
    fn narrow(&mut self, from: Shape, signed: bool) -> Res<()> {
        let r = self.pop_shape(from)?;
        let l = self.pop_shape(from)?;
        let n = from.lanes();
        let both = self.shuffle2(l, r, 0..2 * n)?;
        let nb = from.lane_bits() / 2;
        let (lo, hi) = if signed {
            (-(1i64 << (nb - 1)), (1i64 << (nb - 1)) - 1)
        } else {
            (0, (1i64 << nb) - 1)
        };
        let lo = self.const_lanes(from.lane_bits(), 2 * n, lo);
        let hi = self.const_lanes(from.lane_bits(), 2 * n, hi);
        let c = self.vcall("llvm.smax", &[both.into(), lo.into()])?;
        let c = self.vcall("llvm.smin", &[c.into(), hi.into()])?;
        let t = self
            .env
            .b
            .build_int_truncate(c, self.env.int_bits(nb).vec_type(2 * n), "narrow")
            .map_err(llvm_err)?;
        self.push_v128(t)
    }

    /// Half of a `from` vector's lanes, extended to twice their width.
    fn widen_half(
        &self,
        v: VectorValue<'ctx>,
        from: Shape,
        half: Half,
        signed: bool,
    ) -> Res<VectorValue<'ctx>> {
        let n = from.lanes() / 2;
        let start = if half == Half::Low { 0 } else { n };
        let h = self.pick(v, start..start + n)?;
        self.widen(h, from, signed)
    }

    /// Extend each lane of `v` (lanes of `from`'s width) to twice its width.
    fn widen(&self, v: VectorValue<'ctx>, from: Shape, signed: bool) -> Res<VectorValue<'ctx>> {
        let n = v.get_type().get_size();
        let ty = self.env.int_bits(wider(from).lane_bits()).vec_type(n);
        let b = &self.env.b;
        if signed {
            b.build_int_s_extend(v, ty, "sx")
        } else {
            b.build_int_z_extend(v, ty, "zx")
        }
        .map_err(llvm_err)
    }

    fn extend(&mut self, from: Shape, half: Half, signed: bool) -> Res<()> {
        let v = self.pop_shape(from)?;
        let w = self.widen_half(v, from, half, signed)?;
        self.push_v128(w)
    }

    fn extmul(&mut self, from: Shape, half: Half, signed: bool) -> Res<()> {
        let r = self.pop_shape(from)?;
        let l = self.pop_shape(from)?;
        let lw = self.widen_half(l, from, half, signed)?;
        let rw = self.widen_half(r, from, half, signed)?;
        let m = self
            .env
            .b
            .build_int_mul(lw, rw, "extmul")
            .map_err(llvm_err)?;
        self.push_v128(m)
    }

    /// Even and odd lanes of a `from` vector, each extended to twice its width.
    fn even_odd(
        &self,
        v: VectorValue<'ctx>,
        from: Shape,
        signed: bool,
    ) -> Res<(VectorValue<'ctx>, VectorValue<'ctx>)> {
        let n = from.lanes() / 2;
        let even = self.pick(v, (0..n).map(|i| 2 * i))?;
        let odd = self.pick(v, (0..n).map(|i| 2 * i + 1))?;
        Ok((
            self.widen(even, from, signed)?,
            self.widen(odd, from, signed)?,
        ))
    }

    fn extadd_pairwise(&mut self, from: Shape, signed: bool) -> Res<()> {
        let v = self.pop_shape(from)?;
        let (even, odd) = self.even_odd(v, from, signed)?;
        let s = self
            .env
            .b
            .build_int_add(even, odd, "pairwise")
            .map_err(llvm_err)?;
        self.push_v128(s)
    }

    /// `i32x4.dot_i16x8_s`: products of signed lane pairs, adjacent products added (wrapping).
    fn dot_i16x8_s(&mut self) -> Res<()> {
        let r = self.pop_shape(Shape::I16x8)?;
        let l = self.pop_shape(Shape::I16x8)?;
        let (le, lo) = self.even_odd(l, Shape::I16x8, true)?;
        let (re, ro) = self.even_odd(r, Shape::I16x8, true)?;
        let b = &self.env.b;
        let pe = b.build_int_mul(le, re, "pe").map_err(llvm_err)?;
        let po = b.build_int_mul(lo, ro, "po").map_err(llvm_err)?;
        let s = b.build_int_add(pe, po, "dot").map_err(llvm_err)?;
        self.push_v128(s)
    }

    /// `i16x8.q15mulr_sat_s`: (a * b + 0x4000) >> 15 (arithmetic), saturated to i16.
    pub(super) fn q15mulr_sat_s(&mut self) -> Res<()> {
        let r = self.pop_shape(Shape::I16x8)?;
        let l = self.pop_shape(Shape::I16x8)?;
        let lw = self.widen(l, Shape::I16x8, true)?;
        let rw = self.widen(r, Shape::I16x8, true)?;
        let round = self.const_lanes(32, 8, 0x4000);
        let sh = self.const_lanes(32, 8, 15);
        let max = self.const_lanes(32, 8, 0x7fff);
        let min = self.const_lanes(32, 8, -0x8000);
        let b = &self.env.b;
        let p = b.build_int_mul(lw, rw, "p").map_err(llvm_err)?;
        let p = b.build_int_add(p, round, "round").map_err(llvm_err)?;
        let p = b.build_right_shift(p, sh, true, "q15").map_err(llvm_err)?;
        let p = self.vcall("llvm.smin", &[p.into(), max.into()])?;
        let p = self.vcall("llvm.smax", &[p.into(), min.into()])?;
        let t = self
            .env
            .b
            .build_int_truncate(p, self.shape_type(Shape::I16x8), "q15mulr")
            .map_err(llvm_err)?;
        self.push_v128(t)
    }
}
