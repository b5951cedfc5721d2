//! Float lane arithmetic (with Wasm's NaN rules), comparisons and conversions.
use super::super::env::Res;
use super::super::func::FuncTx;
use wasmparser::Operator as O;

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn simd_float_op(&mut self, op: &O) -> Res<bool> {
        // No operator of this family is lowered yet: each is refused as unsupported SIMD.
        let _ = op;
        Ok(false)
    }
}
