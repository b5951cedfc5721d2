//! The address map: which wasm instruction each piece of generated code came from, for trap
//! backtraces with source lines (`RT_BACKTRACE_DETAILS=1`, see `runtime::addrmap`).
//!
//! LLVM already knows how to carry a source position through every optimisation to the
//! machine code: debug locations. The map is made of them, with the wasm instruction's byte
//! offset in the module as the "line" of one pseudo file, so LLVM's own `.debug_line` (and,
//! for inlined calls, `.debug_info`'s inlined subroutines) in the object is the native pc ->
//! wasm offset table. It travels with the object code into artifacts and the cache, and is
//! only read when a trap asks for details.
//!
//! Only emitted when the settings ask for it (`CodegenSettings::addr_map`): the debug
//! metadata slows compilation, and precise trap sites need one trap block per site instead
//! of one per trap code and function (a shared block has one location for all its sites).
use super::env::Env;
use inkwell::debug_info::{
    AsDIScope, DICompileUnit, DIFile, DIFlags, DIFlagsConstants, DIScope, DISubprogram,
    DWARFEmissionKind, DWARFSourceLanguage, DebugInfoBuilder,
};
use inkwell::module::FlagBehavior;
use inkwell::values::FunctionValue;

/// The name of the pseudo file whose "lines" are wasm offsets (the runtime checks it).
pub use rt_core::aot::ADDR_MAP_FILE as WASM_FILE;

/// The debug-info builder of one partition's LLVM module.
pub(crate) struct LineMap<'ctx> {
    dib: DebugInfoBuilder<'ctx>,
    unit: DICompileUnit<'ctx>,
    file: DIFile<'ctx>,
}

/// The module flags every module carrying debug metadata needs (the address map's and
/// `-D debug-info`'s alike). DWARF 4: its line table names files inline, so the runtime can
/// read `.debug_line` without the string sections DWARF 5 points into.
pub(crate) fn set_dwarf_flags<'ctx>(
    env_mod: &inkwell::module::Module<'ctx>,
    ctx: &'ctx inkwell::context::Context,
) {
    let i32t = ctx.i32_type();
    env_mod.add_basic_value_flag(
        "Dwarf Version",
        FlagBehavior::Warning,
        i32t.const_int(4, false),
    );
    env_mod.add_basic_value_flag(
        "Debug Info Version",
        FlagBehavior::Warning,
        i32t.const_int(inkwell::debug_info::debug_metadata_version() as u64, false),
    );
}

impl<'ctx> LineMap<'ctx> {
    pub fn new(
        env_mod: &inkwell::module::Module<'ctx>,
        ctx: &'ctx inkwell::context::Context,
    ) -> Self {
        set_dwarf_flags(env_mod, ctx);
        let (dib, unit) = env_mod.create_debug_info_builder(
            true,
            DWARFSourceLanguage::C,
            WASM_FILE,
            "",
            "rt",
            true,
            "",
            0,
            "",
            // Line tables plus inlined-subroutine records: what symbolising a pc needs.
            DWARFEmissionKind::LineTablesOnly,
            0,
            false,
            false,
            "",
            "",
        );
        let file = unit.get_file();
        LineMap { dib, unit, file }
    }

    /// Give `func` (defined function `name`, whose body starts at wasm offset `start`) its
    /// debug scope.
    pub fn function(&self, func: FunctionValue<'ctx>, name: &str, start: u32) -> DIScope<'ctx> {
        let ty = self
            .dib
            .create_subroutine_type(self.file, None, &[], DIFlags::ZERO);
        let sp: DISubprogram<'ctx> = self.dib.create_function(
            self.unit.as_debug_info_scope(),
            name,
            func.get_name().to_str().ok(),
            self.file,
            start,
            ty,
            false,
            true,
            start,
            DIFlags::ZERO,
            true,
        );
        func.set_subprogram(sp);
        sp.as_debug_info_scope()
    }

    /// Tag everything built from here on with wasm offset `offset` in `scope`.
    pub fn at(&self, env: &Env<'ctx, '_>, scope: DIScope<'ctx>, offset: u32) {
        let loc = self
            .dib
            .create_debug_location(env.ctx, offset, 0, scope, None);
        env.b.set_current_debug_location(loc);
    }

    /// Resolve the metadata (before the module is verified).
    pub fn finish(&self) {
        self.dib.finalize();
    }
}
