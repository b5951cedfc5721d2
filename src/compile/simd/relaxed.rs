//! Relaxed SIMD: each operator may give any of a few answers the proposal allows, and rt
//! gives the one the host computes fastest, as wasmtime does on x86 (its answers match
//! wasmtime 49's on the same host):
//!
//! - `i8x16.relaxed_swizzle` is one `pshufb` (an index with its top bit set gives 0, any
//!   other takes its low 4 bits);
//! - `i32x4.relaxed_trunc_f32x4_s` and `_f64x2_s_zero` are `cvttps2dq`/`cvttpd2dq` (NaN and
//!   out-of-range lanes give `0x80000000`); the unsigned ones saturate as `trunc_sat` does;
//! - `relaxed_madd`/`nmadd` are fused (`llvm.fma`) when the host has FMA, a multiply then
//!   an add otherwise;
//! - `relaxed_laneselect` picks by each lane's top bit (`pblendvb`, `blendvps`, `blendvpd`)
//!   for 8-, 32- and 64-bit lanes, and is `v128.bitselect` for 16-bit lanes (x86 has no
//!   16-bit blend);
//! - `relaxed_min`/`max` are `minps`/`maxps` with the operands swapped, i.e. `pmin`/`pmax`;
//! - `i16x8.relaxed_q15mulr_s` is `pmulhrsw` (`-0x8000 * -0x8000` gives `-0x8000`);
//! - the dot products are `pmaddubsw` with the second (7-bit) operand read as unsigned and
//!   pairs added with signed saturation, then (`_add_s`) `pmaddwd` by ones and the add.
//!
//! With `relaxed_simd_deterministic` (and on a host without the instruction) each operator
//! gives wasmtime's deterministic answer instead, the same on every host: the non-relaxed
//! operator's (`swizzle`, `trunc_sat`, `min`/`max`, `q15mulr_sat_s`, `bitselect`), madd
//! always fused, dot products with both operands signed. A NaN lane of `relaxed_min`/`max`
//! is then the canonical NaN, negative for min and positive for max, as in wasmtime.
use super::super::env::{llvm_err, Res};
use super::super::func::FuncTx;
use super::Shape;
use inkwell::types::VectorType;
use inkwell::values::{BasicMetadataValueEnum, VectorValue};
use inkwell::FloatPredicate as FP;
use inkwell::IntPredicate as IP;
use wasmparser::Operator as O;

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn simd_relaxed_op(&mut self, op: &O) -> Res<bool> {
        use Shape::{F32x4, F64x2, I16x8, I32x4, I64x2, I8x16};
        match op {
            O::I8x16RelaxedSwizzle if self.fast("ssse3") => {
                let s = self.pop_shape(I8x16)?;
                let a = self.pop_shape(I8x16)?;
                let v = self.x86_call("llvm.x86.ssse3.pshuf.b.128", &[a.into(), s.into()])?;
                self.push_v128(v)?;
            }
            O::I8x16RelaxedSwizzle => self.swizzle()?,
            O::I32x4RelaxedTruncF32x4S if self.fast("sse2") => {
                let v = self.pop_shape(F32x4)?;
                let r = self.x86_call("llvm.x86.sse2.cvttps2dq", &[v.into()])?;
                self.push_v128(r)?;
            }
            O::I32x4RelaxedTruncF64x2SZero if self.fast("sse2") => {
                let v = self.pop_shape(F64x2)?;
                let r = self.x86_call("llvm.x86.sse2.cvttpd2dq", &[v.into()])?;
                self.push_v128(r)?;
            }
            O::I32x4RelaxedTruncF32x4S => self.vtrunc_sat(F32x4, true)?,
            O::I32x4RelaxedTruncF32x4U => self.vtrunc_sat(F32x4, false)?,
            O::I32x4RelaxedTruncF64x2SZero => self.vtrunc_sat(F64x2, true)?,
            O::I32x4RelaxedTruncF64x2UZero => self.vtrunc_sat(F64x2, false)?,
            O::F32x4RelaxedMadd => self.madd(F32x4, false)?,
            O::F32x4RelaxedNmadd => self.madd(F32x4, true)?,
            O::F64x2RelaxedMadd => self.madd(F64x2, false)?,
            O::F64x2RelaxedNmadd => self.madd(F64x2, true)?,
            O::I8x16RelaxedLaneselect => self.laneselect(I8x16)?,
            O::I16x8RelaxedLaneselect => self.laneselect(I16x8)?,
            O::I32x4RelaxedLaneselect => self.laneselect(I32x4)?,
            O::I64x2RelaxedLaneselect => self.laneselect(I64x2)?,
            O::F32x4RelaxedMin if self.fast("sse2") => self.vpmin_pmax(F32x4, false)?,
            O::F32x4RelaxedMax if self.fast("sse2") => self.vpmin_pmax(F32x4, true)?,
            O::F64x2RelaxedMin if self.fast("sse2") => self.vpmin_pmax(F64x2, false)?,
            O::F64x2RelaxedMax if self.fast("sse2") => self.vpmin_pmax(F64x2, true)?,
            O::F32x4RelaxedMin => self.relaxed_min_max(F32x4, false)?,
            O::F32x4RelaxedMax => self.relaxed_min_max(F32x4, true)?,
            O::F64x2RelaxedMin => self.relaxed_min_max(F64x2, false)?,
            O::F64x2RelaxedMax => self.relaxed_min_max(F64x2, true)?,
            O::I16x8RelaxedQ15mulrS if self.fast("ssse3") => {
                let r = self.pop_shape(I16x8)?;
                let l = self.pop_shape(I16x8)?;
                let v = self.x86_call("llvm.x86.ssse3.pmul.hr.sw.128", &[l.into(), r.into()])?;
                self.push_v128(v)?;
            }
            O::I16x8RelaxedQ15mulrS => self.q15mulr_sat_s()?,
            O::I16x8RelaxedDotI8x16I7x16S => {
                let r = self.pop_shape(I8x16)?;
                let l = self.pop_shape(I8x16)?;
                let d = self.dot_i8x16_i7x16(l, r)?;
                self.push_v128(d)?;
            }
            O::I32x4RelaxedDotI8x16I7x16AddS => {
                let c = self.pop_shape(I32x4)?;
                let r = self.pop_shape(I8x16)?;
                let l = self.pop_shape(I8x16)?;
                let s = self.dot_i8x16_i7x16_i32(l, r)?;
                let v = self
                    .env
                    .b
                    .build_int_add(s, c, "dot_add")
                    .map_err(llvm_err)?;
                self.push_v128(v)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Whether to use the host's fast answer with x86 `feature` (`"ssse3"`): the host has it
    /// and deterministic answers were not asked for.
    fn fast(&self, feature: &str) -> bool {
        !self.env.settings.relaxed_simd_deterministic && host_has(feature)
    }

    /// Call an intrinsic that is not overloaded (the x86 ones), for its vector result.
    fn x86_call(
        &self,
        name: &str,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Res<VectorValue<'ctx>> {
        let f = self.env.intrinsic(name, &[]);
        Ok(self
            .env
            .b
            .build_call(f, args, "x86")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("intrinsic result")?
            .into_vector_value())
    }

    /// `relaxed_madd` is `a * b + c`, `relaxed_nmadd` is `-(a * b) + c`: one rounding with
    /// FMA (and always when deterministic), two without. The operands are hidden from LLVM, as for the other float
    /// arithmetic, so that no identity fold lets a signalling NaN through unquieted.
    fn madd(&mut self, shape: Shape, negate: bool) -> Res<()> {
        let c = self.pop_shape(shape)?;
        let b = self.pop_shape(shape)?;
        let a = self.pop_shape(shape)?;
        let (a, b, c) = (self.vopaque(a)?, self.vopaque(b)?, self.vopaque(c)?);
        let bld = &self.env.b;
        let a = if negate {
            bld.build_float_neg(a, "neg").map_err(llvm_err)?
        } else {
            a
        };
        let v = if host_has("fma") || self.env.settings.relaxed_simd_deterministic {
            let f = self.env.intrinsic("llvm.fma", &[a.get_type().into()]);
            bld.build_call(f, &[a.into(), b.into(), c.into()], "fma")
                .map_err(llvm_err)?
                .try_as_basic_value()
                .basic()
                .ok_or("fma result")?
                .into_vector_value()
        } else {
            let p = bld.build_float_mul(a, b, "mul").map_err(llvm_err)?;
            bld.build_float_add(p, c, "madd").map_err(llvm_err)?
        };
        self.push_v128(v)
    }

    /// `relaxed_laneselect(a, b, m)`: by each lane's top bit (`a` where set) when the host
    /// has a blend for the lane width (SSE4.1, not 16-bit lanes); `v128.bitselect`
    /// otherwise. Both agree wherever a mask lane is all ones or all zeros.
    fn laneselect(&mut self, shape: Shape) -> Res<()> {
        let m = self.pop_shape(shape)?;
        let f = self.pop_shape(shape)?;
        let t = self.pop_shape(shape)?;
        let b = &self.env.b;
        let v = if self.fast("sse4.1") && shape != Shape::I16x8 {
            let zero = self.shape_type(shape).const_zero();
            let top = b
                .build_int_compare(IP::SLT, m, zero, "top")
                .map_err(llvm_err)?;
            b.build_select(top, t, f, "laneselect")
                .map_err(llvm_err)?
                .into_vector_value()
        } else {
            let x = b.build_and(t, m, "sel1").map_err(llvm_err)?;
            let nm = b.build_not(m, "notm").map_err(llvm_err)?;
            let y = b.build_and(f, nm, "sel2").map_err(llvm_err)?;
            b.build_or(x, y, "bitselect").map_err(llvm_err)?
        };
        self.push_v128(v)
    }

    /// `i16x8.relaxed_dot_i8x16_i7x16_s`: with SSSE3, `pmaddubsw` with `r` unsigned (so
    /// its lanes from 0x80 up read as 128..255) and adjacent products added with signed
    /// saturation; otherwise (wasmtime's deterministic answer) both signed and the sums
    /// wrapping.
    fn dot_i8x16_i7x16(
        &self,
        l: VectorValue<'ctx>,
        r: VectorValue<'ctx>,
    ) -> Res<VectorValue<'ctx>> {
        if self.fast("ssse3") {
            return self.x86_call("llvm.x86.ssse3.pmadd.ub.sw.128", &[r.into(), l.into()]);
        }
        let w = self.env.ctx.i16_type().vec_type(16);
        let b = &self.env.b;
        let lw = b.build_int_s_extend(l, w, "l").map_err(llvm_err)?;
        let rw = b.build_int_s_extend(r, w, "r").map_err(llvm_err)?;
        let p = b.build_int_mul(lw, rw, "p").map_err(llvm_err)?;
        let (even, odd) = (self.lanes_of(p, 0)?, self.lanes_of(p, 1)?);
        self.env.b.build_int_add(even, odd, "dot").map_err(llvm_err)
    }

    /// The dot product of `i32x4.relaxed_dot_i8x16_i7x16_add_s` before the add: with SSSE3,
    /// the i16 `pmaddubsw` sums (see [`Self::dot_i8x16_i7x16`]) added in pairs by `pmaddwd`
    /// by ones; otherwise (wasmtime's deterministic answer) the exact sum of four signed
    /// products.
    fn dot_i8x16_i7x16_i32(
        &self,
        l: VectorValue<'ctx>,
        r: VectorValue<'ctx>,
    ) -> Res<VectorValue<'ctx>> {
        if self.fast("ssse3") {
            let d = self.dot_i8x16_i7x16(l, r)?;
            let one = self.env.ctx.i16_type().const_int(1, false);
            let ones = VectorType::const_vector(&[one; 8]);
            return self.x86_call("llvm.x86.sse2.pmadd.wd", &[d.into(), ones.into()]);
        }
        let w = self.env.i32().vec_type(16);
        let b = &self.env.b;
        let lw = b.build_int_s_extend(l, w, "l").map_err(llvm_err)?;
        let rw = b.build_int_s_extend(r, w, "r").map_err(llvm_err)?;
        let p = b.build_int_mul(lw, rw, "p").map_err(llvm_err)?;
        let (even, odd) = (self.lanes_of(p, 0)?, self.lanes_of(p, 1)?);
        let b = &self.env.b;
        let pairs = b.build_int_add(even, odd, "pairs").map_err(llvm_err)?;
        let (even, odd) = (self.lanes_of(pairs, 0)?, self.lanes_of(pairs, 1)?);
        self.env.b.build_int_add(even, odd, "dot").map_err(llvm_err)
    }

    /// `relaxed_min`/`max` when not `pmin`/`pmax`: IEEE `minimum`/`maximum` (as `min`/`max`),
    /// a NaN lane being the canonical NaN with the bits wasmtime's x86 sequence gives:
    /// negative for min, and for max negative when either operand's sign bit is set.
    fn relaxed_min_max(&mut self, shape: Shape, max: bool) -> Res<()> {
        let r = self.pop_shape(shape)?;
        let l = self.pop_shape(shape)?;
        let (l, r) = (self.vopaque(l)?, self.vopaque(r)?);
        let name = if max { "llvm.maximum" } else { "llvm.minimum" };
        let f = self.env.intrinsic(name, &[l.get_type().into()]);
        let ishape = if shape == Shape::F32x4 {
            Shape::I32x4
        } else {
            Shape::I64x2
        };
        let ity = self.shape_type(ishape);
        let bits = shape.lane_bits();
        let sign = 1u64 << (bits - 1);
        let all = u64::MAX >> (64 - bits);
        // Sign, exponent and quiet bit: all ones but the 22 (52) low bits.
        let quiet = all & !(all >> (if bits == 32 { 10 } else { 13 }));
        let lanes = |x: u64| {
            let lane = ity.get_element_type().into_int_type().const_int(x, false);
            VectorType::const_vector(&vec![lane; shape.lanes() as usize])
        };
        let b = &self.env.b;
        let m = b
            .build_call(f, &[l.into(), r.into()], "minmax")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or("minmax result")?
            .into_vector_value();
        let nan = b
            .build_float_compare(FP::UNO, l, r, "nan")
            .map_err(llvm_err)?;
        // The canonical NaN: exponent and quiet bit set (and the sign, for min).
        let canonical = if max {
            let li = b.build_bit_cast(l, ity, "li").map_err(llvm_err)?;
            let ri = b.build_bit_cast(r, ity, "ri").map_err(llvm_err)?;
            let either = b
                .build_or(li.into_vector_value(), ri.into_vector_value(), "signs")
                .map_err(llvm_err)?;
            let s = b.build_and(either, lanes(sign), "sign").map_err(llvm_err)?;
            b.build_or(s, lanes(quiet & !sign), "nan_bits")
                .map_err(llvm_err)?
        } else {
            lanes(quiet)
        };
        let canonical = b
            .build_bit_cast(canonical, self.shape_type(shape), "canonical")
            .map_err(llvm_err)?;
        let v = b
            .build_select(nan, canonical, m.into(), "relaxed_minmax")
            .map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// Every other lane of `v`, from lane `first`.
    fn lanes_of(&self, v: VectorValue<'ctx>, first: u32) -> Res<VectorValue<'ctx>> {
        let i32t = self.env.i32();
        let n = v.get_type().get_size() / 2;
        let mask: Vec<_> = (0..n)
            .map(|i| i32t.const_int(u64::from(2 * i + first), false))
            .collect();
        self.env
            .b
            .build_shuffle_vector(
                v,
                v.get_type().get_undef(),
                VectorType::const_vector(&mask),
                "lanes",
            )
            .map_err(llvm_err)
    }
}

/// Whether the host CPU (the one code is compiled for) has an x86 feature (`"ssse3"`).
fn host_has(feature: &str) -> bool {
    static FEATURES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let all = FEATURES.get_or_init(|| super::super::host_cpu().1);
    all.split(',').any(|f| f.strip_prefix('+') == Some(feature))
}
