//! The host CPU, as artifacts and the cache are tied to it, read without LLVM.
//!
//! The compiler generates code for the host CPU (LLVM's host CPU name and features), which
//! LLVM works out from the CPUID instruction and the OS's XCR0 register. Asking LLVM would
//! put it back into every process that loads code, so [`id`] is a fingerprint of those same
//! inputs instead: every CPUID leaf LLVM's host detection reads (vendor, family, model and
//! stepping, the feature leaves) and XCR0. Two hosts with the same fingerprint get the same
//! code from LLVM; a host whose fingerprint differs in anything (stepping included) is
//! refused an artifact and misses the cache, which errs on the side of recompiling.

/// The fingerprint recorded in artifact headers and cache keys: 16 hex digits.
pub fn id() -> String {
    // FNV-1a over the registers, in a fixed order.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for word in inputs() {
        for b in word.to_le_bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{}-{hash:016x}", std::env::consts::ARCH)
}

/// What `rt --version` says the code is generated for: the CPU's brand string (LLVM's name
/// for it would need LLVM).
pub fn describe() -> String {
    brand().unwrap_or_else(|| format!("this host's {} CPU", std::env::consts::ARCH))
}

#[cfg(target_arch = "x86_64")]
fn inputs() -> Vec<u32> {
    use std::arch::x86_64::__cpuid_count;
    // CPUID exists on every x86-64 CPU; a leaf above the maximum reads as zeros or as the
    // highest leaf, either way a fixed answer for the host (leaves past it are skipped).
    let leaf = |eax: u32, ecx: u32| __cpuid_count(eax, ecx);
    let mut words = Vec::with_capacity(40);
    let max = leaf(0, 0);
    words.extend([max.eax, max.ebx, max.ecx, max.edx]);
    let ext_max = leaf(0x8000_0000, 0).eax;
    words.push(ext_max);
    // Leaf 1's EBX holds the APIC id, which differs from core to core: left out.
    let basic = leaf(1, 0);
    words.extend([basic.eax, basic.ecx, basic.edx]);
    for (eax, ecx, standard) in [
        (7, 0, true),
        (7, 1, true),
        (0xd, 1, true),
        (0x14, 0, true),
        (0x19, 0, true),
        (0x24, 0, true),
        (0x8000_0001, 0, false),
        (0x8000_0008, 0, false),
    ] {
        let present = if standard {
            eax <= max.eax
        } else {
            eax <= ext_max
        };
        if present {
            let r = leaf(eax, ecx);
            words.extend([r.eax, r.ebx, r.ecx, r.edx]);
        } else {
            words.extend([0; 4]);
        }
    }
    // XCR0: which register states (AVX, AVX-512) the OS saves; LLVM drops features it does
    // not. Readable only when the OS enabled XSAVE (CPUID.1:ECX.OSXSAVE, bit 27).
    let xcr0 = if basic.ecx & (1 << 27) != 0 {
        // SAFETY: OSXSAVE set means XGETBV is available and XCR0 readable.
        unsafe { xgetbv0() }
    } else {
        0
    };
    words.extend([xcr0 as u32, (xcr0 >> 32) as u32]);
    words
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "xsave")]
unsafe fn xgetbv0() -> u64 {
    std::arch::x86_64::_xgetbv(0)
}

#[cfg(target_arch = "x86_64")]
fn brand() -> Option<String> {
    use std::arch::x86_64::__cpuid;
    let leaf = |eax: u32| __cpuid(eax);
    if leaf(0x8000_0000).eax < 0x8000_0004 {
        return None;
    }
    let mut bytes = Vec::with_capacity(48);
    for eax in 0x8000_0002..=0x8000_0004 {
        let r = leaf(eax);
        for word in [r.eax, r.ebx, r.ecx, r.edx] {
            bytes.extend(word.to_le_bytes());
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(not(target_arch = "x86_64"))]
fn inputs() -> Vec<u32> {
    Vec::new()
}

#[cfg(not(target_arch = "x86_64"))]
fn brand() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    /// The fingerprint is a fixed answer for this host: the same on every core (leaf 1's
    /// per-core APIC id must not leak into it). Each thread is pinned to one core.
    #[test]
    fn the_fingerprint_is_the_same_on_every_core() {
        let here = super::id();
        assert!(here.starts_with(std::env::consts::ARCH), "{here}");
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads: Vec<_> = (0..cores)
            .map(|core| {
                std::thread::spawn(move || {
                    // SAFETY: a zeroed cpu_set_t is an empty set; CPU_SET stays in bounds for
                    // a core number below the available parallelism.
                    let pinned = unsafe {
                        let mut set: libc::cpu_set_t = std::mem::zeroed();
                        libc::CPU_SET(core, &mut set);
                        libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) == 0
                    };
                    (pinned, super::id())
                })
            })
            .collect();
        for t in threads {
            let (pinned, id) = t.join().unwrap();
            // A core outside this process's affinity mask cannot be pinned to; any other
            // must give the same answer.
            if pinned {
                assert_eq!(id, here);
            }
        }
    }
}
