//! Kernel-level tests: the polyphase machinery against a direct-convolution oracle,
//! chunk invariance, flush/reset, kernels against each other, and tone quality.

use super::*;

fn noise(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 23) as f32 - 1.0
        })
        .collect()
}

/// Slow oracle: output `k` of the zero-delay resampled signal, straight from the
/// continuous kernel in f64: `sum_n x[n] g(k·M/L - n)`, `x` silent outside its range.
fn oracle(x: &[f32], channels: usize, fi: u32, fo: u32, q: Quality, k: u64, ch: usize) -> f64 {
    let d = design(fi, fo, q).unwrap();
    let (pass, stop, atten) = q.params();
    let nyq = fi.min(fo) as f64 / 2.0;
    let fc = (pass + stop) / 2.0 * nyq / fi as f64;
    let half = (d.taps / 2) as f64;
    let beta = design::kaiser_beta(atten);
    let t = k as f64 * d.down as f64 / d.up as f64;
    let frames = x.len() / channels;
    let lo = (t - half).floor().max(0.0) as usize;
    let hi = ((t + half).ceil() as usize).min(frames.saturating_sub(1));
    let mut acc = 0.0;
    for n in lo..=hi {
        let tau = t - n as f64;
        if tau.abs() >= half {
            continue;
        }
        let r = tau / half;
        let xx = 2.0 * fc * tau;
        let sinc = if xx == 0.0 {
            1.0
        } else {
            (std::f64::consts::PI * xx).sin() / (std::f64::consts::PI * xx)
        };
        let w = design::bessel_i0(beta * (1.0 - r * r).sqrt()) / design::bessel_i0(beta);
        acc += x[n * channels + ch] as f64 * 2.0 * fc * sinc * w;
    }
    acc
}

/// Run a whole signal through in chunks of the given sizes (cycled), then flush.
fn run_chunked(r: &mut Resampler, x: &[f32], chunks: &[usize]) -> Vec<f32> {
    let c = r.channels();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    let frames = x.len() / c;
    while pos < frames {
        let n = chunks[i % chunks.len()].min(frames - pos);
        i += 1;
        let mut buf = vec![0f32; r.output_frames_next(n as u64) as usize * c];
        let w = r.process(&x[pos * c..(pos + n) * c], &mut buf).unwrap();
        assert_eq!(w * c, buf.len());
        out.extend_from_slice(&buf);
        pos += n;
    }
    let mut tail = vec![0f32; r.flush_frames() as usize * c];
    let w = r.flush(&mut tail).unwrap();
    assert_eq!(w * c, tail.len());
    out.extend_from_slice(&tail);
    out
}

#[test]
fn matches_direct_convolution_oracle() {
    let pairs = [
        (48_000, 16_000),
        (44_100, 16_000),
        (8_000, 16_000),
        (16_000, 48_000),
        (22_050, 44_100),
        (44_100, 48_000),
    ];
    for (fi, fo) in pairs {
        for q in [Quality::Fast, Quality::Default] {
            for channels in [1usize, 2, 3] {
                let frames = (fi / 50) as usize; // 20 ms
                let x = noise(frames * channels, fi ^ fo ^ channels as u32);
                let mut r = Resampler::new(fi, fo, channels, q).unwrap();
                let d = r.delay();
                let y = run_chunked(&mut r, &x, &[frames]);
                let total = d + (frames as u64 * fo as u64).div_ceil(fi as u64);
                assert_eq!(y.len() as u64, total * channels as u64, "{fi}->{fo}");
                // Compare a spread of outputs (all of them near the edges).
                let n_out = total - d;
                for k in (0..n_out).filter(|k| k % 7 == 0 || *k < 40 || *k + 40 > n_out) {
                    for ch in 0..channels {
                        let want = oracle(&x, channels, fi, fo, q, k, ch);
                        let got = y[((k + d) as usize) * channels + ch] as f64;
                        assert!(
                            (got - want).abs() < 2e-5,
                            "{fi}->{fo} {q:?} ch{channels} output {k}.{ch}: expected {want}, got {got}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn chunking_does_not_change_output() {
    for (fi, fo) in [
        (48_000, 16_000),
        (44_100, 16_000),
        (8_000, 16_000),
        (16_000, 48_000),
    ] {
        for channels in [1usize, 2, 4] {
            let x = noise(fi as usize / 5 * channels, 99 + channels as u32);
            let mut r = Resampler::new(fi, fo, channels, Quality::Default).unwrap();
            let whole = run_chunked(&mut r, &x, &[usize::MAX]);
            for chunks in [
                vec![fi as usize / 50],
                vec![fi as usize / 100],
                vec![1, 7, 333],
                vec![0, 5000, 3],
            ] {
                let got = run_chunked(&mut r, &x, &chunks);
                assert_eq!(got.len(), whole.len());
                for (i, (a, b)) in whole.iter().zip(&got).enumerate() {
                    assert_eq!(
                        a.to_bits(),
                        b.to_bits(),
                        "{fi}->{fo} {chunks:?} index {i}: expected {a}, got {b}"
                    );
                }
            }
        }
    }
}

#[test]
fn scalar_and_simd_kernels_agree() {
    let k = Kernel::detect();
    for (fi, fo) in [(48_000, 16_000), (44_100, 16_000), (16_000, 48_000)] {
        let x = noise(fi as usize / 10 * 2, 5);
        let mut a = Resampler::with_kernel(fi, fo, 2, Quality::High, k).unwrap();
        let mut b = Resampler::with_kernel(fi, fo, 2, Quality::High, Kernel::Scalar).unwrap();
        let ya = run_chunked(&mut a, &x, &[960]);
        let yb = run_chunked(&mut b, &x, &[960]);
        for (i, (p, q)) in ya.iter().zip(&yb).enumerate() {
            assert!((p - q).abs() < 1e-5, "index {i}: {p} vs {q}");
        }
    }
}

#[test]
fn frame_counts_are_consistent() {
    let mut r = Resampler::new(44_100, 16_000, 2, Quality::Default).unwrap();
    assert_eq!(r.output_frames_next(0), 0);
    assert_eq!(r.flush_frames(), 0);
    let mut total = 0u64;
    for n in [1u64, 0, 441, 882, 7, 10_000] {
        let want = r.output_frames_next(n);
        let need = r.input_frames_next(want.max(1));
        assert!(need <= n.max(need));
        let mut out = vec![0f32; want as usize * 2];
        assert_eq!(
            r.process(&vec![0.1; n as usize * 2], &mut out).unwrap() as u64,
            want
        );
        total += want;
        // input_frames_next is exact: one frame fewer gives fewer outputs.
        let need = r.input_frames_next(3);
        assert!(r.output_frames_next(need) >= 3);
        if need > 0 {
            assert!(r.output_frames_next(need - 1) < 3);
        }
    }
    let received = 1 + 441 + 882 + 7 + 10_000u64;
    assert_eq!(
        total + r.flush_frames(),
        r.delay() + (received * 160).div_ceil(441)
    );
}

#[test]
fn errors_leave_state_untouched() {
    let mut r = Resampler::new(48_000, 16_000, 2, Quality::Fast).unwrap();
    assert!(r.process(&[0.0; 3], &mut [0.0; 100]).is_err());
    let x = vec![0.5f32; 960 * 2];
    let need = r.output_frames_next(960) as usize * 2;
    let e = r.process(&x, &mut vec![0.0; need - 1]).unwrap_err();
    assert_eq!(e.status, crate::error::Status::BufferTooSmall);
    assert_eq!(r.output_frames_next(960) as usize * 2, need);
    assert!(Resampler::new(0, 16_000, 1, Quality::Fast).is_err());
    assert!(Resampler::new(16_000, 16_000, 0, Quality::Fast).is_err());
    assert!(Resampler::new(16_000, 16_000, 65, Quality::Fast).is_err());
    assert!(Resampler::new(44_100, 44_101, 1, Quality::Fast).is_err());
}

fn sine_snr(fi: u32, fo: u32, q: Quality, f: f64) -> (f64, f64) {
    let x: Vec<f32> = (0..fi)
        .map(|n| (0.5 * (2.0 * std::f64::consts::PI * f * n as f64 / fi as f64 + 0.3).sin()) as f32)
        .collect();
    let mut r = Resampler::new(fi, fo, 1, q).unwrap();
    let y = run_chunked(&mut r, &x, &[fi as usize / 50]);
    let d = r.delay() as usize;
    let e = (fo / 10) as usize;
    let (mut s, mut err, mut p) = (0.0, 0.0, 0.0);
    for k in e..fo as usize - e {
        let ideal = (0.5 * (2.0 * std::f64::consts::PI * f * k as f64 / fo as f64 + 0.3).sin())
            as f32 as f64;
        let got = y[k + d] as f64;
        s += ideal * ideal;
        err += (got - ideal) * (got - ideal);
        p += got * got;
    }
    (10.0 * (s / err).log10(), 10.0 * (p / s).log10())
}

#[test]
fn tone_quality_meets_preset_targets() {
    for (fi, fo) in [
        (48_000, 16_000),
        (44_100, 16_000),
        (16_000, 48_000),
        (8_000, 16_000),
    ] {
        let (snr, _) = sine_snr(fi, fo, Quality::Default, 1000.0);
        assert!(snr >= 100.0, "{fi}->{fo} default: {snr} dB");
        let (snr, _) = sine_snr(fi, fo, Quality::High, 1000.0);
        assert!(snr >= 130.0, "{fi}->{fo} high: {snr} dB");
        let edge = 0.875 * fi.min(fo) as f64 / 2.0;
        let (_, gain) = sine_snr(fi, fo, Quality::Default, edge);
        assert!(gain.abs() <= 0.1, "{fi}->{fo} gain at {edge} Hz: {gain} dB");
    }
}

fn kernels() -> Vec<Kernel> {
    let mut k = vec![Kernel::Scalar];
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(a) = avx2::Avx2::new() {
            k.push(Kernel::Avx2(a));
        }
    }
    k
}

#[test]
fn every_kernel_is_chunk_invariant_bit_for_bit() {
    for k in kernels() {
        for (fi, fo) in [
            (48_000, 16_000),
            (44_100, 16_000),
            (16_000, 48_000),
            (8_000, 44_100),
        ] {
            let x = noise(fi as usize / 4 * 2, 11);
            let mut r = Resampler::with_kernel(fi, fo, 2, Quality::Default, k).unwrap();
            let whole = run_chunked(&mut r, &x, &[usize::MAX]);
            let chunked = run_chunked(&mut r, &x, &[1, 7, 333]);
            for (i, (a, b)) in whole.iter().zip(&chunked).enumerate() {
                assert_eq!(
                    a.to_bits(),
                    b.to_bits(),
                    "{fi}->{fo} {} index {i}",
                    k.name()
                );
            }
        }
    }
}
