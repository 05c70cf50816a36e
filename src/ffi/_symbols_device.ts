/** FFI symbols of the device family (see native/include/remotemedia.h). @module */

/** Symbols of the device family; spread into `symbols` by `symbols.ts`. */
export const deviceSymbols = {} as const satisfies Deno.ForeignLibraryInterface;
