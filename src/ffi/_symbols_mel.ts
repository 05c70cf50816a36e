/** FFI symbols of the mel family (see native/include/remotemedia.h). @module */

/** Symbols of the mel family; spread into `symbols` by `symbols.ts`. */
export const melSymbols = {} as const satisfies Deno.ForeignLibraryInterface;
