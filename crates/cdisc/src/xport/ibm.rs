//! IBM System/360 hexadecimal floating point <-> IEEE 754 binary64.
//!
//! An IBM double is a sign bit, a 7-bit exponent in excess 64 with base 16,
//! and a 56-bit fraction `0.f` (SAS TS-140, "The Record Layout of a Data Set
//! in SAS Transport (XPORT) Format"):
//!
//! ```text
//! value = (-1)^s * (f / 2^56) * 16^(e - 64)
//! ```
//!
//! A normalized fraction has a non-zero leading hex digit, so it carries
//! 53 to 56 significant bits: every IEEE double inside the IBM exponent
//! range (about 5.4e-79 to 7.2e75) converts to IBM *exactly*, and converts
//! back to the same double. The reverse direction rounds the 56-bit
//! fraction to 53 bits (round half to even, by `u64 as f64`).

use crate::model::Missing;

/// Decodes the first `bytes.len()` (1..=8) bytes of an IBM double: SAS
/// stores numerics of length < 8 as the leading bytes, the rest being zero.
///
/// Returns `Err(missing)` for SAS missing values: a first byte of `.`
/// (0x2E), `_` (0x5F) or `A`-`Z` followed by zero bytes.
pub fn decode(bytes: &[u8]) -> Result<f64, Missing> {
    let mut b = [0u8; 8];
    let n = bytes.len().min(8);
    b[..n].copy_from_slice(&bytes[..n]);
    if b[1..].iter().all(|&x| x == 0) {
        match b[0] {
            b'.' => return Err(Missing::Dot),
            b'_' => return Err(Missing::Underscore),
            c @ b'A'..=b'Z' => return Err(Missing::Letter(c)),
            _ => {}
        }
    }
    let word = u64::from_be_bytes(b);
    let negative = word >> 63 == 1;
    let exponent = ((word >> 56) & 0x7f) as i32;
    let fraction = word & 0x00ff_ffff_ffff_ffff;
    if fraction == 0 {
        return Ok(if negative { -0.0 } else { 0.0 });
    }
    // value = fraction * 2^(4 (e - 64) - 56). The power lies in
    // [-312, 196], well inside the normal IEEE range, so scaling by it is
    // exact and the only rounding is `fraction as f64` (to nearest, ties
    // to even).
    let power = 4 * (exponent - 64) - 56;
    let magnitude = fraction as f64 * pow2(power);
    Ok(if negative { -magnitude } else { magnitude })
}

/// 2^k for k in the normal IEEE range.
fn pow2(k: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// Why a double has no IBM representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// NaN or infinite.
    NotFinite,
    /// |x| >= 16^63, the largest IBM magnitude.
    Overflow,
    /// 0 < |x| < 16^-65, the smallest normalized IBM magnitude.
    Underflow,
}

/// Encodes a double as an 8-byte IBM double, exactly (see the module
/// docs).
///
/// # Errors
/// When the value is not finite or outside the IBM exponent range.
pub fn encode(x: f64) -> Result<[u8; 8], EncodeError> {
    if !x.is_finite() {
        return Err(EncodeError::NotFinite);
    }
    if x == 0.0 {
        // IBM has a negative zero, but SAS writes +0; keep the sign anyway
        // so that -0.0 round-trips bit for bit.
        return Ok(if x.is_sign_negative() {
            [0x80, 0, 0, 0, 0, 0, 0, 0]
        } else {
            [0; 8]
        });
    }
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // IEEE subnormals (< 2^-1022) are far below the IBM range.
        return Err(EncodeError::Underflow);
    }
    // x = m * 2^e2 with m in [2^52, 2^53).
    let m = (bits & 0x000f_ffff_ffff_ffff) | (1u64 << 52);
    let e2 = biased - 1023 - 52;
    // We need x = f * 2^(4 (E - 64) - 56) with f = m << s, s in 0..=3, so
    // e2 + 56 - s must be a multiple of 4.
    let s = (e2 + 56).rem_euclid(4);
    let exponent = (e2 + 56 - s) / 4 + 64;
    if exponent > 127 {
        return Err(EncodeError::Overflow);
    }
    if exponent < 0 {
        return Err(EncodeError::Underflow);
    }
    let f = m << s; // < 2^56, leading hex digit non-zero
    let word = (u64::from(negative) << 63) | ((exponent as u64) << 56) | f;
    Ok(word.to_be_bytes())
}

/// The 8-byte pattern of a SAS missing value.
pub fn encode_missing(m: Missing) -> [u8; 8] {
    let first = match m {
        Missing::Dot => b'.',
        Missing::Underscore => b'_',
        Missing::Letter(c) => c,
    };
    [first, 0, 0, 0, 0, 0, 0, 0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Source: SAS TS-140 example values; 1.0 is 0x41100000_00000000
    /// (0.0625 * 16^1), -118.625 is 0xC276A000_00000000 (IBM's own
    /// worked example in "IBM System/370 Principles of Operation").
    #[test]
    fn known_patterns() {
        assert_eq!(encode(1.0), Ok([0x41, 0x10, 0, 0, 0, 0, 0, 0]));
        assert_eq!(encode(-118.625), Ok([0xC2, 0x76, 0xA0, 0, 0, 0, 0, 0]));
        assert_eq!(decode(&[0xC2, 0x76, 0xA0, 0, 0, 0, 0, 0]), Ok(-118.625));
        assert_eq!(encode(0.0), Ok([0; 8]));
        assert_eq!(decode(&[0x2E, 0, 0, 0, 0, 0, 0, 0]), Err(Missing::Dot));
        assert_eq!(decode(&[b'A', 0, 0]), Err(Missing::Letter(b'A')));
        assert_eq!(decode(b"_"), Err(Missing::Underscore));
        // Truncated (length 4) storage of 1/3: the leading 4 bytes.
        let full = encode(1.0 / 3.0).unwrap();
        let short = decode(&full[..4]).unwrap();
        assert!((short - 1.0 / 3.0).abs() < 1e-6 && short != 1.0 / 3.0);
    }

    #[test]
    fn range_limits() {
        assert_eq!(encode(f64::NAN), Err(EncodeError::NotFinite));
        assert_eq!(encode(1e76), Err(EncodeError::Overflow));
        assert_eq!(encode(1e-80), Err(EncodeError::Underflow));
        assert!(encode(7.2e75).is_ok());
        assert!(encode(5.5e-79).is_ok());
        let max = decode(&[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).unwrap();
        assert!(max > 7.2e75 && max.is_finite());
    }

    proptest! {
        /// Every double in the IBM range survives IEEE -> IBM -> IEEE bit
        /// for bit.
        #[test]
        fn round_trip_exact(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            if let Ok(ibm) = encode(x) {
                let back = decode(&ibm);
                prop_assert_eq!(back.map(f64::to_bits), Ok(x.to_bits()));
            } else {
                let a = x.abs();
                prop_assert!(!x.is_finite() || !(5.4e-79..7.2e75).contains(&a));
            }
        }

        /// Decoding any 8 bytes never panics and gives a finite value or a
        /// missing value.
        #[test]
        fn decode_total(bytes in any::<[u8; 8]>()) {
            if let Ok(x) = decode(&bytes) { prop_assert!(x.is_finite()); }
        }
    }
}
