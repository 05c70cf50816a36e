/** FFI symbols of the resample family (see native/include/remotemedia.h). @module */

/** Symbols of the resample family; spread into `symbols` by `symbols.ts`. */
export const resampleSymbols = {} as const satisfies Deno.ForeignLibraryInterface;
