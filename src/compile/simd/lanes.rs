//! Splat, extract/replace lane, shuffle, swizzle, bitwise and boolean operators.
use super::super::env::{llvm_err, Res};
use super::super::func::FuncTx;
use super::Shape;
use inkwell::types::VectorType;
use inkwell::values::BasicValueEnum;
use inkwell::IntPredicate;
use wasmparser::Operator as O;

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn simd_lane_op(&mut self, op: &O) -> Res<bool> {
        match op {
            O::I8x16Splat => self.splat(Shape::I8x16)?,
            O::I16x8Splat => self.splat(Shape::I16x8)?,
            O::I32x4Splat => self.splat(Shape::I32x4)?,
            O::I64x2Splat => self.splat(Shape::I64x2)?,
            O::F32x4Splat => self.splat(Shape::F32x4)?,
            O::F64x2Splat => self.splat(Shape::F64x2)?,
            O::I8x16ExtractLaneS { lane } => self.extract_lane(Shape::I8x16, *lane, Some(true))?,
            O::I8x16ExtractLaneU { lane } => self.extract_lane(Shape::I8x16, *lane, Some(false))?,
            O::I16x8ExtractLaneS { lane } => self.extract_lane(Shape::I16x8, *lane, Some(true))?,
            O::I16x8ExtractLaneU { lane } => self.extract_lane(Shape::I16x8, *lane, Some(false))?,
            O::I32x4ExtractLane { lane } => self.extract_lane(Shape::I32x4, *lane, None)?,
            O::I64x2ExtractLane { lane } => self.extract_lane(Shape::I64x2, *lane, None)?,
            O::F32x4ExtractLane { lane } => self.extract_lane(Shape::F32x4, *lane, None)?,
            O::F64x2ExtractLane { lane } => self.extract_lane(Shape::F64x2, *lane, None)?,
            O::I8x16ReplaceLane { lane } => self.replace_lane(Shape::I8x16, *lane)?,
            O::I16x8ReplaceLane { lane } => self.replace_lane(Shape::I16x8, *lane)?,
            O::I32x4ReplaceLane { lane } => self.replace_lane(Shape::I32x4, *lane)?,
            O::I64x2ReplaceLane { lane } => self.replace_lane(Shape::I64x2, *lane)?,
            O::F32x4ReplaceLane { lane } => self.replace_lane(Shape::F32x4, *lane)?,
            O::F64x2ReplaceLane { lane } => self.replace_lane(Shape::F64x2, *lane)?,
            O::I8x16Shuffle { lanes } => self.shuffle(lanes)?,
            O::I8x16Swizzle => self.swizzle()?,
            O::V128Bitselect => {
                // (v1 & c) | (v2 & !c)
                let c = self.pop_shape(Shape::I64x2)?;
                let v2 = self.pop_shape(Shape::I64x2)?;
                let v1 = self.pop_shape(Shape::I64x2)?;
                let b = &self.env.b;
                let t = b.build_and(v1, c, "sel1").map_err(llvm_err)?;
                let nc = b.build_not(c, "notc").map_err(llvm_err)?;
                let f = b.build_and(v2, nc, "sel2").map_err(llvm_err)?;
                let v = b.build_or(t, f, "bitselect").map_err(llvm_err)?;
                self.push_v128(v)?;
            }
            O::V128Not => {
                let v = self.pop_shape(Shape::I64x2)?;
                let n = self.env.b.build_not(v, "not").map_err(llvm_err)?;
                self.push_v128(n)?;
            }
            O::V128And | O::V128Or | O::V128Xor | O::V128AndNot => self.bitwise(op)?,
            O::V128AnyTrue => {
                // Any bit set: the two 64-bit halves or'ed together are non-zero.
                let v = self.pop_shape(Shape::I64x2)?;
                let b = &self.env.b;
                let i64t = self.env.i64();
                let lo = b
                    .build_extract_element(v, self.env.i32().const_zero(), "lo")
                    .map_err(llvm_err)?;
                let hi = b
                    .build_extract_element(v, self.env.i32().const_int(1, false), "hi")
                    .map_err(llvm_err)?;
                let any = b
                    .build_or(lo.into_int_value(), hi.into_int_value(), "any")
                    .map_err(llvm_err)?;
                let nz = b
                    .build_int_compare(IntPredicate::NE, any, i64t.const_zero(), "nz")
                    .map_err(llvm_err)?;
                let r = b
                    .build_int_z_extend(nz, self.env.i32(), "anytrue")
                    .map_err(llvm_err)?;
                self.push(r);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `S.splat`: the popped scalar in every lane.
    fn splat(&mut self, shape: Shape) -> Res<()> {
        let x = self.pop();
        let x = self.lane_scalar(shape, x)?;
        let v = self.splat_vec(self.shape_type(shape), x)?;
        self.push_v128(v)
    }

    /// `S.extract_lane`: lane `lane` as a scalar; `ext` (signed?) widens an i8/i16 lane to i32.
    fn extract_lane(&mut self, shape: Shape, lane: u8, ext: Option<bool>) -> Res<()> {
        let v = self.pop_shape(shape)?;
        let env = self.env;
        let b = &env.b;
        let at = env.i32().const_int(u64::from(lane), false);
        let x = b.build_extract_element(v, at, "lane").map_err(llvm_err)?;
        let x: BasicValueEnum = match ext {
            None => x,
            Some(true) => b
                .build_int_s_extend(x.into_int_value(), env.i32(), "sx")
                .map_err(llvm_err)?
                .into(),
            Some(false) => b
                .build_int_z_extend(x.into_int_value(), env.i32(), "zx")
                .map_err(llvm_err)?
                .into(),
        };
        self.push(x);
        Ok(())
    }

    /// `S.replace_lane`: the popped vector with lane `lane` set to the popped scalar (an
    /// i8x16/i16x8 lane takes the low bits of an i32).
    fn replace_lane(&mut self, shape: Shape, lane: u8) -> Res<()> {
        let x = self.pop();
        let v = self.pop_shape(shape)?;
        let x = self.lane_scalar(shape, x)?;
        let b = &self.env.b;
        let at = self.env.i32().const_int(u64::from(lane), false);
        let v = b
            .build_insert_element(v, x, at, "replace")
            .map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// `i8x16.shuffle`: byte `i` of the result is byte `lanes[i]` of `a ++ b` (indices < 32,
    /// checked by validation).
    fn shuffle(&mut self, lanes: &[u8; 16]) -> Res<()> {
        let rhs = self.pop_shape(Shape::I8x16)?;
        let lhs = self.pop_shape(Shape::I8x16)?;
        let i32t = self.env.i32();
        let mask: Vec<_> = lanes
            .iter()
            .map(|&l| i32t.const_int(u64::from(l), false))
            .collect();
        let mask = VectorType::const_vector(&mask);
        let v = self
            .env
            .b
            .build_shuffle_vector(lhs, rhs, mask, "shuffle")
            .map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// `i8x16.swizzle`: byte `i` of the result is byte `s[i]` of `a`, or 0 when `s[i] >= 16`.
    ///
    /// With SSSE3, one `pshufb`, which gives 0 only where an index has its top bit set and
    /// otherwise takes the index's low 4 bits: adding 0x70 with unsigned saturation keeps
    /// the low 4 bits of an index below 16 with the top bit clear, and sets the top bit of
    /// every index from 16 up. Without it, lane by lane: the index is masked to 0..16 (an
    /// out-of-range `extractelement` index would be poison) and the out-of-range lanes are
    /// then selected to 0.
    pub(super) fn swizzle(&mut self) -> Res<()> {
        let s = self.pop_shape(Shape::I8x16)?;
        let a = self.pop_shape(Shape::I8x16)?;
        let env = self.env;
        if has_ssse3() {
            let ty = self.shape_type(Shape::I8x16);
            let bias = VectorType::const_vector(&[env.i8().const_int(0x70, false); 16]);
            let sat = env.intrinsic("llvm.uadd.sat", &[ty.into()]);
            let pshufb = env.intrinsic("llvm.x86.ssse3.pshuf.b.128", &[]);
            let b = &env.b;
            let idx = b
                .build_call(sat, &[s.into(), bias.into()], "idx")
                .map_err(llvm_err)?
                .try_as_basic_value()
                .basic()
                .ok_or("uadd.sat result")?;
            let v = b
                .build_call(pshufb, &[a.into(), idx.into()], "swizzle")
                .map_err(llvm_err)?
                .try_as_basic_value()
                .basic()
                .ok_or("pshufb result")?;
            return self.push_v128(v);
        }
        let b = &env.b;
        let (i8t, i32t) = (env.i8(), env.i32());
        let mut v = self.shape_type(Shape::I8x16).const_zero();
        for i in 0..16u64 {
            let ix = b
                .build_extract_element(s, i32t.const_int(i, false), "ix")
                .map_err(llvm_err)?
                .into_int_value();
            let ix = b.build_int_z_extend(ix, i32t, "ix32").map_err(llvm_err)?;
            let inb = b
                .build_int_compare(IntPredicate::ULT, ix, i32t.const_int(16, false), "inb")
                .map_err(llvm_err)?;
            let masked = b
                .build_and(ix, i32t.const_int(15, false), "masked")
                .map_err(llvm_err)?;
            let x = b
                .build_extract_element(a, masked, "byte")
                .map_err(llvm_err)?
                .into_int_value();
            let x = b
                .build_select(inb, x, i8t.const_zero(), "swz")
                .map_err(llvm_err)?;
            v = b
                .build_insert_element(v, x, i32t.const_int(i, false), "swizzle")
                .map_err(llvm_err)?;
        }
        self.push_v128(v)
    }

    /// `v128.and`, `or`, `xor`, `andnot` (a & !b).
    fn bitwise(&mut self, op: &O) -> Res<()> {
        let rhs = self.pop_shape(Shape::I64x2)?;
        let lhs = self.pop_shape(Shape::I64x2)?;
        let b = &self.env.b;
        let v = match op {
            O::V128And => b.build_and(lhs, rhs, "and"),
            O::V128Or => b.build_or(lhs, rhs, "or"),
            O::V128Xor => b.build_xor(lhs, rhs, "xor"),
            _ => {
                let not = b.build_not(rhs, "not").map_err(llvm_err)?;
                b.build_and(lhs, not, "andnot")
            }
        }
        .map_err(llvm_err)?;
        self.push_v128(v)
    }
}

/// Whether the host CPU (the one code is compiled for) has SSSE3, for `pshufb`.
fn has_ssse3() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        let (_, features) = super::super::host_cpu();
        features.split(',').any(|f| f == "+ssse3")
    })
}
