/** FFI symbols of the device family (see native/include/remotemedia.h). @module */

/** Symbols of the device family; spread into `symbols` by `symbols.ts`. */
export const deviceSymbols = {
  // uint32_t rm_device_count(void)
  rm_device_count: { parameters: [], result: "u32" },
  // int32_t rm_device_describe(uint32_t index, uint8_t *buf, uint32_t cap)
  rm_device_describe: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  // int32_t rm_ort_load(const uint8_t *path, uint32_t path_len)
  rm_ort_load: { parameters: ["buffer", "u32"], result: "i32" },
  // int32_t rm_ort_info(uint8_t *buf, uint32_t cap)
  rm_ort_info: { parameters: ["buffer", "u32"], result: "i32" },

  // rm_queue *rm_queue_new(uint32_t device, uint32_t threads)
  rm_queue_new: { parameters: ["u32", "u32"], result: "pointer" },
  // void rm_queue_free(rm_queue *queue)
  rm_queue_free: { parameters: ["pointer"], result: "void" },
  // int32_t rm_queue_shutdown(rm_queue *queue)
  rm_queue_shutdown: { parameters: ["pointer"], result: "i32" },
  // int32_t rm_queue_submit_empty(rm_queue *queue)
  rm_queue_submit_empty: { parameters: ["pointer"], result: "i32" },
  // int32_t rm_queue_submit_gain(rm_queue *queue, float *buf, uint32_t n, float gain)
  rm_queue_submit_gain: { parameters: ["pointer", "pointer", "u32", "f32"], result: "i32" },
  // int32_t rm_queue_submit_dot(rm_queue *queue, const float *a, const float *b, uint32_t n, float *out)
  rm_queue_submit_dot: {
    parameters: ["pointer", "pointer", "pointer", "u32", "pointer"],
    result: "i32",
  },
  // int32_t rm_queue_submit_load(rm_queue *queue, rm_onnx_session *session)
  rm_queue_submit_load: { parameters: ["pointer", "pointer"], result: "i32" },
  // int32_t rm_queue_submit_run(rm_queue *queue, rm_onnx_binding *binding)
  rm_queue_submit_run: { parameters: ["pointer", "pointer"], result: "i32" },
  // int32_t rm_queue_wait(rm_queue *queue, uint32_t timeout_ms) -- blocks: run off-thread
  rm_queue_wait: { parameters: ["pointer", "u32"], result: "i32", nonblocking: true },
  // int32_t rm_queue_poll(rm_queue *queue, int32_t *out, uint32_t n)
  rm_queue_poll: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  // int32_t rm_queue_job_error(rm_queue *queue, int32_t ticket)
  rm_queue_job_error: { parameters: ["pointer", "i32"], result: "i32" },
  // int32_t rm_queue_set_callback(rm_queue *queue, rm_queue_notify_fn *cb, uint32_t id)
  rm_queue_set_callback: { parameters: ["pointer", "function", "u32"], result: "i32" },
  // int32_t rm_queue_stats(rm_queue *queue, double *out, uint32_t n)
  rm_queue_stats: { parameters: ["pointer", "buffer", "u32"], result: "i32" },

  // rm_onnx_session *rm_onnx_session_new(const uint8_t *path, uint32_t path_len, uint32_t provider, uint32_t kind, uint32_t intra_threads, uint32_t inter_threads, uint32_t opt_level)
  rm_onnx_session_new: {
    parameters: ["buffer", "u32", "u32", "u32", "u32", "u32", "u32"],
    result: "pointer",
  },
  // void rm_onnx_session_free(rm_onnx_session *session)
  rm_onnx_session_free: { parameters: ["pointer"], result: "void" },
  // int32_t rm_onnx_session_load(rm_onnx_session *session)
  rm_onnx_session_load: { parameters: ["pointer"], result: "i32" },
  // int32_t rm_onnx_session_info(rm_onnx_session *session, uint8_t *buf, uint32_t cap)
  rm_onnx_session_info: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  // int32_t rm_onnx_session_stats(rm_onnx_session *session, double *out, uint32_t n)
  rm_onnx_session_stats: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  // rm_onnx_binding *rm_onnx_binding_new(rm_onnx_session *session)
  rm_onnx_binding_new: { parameters: ["pointer"], result: "pointer" },
  // void rm_onnx_binding_free(rm_onnx_binding *binding)
  rm_onnx_binding_free: { parameters: ["pointer"], result: "void" },
  // int32_t rm_onnx_binding_bind(rm_onnx_binding *binding, uint32_t is_output, const uint8_t *name, uint32_t name_len, uint32_t elem_type, const int64_t *shape, uint32_t rank, uint8_t *data, uint32_t bytes)
  rm_onnx_binding_bind: {
    parameters: ["pointer", "u32", "buffer", "u32", "u32", "buffer", "u32", "pointer", "u32"],
    result: "i32",
  },
  // const uint8_t *rm_onnx_binding_data_ptr(rm_onnx_binding *binding, uint32_t is_output, const uint8_t *name, uint32_t name_len)
  rm_onnx_binding_data_ptr: {
    parameters: ["pointer", "u32", "buffer", "u32"],
    result: "pointer",
  },
  // int32_t rm_onnx_binding_run(rm_onnx_binding *binding)
  rm_onnx_binding_run: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;
