//! Constant tables of the VAD front end, written out as literals so that the Rust kernel
//! and the TypeScript fallback (`src/dsp/_vad_ts.ts`) start from bit-identical values.
//!
//! Designed once, offline, from textbook formulas (nothing here depends on test data):
//! - `COS_QUARTER[k] = cos(2*pi*k/128)`, k = 0..=32, correctly rounded.
//! - `HALF_BAND`: the odd taps (offsets 1, 3, .., 11 from the centre) of a 23-tap
//!   Hamming-windowed half-band low-pass (cut-off fs/4). The centre tap is exactly 0.5 and
//!   the odd taps are scaled to sum to 0.5, so low + high = delayed input exactly.
//! - `DEC3`: a 33-tap Hamming-windowed sinc low-pass with cut-off fs/6 (8 kHz at 48 kHz),
//!   symmetric; taps at multiples of 3 from the centre are zero and omitted.
//! - `BAND_EDGES`: 16 bands on the mel scale from 100 Hz to 3.9 kHz, as bins of a
//!   128-point DFT at 8 kHz (62.5 Hz per bin); band b covers bins `[E[b], E[b+1])`.

/// `cos(2*pi*k/128)` for k = 0..=32 (a quarter wave).
pub(super) const COS_QUARTER: [f64; 33] = [
    1.0,
    0.9987954562051724,
    0.9951847266721969,
    0.989176509964781,
    0.9807852804032304,
    0.970031253194544,
    0.9569403357322088,
    0.9415440651830208,
    0.9238795325112867,
    0.9039892931234433,
    0.881921264348355,
    0.8577286100002721,
    0.8314696123025452,
    0.8032075314806449,
    0.773010453362737,
    0.7409511253549591,
    std::f64::consts::FRAC_1_SQRT_2,
    0.6715589548470184,
    0.6343932841636455,
    0.5956993044924334,
    0.5555702330196022,
    0.5141027441932218,
    0.47139673682599764,
    0.4275550934302821,
    0.3826834323650898,
    0.33688985339222005,
    0.2902846772544624,
    0.2429801799032639,
    0.19509032201612828,
    0.14673047445536175,
    0.0980171403295606,
    0.049067674327418015,
    0.0,
];

/// Odd taps of the half-band low-pass, at offsets 1, 3, 5, 7, 9, 11 from the centre.
pub(super) const HALF_BAND: [f64; 6] = [
    0.31376287393414026,
    -0.08965340111579541,
    0.038715878704925835,
    -0.01593618842417768,
    0.005436075420446345,
    -0.002325238519539353,
];

/// Centre tap of the 48 kHz -> 16 kHz decimation filter.
pub(super) const DEC3_CENTER: f64 = 0.3334132282655737;

/// One side of the 48 kHz -> 16 kHz decimation filter: (offset from the centre, tap).
pub(super) const DEC3: [(usize, f64); 11] = [
    (1, 0.2732934013574704),
    (2, 0.1330378508398017),
    (4, -0.05964527611659198),
    (5, -0.04387216177655128),
    (7, 0.024805566387449924),
    (8, 0.018611810119440613),
    (10, -0.010035643007617627),
    (11, -0.007129832093481206),
    (13, 0.0033410898850579867),
    (14, 0.0022652328736747296),
    (16, -0.0013786526014400433),
];

/// Band edges in DFT bins (128-point DFT at 8 kHz).
pub(super) const BAND_EDGES: [usize; 17] = [
    2, 3, 5, 7, 9, 11, 13, 16, 19, 23, 27, 31, 36, 42, 48, 55, 62,
];
