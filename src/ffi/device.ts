/**
 * Native bindings of the device family: device descriptions, the ONNX Runtime loader,
 * device queues with asynchronous completion, ONNX sessions and zero-copy bindings.
 * The only TypeScript that calls the `rm_device_*`, `rm_ort_*`, `rm_queue_*` and
 * `rm_onnx_*` symbols.
 *
 * Completion reaches JS in one of two ways (measured in `bench/device_bench.ts`):
 * - `"wait"` (default): one `nonblocking` `rm_queue_wait` call is outstanding while jobs
 *   are pending; when it settles, every ready completion is polled in one sync call.
 * - `"callback"`: a native notifier thread calls one process-wide
 *   `Deno.UnsafeCallback.threadSafe`, which polls. Ref'ed only while jobs are pending.
 *
 * @module
 */

import type { NativeLibrary } from "./loader.ts";

/** How completions of a device queue reach the JS thread. */
export type CompletionMode = "wait" | "callback";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Call a `(buf, cap) -> full length` describer and parse its JSON. */
function readJson(
  lib: NativeLibrary,
  symbol: string,
  call: (buf: Uint8Array, cap: number) => number,
): unknown {
  let buf = new Uint8Array(4096);
  for (;;) {
    const n = call(buf, buf.length);
    lib.check(n, symbol);
    if (n < buf.length) return JSON.parse(decoder.decode(buf.subarray(0, n)));
    buf = new Uint8Array(n + 1);
  }
}

/**
 * Number of devices the native library lists now.
 * @param lib The native library.
 * @returns The count (the cpu device plus available ONNX providers).
 */
export function nativeDeviceCount(lib: NativeLibrary): number {
  return lib.symbols.rm_device_count();
}

/**
 * The raw JSON description of device `index`.
 * @param lib The native library.
 * @param index Device index.
 * @returns The parsed description.
 * @throws {NativeError} for an index out of range.
 */
export function nativeDescribeDevice(lib: NativeLibrary, index: number): unknown {
  return readJson(
    lib,
    "rm_device_describe",
    (b, c) => lib.symbols.rm_device_describe(index, b, c),
  );
}

/**
 * Load ONNX Runtime's C library (once per process).
 * @param lib The native library.
 * @param path Path of `libonnxruntime.so.1` (or the platform's equivalent).
 * @throws {NativeError} when the library cannot be loaded.
 */
export function nativeOrtLoad(lib: NativeLibrary, path: string): void {
  const p = encoder.encode(path);
  lib.check(lib.symbols.rm_ort_load(p, p.length), "rm_ort_load");
}

/**
 * The raw JSON description of the loaded runtime (`{"loaded":false}` before loading).
 * @param lib The native library.
 * @returns The parsed description.
 */
export function nativeOrtInfo(lib: NativeLibrary): unknown {
  return readJson(lib, "rm_ort_info", (b, c) => lib.symbols.rm_ort_info(b, c));
}

// ---- completion callback (process-wide, never closed) --------------------------------

const callbackQueues = new Map<number, NativeQueue>();
const NOTIFY_DEF = { parameters: ["u32"], result: "void" } as const;
let notifyCallback: Deno.UnsafeCallback<typeof NOTIFY_DEF> | null = null;
let callbackRefs = 0;
let nextQueueId = 1;

function notifyPointer(): Deno.PointerObject {
  // One callback for every queue, created on first use and never closed: a notifier
  // thread may still be delivering a call while a queue is being closed.
  if (notifyCallback === null) {
    notifyCallback = Deno.UnsafeCallback.threadSafe(
      NOTIFY_DEF,
      (id: number) => callbackQueues.get(id)?.drain(),
    );
    notifyCallback.unref();
  }
  return notifyCallback.pointer;
}

function refCallback(on: boolean): void {
  if (notifyCallback === null) return;
  if (on) {
    if (callbackRefs++ === 0) notifyCallback.ref();
  } else if (--callbackRefs === 0) {
    notifyCallback.unref();
  }
}

interface Pending {
  resolve: () => void;
  reject: (e: unknown) => void;
  symbol: string;
  /** Buffers the job reads or writes: kept reachable until it settles. */
  keep: unknown;
}

/** Raw queue statistics, in `rm_queue_stats` order. */
export interface NativeQueueStats {
  submitted: number;
  completed: number;
  failed: number;
  cancelled: number;
  waitNsTotal: number;
  waitNsMax: number;
  execNsTotal: number;
  execNsMin: number;
  execNsMax: number;
  modelRuns: number;
  batchItems: number;
  batchMax: number;
  depthMax: number;
}

/**
 * A native device queue: jobs run on its worker threads; each submit returns a promise
 * settled from the JS thread when the job's completion is polled.
 */
export class NativeQueue {
  #lib: NativeLibrary;
  #handle: Deno.PointerObject | null;
  #pending = new Map<number, Pending>();
  #records = new Int32Array(256);
  #waiting: Promise<void> | null = null;
  #mode: CompletionMode;
  #id: number;
  #refd = false;
  #stats = new Float64Array(13);
  /** Device index served. */
  readonly device: number;

  /**
   * Create a queue for `device`.
   * @param lib The native library.
   * @param device Device index.
   * @param threads Worker threads (1..64).
   * @param mode Completion mode.
   * @throws {NativeError} for a bad device index or thread count.
   */
  constructor(lib: NativeLibrary, device: number, threads: number, mode: CompletionMode) {
    this.#lib = lib;
    this.device = device;
    this.#mode = mode;
    this.#id = nextQueueId++;
    const h = lib.symbols.rm_queue_new(device, threads);
    if (h === null) lib.check(-2, "rm_queue_new");
    this.#handle = h;
    if (mode === "callback") {
      lib.check(
        lib.symbols.rm_queue_set_callback(h, notifyPointer(), this.#id),
        "rm_queue_set_callback",
      );
      callbackQueues.set(this.#id, this);
    }
  }

  /** Jobs submitted and not yet settled. */
  get pending(): number {
    return this.#pending.size;
  }

  /** How completions reach JS. */
  get mode(): CompletionMode {
    return this.#mode;
  }

  #h(op: string): Deno.PointerObject {
    if (this.#handle === null) throw new TypeError(`Cannot ${op}: the device queue is closed`);
    return this.#handle;
  }

  #track(ticket: number, symbol: string, keep: unknown): Promise<void> {
    if (ticket < 0) this.#lib.check(ticket, symbol);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#pending.set(ticket, { resolve, reject, symbol, keep });
    this.#arm();
    return promise;
  }

  #arm(): void {
    const h = this.#handle;
    if (h === null) return;
    if (this.#mode === "callback") {
      const want = this.#pending.size > 0;
      if (want !== this.#refd) {
        this.#refd = want;
        refCallback(want);
      }
      return;
    }
    if (this.#waiting !== null || this.#pending.size === 0) return;
    this.#waiting = this.#lib.symbols.rm_queue_wait(h, 1000).then(() => {
      this.#waiting = null;
      this.drain();
    });
  }

  /** Poll every ready completion and settle its promise (called by the completion path). */
  drain(): void {
    const h = this.#handle;
    if (h === null) return;
    const rec = this.#records;
    const cap = rec.length >>> 1;
    for (;;) {
      const n = this.#lib.symbols.rm_queue_poll(h, rec, rec.length);
      if (n < 0) this.#lib.check(n, "rm_queue_poll");
      for (let i = 0; i < n; i++) {
        const ticket = rec[2 * i]!;
        const status = rec[2 * i + 1]!;
        const p = this.#pending.get(ticket);
        if (p === undefined) continue;
        this.#pending.delete(ticket);
        if (status === 0) {
          p.resolve();
        } else {
          try {
            this.#lib.check(this.#lib.symbols.rm_queue_job_error(h, ticket), p.symbol);
            this.#lib.check(status, p.symbol);
          } catch (e) {
            p.reject(e);
          }
        }
      }
      if (n < cap) break;
    }
    this.#arm();
  }

  /**
   * Submit an empty job.
   * @returns Settles when it completed.
   */
  submitEmpty(): Promise<void> {
    const h = this.#h("submit a job");
    return this.#track(
      this.#lib.symbols.rm_queue_submit_empty(h),
      "rm_queue_submit_empty",
      null,
    );
  }

  /**
   * Submit `buf *= gain`.
   * @param buf Samples, untouched until the promise settles.
   * @param gain Finite gain.
   * @returns Settles when done.
   */
  submitGain(buf: Float32Array, gain: number): Promise<void> {
    const h = this.#h("submit a job");
    const p = buf.length === 0 ? null : Deno.UnsafePointer.of(buf);
    return this.#track(
      this.#lib.symbols.rm_queue_submit_gain(h, p, buf.length, gain),
      "rm_queue_submit_gain",
      buf,
    );
  }

  /**
   * Submit `out[0] = a . b`.
   * @param a First vector.
   * @param b Second vector (same length).
   * @param out One float.
   * @returns Settles when done.
   */
  submitDot(a: Float32Array, b: Float32Array, out: Float32Array): Promise<void> {
    const h = this.#h("submit a job");
    const ptr = (x: Float32Array) => (x.length === 0 ? null : Deno.UnsafePointer.of(x));
    return this.#track(
      this.#lib.symbols.rm_queue_submit_dot(h, ptr(a), ptr(b), a.length, ptr(out)),
      "rm_queue_submit_dot",
      [a, b, out],
    );
  }

  /**
   * Submit the loading of a session.
   * @param session The session.
   * @returns Settles when loaded; rejects with the load error.
   */
  submitLoad(session: NativeOnnxSession): Promise<void> {
    const h = this.#h("load a session");
    return this.#track(
      this.#lib.symbols.rm_queue_submit_load(h, session.handle),
      "rm_queue_submit_load",
      session,
    );
  }

  /**
   * Submit one run of a binding.
   * @param binding The binding (its memory untouched until settled).
   * @param keep Objects to keep reachable until settled (the binding's buffers).
   * @returns Settles when the run completed.
   */
  submitRun(binding: NativeBinding, keep?: unknown): Promise<void> {
    const h = this.#h("run a model");
    return this.#track(
      this.#lib.symbols.rm_queue_submit_run(h, binding.handle),
      "rm_queue_submit_run",
      [binding, keep],
    );
  }

  /**
   * Current statistics.
   * @returns The raw counters.
   */
  stats(): NativeQueueStats {
    const h = this.#h("read stats");
    this.#lib.check(this.#lib.symbols.rm_queue_stats(h, this.#stats, 13), "rm_queue_stats");
    const s = this.#stats;
    return {
      submitted: s[0]!,
      completed: s[1]!,
      failed: s[2]!,
      cancelled: s[3]!,
      waitNsTotal: s[4]!,
      waitNsMax: s[5]!,
      execNsTotal: s[6]!,
      execNsMin: s[7]!,
      execNsMax: s[8]!,
      modelRuns: s[9]!,
      batchItems: s[10]!,
      batchMax: s[11]!,
      depthMax: s[12]!,
    };
  }

  /**
   * Shut down: queued jobs are cancelled, running ones finish; pending promises reject.
   * The native queue is freed once no wait is in flight. Idempotent.
   */
  close(): void {
    const h = this.#handle;
    if (h === null) return;
    this.#lib.symbols.rm_queue_shutdown(h);
    this.drain();
    this.#handle = null;
    callbackQueues.delete(this.#id);
    if (this.#refd) {
      this.#refd = false;
      refCallback(false);
    }
    for (const p of this.#pending.values()) {
      p.reject(new Error("Cannot complete the job: its device queue was closed"));
    }
    this.#pending.clear();
    const free = () => this.#lib.symbols.rm_queue_free(h);
    if (this.#waiting !== null) this.#waiting.then(free, free);
    else free();
  }
}

// ---- sessions and bindings -----------------------------------------------------------

/** Provider codes of `rm_onnx_session_new`. */
export const PROVIDER_CODES = {
  auto: 0,
  VitisAI: 1,
  OpenVINO: 2,
  QNN: 3,
  CUDA: 4,
  CPU: 5,
} as const;
/** Device kind codes of `rm_onnx_session_new`. */
export const KIND_CODES = { auto: 0, cpu: 1, gpu: 2, npu: 3 } as const;

/** Raw session statistics, in `rm_onnx_session_stats` order. */
export interface NativeSessionStats {
  loadNs: number;
  firstRunNs: number;
  steadyRuns: number;
  steadyNsTotal: number;
  steadyNsMin: number;
  steadyNsMax: number;
  errors: number;
  fallbacks: number;
}

/** A native ONNX session handle (created unloaded; load it on a queue). */
export class NativeOnnxSession {
  #lib: NativeLibrary;
  #handle: Deno.PointerObject | null;
  #stats = new Float64Array(8);

  /**
   * Create the (unloaded) session.
   * @param lib The native library.
   * @param path Model path.
   * @param provider Provider code.
   * @param kind Device kind code.
   * @param intra Intra-op threads.
   * @param inter Inter-op threads.
   * @param optLevel Graph optimization level.
   * @throws {NativeError} for bad arguments.
   */
  constructor(
    lib: NativeLibrary,
    path: string,
    provider: number,
    kind: number,
    intra: number,
    inter: number,
    optLevel: number,
  ) {
    this.#lib = lib;
    const p = encoder.encode(path);
    const h = lib.symbols.rm_onnx_session_new(p, p.length, provider, kind, intra, inter, optLevel);
    if (h === null) lib.check(-2, "rm_onnx_session_new");
    this.#handle = h;
  }

  /** The native handle. */
  get handle(): Deno.PointerObject {
    if (this.#handle === null) throw new TypeError("Cannot use a closed ONNX session");
    return this.#handle;
  }

  /** Load on the calling thread (blocking). */
  loadSync(): void {
    this.#lib.check(this.#lib.symbols.rm_onnx_session_load(this.handle), "rm_onnx_session_load");
  }

  /**
   * The session description.
   * @returns Parsed JSON from `rm_onnx_session_info`.
   */
  info(): unknown {
    const h = this.handle;
    return readJson(
      this.#lib,
      "rm_onnx_session_info",
      (b, c) => this.#lib.symbols.rm_onnx_session_info(h, b, c),
    );
  }

  /**
   * Warm-up and steady-state statistics.
   * @returns The raw counters.
   */
  stats(): NativeSessionStats {
    this.#lib.check(
      this.#lib.symbols.rm_onnx_session_stats(this.handle, this.#stats, 8),
      "rm_onnx_session_stats",
    );
    const s = this.#stats;
    return {
      loadNs: s[0]!,
      firstRunNs: s[1]!,
      steadyRuns: s[2]!,
      steadyNsTotal: s[3]!,
      steadyNsMin: s[4]!,
      steadyNsMax: s[5]!,
      errors: s[6]!,
      fallbacks: s[7]!,
    };
  }

  /** Free the handle (bindings keep the native session alive). Idempotent. */
  close(): void {
    if (this.#handle === null) return;
    this.#lib.symbols.rm_onnx_session_free(this.#handle);
    this.#handle = null;
  }
}

/** ORT element type codes. */
export const ELEMENT_CODES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int16: 5,
  int32: 6,
  int64: 7,
  float16: 10,
  float64: 11,
  bfloat16: 16,
} as const;

/** A native binding of model inputs/outputs to memory we own. */
export class NativeBinding {
  #lib: NativeLibrary;
  #handle: Deno.PointerObject | null;

  /**
   * Create a binding for a loaded session.
   * @param lib The native library.
   * @param session A loaded session.
   * @throws {NativeError} when the session is not loaded.
   */
  constructor(lib: NativeLibrary, session: NativeOnnxSession) {
    this.#lib = lib;
    const h = lib.symbols.rm_onnx_binding_new(session.handle);
    if (h === null) lib.check(-2, "rm_onnx_binding_new");
    this.#handle = h;
  }

  /** The native handle. */
  get handle(): Deno.PointerObject {
    if (this.#handle === null) throw new TypeError("Cannot use a closed ONNX binding");
    return this.#handle;
  }

  /**
   * Bind memory to a named input or output.
   * @param output True for an output.
   * @param name Tensor name.
   * @param elem ORT element type code.
   * @param shape Dimensions.
   * @param data Pointer to the memory (stable: pool memory or an off-heap buffer).
   * @param bytes Size of the memory in bytes.
   * @throws {NativeError} on a name, type, shape or size mismatch.
   */
  bind(
    output: boolean,
    name: string,
    elem: number,
    shape: readonly number[],
    data: Deno.PointerValue,
    bytes: number,
  ): void {
    const n = encoder.encode(name);
    const s = BigInt64Array.from(shape, (d) => BigInt(d));
    this.#lib.check(
      this.#lib.symbols.rm_onnx_binding_bind(
        this.handle,
        output ? 1 : 0,
        n,
        n.length,
        elem,
        s,
        s.length,
        data,
        bytes,
      ),
      "rm_onnx_binding_bind",
    );
  }

  /**
   * The data address ORT holds for a bound tensor.
   * @param output True for an output.
   * @param name Tensor name.
   * @returns The address.
   * @throws {NativeError} when nothing is bound under `name`.
   */
  dataAddress(output: boolean, name: string): bigint {
    const n = encoder.encode(name);
    const p = this.#lib.symbols.rm_onnx_binding_data_ptr(this.handle, output ? 1 : 0, n, n.length);
    if (p === null) this.#lib.check(-2, "rm_onnx_binding_data_ptr");
    return BigInt(Deno.UnsafePointer.value(p));
  }

  /** Run on the calling thread (blocking). */
  runSync(): void {
    this.#lib.check(this.#lib.symbols.rm_onnx_binding_run(this.handle), "rm_onnx_binding_run");
  }

  /** Free the handle (a run in flight keeps the native binding alive). Idempotent. */
  close(): void {
    if (this.#handle === null) return;
    this.#lib.symbols.rm_onnx_binding_free(this.#handle);
    this.#handle = null;
  }
}
