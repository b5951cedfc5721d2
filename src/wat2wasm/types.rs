//! Value types, heap types and limits as wabt writes and names them.
use super::stream::Stream;
use super::WriteError;
use wasmparser::{AbstractHeapType, CompositeInnerType, HeapType, RefType, ValType};

/// The byte and wabt's name for a value type wabt 1.0.32 can write.
fn type_code(ty: ValType) -> Option<(u8, &'static str)> {
    Some(match ty {
        ValType::I32 => (0x7f, "i32"),
        ValType::I64 => (0x7e, "i64"),
        ValType::F32 => (0x7d, "f32"),
        ValType::F64 => (0x7c, "f64"),
        ValType::V128 => (0x7b, "v128"),
        ValType::Ref(r) if r == RefType::FUNCREF => (0x70, "funcref"),
        ValType::Ref(r) if r == RefType::EXTERNREF => (0x6f, "externref"),
        ValType::Ref(r) if r == RefType::EXNREF => (0x69, "exnref"),
        ValType::Ref(_) => return None,
    })
}

/// Write a value type; the log describes it by its name unless `desc` says otherwise.
pub fn write_type(s: &mut Stream, ty: ValType, desc: Option<&str>) -> Result<(), WriteError> {
    let (code, name) =
        type_code(ty).ok_or_else(|| WriteError::Unsupported(format!("the type {ty}")))?;
    s.u8(code, desc.unwrap_or(name));
    Ok(())
}

pub fn write_heap_type(s: &mut Stream, ty: HeapType, desc: &str) -> Result<(), WriteError> {
    let code = match ty {
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func,
        } => 0x70,
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern,
        } => 0x6f,
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Exn,
        } => 0x69,
        other => return Err(WriteError::Unsupported(format!("the heap type {other:?}"))),
    };
    s.u8(code, desc);
    Ok(())
}

/// Table or memory limits: flags (max present, shared, 64-bit), initial, optional max.
pub fn write_limits(s: &mut Stream, initial: u64, maximum: Option<u64>, shared: bool, is64: bool) {
    let flags = u8::from(maximum.is_some()) | (u8::from(shared) << 1) | (u8::from(is64) << 2);
    s.u8(flags, "limits: flags");
    s.u64_leb(initial, "limits: initial");
    if let Some(max) = maximum {
        s.u64_leb(max, "limits: max");
    }
}

pub fn write_table_type(s: &mut Stream, ty: &wasmparser::TableType) -> Result<(), WriteError> {
    write_type(s, ValType::Ref(ty.element_type), None)?;
    write_limits(s, ty.initial, ty.maximum, ty.shared, ty.table64);
    Ok(())
}

pub fn write_memory_type(s: &mut Stream, ty: &wasmparser::MemoryType) {
    write_limits(s, ty.initial, ty.maximum, ty.shared, ty.memory64);
}

/// The one type of a rec group as wabt 1.0.32 knows types: a function, or a GC MVP struct or
/// array, final, without supertypes, outside an explicit `rec`.
pub fn plain_type(rec: wasmparser::RecGroup) -> Result<CompositeInnerType, WriteError> {
    let unsupported = || WriteError::Unsupported("rec groups, subtypes and shared types".into());
    if rec.is_explicit_rec_group() {
        return Err(unsupported());
    }
    let sub = rec.into_types().next().ok_or_else(unsupported)?;
    let plain = sub.is_final
        && sub.supertype_idxs.is_empty()
        && !sub.composite_type.shared
        && sub.composite_type.descriptor_idx.is_none()
        && sub.composite_type.describes_idx.is_none();
    if !plain {
        return Err(unsupported());
    }
    Ok(sub.composite_type.inner)
}

/// A struct or array field: its value type and mutability (wabt has no packed i8/i16).
pub fn write_field(s: &mut Stream, field: &wasmparser::FieldType) -> Result<(), WriteError> {
    let wasmparser::StorageType::Val(ty) = field.element_type else {
        return Err(WriteError::Unsupported("packed i8/i16 fields".into()));
    };
    write_type(s, ty, None)?;
    s.u8(field.mutable.into(), "field mutability");
    Ok(())
}
