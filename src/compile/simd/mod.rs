//! SIMD (`v128`): every value is the canonical `<2 x i64>` (`Env::v128`), and each operator
//! bitcasts it to the lane shape it works on (`<16 x i8>`, `<4 x f32>`, ...), which costs
//! nothing. One file per operator family; an operator no family lowers yet is refused as
//! unsupported ("SIMD"), never miscompiled.
//!
//! - `memory.rs`: `v128.const` and the loads and stores;
//! - `lanes.rs`: splat, extract/replace lane, shuffle, swizzle, bitwise and boolean ops;
//! - `int.rs`: integer lane arithmetic, saturation, widening, comparisons, shifts;
//! - `float.rs`: float lane arithmetic with Wasm's NaN rules, comparisons, conversions;
//! - `relaxed.rs`: relaxed SIMD, each operator giving the host's fastest allowed answer.
use super::env::{llvm_err, Res};
use super::func::FuncTx;
use inkwell::types::VectorType;
use inkwell::values::{BasicValueEnum, VectorValue};
use wasmparser::Operator;

mod float;
mod int;
mod lanes;
mod memory;
mod relaxed;
#[cfg(test)]
mod tests;

/// A lane shape of v128.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

impl Shape {
    pub fn lanes(self) -> u32 {
        match self {
            Shape::I8x16 => 16,
            Shape::I16x8 => 8,
            Shape::I32x4 | Shape::F32x4 => 4,
            Shape::I64x2 | Shape::F64x2 => 2,
        }
    }

    pub fn lane_bits(self) -> u32 {
        128 / self.lanes()
    }

    pub fn is_float(self) -> bool {
        matches!(self, Shape::F32x4 | Shape::F64x2)
    }
}

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    /// The LLVM vector type of a lane shape.
    pub(crate) fn shape_type(&self, shape: Shape) -> VectorType<'ctx> {
        let ctx = self.env.ctx;
        match shape {
            Shape::I8x16 => ctx.i8_type().vec_type(16),
            Shape::I16x8 => ctx.i16_type().vec_type(8),
            Shape::I32x4 => ctx.i32_type().vec_type(4),
            Shape::I64x2 => ctx.i64_type().vec_type(2),
            Shape::F32x4 => ctx.f32_type().vec_type(4),
            Shape::F64x2 => ctx.f64_type().vec_type(2),
        }
    }

    /// View a v128 value as `shape`.
    pub(crate) fn as_shape(&self, v: BasicValueEnum<'ctx>, shape: Shape) -> Res<VectorValue<'ctx>> {
        Ok(self
            .env
            .b
            .build_bit_cast(v, self.shape_type(shape), "lanes")
            .map_err(llvm_err)?
            .into_vector_value())
    }

    /// Pop a v128 and view it as `shape`.
    pub(crate) fn pop_shape(&mut self, shape: Shape) -> Res<VectorValue<'ctx>> {
        let v = self.pop();
        self.as_shape(v, shape)
    }

    /// A vector of `ty` with the scalar `x` (of the lane type) in every lane.
    pub(crate) fn splat_vec(
        &self,
        ty: VectorType<'ctx>,
        x: BasicValueEnum<'ctx>,
    ) -> Res<VectorValue<'ctx>> {
        let b = &self.env.b;
        let mut v = ty.get_undef();
        for i in 0..ty.get_size() {
            let at = self.env.i32().const_int(u64::from(i), false);
            v = b
                .build_insert_element(v, x, at, "splat")
                .map_err(llvm_err)?;
        }
        Ok(v)
    }

    /// A Wasm scalar operand as a lane of `shape`: i8x16 and i16x8 lanes take the low bits of
    /// an i32; other lanes take the value as it is.
    pub(crate) fn lane_scalar(
        &self,
        shape: Shape,
        x: BasicValueEnum<'ctx>,
    ) -> Res<BasicValueEnum<'ctx>> {
        if shape.is_float() || shape.lane_bits() >= 32 {
            return Ok(x);
        }
        let lane = self.shape_type(shape).get_element_type().into_int_type();
        Ok(self
            .env
            .b
            .build_int_truncate(x.into_int_value(), lane, "lane")
            .map_err(llvm_err)?
            .into())
    }

    /// Push a vector of any shape as a v128 (the canonical type).
    pub(crate) fn push_v128(&mut self, v: impl Into<BasicValueEnum<'ctx>>) -> Res<()> {
        let v = self
            .env
            .b
            .build_bit_cast(v.into(), self.env.v128(), "v128")
            .map_err(llvm_err)?;
        self.push(v);
        Ok(())
    }

    /// Lower a SIMD operator; `false` when no family lowers it (yet).
    pub(crate) fn simd_op(&mut self, op: &Operator) -> Res<bool> {
        Ok(self.simd_memory_op(op)?
            || self.simd_lane_op(op)?
            || self.simd_int_op(op)?
            || self.simd_float_op(op)?
            || self.simd_relaxed_op(op)?)
    }
}
