//! Linear-memory access. 32-bit memories are reserved with guard regions covering every
//! 32-bit index plus 32-bit offset, so an access is `base + zext(index) + offset` with no
//! check: an out-of-bounds access faults and the runtime turns the fault into a trap. A 64-bit
//! memory's index can reach past any reservation, so its accesses are checked against the
//! current size: `index <= size - (offset + width)`, whose right side LLVM hoists out of
//! loops that do not call, so a loop pays one compare per access.
//!
//! LLVM knows nothing of that trap: to it an out-of-bounds access is undefined behaviour, so
//! it would delete a load whose value it can do without, sink it into the one branch that
//! uses it, fold it into a masked AVX-512 move that suppresses the fault, or move stores
//! across it. Every access that can fault is therefore followed by a *trap point* (see
//! [`FuncTx::trap_point`]), which pins it in place; docs/architecture.md gives the argument.
use super::env::{llvm_err, Heap, Res};
use super::func::FuncTx;
use super::settings::Levels;
use crate::runtime::memory::{GUARD_64, MAX_RESERVATION_64};
use crate::runtime::vm::{helper, offset};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::types::{BasicMetadataTypeEnum, BasicTypeEnum};
use inkwell::values::{BasicValue, BasicValueEnum, IntValue, PointerValue};
use wasmparser::{MemArg, Operator as O};

/// LLVM's `memory(read)`: the `MemoryEffects` encoding, two bits per location (argument,
/// inaccessible, other memory), each `Ref` (1).
const MEMORY_READ: u64 = 0b01_01_01;

/// How a load widens its bytes.
#[derive(Clone, Copy)]
enum Ext {
    None,
    Signed,
    Unsigned,
}

impl<'a, 'ctx, 'm> FuncTx<'a, 'ctx, 'm> {
    /// The runtime descriptor of memory `mem`: memory 0's sits in the vmctx, the others in
    /// the vmctx's memory array.
    pub(crate) fn memory_data(&self, mem: u32) -> Res<PointerValue<'ctx>> {
        let env = self.env;
        if mem == 0 {
            return Ok(env
                .load_field(self.vmctx, offset::MEM, env.ptr().into())?
                .into_pointer_value());
        }
        let all = env
            .load_field(self.vmctx, offset::MEMORIES, env.ptr().into())?
            .into_pointer_value();
        env.load_indexed_ptr(all, env.i32().const_int(u64::from(mem), false))
    }

    /// Memory `mem`'s current size in bytes, read from its runtime descriptor. `memory.size`
    /// and the explicit bounds checks both need it, so the two loads live here once.
    fn memory_size_bytes(&self, mem: u32) -> Res<IntValue<'ctx>> {
        let env = self.env;
        let md = self.memory_data(mem)?;
        Ok(env
            .load_mutable_field(md, offset::MEM_SIZE, env.i64().into())?
            .into_int_value())
    }

    fn is_memory64(&self, mem: u32) -> bool {
        self.env.wasm.memories[mem as usize].memory64
    }

    /// The address of an access of `bytes` bytes at the popped index, and whether it can
    /// fault. A 32-bit memory's guard region catches every access past its end, so the
    /// address needs no check, but the access can fault unless its address is constant and
    /// inside the memory's declared minimum (which an imported memory's size is never below,
    /// and memory never shrinks). A 64-bit index can reach anywhere: below 64 GiB (the most a
    /// 64-bit memory holds, `runtime::memory::MAX_RESERVATION_64`) with an offset below
    /// 4 GiB it lands in the memory's reservation, whose guard catches what is past the size,
    /// so one compare with a constant suffices, in a register, with no load of the size that a
    /// store in the loop could force LLVM to repeat; other 64-bit accesses (and every access
    /// with explicit bounds checks) are checked against the current size first, and then
    /// cannot fault.
    fn address(&mut self, memarg: &MemArg, bytes: u32) -> Res<(PointerValue<'ctx>, bool)> {
        let env = self.env;
        let wasmparser::MemArgTarget::Memory(mem) = memarg.target else {
            return Err(super::CompileError::Unsupported {
                feature: "garbage collection",
                detail: "a memory access to a GC array".into(),
            });
        };
        let index = self.pop_int();
        let min_bytes = {
            let m = &env.wasm.memories[mem as usize];
            let page = 1u64 << m.page_size_log2.unwrap_or(16);
            m.initial.saturating_mul(page)
        };
        let in_minimum = index.get_zero_extended_constant().is_some_and(|i| {
            i.checked_add(memarg.offset)
                .and_then(|a| a.checked_add(u64::from(bytes)))
                .is_some_and(|end| end <= min_bytes)
        });
        let b = &env.b;
        let wide = b
            .build_int_z_extend_or_bit_cast(index, env.i64(), "idx")
            .map_err(llvm_err)?;
        let guarded64 = self.is_memory64(mem)
            && !env.settings.bounds_checks
            && memarg.offset.saturating_add(u64::from(bytes)) <= GUARD_64;
        let checked = (self.is_memory64(mem) && !guarded64) || env.settings.bounds_checks;
        if guarded64 && !in_minimum {
            let limit = env.i64().const_int(MAX_RESERVATION_64, false);
            let past = env
                .b
                .build_int_compare(inkwell::IntPredicate::UGE, wide, limit, "past")
                .map_err(llvm_err)?;
            self.trap_if(past, crate::runtime::vm::trap_code::OOB_MEMORY)?;
        } else if checked && !in_minimum {
            self.check_bounds(mem, wide, memarg.offset, bytes)?;
        }
        let b = &env.b;
        // No `add 0` for the common offset-free access: level 0 would emit it.
        let eff = if memarg.offset == 0 {
            wide
        } else {
            b.build_int_add(wide, env.i64().const_int(memarg.offset, false), "ea")
                .map_err(llvm_err)?
        };
        let base = self.mem_bases[mem as usize];
        // SAFETY (LLVM): inside the memory's reservation, by its guard region or the check.
        let addr = unsafe { b.build_gep(env.i8(), base, &[eff], "addr") }.map_err(llvm_err)?;
        Ok((addr, !checked && !in_minimum))
    }

    /// Trap unless `index + offset + bytes` (computed without wrapping) is within memory
    /// `mem`'s current size: the explicit check of 64-bit memories, and of 32-bit ones when
    /// guard pages are not trusted (`Config::explicit_bounds_checks`, `RT_BOUNDS_CHECKS=1`).
    fn check_bounds(
        &mut self,
        mem: u32,
        index: IntValue<'ctx>,
        offset: u64,
        bytes: u32,
    ) -> Res<()> {
        let env = self.env;
        let oob_code = crate::runtime::vm::trap_code::OOB_MEMORY;
        let Some(reach) = offset.checked_add(u64::from(bytes)) else {
            // No index makes this access fit.
            return self.trap_if(env.ctx.bool_type().const_all_ones(), oob_code);
        };
        let size = self.memory_size_bytes(mem)?;
        let b = &env.b;
        let reach = env.i64().const_int(reach, false);
        // In bounds when `reach <= size` and `index <= size - reach`: the first compare and the
        // limit do not depend on the index, so LLVM hoists them out of loops, leaving one
        // compare of the index with a loop-invariant limit.
        let too_small = b
            .build_int_compare(inkwell::IntPredicate::ULT, size, reach, "small")
            .map_err(llvm_err)?;
        let limit = b.build_int_sub(size, reach, "limit").map_err(llvm_err)?;
        let past = b
            .build_int_compare(inkwell::IntPredicate::UGT, index, limit, "past")
            .map_err(llvm_err)?;
        let oob = b.build_or(too_small, past, "oob").map_err(llvm_err)?;
        self.trap_if(oob, oob_code)
    }

    /// A trap point: an empty `asm sideeffect` that LLVM must assume reads all memory and may
    /// not return (it is neither `willreturn` nor removable), as a trap does: the host reads
    /// memory, globals and tables after it. Placed after every store to memory, a global or a
    /// table, and after every load that can fault, with the loaded value as a register
    /// operand. So no store moves across a trap point or merges with one across it, and a
    /// load can be neither deleted, sunk past its trap point nor folded into a masked
    /// instruction: its full value must be in a register there. With explicit bounds checks
    /// (`Config::explicit_bounds_checks`, `RT_BOUNDS_CHECKS=1`) nothing faults: a check calls
    /// the trap helper first, which LLVM already treats as opaque, so there are no trap points.
    pub(crate) fn trap_point(&mut self, loaded: Option<BasicValueEnum<'ctx>>) -> Res<()> {
        if self.env.settings.bounds_checks {
            return Ok(());
        }
        let env = self.env;
        let (params, constraint, args): (Vec<BasicMetadataTypeEnum>, _, Vec<_>) = match loaded {
            // "x": an SSE register, so a float load is not moved to a general register.
            Some(v) if v.is_float_value() || v.is_vector_value() => {
                (vec![v.get_type().into()], "x", vec![v.into()])
            }
            Some(v) => (vec![v.get_type().into()], "r", vec![v.into()]),
            None => (vec![], "", vec![]),
        };
        let fty = env.ctx.void_type().fn_type(&params, false);
        let asm = env.ctx.create_inline_asm(
            fty,
            String::new(),
            constraint.into(),
            true,
            false,
            None,
            false,
        );
        let call = env
            .b
            .build_indirect_call(fty, asm, &args, "")
            .map_err(llvm_err)?;
        for (name, value) in [("memory", MEMORY_READ), ("nounwind", 0)] {
            let kind = Attribute::get_named_enum_kind_id(name);
            call.add_attribute(
                AttributeLoc::Function,
                env.ctx.create_enum_attribute(kind, value),
            );
        }
        Ok(())
    }

    /// `load(ty, bytes, ext)`: load `bytes` bytes and widen them to `ty`.
    fn load(&mut self, memarg: &MemArg, ty: BasicTypeEnum<'ctx>, bytes: u32, ext: Ext) -> Res<()> {
        let env = self.env;
        let (addr, can_fault) = self.address(memarg, bytes)?;
        let b = &env.b;
        let loaded_ty = match ext {
            Ext::None => ty,
            Ext::Signed | Ext::Unsigned => env.int_bits(bytes * 8).into(),
        };
        let loaded = b.build_load(loaded_ty, addr, "load").map_err(llvm_err)?;
        let inst = loaded.as_instruction_value().ok_or("load instruction")?;
        inst.set_alignment(1).map_err(|e| e.to_string())?;
        env.tag(inst, Heap::Memory)?;
        if can_fault {
            if env.settings.fast_isel() {
                // FastISel (levels 0 and 1) emits a trap point's `asm` without its
                // operand, so a load whose value is otherwise unused vanished and never
                // trapped (spec traps.wast `no_dce.*` at -O0). A volatile load is always
                // done, and FastISel moves nothing across another access.
                inst.set_volatile(true).map_err(|e| e.to_string())?;
            }
            if env.settings.pipeline().is_some() {
                // The trap point is for the IR passes: they may not delete or sink the
                // load, nor move a store across it.
                self.trap_point(Some(loaded))?;
            }
        }
        let v: BasicValueEnum = match ext {
            Ext::None => loaded,
            Ext::Signed => b
                .build_int_s_extend(loaded.into_int_value(), ty.into_int_type(), "sx")
                .map_err(llvm_err)?
                .into(),
            Ext::Unsigned => b
                .build_int_z_extend(loaded.into_int_value(), ty.into_int_type(), "zx")
                .map_err(llvm_err)?
                .into(),
        };
        self.push(v);
        Ok(())
    }

    /// `v128.load`: 16 bytes as the canonical v128.
    pub(crate) fn load_v128(&mut self, memarg: &MemArg) -> Res<()> {
        let ty = self.env.v128().into();
        self.load(memarg, ty, 16, Ext::None)
    }

    /// Load `bytes` bytes as an integer of that width (with its trap point), for the SIMD
    /// loads that place them in lanes: splats, zero-extending, widening and lane loads.
    pub(crate) fn load_int(&mut self, memarg: &MemArg, bytes: u32) -> Res<IntValue<'ctx>> {
        let ty = self.env.int_bits(bytes * 8).into();
        self.load(memarg, ty, bytes, Ext::None)?;
        Ok(self.pop_int())
    }

    /// `store(bytes)` for other families (v128 stores).
    pub(crate) fn store_bytes(&mut self, memarg: &MemArg, bytes: u32) -> Res<()> {
        self.store(memarg, bytes)
    }

    /// `store(bytes)`: store the low `bytes` bytes of the value.
    fn store(&mut self, memarg: &MemArg, bytes: u32) -> Res<()> {
        let env = self.env;
        let v = self.pop();
        // Even a store that cannot fault gets its trap point: a later load that faults must
        // not be done before it.
        let (addr, _) = self.address(memarg, bytes)?;
        let b = &env.b;
        let v = if v.is_int_value() && v.into_int_value().get_type().get_bit_width() > bytes * 8 {
            let narrow = env.int_bits(bytes * 8);
            b.build_int_truncate(v.into_int_value(), narrow, "narrow")
                .map_err(llvm_err)?
                .into()
        } else {
            v
        };
        let st = b.build_store(addr, v).map_err(llvm_err)?;
        st.set_alignment(1).map_err(|e| e.to_string())?;
        env.tag(st, Heap::Memory)?;
        self.trap_point(None)
    }

    pub(crate) fn memory_op(&mut self, op: &O) -> Res<bool> {
        let env = self.env;
        let (i32t, i64t) = (env.i32().into(), env.i64().into());
        let (f32t, f64t) = (env.ctx.f32_type().into(), env.ctx.f64_type().into());
        match op {
            O::I32Load { memarg } => self.load(memarg, i32t, 4, Ext::None)?,
            O::I64Load { memarg } => self.load(memarg, i64t, 8, Ext::None)?,
            O::F32Load { memarg } => self.load(memarg, f32t, 4, Ext::None)?,
            O::F64Load { memarg } => self.load(memarg, f64t, 8, Ext::None)?,
            O::I32Load8S { memarg } => self.load(memarg, i32t, 1, Ext::Signed)?,
            O::I32Load8U { memarg } => self.load(memarg, i32t, 1, Ext::Unsigned)?,
            O::I32Load16S { memarg } => self.load(memarg, i32t, 2, Ext::Signed)?,
            O::I32Load16U { memarg } => self.load(memarg, i32t, 2, Ext::Unsigned)?,
            O::I64Load8S { memarg } => self.load(memarg, i64t, 1, Ext::Signed)?,
            O::I64Load8U { memarg } => self.load(memarg, i64t, 1, Ext::Unsigned)?,
            O::I64Load16S { memarg } => self.load(memarg, i64t, 2, Ext::Signed)?,
            O::I64Load16U { memarg } => self.load(memarg, i64t, 2, Ext::Unsigned)?,
            O::I64Load32S { memarg } => self.load(memarg, i64t, 4, Ext::Signed)?,
            O::I64Load32U { memarg } => self.load(memarg, i64t, 4, Ext::Unsigned)?,
            O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => {
                self.store(memarg, 4)?
            }
            O::I64Store { memarg } | O::F64Store { memarg } => self.store(memarg, 8)?,
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store(memarg, 1)?,
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => self.store(memarg, 2)?,
            O::MemorySize { mem } => {
                let size = self.memory_size_bytes(*mem)?;
                let b = &env.b;
                let pages = b
                    .build_right_shift(size, env.i64().const_int(16, false), false, "pages")
                    .map_err(llvm_err)?;
                if self.is_memory64(*mem) {
                    self.push(pages);
                } else {
                    let v = b
                        .build_int_truncate(pages, env.i32(), "size")
                        .map_err(llvm_err)?;
                    self.push(v);
                }
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let args = [
                    self.vmctx.into(),
                    self.const_u32(*mem),
                    self.u64_arg(delta)?,
                ];
                let old = self
                    .call_helper(helper::memory_grow, &args)?
                    .ok_or("grow result")?;
                self.check_grow(old, false, *mem, args[2])?;
                if self.is_memory64(*mem) {
                    self.push(old);
                } else {
                    let v = self.low_i32(old)?;
                    self.push(v);
                }
            }
            O::MemoryFill { mem } => {
                let args = self.fill_args(*mem)?;
                self.call_checked_helper(helper::memory_fill, &args)?;
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let args = self.bulk_args(*dst_mem, *src_mem)?;
                self.call_checked_helper(helper::memory_copy, &args)?;
            }
            O::MemoryInit { data_index, mem } => {
                let args = self.bulk_args(*mem, *data_index)?;
                self.call_checked_helper(helper::memory_init, &args)?;
            }
            O::DataDrop { data_index } => {
                let args = [self.vmctx.into(), self.const_u32(*data_index)];
                self.call_helper(helper::data_drop, &args)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
