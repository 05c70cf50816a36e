/**
 * Native bindings of the conversion kernels: thin, allocation-free calls that pass typed
 * arrays in place (`"buffer"` parameters) and turn a negative status into `NativeError`.
 *
 * @module
 */

import type { NativeLibrary } from "./loader.ts";

/** Native conversion kernels bound to one library. */
export interface NativeConvert {
  i16ToF32(src: Int16Array, dst: Float32Array): void;
  f32ToI16(src: Float32Array, dst: Int16Array): void;
  i24ToF32(src: Uint8Array, dst: Float32Array): void;
  f32ToI24(src: Float32Array, dst: Uint8Array): void;
  i32ToF32(src: Int32Array, dst: Float32Array): void;
  f32ToI32(src: Float32Array, dst: Int32Array): void;
  u8ToF32(src: Uint8Array, dst: Float32Array): void;
  f64ToF32(src: Float64Array, dst: Float32Array): void;
  interleave(src: Float32Array, channels: number, dst: Float32Array): void;
  deinterleave(src: Float32Array, channels: number, dst: Float32Array): void;
  downmix(src: Float32Array, channels: number, dst: Float32Array): void;
  gain(buf: Float32Array, gain: number): void;
}

const cache = new WeakMap<NativeLibrary, NativeConvert>();

/**
 * The conversion kernels of `lib` (one object per library).
 *
 * @param lib A loaded native library.
 * @returns The bound kernels.
 */
export function nativeConvert(lib: NativeLibrary): NativeConvert {
  const hit = cache.get(lib);
  if (hit) return hit;
  const s = lib.symbols;
  // Fast path: one comparison; the error path goes through the library's check.
  const ok = (status: number, symbol: string): void => {
    if (status !== 0) lib.check(status, symbol);
  };
  const c: NativeConvert = {
    i16ToF32: (src, dst) => ok(s.rm_i16_to_f32(src, src.length, dst, dst.length), "rm_i16_to_f32"),
    f32ToI16: (src, dst) => ok(s.rm_f32_to_i16(src, src.length, dst, dst.length), "rm_f32_to_i16"),
    i24ToF32: (src, dst) => ok(s.rm_i24_to_f32(src, src.length, dst, dst.length), "rm_i24_to_f32"),
    f32ToI24: (src, dst) => ok(s.rm_f32_to_i24(src, src.length, dst, dst.length), "rm_f32_to_i24"),
    i32ToF32: (src, dst) => ok(s.rm_i32_to_f32(src, src.length, dst, dst.length), "rm_i32_to_f32"),
    f32ToI32: (src, dst) => ok(s.rm_f32_to_i32(src, src.length, dst, dst.length), "rm_f32_to_i32"),
    u8ToF32: (src, dst) => ok(s.rm_u8_to_f32(src, src.length, dst, dst.length), "rm_u8_to_f32"),
    f64ToF32: (src, dst) => ok(s.rm_f64_to_f32(src, src.length, dst, dst.length), "rm_f64_to_f32"),
    interleave: (src, ch, dst) =>
      ok(s.rm_interleave(src, src.length, ch, dst, dst.length), "rm_interleave"),
    deinterleave: (src, ch, dst) =>
      ok(s.rm_deinterleave(src, src.length, ch, dst, dst.length), "rm_deinterleave"),
    downmix: (src, ch, dst) => ok(s.rm_downmix(src, src.length, ch, dst, dst.length), "rm_downmix"),
    gain: (buf, g) => ok(s.rm_gain(buf, buf.length, g), "rm_gain"),
  };
  cache.set(lib, c);
  return c;
}
