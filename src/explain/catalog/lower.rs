//! How a witx signature lowers to a core Wasm function type: the canonical ABI of preview1.
//!
//! Integers of 8 bytes become `i64`, everything else that fits a word becomes `i32`; strings
//! and lists become a pointer and a length; each success value becomes an out-pointer appended
//! to the parameters; the errno comes back as the single `i32` result.
use super::{find_type, Function, Int, Ty, TypeKind};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CoreType {
    I32,
    I64,
}

impl CoreType {
    pub fn name(self) -> &'static str {
        match self {
            CoreType::I32 => "i32",
            CoreType::I64 => "i64",
        }
    }
}

/// One core parameter and the witx parameter (or result) it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreParam {
    /// `fd`, `path_ptr`, `path_len`, `nread_out`.
    pub name: String,
    pub ty: CoreType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreSignature {
    pub params: Vec<CoreParam>,
    pub results: Vec<CoreType>,
}

impl CoreSignature {
    pub fn param_types(&self) -> Vec<CoreType> {
        self.params.iter().map(|p| p.ty).collect()
    }
}

/// `(i32, i32, i32, i64, i32) -> i32`; `(i32) -> nil` when there is no result.
impl fmt::Display for CoreSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<&str> = self.params.iter().map(|p| p.ty.name()).collect();
        let results: Vec<&str> = self.results.iter().map(|t| t.name()).collect();
        f.write_str(&signature_text(&params, &results))
    }
}

/// The one spelling of a function type used everywhere in explain: `(i32, i64) -> i32`,
/// `-> nil` without results, `-> (i32, i32)` with several.
pub fn signature_text<S: AsRef<str>>(params: &[S], results: &[S]) -> String {
    let list = |tys: &[S]| {
        tys.iter()
            .map(|t| t.as_ref())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let results = match results {
        [] => "nil".to_string(),
        [one] => one.as_ref().to_string(),
        many => format!("({})", list(many)),
    };
    format!("({}) -> {}", list(params), results)
}

fn int_core(i: Int) -> CoreType {
    if i.size() == 8 {
        CoreType::I64
    } else {
        CoreType::I32
    }
}

/// The core types one witx value of type `ty` occupies as a parameter.
fn lower_ty(ty: &Ty) -> Vec<(&'static str, CoreType)> {
    match ty {
        Ty::Int(i) => vec![("", int_core(*i))],
        Ty::String => vec![("_ptr", CoreType::I32), ("_len", CoreType::I32)],
        Ty::Pointer(_) | Ty::ConstPointer(_) => vec![("", CoreType::I32)],
        Ty::Named(name) => match find_type(name).map(|t| t.kind) {
            Some(TypeKind::Alias(i))
            | Some(TypeKind::Enum { repr: i, .. })
            | Some(TypeKind::Flags { repr: i, .. }) => vec![("", int_core(i))],
            Some(TypeKind::List { .. }) => {
                vec![("_ptr", CoreType::I32), ("_len", CoreType::I32)]
            }
            // Handles are u32; records and variants are never passed by value in preview1,
            // and an unknown name is caught by the catalog tests.
            _ => vec![("", CoreType::I32)],
        },
    }
}

/// The core Wasm function type a module must import `f` with.
pub fn core_signature(f: &Function) -> CoreSignature {
    let mut params = Vec::new();
    for p in f.params {
        for (suffix, ty) in lower_ty(&p.ty) {
            params.push(CoreParam {
                name: format!("{}{}", p.name, suffix),
                ty,
            });
        }
    }
    for r in f.results {
        params.push(CoreParam {
            name: format!("{}_out", r.name),
            ty: CoreType::I32,
        });
    }
    let results = if f.noreturn {
        Vec::new()
    } else {
        vec![CoreType::I32]
    };
    CoreSignature { params, results }
}
