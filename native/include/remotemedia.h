/*
 * remotemedia.h - the C ABI of the remotemedia native library.
 *
 * Conventions:
 *  - Every fallible function returns int32_t: 0 = RM_OK, negative = an rm_status code.
 *    rm_last_error() copies a thread-local message describing the last failure.
 *  - Constructors return an opaque pointer, NULL on failure; rm_<thing>_free(NULL) is a no-op.
 *  - Every pointer is followed by its length (uint32_t element counts unless stated).
 *  - Out-params are written only on success. Input and output buffers must not overlap.
 *  - No function aborts the process on bad input: panics are caught and become
 *    RM_ERR_PANIC.
 *
 * This header is checked against the library's exports and src/ffi/symbols.ts by
 * tests/abi_contract_test.ts. Keep one declaration per line.
 */
#ifndef REMOTEMEDIA_H
#define REMOTEMEDIA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RM_ABI_VERSION 1

typedef enum rm_status {
  RM_OK = 0,
  RM_ERR_NULL_POINTER = -1,
  RM_ERR_INVALID_ARGUMENT = -2,
  RM_ERR_BUFFER_TOO_SMALL = -3,
  RM_ERR_UNSUPPORTED = -4,
  RM_ERR_DEVICE_UNAVAILABLE = -5,
  RM_ERR_PANIC = -6,
  RM_ERR_INVALID_HANDLE = -7,
  RM_ERR_OUT_OF_MEMORY = -8,
  RM_ERR_IO = -9,
  RM_ERR_BACKEND = -10,
  RM_ERR_BUSY = -11,
  RM_ERR_TIMEOUT = -12,
  RM_ERR_CANCELLED = -13
} rm_status;

/* ---- core ---------------------------------------------------------------- */
uint32_t rm_abi_version(void);
const char *rm_version(void);
const char *rm_status_str(int32_t code);
uint32_t rm_last_error(uint8_t *buf, uint32_t cap);

/* ---- diagnostics (tests and benchmarks) ----------------------------------- */
const uint8_t *rm_debug_addr(const uint8_t *p, uint32_t len);
int32_t rm_debug_panic(void);
int32_t rm_noop(void);
int32_t rm_debug_fill(float *p, uint32_t n, float value);
double rm_debug_sum(const float *p, uint32_t n);

/* ---- sample format, layout, gain ------------------------------------------ */
int32_t rm_i16_to_f32(const int16_t *src, uint32_t n, float *dst, uint32_t dst_len);
int32_t rm_f32_to_i16(const float *src, uint32_t n, int16_t *dst, uint32_t dst_len);
int32_t rm_i24_to_f32(const uint8_t *src, uint32_t n_bytes, float *dst, uint32_t dst_len);
int32_t rm_f32_to_i24(const float *src, uint32_t n, uint8_t *dst, uint32_t dst_bytes);
int32_t rm_i32_to_f32(const int32_t *src, uint32_t n, float *dst, uint32_t dst_len);
int32_t rm_f32_to_i32(const float *src, uint32_t n, int32_t *dst, uint32_t dst_len);
int32_t rm_u8_to_f32(const uint8_t *src, uint32_t n, float *dst, uint32_t dst_len);
int32_t rm_f64_to_f32(const double *src, uint32_t n, float *dst, uint32_t dst_len);
int32_t rm_interleave(const float *src, uint32_t n, uint32_t channels, float *dst, uint32_t dst_len);
int32_t rm_deinterleave(const float *src, uint32_t n, uint32_t channels, float *dst, uint32_t dst_len);
int32_t rm_downmix(const float *src, uint32_t n, uint32_t channels, float *dst, uint32_t dst_len);
int32_t rm_gain(float *buf, uint32_t n, float gain);

/* ---- buffer pool ----------------------------------------------------------- */
typedef struct rm_pool rm_pool;
rm_pool *rm_pool_new(void);
void rm_pool_free(rm_pool *pool);
uint8_t *rm_pool_acquire(rm_pool *pool, uint32_t bytes);
int32_t rm_pool_release(rm_pool *pool, uint8_t *block);
int32_t rm_pool_stats(rm_pool *pool, uint64_t *out, uint32_t n);

/* ---- fft (issue 3) --------------------------------------------------------- */

/* ---- resample (issue 3) ---------------------------------------------------- */

/* ---- mel (issue 3) --------------------------------------------------------- */

/* ---- vad (issue 3) --------------------------------------------------------- */
typedef struct rm_vad rm_vad;
rm_vad *rm_vad_new(uint32_t sample_rate, uint32_t frame_ms, uint32_t mode);
void rm_vad_free(rm_vad *vad);
uint32_t rm_vad_frame_samples(rm_vad *vad);
int32_t rm_vad_process(rm_vad *vad, const float *frame, uint32_t n);
int32_t rm_vad_process_buffer(rm_vad *vad, const float *samples, uint32_t n, uint8_t *decisions, uint32_t decisions_len, uint32_t *out_frames);
int32_t rm_vad_reset(rm_vad *vad);
int32_t rm_vad_statistic(rm_vad *vad, double *out, uint32_t n);
const char *rm_vad_kernel(rm_vad *vad);
int32_t rm_vad_segments(const uint8_t *decisions, uint32_t n, uint32_t frame_ms, uint32_t min_speech_ms, uint32_t min_silence_ms, uint32_t pad_ms, double *out, uint32_t out_len, uint32_t *out_count);

/* ---- device dispatch (issue 6) --------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_H */
