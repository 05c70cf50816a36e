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
/* Real FFT of any length n (1..4194304). Spectrum: n/2+1 interleaved re,im pairs.
 * forward is unnormalized; inverse scales by 1/n. Plans are cached and shared. */
typedef struct rm_fft rm_fft;
rm_fft *rm_fft_new(uint32_t n);
void rm_fft_free(rm_fft *h);
uint32_t rm_fft_size(rm_fft *h);
const uint8_t *rm_fft_plan_addr(rm_fft *h);
const char *rm_fft_isa(rm_fft *h);
int32_t rm_fft_forward(rm_fft *h, const float *input, uint32_t n, float *out, uint32_t out_len);
int32_t rm_fft_inverse(rm_fft *h, const float *input, uint32_t in_len, float *out, uint32_t out_len);

/* ---- resample (issue 3) ---------------------------------------------------- */
typedef struct rm_resampler rm_resampler;
rm_resampler *rm_resampler_new(uint32_t in_rate, uint32_t out_rate, uint32_t channels, uint32_t quality);
void rm_resampler_free(rm_resampler *h);
int32_t rm_resampler_process(rm_resampler *h, const float *input, uint32_t n, float *output, uint32_t out_len, uint32_t *out_written);
int32_t rm_resampler_flush(rm_resampler *h, float *output, uint32_t out_len, uint32_t *out_written);
int32_t rm_resampler_reset(rm_resampler *h);
int32_t rm_resampler_delay(rm_resampler *h, uint32_t *out);
int32_t rm_resampler_output_frames_next(rm_resampler *h, uint32_t input_frames, uint32_t *out);
int32_t rm_resampler_input_frames_next(rm_resampler *h, uint32_t output_frames, uint32_t *out);
int32_t rm_resampler_flush_frames(rm_resampler *h, uint32_t *out);
int32_t rm_resampler_info(rm_resampler *h, uint32_t *out, uint32_t n);
const float *rm_resampler_last_output(rm_resampler *h);

/* ---- mel (issue 3) --------------------------------------------------------- */
/* Whisper log-mel at 16 kHz: n_mels 80 or 128; n_frames = n / 160 (n >= 201).
 * layout: 0 = [n_mels][n_frames], 1 = [n_frames][n_mels]. rm_mel_batch_nonblocking is the
 * same function under a second name, for a nonblocking binding. Stream push/finish return
 * a frame count (>= 0) or a negative status; finish resets the stream. */
typedef struct rm_mel_stream rm_mel_stream;
int32_t rm_mel_batch(const float *samples, uint32_t n, uint32_t n_mels, uint32_t layout, uint32_t threads, float *out, uint32_t out_len);
int32_t rm_mel_batch_nonblocking(const float *samples, uint32_t n, uint32_t n_mels, uint32_t layout, uint32_t threads, float *out, uint32_t out_len);
int32_t rm_mel_filters(uint32_t n_mels, float *out, uint32_t out_len);
rm_mel_stream *rm_mel_stream_new(uint32_t n_mels, uint32_t layout, uint32_t capacity_frames);
void rm_mel_stream_free(rm_mel_stream *h);
int32_t rm_mel_stream_push(rm_mel_stream *h, const float *samples, uint32_t n);
int32_t rm_mel_stream_finish(rm_mel_stream *h, float *out, uint32_t out_len);
int32_t rm_mel_stream_reset(rm_mel_stream *h);

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
/* Devices: the native cpu device, then one per available ONNX Runtime provider.
 * Provider codes: 0 auto, 1 VitisAI, 2 OpenVINO, 3 QNN, 4 CUDA, 5 CPU (tried in that
 * order). Kind codes: 0 any, 1 cpu, 2 gpu, 3 npu. Forcing an unavailable provider or
 * kind makes the load job fail with RM_ERR_DEVICE_UNAVAILABLE. Tickets are >= 0.
 * Buffers given to submit/bind calls stay valid and untouched until completion. */
typedef struct rm_queue rm_queue;
typedef struct rm_onnx_session rm_onnx_session;
typedef struct rm_onnx_binding rm_onnx_binding;
typedef void (rm_queue_notify_fn)(uint32_t id);
uint32_t rm_device_count(void);
int32_t rm_device_describe(uint32_t index, uint8_t *buf, uint32_t cap);
int32_t rm_ort_load(const uint8_t *path, uint32_t path_len);
int32_t rm_ort_info(uint8_t *buf, uint32_t cap);
rm_queue *rm_queue_new(uint32_t device, uint32_t threads);
void rm_queue_free(rm_queue *queue);
int32_t rm_queue_shutdown(rm_queue *queue);
int32_t rm_queue_submit_empty(rm_queue *queue);
int32_t rm_queue_submit_gain(rm_queue *queue, float *buf, uint32_t n, float gain);
int32_t rm_queue_submit_dot(rm_queue *queue, const float *a, const float *b, uint32_t n, float *out);
int32_t rm_queue_submit_load(rm_queue *queue, rm_onnx_session *session);
int32_t rm_queue_submit_run(rm_queue *queue, rm_onnx_binding *binding);
int32_t rm_queue_wait(rm_queue *queue, uint32_t timeout_ms);
int32_t rm_queue_poll(rm_queue *queue, int32_t *out, uint32_t n);
int32_t rm_queue_job_error(rm_queue *queue, int32_t ticket);
int32_t rm_queue_set_callback(rm_queue *queue, rm_queue_notify_fn *cb, uint32_t id);
int32_t rm_queue_stats(rm_queue *queue, double *out, uint32_t n);
rm_onnx_session *rm_onnx_session_new(const uint8_t *path, uint32_t path_len, uint32_t provider, uint32_t kind, uint32_t intra_threads, uint32_t inter_threads, uint32_t opt_level);
void rm_onnx_session_free(rm_onnx_session *session);
int32_t rm_onnx_session_load(rm_onnx_session *session);
int32_t rm_onnx_session_info(rm_onnx_session *session, uint8_t *buf, uint32_t cap);
int32_t rm_onnx_session_stats(rm_onnx_session *session, double *out, uint32_t n);
rm_onnx_binding *rm_onnx_binding_new(rm_onnx_session *session);
void rm_onnx_binding_free(rm_onnx_binding *binding);
int32_t rm_onnx_binding_bind(rm_onnx_binding *binding, uint32_t is_output, const uint8_t *name, uint32_t name_len, uint32_t elem_type, const int64_t *shape, uint32_t rank, uint8_t *data, uint32_t bytes);
const uint8_t *rm_onnx_binding_data_ptr(rm_onnx_binding *binding, uint32_t is_output, const uint8_t *name, uint32_t name_len);
int32_t rm_onnx_binding_run(rm_onnx_binding *binding);

#ifdef __cplusplus
}
#endif

#endif /* REMOTEMEDIA_H */
