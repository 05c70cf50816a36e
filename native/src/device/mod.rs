//! Accelerator dispatch (filled in by issue 6).
