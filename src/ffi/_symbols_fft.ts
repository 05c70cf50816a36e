/** FFI symbols of the fft family (see native/include/remotemedia.h). @module */

/** Symbols of the fft family; spread into `symbols` by `symbols.ts`. */
export const fftSymbols = {} as const satisfies Deno.ForeignLibraryInterface;
