//! What the Rust runtime and the C shim (`shim/trap.c`) share: constants, and the part of the
//! per-call record the shim reads and writes. They are written down only here: build.rs
//! includes this file and writes every constant as a `#define`, and every struct as a C
//! declaration with a static assertion per field, into the header the shim includes
//! (`rt_abi.h` in `OUT_DIR`), so the two sides cannot disagree.

/// Declares a module of constants together with `C`, their `(C name, value)` pairs: the name
/// is `prefix` followed by the Rust name, so a constant cannot be added to one side only.
macro_rules! shared_with_c {
    ($(#[$doc:meta])* pub mod $module:ident: $ty:ty, $prefix:literal {
        $($(#[$attr:meta])* $name:ident = $value:expr;)*
    }) => {
        $(#[$doc])*
        pub mod $module {
            $($(#[$attr])* pub const $name: $ty = $value;)*
            /// Every constant above as it appears in the generated C header.
            pub const C: &[(&str, i64)] = &[$((concat!($prefix, stringify!($name)), $name as i64)),*];
        }
    };
}

shared_with_c! {
    /// Trap codes: passed to the trap helper by compiled code, returned by helpers that fail,
    /// and chosen by the fault handler for the faults it claims.
    pub mod trap_code: i32, "RT_TRAP_" {
        UNREACHABLE = 1;
        INT_DIV_ZERO = 2;
        INT_OVERFLOW = 3;
        BAD_CONVERSION = 4;
        OOB_MEMORY = 5;
        OOB_TABLE = 6;
        SIG_MISMATCH = 7;
        UNINIT_ELEM = 8;
        UNDEF_ELEM = 9;
        STACK = 10;
        HOST = 11;
        /// `ref.as_non_null` of a null.
        NULL_REF = 12;
        /// `call_ref` through a null function reference.
        NULL_FUNC_REF = 13;
        /// `throw_ref` of a null exception reference.
        NULL_EXN_REF = 14;
        /// An exception no handler of the running call caught: it ends the call (the
        /// exception waits in the call record).
        EXCEPTION = 15;
        /// The store's fuel ran out (`-W fuel=N`).
        OUT_OF_FUEL = 16;
        /// The store was interrupted (`-W timeout=...`, `InterruptHandle::interrupt`).
        INTERRUPT = 17;
        /// `ref.cast` (or a cast's trap) of a reference not of the target type.
        CAST_FAILURE = 18;
        /// `i31.get_s`/`i31.get_u` of a null.
        NULL_I31 = 19;
        /// A struct instruction on a null reference.
        NULL_STRUCT = 20;
        /// An array instruction on a null reference.
        NULL_ARRAY = 21;
        /// An array index or range past the array's length.
        OOB_ARRAY = 22;
        /// A GC allocation the heap limit (`-W max-gc-heap`) leaves no room for.
        GC_OOM = 23;
    }
}

shared_with_c! {
    /// The kinds of address range registered with the fault handler (see `runtime::faults`).
    pub mod region_kind: i32, "RT_REGION_" {
        /// Code the loader mapped: a fault whose pc lies here was raised by compiled wasm.
        CODE = 1;
        /// A linear memory's whole reservation: a guest access faulting here is out of bounds.
        MEMORY = 2;
    }
}

shared_with_c! {
    /// Sizes of buffers that cross the boundary.
    pub mod limits: usize, "RT_" {
        /// The most frames the shim records for one trap's backtrace.
        BACKTRACE_MAX = 64;
    }
}

/// Every constant shared with C, for build.rs to write into the header.
pub const C_DEFINES: &[&[(&str, i64)]] = &[trap_code::C, region_kind::C, limits::C];

/// Declares a `#[repr(C)]` struct together with `c_declaration()`, its C declaration (each
/// field's C declarator is given beside its Rust type) followed by `_Static_assert`s that C
/// gives every field Rust's offset and size, and the struct Rust's size. A field given a C type
/// of another size or alignment, or another name, therefore fails the shim's build.
macro_rules! struct_shared_with_c {
    ($(#[$doc:meta])* pub struct $name:ident, $c_name:literal {
        $($(#[$attr:meta])* pub $field:ident: $ty:ty = $c_decl:literal,)*
    }) => {
        $(#[$doc])*
        #[repr(C)]
        pub struct $name {
            $($(#[$attr])* pub $field: $ty,)*
        }

        impl $name {
            /// The C declaration and its layout assertions, for the generated header.
            #[allow(dead_code)]
            pub fn c_declaration() -> String {
                let mut c = format!("struct {} {{\n", $c_name);
                $(c += &format!("    {};\n", $c_decl);)*
                c += "};\n";
                $(c += &format!(
                    "_Static_assert(offsetof(struct {c}, {f}) == {} && \
                     sizeof(((struct {c} *)0)->{f}) == {}, \"{c}.{f}: C and Rust disagree\");\n",
                    std::mem::offset_of!($name, $field),
                    {
                        // The field's size, from its type (the projection is never called).
                        fn size<S, F>(_: fn(&S) -> &F) -> usize {
                            std::mem::size_of::<F>()
                        }
                        size(|s: &$name| &s.$field)
                    },
                    c = $c_name,
                    f = stringify!($field),
                );)*
                c + &format!(
                    "_Static_assert(sizeof(struct {}) == {}, \"{}: C and Rust disagree\");\n",
                    $c_name,
                    std::mem::size_of::<$name>(),
                    $c_name,
                )
            }
        }
    };
}

struct_shared_with_c! {
    /// The shim's part of the per-call record each host->wasm entry makes on its stack (the
    /// runtime's `CallRecord` starts with it). `rt_enter` links it in as the thread's innermost
    /// call and unlinks it again on return; a trap (the trap helper, or a fault the handler
    /// claims) writes its code and backtrace here and unwinds to `jmp`.
    pub struct CallHead, "rt_call" {
        /// The entry's `sigjmp_buf`, in `rt_enter`'s frame, while compiled code runs.
        pub jmp: *mut core::ffi::c_void = "sigjmp_buf *jmp",
        /// The enclosing call on this thread (a host function's call back into wasm nests).
        pub prev: *mut CallHead = "struct rt_call *prev",
        /// `rt_enter`'s frame address: backtraces walk frame pointers up to here and no further.
        pub frame_top: usize = "uintptr_t frame_top",
        /// The trap that ended the call (0 while it runs).
        pub trap_code: i32 = "int trap_code",
        /// Non-zero while a host function runs under this call: faults then are the host's
        /// (real crashes), never guest traps.
        pub in_host: i32 = "int in_host",
        /// How many entries of `bt` the trap recorded.
        pub bt_len: i32 = "int bt_len",
        /// The trap's return addresses, innermost first: written before `bt_len` is read.
        pub bt: core::mem::MaybeUninit<[usize; limits::BACKTRACE_MAX]> =
            "uintptr_t bt[RT_BACKTRACE_MAX]",
        /// The exception that ended the call (trap code `EXCEPTION`): written by the shim
        /// when no handler of the call caught it.
        pub exception: *mut u8 = "void *exception",
    }
}

/// Every struct shared with C, for build.rs to declare in the header.
pub const C_STRUCTS: &[fn() -> String] = &[CallHead::c_declaration];
