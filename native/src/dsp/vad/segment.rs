//! Speech segmentation: per-frame decisions in, speech start/end events out.
//!
//! Rules (times in integer milliseconds, frame `i` covering `[i F, (i + 1) F)`):
//! - a candidate segment opens at the first speech frame after silence;
//! - it becomes a segment (a `Start` event) once the span from its first to its last
//!   speech frame reaches `min_speech_ms`; shorter gaps than `min_silence_ms` inside the
//!   span do not break it;
//! - a segment ends (an `End` event) once silence has lasted `min_silence_ms`; a candidate
//!   that meets such a silence before reaching `min_speech_ms` is dropped;
//! - `pad_ms` widens each segment: its start moves back by `pad_ms` (not before 0 nor
//!   before the previous segment's end), its end moves forward by `min(pad_ms,
//!   min_silence_ms)`, so an end is never later than the event reporting it;
//! - at the end of input an open segment closes at `min(last speech + pad_ms, end of
//!   input)`.

use crate::error::{Error, Result};

/// Segmenter settings; all durations in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmenterConfig {
    /// Duration of one decision frame (1..=1000 ms).
    pub frame_ms: u32,
    /// Shortest speech span reported as a segment.
    pub min_speech_ms: u32,
    /// Silence that ends a segment.
    pub min_silence_ms: u32,
    /// Padding added before and after each segment.
    pub pad_ms: u32,
}

impl Default for SegmenterConfig {
    fn default() -> Self {
        SegmenterConfig {
            frame_ms: 10,
            min_speech_ms: 250,
            min_silence_ms: 100,
            pad_ms: 30,
        }
    }
}

/// A speech boundary, in milliseconds from the start of the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentEvent {
    /// Speech starts at this time.
    Start(u64),
    /// Speech ends at this time.
    End(u64),
}

/// Streaming segmenter state.
#[derive(Clone, Debug)]
pub struct Segmenter {
    cfg: SegmenterConfig,
    frames: u64,
    candidate: Option<u64>,
    active: bool,
    last_speech_end: u64,
    silence: u64,
    prev_end: u64,
}

impl Segmenter {
    /// A segmenter with the given settings.
    ///
    /// # Errors
    /// `InvalidArgument` when `frame_ms` is 0 or above 1000, or a duration exceeds 10 min.
    pub fn new(cfg: SegmenterConfig) -> Result<Segmenter> {
        if cfg.frame_ms == 0 || cfg.frame_ms > 1000 {
            return Err(Error::invalid(format!(
                "frame duration {} ms is not in 1..=1000",
                cfg.frame_ms
            )));
        }
        for (name, v) in [
            ("minimum speech", cfg.min_speech_ms),
            ("minimum silence", cfg.min_silence_ms),
            ("padding", cfg.pad_ms),
        ] {
            if v > 600_000 {
                return Err(Error::invalid(format!(
                    "{name} duration {v} ms is above 600000 ms"
                )));
            }
        }
        Ok(Segmenter {
            cfg,
            frames: 0,
            candidate: None,
            active: false,
            last_speech_end: 0,
            silence: 0,
            prev_end: 0,
        })
    }

    /// Forget all state (same settings).
    pub fn reset(&mut self) {
        *self = Segmenter {
            cfg: self.cfg,
            frames: 0,
            candidate: None,
            active: false,
            last_speech_end: 0,
            silence: 0,
            prev_end: 0,
        };
    }

    /// Milliseconds consumed so far.
    pub fn time_ms(&self) -> u64 {
        self.frames * self.cfg.frame_ms as u64
    }

    /// Whether a segment is open (a `Start` was emitted without its `End`).
    pub fn in_speech(&self) -> bool {
        self.active
    }

    /// Feed one frame decision; returns the event it triggers, if any.
    pub fn push(&mut self, speech: bool) -> Option<SegmentEvent> {
        let f = self.cfg.frame_ms as u64;
        let t0 = self.frames * f;
        self.frames += 1;
        let t1 = t0 + f;
        if speech {
            self.silence = 0;
            self.last_speech_end = t1;
            if self.active {
                return None;
            }
            let start = *self.candidate.get_or_insert(t0);
            if t1 - start >= self.cfg.min_speech_ms as u64 {
                self.active = true;
                self.candidate = None;
                let padded = start
                    .saturating_sub(self.cfg.pad_ms as u64)
                    .max(self.prev_end);
                return Some(SegmentEvent::Start(padded));
            }
            return None;
        }
        self.silence += f;
        if self.silence >= self.cfg.min_silence_ms as u64 {
            if self.active {
                self.active = false;
                let pad = self.cfg.pad_ms.min(self.cfg.min_silence_ms) as u64;
                let end = self.last_speech_end + pad;
                self.prev_end = end;
                return Some(SegmentEvent::End(end));
            }
            self.candidate = None;
        }
        None
    }

    /// End of input: closes an open segment at `min(last speech + pad, now)`.
    pub fn finish(&mut self) -> Option<SegmentEvent> {
        self.candidate = None;
        if !self.active {
            return None;
        }
        self.active = false;
        let end = (self.last_speech_end + self.cfg.pad_ms as u64).min(self.time_ms());
        self.prev_end = end;
        Some(SegmentEvent::End(end))
    }
}

/// Batch form: segments `[start, end)` of a whole decision sequence (nonzero = speech),
/// in seconds, written as pairs into `out`. Returns the number of segments. `out` is
/// written only when it can hold them all (`2 * segments` values); otherwise the result
/// is `BufferTooSmall` naming the length needed.
pub fn segments(decisions: &[u8], cfg: SegmenterConfig, out: &mut [f64]) -> Result<usize> {
    let count = for_each_segment(decisions, cfg, |_, _| {})?;
    if 2 * count > out.len() {
        return Err(Error::too_small("segment output", 2 * count, out.len()));
    }
    let mut i = 0;
    for_each_segment(decisions, cfg, |start, end| {
        out[2 * i] = start as f64 / 1000.0;
        out[2 * i + 1] = end as f64 / 1000.0;
        i += 1;
    })?;
    Ok(count)
}

/// Run the segmenter over `decisions` and call `f(start_ms, end_ms)` per segment.
fn for_each_segment(
    decisions: &[u8],
    cfg: SegmenterConfig,
    mut f: impl FnMut(u64, u64),
) -> Result<usize> {
    let mut seg = Segmenter::new(cfg)?;
    let mut open = 0u64;
    let mut count = 0usize;
    let mut on_event = |ev: SegmentEvent| match ev {
        SegmentEvent::Start(t) => open = t,
        SegmentEvent::End(t) => {
            f(open, t);
            count += 1;
        }
    };
    for &d in decisions {
        if let Some(ev) = seg.push(d != 0) {
            on_event(ev);
        }
    }
    if let Some(ev) = seg.finish() {
        on_event(ev);
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dec: &str, cfg: SegmenterConfig) -> Vec<(u64, u64)> {
        let d: Vec<u8> = dec.bytes().map(|c| (c == b'1') as u8).collect();
        let mut out = vec![0.0; d.len() + 2];
        let n = segments(&d, cfg, &mut out).unwrap();
        (0..n)
            .map(|i| {
                (
                    (out[2 * i] * 1000.0).round() as u64,
                    (out[2 * i + 1] * 1000.0).round() as u64,
                )
            })
            .collect()
    }

    fn cfg(min_speech: u32, min_silence: u32, pad: u32) -> SegmenterConfig {
        SegmenterConfig {
            frame_ms: 10,
            min_speech_ms: min_speech,
            min_silence_ms: min_silence,
            pad_ms: pad,
        }
    }

    #[test]
    fn short_blips_are_dropped_and_gaps_bridged() {
        // 3 frames of speech (30 ms) < 50 ms: dropped. Then 60 ms speech, 20 ms gap, 30 ms.
        let d = "0111000000111111001110000000";
        assert_eq!(run(d, cfg(50, 30, 0)), vec![(100, 210)]);
        // padding widens, clamped at 0 and at the end of input
        assert_eq!(run("1111100", cfg(0, 10, 30)), vec![(0, 60)]);
        assert_eq!(run("0011111", cfg(0, 10, 30)), vec![(0, 70)]);
    }

    #[test]
    fn padding_never_overlaps() {
        // two segments 40 ms apart with 30 ms padding each: second start clamped.
        let got = run("1111000011110000", cfg(0, 20, 30));
        assert_eq!(got, vec![(0, 60), (60, 140)]);
    }

    /// Oracle: an obviously-right offline definition on a frame grid.
    fn oracle(d: &[u8], c: SegmenterConfig) -> Vec<(u64, u64)> {
        let f = c.frame_ms as u64;
        // runs of speech, merged across gaps shorter than min_silence
        let mut spans: Vec<(u64, u64)> = Vec::new();
        let mut i = 0;
        while i < d.len() {
            if d[i] == 0 {
                i += 1;
                continue;
            }
            let s = i;
            while i < d.len() && d[i] != 0 {
                i += 1;
            }
            let (a, b) = (s as u64 * f, i as u64 * f);
            if let Some(last) = spans.last_mut() {
                if a - last.1 < c.min_silence_ms as u64 {
                    last.1 = b;
                    continue;
                }
            }
            spans.push((a, b));
        }
        let total = d.len() as u64 * f;
        let mut out: Vec<(u64, u64)> = Vec::new();
        for (a, b) in spans {
            if b - a < c.min_speech_ms as u64 {
                continue;
            }
            let prev = out.last().map_or(0, |p| p.1);
            let pad = c.pad_ms as u64;
            let end = if total - b < c.min_silence_ms as u64 {
                (b + pad).min(total) // still open at the end of input
            } else {
                b + pad.min(c.min_silence_ms as u64)
            };
            out.push((a.saturating_sub(pad).max(prev), end));
        }
        out
    }

    #[test]
    fn batch_matches_offline_oracle_on_random_decisions() {
        let mut s = 12345u64;
        for trial in 0..400 {
            let n = 1 + (trial * 7) % 300;
            let p = [0.2, 0.5, 0.8, 0.95][trial % 4];
            let d: Vec<u8> = (0..n)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (((s >> 11) as f64 / (1u64 << 53) as f64) < p) as u8
                })
                .collect();
            let c = cfg(
                [0, 30, 250][trial % 3],
                [10, 100, 40][(trial / 3) % 3],
                [0, 30, 20][(trial / 9) % 3],
            );
            let mut out = vec![0.0; n + 2];
            let k = segments(&d, c, &mut out).unwrap();
            let got: Vec<(u64, u64)> = (0..k)
                .map(|i| {
                    (
                        (out[2 * i] * 1000.0).round() as u64,
                        (out[2 * i + 1] * 1000.0).round() as u64,
                    )
                })
                .collect();
            let want = oracle(&d, c);
            assert_eq!(got, want, "trial {trial} cfg {c:?} decisions {d:?}");
        }
    }

    #[test]
    fn too_small_output_is_an_error() {
        let d = [1u8, 1, 0, 0, 1, 1, 0, 0];
        let mut out = [0.0; 2];
        let e = segments(&d, cfg(0, 20, 0), &mut out).unwrap_err();
        assert_eq!(e.status, crate::error::Status::BufferTooSmall);
        assert!(Segmenter::new(cfg(0, 0, 0)).is_ok());
        assert!(Segmenter::new(SegmenterConfig {
            frame_ms: 0,
            ..cfg(0, 0, 0)
        })
        .is_err());
    }
}
