/** FFI symbols of the vad family (see native/include/remotemedia.h). @module */

/** Symbols of the vad family; spread into `symbols` by `symbols.ts`. */
export const vadSymbols = {} as const satisfies Deno.ForeignLibraryInterface;
