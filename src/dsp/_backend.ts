// Backend selection for `runtime_hint`: "native" (must load), "ts" (pure TS), "auto"
// (native when the library loads; otherwise says so once on stderr and uses TS).

import { native, type NativeLibrary, nativeUnavailableReason, tryNative } from "../ffi/loader.ts";

/** Which implementation a kernel uses: `"auto"` (default), `"native"` or `"ts"`. */
export type RuntimeHint = "auto" | "native" | "ts";

let warned = false;

/**
 * Resolve a hint to a native library or null (TS fallback).
 * @throws {Error} for "native" when the library cannot be loaded.
 * @throws {RangeError} for an unknown hint.
 */
export function resolveNative(hint: RuntimeHint | undefined): NativeLibrary | null {
  if (hint === undefined || hint === "auto") {
    const lib = tryNative();
    if (lib === null && !warned) {
      warned = true;
      const reason = (nativeUnavailableReason() ?? "unknown reason").split("\n")[0];
      console.error(
        `remotemedia: native library unavailable (${reason}); using the TypeScript fallback`,
      );
    }
    return lib;
  }
  if (hint === "native") return native();
  if (hint === "ts") return null;
  throw new RangeError(`Unknown runtime hint "${hint}": expected "auto", "native" or "ts"`);
}
