/** FFI symbols of the fft family (see native/include/remotemedia.h). @module */

/** Symbols of the fft family; spread into `symbols` by `symbols.ts`. */
export const fftSymbols = {
  // rm_fft *rm_fft_new(uint32_t n)
  rm_fft_new: { parameters: ["u32"], result: "pointer" },
  // void rm_fft_free(rm_fft *h)
  rm_fft_free: { parameters: ["pointer"], result: "void" },
  // uint32_t rm_fft_size(rm_fft *h)
  rm_fft_size: { parameters: ["pointer"], result: "u32" },
  // const uint8_t *rm_fft_plan_addr(rm_fft *h)
  rm_fft_plan_addr: { parameters: ["pointer"], result: "pointer" },
  // const char *rm_fft_isa(rm_fft *h)
  rm_fft_isa: { parameters: ["pointer"], result: "pointer" },
  // int32_t rm_fft_forward(rm_fft *h, const float *input, uint32_t n, float *out, uint32_t out_len)
  rm_fft_forward: { parameters: ["pointer", "buffer", "u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_fft_inverse(rm_fft *h, const float *input, uint32_t in_len, float *out, uint32_t out_len)
  rm_fft_inverse: { parameters: ["pointer", "buffer", "u32", "buffer", "u32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;
