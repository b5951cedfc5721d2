//! `v128.const` and v128 loads and stores: whole, splat, zero-extending, widening, and
//! single-lane. Each reads or writes exactly the bytes Wasm says (so it traps exactly when
//! those are out of bounds) through `load_int`/`store_bytes`, which give it its trap point.
use super::super::env::{llvm_err, Res};
use super::super::func::FuncTx;
use super::Shape;
use wasmparser::{MemArg, Operator as O};

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn simd_memory_op(&mut self, op: &O) -> Res<bool> {
        let env = self.env;
        match op {
            O::V128Const { value } => {
                let bits = u128::from_le_bytes(*value.bytes());
                let lanes =
                    [bits as u64, (bits >> 64) as u64].map(|l| env.i64().const_int(l, false));
                self.push(inkwell::types::VectorType::const_vector(&lanes));
            }
            O::V128Load { memarg } => self.load_v128(memarg)?,
            O::V128Store { memarg } => self.store_bytes(memarg, 16)?,
            O::V128Load8Splat { memarg } => self.load_splat(memarg, Shape::I8x16)?,
            O::V128Load16Splat { memarg } => self.load_splat(memarg, Shape::I16x8)?,
            O::V128Load32Splat { memarg } => self.load_splat(memarg, Shape::I32x4)?,
            O::V128Load64Splat { memarg } => self.load_splat(memarg, Shape::I64x2)?,
            O::V128Load32Zero { memarg } => self.load_zero(memarg, Shape::I32x4)?,
            O::V128Load64Zero { memarg } => self.load_zero(memarg, Shape::I64x2)?,
            O::V128Load8x8S { memarg } => self.load_extend(memarg, Shape::I16x8, true)?,
            O::V128Load8x8U { memarg } => self.load_extend(memarg, Shape::I16x8, false)?,
            O::V128Load16x4S { memarg } => self.load_extend(memarg, Shape::I32x4, true)?,
            O::V128Load16x4U { memarg } => self.load_extend(memarg, Shape::I32x4, false)?,
            O::V128Load32x2S { memarg } => self.load_extend(memarg, Shape::I64x2, true)?,
            O::V128Load32x2U { memarg } => self.load_extend(memarg, Shape::I64x2, false)?,
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, Shape::I8x16, *lane)?,
            O::V128Load16Lane { memarg, lane } => self.load_lane(memarg, Shape::I16x8, *lane)?,
            O::V128Load32Lane { memarg, lane } => self.load_lane(memarg, Shape::I32x4, *lane)?,
            O::V128Load64Lane { memarg, lane } => self.load_lane(memarg, Shape::I64x2, *lane)?,
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, Shape::I8x16, *lane)?,
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, Shape::I16x8, *lane)?,
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, Shape::I32x4, *lane)?,
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, Shape::I64x2, *lane)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `v128.loadN_splat`: one lane-size scalar (integer `shape`) in every lane.
    fn load_splat(&mut self, memarg: &MemArg, shape: Shape) -> Res<()> {
        let x = self.load_int(memarg, shape.lane_bits() / 8)?;
        let v = self.splat_vec(self.shape_type(shape), x.into())?;
        self.push_v128(v)
    }

    /// `v128.loadN_zero`: one scalar in lane 0 of `shape`, the other lanes zero.
    fn load_zero(&mut self, memarg: &MemArg, shape: Shape) -> Res<()> {
        let x = self.load_int(memarg, shape.lane_bits() / 8)?;
        let zero = self.shape_type(shape).const_zero();
        let at = self.env.i32().const_zero();
        let v = self
            .env
            .b
            .build_insert_element(zero, x, at, "zero")
            .map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// `v128.loadMxN_s/_u`: 8 bytes as lanes of half `wide`'s width, each widened to `wide`.
    fn load_extend(&mut self, memarg: &MemArg, wide: Shape, signed: bool) -> Res<()> {
        let x = self.load_int(memarg, 8)?;
        let env = self.env;
        let b = &env.b;
        let narrow = env.int_bits(wide.lane_bits() / 2).vec_type(wide.lanes());
        let v = b
            .build_bit_cast(x, narrow, "narrow")
            .map_err(llvm_err)?
            .into_vector_value();
        let ty = self.shape_type(wide);
        let w = if signed {
            b.build_int_s_extend(v, ty, "sx")
        } else {
            b.build_int_z_extend(v, ty, "zx")
        }
        .map_err(llvm_err)?;
        self.push_v128(w)
    }

    /// `v128.loadN_lane`: lane `lane` of the popped vector replaced by a lane-size load.
    fn load_lane(&mut self, memarg: &MemArg, shape: Shape, lane: u8) -> Res<()> {
        // The vector is on top of the address.
        let v = self.pop_shape(shape)?;
        let x = self.load_int(memarg, shape.lane_bits() / 8)?;
        let at = self.env.i32().const_int(u64::from(lane), false);
        let v = self
            .env
            .b
            .build_insert_element(v, x, at, "lane")
            .map_err(llvm_err)?;
        self.push_v128(v)
    }

    /// `v128.storeN_lane`: store lane `lane` of the popped vector, lane-size bytes only.
    fn store_lane(&mut self, memarg: &MemArg, shape: Shape, lane: u8) -> Res<()> {
        let v = self.pop_shape(shape)?;
        let at = self.env.i32().const_int(u64::from(lane), false);
        let x = self
            .env
            .b
            .build_extract_element(v, at, "lane")
            .map_err(llvm_err)?;
        // `store` pops the value, then the address under it.
        self.push(x);
        self.store_bytes(memarg, shape.lane_bits() / 8)
    }
}
