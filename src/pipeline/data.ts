/**
 * `RuntimeData`: the items that flow between pipeline nodes, and small constructors for
 * them. Items carry views (typed arrays, `subarray`s), never copies: the scheduler hands
 * the same object to every child of a node, so nodes treat their input as read-only and
 * write results into new (or node-owned) arrays.
 *
 * @module
 */

/** Audio frames: float32 samples with their format and position in the stream. */
export interface AudioData {
  /** Discriminant. */
  readonly type: "audio";
  /** Samples: interleaved `[frame][channel]`, or planar `[channel][frame]`. */
  readonly samples: Float32Array;
  /** Sample rate in Hz. */
  readonly sampleRate: number;
  /** Channel count. */
  readonly channels: number;
  /** True for interleaved samples, false for planar. */
  readonly interleaved: boolean;
  /** Time of the first frame, in seconds from the start of the stream. */
  readonly timestamp: number;
}

/** Element types a tensor can hold (numpy names). */
export type TensorDType =
  | "float32"
  | "float64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64";

/** The typed arrays a tensor can view. */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/**
 * An n-dimensional array (the numpy-array passthrough): a typed-array view plus shape and
 * strides. Strides count elements (not bytes, unlike numpy); element `[i, j, ...]` is at
 * `data[i * strides[0] + j * strides[1] + ...]`.
 */
export interface TensorData {
  /** Discriminant. */
  readonly type: "tensor";
  /** Element type (matches `data`). */
  readonly dtype: TensorDType;
  /** Dimensions. */
  readonly shape: readonly number[];
  /** Element strides, one per dimension. */
  readonly strides: readonly number[];
  /** True when the strides are row-major (C order) without gaps. */
  readonly cContiguous: boolean;
  /** True when the strides are column-major (Fortran order) without gaps. */
  readonly fContiguous: boolean;
  /** The elements (a view; index 0 is the element at all-zero indices). */
  readonly data: TensorArray;
}

/** A text item (a transcript, a label). */
export interface TextData {
  /** Discriminant. */
  readonly type: "text";
  /** The text. */
  readonly text: string;
}

/** A JSON-compatible value (results, structured annotations). */
export interface JsonData {
  /** Discriminant. */
  readonly type: "json";
  /** The value. */
  readonly value: unknown;
}

/** Event kinds the built-in nodes emit; any other string is allowed too. */
export type EventKind = "speech_start" | "speech_end" | "error" | (string & Record<never, never>);

/** A timed event, e.g. VAD speech start/end, or a node error under `on_error: "emit"`. */
export interface EventData {
  /** Discriminant. */
  readonly type: "event";
  /** What happened. */
  readonly kind: EventKind;
  /** When, in seconds from the start of the stream. */
  readonly time: number;
  /** Optional payload (for `"error"` events: the `NodeError`). */
  readonly data?: unknown;
}

/** Opaque bytes (encoded audio, PCM bytes from a socket, an image). */
export interface BinaryData {
  /** Discriminant. */
  readonly type: "binary";
  /** The bytes (a view). */
  readonly bytes: Uint8Array;
  /** Optional media type, e.g. `"audio/wav"`. */
  readonly mimeType?: string;
}

/** Any item that flows between pipeline nodes; discriminated by `type`. */
export type RuntimeData = AudioData | TensorData | TextData | JsonData | EventData | BinaryData;

/** Options for {@link audio}. */
export interface AudioOptions {
  /**
   * Time of the first frame in seconds.
   * @default {0}
   */
  timestamp?: number;
  /**
   * Whether the samples are interleaved (`false`: planar, channel planes back to back).
   * @default {true}
   */
  interleaved?: boolean;
}

/**
 * Make an audio item viewing `samples` (no copy).
 *
 * @param samples Float32 samples, `frames * channels` of them.
 * @param sampleRate Sample rate in Hz (positive, finite).
 * @param channels Channel count (integer 1..64).
 * @param options Timestamp and layout.
 * @returns The audio item.
 * @throws {RangeError} for a bad rate, channel count or timestamp.
 * @throws {TypeError} if the sample count is not a multiple of the channel count.
 *
 * @example 20 ms of 16 kHz mono silence
 * ```ts
 * import { audio } from "./data.ts";
 * const frame = audio(new Float32Array(320), 16000);
 * console.log(frame.type, frame.channels, frame.timestamp); // audio 1 0
 * ```
 */
export function audio(
  samples: Float32Array,
  sampleRate: number,
  channels = 1,
  options?: AudioOptions,
): AudioData {
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new RangeError(`Cannot make audio: sample rate ${sampleRate} is not a positive number`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
    throw new RangeError(`Cannot make audio: channel count ${channels} is not an integer in 1..64`);
  }
  if (!(samples instanceof Float32Array)) {
    throw new TypeError("Cannot make audio: samples must be a Float32Array");
  }
  if (samples.length % channels !== 0) {
    throw new TypeError(
      `Cannot make audio: ${samples.length} samples is not a multiple of ${channels} channels`,
    );
  }
  const timestamp = options?.timestamp ?? 0;
  if (!Number.isFinite(timestamp)) {
    throw new RangeError(`Cannot make audio: timestamp ${timestamp} is not finite`);
  }
  return {
    type: "audio",
    samples,
    sampleRate,
    channels,
    interleaved: options?.interleaved ?? true,
    timestamp,
  };
}

const DTYPES: ReadonlyArray<[abstract new (...a: never[]) => TensorArray, TensorDType]> = [
  [Float32Array, "float32"],
  [Float64Array, "float64"],
  [Int8Array, "int8"],
  [Int16Array, "int16"],
  [Int32Array, "int32"],
  [BigInt64Array, "int64"],
  [Uint8Array, "uint8"],
  [Uint16Array, "uint16"],
  [Uint32Array, "uint32"],
  [BigUint64Array, "uint64"],
];

function dtypeOf(data: TensorArray): TensorDType {
  for (const [ctor, name] of DTYPES) if (data instanceof ctor) return name;
  throw new TypeError(
    `Cannot make a tensor: ${Object.prototype.toString.call(data)} is not a supported typed array`,
  );
}

/** Options for {@link tensor}. */
export interface TensorOptions {
  /**
   * Element strides, one per dimension.
   * @default {row-major (C order) strides of `shape`}
   */
  strides?: readonly number[];
}

/**
 * Make a tensor item viewing `data` (no copy).
 *
 * @param data The elements; its type gives the dtype.
 * @param shape Dimensions (non-negative integers).
 * @param options Explicit element strides (default row-major).
 * @returns The tensor item, with C/Fortran contiguity flags computed.
 * @throws {TypeError} if the shape or strides do not fit `data`.
 *
 * @example An 80 x 3 feature matrix
 * ```ts
 * import { tensor } from "./data.ts";
 * const t = tensor(new Float32Array(240), [80, 3]);
 * console.log(t.dtype, t.strides, t.cContiguous); // float32 [3, 1] true
 * ```
 */
export function tensor(
  data: TensorArray,
  shape: readonly number[] = [data.length],
  options?: TensorOptions,
): TensorData {
  const dtype = dtypeOf(data);
  const dims = [...shape];
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    if (!Number.isInteger(d) || d < 0) {
      throw new TypeError(`Cannot make a tensor: shape[${i}] = ${d} is not a non-negative integer`);
    }
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const cStrides = new Array<number>(dims.length);
  for (let i = dims.length - 1, s = 1; i >= 0; i--) {
    cStrides[i] = s;
    s *= dims[i]!;
  }
  const fStrides = new Array<number>(dims.length);
  for (let i = 0, s = 1; i < dims.length; i++) {
    fStrides[i] = s;
    s *= dims[i]!;
  }
  const strides = options?.strides ? [...options.strides] : cStrides;
  if (strides.length !== dims.length) {
    throw new TypeError(
      `Cannot make a tensor: ${strides.length} strides for ${dims.length} dimensions`,
    );
  }
  let last = 0;
  for (let i = 0; i < dims.length; i++) {
    const s = strides[i]!;
    if (!Number.isInteger(s) || s < 0) {
      throw new TypeError(
        `Cannot make a tensor: strides[${i}] = ${s} is not a non-negative integer`,
      );
    }
    if (dims[i]! > 0) last += (dims[i]! - 1) * s;
  }
  if (count > 0 && last >= data.length) {
    throw new TypeError(
      `Cannot make a tensor: shape [${dims}] with strides [${strides}] reaches element ${last}, ` +
        `but data holds ${data.length}`,
    );
  }
  const same = (a: number[]) => a.every((v, i) => v === strides[i] || dims[i]! <= 1);
  return {
    type: "tensor",
    dtype,
    shape: dims,
    strides,
    cContiguous: same(cStrides),
    fContiguous: same(fStrides),
    data,
  };
}

/**
 * Make a text item.
 *
 * @param s The text.
 * @returns The text item.
 * @throws {TypeError} if `s` is not a string.
 *
 * @example
 * ```ts
 * import { text } from "./data.ts";
 * console.log(text("hello").text); // hello
 * ```
 */
export function text(s: string): TextData {
  if (typeof s !== "string") throw new TypeError("Cannot make a text item: expected a string");
  return { type: "text", text: s };
}

/**
 * Make a JSON item.
 *
 * @param value Any JSON-compatible value (not copied).
 * @returns The JSON item.
 *
 * @example
 * ```ts
 * import { json } from "./data.ts";
 * console.log(json({ label: "speech" }).value); // { label: "speech" }
 * ```
 */
export function json(value: unknown): JsonData {
  return { type: "json", value };
}

/**
 * Make an event item.
 *
 * @param kind What happened, e.g. `"speech_start"`.
 * @param time When, in seconds from the start of the stream.
 * @param data Optional payload.
 * @returns The event item.
 * @throws {RangeError} if `time` is not finite.
 *
 * @example A VAD speech start at 1.2 s
 * ```ts
 * import { event } from "./data.ts";
 * const e = event("speech_start", 1.2);
 * console.log(e.kind, e.time); // speech_start 1.2
 * ```
 */
export function event(kind: EventKind, time: number, data?: unknown): EventData {
  if (!Number.isFinite(time)) {
    throw new RangeError(`Cannot make an event: time ${time} is not finite`);
  }
  return data === undefined ? { type: "event", kind, time } : { type: "event", kind, time, data };
}

/**
 * Make a binary item viewing `bytes` (no copy).
 *
 * @param bytes The bytes.
 * @param mimeType Optional media type.
 * @returns The binary item.
 * @throws {TypeError} if `bytes` is not a Uint8Array.
 *
 * @example
 * ```ts
 * import { binary } from "./data.ts";
 * console.log(binary(new Uint8Array([1, 2]), "application/octet-stream").bytes.length); // 2
 * ```
 */
export function binary(bytes: Uint8Array, mimeType?: string): BinaryData {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot make a binary item: expected a Uint8Array");
  }
  return mimeType === undefined ? { type: "binary", bytes } : { type: "binary", bytes, mimeType };
}

/**
 * Bytes an item carries, for metrics: the view's byte length for audio, tensor and binary
 * items, the UTF-16 length for text (a cheap proxy), 0 for json and events.
 * @internal
 */
export function byteLengthOf(d: RuntimeData): number {
  switch (d.type) {
    case "audio":
      return d.samples.byteLength;
    case "tensor":
      return d.data.byteLength;
    case "binary":
      return d.bytes.byteLength;
    case "text":
      return d.text.length;
    default:
      return 0;
  }
}

/**
 * Media duration of an item in seconds (audio only; 0 for anything else).
 * @internal
 */
export function durationOf(d: RuntimeData): number {
  return d.type === "audio" ? d.samples.length / d.channels / d.sampleRate : 0;
}

/**
 * True for an object shaped like a RuntimeData item (has a known `type`).
 * @internal
 */
export function isRuntimeData(v: unknown): v is RuntimeData {
  if (typeof v !== "object" || v === null) return false;
  const t = (v as { type?: unknown }).type;
  return t === "audio" || t === "tensor" || t === "text" || t === "json" || t === "event" ||
    t === "binary";
}
