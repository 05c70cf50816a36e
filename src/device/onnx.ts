/**
 * ONNX models on the best available device: `OnnxSession` (one native session per model
 * and options, shared by every stream), `OnnxBinding` (inputs and outputs in native pool
 * memory that ONNX Runtime reads and writes in place: no copies), and `OnnxModel` (a
 * generic frame-oriented wrapper taking named tensors).
 *
 * @module
 */

import { native, type NativeLibrary } from "../ffi/loader.ts";
import {
  ELEMENT_CODES,
  KIND_CODES,
  NativeBinding,
  NativeOnnxSession,
  PROVIDER_CODES,
} from "../ffi/device.ts";
import { NativePool, type PoolBlock } from "../ffi/pool.ts";
import {
  type DeviceInfo,
  type DeviceKind,
  type ExecutionProvider,
  listDevices,
  loadOnnxRuntime,
} from "./devices.ts";
import { type CompletionMode, type DeviceQueue, type DeviceStats, sharedQueue } from "./queue.ts";

/** Element types of tensors. */
export type TensorType =
  | "float32"
  | "uint8"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "float16"
  | "float64"
  | "bfloat16";

/** Typed arrays tensors are viewed as (`float16`/`bfloat16` as raw `Uint16Array` bits). */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | BigInt64Array;

/** A model input or output. */
export interface TensorInfo {
  /** Name in the model. */
  name: string;
  /** Element type (`"unknown"` for non-tensor values). */
  type: TensorType | "unknown";
  /** Dimensions; -1 marks a dynamic one. */
  shape: number[];
}

/** A tensor: element type, shape and data (row-major, contiguous). */
export interface Tensor {
  /** Element type. */
  type: TensorType;
  /** Dimensions. */
  shape: number[];
  /** Elements, `product(shape)` of them. */
  data: TensorArray;
}

/** One execution provider tried when the session was created. */
export interface ProviderAttempt {
  /** Provider name. */
  provider: ExecutionProvider;
  /** Whether the session was created with it. */
  ok: boolean;
  /** ORT's error when it was skipped. */
  reason: string;
}

/** Options for {@link OnnxSession.open}. */
export interface OnnxSessionOptions {
  /**
   * Force an execution provider; forcing one that is unavailable fails with a
   * `NativeError` of code `RM_ERR_DEVICE_UNAVAILABLE` listing ORT's reasons.
   * @default {"auto"}
   */
  provider?: ExecutionProvider | "auto";
  /**
   * Restrict the providers tried to one device kind (same error when none is available).
   * @default {"auto"}
   */
  deviceKind?: DeviceKind | "auto";
  /**
   * Intra-op threads (0 = ONNX Runtime's default of one per core).
   * @default {1}
   */
  intraOpThreads?: number;
  /**
   * Inter-op threads (0 = ONNX Runtime's default).
   * @default {1}
   */
  interOpThreads?: number;
  /**
   * Graph optimization level.
   * @default {"all"}
   */
  graphOptimization?: "none" | "basic" | "extended" | "all";
  /** Path of ONNX Runtime's C library (else `REMOTEMEDIA_ORT_LIB`, else the setup cache). */
  ortLibrary?: string;
  /**
   * How completions of runs reach JS.
   * @default {"wait"}
   */
  completion?: CompletionMode;
}

/** Session metrics: warm-up apart from steady state, plus the device queue's. */
export interface OnnxSessionStats {
  /** Provider the session runs on. */
  provider: ExecutionProvider;
  /** Providers skipped before the chosen one. */
  fallbacks: number;
  /** Session creation (model load, provider selection), in milliseconds. */
  loadMs: number;
  /** The first run (warm-up), in milliseconds; 0 before it. */
  firstRunMs: number;
  /** Runs after the first. */
  steadyRuns: number;
  /** Mean steady-state run time, in microseconds. */
  steadyAvgUs: number;
  /** Shortest steady-state run, in microseconds. */
  steadyMinUs: number;
  /** Longest steady-state run, in microseconds. */
  steadyMaxUs: number;
  /** Failed runs. */
  errors: number;
  /** The device queue's metrics (queue wait, execution time, batch sizes). */
  device: DeviceStats;
}

const OPT_LEVELS = { none: 0, basic: 1, extended: 2, all: 99 } as const;

interface Shared {
  key: string;
  native: NativeOnnxSession;
  loading: Promise<void>;
  refs: number;
}

const sessions = new Map<string, Shared>();

function threadsOf(v: number | undefined, what: string): number {
  const n = v ?? 1;
  if (!Number.isInteger(n) || n < 0 || n > 256) {
    throw new RangeError(`Cannot open ONNX model: ${what} ${n} is not an integer in 0..256`);
  }
  return n;
}

function modelExists(path: string): void {
  try {
    if (Deno.statSync(path).isFile) return;
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw e;
    }
  }
  throw new Error(`Cannot open ONNX model: no file at ${path}`);
}

function elementCount(shape: readonly number[], what: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1) {
      throw new RangeError(
        `Cannot bind ${what}: dimension ${d} in [${shape}] is not a positive integer`,
      );
    }
    n *= d;
  }
  return n;
}

const BYTES: Record<TensorType, number> = {
  float32: 4,
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  float16: 2,
  float64: 8,
  bfloat16: 2,
};

function view(type: TensorType, buf: ArrayBuffer, n: number): TensorArray {
  switch (type) {
    case "float32":
      return new Float32Array(buf, 0, n);
    case "float64":
      return new Float64Array(buf, 0, n);
    case "int32":
      return new Int32Array(buf, 0, n);
    case "int16":
      return new Int16Array(buf, 0, n);
    case "int8":
      return new Int8Array(buf, 0, n);
    case "uint8":
      return new Uint8Array(buf, 0, n);
    case "int64":
      return new BigInt64Array(buf, 0, n);
    case "float16":
    case "bfloat16":
      return new Uint16Array(buf, 0, n);
  }
}

/** Shapes of the tensors a binding holds. */
export interface BindingShapes {
  /** Input name -> shape. Every model input must be listed. */
  inputs: Record<string, readonly number[]>;
  /** Output name -> shape. At least one output. */
  outputs: Record<string, readonly number[]>;
}

/**
 * A model session on the best available device. Sessions are shared: opening the same
 * model with the same options again returns a handle on the same native session.
 *
 * @example Open a model and run it once
 * ```ts ignore
 * using session = await OnnxSession.open("silero_vad.onnx");
 * console.log(session.provider, session.inputs);
 * using b = session.bind({
 *   inputs: { input: [1, 576], state: [2, 1, 128], sr: [] },
 *   outputs: { output: [1, 1], stateN: [2, 1, 128] },
 * });
 * (b.input("sr") as BigInt64Array)[0] = 16000n;
 * await b.run();
 * console.log((b.output("output") as Float32Array)[0]);
 * ```
 */
export class OnnxSession implements Disposable {
  #shared: Shared | null;
  #lib: NativeLibrary;
  #queue: DeviceQueue;
  /** Model path. */
  readonly path: string;
  /** The execution provider the session runs on. */
  readonly provider: ExecutionProvider;
  /** Every provider tried, in priority order, with why it was skipped. */
  readonly attempts: readonly ProviderAttempt[];
  /** The device runs are queued on. */
  readonly device: DeviceInfo;
  /** Model inputs. */
  readonly inputs: readonly TensorInfo[];
  /** Model outputs. */
  readonly outputs: readonly TensorInfo[];

  private constructor(shared: Shared, lib: NativeLibrary, completion: CompletionMode) {
    this.#shared = shared;
    this.#lib = lib;
    const info = shared.native.info() as {
      path: string;
      provider: ExecutionProvider;
      attempts: ProviderAttempt[];
      inputs: TensorInfo[];
      outputs: TensorInfo[];
    };
    this.path = info.path;
    this.provider = info.provider;
    this.attempts = info.attempts;
    this.inputs = info.inputs;
    this.outputs = info.outputs;
    const d = listDevices({ loadOnnxRuntime: false }).find((x) =>
      x.backend === "onnx" && x.provider === info.provider
    );
    if (d === undefined) throw new Error(`No device serves provider ${info.provider}`);
    this.device = d;
    this.#queue = sharedQueue(d.index, completion);
  }

  /**
   * Open (or share) a session for the model at `path`: loads ONNX Runtime if needed,
   * then creates the session on a worker thread, trying execution providers in priority
   * order (VitisAI, OpenVINO, QNN, CUDA, CPU) unless one is forced.
   *
   * @param path Model file.
   * @param options Provider, threads, runtime path.
   * @returns The session, once loaded.
   * @throws {Error} naming the path when the model or ONNX Runtime is missing.
   * @throws {NativeError} `RM_ERR_DEVICE_UNAVAILABLE` when a forced provider or device
   * kind is unavailable; other codes when the model cannot be loaded.
   */
  static async open(path: string, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const provider = options.provider ?? "auto";
    const kind = options.deviceKind ?? "auto";
    if (!(provider in PROVIDER_CODES)) {
      throw new RangeError(
        `Cannot open ONNX model: provider "${provider}" is not one of ${
          Object.keys(PROVIDER_CODES).join(", ")
        }`,
      );
    }
    if (!(kind in KIND_CODES)) {
      throw new RangeError(
        `Cannot open ONNX model: device kind "${kind}" is not auto, cpu, gpu or npu`,
      );
    }
    const opt = options.graphOptimization ?? "all";
    if (!(opt in OPT_LEVELS)) {
      throw new RangeError(`Cannot open ONNX model: graph optimization "${opt}" is unknown`);
    }
    const intra = threadsOf(options.intraOpThreads, "intraOpThreads");
    const inter = threadsOf(options.interOpThreads, "interOpThreads");
    const completion = options.completion ?? "wait";
    const lib = native();
    loadOnnxRuntime({ ortLibrary: options.ortLibrary });
    modelExists(path);
    const key = JSON.stringify([path, provider, kind, intra, inter, opt]);
    let shared = sessions.get(key);
    if (shared === undefined) {
      const ns = new NativeOnnxSession(
        lib,
        path,
        PROVIDER_CODES[provider],
        KIND_CODES[kind],
        intra,
        inter,
        OPT_LEVELS[opt],
      );
      const loading = sharedQueue(0, completion).unsafeQueue.submitLoad(ns);
      shared = { key, native: ns, loading, refs: 0 };
      sessions.set(key, shared);
      const s = shared;
      loading.catch(() => {
        if (sessions.get(key) === s) sessions.delete(key);
        if (s.refs === 0) s.native.close();
      });
    }
    await shared.loading;
    const session = new OnnxSession(shared, lib, completion);
    shared.refs++;
    return session;
  }

  #native(op: string): NativeOnnxSession {
    if (this.#shared === null) throw new TypeError(`Cannot ${op}: the ONNX session is closed`);
    return this.#shared.native;
  }

  /**
   * The device queue runs go to (internal).
   * @ignore
   */
  get queue(): DeviceQueue {
    return this.#queue;
  }

  /**
   * Create a binding: one native pool block per tensor, bound to the model by name.
   *
   * @param shapes Input and output shapes.
   * @returns The binding; write inputs into its views, `run()`, read outputs.
   * @throws {RangeError} for a bad shape; {NativeError} when the model rejects a binding.
   */
  bind(shapes: BindingShapes): OnnxBinding {
    return new OnnxBinding(this, this.#lib, this.#native("bind tensors"), shapes);
  }

  /**
   * Warm-up and steady-state metrics, with the device queue's.
   * @returns The metrics.
   */
  stats(): OnnxSessionStats {
    const s = this.#native("read stats").stats();
    return {
      provider: this.provider,
      fallbacks: s.fallbacks,
      loadMs: s.loadNs / 1e6,
      firstRunMs: s.firstRunNs / 1e6,
      steadyRuns: s.steadyRuns,
      steadyAvgUs: s.steadyRuns ? s.steadyNsTotal / s.steadyRuns / 1e3 : 0,
      steadyMinUs: s.steadyNsMin / 1e3,
      steadyMaxUs: s.steadyNsMax / 1e3,
      errors: s.errors,
      device: this.#queue.stats(),
    };
  }

  /** Release this handle; the native session goes when its last handle and binding do. */
  close(): void {
    const s = this.#shared;
    if (s === null) return;
    this.#shared = null;
    if (--s.refs === 0) {
      if (sessions.get(s.key) === s) sessions.delete(s.key);
      s.native.close();
    }
  }

  /** Same as {@link OnnxSession.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

interface Slot {
  info: TensorInfo;
  type: TensorType;
  shape: number[];
  block: PoolBlock;
  view: TensorArray;
}

/**
 * Model inputs and outputs held in native pool memory and bound to the session by name:
 * ONNX Runtime reads the input views and writes the output views in place. One run at
 * a time; do not touch the views while `run()` is pending.
 */
export class OnnxBinding implements Disposable {
  #session: OnnxSession;
  #native: NativeBinding | null;
  #pool: NativePool;
  #inputs = new Map<string, Slot>();
  #outputs = new Map<string, Slot>();
  #running: Promise<void> | null = null;
  #closing = false;
  /** Dimension 0 of the first input (the batch size of a run). */
  readonly batch: number;

  /** @internal Created by {@link OnnxSession.bind}. */
  constructor(
    session: OnnxSession,
    lib: NativeLibrary,
    ns: NativeOnnxSession,
    shapes: BindingShapes,
  ) {
    this.#session = session;
    this.#pool = new NativePool(lib);
    const nb = new NativeBinding(lib, ns);
    this.#native = nb;
    try {
      for (
        const [output, specs, map] of [
          [false, session.inputs, this.#inputs],
          [true, session.outputs, this.#outputs],
        ] as const
      ) {
        const want = output ? shapes.outputs : shapes.inputs;
        const kind = output ? "output" : "input";
        for (const name of Object.keys(want)) {
          const info = specs.find((s) => s.name === name);
          if (info === undefined) {
            throw new TypeError(
              `Cannot bind ${kind} "${name}": the model's ${kind}s are ${
                specs.map((s) => s.name).join(", ")
              }`,
            );
          }
          if (info.type === "unknown") {
            throw new TypeError(`Cannot bind ${kind} "${name}": it is not a tensor`);
          }
          const shape = [...want[name]!];
          const n = elementCount(shape, `${kind} "${name}"`);
          const bytes = n * BYTES[info.type];
          const block = this.#pool.acquire(bytes);
          const v = view(info.type, block.buffer, n);
          nb.bind(output, name, ELEMENT_CODES[info.type], shape, block.unsafePointer, bytes);
          map.set(name, { info, type: info.type, shape, block, view: v });
        }
        if (!output) {
          for (const s of specs) {
            if (!map.has(s.name)) {
              throw new TypeError(`Cannot bind: input "${s.name}" has no shape in shapes.inputs`);
            }
          }
        } else if (map.size === 0) {
          throw new TypeError("Cannot bind: shapes.outputs names no output");
        }
      }
    } catch (e) {
      nb.close();
      this.#native = null;
      this.#pool.close();
      throw e;
    }
    const first = this.#inputs.values().next().value;
    this.batch = first?.shape[0] ?? 1;
  }

  #slot(name: string, output: boolean): Slot {
    const s = (output ? this.#outputs : this.#inputs).get(name);
    if (s === undefined) {
      throw new TypeError(`Cannot find ${output ? "output" : "input"} "${name}" in this binding`);
    }
    if (this.#native === null) throw new TypeError("Cannot use a closed ONNX binding");
    return s;
  }

  /**
   * The view of a bound input (write it before `run()`).
   * @param name Input name.
   * @returns A typed array over native memory.
   * @throws {TypeError} for an unknown name or a closed binding.
   */
  input(name: string): TensorArray {
    return this.#slot(name, false).view;
  }

  /**
   * The view of a bound output (read it after `run()`).
   * @param name Output name.
   * @returns A typed array over native memory.
   * @throws {TypeError} for an unknown name or a closed binding.
   */
  output(name: string): TensorArray {
    return this.#slot(name, true).view;
  }

  /**
   * The shape a tensor was bound with.
   * @param name Tensor name.
   * @param output True for an output.
   * @returns The dimensions.
   */
  shape(name: string, output = false): readonly number[] {
    return this.#slot(name, output).shape;
  }

  /**
   * Address of the pool block behind a tensor.
   * @param name Tensor name.
   * @param output True for an output.
   * @returns The address.
   */
  bufferAddress(name: string, output = false): bigint {
    return this.#slot(name, output).block.address;
  }

  /**
   * The data address ONNX Runtime holds for a bound tensor (`GetTensorMutableData`):
   * equal to {@link OnnxBinding.bufferAddress}, which proves the tensor is not a copy.
   * @param name Tensor name.
   * @param output True for an output.
   * @returns The address.
   */
  ortDataAddress(name: string, output = false): bigint {
    this.#slot(name, output);
    return this.#native!.dataAddress(output, name);
  }

  /** Whether a run is in flight. */
  get running(): boolean {
    return this.#running !== null;
  }

  /**
   * Run the model on its device's queue; the JS thread does not wait.
   * @returns Settles when the outputs are written.
   * @throws {TypeError} when a run is already in flight or the binding is closed.
   */
  run(): Promise<void> {
    const nb = this.#native;
    if (nb === null || this.#closing) throw new TypeError("Cannot run a closed ONNX binding");
    if (this.#running !== null) {
      throw new TypeError("Cannot run: the previous run of this binding has not completed");
    }
    const p = this.#session.queue.unsafeQueue.submitRun(nb, this.#pool);
    const done = p.finally(() => {
      this.#running = null;
      if (this.#closing) this.#free();
    });
    this.#running = done;
    return done;
  }

  /**
   * Run on the calling thread (blocks it; for scripts and baselines).
   * @throws {TypeError} when a run is in flight or the binding is closed.
   */
  runSync(): void {
    const nb = this.#native;
    if (nb === null || this.#closing) throw new TypeError("Cannot run a closed ONNX binding");
    if (this.#running !== null) {
      throw new TypeError("Cannot run: the previous run of this binding has not completed");
    }
    nb.runSync();
  }

  #free(): void {
    this.#native?.close();
    this.#native = null;
    this.#pool.close();
  }

  /** Free the binding and its memory (after a run in flight settles). Idempotent. */
  close(): void {
    if (this.#closing || this.#native === null) return;
    this.#closing = true;
    if (this.#running === null) this.#free();
  }

  /** Same as {@link OnnxBinding.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Options for {@link OnnxModel.load}. */
export interface OnnxModelOptions extends OnnxSessionOptions {
  /** Output shapes for outputs whose model shape has dynamic dimensions. */
  outputShapes?: Record<string, readonly number[]>;
  /** Outputs to compute (default: every output). */
  outputNames?: readonly string[];
}

function isTensorArrayOf(type: TensorType, data: TensorArray): boolean {
  switch (type) {
    case "float32":
      return data instanceof Float32Array;
    case "float64":
      return data instanceof Float64Array;
    case "int32":
      return data instanceof Int32Array;
    case "int16":
      return data instanceof Int16Array;
    case "int8":
      return data instanceof Int8Array;
    case "uint8":
      return data instanceof Uint8Array;
    case "int64":
      return data instanceof BigInt64Array;
    case "float16":
    case "bfloat16":
      return data instanceof Uint16Array;
  }
}

/**
 * A generic ONNX model with named tensor inputs and outputs, frame-oriented:
 * `process(inputs)` copies the inputs into a cached binding (one per input-shape
 * signature, so steady state allocates no native memory), runs it on the device, and
 * returns copies of the outputs.
 *
 * @example Run a model on named tensors
 * ```ts ignore
 * using model = await OnnxModel.load("model.onnx", {
 *   outputShapes: { output: [1, 1], stateN: [2, 1, 128] },
 * });
 * const out = await model.process({
 *   input: { type: "float32", shape: [1, 576], data: new Float32Array(576) },
 *   state: { type: "float32", shape: [2, 1, 128], data: new Float32Array(256) },
 *   sr: { type: "int64", shape: [], data: BigInt64Array.of(16000n) },
 * });
 * console.log(out.output!.data);
 * ```
 */
export class OnnxModel implements Disposable {
  #session: OnnxSession;
  #options: OnnxModelOptions;
  #bindings = new Map<string, OnnxBinding>();
  #busy = false;

  private constructor(session: OnnxSession, options: OnnxModelOptions) {
    this.#session = session;
    this.#options = options;
  }

  /**
   * Load a model (sharing the session when it is already open with the same options).
   * @param path Model file.
   * @param options Session options and output shapes.
   * @returns The model.
   * @throws {Error} when the model or ONNX Runtime is missing (naming the path).
   * @throws {NativeError} when a forced provider is unavailable.
   */
  static async load(path: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    return new OnnxModel(await OnnxSession.open(path, options), options);
  }

  /** The underlying session (provider, inputs, outputs, stats). */
  get session(): OnnxSession {
    return this.#session;
  }

  #outputShape(info: TensorInfo): number[] {
    const given = this.#options.outputShapes?.[info.name];
    if (given !== undefined) return [...given];
    if (info.shape.every((d) => d > 0)) return info.shape;
    throw new TypeError(
      `Cannot run: output "${info.name}" has dynamic shape [${info.shape}]; give it in outputShapes`,
    );
  }

  /**
   * Run the model on named tensors.
   * @param inputs Every model input by name.
   * @returns The outputs by name (copies, owned by the caller).
   * @throws {TypeError} for a missing input, a type or length mismatch, or a call while
   * the previous one is still pending.
   */
  async process(inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    if (this.#busy) {
      throw new TypeError("Cannot process: the previous call has not completed (await it)");
    }
    const ins = this.#session.inputs;
    for (const i of ins) {
      const t = inputs[i.name];
      if (t === undefined) throw new TypeError(`Cannot process: input "${i.name}" is missing`);
      if (t.type !== i.type || !isTensorArrayOf(t.type, t.data)) {
        throw new TypeError(
          `Cannot process: input "${i.name}" must be ${i.type}, got ${t.type} (${t.data.constructor.name})`,
        );
      }
    }
    const key = ins.map((i) => `${i.name}:${inputs[i.name]!.shape.join("x")}`).join(",");
    let b = this.#bindings.get(key);
    if (b === undefined) {
      const names = this.#options.outputNames ?? this.#session.outputs.map((o) => o.name);
      const outputs: Record<string, number[]> = {};
      for (const n of names) {
        const info = this.#session.outputs.find((o) => o.name === n);
        if (info === undefined) {
          throw new TypeError(`Cannot process: the model has no output "${n}"`);
        }
        outputs[n] = this.#outputShape(info);
      }
      const inShapes: Record<string, number[]> = {};
      for (const i of ins) inShapes[i.name] = inputs[i.name]!.shape;
      b = this.#session.bind({ inputs: inShapes, outputs });
      this.#bindings.set(key, b);
    }
    for (const i of ins) {
      const t = inputs[i.name]!;
      const dst = b.input(i.name);
      if (t.data.length !== dst.length) {
        throw new TypeError(
          `Cannot process: input "${i.name}" has ${t.data.length} elements, shape [${t.shape}] needs ${dst.length}`,
        );
      }
      (dst as Float32Array).set(t.data as Float32Array);
    }
    this.#busy = true;
    try {
      await b.run();
    } finally {
      this.#busy = false;
    }
    const out: Record<string, Tensor> = {};
    for (const o of this.#session.outputs) {
      let v: TensorArray;
      try {
        v = b.output(o.name);
      } catch {
        continue;
      }
      out[o.name] = {
        type: o.type as TensorType,
        shape: [...b.shape(o.name, true)],
        data: v.slice(),
      };
    }
    return out;
  }

  /**
   * End of stream: a stateless model has nothing buffered.
   * @returns An empty record.
   */
  flush(): Promise<Record<string, Tensor>> {
    return Promise.resolve({});
  }

  /** Free the bindings and release the session handle. Idempotent. */
  close(): void {
    for (const b of this.#bindings.values()) b.close();
    this.#bindings.clear();
    this.#session.close();
  }

  /** Same as {@link OnnxModel.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
