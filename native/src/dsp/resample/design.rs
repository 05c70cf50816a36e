//! Polyphase filter design: a Kaiser-windowed sinc, sampled at the `L` phases of the
//! reduced ratio `L/M` and stored as `L` contiguous rows of `taps` f32 coefficients.
//!
//! Everything is computed in f64 with plain arithmetic (no table lookups), in the same
//! order as the TypeScript fallback (`src/dsp/_resample_ts.ts`), so both get the same
//! coefficients up to the last bit of `sin` and rounding to f32.

use crate::error::{Error, Result};

/// Quality preset: passband edge and stopband edge (as fractions of the common Nyquist
/// `min(in, out) / 2`) and stopband attenuation in dB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    /// Passband to 0.80, stopband from 1.20 of the common Nyquist, 70 dB. Lets the band
    /// just above the Nyquist fold into the top 20% of the output band.
    Fast = 0,
    /// Passband to 0.875, stopband from 1.0 of the common Nyquist (no aliasing), 105 dB.
    Default = 1,
    /// Passband to 0.90, stopband from 1.0 of the common Nyquist, 140 dB.
    High = 2,
}

impl Quality {
    /// The preset for the C ABI's `quality` code (0 fast, 1 default, 2 high).
    pub fn from_code(code: u32) -> Result<Quality> {
        match code {
            0 => Ok(Quality::Fast),
            1 => Ok(Quality::Default),
            2 => Ok(Quality::High),
            _ => Err(Error::invalid(format!(
                "quality {code} is not 0 (fast), 1 (default) or 2 (high)"
            ))),
        }
    }

    /// (passband edge, stopband edge, attenuation dB).
    pub fn params(self) -> (f64, f64, f64) {
        match self {
            Quality::Fast => (0.80, 1.20, 70.0),
            Quality::Default => (0.875, 1.0, 105.0),
            Quality::High => (0.90, 1.0, 140.0),
        }
    }
}

/// Highest sample rate accepted, in Hz.
pub const MAX_RATE: u32 = 1_536_000;
/// Largest numerator or denominator of the reduced ratio.
pub const MAX_TERM: u64 = 4096;
/// Largest conversion factor either way (`out/in` or `in/out`).
pub const MAX_FACTOR: u64 = 256;
/// Coefficient rows are a multiple of this many taps (two 8-lane accumulators).
pub const TAP_MULTIPLE: usize = 16;

/// A designed polyphase filter.
#[derive(Debug, Clone)]
pub struct Design {
    /// Interpolation factor `L` (output rate / gcd).
    pub up: u64,
    /// Decimation factor `M` (input rate / gcd).
    pub down: u64,
    /// Taps per phase (a multiple of [`TAP_MULTIPLE`]).
    pub taps: usize,
    /// Latency in output frames: streaming output `j` sits at time `(j - delay) / out_rate`.
    pub delay: u64,
    /// `up` rows of `taps` coefficients; row `p` is the phase `p / up`.
    pub table: Vec<f32>,
}

/// Greatest common divisor.
pub fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Modified Bessel function of the first kind, order 0 (power series).
pub fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 1.0;
    while k < 1000.0 {
        term = term * q / (k * k);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        k += 1.0;
    }
    sum
}

/// Kaiser's `beta` for a stopband attenuation of `atten` dB.
pub fn kaiser_beta(atten: f64) -> f64 {
    if atten > 50.0 {
        0.1102 * (atten - 8.7)
    } else if atten >= 21.0 {
        0.5842 * (atten - 21.0).powf(0.4) + 0.07886 * (atten - 21.0)
    } else {
        0.0
    }
}

/// Check rates and reduce the ratio; returns `(up, down)`.
pub fn reduce(in_rate: u32, out_rate: u32) -> Result<(u64, u64)> {
    for (what, r) in [("input", in_rate), ("output", out_rate)] {
        if r == 0 || r > MAX_RATE {
            return Err(Error::invalid(format!(
                "{what} rate {r} Hz is out of range 1..={MAX_RATE}"
            )));
        }
    }
    let g = gcd(in_rate as u64, out_rate as u64);
    let (up, down) = (out_rate as u64 / g, in_rate as u64 / g);
    if up > MAX_TERM || down > MAX_TERM {
        return Err(Error::unsupported(format!(
            "ratio {out_rate}/{in_rate} reduces to {up}/{down}, whose terms exceed {MAX_TERM}"
        )));
    }
    if up > MAX_FACTOR * down || down > MAX_FACTOR * up {
        return Err(Error::unsupported(format!(
            "ratio {out_rate}/{in_rate} is beyond the supported factor of {MAX_FACTOR}"
        )));
    }
    Ok((up, down))
}

/// Design the polyphase filter for `in_rate -> out_rate` at `quality`.
pub fn design(in_rate: u32, out_rate: u32, quality: Quality) -> Result<Design> {
    let (up, down) = reduce(in_rate, out_rate)?;
    let (pass, stop, atten) = quality.params();
    let fin = in_rate as f64;
    let nyq = in_rate.min(out_rate) as f64 / 2.0;
    // Cutoff (transition centre) and transition width, in cycles per input sample.
    let fc = (pass + stop) / 2.0 * nyq / fin;
    let width = (stop - pass) * nyq / fin;
    let n = (atten - 7.95) / (2.285 * 2.0 * std::f64::consts::PI * width) + 1.0;
    // Every output window must overlap the next one, so the history never has holes.
    let min_taps = (down.div_ceil(up) + 1) as usize;
    let taps = (n.ceil() as usize)
        .max(min_taps)
        .next_multiple_of(TAP_MULTIPLE);
    let beta = kaiser_beta(atten);
    let i0_beta = bessel_i0(beta);
    let half = (taps / 2) as i64;
    let mut table = vec![0f32; up as usize * taps];
    for (p, row) in table.chunks_exact_mut(taps).enumerate() {
        for (i, c) in row.iter_mut().enumerate() {
            // tau = half - 1 - i + p / up: the input sample's distance from the output time.
            let tau = ((half - 1 - i as i64) * up as i64 + p as i64) as f64 / up as f64;
            *c = kernel(tau, fc, half as f64, beta, i0_beta) as f32;
        }
    }
    let delay = (taps as u64 / 2) * up / down;
    Ok(Design {
        up,
        down,
        taps,
        delay,
        table,
    })
}

/// The windowed-sinc kernel at offset `tau` input samples (window half-length `half`).
fn kernel(tau: f64, fc: f64, half: f64, beta: f64, i0_beta: f64) -> f64 {
    // The support is the open interval (-half, half): a row then covers it exactly
    // once, whatever the phase (the tap at -half of phase 0 has no twin at +half).
    let r = tau / half;
    if r <= -1.0 || r >= 1.0 {
        return 0.0;
    }
    let x = 2.0 * fc * tau;
    let sinc = if x == 0.0 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    };
    2.0 * fc * sinc * bessel_i0(beta * (1.0 - r * r).sqrt()) / i0_beta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_i0_matches_known_values() {
        // I0(0) = 1, I0(1) = 1.2660658777520082, I0(10) = 2815.716628466254
        assert_eq!(bessel_i0(0.0), 1.0);
        assert!((bessel_i0(1.0) - 1.266_065_877_752_008_2).abs() < 1e-15);
        assert!((bessel_i0(10.0) / 2_815.716_628_466_254 - 1.0).abs() < 1e-14);
    }

    #[test]
    fn reduce_rejects_bad_rates_and_ratios() {
        assert_eq!(reduce(48_000, 16_000).unwrap(), (1, 3));
        assert_eq!(reduce(44_100, 16_000).unwrap(), (160, 441));
        assert_eq!(reduce(11_025, 96_000).unwrap(), (1280, 147));
        assert!(reduce(0, 16_000).is_err());
        assert!(reduce(16_000, 0).is_err());
        let e = reduce(44_100, 44_101).unwrap_err();
        assert!(e.message.contains("44101/44100"), "{}", e.message);
        assert!(reduce(1, 1000).is_err());
    }

    #[test]
    fn rows_sum_to_unity_gain() {
        for (fi, fo) in [(48_000, 16_000), (44_100, 16_000), (8_000, 16_000)] {
            for q in [Quality::Fast, Quality::Default, Quality::High] {
                let d = design(fi, fo, q).unwrap();
                assert_eq!(d.taps % TAP_MULTIPLE, 0);
                for (p, row) in d.table.chunks_exact(d.taps).enumerate() {
                    let s: f64 = row.iter().map(|&c| c as f64).sum();
                    let tol = if q == Quality::Fast { 1e-3 } else { 1e-5 };
                    assert!((s - 1.0).abs() < tol, "{fi}->{fo} {q:?} phase {p}: {s}");
                }
            }
        }
    }
}
