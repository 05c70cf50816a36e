//! Behaviour tests of the detector on seeded synthetic signals.

use super::*;
use crate::error::Status;

/// Seeded uniform noise in [-1, 1).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
    /// Approximately Gaussian (sum of 4 uniforms, unit variance).
    fn gauss(&mut self) -> f64 {
        (self.next() + self.next() + self.next() + self.next()) * 0.75f64.sqrt()
    }
}

/// A speech-like test signal at `rate`: bursts of a 150 Hz harmonic complex with a
/// 4 Hz syllable envelope, separated by pauses, in white noise at `snr_db` (or none); the
/// SNR holds in the 0-8 kHz band, so every rate sees the same in-band noise level.
/// Returns the samples and, per 10 ms, whether a burst is active.
fn synth(rate: u32, seconds: f64, snr_db: Option<f64>, seed: u64) -> (Vec<f32>, Vec<bool>) {
    let n = (rate as f64 * seconds) as usize;
    let hop = rate as usize / 100;
    let mut rng = Lcg(seed);
    // bursts: 0.8 s on, 0.7 s off, starting at 0.6 s
    let active = |t: f64| t >= 0.6 && ((t - 0.6) % 1.5) < 0.8;
    let mut speech = vec![0.0f64; n];
    for (i, s) in speech.iter_mut().enumerate() {
        let t = i as f64 / rate as f64;
        if !active(t) {
            continue;
        }
        let env = 0.55 - 0.45 * (2.0 * std::f64::consts::PI * 4.0 * (t - 0.6)).cos();
        let mut v = 0.0;
        for h in 1..=20 {
            let f = 150.0 * h as f64;
            if f >= 3800.0 {
                break;
            }
            v += (2.0 * std::f64::consts::PI * f * t).sin() / h as f64;
        }
        *s = 0.1 * env * v;
    }
    let p_speech = {
        let (mut sum, mut cnt) = (0.0, 0usize);
        for (i, s) in speech.iter().enumerate() {
            if active(i as f64 / rate as f64) {
                sum += s * s;
                cnt += 1;
            }
        }
        sum / cnt.max(1) as f64
    };
    let band = rate as f64 / 16000.0;
    let sigma = snr_db.map_or(0.0, |snr| (band * p_speech / 10f64.powf(snr / 10.0)).sqrt());
    let x: Vec<f32> = speech
        .iter()
        .map(|&s| (s + sigma * rng.gauss()) as f32)
        .collect();
    let labels = (0..n / hop)
        .map(|f| active((f * hop + hop / 2) as f64 / rate as f64))
        .collect();
    (x, labels)
}

fn decisions_10ms(vad: &mut Vad, x: &[f32]) -> Vec<bool> {
    let fs = vad.frame_samples();
    let per = (vad.frame_ms() / 10) as usize;
    let mut out = Vec::new();
    for frame in x.chunks_exact(fs) {
        let d = vad.process(frame).unwrap();
        out.extend(std::iter::repeat_n(d, per));
    }
    out
}

#[test]
fn bad_parameters_are_rejected_with_clear_messages() {
    let e = Vad::new(44100, 20, 1).err().unwrap();
    assert_eq!(e.status, Status::InvalidArgument);
    assert!(e.message.contains("44100"), "{}", e.message);
    let e = Vad::new(16000, 15, 1).err().unwrap();
    assert!(e.message.contains("15 ms"), "{}", e.message);
    let e = Vad::new(16000, 20, 4).err().unwrap();
    assert!(e.message.contains("mode 4"), "{}", e.message);
    let mut v = Vad::new(16000, 20, 1).unwrap();
    let e = v.process(&[0.0; 319]).unwrap_err();
    assert!(
        e.message.contains("319") && e.message.contains("320"),
        "{}",
        e.message
    );
    let e = v.process_buffer(&[0.0; 960], &mut [0u8; 2]).unwrap_err();
    assert_eq!(e.status, Status::BufferTooSmall);
}

#[test]
fn frame_sizes_follow_rate_and_duration() {
    for &r in &SAMPLE_RATES {
        for &f in &FRAME_MS {
            let v = Vad::new(r, f, 0).unwrap();
            assert_eq!(v.frame_samples(), (r * f / 1000) as usize);
        }
    }
}

#[test]
fn silence_and_stationary_noise_are_not_speech() {
    for &r in &SAMPLE_RATES {
        for mode in 0..4 {
            for level in [0.0, 1e-4, 0.01, 0.3] {
                let mut v = Vad::new(r, 20, mode).unwrap();
                let mut rng = Lcg(r as u64 + mode as u64);
                let x: Vec<f32> = (0..r as usize * 6)
                    .map(|_| (level * rng.gauss()) as f32)
                    .collect();
                let d = decisions_10ms(&mut v, &x);
                let hits = d.iter().filter(|&&s| s).count();
                assert_eq!(
                    hits, 0,
                    "rate {r} mode {mode} level {level}: {hits} speech frames"
                );
            }
        }
    }
}

#[test]
fn detects_speech_like_bursts_in_noise() {
    // Bursts are found; pauses are speech only within the hangover (at most 200 ms).
    for (snr, min_recall) in [
        (None, 0.97),
        (Some(20.0), 0.97),
        (Some(5.0), 0.9),
        (Some(0.0), 0.8),
    ] {
        let (x, lab) = synth(16000, 9.0, snr, 3);
        let mut v = Vad::new(16000, 10, 1).unwrap();
        let d = decisions_10ms(&mut v, &x);
        let (mut tp, mut pos, mut fp, mut neg) = (0, 0, 0, 0);
        for (i, (&di, &li)) in d.iter().zip(&lab).enumerate() {
            if li {
                // skip the first 3 frames of a burst (onset collar)
                if i >= 3 && lab[i - 3] {
                    pos += 1;
                    tp += di as usize;
                }
            } else if i >= 21 && !lab[i - 21..i].iter().any(|&l| l) {
                neg += 1;
                fp += di as usize;
            }
        }
        let recall = tp as f64 / pos as f64;
        assert!(
            recall >= min_recall,
            "snr {snr:?}: recall {recall:.3} < {min_recall}"
        );
        assert_eq!(
            fp, 0,
            "snr {snr:?}: {fp} of {neg} frames far from speech flagged"
        );
    }
}

#[test]
fn frame_duration_only_changes_the_reporting_grid() {
    // Every frame size runs the same 10 ms sub-frame detector; a 20/30 ms decision is the
    // decision of its last sub-frame.
    for &r in &SAMPLE_RATES {
        let (x, _) = synth(r, 4.0, Some(10.0), 11);
        let mut v10 = Vad::new(r, 10, 2).unwrap();
        let d10 = decisions_10ms(&mut v10, &x);
        for f in [20usize, 30] {
            let mut v = Vad::new(r, f as u32, 2).unwrap();
            let d = decisions_10ms(&mut v, &x);
            let per = f / 10;
            for (i, &di) in d.iter().enumerate() {
                let last = (i / per) * per + per - 1;
                assert_eq!(di, d10[last], "rate {r} frame {f} ms: index {i}");
            }
        }
    }
}

#[test]
fn process_buffer_equals_frame_by_frame_and_reset_restarts() {
    let (x, _) = synth(48000, 3.0, Some(10.0), 5);
    let mut a = Vad::new(48000, 30, 1).unwrap();
    let mut b = Vad::new(48000, 30, 1).unwrap();
    let mut dec = vec![0u8; x.len() / a.frame_samples() + 3];
    let n = a.process_buffer(&x[..x.len() - 7], &mut dec).unwrap();
    assert_eq!(n, (x.len() - 7) / 1440);
    let mut per_frame = Vec::new();
    for f in x.chunks_exact(1440).take(n) {
        per_frame.push(b.process(f).unwrap() as u8);
    }
    assert_eq!(&dec[..n], &per_frame[..]);
    assert!(per_frame.contains(&1) && per_frame.contains(&0));
    a.reset();
    let mut again = vec![0u8; n];
    a.process_buffer(&x[..n * 1440], &mut again).unwrap();
    assert_eq!(&again[..], &per_frame[..]);
}

#[test]
fn rates_agree_on_band_limited_signals() {
    // The same speech at every rate, in noise of the same in-band level, gives nearly the
    // same decisions (the noise itself is a different realisation at each rate).
    let (x16, _) = synth(16000, 9.0, Some(10.0), 21);
    let mut v = Vad::new(16000, 10, 1).unwrap();
    let d16 = decisions_10ms(&mut v, &x16);
    for r in [32000u32, 48000] {
        let (x, _) = synth(r, 9.0, Some(10.0), 21);
        let mut v = Vad::new(r, 10, 1).unwrap();
        let d = decisions_10ms(&mut v, &x);
        let agree = d.iter().zip(&d16).filter(|(a, b)| a == b).count() as f64 / d.len() as f64;
        assert!(agree >= 0.95, "rate {r}: agreement with 16 kHz {agree:.3}");
    }
}

#[test]
fn non_finite_samples_do_not_poison_the_state() {
    let (mut x, _) = synth(16000, 4.0, Some(10.0), 8);
    let (clean, _) = synth(16000, 4.0, Some(10.0), 8);
    x[1000] = f32::NAN;
    x[5000] = f32::INFINITY;
    let mut a = Vad::new(16000, 10, 1).unwrap();
    let mut b = Vad::new(16000, 10, 1).unwrap();
    let da = decisions_10ms(&mut a, &x);
    let db = decisions_10ms(&mut b, &clean);
    let agree = da.iter().zip(&db).filter(|(p, q)| p == q).count();
    assert!(agree as f64 >= 0.98 * da.len() as f64);
    let (s, t) = a.last_statistic();
    assert!(s.is_finite() && t.is_finite());
}

#[test]
fn kernel_variants_agree_bit_for_bit() {
    let isa = Isa::detect();
    for &r in &SAMPLE_RATES {
        let (x, _) = synth(r, 5.0, Some(5.0), 13);
        let mut a = Vad::with_isa(r, 10, 1, Isa::Portable).unwrap();
        let mut b = Vad::with_isa(r, 10, 1, isa).unwrap();
        assert_eq!(a.isa(), Isa::Portable);
        for (i, f) in x.chunks_exact(a.frame_samples()).enumerate() {
            assert_eq!(
                a.process(f).unwrap(),
                b.process(f).unwrap(),
                "rate {r} frame {i}"
            );
            let (sa, ta) = a.last_statistic();
            let (sb, tb) = b.last_statistic();
            assert_eq!(
                (sa.to_bits(), ta.to_bits()),
                (sb.to_bits(), tb.to_bits()),
                "frame {i}"
            );
        }
    }
}
