//! (filled in by the DSP work; see issue 3)
