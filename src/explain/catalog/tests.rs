//! Consistency of the catalog: names resolve, layouts add up, known values hold.
use super::layout::{natural_offsets, record_layout};
use super::*;

#[test]
fn has_all_46_functions_once_each() {
    let names: Vec<&str> = functions().map(|f| f.name).collect();
    assert_eq!(names.len(), 46);
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 46, "duplicate function names");
    for name in [
        "fd_readdir",
        "path_open",
        "proc_raise",
        "sock_accept",
        "poll_oneoff",
    ] {
        assert!(names.contains(&name), "{name} missing");
    }
}

#[test]
fn every_type_a_function_or_field_mentions_exists() {
    let mut mentioned: Vec<(String, Ty)> = Vec::new();
    for f in functions() {
        for p in f.params.iter().chain(f.results) {
            mentioned.push((format!("{}.{}", f.name, p.name), p.ty));
        }
        for t in f.see_also {
            mentioned.push((format!("{} see_also", f.name), Ty::Named(t)));
        }
    }
    for t in TYPES {
        match t.kind {
            TypeKind::Record { fields, .. } => {
                for fl in fields {
                    mentioned.push((format!("{}.{}", t.name, fl.name), fl.ty));
                }
            }
            TypeKind::Variant { cases, .. } => {
                for c in cases.iter().filter_map(|c| c.ty) {
                    mentioned.push((t.name.to_string(), c));
                }
            }
            TypeKind::List { element } => mentioned.push((t.name.to_string(), element)),
            _ => {}
        }
    }
    for (at, ty) in mentioned {
        for name in ty.named_types() {
            assert!(find_type(name).is_some(), "{at}: unknown type {name}");
        }
    }
}

#[test]
fn errnos_and_rights_named_by_functions_exist() {
    let TypeKind::Flags { bits: rights, .. } = find_type("rights").unwrap().kind else {
        panic!("rights is not a flags type");
    };
    for f in functions() {
        for e in f.errnos {
            assert!(ERRNOS.iter().any(|x| x.name == *e), "{}: errno {e}", f.name);
        }
        for r in f.rights {
            assert!(rights.iter().any(|b| b.name == *r), "{}: right {r}", f.name);
        }
        // proc_raise is the one call wasi-libc never makes.
        let libc_expected = f.name != "proc_raise";
        assert_eq!(
            !f.libc.is_empty(),
            libc_expected,
            "{}: libc entry points",
            f.name
        );
        assert!(!f.summary.is_empty());
    }
}

#[test]
fn record_offsets_are_aligned_ordered_and_sizes_add_up() {
    for t in TYPES {
        let TypeKind::Record {
            size,
            align,
            fields,
        } = t.kind
        else {
            continue;
        };
        let mut end = 0;
        for f in fields {
            let (fs, fa) = size_align(&f.ty);
            assert!(fs > 0, "{}.{}: unsized field", t.name, f.name);
            assert_eq!(f.offset % fa, 0, "{}.{} misaligned", t.name, f.name);
            assert!(f.offset >= end, "{}.{} overlaps", t.name, f.name);
            end = f.offset + fs;
        }
        assert!(end <= size, "{}: fields run past the size", t.name);
        let offsets: Vec<u32> = fields.iter().map(|f| f.offset).collect();
        assert_eq!(offsets, natural_offsets(fields), "{}: offsets", t.name);
        assert_eq!(
            (size, align),
            record_layout(fields),
            "{}: size/align",
            t.name
        );
    }
}

#[test]
fn variant_layouts_match_their_cases() {
    for t in TYPES {
        if let TypeKind::Variant {
            tag,
            size,
            align,
            payload_offset,
            cases,
        } = t.kind
        {
            assert_eq!(
                (payload_offset, size, align),
                variant_layout(tag.size(), cases),
                "{}",
                t.name
            );
        }
    }
}

#[test]
fn known_layouts() {
    let dirent = find_type("dirent").unwrap();
    let TypeKind::Record { size, fields, .. } = dirent.kind else {
        panic!()
    };
    let got: Vec<(&str, u32, u32)> = fields
        .iter()
        .map(|f| (f.name, f.offset, size_align(&f.ty).0))
        .collect();
    assert_eq!(
        got,
        [
            ("d_next", 0, 8),
            ("d_ino", 8, 8),
            ("d_namlen", 16, 4),
            ("d_type", 20, 1)
        ]
    );
    assert_eq!(size, 24);
    let sizes: Vec<(&str, u32)> = [
        "iovec",
        "ciovec",
        "fdstat",
        "filestat",
        "event",
        "subscription",
        "prestat",
    ]
    .iter()
    .map(|n| (*n, size_align(&Ty::Named(n)).0))
    .collect();
    assert_eq!(
        sizes,
        [
            ("iovec", 8),
            ("ciovec", 8),
            ("fdstat", 24),
            ("filestat", 64),
            ("event", 32),
            ("subscription", 48),
            ("prestat", 8)
        ]
    );
}

#[test]
fn known_core_signatures() {
    let sig = |n: &str| core_signature(find_function(n).unwrap()).to_string();
    assert_eq!(sig("fd_readdir"), "(i32, i32, i32, i64, i32) -> i32");
    assert_eq!(sig("fd_write"), "(i32, i32, i32, i32) -> i32");
    assert_eq!(
        sig("path_open"),
        "(i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32"
    );
    assert_eq!(sig("fd_seek"), "(i32, i64, i32, i32) -> i32");
    assert_eq!(sig("proc_exit"), "(i32) -> nil");
    assert_eq!(sig("sched_yield"), "() -> i32");
    assert_eq!(sig("sock_recv"), "(i32, i32, i32, i32, i32, i32) -> i32");
    assert_eq!(sig("clock_time_get"), "(i32, i64, i32) -> i32");
    assert_eq!(sig("path_symlink"), "(i32, i32, i32, i32, i32) -> i32");
    assert_eq!(sig("poll_oneoff"), "(i32, i32, i32, i32) -> i32");
    assert_eq!(sig("fd_fdstat_set_rights"), "(i32, i64, i64) -> i32");
}

#[test]
fn witx_signature_text() {
    let f = find_function("fd_readdir").unwrap();
    assert_eq!(
        f.witx_signature(),
        "(@interface func (export \"fd_readdir\") (param $fd $fd) (param $buf (@witx pointer u8)) \
         (param $buf_len $size) (param $cookie $dircookie) (result $error (expected $size (error $errno))))"
    );
    let exit = find_function("proc_exit").unwrap();
    assert!(exit
        .witx_signature()
        .ends_with("(param $rval $exitcode) (@witx noreturn))"));
    let sizes = find_function("args_sizes_get").unwrap();
    assert!(sizes
        .witx_signature()
        .contains("(expected (tuple $size $size) (error $errno))"));
}

#[test]
fn errnos_are_numbered_by_position() {
    assert_eq!(ERRNOS.len(), 77);
    for (i, e) in ERRNOS.iter().enumerate() {
        assert_eq!(e.number as usize, i, "{}", e.name);
    }
    assert_eq!(find_errno("8").unwrap().name, "badf");
    assert_eq!(find_errno("EBADF").unwrap().number, 8);
    assert_eq!(find_errno("badf").unwrap().number, 8);
    assert_eq!(find_errno("eexist").unwrap().name, "exist");
    assert_eq!(find_errno("E2BIG").unwrap().number, 1);
    assert_eq!(find_errno("notcapable").unwrap().number, 76);
    assert!(find_errno("77").is_none());
    assert!(find_errno("esuccess").is_none());
    assert_eq!(ERRNOS[44].posix_name().as_deref(), Some("ENOENT"));
}

#[test]
fn flags_fit_their_representation() {
    for t in TYPES {
        if let TypeKind::Flags { repr, bits } = t.kind {
            assert!(bits.len() as u32 <= repr.size() * 8, "{}", t.name);
        }
        if let TypeKind::Enum { repr, cases } = t.kind {
            assert!(
                (cases.len() as u64) < 1u64 << (repr.size() * 8).min(63),
                "{}",
                t.name
            );
        }
    }
    let TypeKind::Flags { bits, .. } = find_type("rights").unwrap().kind else {
        panic!()
    };
    assert_eq!(bits.len(), 30);
    assert_eq!(bits[14].name, "fd_readdir");
    assert_eq!(bits[29].name, "sock_accept");
}

#[test]
fn libc_names_lead_to_functions() {
    let names = |l: &str| -> Vec<&str> {
        functions_reached_by_libc(l)
            .iter()
            .map(|f| f.name)
            .collect()
    };
    assert_eq!(names("readdir"), ["fd_readdir"]);
    assert_eq!(names("fopen"), ["path_open"]);
    assert!(names("printf").contains(&"fd_write"));
    assert!(libc_names().contains(&"readdir"));
}
