/**
 * Sample-format conversion, channel layout and gain.
 *
 * Every function writes into `dst` when given (no allocation: the real-time form) or
 * allocates the output otherwise, and runs on the native library unless
 * `runtimeHint: "ts"` asks for the TypeScript implementation.
 *
 * Conventions (shared/testdata/README.md §4): int16 -> float is `i / 32768`; float ->
 * int16 is `clamp(round_half_to_even(f * 32768), -32768, 32767)` with NaN -> 0; 24- and
 * 32-bit use 2^23 and 2^31 the same way.
 *
 * @module
 */

import { type NativeConvert, nativeConvert } from "../ffi/convert.ts";
import { resolveNative, type RuntimeHint } from "./_backend.ts";
import { tsConvert } from "./_convert_ts.ts";

export type { RuntimeHint } from "./_backend.ts";

/** Options shared by the conversion functions. */
export interface ConvertOptions {
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
}

// The native kernels once resolved: the per-call fast path skips resolution.
let nativeKernels: NativeConvert | undefined;

function kernels(options?: ConvertOptions): NativeConvert {
  const hint = options?.runtimeHint;
  if (nativeKernels !== undefined && (hint === undefined || hint === "auto" || hint === "native")) {
    return nativeKernels;
  }
  const lib = resolveNative(hint);
  if (lib === null) return tsConvert;
  return nativeKernels = nativeConvert(lib);
}

function checkOut(op: string, have: number, need: number): void {
  if (have < need) {
    throw new RangeError(`Cannot ${op}: output holds ${have} elements, ${need} needed`);
  }
}

function checkChannels(op: string, length: number, channels: number): number {
  if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
    throw new RangeError(`Cannot ${op}: channel count ${channels} is not an integer in 1..64`);
  }
  if (length % channels !== 0) {
    throw new RangeError(
      `Cannot ${op}: input length ${length} is not a multiple of ${channels} channels`,
    );
  }
  return length / channels;
}

/**
 * Convert int16 samples to float32 (`i / 32768`).
 *
 * @param src int16 samples.
 * @param dst Output (at least `src.length`); allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} if `dst` is too short.
 *
 * @example Convert PCM to float
 * ```ts
 * import { int16ToFloat32 } from "./convert.ts";
 * const f = int16ToFloat32(new Int16Array([-32768, 0, 16384]));
 * console.log(f); // Float32Array [-1, 0, 0.5]
 * ```
 */
export function int16ToFloat32(
  src: Int16Array,
  dst?: Float32Array,
  options?: ConvertOptions,
): Float32Array {
  const out = dst ?? new Float32Array(src.length);
  checkOut("convert int16 to float32", out.length, src.length);
  kernels(options).i16ToF32(src, out);
  return out;
}

/**
 * Convert float32 samples to int16 (ties to even, saturating, NaN -> 0).
 *
 * @param src float32 samples, nominally in [-1, 1).
 * @param dst Output (at least `src.length`); allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} if `dst` is too short.
 *
 * @example Quantize to 16-bit
 * ```ts
 * import { float32ToInt16 } from "./convert.ts";
 * console.log(float32ToInt16(new Float32Array([1, -1, 0.5]))); // Int16Array [32767, -32768, 16384]
 * ```
 */
export function float32ToInt16(
  src: Float32Array,
  dst?: Int16Array,
  options?: ConvertOptions,
): Int16Array {
  const out = dst ?? new Int16Array(src.length);
  checkOut("convert float32 to int16", out.length, src.length);
  kernels(options).f32ToI16(src, out);
  return out;
}

/**
 * Convert packed little-endian int24 bytes to float32 (`i / 2^23`).
 *
 * @param src Packed bytes (length a multiple of 3).
 * @param dst Output (at least `src.length / 3`); allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} if the byte count is not a multiple of 3 or `dst` is too short.
 *
 * @example Decode one 24-bit sample
 * ```ts
 * import { int24ToFloat32 } from "./convert.ts";
 * console.log(int24ToFloat32(new Uint8Array([0, 0, 0x40]))); // Float32Array [0.5]
 * ```
 */
export function int24ToFloat32(
  src: Uint8Array,
  dst?: Float32Array,
  options?: ConvertOptions,
): Float32Array {
  if (src.length % 3 !== 0) {
    throw new RangeError(
      `Cannot convert int24 to float32: ${src.length} bytes is not a multiple of 3`,
    );
  }
  const out = dst ?? new Float32Array(src.length / 3);
  checkOut("convert int24 to float32", out.length, src.length / 3);
  kernels(options).i24ToF32(src, out);
  return out;
}

/**
 * Convert float32 samples to packed little-endian int24 bytes.
 *
 * @param src float32 samples.
 * @param dst Output bytes (at least `3 * src.length`); allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} if `dst` is too short.
 *
 * @example Encode one sample
 * ```ts
 * import { float32ToInt24 } from "./convert.ts";
 * console.log(float32ToInt24(new Float32Array([0.5]))); // Uint8Array [0, 0, 64]
 * ```
 */
export function float32ToInt24(
  src: Float32Array,
  dst?: Uint8Array,
  options?: ConvertOptions,
): Uint8Array {
  const out = dst ?? new Uint8Array(src.length * 3);
  checkOut("convert float32 to int24", out.length, src.length * 3);
  kernels(options).f32ToI24(src, out);
  return out;
}

/**
 * Convert int32 samples to float32 (`i / 2^31`).
 *
 * @param src int32 samples.
 * @param dst Output; allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} if `dst` is too short.
 *
 * @example
 * ```ts
 * import { int32ToFloat32 } from "./convert.ts";
 * console.log(int32ToFloat32(new Int32Array([1 << 30]))); // Float32Array [0.5]
 * ```
 */
export function int32ToFloat32(
  src: Int32Array,
  dst?: Float32Array,
  options?: ConvertOptions,
): Float32Array {
  const out = dst ?? new Float32Array(src.length);
  checkOut("convert int32 to float32", out.length, src.length);
  kernels(options).i32ToF32(src, out);
  return out;
}

/**
 * Convert float32 samples to int32 (ties to even, saturating, NaN -> 0).
 *
 * @param src float32 samples.
 * @param dst Output; allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} if `dst` is too short.
 *
 * @example
 * ```ts
 * import { float32ToInt32 } from "./convert.ts";
 * console.log(float32ToInt32(new Float32Array([0.5]))); // Int32Array [1073741824]
 * ```
 */
export function float32ToInt32(
  src: Float32Array,
  dst?: Int32Array,
  options?: ConvertOptions,
): Int32Array {
  const out = dst ?? new Int32Array(src.length);
  checkOut("convert float32 to int32", out.length, src.length);
  kernels(options).f32ToI32(src, out);
  return out;
}

/**
 * Convert unsigned 8-bit PCM to float32 (`(u - 128) / 128`).
 *
 * @param src Unsigned bytes.
 * @param dst Output; allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} if `dst` is too short.
 *
 * @example
 * ```ts
 * import { uint8ToFloat32 } from "./convert.ts";
 * console.log(uint8ToFloat32(new Uint8Array([0, 128]))); // Float32Array [-1, 0]
 * ```
 */
export function uint8ToFloat32(
  src: Uint8Array,
  dst?: Float32Array,
  options?: ConvertOptions,
): Float32Array {
  const out = dst ?? new Float32Array(src.length);
  checkOut("convert uint8 to float32", out.length, src.length);
  kernels(options).u8ToF32(src, out);
  return out;
}

/**
 * Convert float64 samples to float32 (nearest).
 *
 * @param src float64 samples.
 * @param dst Output; allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} if `dst` is too short.
 *
 * @example
 * ```ts
 * import { float64ToFloat32 } from "./convert.ts";
 * console.log(float64ToFloat32(new Float64Array([0.25]))); // Float32Array [0.25]
 * ```
 */
export function float64ToFloat32(
  src: Float64Array,
  dst?: Float32Array,
  options?: ConvertOptions,
): Float32Array {
  const out = dst ?? new Float32Array(src.length);
  checkOut("convert float64 to float32", out.length, src.length);
  kernels(options).f64ToF32(src, out);
  return out;
}

/**
 * Planar `[channel][frame]` -> interleaved `[frame][channel]`.
 *
 * @param planar Channel planes back to back.
 * @param channels Channel count (1..64).
 * @param dst Output; allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} for a bad channel count or length.
 *
 * @example
 * ```ts
 * import { interleave } from "./convert.ts";
 * console.log(interleave(new Float32Array([1, 2, 3, 4]), 2)); // Float32Array [1, 3, 2, 4]
 * ```
 */
export function interleave(
  planar: Float32Array,
  channels: number,
  dst?: Float32Array,
  options?: ConvertOptions,
): Float32Array {
  checkChannels("interleave", planar.length, channels);
  const out = dst ?? new Float32Array(planar.length);
  checkOut("interleave", out.length, planar.length);
  kernels(options).interleave(planar, channels, out);
  return out;
}

/**
 * Interleaved `[frame][channel]` -> planar `[channel][frame]`.
 *
 * @param src Interleaved samples.
 * @param channels Channel count (1..64).
 * @param dst Output; allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} for a bad channel count or length.
 *
 * @example
 * ```ts
 * import { deinterleave } from "./convert.ts";
 * console.log(deinterleave(new Float32Array([1, 3, 2, 4]), 2)); // Float32Array [1, 2, 3, 4]
 * ```
 */
export function deinterleave(
  src: Float32Array,
  channels: number,
  dst?: Float32Array,
  options?: ConvertOptions,
): Float32Array {
  checkChannels("deinterleave", src.length, channels);
  const out = dst ?? new Float32Array(src.length);
  checkOut("deinterleave", out.length, src.length);
  kernels(options).deinterleave(src, channels, out);
  return out;
}

/**
 * Interleaved N-channel audio -> mono, averaging the channels.
 *
 * @param src Interleaved samples.
 * @param channels Channel count (1..64).
 * @param dst Output (at least `src.length / channels`); allocated when omitted.
 * @param options Backend selection.
 * @returns `dst` (or the new array).
 * @throws {RangeError} for a bad channel count or length.
 *
 * @example
 * ```ts
 * import { downmix } from "./convert.ts";
 * console.log(downmix(new Float32Array([1, 0, 0.5, 0.5]), 2)); // Float32Array [0.5, 0.5]
 * ```
 */
export function downmix(
  src: Float32Array,
  channels: number,
  dst?: Float32Array,
  options?: ConvertOptions,
): Float32Array {
  const frames = checkChannels("downmix", src.length, channels);
  const out = dst ?? new Float32Array(frames);
  checkOut("downmix", out.length, frames);
  kernels(options).downmix(src, channels, out);
  return out;
}

/**
 * Multiply samples by `gain`, in place.
 *
 * @param buf Samples to scale.
 * @param gain A finite linear gain.
 * @param options Backend selection.
 * @returns `buf`.
 * @throws {RangeError} for a non-finite gain.
 *
 * @example
 * ```ts
 * import { applyGain } from "./convert.ts";
 * console.log(applyGain(new Float32Array([0.5, -0.25]), 2)); // Float32Array [1, -0.5]
 * ```
 */
export function applyGain(buf: Float32Array, gain: number, options?: ConvertOptions): Float32Array {
  if (!Number.isFinite(gain)) throw new RangeError(`Cannot apply gain: ${gain} is not finite`);
  kernels(options).gain(buf, gain);
  return buf;
}
