//! Wasm GC operators over references that need no heap: `ref.i31`, `i31.get_s/u`, `ref.eq`,
//! the `any`/`extern` conversions, and the casts (`ref.test`, `ref.cast`, `br_on_cast`,
//! `br_on_cast_fail`). Struct and array operators need the GC heap, which rt does not have
//! yet: a module using them (in code or in a constant expression) is refused at compile time
//! as unsupported ([`check_module`]), so no cast here ever meets a heap object.
//!
//! A reference of the `any` hierarchy is one word (see `runtime::gc` for the full encoding):
//! null is 0, an `i31` is `(value << 1) | 1`, a host reference brought in by
//! `any.convert_extern` is `(host index << 2) | 2` (the same word the `extern` hierarchy
//! uses for it, so both conversions are the identity), and a word with its two low bits
//! clear would be a heap object.
use super::env::{llvm_err, Res};
use super::func::FuncTx;
use super::CompileError;
use crate::module::{ConstExpr, ElementItems, Module};
use crate::runtime::vm::{helper, offset, trap_code};
use inkwell::values::{IntValue, PointerValue};
use inkwell::IntPredicate;
use wasmparser::{AbstractHeapType as A, HeapType, Operator as O, UnpackedIndex};

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

/// Whether an operator needs the GC heap (struct and array instructions).
fn needs_heap(op: &O) -> bool {
    let name = format!("{op:?}");
    name.starts_with("Struct") || name.starts_with("Array")
}

/// Refuse, before any code is generated, a module whose constant expressions allocate on
/// the GC heap (globals, table initialisers, element segments).
pub(crate) fn check_module(m: &Module) -> Res<()> {
    let check = |e: &ConstExpr| -> Res<()> {
        let mut reader = m.const_expr_operators(e, wasmparser::WasmFeatures::all());
        while !reader.eof() {
            let op = reader
                .read()
                .map_err(|err| format!("constant expression: {err}"))?;
            if needs_heap(&op) {
                return Err(gc_unsupported(&format!(
                    "constant expression allocating with {}",
                    op_name(&op)
                )));
            }
        }
        Ok(())
    };
    for e in m.global_inits.iter().chain(m.table_inits.iter().flatten()) {
        check(e)?;
    }
    for seg in &m.elements {
        if let ElementItems::Exprs(es) = &seg.items {
            for e in es {
                check(e)?;
            }
        }
    }
    Ok(())
}

fn op_name(op: &O) -> String {
    let name = format!("{op:?}");
    name.split([' ', '{', '(']).next().unwrap_or("").to_string()
}

/// The error for a GC operator the translator does not lower (it needs the heap).
pub(crate) fn unsupported_gc(op: &O) -> Option<CompileError> {
    needs_heap(op).then(|| gc_unsupported(&format!("instruction {}", op_name(op))))
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
