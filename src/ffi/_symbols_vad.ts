/** FFI symbols of the vad family (see native/include/remotemedia.h). @module */

/** Symbols of the vad family; spread into `symbols` by `symbols.ts`. */
export const vadSymbols = {
  // rm_vad *rm_vad_new(uint32_t sample_rate, uint32_t frame_ms, uint32_t mode)
  rm_vad_new: { parameters: ["u32", "u32", "u32"], result: "pointer" },
  // void rm_vad_free(rm_vad *vad)
  rm_vad_free: { parameters: ["pointer"], result: "void" },
  // uint32_t rm_vad_frame_samples(rm_vad *vad)
  rm_vad_frame_samples: { parameters: ["pointer"], result: "u32" },
  // int32_t rm_vad_process(rm_vad *vad, const float *frame, uint32_t n)
  rm_vad_process: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  // int32_t rm_vad_process_buffer(rm_vad *vad, const float *samples, uint32_t n,
  //                               uint8_t *decisions, uint32_t decisions_len,
  //                               uint32_t *out_frames)
  rm_vad_process_buffer: {
    parameters: ["pointer", "buffer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  // int32_t rm_vad_reset(rm_vad *vad)
  rm_vad_reset: { parameters: ["pointer"], result: "i32" },
  // int32_t rm_vad_statistic(rm_vad *vad, double *out, uint32_t n)
  rm_vad_statistic: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  // const char *rm_vad_kernel(rm_vad *vad)
  rm_vad_kernel: { parameters: ["pointer"], result: "pointer" },
  // int32_t rm_vad_segments(const uint8_t *decisions, uint32_t n, uint32_t frame_ms,
  //                         uint32_t min_speech_ms, uint32_t min_silence_ms,
  //                         uint32_t pad_ms, double *out, uint32_t out_len,
  //                         uint32_t *out_count)
  rm_vad_segments: {
    parameters: ["buffer", "u32", "u32", "u32", "u32", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;
