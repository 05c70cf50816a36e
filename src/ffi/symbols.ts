/**
 * The one symbol table of the native library: every `rm_*` function with its FFI types.
 * Each parameter is commented with its C type from `native/include/remotemedia.h`;
 * `tests/abi_contract_test.ts` checks header, library exports and this table agree.
 *
 * Lengths are `u32` (V8 fast calls; a `usize` passed a JS number is ~140 ns slower).
 * Families live in `_symbols_<family>.ts` and are spread into one object here.
 *
 * @module
 */

import { deviceSymbols } from "./_symbols_device.ts";
import { fftSymbols } from "./_symbols_fft.ts";
import { melSymbols } from "./_symbols_mel.ts";
import { resampleSymbols } from "./_symbols_resample.ts";
import { vadSymbols } from "./_symbols_vad.ts";

/** Core, diagnostics, conversion and pool symbols. */
export const coreSymbols = {
  // uint32_t rm_abi_version(void)
  rm_abi_version: { parameters: [], result: "u32" },
  // const char *rm_version(void)
  rm_version: { parameters: [], result: "pointer" },
  // const char *rm_status_str(int32_t code)
  rm_status_str: { parameters: ["i32"], result: "pointer" },
  // uint32_t rm_last_error(uint8_t *buf, uint32_t cap)
  rm_last_error: { parameters: ["buffer", "u32"], result: "u32" },

  // const uint8_t *rm_debug_addr(const uint8_t *p, uint32_t len)
  rm_debug_addr: { parameters: ["buffer", "u32"], result: "pointer" },
  // int32_t rm_debug_panic(void)
  rm_debug_panic: { parameters: [], result: "i32" },
  // int32_t rm_noop(void)
  rm_noop: { parameters: [], result: "i32" },
  // int32_t rm_debug_fill(float *p, uint32_t n, float value)
  rm_debug_fill: { parameters: ["pointer", "u32", "f32"], result: "i32" },
  // double rm_debug_sum(const float *p, uint32_t n)
  rm_debug_sum: { parameters: ["pointer", "u32"], result: "f64" },

  // int32_t rm_i16_to_f32(const int16_t *src, uint32_t n, float *dst, uint32_t dst_len)
  rm_i16_to_f32: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_f32_to_i16(const float *src, uint32_t n, int16_t *dst, uint32_t dst_len)
  rm_f32_to_i16: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_i24_to_f32(const uint8_t *src, uint32_t n_bytes, float *dst, uint32_t dst_len)
  rm_i24_to_f32: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_f32_to_i24(const float *src, uint32_t n, uint8_t *dst, uint32_t dst_bytes)
  rm_f32_to_i24: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_i32_to_f32(const int32_t *src, uint32_t n, float *dst, uint32_t dst_len)
  rm_i32_to_f32: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_f32_to_i32(const float *src, uint32_t n, int32_t *dst, uint32_t dst_len)
  rm_f32_to_i32: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_u8_to_f32(const uint8_t *src, uint32_t n, float *dst, uint32_t dst_len)
  rm_u8_to_f32: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_f64_to_f32(const double *src, uint32_t n, float *dst, uint32_t dst_len)
  rm_f64_to_f32: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_interleave(const float *src, uint32_t n, uint32_t channels, float *dst, uint32_t dst_len)
  rm_interleave: { parameters: ["buffer", "u32", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_deinterleave(const float *src, uint32_t n, uint32_t channels, float *dst, uint32_t dst_len)
  rm_deinterleave: { parameters: ["buffer", "u32", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_downmix(const float *src, uint32_t n, uint32_t channels, float *dst, uint32_t dst_len)
  rm_downmix: { parameters: ["buffer", "u32", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_gain(float *buf, uint32_t n, float gain)
  rm_gain: { parameters: ["buffer", "u32", "f32"], result: "i32" },

  // rm_pool *rm_pool_new(void)
  rm_pool_new: { parameters: [], result: "pointer" },
  // void rm_pool_free(rm_pool *pool)
  rm_pool_free: { parameters: ["pointer"], result: "void" },
  // uint8_t *rm_pool_acquire(rm_pool *pool, uint32_t bytes)
  rm_pool_acquire: { parameters: ["pointer", "u32"], result: "pointer" },
  // int32_t rm_pool_release(rm_pool *pool, uint8_t *block)
  rm_pool_release: { parameters: ["pointer", "pointer"], result: "i32" },
  // int32_t rm_pool_stats(rm_pool *pool, uint64_t *out, uint32_t n)
  rm_pool_stats: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** Every symbol the TypeScript side binds, as one object. */
export const symbols = {
  ...coreSymbols,
  ...fftSymbols,
  ...resampleSymbols,
  ...melSymbols,
  ...vadSymbols,
  ...deviceSymbols,
} as const satisfies Deno.ForeignLibraryInterface;

/** The ABI version this TypeScript code was written against. */
export const EXPECTED_ABI_VERSION = 1;

/** The typed symbol object of the loaded library. */
export type NativeSymbols = Deno.DynamicLibrary<typeof symbols>["symbols"];
