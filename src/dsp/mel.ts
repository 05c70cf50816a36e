/**
 * Whisper-compatible log-mel spectrogram (openai-whisper `log_mel_spectrogram`): periodic
 * Hann window of 400 samples, hop 160, reflect-padded centered STFT, power, Slaney mel
 * filterbank (80 or 128 bins), `log10(max(x, 1e-10))`, clamp at the global maximum - 8,
 * `(x + 4) / 4`. Input is 16 kHz mono float32; `nFrames = floor(samples / 160)`, so a
 * 30 s window gives 3000 frames.
 *
 * Results are written straight into the caller's buffer in either layout:
 * `"mel-major"` `[nMels][nFrames]` (Whisper's tensor) or `"frame-major"`
 * `[nFrames][nMels]` (what NPU encoders usually take), with no transpose pass.
 * {@link LogMel} computes frames as audio arrives and gives, at `finish`, exactly what
 * {@link whisperLogMel} gives for the same audio.
 *
 * @module
 */

import {
  type MelBackend,
  type MelLayoutCode,
  type MelStreamBackend,
  nativeMel,
} from "../ffi/mel.ts";
import { resolveNative, type RuntimeHint } from "./_backend.ts";
import { tsMel } from "./_mel_ts.ts";

export type { RuntimeHint } from "./_backend.ts";

/** Layout of a log-mel result: `[nMels][nFrames]` or `[nFrames][nMels]`, row-major. */
export type MelLayout = "mel-major" | "frame-major";

/** A log-mel spectrogram. */
export interface LogMelResult {
  /** The values, `nMels * nFrames` floats in `layout` order (the caller's `output` when given). */
  data: Float32Array;
  /** Mel bins (80 or 128). */
  nMels: number;
  /** Frames: `floor(samples / 160)`. */
  nFrames: number;
  /** Element `(m, t)` is at `m * nFrames + t` (mel-major) or `t * nMels + m` (frame-major). */
  layout: MelLayout;
}

/** Options for {@link whisperLogMel} and {@link whisperLogMelAsync}. */
export interface WhisperLogMelOptions {
  /**
   * Mel bins: 80 (Whisper up to v3) or 128 (large-v3).
   * @default {80}
   */
  nMels?: 80 | 128;
  /**
   * Output layout.
   * @default {"mel-major"}
   */
  layout?: MelLayout;
  /** Where to write the result: exactly `nMels * floor(samples / 160)` floats. Allocated when omitted. */
  output?: Float32Array;
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
  /**
   * Native threads for long inputs (1..64; the result is identical for any count). The
   * TypeScript implementation always uses one.
   * @default {1}
   */
  threads?: number;
}

/** Options for {@link LogMel}. */
export interface LogMelOptions {
  /**
   * Mel bins: 80 or 128.
   * @default {80}
   */
  nMels?: 80 | 128;
  /**
   * Output layout of `finish`.
   * @default {"mel-major"}
   */
  layout?: MelLayout;
  /**
   * Frames to reserve up front, so pushes do not allocate within a window of that length.
   * @default {3000}
   */
  capacityFrames?: number;
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
}

const HOP = 160;
const MIN_SAMPLES = 201;

function checkMels(op: string, nMels: unknown): 80 | 128 {
  if (nMels !== 80 && nMels !== 128) {
    throw new RangeError(`Cannot ${op}: nMels ${nMels} is not supported (80 or 128)`);
  }
  return nMels;
}

function layoutCode(op: string, layout: unknown): MelLayoutCode {
  if (layout === "mel-major") return 0;
  if (layout === "frame-major") return 1;
  throw new RangeError(`Cannot ${op}: layout "${layout}" is not "mel-major" or "frame-major"`);
}

function checkLength(op: string, n: number): void {
  if (n < MIN_SAMPLES) {
    throw new RangeError(
      `Cannot ${op}: input has ${n} samples; reflect padding needs at least ${MIN_SAMPLES}`,
    );
  }
}

function checkOutput(op: string, out: Float32Array, nMels: number, nFrames: number): void {
  if (!(out instanceof Float32Array)) {
    throw new TypeError(`Cannot ${op}: output must be a Float32Array`);
  }
  if (out.length !== nMels * nFrames) {
    throw new RangeError(
      `Cannot ${op}: output holds ${out.length} floats, expected ${nMels * nFrames} ` +
        `(${nMels} mels x ${nFrames} frames)`,
    );
  }
}

interface Prepared {
  kernels: MelBackend;
  nMels: 80 | 128;
  layout: MelLayout;
  code: MelLayoutCode;
  nFrames: number;
  threads: number;
  output: Float32Array;
}

function prepare(samples: Float32Array, options: WhisperLogMelOptions | undefined): Prepared {
  const op = "compute log-mel";
  if (!(samples instanceof Float32Array)) {
    throw new TypeError(`Cannot ${op}: samples must be a Float32Array`);
  }
  const nMels = checkMels(op, options?.nMels ?? 80);
  const layout = options?.layout ?? "mel-major";
  const code = layoutCode(op, layout);
  const threads = options?.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new RangeError(`Cannot ${op}: threads ${threads} is not an integer in 1..64`);
  }
  checkLength(op, samples.length);
  const nFrames = Math.floor(samples.length / HOP);
  const output = options?.output ?? new Float32Array(nMels * nFrames);
  checkOutput(op, output, nMels, nFrames);
  const lib = resolveNative(options?.runtimeHint);
  const kernels = lib === null ? tsMel : nativeMel(lib);
  return { kernels, nMels, layout, code, nFrames, threads, output };
}

/**
 * Whisper log-mel spectrogram of 16 kHz mono audio, written into `options.output` when
 * given (no allocation) or a new array.
 *
 * @param samples 16 kHz mono float32 samples (at least 201).
 * @param options Mel bins, layout, output buffer, backend, threads.
 * @returns The spectrogram; `data` is `options.output` when one was given.
 * @throws {RangeError} for fewer than 201 samples, an unsupported `nMels` or layout, a bad
 *   thread count, or an output of the wrong length.
 * @throws {TypeError} if `samples` is not a Float32Array.
 * @throws {NativeError} if the native library rejects the call.
 *
 * @example A 440 Hz tone, 1 s
 * ```ts
 * import { whisperLogMel } from "./mel.ts";
 * const x = Float32Array.from({ length: 16000 }, (_, n) => 0.5 * Math.sin(2 * Math.PI * 440 * n / 16000));
 * const mel = whisperLogMel(x, { nMels: 80 });
 * console.log(mel.nMels, mel.nFrames); // 80 100
 * ```
 */
export function whisperLogMel(
  samples: Float32Array,
  options?: WhisperLogMelOptions,
): LogMelResult {
  const p = prepare(samples, options);
  p.kernels.batch(samples, p.nMels, p.code, p.threads, p.output);
  return { data: p.output, nMels: p.nMels, nFrames: p.nFrames, layout: p.layout };
}

/**
 * Like {@link whisperLogMel}, but the native implementation runs on a worker thread
 * (worth it for long inputs: a call costs ~70 us of overhead). Do not touch `samples` or
 * `options.output` until the promise settles.
 *
 * @param samples 16 kHz mono float32 samples (at least 201).
 * @param options Mel bins, layout, output buffer, backend, threads.
 * @returns The spectrogram; `data` is `options.output` when one was given.
 * @throws {RangeError} as {@link whisperLogMel} (thrown synchronously).
 * @throws {NativeError} (as a rejection) if the native library rejects the call.
 *
 * @example 30 s of silence off the main thread
 * ```ts
 * import { whisperLogMelAsync } from "./mel.ts";
 * const mel = await whisperLogMelAsync(new Float32Array(480000), { threads: 2 });
 * console.log(mel.nFrames, mel.data[0]); // 3000 -1.5
 * ```
 */
export function whisperLogMelAsync(
  samples: Float32Array,
  options?: WhisperLogMelOptions,
): Promise<LogMelResult> {
  const p = prepare(samples, options);
  return p.kernels.batchAsync(samples, p.nMels, p.code, p.threads, p.output).then(() => ({
    data: p.output,
    nMels: p.nMels,
    nFrames: p.nFrames,
    layout: p.layout,
  }));
}

/**
 * The Slaney mel filterbank the spectrogram uses (`librosa.filters.mel(sr=16000,
 * n_fft=400, n_mels)`), `[nMels][201]` row-major; column `k` is the STFT bin at `40 * k` Hz.
 *
 * @param nMels 80 or 128.
 * @param options Backend selection.
 * @returns A new `nMels * 201` array.
 * @throws {RangeError} for an unsupported `nMels`.
 *
 * @example The widest filter weight
 * ```ts
 * import { melFilterbank } from "./mel.ts";
 * const w = melFilterbank(80);
 * console.log(w.length, Math.max(...w).toFixed(4)); // 16080 0.0259
 * ```
 */
export function melFilterbank(
  nMels: 80 | 128,
  options?: { runtimeHint?: RuntimeHint },
): Float32Array {
  checkMels("build the mel filterbank", nMels);
  const lib = resolveNative(options?.runtimeHint);
  const out = new Float32Array(nMels * 201);
  (lib === null ? tsMel : nativeMel(lib)).filters(nMels, out);
  return out;
}

/**
 * Streaming Whisper log-mel: push audio as it arrives (any chunk sizes); frames are
 * computed as soon as their samples are in. `finish` pads the end, applies the clamp over
 * the whole window and returns exactly what {@link whisperLogMel} returns for the same
 * audio; the stream is then empty, ready for the next window.
 *
 * @example 20 ms chunks into one 1 s window
 * ```ts
 * import { LogMel } from "./mel.ts";
 * using mel = new LogMel({ nMels: 80, layout: "frame-major" });
 * const chunk = new Float32Array(320);
 * for (let i = 0; i < 50; i++) {
 *   chunk.forEach((_, n) => (chunk[n] = Math.sin((i * 320 + n) * 0.1)));
 *   mel.push(chunk);
 * }
 * const out = mel.finish(new Float32Array(mel.outputLength));
 * console.log(out.nFrames, out.data.length); // 100 8000
 * ```
 */
export class LogMel implements Disposable {
  #impl: MelStreamBackend | null;
  #samples = 0;
  #frames = 0;
  /** Mel bins (80 or 128). */
  readonly nMels: 80 | 128;
  /** Layout `finish` writes. */
  readonly layout: MelLayout;
  /** Which implementation runs: `"native"` or `"ts"`. */
  readonly backend: "native" | "ts";

  /**
   * Create a stream.
   *
   * @param options Mel bins, layout, capacity, backend.
   * @throws {RangeError} for an unsupported `nMels` or layout, or a bad capacity.
   */
  constructor(options?: LogMelOptions) {
    const op = "create a log-mel stream";
    this.nMels = checkMels(op, options?.nMels ?? 80);
    this.layout = options?.layout ?? "mel-major";
    const code = layoutCode(op, this.layout);
    const cap = options?.capacityFrames ?? 3000;
    if (!Number.isInteger(cap) || cap < 0 || cap > 1 << 18) {
      throw new RangeError(`Cannot ${op}: capacityFrames ${cap} is not an integer in 0..262144`);
    }
    const lib = resolveNative(options?.runtimeHint);
    this.backend = lib === null ? "ts" : "native";
    this.#impl = (lib === null ? tsMel : nativeMel(lib)).createStream(this.nMels, code, cap);
  }

  #live(op: string): MelStreamBackend {
    if (this.#impl === null) throw new TypeError(`Cannot ${op}: the LogMel stream is closed`);
    return this.#impl;
  }

  /** Samples pushed since the last `finish`/`reset`. */
  get samples(): number {
    return this.#samples;
  }

  /** Frames computed so far (the last one or two need `finish`). */
  get framesReady(): number {
    return this.#frames;
  }

  /** Frames `finish` will return now: `floor(samples / 160)`. */
  get nFrames(): number {
    return Math.floor(this.#samples / HOP);
  }

  /** Floats `finish` will write now: `nMels * nFrames`. */
  get outputLength(): number {
    return this.nMels * this.nFrames;
  }

  /**
   * Append audio and compute the frames it completes (real-time path: no allocation
   * once the stream has grown to the window's size).
   *
   * @param samples 16 kHz mono float32 samples, any count.
   * @returns Frames computed so far.
   * @throws {TypeError} if the stream is closed or `samples` is not a Float32Array.
   *
   * @example
   * ```ts
   * import { LogMel } from "./mel.ts";
   * using mel = new LogMel();
   * console.log(mel.push(new Float32Array(560))); // 3
   * ```
   */
  push(samples: Float32Array): number {
    const impl = this.#live("push audio");
    if (!(samples instanceof Float32Array)) {
      throw new TypeError("Cannot push audio: samples must be a Float32Array");
    }
    this.#frames = impl.push(samples);
    this.#samples += samples.length;
    return this.#frames;
  }

  /**
   * Finish the window: compute the last frames, apply the global clamp and scaling, write
   * the result, and reset the stream.
   *
   * @param output Exactly `outputLength` floats; allocated when omitted.
   * @returns The spectrogram of everything pushed since the last finish/reset.
   * @throws {RangeError} for fewer than 201 samples pushed or an output of the wrong length.
   * @throws {TypeError} if the stream is closed or `output` is not a Float32Array.
   *
   * @example
   * ```ts
   * import { LogMel } from "./mel.ts";
   * using mel = new LogMel({ nMels: 128 });
   * mel.push(new Float32Array(16000));
   * console.log(mel.finish().nFrames); // 100
   * ```
   */
  finish(output?: Float32Array): LogMelResult {
    const op = "finish the log-mel window";
    const impl = this.#live(op);
    checkLength(op, this.#samples);
    const nFrames = this.nFrames;
    const data = output ?? new Float32Array(this.nMels * nFrames);
    checkOutput(op, data, this.nMels, nFrames);
    impl.finish(data);
    this.#samples = 0;
    this.#frames = 0;
    return { data, nMels: this.nMels, nFrames, layout: this.layout };
  }

  /**
   * Drop all audio and frames (keeps allocations).
   *
   * @throws {TypeError} if the stream is closed.
   */
  reset(): void {
    this.#live("reset the log-mel stream").reset();
    this.#samples = 0;
    this.#frames = 0;
  }

  /** Release the native stream. Idempotent. */
  close(): void {
    this.#impl?.close();
    this.#impl = null;
  }

  /** Same as {@link LogMel.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
