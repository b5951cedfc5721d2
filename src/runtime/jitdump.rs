//! `--profile=jitdump`: the jitdump file `perf inject --jit` reads to give code that has no
//! ELF file of its own symbols (and its bytes, so `perf annotate` can disassemble it).
//!
//! Format (Linux `tools/perf/Documentation/jitdump-specification.txt`, version 1, host
//! byte order): a 40-byte header, then records, each a 16-byte prefix (id, total size,
//! timestamp) and a body. rt writes one `JIT_CODE_LOAD` per compiled function, named as
//! trap backtraces name it, with the function's machine code.
//!
//! perf learns of the file because the process maps it executable: `perf record -k mono`
//! (the timestamps are `CLOCK_MONOTONIC`) sees that mmap, and `perf inject --jit` reads the
//! file it names. The mapping stays for the rest of the process.
use super::CompiledModule;
use std::io::Write;
use std::path::PathBuf;

/// `JiTD` as a host-order u32.
pub const MAGIC: u32 = 0x4A69_5444;
pub const VERSION: u32 = 1;
/// The size of the file header.
pub const HEADER_SIZE: u32 = 40;
/// ELF machine of the code: x86-64.
pub const EM_X86_64: u32 = 62;
/// Record id of a code load.
pub const JIT_CODE_LOAD: u32 = 0;

/// `CLOCK_MONOTONIC` in nanoseconds, the clock `perf record -k mono` stamps samples with.
fn timestamp() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes the struct it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn header(pid: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_SIZE as usize);
    for word in [MAGIC, VERSION, HEADER_SIZE, EM_X86_64, 0, pid] {
        out.extend_from_slice(&word.to_ne_bytes());
    }
    out.extend_from_slice(&timestamp().to_ne_bytes());
    out.extend_from_slice(&0u64.to_ne_bytes()); // flags
    out
}

/// The `JIT_CODE_LOAD` records of one loaded module; `index` numbers them across the file.
pub fn records(module: &CompiledModule, pid: u32, tid: u32, index: &mut u64) -> Vec<u8> {
    let mut out = Vec::new();
    for &(start, end, func) in module.func_ranges.iter() {
        let name = match module.module.func_name(func) {
            Some(n) => n.to_string(),
            None => format!("func[{func}]"),
        };
        // SAFETY: the range is a compiled function of loaded (readable) code that `module`
        // keeps mapped.
        let code = unsafe { std::slice::from_raw_parts(start as *const u8, end - start) };
        let size = 16 + 4 + 4 + 8 * 4 + name.len() + 1 + code.len();
        out.extend_from_slice(&JIT_CODE_LOAD.to_ne_bytes());
        out.extend_from_slice(&(size as u32).to_ne_bytes());
        out.extend_from_slice(&timestamp().to_ne_bytes());
        out.extend_from_slice(&pid.to_ne_bytes());
        out.extend_from_slice(&tid.to_ne_bytes());
        out.extend_from_slice(&(start as u64).to_ne_bytes()); // vma
        out.extend_from_slice(&(start as u64).to_ne_bytes()); // code_addr
        out.extend_from_slice(&(code.len() as u64).to_ne_bytes());
        out.extend_from_slice(&index.to_ne_bytes());
        *index += 1;
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(code);
    }
    out
}

/// Write `./jit-PID.dump` describing `modules` and map it so perf records where it is.
pub fn write(modules: &[&CompiledModule]) -> std::io::Result<PathBuf> {
    let pid = std::process::id();
    // SAFETY: a plain syscall.
    let tid = unsafe { libc::gettid() } as u32;
    let path = std::env::current_dir()?.join(format!("jit-{pid}.dump"));
    let mut bytes = header(pid);
    let mut index = 0;
    for m in modules {
        bytes.extend(records(m, pid, tid, &mut index));
    }
    // Readable as well: mapping a file needs read access to it.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)?;
    file.write_all(&bytes)?;
    file.flush()?;
    // perf only needs to see the mapping of the file's first page, executable.
    use std::os::fd::AsRawFd;
    // SAFETY: a fresh read-only private mapping of our own file; never unmapped, so nothing
    // can use it after it goes away (nothing reads it at all).
    let mapped = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            HEADER_SIZE as usize,
            libc::PROT_READ | libc::PROT_EXEC,
            libc::MAP_PRIVATE,
            file.as_raw_fd(),
            0,
        )
    };
    if mapped == libc::MAP_FAILED {
        return Err(std::io::Error::last_os_error());
    }
    Ok(path)
}
