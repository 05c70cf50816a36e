//! Whisper-compatible log-mel spectrogram (openai-whisper `log_mel_spectrogram`):
//!
//! 1. periodic Hann window of 400 samples, hop 160;
//! 2. reflect padding of 200 samples on each side (centered STFT, edge not repeated);
//! 3. `|rfft_400(frame * window)|^2` for the 201 bins; the last STFT frame is dropped, so
//!    `n_frames = len / 160`;
//! 4. Slaney mel filterbank (80 or 128 filters, librosa defaults), applied sparsely: each
//!    filter covers only the few bins of its triangle;
//! 5. `log10(max(mel, 1e-10))`, then `max(v, global_max - 8)`, then `(v + 4) / 4`.
//!
//! The batch form writes straight into the caller's buffer in either layout
//! ([`Layout::MelMajor`] `[n_mels][n_frames]` or [`Layout::FrameMajor`]
//! `[n_frames][n_mels]`): frames are written where they belong, and the global clamp is
//! applied in place by one pass that does not depend on the layout. [`LogMelStream`]
//! computes frames as audio arrives and applies the clamp when the window is finished,
//! giving exactly the batch result for the same audio.

#[cfg(target_arch = "x86_64")]
mod avx2;

use super::fft::{self, Isa, RealFft};
use crate::error::{Error, Result};
use std::sync::OnceLock;

/// Sample rate the recipe assumes (Hz).
pub const SAMPLE_RATE: usize = 16_000;
/// FFT (and window) length.
pub const N_FFT: usize = 400;
/// Hop between frames.
pub const HOP: usize = 160;
/// Reflect padding on each side.
pub const PAD: usize = N_FFT / 2;
/// STFT bins kept (`N_FFT / 2 + 1`).
pub const N_BINS: usize = N_FFT / 2 + 1;
/// Shortest input: reflect padding needs more than `PAD` samples.
pub const MIN_SAMPLES: usize = PAD + 1;

/// Output layout of a log-mel spectrogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[n_mels][n_frames]` row-major (what Whisper's Python code uses).
    MelMajor = 0,
    /// `[n_frames][n_mels]` row-major (what NPU encoders usually want).
    FrameMajor = 1,
}

impl Layout {
    /// Decode the C ABI value (0 = mel-major, 1 = frame-major).
    pub fn from_code(code: u32) -> Result<Layout> {
        match code {
            0 => Ok(Layout::MelMajor),
            1 => Ok(Layout::FrameMajor),
            _ => Err(Error::invalid(format!(
                "layout {code} is not 0 (mel-major) or 1 (frame-major)"
            ))),
        }
    }
}

/// Frames produced for `n_samples` samples (`n_samples / 160`).
pub fn n_frames(n_samples: usize) -> usize {
    n_samples / HOP
}

fn check_mels(n_mels: usize) -> Result<()> {
    if n_mels != 80 && n_mels != 128 {
        return Err(Error::invalid(format!(
            "n_mels {n_mels} is not supported (80 or 128)"
        )));
    }
    Ok(())
}

fn check_len(n: usize) -> Result<()> {
    if n < MIN_SAMPLES {
        return Err(Error::invalid(format!(
            "input has {n} samples; reflect padding needs at least {MIN_SAMPLES}"
        )));
    }
    Ok(())
}

// ---- filterbank ------------------------------------------------------------------------

/// Filters handled together by [`Filterbank::apply`].
const GROUP: usize = 8;

/// A Slaney mel filterbank for 16 kHz, `n_fft` 400: the dense `[n_mels][201]` matrix and a
/// sparse form for applying it.
///
/// Sparse form: the filters in groups of [`GROUP`] consecutive ones. A group's triangles
/// cover a short run of bins `k0..k0+span`; for each of those bins the group stores its
/// column `W[m0..m0+8][k]`, so `mel[m0..m0+8] += P[k] * column` is one 8-wide
/// multiply-add per bin, with no horizontal sums. That is about 250 vector operations per
/// frame for 80 mels instead of 80 x 201 dense products.
pub struct Filterbank {
    n_mels: usize,
    dense: Vec<f32>,
    /// `(first bin, bin count, offset into cols)` per group.
    groups: Vec<(usize, usize, usize)>,
    /// Group columns, `GROUP` weights per bin.
    cols: Vec<f32>,
}

impl Filterbank {
    /// Number of filters.
    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// The dense matrix, `[n_mels][201]` row-major.
    pub fn dense(&self) -> &[f32] {
        &self.dense
    }

    /// Weights stored by the sparse form (bins visited per frame times [`GROUP`]).
    pub fn stored_weights(&self) -> usize {
        self.cols.len()
    }

    /// `out[m] = sum_k W[m][k] * power[k]`, visiting only the bins under each group's
    /// triangles. Four accumulators (bins `k0 + 4i + u`) keep the adds independent.
    #[inline(always)]
    fn apply(&self, power: &[f32], out: &mut [f32]) {
        #[inline(always)]
        fn axpy(acc: &mut [f32; GROUP], p: f32, w: &[f32]) {
            let w: &[f32; GROUP] = w[..GROUP].try_into().expect("group column");
            for l in 0..GROUP {
                acc[l] += p * w[l];
            }
        }
        for (o, &(k0, span, off)) in out.chunks_exact_mut(GROUP).zip(&self.groups) {
            let p = &power[k0..k0 + span];
            let c = &self.cols[off..off + span * GROUP];
            let (mut a0, mut a1, mut a2, mut a3) =
                ([0f32; GROUP], [0f32; GROUP], [0f32; GROUP], [0f32; GROUP]);
            let mut i = 0;
            while i + 4 <= span {
                axpy(&mut a0, p[i], &c[GROUP * i..]);
                axpy(&mut a1, p[i + 1], &c[GROUP * (i + 1)..]);
                axpy(&mut a2, p[i + 2], &c[GROUP * (i + 2)..]);
                axpy(&mut a3, p[i + 3], &c[GROUP * (i + 3)..]);
                i += 4;
            }
            while i < span {
                axpy(&mut a0, p[i], &c[GROUP * i..]);
                i += 1;
            }
            for (l, v) in o.iter_mut().enumerate() {
                *v = (a0[l] + a1[l]) + (a2[l] + a3[l]);
            }
        }
    }
}

/// Slaney mel scale (librosa `hz_to_mel`, `htk=False`).
fn hz_to_mel(f: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if f >= min_log_hz {
        min_log_mel + (f / min_log_hz).ln() / logstep
    } else {
        f / f_sp
    }
}

/// Inverse of [`hz_to_mel`] (librosa `mel_to_hz`).
fn mel_to_hz(m: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if m >= min_log_mel {
        min_log_hz * (logstep * (m - min_log_mel)).exp()
    } else {
        f_sp * m
    }
}

/// Compute the filterbank the way `librosa.filters.mel(sr=16000, n_fft=400, n_mels)` does:
/// band edges from a linspace in mel, triangles in f64 cast to f32, then the Slaney area
/// normalisation multiplied in f64 and cast to f32.
fn compute_filterbank(n_mels: usize) -> Filterbank {
    let sr = SAMPLE_RATE as f64;
    // np.fft.rfftfreq(400, d=1/sr): k * (1 / (n * d))
    let val = 1.0 / (N_FFT as f64 * (1.0 / sr));
    let freqs: Vec<f64> = (0..N_BINS).map(|k| k as f64 * val).collect();
    // np.linspace(mel(0), mel(sr/2), n_mels + 2), last point exactly the stop value
    let (start, stop) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let num = n_mels + 2;
    let step = (stop - start) / (num - 1) as f64;
    let edges: Vec<f64> = (0..num)
        .map(|i| {
            if i == num - 1 {
                mel_to_hz(stop)
            } else {
                mel_to_hz(i as f64 * step + start)
            }
        })
        .collect();
    let mut dense = vec![0f32; n_mels * N_BINS];
    for m in 0..n_mels {
        let fdiff_lo = edges[m + 1] - edges[m];
        let fdiff_hi = edges[m + 2] - edges[m + 1];
        let enorm = 2.0 / (edges[m + 2] - edges[m]);
        let row = &mut dense[m * N_BINS..(m + 1) * N_BINS];
        for (k, w) in row.iter_mut().enumerate() {
            let lower = -(edges[m] - freqs[k]) / fdiff_lo;
            let upper = (edges[m + 2] - freqs[k]) / fdiff_hi;
            let tri = 0f64.max(lower.min(upper)) as f32;
            *w = (tri as f64 * enorm) as f32;
        }
    }
    assert!(
        n_mels.is_multiple_of(GROUP),
        "n_mels must be a multiple of {GROUP}"
    );
    let mut groups = Vec::with_capacity(n_mels / GROUP);
    let mut cols = Vec::new();
    for m0 in (0..n_mels).step_by(GROUP) {
        let rows = &dense[m0 * N_BINS..(m0 + GROUP) * N_BINS];
        let nonzero = |k: usize| rows.chunks_exact(N_BINS).any(|r| r[k] != 0.0);
        let k0 = (0..N_BINS).find(|&k| nonzero(k)).unwrap_or(0);
        let k1 = (0..N_BINS)
            .rev()
            .find(|&k| nonzero(k))
            .map_or(k0, |k| k + 1);
        groups.push((k0, k1 - k0, cols.len()));
        for k in k0..k1 {
            cols.extend(rows.chunks_exact(N_BINS).map(|r| r[k]));
        }
    }
    Filterbank {
        n_mels,
        dense,
        groups,
        cols,
    }
}

/// The shared filterbank for 80 or 128 mels.
pub fn filterbank(n_mels: usize) -> Result<&'static Filterbank> {
    check_mels(n_mels)?;
    static FB80: OnceLock<Filterbank> = OnceLock::new();
    static FB128: OnceLock<Filterbank> = OnceLock::new();
    let cell = if n_mels == 80 { &FB80 } else { &FB128 };
    Ok(cell.get_or_init(|| compute_filterbank(n_mels)))
}

/// Periodic Hann window of 400 samples (`torch.hann_window(400)`), computed in f64.
fn window() -> &'static [f32] {
    static W: OnceLock<Vec<f32>> = OnceLock::new();
    W.get_or_init(|| {
        (0..N_FFT)
            .map(|k| {
                (0.5 - 0.5 * (2.0 * std::f64::consts::PI * k as f64 / N_FFT as f64).cos()) as f32
            })
            .collect()
    })
}

// ---- per-frame kernel ---------------------------------------------------------------------

/// `log10(x)` for normal positive `x` (the kernel passes `x >= 1e-10`), within about one
/// f32 ulp and branch free, so the per-frame loop vectorizes.
///
/// `x = 2^e * m` with `m` in `[sqrt(1/2), sqrt(2))`; `ln m = 2*atanh(s)`, `s = (m-1)/(m+1)`,
/// `|s| < 0.172`, whose odd series to `s^9` leaves < 1e-9. `e * log10(2)` is split so that
/// `e * LOG10_2_HI` is exact (`|e| < 2^8`, 12-bit constant) and the result is rounded
/// once: `log10(1e-10)` is exactly -10, as in the f64 reference.
#[inline(always)]
fn log10_pos(x: f32) -> f32 {
    const SQRT_HALF_BITS: i32 = 0x3F35_04F3;
    const LOG10_2_HI: f32 = 1233.0 / 4096.0;
    const LOG10_2_LO: f32 = 4.605_039e-6; // log10(2) - LOG10_2_HI
    let bits = x.to_bits() as i32;
    let adj = bits - SQRT_HALF_BITS;
    let e = (adj >> 23) as f32;
    let m = f32::from_bits(((adj & 0x007F_FFFF) + SQRT_HALF_BITS) as u32);
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let poly = 1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0))));
    let log10_m = (2.0 * std::f32::consts::LOG10_E) * s * poly;
    e * LOG10_2_HI + (e * LOG10_2_LO + log10_m)
}

/// Computes one frame's log10 mel values. Owns all scratch; allocation-free per frame.
pub(crate) struct FrameKernel {
    fft: RealFft,
    isa: Isa,
    fb: &'static Filterbank,
    win: &'static [f32],
    frame: Vec<f32>,
    spec: Vec<f32>,
    power: Vec<f32>,
}

impl FrameKernel {
    fn new(n_mels: usize) -> Result<FrameKernel> {
        let plan = mel_plan()?;
        Ok(FrameKernel {
            isa: plan.isa(),
            fft: RealFft::with_plan(plan),
            fb: filterbank(n_mels)?,
            win: window(),
            frame: vec![0.0; N_FFT],
            spec: vec![0.0; 2 * N_BINS],
            power: vec![0.0; N_BINS],
        })
    }

    /// Log10 mel values of frame `t` of `x` (reflect-padded virtually) into `out`;
    /// returns their maximum.
    fn frame(&mut self, x: &[f32], t: usize, out: &mut [f32]) -> f32 {
        match self.isa {
            Isa::Scalar => {
                self.load(x, t);
                self.compute(out)
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2(tok) => avx2::frame(tok, self, x, t, out),
        }
    }

    /// Like [`FrameKernel::frame`] for 400 samples already padded.
    fn frame_padded(&mut self, xpad: &[f32], out: &mut [f32]) -> f32 {
        match self.isa {
            Isa::Scalar => {
                self.load_padded(xpad);
                self.compute(out)
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2(tok) => avx2::frame_padded(tok, self, xpad, out),
        }
    }

    /// Window frame `t` of `x` into `self.frame`.
    #[inline(always)]
    fn load(&mut self, x: &[f32], t: usize) {
        let len = x.len();
        let start = t * HOP; // padded coordinates; x index = padded - PAD
        if start >= PAD && start + N_FFT - PAD <= len {
            let src = &x[start - PAD..start - PAD + N_FFT];
            for ((f, &s), &w) in self.frame.iter_mut().zip(src).zip(self.win) {
                *f = s * w;
            }
        } else {
            for (j, (f, &w)) in self.frame.iter_mut().zip(self.win).enumerate() {
                let i = (start + j) as isize - PAD as isize;
                let idx = if i < 0 {
                    (-i) as usize
                } else if i as usize >= len {
                    2 * (len - 1) - i as usize
                } else {
                    i as usize
                };
                *f = x[idx] * w;
            }
        }
    }

    /// Window 400 already padded samples into `self.frame`.
    #[inline(always)]
    fn load_padded(&mut self, xpad: &[f32]) {
        for ((f, &s), &w) in self.frame.iter_mut().zip(&xpad[..N_FFT]).zip(self.win) {
            *f = s * w;
        }
    }

    /// FFT, power, mel, log10 of the loaded frame into `out` (n_mels). Returns its max.
    #[inline(always)]
    fn compute(&mut self, out: &mut [f32]) -> f32 {
        self.fft.forward_unchecked(&self.frame, &mut self.spec);
        for (p, c) in self.power.iter_mut().zip(self.spec.chunks_exact(2)) {
            *p = c[0] * c[0] + c[1] * c[1];
        }
        self.fb.apply(&self.power, out);
        let mut lanes = [f32::NEG_INFINITY; GROUP];
        for chunk in out.chunks_exact_mut(GROUP) {
            for (v, l) in chunk.iter_mut().zip(lanes.iter_mut()) {
                *v = log10_pos(v.max(1e-10));
                *l = l.max(*v);
            }
        }
        lanes.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b))
    }
}

/// The n=400 plan, kept alive for the process so mel calls never re-plan.
fn mel_plan() -> Result<std::sync::Arc<fft::RealFftPlan>> {
    static PLAN: OnceLock<std::sync::Arc<fft::RealFftPlan>> = OnceLock::new();
    if let Some(p) = PLAN.get() {
        return Ok(p.clone());
    }
    let p = fft::plan(N_FFT)?;
    Ok(PLAN.get_or_init(|| p).clone())
}

/// Apply the global clamp and scaling in place: `(max(v, max - 8) + 4) / 4`.
fn finalize(out: &mut [f32], max: f32) {
    let floor = max - 8.0;
    for v in out.iter_mut() {
        *v = (v.max(floor) + 4.0) * 0.25;
    }
}

// ---- batch -----------------------------------------------------------------------------------

/// Where one worker writes frames `t0..t1`.
enum Sink<'a> {
    /// The rows of frames `t0..t1`, contiguous.
    FrameMajor(&'a mut [f32]),
    /// For each mel, its row's columns `t0..t1`.
    MelMajor(Vec<&'a mut [f32]>),
}

fn run_frames(x: &[f32], n_mels: usize, t0: usize, t1: usize, sink: Sink<'_>) -> Result<f32> {
    let mut k = FrameKernel::new(n_mels)?;
    let mut mx = f32::NEG_INFINITY;
    match sink {
        Sink::FrameMajor(out) => {
            for (t, row) in (t0..t1).zip(out.chunks_exact_mut(n_mels)) {
                mx = mx.max(k.frame(x, t, row));
            }
        }
        Sink::MelMajor(mut rows) => {
            // Blocks of 16 frames: each row then gets 16 consecutive values (one cache
            // line) per block instead of one value per frame in 80 different pages.
            const BLOCK: usize = 16;
            let mut buf = vec![0.0; BLOCK * n_mels];
            let mut t = t0;
            while t < t1 {
                let b = BLOCK.min(t1 - t);
                for (j, frame) in buf.chunks_exact_mut(n_mels).take(b).enumerate() {
                    mx = mx.max(k.frame(x, t + j, frame));
                }
                for (m, row) in rows.iter_mut().enumerate() {
                    for (j, o) in row[t - t0..t - t0 + b].iter_mut().enumerate() {
                        *o = buf[j * n_mels + m];
                    }
                }
                t += b;
            }
        }
    }
    Ok(mx)
}

/// Batch log-mel of `x` into `out` (at least `n_mels * n_frames(x.len())` floats; only
/// that prefix is written). `threads > 1` splits the frames between scoped threads; the
/// result is bit-identical to the single-threaded one.
pub fn log_mel(
    x: &[f32],
    n_mels: usize,
    layout: Layout,
    threads: usize,
    out: &mut [f32],
) -> Result<()> {
    check_mels(n_mels)?;
    check_len(x.len())?;
    let nf = n_frames(x.len());
    let need = n_mels * nf;
    if out.len() < need {
        return Err(Error::too_small("log-mel output", need, out.len()));
    }
    let out = &mut out[..need];
    // At least 64 frames per thread; more threads than that only add overhead.
    let threads = threads.clamp(1, 64).min(nf.div_ceil(64)).max(1);
    let bounds: Vec<usize> = (0..=threads).map(|i| i * nf / threads).collect();
    let mut sinks: Vec<Sink<'_>> = match layout {
        Layout::FrameMajor => {
            let mut v = Vec::with_capacity(threads);
            let mut rest = &mut out[..];
            for w in bounds.windows(2) {
                let (a, b) = rest.split_at_mut((w[1] - w[0]) * n_mels);
                v.push(Sink::FrameMajor(a));
                rest = b;
            }
            v
        }
        Layout::MelMajor => {
            let mut per: Vec<Vec<&mut [f32]>> =
                (0..threads).map(|_| Vec::with_capacity(n_mels)).collect();
            for row in out.chunks_exact_mut(nf) {
                let mut rest = row;
                for (i, w) in bounds.windows(2).enumerate() {
                    let (a, b) = rest.split_at_mut(w[1] - w[0]);
                    per[i].push(a);
                    rest = b;
                }
            }
            per.into_iter().map(Sink::MelMajor).collect()
        }
    };
    let max = if threads == 1 {
        let sink = sinks.pop().expect("one sink");
        run_frames(x, n_mels, 0, nf, sink)?
    } else {
        let results: Vec<Result<f32>> = std::thread::scope(|s| {
            let handles: Vec<_> = sinks
                .into_iter()
                .enumerate()
                .map(|(i, sink)| {
                    let (t0, t1) = (bounds[i], bounds[i + 1]);
                    s.spawn(move || run_frames(x, n_mels, t0, t1, sink))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::invalid("a log-mel worker thread panicked")))
                })
                .collect()
        });
        let mut mx = f32::NEG_INFINITY;
        for r in results {
            mx = mx.max(r?);
        }
        mx
    };
    finalize(out, max);
    Ok(())
}

// ---- streaming ------------------------------------------------------------------------------

/// Streaming log-mel: push audio as it arrives; frames are computed as soon as their
/// samples are in (reflect padding at the start needs the first 201 samples); `finish`
/// pads the end, computes the last frames, applies the global clamp over the whole window
/// and writes the result, equal to [`log_mel`] on the concatenated audio. The stream is
/// then empty and ready for the next window.
pub struct LogMelStream {
    n_mels: usize,
    layout: Layout,
    kernel: FrameKernel,
    /// Before the start padding: raw samples. After: the padded signal from `base` on.
    pad: Vec<f32>,
    base: usize,
    total: usize,
    started: bool,
    next: usize,
    /// log10 mel values of frames `0..next`, frame-major.
    mels: Vec<f32>,
    max: f32,
}

impl LogMelStream {
    /// A stream for `n_mels` (80 or 128) writing `layout`, with room for `capacity_frames`
    /// frames before it has to grow (3000 = one 30 s Whisper window).
    pub fn new(n_mels: usize, layout: Layout, capacity_frames: usize) -> Result<LogMelStream> {
        check_mels(n_mels)?;
        let capacity_frames = capacity_frames.min(1 << 18);
        Ok(LogMelStream {
            n_mels,
            layout,
            kernel: FrameKernel::new(n_mels)?,
            pad: Vec::with_capacity(4 * N_FFT),
            base: 0,
            total: 0,
            started: false,
            next: 0,
            mels: Vec::with_capacity(capacity_frames * n_mels),
            max: f32::NEG_INFINITY,
        })
    }

    /// Number of filters.
    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// Output layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Samples pushed since the last finish/reset.
    pub fn samples(&self) -> usize {
        self.total
    }

    /// Frames computed so far (final frames need `finish`).
    pub fn frames_ready(&self) -> usize {
        self.next
    }

    /// Floats `finish` will write: `n_mels * samples() / 160`.
    pub fn output_len(&self) -> usize {
        self.n_mels * n_frames(self.total)
    }

    /// Append audio; returns the frames computed so far.
    pub fn push(&mut self, x: &[f32]) -> usize {
        self.total += x.len();
        self.pad.extend_from_slice(x);
        if !self.started {
            if self.pad.len() < MIN_SAMPLES {
                return 0;
            }
            // Prepend x[200], x[199], ..., x[1].
            for i in 0..PAD {
                let v = self.pad[PAD - i];
                self.pad.push(v);
            }
            self.pad.rotate_right(PAD);
            self.started = true;
            self.base = 0;
        }
        self.run_available();
        self.next
    }

    fn run_available(&mut self) {
        while HOP * self.next + N_FFT <= self.base + self.pad.len() {
            let off = HOP * self.next - self.base;
            let at = self.mels.len();
            self.mels.resize(at + self.n_mels, 0.0);
            let mx = self
                .kernel
                .frame_padded(&self.pad[off..off + N_FFT], &mut self.mels[at..]);
            self.max = self.max.max(mx);
            self.next += 1;
        }
        let drop = HOP * self.next - self.base;
        if drop > 0 {
            self.pad.drain(..drop);
            self.base += drop;
        }
    }

    /// Finish the window: write `n_mels * samples() / 160` floats into `out` in the
    /// stream's layout and reset. Returns the frame count.
    pub fn finish(&mut self, out: &mut [f32]) -> Result<usize> {
        check_len(self.total)?;
        let nf = n_frames(self.total);
        let need = self.n_mels * nf;
        if out.len() < need {
            return Err(Error::too_small("log-mel output", need, out.len()));
        }
        if self.next < nf {
            // End padding x[L-2], x[L-3], ..., x[L-201]: padded index PAD + L - 2 - i.
            let end = PAD + self.total;
            for i in 0..PAD {
                let v = self.pad[end - 2 - i - self.base];
                self.pad.push(v);
            }
            self.run_available();
        }
        debug_assert!(self.next >= nf);
        let (n_mels, floor) = (self.n_mels, self.max - 8.0);
        let scaled = |v: f32| (v.max(floor) + 4.0) * 0.25;
        let mels = &self.mels[..need];
        match self.layout {
            Layout::FrameMajor => {
                for (o, &v) in out[..need].iter_mut().zip(mels) {
                    *o = scaled(v);
                }
            }
            Layout::MelMajor => {
                for (t, frame) in mels.chunks_exact(n_mels).enumerate() {
                    for (m, &v) in frame.iter().enumerate() {
                        out[m * nf + t] = scaled(v);
                    }
                }
            }
        }
        self.reset();
        Ok(nf)
    }

    /// Drop all audio and frames; keep the allocations.
    pub fn reset(&mut self) {
        self.pad.clear();
        self.mels.clear();
        self.base = 0;
        self.total = 0;
        self.started = false;
        self.next = 0;
        self.max = f32::NEG_INFINITY;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn testdata(rel: &str) -> Option<Vec<f32>> {
        let root = std::env::var("REMOTEMEDIA_TESTDATA")
            .unwrap_or_else(|_| format!("{}/../../shared/testdata", env!("CARGO_MANIFEST_DIR")));
        let bytes = std::fs::read(format!("{root}/{rel}")).ok()?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )
    }

    fn require(rel: &str) -> Vec<f32> {
        testdata(rel).unwrap_or_else(|| {
            panic!("missing testdata {rel}: put shared/testdata beside the project or set REMOTEMEDIA_TESTDATA")
        })
    }

    fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0) * 0.5
            })
            .collect()
    }

    /// The recipe spelled out in f64: explicit padding, naive DFT, dense filterbank.
    fn oracle(x: &[f32], n_mels: usize) -> Vec<f64> {
        let l = x.len();
        let mut xp = Vec::with_capacity(l + 2 * PAD);
        for i in 0..PAD {
            xp.push(x[PAD - i] as f64);
        }
        xp.extend(x.iter().map(|&v| v as f64));
        for i in 0..PAD {
            xp.push(x[l - 2 - i] as f64);
        }
        let fb = filterbank(n_mels).unwrap().dense();
        let nf = l / HOP;
        let mut cos = vec![0.0; N_FFT];
        let mut sin = vec![0.0; N_FFT];
        for i in 0..N_FFT {
            let a = 2.0 * std::f64::consts::PI * i as f64 / N_FFT as f64;
            cos[i] = a.cos();
            sin[i] = a.sin();
        }
        let mut out = vec![0.0; n_mels * nf];
        for t in 0..nf {
            let fr: Vec<f64> = (0..N_FFT)
                .map(|j| {
                    let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * j as f64 / 400.0).cos();
                    xp[t * HOP + j] * w
                })
                .collect();
            let mut p = vec![0.0; N_BINS];
            for (k, pk) in p.iter_mut().enumerate() {
                let (mut re, mut im) = (0.0, 0.0);
                for (j, &v) in fr.iter().enumerate() {
                    let i = (j * k) % N_FFT;
                    re += v * cos[i];
                    im -= v * sin[i];
                }
                *pk = re * re + im * im;
            }
            for m in 0..n_mels {
                let s: f64 = (0..N_BINS).map(|k| fb[m * N_BINS + k] as f64 * p[k]).sum();
                out[m * nf + t] = s.max(1e-10).log10();
            }
        }
        let mx = out.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        out.iter().map(|&v| (v.max(mx - 8.0) + 4.0) / 4.0).collect()
    }

    fn compare(got: &[f32], want: &[f64], what: &str) -> (f64, f64) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        let mut max = 0.0f64;
        let mut sum = 0.0;
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            let e = (g as f64 - w).abs();
            assert!(e <= 1e-4, "{what}: index {i}: expected {w}, got {g}");
            max = max.max(e);
            sum += e;
        }
        (max, sum / got.len() as f64)
    }

    fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let mut out = vec![0.0; x.len()];
        for r in 0..rows {
            for c in 0..cols {
                out[c * rows + r] = x[r * cols + c];
            }
        }
        out
    }

    #[test]
    fn filterbank_matches_reference_files() {
        for n_mels in [80usize, 128] {
            let want = require(&format!("logmel/mel_filters_{n_mels}.f32"));
            let fb = filterbank(n_mels).unwrap();
            assert_eq!(want.len(), fb.dense().len());
            for (i, (&g, &w)) in fb.dense().iter().zip(&want).enumerate() {
                assert!(
                    (g - w).abs() <= 1e-6,
                    "n_mels={n_mels} index {i} (mel {}, bin {}): expected {w}, got {g}",
                    i / N_BINS,
                    i % N_BINS
                );
            }
            // the sparse form applies the same matrix as the dense one
            let power: Vec<f32> = noise(N_BINS, 3).iter().map(|v| v * v).collect();
            let mut got = vec![0.0; n_mels];
            fb.apply(&power, &mut got);
            for (m, &g) in got.iter().enumerate() {
                let row = &fb.dense()[m * N_BINS..(m + 1) * N_BINS];
                let w: f64 = row
                    .iter()
                    .zip(&power)
                    .map(|(&a, &b)| a as f64 * b as f64)
                    .sum();
                assert!(
                    (g as f64 - w).abs() <= 1e-6 * w,
                    "n_mels={n_mels} mel {m}: expected {w}, got {g}"
                );
            }
            assert!(fb.stored_weights() < 8 * 260, "{}", fb.stored_weights());
        }
    }

    #[test]
    fn log10_pos_is_accurate() {
        let mut x = 1e-10f32;
        while x < 1e12 {
            let want = (x as f64).log10();
            let got = log10_pos(x) as f64;
            assert!(
                (got - want).abs() <= 4e-7 * want.abs().max(1.0),
                "x={x}: expected {want}, got {got}"
            );
            x *= 1.013;
        }
    }

    #[test]
    fn log_mel_matches_f64_oracle_over_lengths() {
        for &(len, n_mels) in &[
            (201usize, 80usize),
            (320, 128),
            (399, 80),
            (401, 80),
            (1000, 128),
            (4801, 80),
        ] {
            let x = noise(len, len as u64);
            let want = oracle(&x, n_mels);
            let nf = n_frames(len);
            let mut mm = vec![f32::NAN; n_mels * nf];
            log_mel(&x, n_mels, Layout::MelMajor, 1, &mut mm).unwrap();
            compare(&mm, &want, &format!("len={len} n_mels={n_mels} mel-major"));
            let mut fm = vec![f32::NAN; n_mels * nf];
            log_mel(&x, n_mels, Layout::FrameMajor, 1, &mut fm).unwrap();
            assert_eq!(
                transpose(&fm, nf, n_mels),
                mm,
                "len={len}: frame-major is the transpose"
            );
        }
    }

    #[test]
    fn log_mel_matches_reference_files() {
        for (input, n_mels, file) in [
            ("sine440_3s", 80, "sine440_3s.mel80.f32"),
            ("sine440_3s", 128, "sine440_3s.mel128.f32"),
            ("chirp50-7900_5s", 80, "chirp50-7900_5s.mel80.f32"),
        ] {
            let x = require(&format!("logmel/{input}.input.f32"));
            let want: Vec<f64> = require(&format!("logmel/{file}"))
                .iter()
                .map(|&v| v as f64)
                .collect();
            let mut out = vec![0.0; n_mels * n_frames(x.len())];
            log_mel(&x, n_mels, Layout::MelMajor, 1, &mut out).unwrap();
            let (max, mean) = compare(&out, &want, file);
            assert!(
                max <= 1e-4 && mean <= 1e-5,
                "{file}: max {max:e}, mean {mean:e}"
            );
        }
    }

    #[test]
    fn threads_give_identical_results() {
        let x = noise(16_000 * 3 + 77, 5);
        for layout in [Layout::MelMajor, Layout::FrameMajor] {
            let n = 80 * n_frames(x.len());
            let mut one = vec![0.0; n];
            log_mel(&x, 80, layout, 1, &mut one).unwrap();
            for threads in [2, 3, 8] {
                let mut many = vec![0.0; n];
                log_mel(&x, 80, layout, threads, &mut many).unwrap();
                assert_eq!(one, many, "threads={threads} {layout:?}");
            }
        }
    }

    #[test]
    fn stream_equals_batch_for_any_chunking() {
        for &len in &[201usize, 350, 480, 4000, 16_037] {
            let x = noise(len, 11 + len as u64);
            for layout in [Layout::MelMajor, Layout::FrameMajor] {
                let mut want = vec![0.0; 128 * n_frames(len)];
                log_mel(&x, 128, layout, 1, &mut want).unwrap();
                let mut st = LogMelStream::new(128, layout, 10).unwrap();
                for chunk in [320usize, 160, 1, 7, 333, len] {
                    let mut pos = 0;
                    while pos < len {
                        let e = (pos + chunk).min(len);
                        let ready = st.push(&x[pos..e]);
                        assert!(ready <= n_frames(e));
                        pos = e;
                    }
                    assert_eq!(st.output_len(), want.len());
                    let mut got = vec![f32::NAN; want.len()];
                    assert_eq!(st.finish(&mut got).unwrap(), n_frames(len));
                    assert_eq!(got, want, "len={len} chunk={chunk} {layout:?}");
                    assert_eq!(st.samples(), 0, "finish resets");
                }
            }
        }
    }

    #[test]
    fn bad_arguments_are_errors() {
        let x = vec![0.0f32; 200];
        let mut out = vec![0.0; 80];
        assert_eq!(
            log_mel(&x, 80, Layout::MelMajor, 1, &mut out)
                .unwrap_err()
                .status,
            Status::InvalidArgument
        );
        let x = vec![0.0f32; 480];
        assert_eq!(
            log_mel(&x, 64, Layout::MelMajor, 1, &mut out)
                .unwrap_err()
                .status,
            Status::InvalidArgument
        );
        assert_eq!(
            log_mel(&x, 80, Layout::MelMajor, 1, &mut out[..79])
                .unwrap_err()
                .status,
            Status::BufferTooSmall
        );
        assert!(LogMelStream::new(100, Layout::MelMajor, 0).is_err());
        let mut st = LogMelStream::new(80, Layout::MelMajor, 0).unwrap();
        st.push(&x[..200]);
        assert_eq!(
            st.finish(&mut out).unwrap_err().status,
            Status::InvalidArgument
        );
        // all-zero input gives the constant -1.5
        let mut out = vec![0.0; 80 * 3];
        log_mel(&x, 80, Layout::MelMajor, 1, &mut out).unwrap();
        assert!(out.iter().all(|&v| v == -1.5), "{:?}", &out[..4]);
    }
}
