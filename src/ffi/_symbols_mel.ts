/** FFI symbols of the mel family (see native/include/remotemedia.h). @module */

/** Symbols of the mel family; spread into `symbols` by `symbols.ts`. */
export const melSymbols = {
  // int32_t rm_mel_batch(const float *samples, uint32_t n, uint32_t n_mels, uint32_t layout,
  //                      uint32_t threads, float *out, uint32_t out_len)
  rm_mel_batch: {
    parameters: ["buffer", "u32", "u32", "u32", "u32", "buffer", "u32"],
    result: "i32",
  },
  // int32_t rm_mel_batch_nonblocking(const float *samples, uint32_t n, uint32_t n_mels,
  //                                  uint32_t layout, uint32_t threads, float *out, uint32_t out_len)
  rm_mel_batch_nonblocking: {
    parameters: ["buffer", "u32", "u32", "u32", "u32", "buffer", "u32"],
    result: "i32",
    nonblocking: true,
  },
  // int32_t rm_mel_filters(uint32_t n_mels, float *out, uint32_t out_len)
  rm_mel_filters: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  // rm_mel_stream *rm_mel_stream_new(uint32_t n_mels, uint32_t layout, uint32_t capacity_frames)
  rm_mel_stream_new: { parameters: ["u32", "u32", "u32"], result: "pointer" },
  // void rm_mel_stream_free(rm_mel_stream *h)
  rm_mel_stream_free: { parameters: ["pointer"], result: "void" },
  // int32_t rm_mel_stream_push(rm_mel_stream *h, const float *samples, uint32_t n)
  rm_mel_stream_push: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  // int32_t rm_mel_stream_finish(rm_mel_stream *h, float *out, uint32_t out_len)
  rm_mel_stream_finish: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  // int32_t rm_mel_stream_reset(rm_mel_stream *h)
  rm_mel_stream_reset: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;
