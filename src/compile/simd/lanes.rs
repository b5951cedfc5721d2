//! Splat, extract/replace lane, shuffle, swizzle, bitwise and boolean operators.
use super::super::env::{llvm_err, Res};
use super::super::func::FuncTx;
use super::Shape;
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
        let ty = self.shape_type(shape);
        let b = &self.env.b;
        let x: BasicValueEnum = if shape.is_float() || shape.lane_bits() >= 32 {
            x
        } else {
            // i8x16/i16x8 take an i32 and keep its low bits.
            b.build_int_truncate(
                x.into_int_value(),
                ty.get_element_type().into_int_type(),
                "lane",
            )
            .map_err(llvm_err)?
            .into()
        };
        let mut v = ty.get_undef();
        for i in 0..shape.lanes() {
            let at = self.env.i32().const_int(u64::from(i), false);
            v = b
                .build_insert_element(v, x, at, "splat")
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
