//! Noise-adaptive decision on band energies, once per 10 ms sub-frame.
//!
//! Per band b (energy `e_b`, floored at `FLOOR` per DFT bin):
//! - a smoothed energy `S_b` and its minimum over the last ~1 s (minimum statistics,
//!   `U` sub-windows of `V` sub-frames), a lower bound for the noise estimate;
//! - the noise estimate `N_b`: a running mean during the first `INIT` sub-frames, then an
//!   exponential average over sub-frames decided non-speech, never below the minimum;
//! - the a-posteriori SNR `g = e_b / N_b`, a decision-directed a-priori SNR
//!   `xi = DD xi' + (1 - DD) max(g - 1, 0)` and Sohn's log likelihood ratio
//!   `g xi / (1 + xi) - ln(1 + xi)`.
//!
//! The frame statistic is the mean LLR over the bands. It is compared with a constant
//! false-alarm-rate threshold `mu + k max(sigma, S0)`, where `mu`/`sigma` track the
//! statistic over non-speech sub-frames (stationary noise gives a narrow distribution and a
//! low threshold; babble a wide one and a high threshold) and `k` comes from the mode.
//! Speech starts after `CONFIRM` consecutive sub-frames above the threshold (a lone
//! exceedance in noise is not speech; within `SOFT` sub-frames of earlier speech one
//! suffices), continues while the statistic stays above it, and
//! is followed by a hangover whose length falls from `hang_lo` sub-frames at a low
//! speech-to-noise ratio (where weak syllables drown and gaps must be bridged) to
//! `hang_hi` at a high one. Sub-frames above the threshold never update the noise model.

use super::frontend::{HIGH_BAND_WIDTH, LOW_BANDS, MAX_BANDS};
use super::math::ln;
use super::tables::BAND_EDGES;

/// Energy floor per DFT bin (about -74 dBFS white noise): digital silence is not a
/// noise floor to adapt to.
const FLOOR: f64 = 1e-6;
/// Lower bound of the statistic's noise spread (its value for stationary Gaussian noise).
const S0: f64 = 0.06;
/// Smoothing of `S_b` for minimum statistics.
const ALPHA_S: f64 = 0.5;
/// Minimum statistics: `U` sub-windows of `V` sub-frames (0.96 s).
const U: usize = 8;
const V: u32 = 12;
/// Decision-directed smoothing of the a-priori SNR.
const DD: f64 = 0.9;
/// Noise estimate update rate over non-speech sub-frames (time constant 200 ms).
const ALPHA_N: f64 = 0.95;
/// Update rate of the statistic's mean and variance (time constant 2 s).
const ALPHA_M: f64 = 0.995;
/// Sub-frames of initial noise learning (250 ms).
const INIT: u32 = 25;
/// During learning, only a statistic above this counts as speech.
const WARM_THRESHOLD: f64 = 2.0;
/// Per-speech-sub-frame decay of the speech peak level (-0.044 dB).
const PEAK_DECAY: f64 = 0.99;
/// Speech-to-noise ratios (dB) between which the hangover shrinks.
const SNR_LO: f64 = 15.0;
const SNR_HI: f64 = 30.0;
/// Cap of the a-priori SNR carried to the next sub-frame.
const XI_MAX: f64 = 1000.0;
/// Consecutive sub-frames above the threshold needed to start speech.
const CONFIRM: u32 = 2;
/// Within this many sub-frames after speech, one sub-frame above the threshold resumes it.
const SOFT: u32 = 20;

/// Mode parameters: threshold factor `k`, hangover at high and at low SNR (sub-frames).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct ModeParams {
    pub k: f64,
    pub hang_hi: u32,
    pub hang_lo: u32,
}

/// Modes 0 (least aggressive: most speech) to 3 (most aggressive).
pub(super) const MODES: [ModeParams; 4] = [
    ModeParams {
        k: 3.25,
        hang_hi: 6,
        hang_lo: 20,
    },
    ModeParams {
        k: 3.5,
        hang_hi: 5,
        hang_lo: 18,
    },
    ModeParams {
        k: 4.5,
        hang_hi: 4,
        hang_lo: 14,
    },
    ModeParams {
        k: 6.0,
        hang_hi: 3,
        hang_lo: 10,
    },
];

/// Per-band arrays are padded to `LANES` (a multiple of the vector width) so the band
/// loops have a fixed trip count and vectorize; lanes at and above the band count carry a
/// constant dummy band that never enters the sums.
const LANES: usize = 20;

/// Detector state. Fixed-size arrays: processing never allocates.
#[derive(Clone)]
pub(super) struct Detector {
    mode: ModeParams,
    bands: usize,
    floor: [f64; LANES],
    noise: [f64; LANES],
    smooth: [f64; LANES],
    cur_min: [f64; LANES],
    win_min: [[f64; LANES]; U],
    /// Minimum over `win_min` (refreshed when a sub-window completes).
    past_min: [f64; LANES],
    xi: [f64; LANES],
    e: [f64; LANES],
    sub_count: u32,
    win_index: usize,
    mu: f64,
    m2: f64,
    var: f64,
    hang: u32,
    run: u32,
    quiet: u32,
    peak: f64,
    t: u32,
    ln10: f64,
    last_stat: f64,
    last_threshold: f64,
}

impl Detector {
    pub(super) fn new(mode: ModeParams, bands: usize) -> Detector {
        debug_assert!(bands == LOW_BANDS || bands == MAX_BANDS);
        // Dummy lanes see energy 0 plus a floor of 1.
        let mut floor = [1.0; LANES];
        for (b, f) in floor.iter_mut().enumerate().take(LOW_BANDS) {
            *f = FLOOR * (BAND_EDGES[b + 1] - BAND_EDGES[b]) as f64;
        }
        if bands == MAX_BANDS {
            floor[LOW_BANDS] = FLOOR * HIGH_BAND_WIDTH;
        }
        Detector {
            mode,
            bands,
            floor,
            noise: [0.0; LANES],
            smooth: [0.0; LANES],
            cur_min: [f64::INFINITY; LANES],
            win_min: [[f64::INFINITY; LANES]; U],
            past_min: [f64::INFINITY; LANES],
            xi: [0.0; LANES],
            e: [0.0; LANES],
            sub_count: 0,
            win_index: 0,
            mu: 0.0,
            m2: 0.0,
            var: S0 * S0,
            hang: 0,
            run: 0,
            quiet: u32::MAX,
            peak: -1.0,
            t: 0,
            ln10: ln(10.0),
            last_stat: 0.0,
            last_threshold: 0.0,
        }
    }

    pub(super) fn reset(&mut self) {
        *self = Detector::new(self.mode, self.bands);
    }

    /// The last sub-frame's statistic and threshold (diagnostics and tests).
    pub(super) fn last(&self) -> (f64, f64) {
        (self.last_stat, self.last_threshold)
    }

    /// Decide one sub-frame from its band energies.
    #[inline(always)]
    pub(super) fn decide(&mut self, energies: &[f64; MAX_BANDS]) -> bool {
        let nb = self.bands;
        let t = self.t;
        let mut x = [0.0f64; LANES];
        x[..nb].copy_from_slice(&energies[..nb]);
        for ((e, &x), &f) in self.e.iter_mut().zip(&x).zip(&self.floor) {
            *e = x + f;
        }
        if t == 0 {
            self.noise = self.e;
            self.smooth = self.e;
        }
        // Per band (independent: the loops vectorize), then the sums in band order.
        let mut t1 = [0.0f64; LANES];
        let mut arg = [1.0f64; LANES];
        for b in 0..LANES {
            let e = self.e[b];
            let s = ALPHA_S * self.smooth[b] + (1.0 - ALPHA_S) * e;
            self.smooth[b] = s;
            self.cur_min[b] = if s < self.cur_min[b] {
                s
            } else {
                self.cur_min[b]
            };
            let g = e / self.noise[b];
            let gm1 = g - 1.0;
            let xi = DD * self.xi[b] + (1.0 - DD) * (if gm1 > 0.0 { gm1 } else { 0.0 });
            t1[b] = g * xi / (1.0 + xi);
            arg[b] = 1.0 + xi;
            self.xi[b] = if xi < XI_MAX { xi } else { XI_MAX };
        }
        let mut lns = [0.0f64; LANES];
        for (l, &a) in lns.iter_mut().zip(&arg) {
            *l = ln(a);
        }
        let mut llr_sum = 0.0;
        for b in 0..nb {
            llr_sum += t1[b] - lns[b];
        }
        self.sub_count += 1;
        if self.sub_count == V {
            self.win_min[self.win_index] = self.cur_min;
            self.win_index = (self.win_index + 1) % U;
            self.cur_min = [f64::INFINITY; LANES];
            self.sub_count = 0;
            self.past_min = [f64::INFINITY; LANES];
            for w in &self.win_min {
                for (p, &v) in self.past_min.iter_mut().zip(w) {
                    *p = if v < *p { v } else { *p };
                }
            }
        }
        let stat = llr_sum / nb as f64;
        let sd = self.var.sqrt();
        let threshold = self.mu + self.mode.k * (if sd > S0 { sd } else { S0 });
        self.last_stat = stat;
        self.last_threshold = threshold;
        let above = stat > threshold && (t >= INIT || stat > WARM_THRESHOLD);
        self.run = if above { self.run.saturating_add(1) } else { 0 };
        let raw = above && (self.run >= CONFIRM || self.quiet < SOFT);
        let speech = if raw {
            // Band totals (in band order) of this sub-frame's energy and noise estimate.
            let (mut e_total, mut n_total) = (0.0, 0.0);
            for b in 0..nb {
                e_total += self.e[b];
                n_total += self.noise[b];
            }
            let decayed = self.peak * PEAK_DECAY;
            self.peak = if self.peak < 0.0 || e_total > decayed {
                e_total
            } else {
                decayed
            };
            let snr = 10.0 * ln(self.peak / n_total) / self.ln10;
            let fr = (snr - SNR_LO) / (SNR_HI - SNR_LO);
            let fr = fr.clamp(0.0, 1.0);
            let lo = self.mode.hang_lo as f64;
            let hi = self.mode.hang_hi as f64;
            self.hang = (lo + fr * (hi - lo) + 0.5).floor() as u32;
            true
        } else if self.hang > 0 {
            self.hang -= 1;
            true
        } else {
            false
        };
        if t < INIT {
            let a = 1.0 / (t + 1) as f64;
            for b in 0..LANES {
                self.noise[b] += a * (self.e[b] - self.noise[b]);
            }
            if t == 0 {
                self.mu = stat;
                self.m2 = 0.0;
            } else {
                let d = stat - self.mu;
                self.mu += a * d;
                self.m2 += d * (stat - self.mu);
                if t == INIT - 1 {
                    let v = self.m2 / t as f64;
                    self.var = if v > S0 * S0 { v } else { S0 * S0 };
                }
            }
        } else if !speech && !above {
            for b in 0..LANES {
                self.noise[b] += (1.0 - ALPHA_N) * (self.e[b] - self.noise[b]);
            }
            let d = stat - self.mu;
            self.mu += (1.0 - ALPHA_M) * d;
            self.var = ALPHA_M * (self.var + (1.0 - ALPHA_M) * d * d);
        }
        for b in 0..LANES {
            let (c, p) = (self.cur_min[b], self.past_min[b]);
            let m = if p < c { p } else { c };
            self.noise[b] = if self.noise[b] < m { m } else { self.noise[b] };
        }
        self.t = self.t.saturating_add(1);
        self.quiet = if speech {
            0
        } else {
            self.quiet.saturating_add(1)
        };
        speech
    }
}
