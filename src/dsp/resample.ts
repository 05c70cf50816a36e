/**
 * Streaming sample-rate conversion: a polyphase Kaiser-windowed-sinc resampler for
 * interleaved float32 audio, any rational ratio with reduced terms up to 4096 (every
 * pair of 8, 11.025, 16, 22.05, 24, 32, 44.1, 48 and 96 kHz), 1..64 channels.
 *
 * Quality presets (edges as fractions of the common Nyquist `min(in, out)/2`):
 * - `"fast"`: passband to 0.80, stopband from 1.20, 70 dB.
 * - `"default"`: passband to 0.875 (gain within 0.1 dB), stopband from 1.0 (nothing
 *   above the target Nyquist aliases), 105 dB.
 * - `"high"`: passband to 0.90, stopband from 1.0, 140 dB.
 *
 * Streaming output frame `j` is the signal at time `(j - delay) / outputRate`: the
 * stream starts with silence and an output is written as soon as its input window has
 * arrived. Chunking never changes the output; pauses need no flush; `flush()` ends the
 * stream. The allocating {@link resample} trims the delay for whole signals.
 *
 * @module
 */

import { NativeResampler } from "../ffi/resample.ts";
import { resolveNative, type RuntimeHint } from "./_backend.ts";
import {
  ceilDiv,
  floorDiv,
  MAX_CHANNELS,
  QUALITY_PARAMS,
  reduceRatio,
  type ResampleQuality,
  type ResamplerCore,
  TsResampler,
} from "./_resample_ts.ts";

export type { ResampleQuality } from "./_resample_ts.ts";

/** Options of {@link Resampler}. */
export interface ResamplerOptions {
  /** Input sample rate in Hz (integer). */
  inputRate: number;
  /** Output sample rate in Hz (integer). */
  outputRate: number;
  /**
   * Interleaved channels, 1..64.
   * @default {1}
   */
  channels?: number;
  /**
   * Quality preset.
   * @default {"default"}
   */
  quality?: ResampleQuality;
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
}

/** Options of {@link resample}. */
export interface ResampleOptions {
  /**
   * Interleaved channels, 1..64.
   * @default {1}
   */
  channels?: number;
  /**
   * Quality preset.
   * @default {"default"}
   */
  quality?: ResampleQuality;
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
}

const U32_MAX = 0xffff_ffff;

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > U32_MAX) {
    throw new RangeError(`Cannot resample: ${what} ${n} is not an integer in 0..${U32_MAX}`);
  }
}

/**
 * A streaming resampler for interleaved float32 audio.
 *
 * @example Resample 20 ms frames from 48 kHz stereo to 16 kHz
 * ```ts
 * import { Resampler } from "./resample.ts";
 * using r = new Resampler({ inputRate: 48000, outputRate: 16000, channels: 2 });
 * const frame = new Float32Array(960 * 2); // 20 ms, interleaved
 * const out = new Float32Array(r.outputFramesNext(960) * 2);
 * const frames = r.process(frame, out); // writes into `out`, allocates nothing
 * console.log(frames, r.delay);
 * ```
 */
export class Resampler implements Disposable {
  /** Input sample rate in Hz. */
  readonly inputRate: number;
  /** Output sample rate in Hz. */
  readonly outputRate: number;
  /** Interleaved channels. */
  readonly channels: number;
  /** Quality preset. */
  readonly quality: ResampleQuality;
  /** Which implementation runs: `"native"` or `"ts"`. */
  readonly backend: "native" | "ts";
  /** Latency in output frames: stream output `j` is the signal at `(j - delay) / outputRate`. */
  readonly delay: number;
  #core: ResamplerCore | null;
  #native: NativeResampler | null;

  /**
   * Create a resampler.
   *
   * @param options Rates, channels, quality and backend.
   * @throws {RangeError} for a rate that is not an integer in 1..1536000, a ratio whose
   *   reduced terms exceed 4096 (or a factor above 256), a channel count outside 1..64, or
   *   an unknown quality or runtime hint.
   * @throws {Error} for `runtimeHint: "native"` when the native library cannot be loaded.
   */
  constructor(options: ResamplerOptions) {
    const { inputRate, outputRate } = options;
    const channels = options.channels ?? 1;
    const quality = options.quality ?? "default";
    reduceRatio(inputRate, outputRate);
    if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
      throw new RangeError(
        `Cannot create resampler: channel count ${channels} is not an integer in 1..${MAX_CHANNELS}`,
      );
    }
    const params = Object.hasOwn(QUALITY_PARAMS, quality) ? QUALITY_PARAMS[quality] : undefined;
    if (params === undefined) {
      throw new RangeError(
        `Cannot create resampler: unknown quality "${quality}": expected "fast", "default" or "high"`,
      );
    }
    const lib = resolveNative(options.runtimeHint);
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.channels = channels;
    this.quality = quality;
    if (lib !== null) {
      this.#native = new NativeResampler(lib, inputRate, outputRate, channels, params.code);
      this.#core = this.#native;
      this.backend = "native";
    } else {
      this.#native = null;
      this.#core = new TsResampler(inputRate, outputRate, channels, quality);
      this.backend = "ts";
    }
    this.delay = this.#core.delay;
  }

  #c(): ResamplerCore {
    if (this.#core === null) throw new TypeError("Cannot resample: the resampler is closed");
    return this.#core;
  }

  /** The native handle, for experts (null for the TS backend or once closed). */
  get unsafeHandle(): Deno.PointerObject | null {
    return this.#native?.unsafeHandle ?? null;
  }

  /**
   * How many frames the next {@link Resampler.process} of `inputFrames` frames writes.
   *
   * @param inputFrames Input frames of the next call.
   * @returns Output frames it will write.
   * @throws {RangeError} for a negative or non-integer count.
   *
   * @example Size an output buffer
   * ```ts
   * import { Resampler } from "./resample.ts";
   * using r = new Resampler({ inputRate: 16000, outputRate: 48000 });
   * console.log(r.outputFramesNext(320)); // frames for 20 ms of input
   * ```
   */
  outputFramesNext(inputFrames: number): number {
    checkCount("input frame count", inputFrames);
    return this.#c().outputFramesNext(inputFrames);
  }

  /**
   * How many more input frames are needed before at least `outputFrames` frames come out.
   *
   * @param outputFrames Output frames wanted.
   * @returns Input frames needed (0 if they are already buffered).
   * @throws {RangeError} for a negative or non-integer count.
   *
   * @example
   * ```ts
   * import { Resampler } from "./resample.ts";
   * using r = new Resampler({ inputRate: 44100, outputRate: 16000 });
   * console.log(r.inputFramesNext(320));
   * ```
   */
  inputFramesNext(outputFrames: number): number {
    checkCount("output frame count", outputFrames);
    return this.#c().inputFramesNext(outputFrames);
  }

  /**
   * How many frames the next {@link Resampler.flush} writes.
   *
   * @returns Output frames (0 when nothing was fed since the last reset).
   * @throws {TypeError} if the resampler is closed.
   *
   * @example
   * ```ts
   * import { Resampler } from "./resample.ts";
   * using r = new Resampler({ inputRate: 48000, outputRate: 16000 });
   * r.process(new Float32Array(480), new Float32Array(r.outputFramesNext(480)));
   * console.log(r.flushFramesNext());
   * ```
   */
  flushFramesNext(): number {
    return this.#c().flushFramesNext();
  }

  /**
   * Resample interleaved `input` into `output`; writes exactly
   * `outputFramesNext(input.length / channels)` frames at the start of `output` and
   * allocates nothing.
   *
   * @param input Interleaved samples (a multiple of `channels`).
   * @param output Destination, at least `outputFramesNext(frames) * channels` samples.
   * @returns Frames written.
   * @throws {RangeError} if the input length is not a multiple of the channel count, the
   *   output is too small, or input and output overlap.
   * @throws {TypeError} if the resampler is closed.
   *
   * @example Stream 10 ms chunks
   * ```ts
   * import { Resampler } from "./resample.ts";
   * using r = new Resampler({ inputRate: 8000, outputRate: 16000 });
   * const out = new Float32Array(r.outputFramesNext(80) + 2);
   * for (let i = 0; i < 10; i++) r.process(new Float32Array(80), out);
   * ```
   */
  process(input: Float32Array, output: Float32Array): number {
    const core = this.#c();
    const c = this.channels;
    if (input.length % c !== 0) {
      throw new RangeError(
        `Cannot resample: input length ${input.length} is not a multiple of ${c} channels`,
      );
    }
    const frames = input.length / c;
    checkCount("input frame count", frames);
    if (
      input.buffer === output.buffer && input.length > 0 && output.length > 0 &&
      input.byteOffset < output.byteOffset + output.byteLength &&
      output.byteOffset < input.byteOffset + input.byteLength
    ) {
      throw new RangeError("Cannot resample: input and output buffers overlap");
    }
    const need = core.outputFramesNext(frames) * c;
    if (output.length < need) {
      throw new RangeError(
        `Cannot resample: output holds ${output.length} samples, ${need} needed ` +
          `(${need / c} frames of ${c} channels)`,
      );
    }
    return core.process(input, output);
  }

  /**
   * End the stream: pad the input with silence, write every remaining output up to the
   * end of the input (`flushFramesNext()` frames), then reset for a new stream.
   *
   * @param output Destination, at least `flushFramesNext() * channels` samples.
   * @returns Frames written.
   * @throws {RangeError} if the output is too small.
   * @throws {TypeError} if the resampler is closed.
   *
   * @example
   * ```ts
   * import { Resampler } from "./resample.ts";
   * using r = new Resampler({ inputRate: 48000, outputRate: 16000 });
   * r.process(new Float32Array(960), new Float32Array(r.outputFramesNext(960)));
   * const tail = new Float32Array(r.flushFramesNext());
   * r.flush(tail);
   * ```
   */
  flush(output: Float32Array): number {
    const core = this.#c();
    const need = core.flushFramesNext() * this.channels;
    if (output.length < need) {
      throw new RangeError(
        `Cannot flush resampler: output holds ${output.length} samples, ${need} needed`,
      );
    }
    return core.flush(output);
  }

  /**
   * Forget all input: the next sample starts a new stream.
   *
   * @throws {TypeError} if the resampler is closed.
   *
   * @example
   * ```ts
   * import { Resampler } from "./resample.ts";
   * using r = new Resampler({ inputRate: 48000, outputRate: 16000 });
   * r.reset();
   * ```
   */
  reset(): void {
    this.#c().reset();
  }

  /**
   * Release the native resampler. Idempotent.
   *
   * @example
   * ```ts
   * import { Resampler } from "./resample.ts";
   * const r = new Resampler({ inputRate: 48000, outputRate: 16000 });
   * r.close();
   * ```
   */
  close(): void {
    this.#core?.close();
    this.#core = null;
    this.#native = null;
  }

  /** Same as {@link Resampler.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Frames per call when `resample` streams a whole signal (keeps lengths in u32). */
const CHUNK_FRAMES = 1 << 20;

/**
 * Resample a whole signal, delay-compensated: output frame `k` sits at time
 * `k / outputRate` (like `scipy.signal.resample_poly`), and the output has exactly
 * `round(frames * outputRate / inputRate)` frames. Allocates the output.
 *
 * @param input Interleaved samples (a multiple of `channels`).
 * @param inputRate Input sample rate in Hz.
 * @param outputRate Output sample rate in Hz.
 * @param options Channels, quality and backend.
 * @returns The resampled signal (a view of a new buffer).
 * @throws {RangeError} for bad rates, ratio, channels or input length.
 *
 * @example 1 s of 44.1 kHz audio to 16 kHz
 * ```ts
 * import { resample } from "./resample.ts";
 * const x = new Float32Array(44100).map((_, n) => Math.sin(2 * Math.PI * 440 * n / 44100));
 * const y = resample(x, 44100, 16000);
 * console.log(y.length); // 16000
 * ```
 */
export function resample(
  input: Float32Array,
  inputRate: number,
  outputRate: number,
  options: ResampleOptions = {},
): Float32Array {
  using r = new Resampler({ inputRate, outputRate, ...options });
  const c = r.channels;
  if (input.length % c !== 0) {
    throw new RangeError(
      `Cannot resample: input length ${input.length} is not a multiple of ${c} channels`,
    );
  }
  const frames = input.length / c;
  if (frames === 0) return new Float32Array(0);
  const [up, down] = reduceRatio(inputRate, outputRate);
  const keep = floorDiv(2 * frames * up + down, 2 * down); // round(frames * up / down)
  const total = r.delay + ceilDiv(frames * up, down);
  const out = new Float32Array(total * c);
  let written = 0;
  for (let pos = 0; pos < frames; pos += CHUNK_FRAMES) {
    const n = Math.min(CHUNK_FRAMES, frames - pos);
    written += r.process(input.subarray(pos * c, (pos + n) * c), out.subarray(written * c));
  }
  written += r.flush(out.subarray(written * c));
  if (written !== total) throw new Error(`resample: internal frame count ${written} != ${total}`);
  return out.subarray(r.delay * c, (r.delay + keep) * c);
}
