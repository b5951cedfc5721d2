//! The identity of an rt build: a hash of the compiler's own source. Shared by build.rs (which
//! stamps it into the binary as `RT_BUILD_ID`) and a test that recomputes it from the tree,
//! so the stamp provably follows the code.
use std::path::Path;

/// What the build id covers, relative to the project root: everything that can change the
/// code rt generates or the way it loads it (both crates share src/).
pub const HASHED: &[&str] = &[
    "src",
    "build.rs",
    "Cargo.toml",
    "Cargo.lock",
    "core/build.rs",
    "core/Cargo.toml",
];

/// A 64-bit FNV-1a hash over every file under [`HASHED`] (path and contents, in sorted path
/// order), as 16 hex digits. Not cryptographic: it only has to change when the code does.
pub fn source_hash(root: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    for entry in HASHED {
        collect(&root.join(entry), &mut files)?;
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for file in files {
        let relative = file.strip_prefix(root).unwrap_or(&file);
        feed(relative.to_string_lossy().as_bytes());
        feed(&[0]);
        feed(&std::fs::read(&file)?);
        feed(&[0]);
    }
    Ok(format!("{hash:016x}"))
}

fn collect(path: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), out)?;
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
    Ok(())
}
