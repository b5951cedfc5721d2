//! wabt's hexadecimal float text (`0x1.8p+0`, `nan:0x1`, `-inf`), bit-exact: subnormals
//! are normalised and keep wabt's bare `.` when no fraction digit remains (`0x1.p-149`).

/// Format the bits of an IEEE float with `sig_bits` fraction bits and `exp_bits` exponent
/// bits (f32: 23/8, f64: 52/11).
fn hex(bits: u64, sig_bits: u32, exp_bits: u32) -> String {
    let total = 1 + exp_bits + sig_bits;
    let exp_mask = (1u64 << exp_bits) - 1;
    let bias = (exp_mask >> 1) as i64;
    let negative = (bits >> (total - 1)) & 1 == 1;
    let raw_exp = ((bits >> sig_bits) & exp_mask) as i64;
    let mut sig = bits & ((1u64 << sig_bits) - 1);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if raw_exp == exp_mask as i64 {
        if sig == 0 {
            out.push_str("inf");
        } else {
            out.push_str("nan");
            if sig != 1u64 << (sig_bits - 1) {
                out.push_str(&format!(":{sig:#x}"));
            }
        }
        return out;
    }
    let min_exp = -bias;
    let mut exp = raw_exp - bias;
    let is_zero = sig == 0 && exp == min_exp;
    out.push_str(if is_zero { "0x0" } else { "0x1" });
    // Work in a register as wide as the float so shifts drop bits exactly like wabt's.
    let width = total;
    let mask = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    sig <<= width - sig_bits;
    sig &= mask;
    if sig != 0 {
        if exp == min_exp {
            let leading_zeros = (sig.leading_zeros() - (64 - width)) as i64;
            if leading_zeros < width as i64 - 1 {
                sig = (sig << (leading_zeros + 1)) & mask;
            } else {
                sig = 0;
            }
            exp -= leading_zeros;
        }
        out.push('.');
        while sig != 0 {
            let nybble = (sig >> (width - 4)) & 0xf;
            out.push(char::from_digit(nybble as u32, 16).unwrap_or('0'));
            sig = (sig << 4) & mask;
        }
    }
    out.push('p');
    if is_zero {
        out.push_str("+0");
    } else {
        if exp >= 0 {
            out.push('+');
        }
        out.push_str(&exp.to_string());
    }
    out
}

pub fn f32_text(bits: u32) -> String {
    hex(bits as u64, 23, 8)
}

pub fn f64_text(bits: u64) -> String {
    hex(bits, 52, 11)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_wabt_spellings() {
        assert_eq!(f32_text(1.5f32.to_bits()), "0x1.8p+0");
        assert_eq!(f64_text((-0.125f64).to_bits()), "-0x1p-3");
        assert_eq!(f32_text(0), "0x0p+0");
        assert_eq!(f64_text(0x8000_0000_0000_0000), "-0x0p+0");
        assert_eq!(f32_text(1), "0x1.p-149");
        assert_eq!(f32_text(2), "0x1.p-148");
        assert_eq!(f64_text(1), "0x1.p-1074");
        assert_eq!(f32_text(0x7f7f_ffff), "0x1.fffffep+127");
        assert_eq!(f32_text(0x7fc0_0000), "nan");
        assert_eq!(f32_text(0xffc0_0000), "-nan");
        assert_eq!(f32_text(0x7f80_0001), "nan:0x1");
        assert_eq!(f64_text(0x7ff8_0000_0000_0000), "nan");
        assert_eq!(f64_text(0x7fff_ffff_ffff_ffff), "nan:0xfffffffffffff");
        assert_eq!(f32_text(0xff80_0000), "-inf");
        assert_eq!(f64_text(1f64.to_bits()), "0x1p+0");
    }
}
