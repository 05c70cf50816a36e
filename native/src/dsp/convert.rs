//! Sample-format conversion, channel layout and gain kernels.
//!
//! Conventions (see shared/testdata/README.md, section 4):
//! - int16 -> f32: `i / 32768` (exact).
//! - f32 -> int16: `clamp(round_half_to_even(f * 32768), -32768, 32767)`, +-inf saturate,
//!   NaN -> 0. The same scheme is used for 24- and 32-bit with `2^23` and `2^31`.
//!
//! Every kernel writes into a caller buffer and allocates nothing. Length checks return
//! `BufferTooSmall`/`InvalidArgument`; the kernels never panic on bad lengths.

use crate::error::{Error, Result};

const S16: f32 = 32768.0;
const S24: f64 = 8_388_608.0;
const S32: f64 = 2_147_483_648.0;

fn need<T>(what: &str, buf: &[T], n: usize) -> Result<()> {
    if buf.len() < n {
        Err(Error::too_small(what, n, buf.len()))
    } else {
        Ok(())
    }
}

/// Round half to even and convert to i32 for values already clamped to |x| < 2^22,
/// without a float-to-int instruction: after adding 1.5 * 2^23 the integer sits in the
/// low mantissa bits, so an integer subtract of the magic's bit pattern extracts it.
/// Pure integer ops after the add, so the loop vectorizes on baseline SSE2.
#[inline(always)]
fn rint_bits(x: f32) -> i32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23
    (x + MAGIC).to_bits() as i32 - MAGIC.to_bits() as i32
}

/// int16 -> float32 (`i / 32768`). `dst` must hold at least `src.len()` samples.
pub fn i16_to_f32(src: &[i16], dst: &mut [f32]) -> Result<()> {
    need("output", dst, src.len())?;
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = s as f32 * (1.0 / S16);
    }
    Ok(())
}

/// float32 -> int16 with ties-to-even rounding and saturation; NaN gives 0.
pub fn f32_to_i16(src: &[f32], dst: &mut [i16]) -> Result<()> {
    need("output", dst, src.len())?;
    for (d, &s) in dst.iter_mut().zip(src) {
        // NaN -> 0 first (a select), then clamp and round; every value is now an exact
        // integer in i16 range, so the int conversion below never saturates.
        let x = if s.is_nan() { 0.0 } else { s * S16 };
        *d = rint_bits(x.clamp(-32768.0, 32767.0)) as i16;
    }
    Ok(())
}

/// Packed little-endian int24 (3 bytes per sample) -> float32 (`i / 2^23`).
/// `src.len()` must be a multiple of 3.
pub fn i24_to_f32(src: &[u8], dst: &mut [f32]) -> Result<()> {
    if !src.len().is_multiple_of(3) {
        return Err(Error::invalid(format!(
            "int24 input has {} bytes, not a multiple of 3",
            src.len()
        )));
    }
    let n = src.len() / 3;
    need("output", dst, n)?;
    for (d, b) in dst.iter_mut().zip(src.chunks_exact(3)) {
        let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
        *d = (v as f64 / S24) as f32;
    }
    Ok(())
}

/// float32 -> packed little-endian int24; ties to even, saturating, NaN -> 0.
pub fn f32_to_i24(src: &[f32], dst: &mut [u8]) -> Result<()> {
    need("output", dst, src.len() * 3)?;
    for (b, &s) in dst.chunks_exact_mut(3).zip(src) {
        let x = (s as f64 * S24).clamp(-S24, S24 - 1.0);
        let v = if x.is_nan() {
            0
        } else {
            x.round_ties_even() as i32
        };
        let le = v.to_le_bytes();
        b.copy_from_slice(&le[..3]);
    }
    Ok(())
}

/// int32 -> float32 (`i / 2^31`).
pub fn i32_to_f32(src: &[i32], dst: &mut [f32]) -> Result<()> {
    need("output", dst, src.len())?;
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = (s as f64 / S32) as f32;
    }
    Ok(())
}

/// float32 -> int32; ties to even, saturating, NaN -> 0.
pub fn f32_to_i32(src: &[f32], dst: &mut [i32]) -> Result<()> {
    need("output", dst, src.len())?;
    for (d, &s) in dst.iter_mut().zip(src) {
        let x = (s as f64 * S32).clamp(-S32, S32 - 1.0);
        *d = if x.is_nan() {
            0
        } else {
            x.round_ties_even() as i32
        };
    }
    Ok(())
}

/// Unsigned 8-bit PCM -> float32 (`(u - 128) / 128`).
pub fn u8_to_f32(src: &[u8], dst: &mut [f32]) -> Result<()> {
    need("output", dst, src.len())?;
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = (s as f32 - 128.0) * (1.0 / 128.0);
    }
    Ok(())
}

/// float64 -> float32 (nearest).
pub fn f64_to_f32(src: &[f64], dst: &mut [f32]) -> Result<()> {
    need("output", dst, src.len())?;
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = s as f32;
    }
    Ok(())
}

fn check_channels(channels: usize) -> Result<()> {
    if channels == 0 || channels > 64 {
        return Err(Error::invalid(format!(
            "channel count {channels} is out of range 1..=64"
        )));
    }
    Ok(())
}

fn frames_of(len: usize, channels: usize) -> Result<usize> {
    check_channels(channels)?;
    if !len.is_multiple_of(channels) {
        return Err(Error::invalid(format!(
            "input length {len} is not a multiple of {channels} channels"
        )));
    }
    Ok(len / channels)
}

/// Planar `[ch][frames]` -> interleaved `[frames][ch]`.
pub fn interleave(planar: &[f32], channels: usize, dst: &mut [f32]) -> Result<()> {
    let frames = frames_of(planar.len(), channels)?;
    need("output", dst, planar.len())?;
    for (c, plane) in planar
        .chunks_exact(frames.max(1))
        .enumerate()
        .take(channels)
    {
        for (i, &s) in plane.iter().enumerate() {
            dst[i * channels + c] = s;
        }
    }
    Ok(())
}

/// Interleaved `[frames][ch]` -> planar `[ch][frames]`.
pub fn deinterleave(src: &[f32], channels: usize, dst: &mut [f32]) -> Result<()> {
    let frames = frames_of(src.len(), channels)?;
    need("output", dst, src.len())?;
    for (i, frame) in src.chunks_exact(channels).enumerate() {
        for (c, &s) in frame.iter().enumerate() {
            dst[c * frames + i] = s;
        }
    }
    Ok(())
}

/// Interleaved N-channel -> mono by averaging the channels.
pub fn downmix(src: &[f32], channels: usize, dst: &mut [f32]) -> Result<()> {
    let frames = frames_of(src.len(), channels)?;
    need("output", dst, frames)?;
    let scale = 1.0 / channels as f32;
    match channels {
        1 => dst[..frames].copy_from_slice(src),
        2 => {
            for (d, f) in dst.iter_mut().zip(src.chunks_exact(2)) {
                *d = (f[0] + f[1]) * 0.5;
            }
        }
        _ => {
            for (d, f) in dst.iter_mut().zip(src.chunks_exact(channels)) {
                *d = f.iter().sum::<f32>() * scale;
            }
        }
    }
    Ok(())
}

/// Multiply every sample by `gain` in place. A non-finite gain is rejected.
pub fn gain_in_place(buf: &mut [f32], gain: f32) -> Result<()> {
    if !gain.is_finite() {
        return Err(Error::invalid(format!("gain {gain} is not finite")));
    }
    for s in buf.iter_mut() {
        *s *= gain;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_f32_to_i16(f: f32) -> i16 {
        if f.is_nan() {
            return 0;
        }
        let x = (f as f64 * 32768.0).round_ties_even();
        x.clamp(-32768.0, 32767.0) as i16
    }

    #[test]
    fn i16_round_trip_all_values() {
        let src: Vec<i16> = (i16::MIN..=i16::MAX).collect();
        let mut f = vec![0f32; src.len()];
        i16_to_f32(&src, &mut f).unwrap();
        let mut back = vec![0i16; src.len()];
        f32_to_i16(&f, &mut back).unwrap();
        assert_eq!(src, back);
        assert_eq!(f[0], -1.0);
        assert_eq!(*f.last().unwrap(), 32767.0 / 32768.0);
    }

    #[test]
    fn f32_to_i16_matches_naive_on_edges_and_ties() {
        let mut xs = vec![
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            1.0,
            -1.0,
            1.5,
            -1.5,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MAX,
            f32::MIN,
            0.5 / 32768.0,
            -0.5 / 32768.0,
            2.5 / 32768.0,
            32767.5 / 32768.0,
            -32768.5 / 32768.0,
        ];
        let mut seed = 12345u32;
        for _ in 0..10_000 {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            xs.push((seed as f32 / u32::MAX as f32) * 2.5 - 1.25);
            xs.push(((seed >> 16) as f32 + 0.5) / 32768.0);
        }
        let mut out = vec![0i16; xs.len()];
        f32_to_i16(&xs, &mut out).unwrap();
        for (i, (&x, &o)) in xs.iter().zip(&out).enumerate() {
            assert_eq!(o, naive_f32_to_i16(x), "index {i}: input {x}");
        }
    }

    #[test]
    fn i24_and_i32_round_trip() {
        let xs: Vec<f32> = (-1000..1000).map(|i| i as f32 / 1000.0).collect();
        let mut b = vec![0u8; xs.len() * 3];
        f32_to_i24(&xs, &mut b).unwrap();
        let mut back = vec![0f32; xs.len()];
        i24_to_f32(&b, &mut back).unwrap();
        for (a, c) in xs.iter().zip(&back) {
            assert!((a - c).abs() <= 1.0 / 8_388_608.0, "{a} vs {c}");
        }
        let mut w = vec![0i32; xs.len()];
        f32_to_i32(&xs, &mut w).unwrap();
        i32_to_f32(&w, &mut back).unwrap();
        for (a, c) in xs.iter().zip(&back) {
            assert!((a - c).abs() <= f32::EPSILON, "{a} vs {c}");
        }
        // saturation
        f32_to_i24(&[2.0, -2.0, f32::NAN], &mut b[..9]).unwrap();
        i24_to_f32(&b[..9], &mut back[..3]).unwrap();
        assert_eq!(back[..3], [8_388_607.0 / 8_388_608.0, -1.0, 0.0]);
    }

    #[test]
    fn layout_kernels_against_naive() {
        for ch in 1..=6usize {
            let frames = 37;
            let planar: Vec<f32> = (0..ch * frames).map(|i| i as f32).collect();
            let mut inter = vec![0f32; planar.len()];
            interleave(&planar, ch, &mut inter).unwrap();
            for c in 0..ch {
                for i in 0..frames {
                    assert_eq!(inter[i * ch + c], planar[c * frames + i]);
                }
            }
            let mut back = vec![0f32; planar.len()];
            deinterleave(&inter, ch, &mut back).unwrap();
            assert_eq!(planar, back);
            let mut mono = vec![0f32; frames];
            downmix(&inter, ch, &mut mono).unwrap();
            for i in 0..frames {
                let want: f32 = (0..ch).map(|c| planar[c * frames + i]).sum::<f32>() / ch as f32;
                assert!((mono[i] - want).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn bad_lengths_are_errors() {
        assert!(i16_to_f32(&[1, 2, 3], &mut [0.0; 2]).is_err());
        assert!(i24_to_f32(&[1, 2], &mut [0.0; 2]).is_err());
        assert!(downmix(&[0.0; 5], 2, &mut [0.0; 5]).is_err());
        assert!(downmix(&[0.0; 4], 0, &mut [0.0; 4]).is_err());
        assert!(gain_in_place(&mut [1.0], f32::NAN).is_err());
        assert!(interleave(&[], 2, &mut []).is_ok());
    }
}
