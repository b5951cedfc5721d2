//! Tables and references. A reference is a pointer: a funcref points to the function's
//! `AnyFunc`, an externref is its host index plus one, null is null. Element access is
//! inline with a bounds check; resizing and bulk operations call runtime helpers.
use super::env::{llvm_err, Heap, Res};
use super::func::FuncTx;
use crate::runtime::vm::{helper, offset, trap_code};
use inkwell::values::BasicValue;
use inkwell::values::{IntValue, PointerValue};
use inkwell::IntPredicate;
use wasmparser::Operator as O;

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn table_ptr(&self, table: u32) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        let tables = env
            .load_field(self.vmctx, offset::TABLES, env.ptr().into())?
            .into_pointer_value();
        env.load_indexed_ptr(tables, env.i32().const_int(u64::from(table), false))
    }

    /// Whether table `table` is indexed by `i64` (memory64's 64-bit tables).
    fn is_table64(&self, table: u32) -> bool {
        self.env.wasm.tables[table as usize].table64
    }

    /// The address of element `index` of `table`, trapping with `oob_code` past its end.
    pub(crate) fn table_slot(
        &mut self,
        table: u32,
        index: IntValue<'ctx>,
        oob_code: i32,
    ) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        let t = self.table_ptr(table)?;
        let size = env
            .load_mutable_field(t, offset::TABLE_SIZE, env.i64().into())?
            .into_int_value();
        let wide = env
            .b
            .build_int_z_extend_or_bit_cast(index, env.i64(), "ti")
            .map_err(llvm_err)?;
        let oob = env
            .b
            .build_int_compare(IntPredicate::UGE, wide, size, "toob")
            .map_err(llvm_err)?;
        self.trap_if(oob, oob_code)?;
        let elems = env
            .load_mutable_field(t, offset::TABLE_ELEMS, env.ptr().into())?
            .into_pointer_value();
        // SAFETY (LLVM): index < size was just checked.
        unsafe { env.b.build_gep(env.ptr(), elems, &[wide], "slot") }.map_err(llvm_err)
    }

    pub(crate) fn table_op(&mut self, op: &O) -> Res<bool> {
        let env = self.env;
        match op {
            O::RefNull { .. } => self.push(env.ptr().const_null()),
            O::RefIsNull => {
                let v = self.pop().into_pointer_value();
                let c = env.b.build_is_null(v, "isnull").map_err(llvm_err)?;
                let v = env
                    .b
                    .build_int_z_extend(c, env.i32(), "b")
                    .map_err(llvm_err)?;
                self.push(v);
            }
            O::RefAsNonNull => {
                let r = *self.stack.last().expect("validated");
                let null = env
                    .b
                    .build_is_null(r.into_pointer_value(), "isnull")
                    .map_err(llvm_err)?;
                self.trap_if(null, trap_code::NULL_REF)?;
            }
            O::RefFunc { function_index } => {
                let funcs = env
                    .load_field(self.vmctx, offset::FUNCS, env.ptr().into())?
                    .into_pointer_value();
                let f = env.load_indexed_ptr(
                    funcs,
                    env.i32().const_int(u64::from(*function_index), false),
                )?;
                self.push(f);
            }
            O::TableGet { table } => {
                let i = self.pop_int();
                let slot = self.table_slot(*table, i, trap_code::OOB_TABLE)?;
                let v = env
                    .b
                    .build_load(env.ptr(), slot, "elem")
                    .map_err(llvm_err)?;
                env.tag(v.as_instruction_value().ok_or("load")?, Heap::Table)?;
                self.push(v);
            }
            O::TableSet { table } => {
                let v = self.pop();
                let i = self.pop_int();
                let slot = self.table_slot(*table, i, trap_code::OOB_TABLE)?;
                let st = env.b.build_store(slot, v).map_err(llvm_err)?;
                env.tag(st, Heap::Table)?;
                // Ordered with the memory accesses around it (memory.rs).
                self.trap_point(None)?;
            }
            O::TableSize { table } => {
                let t = self.table_ptr(*table)?;
                let size = env
                    .load_mutable_field(t, offset::TABLE_SIZE, env.i64().into())?
                    .into_int_value();
                if self.is_table64(*table) {
                    self.push(size);
                } else {
                    let v = env
                        .b
                        .build_int_truncate(size, env.i32(), "tsize")
                        .map_err(llvm_err)?;
                    self.push(v);
                }
            }
            O::TableGrow { table } => {
                let delta = self.pop();
                let init = self.pop();
                let args = [
                    self.vmctx.into(),
                    self.const_u32(*table),
                    init.into(),
                    self.u64_arg(delta)?,
                ];
                let old = self
                    .call_helper(helper::table_grow, &args)?
                    .ok_or("grow result")?;
                self.check_grow(old, true, *table, args[3])?;
                if self.is_table64(*table) {
                    self.push(old);
                } else {
                    let v = self.low_i32(old)?;
                    self.push(v);
                }
            }
            O::TableFill { table } => {
                let args = self.fill_args(*table)?;
                self.call_checked_helper(helper::table_fill, &args)?;
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let args = self.bulk_args(*dst_table, *src_table)?;
                self.call_checked_helper(helper::table_copy, &args)?;
            }
            O::TableInit { elem_index, table } => {
                let args = self.bulk_args(*table, *elem_index)?;
                self.call_checked_helper(helper::table_init, &args)?;
            }
            O::ElemDrop { elem_index } => {
                let args = [self.vmctx.into(), self.const_u32(*elem_index)];
                self.call_helper(helper::elem_drop, &args)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
