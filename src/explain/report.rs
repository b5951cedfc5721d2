//! Reports on catalog entries: plain data built from the catalog, serialised as the JSON
//! output and read by the text renderer, so both formats always say the same thing.
use super::catalog::{
    core_signature, find_type, functions, size_align, variant_layout, Errno, Field, Function,
    Param, Ty, TypeDef, TypeKind, ERRNOS, TYPES,
};
use serde::Serialize;

/// An errno as it appears in lists (a function's errnos, the errno table).
#[derive(Debug, Clone, Serialize)]
pub struct ErrnoEntry {
    pub number: u16,
    pub name: &'static str,
    /// `EBADF`; null for `success`.
    pub posix: Option<String>,
    pub meaning: &'static str,
}

impl ErrnoEntry {
    pub fn new(e: &Errno) -> ErrnoEntry {
        ErrnoEntry {
            number: e.number,
            name: e.name,
            posix: e.posix_name(),
            meaning: e.meaning,
        }
    }
}

/// `rt explain errno N`: the errno and the functions that commonly return it.
#[derive(Debug, Clone, Serialize)]
pub struct ErrnoReport {
    pub kind: &'static str,
    #[serde(flatten)]
    pub errno: ErrnoEntry,
    /// Functions whose catalog entry lists this errno, in catalog order.
    pub returned_by: Vec<&'static str>,
}

impl ErrnoReport {
    pub fn new(e: &Errno) -> ErrnoReport {
        ErrnoReport {
            kind: "errno",
            errno: ErrnoEntry::new(e),
            returned_by: functions()
                .filter(|f| f.errnos.contains(&e.name))
                .map(|f| f.name)
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrnoListReport {
    pub kind: &'static str,
    pub errnos: Vec<ErrnoEntry>,
}

pub fn errno_list() -> ErrnoListReport {
    ErrnoListReport {
        kind: "errno_list",
        errnos: ERRNOS.iter().map(ErrnoEntry::new).collect(),
    }
}

/// Text up to and including the first full stop followed by a space (or all of it).
pub fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(end) => &text[..=end],
        None => text,
    }
}

/// `rt explain functions`: every function, one line each.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionListReport {
    pub kind: &'static str,
    pub functions: Vec<FunctionLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunctionLine {
    pub name: &'static str,
    pub core_signature: String,
    pub summary: &'static str,
}

pub fn function_list() -> FunctionListReport {
    FunctionListReport {
        kind: "function_list",
        functions: functions()
            .map(|f| FunctionLine {
                name: f.name,
                core_signature: core_signature(f).to_string(),
                summary: f.summary,
            })
            .collect(),
    }
}

/// `rt explain types`: every type, one line each.
#[derive(Debug, Clone, Serialize)]
pub struct TypeListReport {
    pub kind: &'static str,
    pub types: Vec<TypeLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeLine {
    pub name: &'static str,
    pub type_kind: &'static str,
    pub size: u32,
    pub summary: &'static str,
}

pub fn type_list() -> TypeListReport {
    TypeListReport {
        kind: "type_list",
        types: TYPES
            .iter()
            .map(|t| TypeLine {
                name: t.name,
                type_kind: t.kind.kind_name(),
                size: size_align(&Ty::Named(t.name)).0,
                summary: t.summary,
            })
            .collect(),
    }
}

/// A parameter or success value of a function.
#[derive(Debug, Clone, Serialize)]
pub struct ParamReport {
    pub name: &'static str,
    /// The witx type, short form: `fd`, `pointer<u8>`, `ciovec_array`.
    #[serde(rename = "type")]
    pub ty: String,
    /// What the type is underneath, when that helps: `u64` for `dircookie`.
    pub repr: Option<String>,
    pub doc: &'static str,
}

impl ParamReport {
    fn new(p: &Param) -> ParamReport {
        ParamReport {
            name: p.name,
            ty: p.ty.short(),
            repr: repr_of(&p.ty),
            doc: p.doc,
        }
    }
}

/// The integer (or list shape) behind a named type, for one-line display.
fn repr_of(ty: &Ty) -> Option<String> {
    let Ty::Named(name) = ty else { return None };
    match find_type(name)?.kind {
        TypeKind::Alias(i) => Some(i.name().to_string()),
        TypeKind::Handle => Some("u32 handle".to_string()),
        TypeKind::Enum { repr, .. } => Some(format!("{} enum", repr.name())),
        TypeKind::Flags { repr, .. } => Some(format!("{} flags", repr.name())),
        TypeKind::Record { size, .. } => Some(format!("{size}-byte record")),
        TypeKind::Variant { size, .. } => Some(format!("{size}-byte variant")),
        TypeKind::List { element } => Some(format!("list of {}", element.short())),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CoreParamReport {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: &'static str,
}

/// Something `rt run` must be told for a call to work, or a host resource a call touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunNeed {
    /// The `rt run` flag, or null when no flag controls it.
    pub flag: Option<&'static str>,
    pub reason: &'static str,
}

/// What a program calling `f` needs from `rt run`.
pub fn run_need(f: &Function) -> Option<RunNeed> {
    let (flag, reason) = match f.name {
        n if n.starts_with("path_") || n.starts_with("fd_prestat_") => (
            Some("--dir HOST[::GUEST]"),
            "files are reached only under directories preopened with --dir",
        ),
        n if n.starts_with("environ_") => (
            Some("--env NAME[=VALUE]"),
            "the guest sees only the variables passed with --env",
        ),
        n if n.starts_with("args_") => (
            Some("ARGS after MODULE"),
            "the guest's argv is the arguments after MODULE (argv[0] from --argv0)",
        ),
        n if n.starts_with("clock_") => (None, "reads the host clocks"),
        "random_get" => (None, "reads the host's random number source"),
        "poll_oneoff" => (None, "waits on clocks or descriptors (sleep, poll)"),
        n if n.starts_with("sock_") => (
            None,
            "uses sockets, which must be preopened by the host; WASI preview1 cannot open one",
        ),
        _ => return None,
    };
    Some(RunNeed { flag, reason })
}

#[derive(Debug, Clone, Serialize)]
pub struct FunctionReport {
    pub kind: &'static str,
    pub module: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub witx: String,
    /// `(i32, i32, i32, i64, i32) -> i32`
    pub core_signature: String,
    pub core_params: Vec<CoreParamReport>,
    pub core_results: Vec<&'static str>,
    pub params: Vec<ParamReport>,
    /// Values written through the trailing out-pointers on success.
    pub results: Vec<ParamReport>,
    /// `errno`, or `never` for proc_exit.
    pub returns: &'static str,
    pub errnos: Vec<ErrnoEntry>,
    pub rights: Vec<&'static str>,
    pub libc: Vec<&'static str>,
    pub run_need: Option<RunNeed>,
    /// The catalog types the arguments and written bytes use, in full.
    pub types: Vec<TypeReport>,
    /// Caveats, e.g. when asked about the `wasi_unstable` spelling.
    pub notes: Vec<&'static str>,
}

pub fn function_report(f: &Function) -> FunctionReport {
    let core = core_signature(f);
    let errnos = f
        .errnos
        .iter()
        .filter_map(|n| ERRNOS.iter().find(|e| e.name == *n))
        .map(ErrnoEntry::new)
        .collect();
    FunctionReport {
        kind: "function",
        module: "wasi_snapshot_preview1",
        name: f.name,
        summary: f.summary,
        witx: f.witx_signature(),
        core_signature: core.to_string(),
        core_params: core
            .params
            .iter()
            .map(|p| CoreParamReport {
                name: p.name.clone(),
                ty: p.ty.name(),
            })
            .collect(),
        core_results: core.results.iter().map(|t| t.name()).collect(),
        params: f.params.iter().map(ParamReport::new).collect(),
        results: f.results.iter().map(ParamReport::new).collect(),
        returns: if f.noreturn { "never" } else { "errno" },
        errnos,
        rights: f.rights.to_vec(),
        libc: f.libc.to_vec(),
        run_need: run_need(f),
        types: f
            .related_types()
            .into_iter()
            .filter_map(find_type)
            .map(type_report)
            .collect(),
        notes: Vec::new(),
    }
}

/// A libc function and the WASI calls it usually reaches.
#[derive(Debug, Clone, Serialize)]
pub struct LibcReport {
    pub kind: &'static str,
    pub name: String,
    pub reaches: Vec<FunctionReport>,
}

pub fn libc_report(name: &str, reaches: &[&Function]) -> LibcReport {
    LibcReport {
        kind: "libc",
        name: name.to_string(),
        reaches: reaches.iter().map(|f| function_report(f)).collect(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldReport {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: String,
    pub repr: Option<String>,
    pub offset: u32,
    pub size: u32,
    pub doc: &'static str,
}

/// An enum value, a flag bit, or a variant case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    pub name: &'static str,
    /// The enum value or variant tag; for flags, the bit's mask (`1 << bit`).
    pub value: u64,
    /// For flags: the bit number.
    pub bit: Option<u32>,
    /// For variants: the payload type, if any.
    pub payload: Option<String>,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeReport {
    pub kind: &'static str,
    pub name: &'static str,
    /// alias, handle, enum, flags, record, variant, list
    pub type_kind: &'static str,
    pub summary: &'static str,
    /// Bytes in guest memory (for a list: its pointer + length pair as a parameter).
    pub size: u32,
    pub align: u32,
    /// The integer behind an alias, enum, flags or a variant's tag; a list's element type.
    pub repr: Option<String>,
    pub fields: Vec<FieldReport>,
    pub cases: Vec<CaseReport>,
    /// For variants: where the payload starts.
    pub payload_offset: Option<u32>,
    /// For records holding records or variants: every leaf field with its offset from the
    /// start of the outer record (`u.clock.timeout` @24 in `subscription`); else empty.
    pub flat_layout: Vec<FlatField>,
}

/// A leaf of a nested layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlatField {
    /// Dotted path: `fd_readwrite.nbytes`, `u.tag`, `u.clock.id`.
    pub path: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub offset: u32,
    pub size: u32,
}

/// The leaves of `fields` placed at `base`, their paths under `prefix`.
fn flatten(fields: &[Field], base: u32, prefix: &str, out: &mut Vec<FlatField>) {
    for f in fields {
        flatten_value(&f.ty, base + f.offset, &format!("{prefix}{}", f.name), out);
    }
}

fn flatten_value(ty: &Ty, at: u32, path: &str, out: &mut Vec<FlatField>) {
    let kind = match ty {
        Ty::Named(n) => find_type(n).map(|t| t.kind),
        _ => None,
    };
    match kind {
        Some(TypeKind::Record { fields, .. }) => flatten(fields, at, &format!("{path}."), out),
        Some(TypeKind::Variant { tag, cases, .. }) => {
            let (payload_offset, _, _) = variant_layout(tag.size(), cases);
            out.push(FlatField {
                path: format!("{path}.tag"),
                ty: format!("{} (selects the case)", tag.name()),
                offset: at,
                size: tag.size(),
            });
            for (i, case) in cases.iter().enumerate() {
                // Cases sharing one payload type (fd_read, fd_write) share one layout too.
                let repeat = cases[..i].iter().any(|c| c.ty == case.ty);
                if let (Some(payload), false) = (&case.ty, repeat) {
                    let sharing: Vec<&str> = cases
                        .iter()
                        .filter(|c| c.ty == case.ty)
                        .map(|c| c.name)
                        .collect();
                    let case_path = format!("{path}.{}", sharing.join("/"));
                    flatten_value(payload, at + payload_offset, &case_path, out);
                }
            }
        }
        _ => out.push(FlatField {
            path: path.to_string(),
            ty: ty.short(),
            offset: at,
            size: size_align(ty).0,
        }),
    }
}

/// `rt explain TYPE`: the type and where it is used.
#[derive(Debug, Clone, Serialize)]
pub struct TypeUsageReport {
    #[serde(flatten)]
    pub ty: TypeReport,
    /// Functions whose parameters or written bytes use it, in catalog order.
    pub used_by: Vec<&'static str>,
    /// Records, variants and lists that contain it.
    pub contained_in: Vec<&'static str>,
}

pub fn type_usage_report(t: &TypeDef) -> TypeUsageReport {
    let used_by = functions()
        .filter(|f| f.related_types().contains(&t.name))
        .map(|f| f.name)
        .collect();
    let contains = |outer: &TypeDef| -> bool {
        let inner: Vec<Ty> = match outer.kind {
            TypeKind::Record { fields, .. } => fields.iter().map(|f| f.ty).collect(),
            TypeKind::Variant { cases, .. } => cases.iter().filter_map(|c| c.ty).collect(),
            TypeKind::List { element } => vec![element],
            _ => Vec::new(),
        };
        inner.iter().any(|ty| ty.named_types().contains(&t.name))
    };
    TypeUsageReport {
        ty: type_report(t),
        used_by,
        contained_in: TYPES
            .iter()
            .filter(|o| contains(o))
            .map(|o| o.name)
            .collect(),
    }
}

pub fn type_report(t: &TypeDef) -> TypeReport {
    let (size, align) = size_align(&Ty::Named(t.name));
    let mut report = TypeReport {
        kind: "type",
        name: t.name,
        type_kind: t.kind.kind_name(),
        summary: t.summary,
        size,
        align,
        repr: None,
        fields: Vec::new(),
        cases: Vec::new(),
        payload_offset: None,
        flat_layout: Vec::new(),
    };
    match t.kind {
        TypeKind::Alias(i) => report.repr = Some(i.name().to_string()),
        TypeKind::Handle => report.repr = Some("u32".to_string()),
        TypeKind::Enum { repr, cases } => {
            report.repr = Some(repr.name().to_string());
            report.cases = if t.name == "errno" {
                // The errno enum's cases live in their own table with their meanings.
                ERRNOS
                    .iter()
                    .map(|e| plain_case(e.name, e.number as u64, e.meaning))
                    .collect()
            } else {
                let values = cases.iter().enumerate();
                values
                    .map(|(i, c)| plain_case(c.name, i as u64, c.doc))
                    .collect()
            };
        }
        TypeKind::Flags { repr, bits } => {
            report.repr = Some(repr.name().to_string());
            report.cases = bits
                .iter()
                .enumerate()
                .map(|(i, c)| CaseReport {
                    bit: Some(i as u32),
                    ..plain_case(c.name, 1u64 << i, c.doc)
                })
                .collect();
        }
        TypeKind::Record { fields, .. } => {
            let nested = fields.iter().any(|f| {
                let kind =
                    f.ty.named_types()
                        .first()
                        .and_then(|n| find_type(n))
                        .map(|t| t.kind);
                matches!(
                    kind,
                    Some(TypeKind::Record { .. } | TypeKind::Variant { .. })
                )
            });
            if nested {
                flatten(fields, 0, "", &mut report.flat_layout);
            }
            report.fields = fields
                .iter()
                .map(|f| FieldReport {
                    name: f.name,
                    ty: f.ty.short(),
                    repr: repr_of(&f.ty),
                    offset: f.offset,
                    size: size_align(&f.ty).0,
                    doc: f.doc,
                })
                .collect();
        }
        TypeKind::Variant { tag, cases, .. } => {
            report.repr = Some(tag.name().to_string());
            report.payload_offset = Some(variant_layout(tag.size(), cases).0);
            report.cases = cases
                .iter()
                .enumerate()
                .map(|(i, c)| CaseReport {
                    payload: c.ty.map(|t| t.short()),
                    ..plain_case(c.name, i as u64, c.doc)
                })
                .collect();
        }
        TypeKind::List { element } => report.repr = Some(element.short()),
    }
    report
}

fn plain_case(name: &'static str, value: u64, doc: &'static str) -> CaseReport {
    CaseReport {
        name,
        value,
        bit: None,
        payload: None,
        doc,
    }
}
