//! Voice activity detection: a classical, noise-adaptive detector.
//!
//! Frames of 10, 20 or 30 ms at 8, 16, 32 or 48 kHz; aggressiveness modes 0 (reports the
//! most speech) to 3 (the least). Internally every 10 ms sub-frame is brought to 16 kHz
//! (a 33-tap low-pass for 48 kHz, a half-band for 32 kHz), split by a half-band filter
//! into an 8 kHz low band and the 4-8 kHz high band, and turned into 16 mel-spaced band
//! energies (100 Hz - 3.9 kHz, Hann window, 128-point FFT) plus the high-band energy
//! (`frontend.rs`). A per-band noise tracker (minimum statistics as a floor, recursive
//! averaging over non-speech) feeds a likelihood-ratio test whose threshold follows the
//! spread of the statistic in noise, then an SNR-dependent hangover (`detector.rs`).
//! A 20 or 30 ms frame's decision is the decision of its last 10 ms sub-frame.
//!
//! Arithmetic runs in a fixed order with no library transcendental functions (`f32` in the
//! front end, `f64` in the detector), so the TypeScript fallback (`src/dsp/_vad_ts.ts`)
//! reproduces every statistic and decision bit for bit. On x86-64 with AVX2 the same code
//! runs 8 lanes wide (`avx2.rs`, chosen at construction by [`Isa::detect`]), with identical
//! results. Processing allocates nothing; the state is about 8 KiB.

#[cfg(target_arch = "x86_64")]
mod avx2;
mod detector;
mod frontend;
mod math;
pub mod segment;
mod tables;

use crate::error::{Error, Result};
use detector::{Detector, MODES};
use frontend::{FftKernel, FrontEnd, InputRate, PortableFft, MAX_BANDS};

pub use segment::{segments, SegmentEvent, Segmenter, SegmenterConfig};

/// Supported input sample rates (Hz).
pub const SAMPLE_RATES: [u32; 4] = [8000, 16000, 32000, 48000];
/// Supported frame durations (ms).
pub const FRAME_MS: [u32; 3] = [10, 20, 30];

/// Instruction-set variant of the kernel, chosen once per detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// Portable code (whatever the compile target allows, SSE2 on x86-64).
    Portable,
    /// The same code compiled for AVX2 (x86-64 only, checked at run time).
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Isa {
    /// The best variant this CPU supports: AVX2 when detected, else portable.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Isa::Avx2;
        }
        Isa::Portable
    }

    /// A short name (`"avx2"`, `"portable"`).
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => "avx2",
        }
    }
}

/// A voice activity detector for one mono stream.
#[derive(Clone)]
pub struct Vad {
    isa: Isa,
    rate: InputRate,
    sample_rate: u32,
    frame_ms: u32,
    mode: u32,
    front: FrontEnd,
    det: Detector,
    energies: [f64; MAX_BANDS],
}

impl Vad {
    /// A detector for `sample_rate` Hz, `frame_ms` ms frames and aggressiveness `mode`.
    ///
    /// # Errors
    /// `InvalidArgument` naming the bad value and the allowed ones.
    pub fn new(sample_rate: u32, frame_ms: u32, mode: u32) -> Result<Vad> {
        let rate = InputRate::from_hz(sample_rate).ok_or_else(|| {
            Error::invalid(format!(
                "sample rate {sample_rate} Hz is not supported: expected 8000, 16000, 32000 or 48000"
            ))
        })?;
        if !FRAME_MS.contains(&frame_ms) {
            return Err(Error::invalid(format!(
                "frame duration {frame_ms} ms is not supported: expected 10, 20 or 30"
            )));
        }
        let params = *MODES.get(mode as usize).ok_or_else(|| {
            Error::invalid(format!(
                "mode {mode} is not supported: expected 0, 1, 2 or 3"
            ))
        })?;
        let front = FrontEnd::new(rate);
        let det = Detector::new(params, front.bands());
        Ok(Vad {
            isa: Isa::detect(),
            rate,
            sample_rate,
            frame_ms,
            mode,
            front,
            det,
            energies: [0.0; MAX_BANDS],
        })
    }

    /// Like [`Vad::new`] but with a given kernel variant, which must be [`Isa::Portable`]
    /// or the one [`Isa::detect`] returns (tests compare the variants).
    ///
    /// # Errors
    /// As [`Vad::new`]; `Unsupported` when `isa` is not available on this CPU.
    pub fn with_isa(sample_rate: u32, frame_ms: u32, mode: u32, isa: Isa) -> Result<Vad> {
        if isa != Isa::Portable && isa != Isa::detect() {
            return Err(Error::unsupported(format!(
                "kernel variant {} is not available on this CPU",
                isa.name()
            )));
        }
        let mut v = Vad::new(sample_rate, frame_ms, mode)?;
        v.isa = isa;
        Ok(v)
    }

    /// The kernel variant in use.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Input sample rate (Hz).
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Frame duration (ms).
    pub fn frame_ms(&self) -> u32 {
        self.frame_ms
    }

    /// Aggressiveness mode (0..=3).
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// Samples per frame (`sample_rate * frame_ms / 1000`).
    pub fn frame_samples(&self) -> usize {
        self.rate.hop() * (self.frame_ms / 10) as usize
    }

    /// Forget everything heard so far (noise estimates, hangover, filter memory).
    pub fn reset(&mut self) {
        self.front.reset();
        self.det.reset();
    }

    /// The statistic and threshold of the last 10 ms sub-frame (diagnostics).
    pub fn last_statistic(&self) -> (f64, f64) {
        self.det.last()
    }

    #[inline(always)]
    fn sub_frame_inline<K: FftKernel>(&mut self, x: &[f32]) -> bool {
        if self.front.sub_frame::<K>(x, &mut self.energies) {
            self.det.decide(&self.energies)
        } else {
            false
        }
    }

    fn sub_frame(&mut self, x: &[f32]) -> bool {
        match self.isa {
            Isa::Portable => self.sub_frame_inline::<PortableFft>(x),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Isa::Avx2` is only ever set after `is_x86_feature_detected!("avx2")`
            // returned true (`Isa::detect`, `Vad::with_isa`).
            Isa::Avx2 => unsafe { self.sub_frame_avx2(x) },
        }
    }

    /// Decide one frame of exactly [`Vad::frame_samples`] samples: true for speech.
    ///
    /// # Errors
    /// `InvalidArgument` when the frame has the wrong length.
    pub fn process(&mut self, frame: &[f32]) -> Result<bool> {
        let n = self.frame_samples();
        if frame.len() != n {
            return Err(Error::invalid(format!(
                "frame holds {} samples, expected {n} ({} ms at {} Hz)",
                frame.len(),
                self.frame_ms,
                self.sample_rate
            )));
        }
        let hop = self.rate.hop();
        let mut speech = false;
        for sub in frame.chunks_exact(hop) {
            speech = self.sub_frame(sub);
        }
        Ok(speech)
    }

    /// Decide every whole frame in `samples`, writing 1 (speech) or 0 per frame into
    /// `decisions`. Returns the number of frames decided, `samples.len() / frame_samples`;
    /// trailing samples that do not fill a frame are ignored.
    ///
    /// # Errors
    /// `BufferTooSmall` when `decisions` has fewer elements than frames.
    pub fn process_buffer(&mut self, samples: &[f32], decisions: &mut [u8]) -> Result<usize> {
        let n = self.frame_samples();
        let frames = samples.len() / n;
        if decisions.len() < frames {
            return Err(Error::too_small("decision buffer", frames, decisions.len()));
        }
        for (frame, d) in samples.chunks_exact(n).zip(decisions.iter_mut()) {
            *d = self.process(frame)? as u8;
        }
        Ok(frames)
    }
}

#[cfg(test)]
mod tests;
