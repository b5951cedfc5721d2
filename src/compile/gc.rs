//! Wasm GC operators: `ref.i31`, `i31.get_s/u`, `ref.eq`, the `any`/`extern` conversions,
//! the casts (`ref.test`, `ref.cast`, `br_on_cast`, `br_on_cast_fail`), and the struct and
//! array instructions over objects on the store's GC heap (layout: `runtime::vm::gc`).
//! Field and element accesses, lengths and bounds checks are inline; allocation and the
//! instructions that loop or read segments call helpers (`runtime::gc`). Constant
//! expressions that allocate run at instantiation (`runtime::instance`).
//!
//! A reference of the `any` hierarchy is one word (see `runtime::gc` for the full encoding):
//! null is 0, an `i31` is `(value << 1) | 1`, a host reference brought in by
//! `any.convert_extern` is `(host index << 2) | 2` (the same word the `extern` hierarchy
//! uses for it, so both conversions are the identity), and a word with its two low bits
//! clear is a heap object.
use super::env::{llvm_err, Res};
use super::func::FuncTx;
use super::CompileError;
use crate::runtime::vm::{gc as layout, helper, offset, trap_code};
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValue, BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;
use wasmparser::{
    AbstractHeapType as A, CompositeInnerType, FieldType, HeapType, Operator as O, StorageType,
    UnpackedIndex, ValType,
};

/// The target of a cast as the `ref_test` helper receives it: a canonical type id, or one of
/// these codes (bit 31 set) for an abstract heap type.
pub(crate) fn abstract_code(ty: A) -> u32 {
    let n = match ty {
        A::Any => 0,
        A::Eq => 1,
        A::I31 => 2,
        A::Struct => 3,
        A::Array => 4,
        A::None => 5,
        A::Func => 6,
        A::NoFunc => 7,
        A::Extern => 8,
        A::NoExtern => 9,
        A::Exn => 10,
        A::NoExn => 11,
        A::Cont => 12,
        A::NoCont => 13,
    };
    ABSTRACT | n
}

/// Set in a cast target that names an abstract heap type.
pub(crate) const ABSTRACT: u32 = 1 << 31;

fn gc_unsupported(what: &str) -> CompileError {
    CompileError::Unsupported {
        feature: "garbage collection",
        detail: what.to_string(),
    }
}

fn op_name(op: &O) -> String {
    let name = format!("{op:?}");
    name.split([' ', '{', '(']).next().unwrap_or("").to_string()
}

/// The error for a GC operator the translator does not lower (none today).
pub(crate) fn unsupported_gc(op: &O) -> Option<CompileError> {
    let name = op_name(op);
    (name.starts_with("Struct") || name.starts_with("Array") || name.contains("I31"))
        .then(|| gc_unsupported(&format!("instruction {name}")))
}

/// The byte size of a field of this storage type (as `runtime::gc::storage_size`).
fn storage_size(st: StorageType) -> u32 {
    match st {
        StorageType::I8 => 1,
        StorageType::I16 => 2,
        StorageType::Val(ValType::I32 | ValType::F32) => 4,
        StorageType::Val(ValType::V128) => 16,
        StorageType::Val(_) => 8,
    }
}

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    pub(crate) fn gc_op(&mut self, op: &O) -> Res<bool> {
        let env = self.env;
        let b = &env.b;
        match *op {
            O::RefI31 => {
                let x = self.pop_int();
                let wide = b.build_int_z_extend(x, env.i64(), "x").map_err(llvm_err)?;
                let shifted = b
                    .build_left_shift(wide, env.i64().const_int(1, false), "sh")
                    .map_err(llvm_err)?;
                // Keep 31 bits: the top bit of the i32 falls off.
                let masked = b
                    .build_and(shifted, env.i64().const_int(0xffff_fffe, false), "m")
                    .map_err(llvm_err)?;
                let tagged = b
                    .build_or(masked, env.i64().const_int(1, false), "i31")
                    .map_err(llvm_err)?;
                let r = b
                    .build_int_to_ptr(tagged, env.ptr(), "ref")
                    .map_err(llvm_err)?;
                self.push(r);
            }
            O::I31GetS | O::I31GetU => {
                let r = self.pop().into_pointer_value();
                let null = b.build_is_null(r, "isnull").map_err(llvm_err)?;
                self.trap_if(null, trap_code::NULL_I31)?;
                let bits = self.ref_bits(r)?;
                let low = b
                    .build_int_truncate(bits, env.i32(), "lo")
                    .map_err(llvm_err)?;
                let one = env.i32().const_int(1, false);
                let v = if matches!(op, O::I31GetS) {
                    b.build_right_shift(low, one, true, "s")
                } else {
                    b.build_right_shift(low, one, false, "u")
                }
                .map_err(llvm_err)?;
                self.push(v);
            }
            O::RefEq => {
                let y = self.pop().into_pointer_value();
                let x = self.pop().into_pointer_value();
                let (x, y) = (self.ref_bits(x)?, self.ref_bits(y)?);
                let eq = b
                    .build_int_compare(IntPredicate::EQ, x, y, "eq")
                    .map_err(llvm_err)?;
                let v = b.build_int_z_extend(eq, env.i32(), "b").map_err(llvm_err)?;
                self.push(v);
            }
            // Both hierarchies encode a reference the same way: nothing to convert.
            O::AnyConvertExtern | O::ExternConvertAny => {}
            O::RefTestNonNull { hty } | O::RefTestNullable { hty } => {
                let r = self.pop().into_pointer_value();
                let ok = self.ref_test(r, hty, matches!(op, O::RefTestNullable { .. }))?;
                let v = b.build_int_z_extend(ok, env.i32(), "b").map_err(llvm_err)?;
                self.push(v);
            }
            O::RefCastNonNull { hty } | O::RefCastNullable { hty } => {
                let r = *self.stack.last().expect("validated");
                let ok = self.ref_test(
                    r.into_pointer_value(),
                    hty,
                    matches!(op, O::RefCastNullable { .. }),
                )?;
                let bad = b.build_not(ok, "bad").map_err(llvm_err)?;
                self.trap_if(bad, trap_code::CAST_FAILURE)?;
            }
            O::BrOnCast {
                relative_depth,
                to_ref_type,
                ..
            }
            | O::BrOnCastFail {
                relative_depth,
                to_ref_type,
                ..
            } => {
                // The reference stays on the stack either way (with the cast's type on the
                // taken edge of br_on_cast, the source type's on br_on_cast_fail's).
                let r = *self.stack.last().expect("validated");
                let ok = self.ref_test(
                    r.into_pointer_value(),
                    to_ref_type.heap_type(),
                    to_ref_type.is_nullable(),
                )?;
                let cond = if matches!(op, O::BrOnCast { .. }) {
                    ok
                } else {
                    b.build_not(ok, "fail").map_err(llvm_err)?
                };
                self.branch_if(cond, relative_depth, "cast_cont")?;
            }
            _ => return self.heap_op(op),
        }
        Ok(true)
    }

    /// The fields of struct type `index`.
    fn struct_fields(&self, index: u32) -> Res<Vec<FieldType>> {
        match &self.env.wasm.sub_types[index as usize].composite_type.inner {
            CompositeInnerType::Struct(s) => Ok(s.fields.to_vec()),
            _ => Err("internal compiler error: not a struct type".into()),
        }
    }

    /// The element type of array type `index`.
    fn array_elem(&self, index: u32) -> Res<FieldType> {
        match &self.env.wasm.sub_types[index as usize].composite_type.inner {
            CompositeInnerType::Array(a) => Ok(a.0),
            _ => Err("internal compiler error: not an array type".into()),
        }
    }

    /// The offset of field `field` of struct type `index`.
    fn field_offset(&self, index: u32, field: u32) -> Res<u32> {
        let fields = self.struct_fields(index)?;
        let (offsets, _) =
            layout::struct_layout(fields.iter().map(|f| storage_size(f.element_type)));
        Ok(offsets[field as usize])
    }

    /// The canonical id of type index `index` (from the instance's table of them).
    fn type_id(&self, index: u32) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let ids = env
            .load_field(self.vmctx, offset::TYPE_IDS, env.ptr().into())?
            .into_pointer_value();
        Ok(env
            .load_field(ids, index * 4, env.i32().into())?
            .into_int_value())
    }

    /// The LLVM type a field is stored as (packed fields as `i8`/`i16`).
    fn storage_type(&self, st: StorageType) -> Res<BasicTypeEnum<'ctx>> {
        let ctx = self.env.ctx;
        Ok(match st {
            StorageType::I8 => ctx.i8_type().into(),
            StorageType::I16 => ctx.i16_type().into(),
            StorageType::Val(v) => self.env.val_type(v)?,
        })
    }

    fn at(&self, base: PointerValue<'ctx>, off: IntValue<'ctx>) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        // SAFETY (of the generated code): every offset is checked against the object's size
        // (fields by validation, elements by the bounds check).
        unsafe { env.b.build_gep(env.ctx.i8_type(), base, &[off], "fld") }.map_err(llvm_err)
    }

    /// Store `v` (of the field's value type) into a field of storage type `st` at `p`.
    fn store_field(
        &self,
        p: PointerValue<'ctx>,
        st: StorageType,
        v: BasicValueEnum<'ctx>,
    ) -> Res<()> {
        let env = self.env;
        let v: BasicValueEnum<'ctx> = match st {
            StorageType::I8 | StorageType::I16 => {
                let t = self.storage_type(st)?.into_int_type();
                env.b
                    .build_int_truncate(v.into_int_value(), t, "pack")
                    .map_err(llvm_err)?
                    .into()
            }
            StorageType::Val(_) => v,
        };
        let st = env.b.build_store(p, v).map_err(llvm_err)?;
        st.set_alignment(1).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Load a field of storage type `st` from `p` as its value type, extending a packed
    /// field with sign (`signed`) or zeros.
    fn load_field_value(
        &self,
        p: PointerValue<'ctx>,
        st: StorageType,
        signed: bool,
    ) -> Res<BasicValueEnum<'ctx>> {
        let env = self.env;
        let t = self.storage_type(st)?;
        let v = env.b.build_load(t, p, "f").map_err(llvm_err)?;
        v.as_instruction_value()
            .ok_or("load")?
            .set_alignment(1)
            .map_err(|e| e.to_string())?;
        Ok(match st {
            StorageType::I8 | StorageType::I16 => {
                let v = v.into_int_value();
                if signed {
                    env.b.build_int_s_extend(v, env.i32(), "s")
                } else {
                    env.b.build_int_z_extend(v, env.i32(), "u")
                }
                .map_err(llvm_err)?
                .into()
            }
            StorageType::Val(_) => v,
        })
    }

    /// Allocate a zeroed object of type `index` (`len` elements for an array); trap when the
    /// heap is full.
    fn alloc(&mut self, index: u32, len: IntValue<'ctx>) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        let id = self.type_id(index)?;
        let p = self
            .call_helper(
                helper::gc_alloc,
                &[self.vmctx.into(), id.into(), len.into()],
            )?
            .ok_or("gc_alloc result")?
            .into_pointer_value();
        let null = env.b.build_is_null(p, "oom").map_err(llvm_err)?;
        self.trap_if(null, trap_code::GC_OOM)?;
        Ok(p)
    }

    /// Allocate an object of type `index` whose size, `size` bytes, is known here (a struct,
    /// or an array of `len` elements from `array.new_fixed`). A small object comes from its
    /// size class's run (see `vm::gc::Run`) with no call while the run has room, which is
    /// nearly always; `gc_alloc` refills the run (and collects when it is time) otherwise.
    /// Slots are reused without being cleared, so the inline path writes the header (and an
    /// array's length) and clears the fields only when `zero`: the other callers store every
    /// field next.
    fn alloc_fixed(
        &mut self,
        index: u32,
        size: u32,
        len: u32,
        zero: bool,
    ) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        let Some(class) = layout::class_of(size) else {
            return self.alloc(index, env.i32().const_int(u64::from(len), false));
        };
        let slot = class as u64 * u64::from(layout::GRAIN);
        let id = self.type_id(index)?;
        let runs = env
            .load_field(self.vmctx, offset::GC_RUNS, env.ptr().into())?
            .into_pointer_value();
        let run = env.field_ptr(runs, class as u32 * layout::RUN_SIZE)?;
        let cur = env
            .load_mutable_field(run, layout::RUN_CURSOR, env.i64().into())?
            .into_int_value();
        let end = env
            .load_mutable_field(run, layout::RUN_END, env.i64().into())?
            .into_int_value();
        let b = &env.b;
        let next = b
            .build_int_add(cur, env.i64().const_int(slot, false), "next")
            .map_err(llvm_err)?;
        // An empty run is 0..0, which no slot fits.
        let fits = b
            .build_int_compare(IntPredicate::ULE, next, end, "fits")
            .map_err(llvm_err)?;
        let fast = env.ctx.append_basic_block(self.func, "alloc_inline");
        let slow = env.ctx.append_basic_block(self.func, "alloc_call");
        let join = env.ctx.append_basic_block(self.func, "alloc_done");
        let br = b
            .build_conditional_branch(fits, fast, slow)
            .map_err(llvm_err)?;
        let weights = env.ctx.metadata_node(&[
            env.ctx.metadata_string("branch_weights").into(),
            env.i32().const_int(1000, false).into(),
            env.i32().const_int(1, false).into(),
        ]);
        br.set_metadata(weights, env.ctx.get_kind_id("prof"))
            .map_err(|e| e.to_string())?;

        b.position_at_end(fast);
        let st = b
            .build_store(env.field_ptr(run, layout::RUN_CURSOR)?, next)
            .map_err(llvm_err)?;
        env.tag(st, super::env::Heap::Runtime)?;
        let p_fast = b
            .build_int_to_ptr(cur, env.ptr(), "obj")
            .map_err(llvm_err)?;
        // The header: the type id, and a clear collector word.
        let header = b
            .build_int_z_extend(id, env.i64(), "hdr")
            .map_err(llvm_err)?;
        b.build_store(p_fast, header).map_err(llvm_err)?;
        if matches!(
            self.env.wasm.sub_types[index as usize].composite_type.inner,
            CompositeInnerType::Array(_)
        ) {
            let at = env.field_ptr(p_fast, layout::ARRAY_LEN)?;
            b.build_store(at, env.i32().const_int(u64::from(len), false))
                .map_err(llvm_err)?;
        }
        if zero && size > layout::STRUCT_FIELDS {
            let at = env.field_ptr(p_fast, layout::STRUCT_FIELDS)?;
            let n = env
                .i64()
                .const_int(u64::from(size - layout::STRUCT_FIELDS), false);
            b.build_memset(at, 8, env.ctx.i8_type().const_zero(), n)
                .map_err(llvm_err)?;
        }
        b.build_unconditional_branch(join).map_err(llvm_err)?;

        b.position_at_end(slow);
        let len_v = env.i32().const_int(u64::from(len), false);
        let p_slow = self.alloc(index, len_v)?;
        let from_slow = self.cur_block();
        env.b.build_unconditional_branch(join).map_err(llvm_err)?;

        env.b.position_at_end(join);
        let p = env.b.build_phi(env.ptr(), "obj").map_err(llvm_err)?;
        p.add_incoming(&[(&p_fast, fast), (&p_slow, from_slow)]);
        Ok(p.as_basic_value().into_pointer_value())
    }

    fn non_null(&mut self, r: BasicValueEnum<'ctx>, code: i32) -> Res<PointerValue<'ctx>> {
        let r = r.into_pointer_value();
        let null = self.env.b.build_is_null(r, "isnull").map_err(llvm_err)?;
        self.trap_if(null, code)?;
        Ok(r)
    }

    /// The address of element `i` of non-null array `r` of type `index`, after the bounds
    /// check.
    fn element(
        &mut self,
        r: PointerValue<'ctx>,
        i: IntValue<'ctx>,
        index: u32,
    ) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        let b = &env.b;
        let len_p = self.at(r, env.i64().const_int(u64::from(layout::ARRAY_LEN), false))?;
        let len = b
            .build_load(env.i32(), len_p, "len")
            .map_err(llvm_err)?
            .into_int_value();
        let oob = b
            .build_int_compare(IntPredicate::UGE, i, len, "oob")
            .map_err(llvm_err)?;
        self.trap_if(oob, trap_code::OOB_ARRAY)?;
        let size = storage_size(self.array_elem(index)?.element_type);
        let b = &env.b;
        let wide = b.build_int_z_extend(i, env.i64(), "i").map_err(llvm_err)?;
        let scaled = b
            .build_int_mul(wide, env.i64().const_int(u64::from(size), false), "off")
            .map_err(llvm_err)?;
        let off = b
            .build_int_add(
                scaled,
                env.i64().const_int(u64::from(layout::ARRAY_DATA), false),
                "off",
            )
            .map_err(llvm_err)?;
        self.at(r, off)
    }

    /// A 16-byte slot in the frame holding `v` (a value passed to a helper).
    fn value_slot(&self, v: BasicValueEnum<'ctx>) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        let slot = self.entry_alloca(env.ctx.i128_type().into(), "slot")?;
        env.b
            .build_store(slot, env.ctx.i128_type().const_zero())
            .map_err(llvm_err)?;
        env.b.build_store(slot, v).map_err(llvm_err)?;
        Ok(slot)
    }

    /// Struct and array instructions.
    pub(crate) fn heap_op(&mut self, op: &O) -> Res<bool> {
        let env = self.env;
        let i32t = env.i32();
        match *op {
            O::StructNew {
                struct_type_index: t,
            } => {
                let fields = self.struct_fields(t)?;
                let vals = self.popn(fields.len());
                let (offsets, size) =
                    layout::struct_layout(fields.iter().map(|f| storage_size(f.element_type)));
                let p = self.alloc_fixed(t, size, 0, false)?;
                for ((f, v), off) in fields.iter().zip(vals).zip(offsets) {
                    let at = self.at(p, env.i64().const_int(u64::from(off), false))?;
                    self.store_field(at, f.element_type, v)?;
                }
                self.push(p);
            }
            O::StructNewDefault {
                struct_type_index: t,
            } => {
                let fields = self.struct_fields(t)?;
                let (_, size) =
                    layout::struct_layout(fields.iter().map(|f| storage_size(f.element_type)));
                let p = self.alloc_fixed(t, size, 0, true)?;
                self.push(p);
            }
            O::StructGet {
                struct_type_index: t,
                field_index: f,
            }
            | O::StructGetS {
                struct_type_index: t,
                field_index: f,
            }
            | O::StructGetU {
                struct_type_index: t,
                field_index: f,
            } => {
                let r = self.pop();
                let r = self.non_null(r, trap_code::NULL_STRUCT)?;
                let st = self.struct_fields(t)?[f as usize].element_type;
                let off = self.field_offset(t, f)?;
                let at = self.at(r, env.i64().const_int(u64::from(off), false))?;
                let v = self.load_field_value(at, st, matches!(op, O::StructGetS { .. }))?;
                self.push(v);
            }
            O::StructSet {
                struct_type_index: t,
                field_index: f,
            } => {
                let v = self.pop();
                let r = self.pop();
                let r = self.non_null(r, trap_code::NULL_STRUCT)?;
                let st = self.struct_fields(t)?[f as usize].element_type;
                let off = self.field_offset(t, f)?;
                let at = self.at(r, env.i64().const_int(u64::from(off), false))?;
                self.store_field(at, st, v)?;
            }
            O::ArrayNew {
                array_type_index: t,
            } => {
                let len = self.pop_int();
                let v = self.pop();
                let slot = self.value_slot(v)?;
                let id = self.type_id(t)?;
                self.call_checked_helper(
                    helper::array_new,
                    &[self.vmctx.into(), id.into(), len.into(), slot.into()],
                )?;
                let p = env.b.build_load(env.ptr(), slot, "arr").map_err(llvm_err)?;
                self.push(p);
            }
            O::ArrayNewDefault {
                array_type_index: t,
            } => {
                let len = self.pop_int();
                let p = self.alloc(t, len)?;
                self.push(p);
            }
            O::ArrayNewFixed {
                array_type_index: t,
                array_size: n,
            } => {
                let vals = self.popn(n as usize);
                let st = self.array_elem(t)?.element_type;
                let size = storage_size(st);
                let p = match layout::array_size(size, n) {
                    Some(bytes) => self.alloc_fixed(t, bytes, n, false)?,
                    None => self.alloc(t, i32t.const_int(u64::from(n), false))?,
                };
                for (i, v) in vals.into_iter().enumerate() {
                    let off = layout::ARRAY_DATA as u64 + i as u64 * u64::from(size);
                    let at = self.at(p, env.i64().const_int(off, false))?;
                    self.store_field(at, st, v)?;
                }
                self.push(p);
            }
            O::ArrayNewData {
                array_type_index: t,
                array_data_index: seg,
            }
            | O::ArrayNewElem {
                array_type_index: t,
                array_elem_index: seg,
            } => {
                let len = self.pop_int();
                let off = self.pop_int();
                let slot = self.entry_alloca(env.ctx.i128_type().into(), "out")?;
                let id = self.type_id(t)?;
                let h = match op {
                    O::ArrayNewData { .. } => helper::array_new_data,
                    _ => helper::array_new_elem,
                };
                self.call_checked_helper(
                    h,
                    &[
                        self.vmctx.into(),
                        id.into(),
                        self.const_u32(seg),
                        off.into(),
                        len.into(),
                        slot.into(),
                    ],
                )?;
                let p = env.b.build_load(env.ptr(), slot, "arr").map_err(llvm_err)?;
                self.push(p);
            }
            O::ArrayGet {
                array_type_index: t,
            }
            | O::ArrayGetS {
                array_type_index: t,
            }
            | O::ArrayGetU {
                array_type_index: t,
            } => {
                let i = self.pop_int();
                let r = self.pop();
                let r = self.non_null(r, trap_code::NULL_ARRAY)?;
                let at = self.element(r, i, t)?;
                let st = self.array_elem(t)?.element_type;
                let v = self.load_field_value(at, st, matches!(op, O::ArrayGetS { .. }))?;
                self.push(v);
            }
            O::ArraySet {
                array_type_index: t,
            } => {
                let v = self.pop();
                let i = self.pop_int();
                let r = self.pop();
                let r = self.non_null(r, trap_code::NULL_ARRAY)?;
                let at = self.element(r, i, t)?;
                let st = self.array_elem(t)?.element_type;
                self.store_field(at, st, v)?;
            }
            O::ArrayLen => {
                let r = self.pop();
                let r = self.non_null(r, trap_code::NULL_ARRAY)?;
                let len_p = self.at(r, env.i64().const_int(u64::from(layout::ARRAY_LEN), false))?;
                let len = env.b.build_load(i32t, len_p, "len").map_err(llvm_err)?;
                self.push(len);
            }
            O::ArrayFill { .. } => {
                let n = self.pop_int();
                let v = self.pop();
                let d = self.pop_int();
                let r = self.pop();
                let r = self.non_null(r, trap_code::NULL_ARRAY)?;
                let slot = self.value_slot(v)?;
                self.call_checked_helper(
                    helper::array_fill,
                    &[self.vmctx.into(), r.into(), d.into(), slot.into(), n.into()],
                )?;
            }
            O::ArrayCopy { .. } => {
                let n = self.pop_int();
                let s = self.pop_int();
                let src = self.pop();
                let d = self.pop_int();
                let dst = self.pop();
                let dst = self.non_null(dst, trap_code::NULL_ARRAY)?;
                let src = self.non_null(src, trap_code::NULL_ARRAY)?;
                self.call_checked_helper(
                    helper::array_copy,
                    &[
                        self.vmctx.into(),
                        dst.into(),
                        d.into(),
                        src.into(),
                        s.into(),
                        n.into(),
                    ],
                )?;
            }
            O::ArrayInitData {
                array_data_index: seg,
                ..
            }
            | O::ArrayInitElem {
                array_elem_index: seg,
                ..
            } => {
                let n = self.pop_int();
                let s = self.pop_int();
                let d = self.pop_int();
                let r = self.pop();
                let r = self.non_null(r, trap_code::NULL_ARRAY)?;
                let h = match op {
                    O::ArrayInitData { .. } => helper::array_init_data,
                    _ => helper::array_init_elem,
                };
                self.call_checked_helper(
                    h,
                    &[
                        self.vmctx.into(),
                        r.into(),
                        self.const_u32(seg),
                        d.into(),
                        s.into(),
                        n.into(),
                    ],
                )?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn ref_bits(&self, r: PointerValue<'ctx>) -> Res<IntValue<'ctx>> {
        let env = self.env;
        env.b
            .build_ptr_to_int(r, env.i64(), "bits")
            .map_err(llvm_err)
    }

    /// Whether reference `r` is of type `(ref null? hty)`: null by `nullable`; the abstract
    /// types that need no look at the value inline; concrete types (and `struct`/`array`)
    /// through the `ref_test` helper, which checks declared subtyping in constant time.
    fn ref_test(
        &mut self,
        r: PointerValue<'ctx>,
        hty: HeapType,
        nullable: bool,
    ) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let b = &env.b;
        let bool_ty = env.ctx.bool_type();
        let bits = self.ref_bits(r)?;
        let is_null = b.build_is_null(r, "isnull").map_err(llvm_err)?;
        let low = |mask: u64, want: u64| -> Res<IntValue<'ctx>> {
            let m = b
                .build_and(bits, env.i64().const_int(mask, false), "tag")
                .map_err(llvm_err)?;
            b.build_int_compare(IntPredicate::EQ, m, env.i64().const_int(want, false), "is")
                .map_err(llvm_err)
        };
        let non_null: IntValue<'ctx> = match hty {
            HeapType::Abstract { ty, .. } => match ty {
                A::Any | A::Func | A::Extern | A::Exn | A::Cont => bool_ty.const_int(1, false),
                A::None | A::NoFunc | A::NoExtern | A::NoExn | A::NoCont => bool_ty.const_zero(),
                A::I31 => low(1, 1)?,
                // An i31 or a heap object; not a host reference.
                A::Eq => b.build_not(low(3, 2)?, "eq").map_err(llvm_err)?,
                A::Struct | A::Array => {
                    self.test_helper(r, env.i32().const_int(u64::from(abstract_code(ty)), false))?
                }
            },
            HeapType::Concrete(UnpackedIndex::Module(i))
            | HeapType::Exact(UnpackedIndex::Module(i)) => {
                let ids = env
                    .load_field(self.vmctx, offset::TYPE_IDS, env.ptr().into())?
                    .into_pointer_value();
                let want = env
                    .load_field(ids, i * 4, env.i32().into())?
                    .into_int_value();
                self.test_helper(r, want)?
            }
            HeapType::Concrete(_) | HeapType::Exact(_) => {
                return Err("internal compiler error: unresolved type index in a cast".into())
            }
        };
        let v = b
            .build_select(
                is_null,
                bool_ty.const_int(u64::from(nullable), false),
                non_null,
                "test",
            )
            .map_err(llvm_err)?;
        Ok(v.into_int_value())
    }

    fn test_helper(&self, r: PointerValue<'ctx>, target: IntValue<'ctx>) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let v = self
            .call_helper(
                helper::ref_test,
                &[self.vmctx.into(), r.into(), target.into()],
            )?
            .ok_or("ref_test result")?
            .into_int_value();
        env.b
            .build_int_compare(IntPredicate::NE, v, env.i32().const_zero(), "ok")
            .map_err(llvm_err)
    }
}
