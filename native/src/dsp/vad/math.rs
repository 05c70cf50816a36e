//! Deterministic elementary functions and tables.
//!
//! The VAD must give the same decisions natively and in the TypeScript fallback, so every
//! value it computes comes from IEEE-754 `+ - * / sqrt` (correctly rounded in both
//! languages) in the same order. Library `ln`/`cos` are not guaranteed to agree to the
//! last bit across libms, hence these small replacements.

use super::tables::COS_QUARTER;

/// `ln 2`, correctly rounded.
const LN2: f64 = std::f64::consts::LN_2;

/// Natural logarithm for finite `x > 0` (relative error below 1e-8).
///
/// `x = m * 2^e` with `m` in `[sqrt(1/2), sqrt(2))`, then `ln m = 2 atanh(s)`,
/// `s = (m - 1) / (m + 1)`, summed to the `s^9` term (|s| <= 0.172). Branch-free, so a
/// loop of calls vectorizes. Non-positive or non-finite inputs are the caller's bug;
/// they give a finite but meaningless value.
#[inline(always)]
pub(super) fn ln(x: f64) -> f64 {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let bits = x.to_bits();
    // The biased exponent as an exact f64, without an int -> float conversion.
    let biased = f64::from_bits(0x4330_0000_0000_0000 | (bits >> 52)) - TWO52;
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let big = m > std::f64::consts::SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let e = if big {
        biased - 1022.0
    } else {
        biased - 1023.0
    };
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut p = 1.0 / 9.0;
    p = 1.0 / 7.0 + s2 * p;
    p = 1.0 / 5.0 + s2 * p;
    p = 1.0 / 3.0 + s2 * p;
    p = 1.0 + s2 * p;
    e * LN2 + 2.0 * s * p
}

/// `cos(2*pi*k/128)` for any `k`, from the quarter-wave table (exact symmetries only).
pub(super) const fn cos128(k: usize) -> f64 {
    let k = k & 127;
    if k <= 32 {
        COS_QUARTER[k]
    } else if k <= 64 {
        -COS_QUARTER[64 - k]
    } else if k <= 96 {
        -COS_QUARTER[k - 64]
    } else {
        COS_QUARTER[128 - k]
    }
}

/// `sin(2*pi*k/128)` for any `k`.
pub(super) const fn sin128(k: usize) -> f64 {
    cos128(k.wrapping_add(128 - 32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_std_closely() {
        let mut x: f64 = 1e-300;
        while x < 1e300 {
            for f in [1.0, 1.3, 1.41, 1.415, 1.9, 2.7] {
                let v = x * f;
                let want = v.ln();
                let got = ln(v);
                assert!(
                    (got - want).abs() <= 1e-8 * want.abs().max(1.0),
                    "ln({v}): expected {want}, got {got}"
                );
            }
            x *= 7.77;
        }
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(2.0), LN2);
    }

    #[test]
    fn cos_sin_tables_match_std() {
        for k in 0..300 {
            let a = 2.0 * std::f64::consts::PI * k as f64 / 128.0;
            assert!((cos128(k) - a.cos()).abs() < 1e-14, "cos k={k}");
            assert!((sin128(k) - a.sin()).abs() < 1e-14, "sin k={k}");
        }
        assert_eq!(cos128(32), 0.0);
        assert_eq!(sin128(64), 0.0);
        assert_eq!(sin128(32), 1.0);
    }
}
