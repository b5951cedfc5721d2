//! The translation environment shared by every function: LLVM types, intrinsics looked up
//! once by name, declarations of the module's functions, and typed access to vmctx fields.
use crate::module::Module;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::Module as LlModule;
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use inkwell::values::{
    BasicValue, BasicValueEnum, FunctionValue, InstructionValue, IntValue, PointerValue,
};
use inkwell::AddressSpace;
use wasmparser::{FuncType, ValType};

pub(crate) type Res<T> = Result<T, String>;

pub(crate) fn llvm_err(e: inkwell::builder::BuilderError) -> String {
    format!("LLVM builder error: {e}")
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
    /// Defined functions' LLVM declarations, by function index (None for imports).
    pub funcs: Vec<Option<FunctionValue<'ctx>>>,
    /// What the embedding's `Config` asks of the generated code.
    pub settings: super::CodegenSettings,
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
            llmod,
            b,
            wasm,
            funcs: Vec::new(),
            settings,
        }
    }

    /// Tag a load or store with the heap it accesses.
    pub fn tag(&self, inst: InstructionValue<'ctx>, heap: Heap) -> Res<()> {
        let kind = self.ctx.get_kind_id("tbaa");
        inst.set_metadata(self.tbaa[heap as usize], kind)
            .map_err(|e| e.to_string())
    }

    /// Mark a load as reading memory that never changes while compiled code runs (vmctx
    /// fields, function references), so LLVM may hoist and merge it.
    fn invariant(&self, v: BasicValueEnum<'ctx>) -> Res<()> {
        let inst = v.as_instruction_value().ok_or("load instruction")?;
        let kind = self.ctx.get_kind_id("invariant.load");
        inst.set_metadata(self.ctx.metadata_node(&[]), kind)
            .map_err(|e| e.to_string())
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

    pub fn val_type(&self, ty: ValType) -> Res<BasicTypeEnum<'ctx>> {
        Ok(match ty {
            ValType::I32 => self.ctx.i32_type().into(),
            ValType::I64 => self.ctx.i64_type().into(),
            ValType::F32 => self.ctx.f32_type().into(),
            ValType::F64 => self.ctx.f64_type().into(),
            ValType::Ref(_) => self.ptr().into(),
            ValType::V128 => return Err("SIMD is not supported yet (v128 value)".into()),
        })
    }

    /// The return type of a function with these results: void, the value, or a struct.
    pub fn ret_type(&self, results: &[ValType]) -> Res<Option<BasicTypeEnum<'ctx>>> {
        Ok(match results.len() {
            0 => None,
            1 => Some(self.val_type(results[0])?),
            _ => {
                let fields: Vec<BasicTypeEnum> = results
                    .iter()
                    .map(|t| self.val_type(*t))
                    .collect::<Res<_>>()?;
                Some(self.ctx.struct_type(&fields, false).into())
            }
        })
    }

    /// Internal calling convention: `(callee_vmctx, caller_vmctx, params...) -> results`.
    pub fn fn_type(&self, ty: &FuncType) -> Res<FunctionType<'ctx>> {
        let mut params: Vec<BasicMetadataTypeEnum> = vec![self.ptr().into(), self.ptr().into()];
        for p in ty.params() {
            params.push(self.val_type(*p)?.into());
        }
        Ok(match self.ret_type(ty.results())? {
            None => self.ctx.void_type().fn_type(&params, false),
            Some(r) => r.fn_type(&params, false),
        })
    }

    pub fn intrinsic(&self, name: &str, tys: &[BasicTypeEnum<'ctx>]) -> FunctionValue<'ctx> {
        let i = Intrinsic::find(name).unwrap_or_else(|| panic!("LLVM lacks intrinsic {name}"));
        i.get_declaration(&self.llmod, tys)
            .unwrap_or_else(|| panic!("cannot declare intrinsic {name}"))
    }

    /// `base + offset` as a pointer.
    pub fn field_ptr(&self, base: PointerValue<'ctx>, offset: u32) -> Res<PointerValue<'ctx>> {
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
