//! The WASI preview1 catalog: every function, type and errno of `wasi_snapshot_preview1`,
//! described here from the witx definitions. Layouts are stated (as witx computes them) and
//! re-derived by `layout` in the unit tests, so a typo in an offset cannot go unnoticed.
mod errno;
mod fns_fd;
mod fns_misc;
mod fns_path;
mod layout;
mod lower;
mod types;

pub use errno::ERRNOS;
pub use layout::{size_align, variant_layout};
pub use lower::{core_signature, signature_text, CoreParam, CoreSignature, CoreType};
pub use types::TYPES;

/// The module names that carry WASI preview1 imports: the current one and snapshot 0.
pub const WASI_MODULES: [&str; 2] = ["wasi_snapshot_preview1", "wasi_unstable"];

/// Snapshot 0 shares preview1's names and core signatures but not all of its layouts.
pub const SNAPSHOT0_NOTE: &str = "wasi_unstable is WASI snapshot 0: its functions have the \
same names and core signatures as preview1's, but some memory layouts differ (whence is \
cur=0, end=1, set=2; filestat.nlink is a u32, making filestat 56 bytes; a clock \
subscription starts with an extra u64 identifier). `rt explain NAME` shows preview1's.";

/// An integer representation: of an alias, an enum's tag or a flags word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Int {
    U8,
    U16,
    U32,
    U64,
    S64,
}

impl Int {
    pub fn name(self) -> &'static str {
        match self {
            Int::U8 => "u8",
            Int::U16 => "u16",
            Int::U32 => "u32",
            Int::U64 => "u64",
            Int::S64 => "s64",
        }
    }
    pub fn size(self) -> u32 {
        match self {
            Int::U8 => 1,
            Int::U16 => 2,
            Int::U32 => 4,
            Int::U64 | Int::S64 => 8,
        }
    }
}

/// A witx type as it appears in a signature or a record field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Int(Int),
    /// A type defined in [`TYPES`], by name.
    Named(&'static str),
    /// A UTF-8 string: passed as a pointer and a byte length.
    String,
    /// `(@witx pointer T)`: guest memory the host may write.
    Pointer(&'static Ty),
    /// `(@witx const_pointer T)`: guest memory the host only reads.
    ConstPointer(&'static Ty),
}

impl Ty {
    /// The type as witx spells it.
    pub fn witx(&self) -> String {
        match self {
            Ty::Int(i) => i.name().to_string(),
            Ty::Named(n) => format!("${n}"),
            Ty::String => "string".to_string(),
            Ty::Pointer(t) => format!("(@witx pointer {})", t.witx()),
            Ty::ConstPointer(t) => format!("(@witx const_pointer {})", t.witx()),
        }
    }

    /// A short readable spelling: `fd`, `pointer<u8>`, `string`.
    pub fn short(&self) -> String {
        match self {
            Ty::Int(i) => i.name().to_string(),
            Ty::Named(n) => n.to_string(),
            Ty::String => "string".to_string(),
            Ty::Pointer(t) => format!("pointer<{}>", t.short()),
            Ty::ConstPointer(t) => format!("const_pointer<{}>", t.short()),
        }
    }

    /// The catalog types this type mentions (itself, a pointee, a list's element).
    pub fn named_types(&self) -> Vec<&'static str> {
        match self {
            Ty::Named(n) => {
                let mut v = vec![*n];
                if let Some(TypeKind::List { element }) = find_type(n).map(|t| &t.kind) {
                    v.extend(element.named_types());
                }
                v
            }
            Ty::Pointer(t) | Ty::ConstPointer(t) => t.named_types(),
            Ty::Int(_) | Ty::String => Vec::new(),
        }
    }
}

const U8: Ty = Ty::Int(Int::U8);
/// Guest memory the host fills with bytes.
pub(crate) const OUT_BYTES: Ty = Ty::Pointer(&U8);
/// Guest memory the host fills with pointers to byte strings (argv, environ).
pub(crate) const OUT_BYTE_POINTERS: Ty = Ty::Pointer(&OUT_BYTES);

pub(crate) const fn param(name: &'static str, ty: Ty, doc: &'static str) -> Param {
    Param { name, ty, doc }
}

/// A function with nothing but its name and summary; entries fill in the rest.
pub(crate) const fn func(name: &'static str, summary: &'static str) -> Function {
    Function {
        name,
        summary,
        params: &[],
        results: &[],
        noreturn: false,
        errnos: &[],
        rights: &[],
        libc: &[],
        see_also: &[],
    }
}

/// A parameter, or a value a function returns on success.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ty: Ty,
    /// What it means, in plain words.
    pub doc: &'static str,
}

/// One function of `wasi_snapshot_preview1`.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    pub name: &'static str,
    /// What it does, in plain words, with its closest POSIX relative.
    pub summary: &'static str,
    pub params: &'static [Param],
    /// Values produced on success; each is written through an out-pointer in the core ABI.
    pub results: &'static [Param],
    /// `proc_exit`: never returns, so no errno either.
    pub noreturn: bool,
    /// Errnos an implementation commonly returns (names from [`ERRNOS`]).
    pub errnos: &'static [&'static str],
    /// Rights (bits of `rights`) the file descriptor arguments must carry.
    pub rights: &'static [&'static str],
    /// libc functions (wasi-libc) that usually reach this call.
    pub libc: &'static [&'static str],
    /// Other types worth reading to understand the bytes involved.
    pub see_also: &'static [&'static str],
}

impl Function {
    /// The witx declaration, one line.
    pub fn witx_signature(&self) -> String {
        let mut s = format!("(@interface func (export \"{}\")", self.name);
        for p in self.params {
            s.push_str(&format!(" (param ${} {})", p.name, p.ty.witx()));
        }
        if self.noreturn {
            s.push_str(" (@witx noreturn)");
        } else {
            let ok = match self.results {
                [] => String::new(),
                [one] => format!("{} ", one.ty.witx()),
                many => {
                    let tys: Vec<String> = many.iter().map(|p| p.ty.witx()).collect();
                    format!("(tuple {}) ", tys.join(" "))
                }
            };
            s.push_str(&format!(" (result $error (expected {ok}(error $errno)))"));
        }
        s.push(')');
        s
    }

    /// Every catalog type this function's parameters, results and notes refer to, once each.
    pub fn related_types(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        let mentioned = self.params.iter().chain(self.results).map(|p| p.ty);
        for name in mentioned
            .flat_map(|t| t.named_types())
            .chain(self.see_also.iter().copied())
        {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
}

/// A named value of an enum, or a bit of a flags type. Its value is its position.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub name: &'static str,
    pub doc: &'static str,
}

/// A field of a record at a fixed byte offset.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub offset: u32,
    pub doc: &'static str,
}

/// A case of a tagged union: its tag value is its position; `ty` is the payload.
#[derive(Debug, Clone, Copy)]
pub struct VariantCase {
    pub name: &'static str,
    pub ty: Option<Ty>,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub enum TypeKind {
    /// Another name for an integer (`size` is a `u32`).
    Alias(Int),
    /// An opaque handle, a `u32` in the core ABI.
    Handle,
    Enum {
        repr: Int,
        cases: &'static [Case],
    },
    Flags {
        repr: Int,
        bits: &'static [Case],
    },
    /// A C-like struct; `size` and `align` are as witx computes them.
    Record {
        size: u32,
        align: u32,
        fields: &'static [Field],
    },
    /// A tag then the payload of the selected case at `payload_offset`.
    Variant {
        tag: Int,
        size: u32,
        align: u32,
        payload_offset: u32,
        cases: &'static [VariantCase],
    },
    /// A list in guest memory: a pointer to the first element and a count.
    List {
        element: Ty,
    },
}

impl TypeKind {
    pub fn kind_name(&self) -> &'static str {
        match self {
            TypeKind::Alias(_) => "alias",
            TypeKind::Handle => "handle",
            TypeKind::Enum { .. } => "enum",
            TypeKind::Flags { .. } => "flags",
            TypeKind::Record { .. } => "record",
            TypeKind::Variant { .. } => "variant",
            TypeKind::List { .. } => "list",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct TypeDef {
    pub name: &'static str,
    pub summary: &'static str,
    pub kind: TypeKind,
}

/// One errno: its number is its position in [`ERRNOS`].
#[derive(Debug, Clone, Copy)]
pub struct Errno {
    pub number: u16,
    pub name: &'static str,
    pub meaning: &'static str,
}

impl Errno {
    /// The POSIX spelling: `badf` -> `EBADF`; `success` has none.
    pub fn posix_name(&self) -> Option<String> {
        (self.number != 0).then(|| format!("E{}", self.name.to_ascii_uppercase()))
    }
}

/// All 46 functions, grouped as the witx file orders them (args, environ, clock, fd, path, ...).
pub fn functions() -> impl Iterator<Item = &'static Function> {
    fns_misc::PROCESS
        .iter()
        .chain(fns_fd::FUNCTIONS)
        .chain(fns_path::FUNCTIONS)
        .chain(fns_misc::SYSTEM)
}

pub fn find_function(name: &str) -> Option<&'static Function> {
    functions().find(|f| f.name == name)
}

pub fn find_type(name: &str) -> Option<&'static TypeDef> {
    TYPES.iter().find(|t| t.name == name)
}

/// An errno by number, WASI name (`badf`) or POSIX name (`EBADF`), case-insensitively.
pub fn find_errno(key: &str) -> Option<&'static Errno> {
    if let Ok(n) = key.parse::<u32>() {
        return ERRNOS.get(n as usize);
    }
    let lower = key.to_ascii_lowercase();
    let bare = lower.strip_prefix("__wasi_errno_").unwrap_or(&lower);
    ERRNOS
        .iter()
        .find(|e| e.name == bare || (e.number != 0 && bare.strip_prefix('e') == Some(e.name)))
}

/// The WASI functions a libc function usually reaches (`readdir` -> `fd_readdir`).
pub fn functions_reached_by_libc(libc_name: &str) -> Vec<&'static Function> {
    functions()
        .filter(|f| f.libc.contains(&libc_name))
        .collect()
}

/// Every libc name the catalog knows, sorted and unique.
pub fn libc_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = functions().flat_map(|f| f.libc.iter().copied()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests;
