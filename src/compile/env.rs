//! The translation environment shared by every function: LLVM types, intrinsics looked up
//! once by name, declarations of the module's functions, and typed access to vmctx fields.
use crate::module::Module;
use crate::runtime::vm::helpers::{Helper, Ret, Ty};
use crate::runtime::vm::{func_symbol, helper, offset};
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::Linkage;
use inkwell::module::Module as LlModule;
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, BasicValueEnum, FunctionValue, InstructionValue, IntValue,
    PointerValue,
};
use inkwell::{AddressSpace, IntPredicate};
use wasmparser::{FuncType, ValType};

pub(crate) type Res<T> = Result<T, super::CompileError>;

/// The calling convention of every wasm function, host adapter and call between them: LLVM's
/// `tailcc` (number 18). It is what makes Wasm tail calls guaranteed: a `musttail` call in
/// `tailcc` may go to a callee of any prototype (with the C convention the prototypes would
/// have to match) and always reuses the caller's frame. Its cost on x86-64 is that the callee
/// pops its stack-argument area, padded so the stack stays 16-aligned: 8 bytes even with no
/// stack arguments, which the caller re-reserves after each call (one `sub`). Ordinary
/// calls are never turned into tail calls: every function keeps `"disable-tail-calls"`,
/// which LLVM honours for `call` and `tail call` but not for `musttail`.
pub(crate) const WASM_CALL_CONV: u32 = 18;

/// The most results of each register class (integer: i32, i64, references; vector: f32,
/// f64, v128) that x86-64 `tailcc` returns in registers: RAX, RDX, RCX and XMM0..XMM2.
const RETURN_REGS: usize = 3;

/// Whether a function with these results returns them through a buffer its caller passes
/// (the third argument) instead of in registers; `fuel` is whether it also returns the fuel
/// count (see [`Env::returned_types`]), which takes an integer register. LLVM would return
/// more values than [`RETURN_REGS`] allows through an implicit `sret` pointer, or in x87
/// registers (which quiet signalling NaNs) for a fourth float; and a `musttail` call whose
/// return is demoted to `sret` cannot be compiled at all (LLVM aborts). With an explicit
/// buffer, a tail call simply passes its own caller's buffer on: the callee's results have
/// the same types, so it writes them where the original caller looks. The choice depends
/// only on the result types' register classes and the code's settings, which a callee and a
/// tail-calling caller share (a reference result that is a subtype is still a pointer; all
/// the modules of a store come from one engine).
fn results_in_memory(results: &[ValType], fuel: bool) -> bool {
    let ints = results
        .iter()
        .filter(|t| matches!(t, ValType::I32 | ValType::I64 | ValType::Ref(_)))
        .count();
    ints + usize::from(fuel) > RETURN_REGS || results.len() - ints > RETURN_REGS
}

/// How many f32, f64 and v128 parameters x86-64 `tailcc` passes in vector registers
/// (XMM0..XMM7); the ones after them go on the stack.
const VECTOR_ARG_REGS: usize = 8;

/// Which of these parameters the internal convention passes as two i64s (the v128's low and
/// high halves) instead of a vector: every v128 that would go on the stack, none in a register.
///
/// LLVM 19's x86-64 `tailcc` sizes the stack-argument area one way in the callee and another
/// in the caller. The callee pops its arguments' size padded to 16n+8 (so the stack stays
/// 16-aligned once the return address is gone); the caller reserves the same size but first
/// rounds it up to the largest stack argument's alignment (`getAlignedCallFrameSize` against
/// `getStackSize` in `X86ISelLoweringCall.cpp`). With a 16-aligned v128 on the stack and the
/// arguments ending at 8 mod 16 the caller reserves 16 bytes more than the callee pops: each
/// call leaves the stack pointer 16 bytes off and the caller returns through a wrong address
/// (and a `musttail` call moves its return address by the wrong amount). Every other
/// parameter type is 8-aligned on the stack, where the two sizes agree, so a stack-bound
/// v128 as two i64s (in integer registers or 8-aligned slots) avoids the disagreement.
/// Vector registers are shared in order by f32, f64 and v128, so the choice depends only on
/// the parameter types: the callee, each caller and each trampoline derive the same one.
pub(crate) fn v128_split(params: &[ValType]) -> Vec<bool> {
    let mut vector_regs = 0;
    params
        .iter()
        .map(|t| {
            if !matches!(t, ValType::F32 | ValType::F64 | ValType::V128) {
                return false;
            }
            vector_regs += 1;
            *t == ValType::V128 && vector_regs > VECTOR_ARG_REGS
        })
        .collect()
}

pub(crate) fn llvm_err(e: inkwell::builder::BuilderError) -> super::CompileError {
    super::CompileError::Failed(format!("LLVM builder error: {e}"))
}

/// What a load or store touches, for type-based alias analysis: accesses to different heaps
/// never alias, so LLVM may keep a global in a register across linear-memory stores.
#[derive(Clone, Copy)]
pub(crate) enum Heap {
    /// Linear memory.
    Memory,
    /// Global cells.
    Global,
    /// Table element storage.
    Table,
    /// Mutable runtime fields (memory and table sizes, table storage pointers).
    Runtime,
}

/// Whether a runtime field may change after instantiation, which decides how its load is
/// marked: fixed fields as invariant, mutable ones with the runtime TBAA tag.
#[derive(Clone, Copy)]
enum FieldKind {
    Fixed,
    Mutable,
}

pub(crate) struct Env<'ctx, 'm> {
    pub ctx: &'ctx Context,
    /// TBAA access tags, indexed by `Heap as usize`.
    tbaa: Vec<inkwell::values::MetadataValue<'ctx>>,
    pub llmod: LlModule<'ctx>,
    pub b: Builder<'ctx>,
    pub wasm: &'m Module,
    /// Defined functions' LLVM declarations, by function index, made on first use (see
    /// [`Env::func`]).
    funcs: std::cell::RefCell<Vec<Option<FunctionValue<'ctx>>>>,
    /// What the embedding's `Config` asks of the generated code.
    pub settings: super::CodegenSettings,
    /// The address map's debug-info builder, when the settings ask for one.
    pub lines: Option<super::addrmap::LineMap<'ctx>>,
    /// Debug information from the module's DWARF (`-D debug-info=y`). It takes the place of
    /// the address map: both are LLVM debug locations, and an instruction has one.
    pub debug: Option<super::debuginfo::DebugInfo<'ctx, 'm>>,
}

impl<'ctx, 'm> Env<'ctx, 'm> {
    pub fn new(ctx: &'ctx Context, wasm: &'m Module, settings: super::CodegenSettings) -> Self {
        let llmod = ctx.create_module("wasm");
        let b = ctx.create_builder();
        let root = ctx.metadata_node(&[ctx.metadata_string("rt wasm tbaa").into()]);
        let zero = ctx.i64_type().const_zero();
        let tbaa = ["memory", "global", "table", "runtime"]
            .iter()
            .map(|name| {
                let ty = ctx.metadata_node(&[
                    ctx.metadata_string(name).into(),
                    root.into(),
                    zero.into(),
                ]);
                ctx.metadata_node(&[ty.into(), ty.into(), zero.into()])
            })
            .collect();
        Env {
            ctx,
            tbaa,
            lines: (settings.addr_map && !settings.debug_info)
                .then(|| super::addrmap::LineMap::new(&llmod, ctx)),
            debug: settings
                .debug_info
                .then(|| super::debuginfo::DebugInfo::new(&llmod, ctx, wasm)),
            llmod,
            b,
            wasm,
            funcs: std::cell::RefCell::new(vec![None; wasm.num_funcs() as usize]),
            settings,
        }
    }

    /// Defined function `index`'s LLVM function (None for an import), declared on first use.
    /// A chunk declares only the functions it defines or calls: declaring every function of
    /// the module in each of up to 32 chunks cost more than compiling small functions (a
    /// module of 50,000 functions: 1.6 million declarations, each with its attributes).
    pub fn func(&self, index: u32) -> Res<Option<FunctionValue<'ctx>>> {
        if index < self.wasm.num_imported_funcs {
            return Ok(None);
        }
        let mut funcs = self.funcs.borrow_mut();
        let slot = funcs
            .get_mut(index as usize)
            .ok_or("function index out of range")?;
        if let Some(f) = *slot {
            return Ok(Some(f));
        }
        let fty = self.fn_type(self.wasm.func_type(index))?;
        let f = self
            .llmod
            .add_function(&func_symbol(index), fty, Some(Linkage::External));
        f.as_global_value()
            .set_visibility(inkwell::GlobalVisibility::Hidden);
        super::calls::set_function_attributes(self, f);
        super::calls::set_wasm_convention(f);
        *slot = Some(f);
        Ok(Some(f))
    }

    /// Tag a load or store with the heap it accesses.
    pub fn tag(&self, inst: InstructionValue<'ctx>, heap: Heap) -> Res<()> {
        let kind = self.ctx.get_kind_id("tbaa");
        Ok(inst
            .set_metadata(self.tbaa[heap as usize], kind)
            .map_err(|e| e.to_string())?)
    }

    /// Mark a load as reading memory that never changes while compiled code runs (vmctx
    /// fields, function references), so LLVM may hoist and merge it.
    fn invariant(&self, v: BasicValueEnum<'ctx>) -> Res<()> {
        let inst = v.as_instruction_value().ok_or("load instruction")?;
        let kind = self.ctx.get_kind_id("invariant.load");
        Ok(inst
            .set_metadata(self.ctx.metadata_node(&[]), kind)
            .map_err(|e| e.to_string())?)
    }

    pub fn ptr(&self) -> inkwell::types::PointerType<'ctx> {
        self.ctx.ptr_type(AddressSpace::default())
    }
    pub fn i8(&self) -> inkwell::types::IntType<'ctx> {
        self.ctx.i8_type()
    }
    pub fn i32(&self) -> inkwell::types::IntType<'ctx> {
        self.ctx.i32_type()
    }
    pub fn i64(&self) -> inkwell::types::IntType<'ctx> {
        self.ctx.i64_type()
    }
    /// The integer type of 8, 16, 32 or 64 bits.
    pub fn int_bits(&self, bits: u32) -> inkwell::types::IntType<'ctx> {
        match bits {
            8 => self.ctx.i8_type(),
            16 => self.ctx.i16_type(),
            32 => self.ctx.i32_type(),
            _ => self.ctx.i64_type(),
        }
    }

    /// The canonical LLVM type of a v128 value.
    pub fn v128(&self) -> inkwell::types::VectorType<'ctx> {
        self.i64().vec_type(2)
    }

    pub fn val_type(&self, ty: ValType) -> Res<BasicTypeEnum<'ctx>> {
        Ok(match ty {
            ValType::I32 => self.ctx.i32_type().into(),
            ValType::I64 => self.ctx.i64_type().into(),
            ValType::F32 => self.ctx.f32_type().into(),
            ValType::F64 => self.ctx.f64_type().into(),
            ValType::Ref(_) => self.ptr().into(),
            // One canonical vector type for v128; lane views are bitcasts of it (free).
            ValType::V128 => self.v128().into(),
        })
    }

    /// Whether a function with these results takes a results buffer (see
    /// [`results_in_memory`]) under this code's settings.
    pub fn results_in_memory(&self, results: &[ValType]) -> bool {
        results_in_memory(results, self.settings.consume_fuel)
    }

    /// Index of the first wasm parameter among an internal-convention function's parameters.
    fn first_param(&self, ty: &FuncType) -> u32 {
        if self.results_in_memory(ty.results()) {
            3
        } else {
            2
        }
    }

    /// What an internal-convention function with these results returns in registers: the
    /// results (unless they go to a buffer), then, with fuel, the count left (see `limits.rs`):
    /// the caller carries on with it, so no memory lies between a return and the caller's
    /// next check either.
    pub fn returned_types(&self, results: &[ValType]) -> Res<Vec<BasicTypeEnum<'ctx>>> {
        let mut types = Vec::new();
        if !self.results_in_memory(results) {
            for t in results {
                types.push(self.val_type(*t)?);
            }
        }
        if self.settings.consume_fuel {
            types.push(self.i64().into());
        }
        Ok(types)
    }

    /// Internal calling convention: `(callee_vmctx, caller_vmctx, params...) -> results`, or
    /// `(callee_vmctx, caller_vmctx, results_buffer, params...)` when the results do not fit
    /// in return registers (see [`results_in_memory`]); with fuel, the count is the last
    /// parameter and the last returned value ([`Self::returned_types`]; a struct for several).
    /// Functions and their call sites use [`WASM_CALL_CONV`].
    pub fn fn_type(&self, ty: &FuncType) -> Res<FunctionType<'ctx>> {
        let mut params: Vec<BasicMetadataTypeEnum> = vec![self.ptr().into(), self.ptr().into()];
        if self.results_in_memory(ty.results()) {
            params.push(self.ptr().into());
        }
        for (p, split) in ty.params().iter().zip(v128_split(ty.params())) {
            if split {
                params.extend([BasicMetadataTypeEnum::from(self.i64()); 2]);
            } else {
                params.push(self.val_type(*p)?.into());
            }
        }
        // With fuel, the caller's count (see `limits.rs`): in a register, not the store's cell.
        if self.settings.consume_fuel {
            params.push(self.i64().into());
        }
        let returned = self.returned_types(ty.results())?;
        Ok(match returned.len() {
            0 => self.ctx.void_type().fn_type(&params, false),
            1 => returned[0].fn_type(&params, false),
            _ => self
                .ctx
                .struct_type(&returned, false)
                .fn_type(&params, false),
        })
    }

    /// The LLVM arguments that pass wasm arguments `args` to a function with parameter types
    /// `params` in the internal convention: each value, or a v128's two halves where
    /// [`v128_split`] says so.
    pub fn lower_args(
        &self,
        params: &[ValType],
        args: &[BasicValueEnum<'ctx>],
    ) -> Res<Vec<BasicValueEnum<'ctx>>> {
        let mut out = Vec::with_capacity(args.len());
        for (&arg, split) in args.iter().zip(v128_split(params)) {
            if !split {
                out.push(arg);
                continue;
            }
            let v = self
                .b
                .build_bit_cast(arg, self.v128(), "v128")
                .map_err(llvm_err)?
                .into_vector_value();
            for lane in 0..2 {
                let i = self.i32().const_int(lane, false);
                let half = self
                    .b
                    .build_extract_element(v, i, "half")
                    .map_err(llvm_err)?;
                out.push(half);
            }
        }
        Ok(out)
    }

    /// The wasm parameters of `f`, an internal-convention function of type `ty`: its LLVM
    /// parameters from [`Self::first_param`] on, with each split v128 put back together (see
    /// [`v128_split`]). Emits code at the builder's position.
    pub fn wasm_params(
        &self,
        f: FunctionValue<'ctx>,
        ty: &FuncType,
    ) -> Res<Vec<BasicValueEnum<'ctx>>> {
        let mut next = self.first_param(ty);
        let mut param = || {
            next += 1;
            f.get_nth_param(next - 1).ok_or("missing param")
        };
        let mut out = Vec::with_capacity(ty.params().len());
        for split in v128_split(ty.params()) {
            if !split {
                out.push(param()?);
                continue;
            }
            let mut v = self.v128().get_undef();
            for lane in 0..2 {
                let i = self.i32().const_int(lane, false);
                let half = param()?.into_int_value();
                v = self
                    .b
                    .build_insert_element(v, half, i, "v128")
                    .map_err(llvm_err)?;
            }
            out.push(v.into());
        }
        Ok(out)
    }

    /// The layout of a results buffer: the struct [`Self::ret_type`] would return.
    pub fn results_struct(&self, results: &[ValType]) -> Res<inkwell::types::StructType<'ctx>> {
        let fields: Vec<BasicTypeEnum> = results
            .iter()
            .map(|t| self.val_type(*t))
            .collect::<Res<_>>()?;
        Ok(self.ctx.struct_type(&fields, false))
    }

    /// The LLVM type of a helper parameter or result type.
    fn abi_type(&self, ty: Ty) -> BasicTypeEnum<'ctx> {
        match ty {
            Ty::Ptr => self.ptr().into(),
            Ty::I32 => self.i32().into(),
            Ty::I64 => self.i64().into(),
        }
    }

    /// Helper `h`'s LLVM function type, built from the contract's list only.
    fn helper_type(&self, h: &Helper) -> FunctionType<'ctx> {
        let params: Vec<BasicMetadataTypeEnum> =
            h.params.iter().map(|t| self.abi_type(*t).into()).collect();
        match h.ret {
            Ret::Void | Ret::Never => self.ctx.void_type().fn_type(&params, false),
            Ret::Status => self.i32().fn_type(&params, false),
            Ret::Value(t) => self.abi_type(t).fn_type(&params, false),
        }
    }

    /// Call helper `h` through `vmctx`'s helper table. The arguments must have exactly the
    /// types the contract gives: a call site that disagrees is reported here, by name, rather
    /// than left for LLVM's verifier.
    pub fn call_helper(
        &self,
        vmctx: PointerValue<'ctx>,
        h: Helper,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        let given: Vec<Option<Ty>> = args
            .iter()
            .map(|a| match a {
                BasicMetadataValueEnum::PointerValue(_) => Some(Ty::Ptr),
                BasicMetadataValueEnum::IntValue(v) => match v.get_type().get_bit_width() {
                    32 => Some(Ty::I32),
                    64 => Some(Ty::I64),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        if !given.iter().copied().eq(h.params.iter().map(|t| Some(*t))) {
            return Err(format!(
                "internal compiler error: helper {} takes {:?}, called with {given:?}",
                h.name, h.params
            )
            .into());
        }
        let table = self
            .load_field(vmctx, offset::HELPERS, self.ptr().into())?
            .into_pointer_value();
        let f = self
            .load_field(table, h.offset, self.ptr().into())?
            .into_pointer_value();
        let call = self
            .b
            .build_indirect_call(self.helper_type(&h), f, args, "h")
            .map_err(llvm_err)?;
        if self.lines.is_some() {
            // LLVM would merge identical helper calls (the trap calls of a function's trap
            // sites, above all) into one with no location; each must keep its own.
            let kind = inkwell::attributes::Attribute::get_named_enum_kind_id("nomerge");
            call.add_attribute(
                inkwell::attributes::AttributeLoc::Function,
                self.ctx.create_enum_attribute(kind, 0),
            );
        }
        Ok(call.try_as_basic_value().basic())
    }

    /// Call a helper that returns a `Status` and trap with it unless it is OK; code after
    /// this continues in a new block of `func`.
    pub fn call_checked_helper(
        &self,
        func: FunctionValue<'ctx>,
        vmctx: PointerValue<'ctx>,
        h: Helper,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Res<()> {
        if h.ret != Ret::Status {
            return Err(format!(
                "internal compiler error: helper {} returns no status",
                h.name
            )
            .into());
        }
        let rc = self
            .call_helper(vmctx, h, args)?
            .ok_or("helper status")?
            .into_int_value();
        let failed = self
            .b
            .build_int_compare(IntPredicate::NE, rc, self.i32().const_zero(), "failed")
            .map_err(llvm_err)?;
        let bad = self.ctx.append_basic_block(func, "helper_trap");
        let cont = self.ctx.append_basic_block(func, "ok");
        self.b
            .build_conditional_branch(failed, bad, cont)
            .map_err(llvm_err)?;
        self.b.position_at_end(bad);
        self.emit_trap(vmctx, rc)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// Call the trap helper (it does not return) and end the block.
    pub fn emit_trap(&self, vmctx: PointerValue<'ctx>, code: IntValue<'ctx>) -> Res<()> {
        self.call_helper(vmctx, helper::trap, &[code.into()])?;
        self.b.build_unreachable().map_err(llvm_err)?;
        Ok(())
    }

    pub fn intrinsic(&self, name: &str, tys: &[BasicTypeEnum<'ctx>]) -> FunctionValue<'ctx> {
        let i = Intrinsic::find(name).unwrap_or_else(|| panic!("LLVM lacks intrinsic {name}"));
        i.get_declaration(&self.llmod, tys)
            .unwrap_or_else(|| panic!("cannot declare intrinsic {name}"))
    }

    /// `base + offset` as a pointer.
    pub fn field_ptr(&self, base: PointerValue<'ctx>, offset: u32) -> Res<PointerValue<'ctx>> {
        // The first field is the base itself: no instruction for level 0 to select.
        if offset == 0 {
            return Ok(base);
        }
        let off = self.i64().const_int(u64::from(offset), false);
        // SAFETY (LLVM): a byte offset inside the pointed-to runtime struct.
        unsafe { self.b.build_gep(self.i8(), base, &[off], "fld") }.map_err(llvm_err)
    }

    /// Load a field of a runtime struct that is fixed once instantiation is done.
    pub fn load_field(
        &self,
        base: PointerValue<'ctx>,
        offset: u32,
        ty: BasicTypeEnum<'ctx>,
    ) -> Res<BasicValueEnum<'ctx>> {
        self.load_field_marked(base, offset, ty, FieldKind::Fixed)
    }

    /// Load a runtime field that helpers may change (sizes, table storage).
    pub fn load_mutable_field(
        &self,
        base: PointerValue<'ctx>,
        offset: u32,
        ty: BasicTypeEnum<'ctx>,
    ) -> Res<BasicValueEnum<'ctx>> {
        self.load_field_marked(base, offset, ty, FieldKind::Mutable)
    }

    /// The one body of [`Self::load_field`] and [`Self::load_mutable_field`]: both address
    /// and load the field the same way and differ only in the metadata the load carries.
    fn load_field_marked(
        &self,
        base: PointerValue<'ctx>,
        offset: u32,
        ty: BasicTypeEnum<'ctx>,
        kind: FieldKind,
    ) -> Res<BasicValueEnum<'ctx>> {
        let p = self.field_ptr(base, offset)?;
        let v = self.b.build_load(ty, p, "ld").map_err(llvm_err)?;
        match kind {
            FieldKind::Fixed => self.invariant(v)?,
            FieldKind::Mutable => self.tag(
                v.as_instruction_value().ok_or("load instruction")?,
                Heap::Runtime,
            )?,
        }
        Ok(v)
    }

    /// `array[index]` where array is a pointer to pointers.
    pub fn load_indexed_ptr(
        &self,
        array: PointerValue<'ctx>,
        index: IntValue<'ctx>,
    ) -> Res<PointerValue<'ctx>> {
        // SAFETY (LLVM): index is a valid entity index checked by validation.
        let p =
            unsafe { self.b.build_gep(self.ptr(), array, &[index], "elt") }.map_err(llvm_err)?;
        let v = self.b.build_load(self.ptr(), p, "eltv").map_err(llvm_err)?;
        self.invariant(v)?;
        Ok(v.into_pointer_value())
    }
}
