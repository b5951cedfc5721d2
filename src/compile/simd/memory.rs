//! `v128.const` and v128 loads and stores.
use super::super::env::Res;
use super::super::func::FuncTx;
use wasmparser::Operator as O;

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
            _ => return Ok(false),
        }
        Ok(true)
    }
}
