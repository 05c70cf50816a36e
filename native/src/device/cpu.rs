//! The `cpu` backend's built-in operations: safe kernels over slices, run by the device
//! queue's workers (and used to measure the dispatch overhead of an almost empty job).

use crate::error::{Error, Result};

/// Multiply every sample by `gain` in place.
pub fn gain(buf: &mut [f32], gain: f32) -> Result<()> {
    if !gain.is_finite() {
        return Err(Error::invalid(format!("gain {gain} is not finite")));
    }
    for x in buf {
        *x *= gain;
    }
    Ok(())
}

/// Dot product of two equally long vectors (f64 accumulation, rounded to f32).
pub fn dot(a: &[f32], b: &[f32]) -> Result<f32> {
    if a.len() != b.len() {
        return Err(Error::invalid(format!(
            "dot product of vectors of different lengths {} and {}",
            a.len(),
            b.len()
        )));
    }
    Ok(a.iter()
        .zip(b)
        .map(|(&x, &y)| x as f64 * y as f64)
        .sum::<f64>() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_and_dot_match_naive() {
        let mut v: Vec<f32> = (0..37).map(|i| i as f32 * 0.25 - 3.0).collect();
        let orig = v.clone();
        gain(&mut v, -2.0).unwrap();
        for (i, (&g, &o)) in v.iter().zip(&orig).enumerate() {
            assert_eq!(g, o * -2.0, "index {i}");
        }
        let mut naive = 0f64;
        for i in 0..orig.len() {
            naive += orig[i] as f64 * v[i] as f64;
        }
        assert_eq!(dot(&orig, &v).unwrap(), naive as f32);
        assert!(dot(&orig, &v[1..]).is_err());
        assert!(gain(&mut v, f32::NAN).is_err());
    }
}
