//! C ABI for this family (filled in by later issues).
