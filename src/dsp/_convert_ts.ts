// Pure-TypeScript conversion kernels: the fallback where FFI is not allowed and the
// readable reference. Same conventions as native/src/dsp/convert.rs.

import type { NativeConvert } from "../ffi/convert.ts";

const MAGIC = 6755399441055744; // 1.5 * 2^52: (x + MAGIC) - MAGIC rounds half to even

function rintClamp(x: number, lo: number, hi: number): number {
  if (x !== x) return 0; // NaN
  if (x <= lo) return lo;
  if (x >= hi) return hi;
  return (x + MAGIC) - MAGIC;
}

/** TS implementations with the same signatures as the native bindings. */
export const tsConvert: NativeConvert = {
  i16ToF32(src, dst) {
    for (let i = 0; i < src.length; i++) dst[i] = src[i]! / 32768;
  },
  f32ToI16(src, dst) {
    for (let i = 0; i < src.length; i++) dst[i] = rintClamp(src[i]! * 32768, -32768, 32767);
  },
  i24ToF32(src, dst) {
    const n = src.length / 3;
    for (let i = 0; i < n; i++) {
      const v = (src[3 * i]! | (src[3 * i + 1]! << 8) | (src[3 * i + 2]! << 16)) << 8 >> 8;
      dst[i] = v / 8388608;
    }
  },
  f32ToI24(src, dst) {
    for (let i = 0; i < src.length; i++) {
      const v = rintClamp(src[i]! * 8388608, -8388608, 8388607);
      dst[3 * i] = v & 0xff;
      dst[3 * i + 1] = (v >> 8) & 0xff;
      dst[3 * i + 2] = (v >> 16) & 0xff;
    }
  },
  i32ToF32(src, dst) {
    for (let i = 0; i < src.length; i++) dst[i] = src[i]! / 2147483648;
  },
  f32ToI32(src, dst) {
    for (let i = 0; i < src.length; i++) {
      dst[i] = rintClamp(src[i]! * 2147483648, -2147483648, 2147483647);
    }
  },
  u8ToF32(src, dst) {
    for (let i = 0; i < src.length; i++) dst[i] = (src[i]! - 128) / 128;
  },
  f64ToF32(src, dst) {
    for (let i = 0; i < src.length; i++) dst[i] = src[i]!;
  },
  interleave(src, ch, dst) {
    const frames = src.length / ch;
    for (let c = 0; c < ch; c++) {
      for (let i = 0; i < frames; i++) dst[i * ch + c] = src[c * frames + i]!;
    }
  },
  deinterleave(src, ch, dst) {
    const frames = src.length / ch;
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < ch; c++) dst[c * frames + i] = src[i * ch + c]!;
    }
  },
  downmix(src, ch, dst) {
    const frames = src.length / ch;
    if (ch === 1) {
      dst.set(src.subarray(0, frames));
      return;
    }
    if (ch === 2) {
      for (let i = 0; i < frames; i++) dst[i] = Math.fround(src[2 * i]! + src[2 * i + 1]!) * 0.5;
      return;
    }
    const scale = Math.fround(1 / ch);
    for (let i = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < ch; c++) s = Math.fround(s + src[i * ch + c]!);
      dst[i] = s * scale;
    }
  },
  gain(buf, g) {
    for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! * g;
  },
};
