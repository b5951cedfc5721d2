//! References of the `any` hierarchy, and the cast check compiled code calls.
//!
//! A reference is one word, the same in both the `any` and the `extern` hierarchies (so
//! `any.convert_extern` and `extern.convert_any` are the identity and round-trip exactly):
//!
//! | word | what |
//! |---|---|
//! | `0` | null |
//! | `(v << 1) \| 1` | an `i31` of 31-bit value `v` |
//! | `(n << 2) \| 2` | host reference `n` (an `externref` the host made) |
//! | low two bits `00`, non-zero | a GC heap object (struct or array) |
//!
//! rt has no GC heap yet: modules that allocate are refused at compile time, so no word of
//! the last kind exists, and the cast check answers "no" for `struct`, `array` and concrete
//! struct and array types.
use super::call::CallRecord;
use super::types::Kind;
use super::vm::{AnyFunc, VmCtx};

/// A non-null reference of the `any` hierarchy that the host can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnyRef {
    /// An `i31`: its 31-bit value, zero-extended.
    I31(u32),
    /// Host reference `n` brought into `any` by `any.convert_extern`.
    Host(u32),
}

impl AnyRef {
    /// An `i31` from the low 31 bits of `v` (what `ref.i31` keeps).
    pub fn i31(v: i32) -> AnyRef {
        AnyRef::I31(v as u32 & 0x7fff_ffff)
    }

    /// The `i31`'s value sign-extended from 31 bits (`i31.get_s`).
    pub fn i31_signed(v: u32) -> i32 {
        ((v << 1) as i32) >> 1
    }
}

/// The word of a host reference.
pub(crate) fn host_bits(n: u32) -> u64 {
    (u64::from(n) << 2) | 2
}

/// The word of an `any` reference.
pub(crate) fn any_bits(r: AnyRef) -> u64 {
    match r {
        AnyRef::I31(v) => (u64::from(v & 0x7fff_ffff) << 1) | 1,
        AnyRef::Host(n) => host_bits(n),
    }
}

/// What a non-null word of the `any` or `extern` hierarchy is (None: a heap object, which
/// cannot exist yet, or garbage).
pub(crate) fn decode_bits(bits: u64) -> Option<AnyRef> {
    match bits & 3 {
        1 | 3 => Some(AnyRef::I31(((bits >> 1) & 0x7fff_ffff) as u32)),
        2 => u32::try_from(bits >> 2).ok().map(AnyRef::Host),
        _ => None,
    }
}

/// The codes `compile::gc::abstract_code` gives the abstract heap types a cast can target.
const ABSTRACT: u32 = 1 << 31;
const STRUCT: u32 = ABSTRACT | 3;
const ARRAY: u32 = ABSTRACT | 4;

/// `ref_test`: see the helper list (`vm::helpers`). Compiled code decides the abstract
/// targets that need no store itself; this answers concrete types (a function's declared
/// type against the target by the registry's constant-time supertype check) and
/// `struct`/`array`.
pub(crate) unsafe extern "C" fn ref_test(_vmctx: *mut VmCtx, bits: *mut u8, target: u32) -> i32 {
    if bits.is_null() {
        return 0;
    }
    if target == STRUCT || target == ARRAY || target & ABSTRACT != 0 {
        // No heap objects exist (see the module documentation).
        return 0;
    }
    let store = CallRecord::current_store();
    if store.is_null() {
        return 0;
    }
    let types = &(*store).types;
    let ok = match types.kind(target) {
        Kind::Func => {
            let have = (*(bits as *const AnyFunc)).type_id as u32;
            types.is_subtype(have, target)
        }
        // A struct or array type: only a heap object could be one.
        Kind::Struct | Kind::Array => false,
    };
    i32::from(ok)
}
