//! Streaming polyphase resampler for interleaved f32 audio.
//!
//! For the reduced ratio `L/M = out_rate/in_rate`, output frame `k` sits at input time
//! `t_k = k·M/L` (in input samples). Writing `t_k = n + p/L`, it is the dot product of
//! coefficient row `p` (a Kaiser-windowed sinc sampled at phase `p/L`, see [`design`])
//! with the `taps` input samples `n - taps/2 + 1 ..= n + taps/2`.
//!
//! Streaming: the stream starts with silence, so output `j` of the stream is the ideal
//! output at time `(j - delay)/out_rate`, where `delay = floor(taps/2 · L/M)` output frames
//! is the filter's latency. An output is written as soon as its whole input window has
//! arrived; which outputs exist depends only on how many input frames arrived, never on
//! how they were chunked, and each is computed the same way (bit-identical). `flush`
//! pads the end with silence until every output up to the end of the input is written,
//! then resets.
//!
//! Internally each channel keeps a planar history (`hist`) of the input samples that
//! later outputs still need; input arrives in blocks of at most [`BLOCK`] frames, so the
//! memory use is fixed at construction and processing never allocates.

mod design;
mod kernel;

#[cfg(target_arch = "x86_64")]
mod avx2;

pub use design::{design, reduce, Design, Quality, MAX_FACTOR, MAX_RATE, MAX_TERM};
pub use kernel::{Kernel, Run};

use crate::error::{Error, Result};

/// Input frames appended to the history per inner pass.
pub const BLOCK: usize = 8192;
/// Largest channel count.
pub const MAX_CHANNELS: usize = 64;

/// A streaming resampler (see the module docs).
#[derive(Debug, Clone)]
pub struct Resampler {
    in_rate: u32,
    out_rate: u32,
    channels: usize,
    quality: Quality,
    up: u64,
    down: u64,
    taps: usize,
    delay: u64,
    table: Vec<f32>,
    kernel: Kernel,
    /// Planar history, `channels` lanes of `cap` samples.
    hist: Vec<f32>,
    cap: usize,
    /// Valid samples per lane.
    len: usize,
    /// Absolute input index of `hist[lane][0]` (negative: the silence before the stream).
    base: i64,
    /// Input frames received since the last reset.
    received: u64,
    /// Output frames written since the last reset.
    emitted: u64,
}

/// `ceil(a / b)` for `b > 0`.
fn ceil_div(a: i128, b: i128) -> i128 {
    -((-a).div_euclid(b))
}

impl Resampler {
    /// A resampler for `channels` interleaved channels with the fastest available kernel.
    pub fn new(in_rate: u32, out_rate: u32, channels: usize, quality: Quality) -> Result<Self> {
        Self::with_kernel(in_rate, out_rate, channels, quality, Kernel::detect())
    }

    /// Like [`Resampler::new`] with an explicit kernel (tests compare kernels).
    pub fn with_kernel(
        in_rate: u32,
        out_rate: u32,
        channels: usize,
        quality: Quality,
        kernel: Kernel,
    ) -> Result<Self> {
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(Error::invalid(format!(
                "channel count {channels} is out of range 1..={MAX_CHANNELS}"
            )));
        }
        let Design {
            up,
            down,
            taps,
            delay,
            table,
        } = design(in_rate, out_rate, quality)?;
        let mut r = Resampler {
            in_rate,
            out_rate,
            channels,
            quality,
            up,
            down,
            taps,
            delay,
            table,
            kernel,
            hist: Vec::new(),
            cap: 0,
            len: 0,
            base: 0,
            received: 0,
            emitted: 0,
        };
        let prefill = r.prefill();
        r.cap = prefill.max(taps) + BLOCK;
        r.hist = vec![0.0; channels * r.cap];
        r.reset();
        Ok(r)
    }

    /// Input rate in Hz.
    pub fn in_rate(&self) -> u32 {
        self.in_rate
    }
    /// Output rate in Hz.
    pub fn out_rate(&self) -> u32 {
        self.out_rate
    }
    /// Channel count.
    pub fn channels(&self) -> usize {
        self.channels
    }
    /// Quality preset.
    pub fn quality(&self) -> Quality {
        self.quality
    }
    /// Reduced ratio `(L, M)` with `L/M = out_rate/in_rate`.
    pub fn ratio(&self) -> (u64, u64) {
        (self.up, self.down)
    }
    /// Taps per polyphase row.
    pub fn taps(&self) -> usize {
        self.taps
    }
    /// The kernel in use.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }
    /// Latency in output frames: stream output `j` is the signal at `(j - delay)/out_rate`.
    pub fn delay(&self) -> u64 {
        self.delay
    }
    /// The coefficient table (`L` rows of `taps`).
    pub fn table(&self) -> &[f32] {
        &self.table
    }

    /// First absolute input index of output `j`'s window, and its phase row.
    #[inline]
    fn window(&self, j: u64) -> (i64, usize) {
        let num = (j as i128 - self.delay as i128) * self.down as i128;
        let n = num.div_euclid(self.up as i128) as i64;
        let p = num.rem_euclid(self.up as i128) as usize;
        (n - (self.taps / 2) as i64 + 1, p)
    }

    /// Silent samples before input 0 that output 0 reads.
    fn prefill(&self) -> usize {
        (-self.window(0).0).max(0) as usize
    }

    /// Outputs available once the input indices `< end` are known.
    fn available(&self, end: u64) -> u64 {
        let half = (self.taps / 2) as i128;
        let k = self.delay as i128
            + ceil_div((end as i128 - half) * self.up as i128, self.down as i128);
        k.max(0) as u64
    }

    /// Output frames the next [`Resampler::process`] of `input_frames` frames writes.
    pub fn output_frames_next(&self, input_frames: u64) -> u64 {
        self.available(self.received + input_frames) - self.emitted
    }

    /// Input frames needed before at least `output_frames` more outputs are written.
    pub fn input_frames_next(&self, output_frames: u64) -> u64 {
        if output_frames == 0 {
            return 0;
        }
        let (s, _) = self.window(self.emitted + output_frames - 1);
        let end = s + self.taps as i64;
        (end - self.received as i64).max(0) as u64
    }

    /// Output frames the next [`Resampler::flush`] writes: the rest of the outputs up to
    /// the end of the input (`delay + ceil(received·L/M)` in total), or 0 if no input came.
    pub fn flush_frames(&self) -> u64 {
        if self.received == 0 {
            return 0;
        }
        let total = self.delay as i128
            + ceil_div(self.received as i128 * self.up as i128, self.down as i128);
        (total as u64).saturating_sub(self.emitted)
    }

    /// Forget all input: back to the state right after construction.
    pub fn reset(&mut self) {
        self.received = 0;
        self.emitted = 0;
        let prefill = self.prefill();
        self.base = -(prefill as i64);
        self.len = prefill;
        self.hist.fill(0.0);
    }

    /// Resample interleaved `input` (a multiple of `channels` samples) into `output`,
    /// which must hold `output_frames_next(frames) * channels` samples. Returns the
    /// frames written. Nothing changes on error.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) -> Result<usize> {
        let c = self.channels;
        if !input.len().is_multiple_of(c) {
            return Err(Error::invalid(format!(
                "input length {} is not a multiple of {c} channels",
                input.len()
            )));
        }
        let frames = input.len() / c;
        let want = self.output_frames_next(frames as u64) as usize;
        if output.len() < want * c {
            return Err(Error::too_small("output", want * c, output.len()));
        }
        let mut written = 0;
        let mut pos = 0;
        loop {
            self.compact();
            let take = (frames - pos).min(self.cap - self.len);
            self.append(Some(&input[pos * c..(pos + take) * c]), take);
            pos += take;
            self.received += take as u64;
            written += self.produce(&mut output[written * c..want * c], self.base_end());
            if pos == frames {
                break;
            }
        }
        debug_assert_eq!(written, want);
        Ok(written)
    }

    /// Write the remaining outputs (see [`Resampler::flush_frames`]) by padding the input
    /// with silence, then [`reset`](Resampler::reset). Returns the frames written.
    pub fn flush(&mut self, output: &mut [f32]) -> Result<usize> {
        let c = self.channels;
        let want = self.flush_frames() as usize;
        if output.len() < want * c {
            return Err(Error::too_small("output", want * c, output.len()));
        }
        if want > 0 {
            let (s, _) = self.window(self.emitted + want as u64 - 1);
            let end = s + self.taps as i64;
            let mut written = 0;
            while written < want {
                self.compact();
                let need = (end - self.base - self.len as i64).max(0) as usize;
                let take = need.min(self.cap - self.len);
                self.append(None, take);
                let limit = self.base_end().min(end as u64);
                written += self.produce(&mut output[written * c..want * c], limit);
            }
        }
        self.reset();
        Ok(want)
    }

    fn base_end(&self) -> u64 {
        (self.base + self.len as i64) as u64
    }

    /// Drop history that no future output reads.
    fn compact(&mut self) {
        let (s, _) = self.window(self.emitted);
        let drop = ((s - self.base).max(0) as usize).min(self.len);
        if drop == 0 {
            return;
        }
        let keep = self.len - drop;
        for lane in self.hist.chunks_exact_mut(self.cap) {
            lane.copy_within(drop..drop + keep, 0);
        }
        self.base += drop as i64;
        self.len = keep;
    }

    /// Append `frames` frames of `input` (interleaved), or of silence when `None`.
    fn append(&mut self, input: Option<&[f32]>, frames: usize) {
        let c = self.channels;
        let (len, cap) = (self.len, self.cap);
        match input {
            None => {
                for lane in self.hist.chunks_exact_mut(cap) {
                    lane[len..len + frames].fill(0.0);
                }
            }
            Some(x) if c == 1 => self.hist[len..len + frames].copy_from_slice(&x[..frames]),
            Some(x) if c == 2 => {
                let (a, b) = self.hist.split_at_mut(cap);
                let (a, b) = (&mut a[len..len + frames], &mut b[len..len + frames]);
                for ((l, r), f) in a.iter_mut().zip(b.iter_mut()).zip(x.chunks_exact(2)) {
                    *l = f[0];
                    *r = f[1];
                }
            }
            Some(x) => {
                // One pass over the input, frame by frame, keeps its reads sequential.
                for (i, f) in x.chunks_exact(c).take(frames).enumerate() {
                    for (ch, &v) in f.iter().enumerate() {
                        self.hist[ch * cap + len + i] = v;
                    }
                }
            }
        }
        self.len += frames;
    }

    /// Compute every output whose window lies below absolute index `end`, up to the
    /// room in `out`. Returns the frames written.
    fn produce(&mut self, out: &mut [f32], end: u64) -> usize {
        let c = self.channels;
        let room = out.len() / c;
        let n = ((self.available(end) - self.emitted) as usize).min(room);
        if n == 0 {
            return 0;
        }
        let (s0, p0) = self.window(self.emitted);
        let cap = self.cap;
        for (ch, lane) in self.hist.chunks_exact(cap).enumerate() {
            let run = Run {
                table: &self.table,
                taps: self.taps,
                up: self.up,
                step_int: (self.down / self.up) as usize,
                step_frac: self.down % self.up,
                lane: &lane[..self.len],
                off: (s0 - self.base) as usize,
                phase: p0 as u64,
            };
            self.kernel.run(&run, &mut out[ch..], c, n);
        }
        self.emitted += n as u64;
        n
    }
}

#[cfg(test)]
mod tests;
