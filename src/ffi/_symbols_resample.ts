/** FFI symbols of the resample family (see native/include/remotemedia.h). @module */

/** Symbols of the resample family; spread into `symbols` by `symbols.ts`. */
export const resampleSymbols = {
  // rm_resampler *rm_resampler_new(uint32_t in_rate, uint32_t out_rate, uint32_t channels, uint32_t quality)
  rm_resampler_new: { parameters: ["u32", "u32", "u32", "u32"], result: "pointer" },
  // void rm_resampler_free(rm_resampler *h)
  rm_resampler_free: { parameters: ["pointer"], result: "void" },
  // int32_t rm_resampler_process(rm_resampler *h, const float *input, uint32_t n, float *output, uint32_t out_len, uint32_t *out_written)
  rm_resampler_process: {
    parameters: ["pointer", "buffer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  // int32_t rm_resampler_flush(rm_resampler *h, float *output, uint32_t out_len, uint32_t *out_written)
  rm_resampler_flush: { parameters: ["pointer", "buffer", "u32", "buffer"], result: "i32" },
  // int32_t rm_resampler_reset(rm_resampler *h)
  rm_resampler_reset: { parameters: ["pointer"], result: "i32" },
  // int32_t rm_resampler_delay(rm_resampler *h, uint32_t *out)
  rm_resampler_delay: { parameters: ["pointer", "buffer"], result: "i32" },
  // int32_t rm_resampler_output_frames_next(rm_resampler *h, uint32_t input_frames, uint32_t *out)
  rm_resampler_output_frames_next: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  // int32_t rm_resampler_input_frames_next(rm_resampler *h, uint32_t output_frames, uint32_t *out)
  rm_resampler_input_frames_next: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  // int32_t rm_resampler_flush_frames(rm_resampler *h, uint32_t *out)
  rm_resampler_flush_frames: { parameters: ["pointer", "buffer"], result: "i32" },
  // int32_t rm_resampler_info(rm_resampler *h, uint32_t *out, uint32_t n)
  rm_resampler_info: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  // const float *rm_resampler_last_output(rm_resampler *h)
  rm_resampler_last_output: { parameters: ["pointer"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;
