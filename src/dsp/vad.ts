/**
 * Voice activity detection: a classical, noise-adaptive detector for 10, 20 or 30 ms
 * frames at 8, 16, 32 or 48 kHz, a speech segmenter, and `detectSpeech` for whole clips.
 *
 * The detector tracks the noise floor per frequency band and tests each 10 ms for speech
 * with a likelihood ratio whose threshold follows how much the noise itself fluctuates,
 * so it keeps working in stationary noise at 0-5 dB SNR and in babble. Modes 0 (reports
 * the most speech) to 3 (the least) trade recall for fewer false alarms. A 20 or 30 ms
 * frame's decision is that of its last 10 ms. The native and TypeScript implementations
 * give the same decisions bit for bit.
 *
 * @module
 */

import { nativeSegments, NativeVad, type VadKernel } from "../ffi/vad.ts";
import { resolveNative, type RuntimeHint } from "./_backend.ts";
import { TsVad } from "./_vad_ts.ts";

/** Sample rates the detector accepts (Hz). */
export type VadSampleRate = 8000 | 16000 | 32000 | 48000;
/** Frame durations the detector accepts (ms). */
export type VadFrameMs = 10 | 20 | 30;
/** Aggressiveness: 0 reports the most speech, 3 the least. */
export type VadMode = 0 | 1 | 2 | 3;

/** Options of {@link Vad}. */
export interface VadOptions {
  /** Input sample rate (Hz). */
  sampleRate: VadSampleRate;
  /**
   * Frame duration (ms).
   * @default {20}
   */
  frameMs?: VadFrameMs;
  /**
   * Aggressiveness: 0 (most speech, fewest misses) to 3 (fewest false alarms).
   * @default {1}
   */
  mode?: VadMode;
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
}

const RATES = [8000, 16000, 32000, 48000];
const FRAMES = [10, 20, 30];

function checkVadOptions(op: string, rate: unknown, frameMs: unknown, mode: unknown): void {
  if (!RATES.includes(rate as number)) {
    throw new RangeError(
      `Cannot ${op}: sample rate ${rate} Hz is not supported: expected 8000, 16000, 32000 or 48000`,
    );
  }
  if (!FRAMES.includes(frameMs as number)) {
    throw new RangeError(
      `Cannot ${op}: frame duration ${frameMs} ms is not supported: expected 10, 20 or 30`,
    );
  }
  if (!(mode === 0 || mode === 1 || mode === 2 || mode === 3)) {
    throw new RangeError(`Cannot ${op}: mode ${mode} is not supported: expected 0, 1, 2 or 3`);
  }
}

/**
 * A voice activity detector for one mono stream of float samples.
 *
 * {@link Vad.process} decides one frame and allocates nothing; {@link Vad.processBuffer}
 * decides every whole frame of a buffer into a caller-provided array.
 *
 * @example Decide 20 ms frames of a 16 kHz stream
 * ```ts
 * import { Vad } from "./vad.ts";
 * using vad = new Vad({ sampleRate: 16000, frameMs: 20 });
 * const frame = new Float32Array(vad.frameSamples); // 320 samples
 * console.log(vad.process(frame)); // false: silence
 * ```
 */
export class Vad implements Disposable {
  #kernel: VadKernel | null;
  #stat = new Float64Array(2);
  /** Input sample rate (Hz). */
  readonly sampleRate: VadSampleRate;
  /** Frame duration (ms). */
  readonly frameMs: VadFrameMs;
  /** Aggressiveness mode. */
  readonly mode: VadMode;
  /** Samples per frame (`sampleRate * frameMs / 1000`). */
  readonly frameSamples: number;

  /**
   * Create a detector.
   *
   * @param options Sample rate, frame duration, mode and backend.
   * @throws {RangeError} for an unsupported rate, frame duration, mode or runtime hint.
   * @throws {Error} for `runtimeHint: "native"` when the library cannot be loaded.
   *
   * @example Create and close
   * ```ts
   * import { Vad } from "./vad.ts";
   * const vad = new Vad({ sampleRate: 48000, frameMs: 10, mode: 2 });
   * console.log(vad.frameSamples); // 480
   * vad.close();
   * ```
   */
  constructor(options: VadOptions) {
    const frameMs = options.frameMs ?? 20;
    const mode = options.mode ?? 1;
    checkVadOptions("create VAD", options.sampleRate, frameMs, mode);
    const lib = resolveNative(options.runtimeHint);
    this.#kernel = lib === null
      ? new TsVad(options.sampleRate, frameMs, mode)
      : new NativeVad(lib, options.sampleRate, frameMs, mode);
    this.sampleRate = options.sampleRate;
    this.frameMs = frameMs;
    this.mode = mode;
    this.frameSamples = this.#kernel.frameSamples;
  }

  #k(): VadKernel {
    if (this.#kernel === null) throw new TypeError("Cannot use a closed VAD");
    return this.#kernel;
  }

  /** The code in use: `"avx2"` or `"portable"` (native) or `"ts"`. */
  get kernel(): string {
    return this.#k().kernel;
  }

  /**
   * The last 10 ms decision statistic (mean band log likelihood ratio), for diagnostics.
   * Speech starts when it exceeds {@link Vad.threshold} on two consecutive 10 ms steps.
   */
  get statistic(): number {
    this.#k().statistic(this.#stat);
    return this.#stat[0]!;
  }

  /** The threshold the last {@link Vad.statistic} was compared with. */
  get threshold(): number {
    this.#k().statistic(this.#stat);
    return this.#stat[1]!;
  }

  /**
   * Decide one frame: true for speech. Allocates nothing.
   *
   * @param frame Exactly {@link Vad.frameSamples} samples, nominally in [-1, 1].
   * @returns Whether the frame is speech.
   * @throws {RangeError} if the frame has the wrong length.
   * @throws {TypeError} if the detector is closed.
   *
   * @example Feed a stream frame by frame
   * ```ts
   * import { Vad } from "./vad.ts";
   * using vad = new Vad({ sampleRate: 16000, frameMs: 10 });
   * const audio = new Float32Array(16000);
   * let speech = 0;
   * for (let i = 0; i + 160 <= audio.length; i += 160) {
   *   if (vad.process(audio.subarray(i, i + 160))) speech++;
   * }
   * console.log(speech); // 0
   * ```
   */
  process(frame: Float32Array): boolean {
    const k = this.#k();
    if (frame.length !== this.frameSamples) {
      throw new RangeError(
        `Cannot process VAD frame: frame holds ${frame.length} samples, expected ` +
          `${this.frameSamples} (${this.frameMs} ms at ${this.sampleRate} Hz)`,
      );
    }
    return k.process(frame);
  }

  /**
   * Decide every whole frame of `samples`, writing 1 (speech) or 0 per frame into
   * `decisions`. Trailing samples that do not fill a frame are ignored (feed them again
   * with the next buffer). Allocates nothing.
   *
   * @param samples Any number of samples.
   * @param decisions Output, at least `floor(samples.length / frameSamples)` long.
   * @returns The number of frames decided.
   * @throws {RangeError} if `decisions` is too short.
   * @throws {TypeError} if the detector is closed.
   *
   * @example Decide a whole buffer
   * ```ts
   * import { Vad } from "./vad.ts";
   * using vad = new Vad({ sampleRate: 8000, frameMs: 30 });
   * const samples = new Float32Array(8000);
   * const decisions = new Uint8Array(Math.floor(samples.length / vad.frameSamples));
   * console.log(vad.processBuffer(samples, decisions)); // 33
   * ```
   */
  processBuffer(samples: Float32Array, decisions: Uint8Array): number {
    const k = this.#k();
    const frames = Math.floor(samples.length / this.frameSamples);
    if (decisions.length < frames) {
      throw new RangeError(
        `Cannot process VAD buffer: decisions hold ${decisions.length} elements, ${frames} needed`,
      );
    }
    return k.processBuffer(samples, decisions);
  }

  /**
   * Forget everything heard so far: noise estimates, hangover and filter memory.
   *
   * @throws {TypeError} if the detector is closed.
   *
   * @example Start over on a new stream
   * ```ts
   * import { Vad } from "./vad.ts";
   * using vad = new Vad({ sampleRate: 16000 });
   * vad.reset();
   * ```
   */
  reset(): void {
    this.#k().reset();
  }

  /**
   * Release the detector (idempotent).
   *
   * @example Explicit close
   * ```ts
   * import { Vad } from "./vad.ts";
   * const vad = new Vad({ sampleRate: 16000 });
   * vad.close();
   * vad.close();
   * ```
   */
  close(): void {
    this.#kernel?.close();
    this.#kernel = null;
  }

  /** Same as {@link Vad.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A span of speech, in seconds from the start of the stream; `end` is exclusive. */
export interface SpeechSegment {
  /** Start time (s). */
  start: number;
  /** End time (s). */
  end: number;
}

/** A speech boundary reported by {@link SpeechSegmenter}. */
export interface SpeechEvent {
  /** `"start"` when speech begins, `"end"` when it stops. */
  type: "start" | "end";
  /** Time of the boundary (s from the start of the stream). */
  time: number;
}

/** Options of {@link SpeechSegmenter} and {@link speechSegments}. */
export interface SpeechSegmenterOptions {
  /**
   * Duration of one decision (ms), 1..1000.
   * @default {10}
   */
  frameMs?: number;
  /**
   * Shortest speech span reported; shorter bursts are dropped (ms).
   * @default {250}
   */
  minSpeechMs?: number;
  /**
   * Silence that ends a segment; shorter pauses are bridged (ms).
   * @default {100}
   */
  minSilenceMs?: number;
  /**
   * Padding added before each segment (and after it, up to `minSilenceMs`) (ms).
   * @default {30}
   */
  padMs?: number;
}

interface SegmenterSettings {
  frameMs: number;
  minSpeechMs: number;
  minSilenceMs: number;
  padMs: number;
}

function segmenterSettings(op: string, o: SpeechSegmenterOptions = {}): SegmenterSettings {
  const s = {
    frameMs: o.frameMs ?? 10,
    minSpeechMs: o.minSpeechMs ?? 250,
    minSilenceMs: o.minSilenceMs ?? 100,
    padMs: o.padMs ?? 30,
  };
  if (!Number.isInteger(s.frameMs) || s.frameMs < 1 || s.frameMs > 1000) {
    throw new RangeError(
      `Cannot ${op}: frame duration ${s.frameMs} ms is not an integer in 1..1000`,
    );
  }
  for (
    const [name, v] of [["minSpeechMs", s.minSpeechMs], ["minSilenceMs", s.minSilenceMs], [
      "padMs",
      s.padMs,
    ]] as const
  ) {
    if (!Number.isInteger(v) || v < 0 || v > 600_000) {
      throw new RangeError(`Cannot ${op}: ${name} ${v} is not an integer in 0..600000`);
    }
  }
  return s;
}

/**
 * Streaming speech segmentation: per-frame decisions in, speech start/end events out.
 *
 * A segment starts once speech (bridging pauses shorter than `minSilenceMs`) has lasted
 * `minSpeechMs`, reported with its start moved back by `padMs`; it ends once silence has
 * lasted `minSilenceMs`, reported at the last speech plus `min(padMs, minSilenceMs)`.
 * Segments never overlap. Times are exact multiples of the frame duration (integer ms).
 *
 * @example Events from a decision stream
 * ```ts
 * import { SpeechSegmenter } from "./vad.ts";
 * const seg = new SpeechSegmenter({ minSpeechMs: 30, minSilenceMs: 20, padMs: 0 });
 * for (const d of [0, 1, 1, 1, 0, 0, 0]) {
 *   const ev = seg.push(d === 1);
 *   if (ev) console.log(ev.type, ev.time); // "start 0.01", then "end 0.04"
 * }
 * ```
 */
export class SpeechSegmenter {
  #s: SegmenterSettings;
  #frames = 0;
  #candidate = -1;
  #active = false;
  #lastSpeechEnd = 0;
  #silence = 0;
  #prevEnd = 0;

  /**
   * Create a segmenter.
   *
   * @param options Frame duration, minimum speech and silence, padding.
   * @throws {RangeError} for durations that are not integers in range.
   *
   * @example Defaults: 10 ms frames, 250/100/30 ms
   * ```ts
   * import { SpeechSegmenter } from "./vad.ts";
   * const seg = new SpeechSegmenter();
   * console.log(seg.time); // 0
   * ```
   */
  constructor(options?: SpeechSegmenterOptions) {
    this.#s = segmenterSettings("create speech segmenter", options);
  }

  /** Seconds of decisions consumed so far. */
  get time(): number {
    return (this.#frames * this.#s.frameMs) / 1000;
  }

  /** Whether a segment is open (a start was reported without its end). */
  get inSpeech(): boolean {
    return this.#active;
  }

  /**
   * Feed one frame decision.
   *
   * @param speech The detector's decision for the next frame.
   * @returns The boundary this frame completes, or null.
   *
   * @example
   * ```ts
   * import { SpeechSegmenter } from "./vad.ts";
   * const seg = new SpeechSegmenter({ minSpeechMs: 10 });
   * console.log(seg.push(true)); // { type: "start", time: 0 }
   * ```
   */
  push(speech: boolean): SpeechEvent | null {
    const f = this.#s.frameMs;
    const t0 = this.#frames * f;
    this.#frames++;
    const t1 = t0 + f;
    if (speech) {
      this.#silence = 0;
      this.#lastSpeechEnd = t1;
      if (this.#active) return null;
      if (this.#candidate < 0) this.#candidate = t0;
      const start = this.#candidate;
      if (t1 - start >= this.#s.minSpeechMs) {
        this.#active = true;
        this.#candidate = -1;
        return { type: "start", time: Math.max(start - this.#s.padMs, this.#prevEnd, 0) / 1000 };
      }
      return null;
    }
    this.#silence += f;
    if (this.#silence >= this.#s.minSilenceMs) {
      if (this.#active) {
        this.#active = false;
        const end = this.#lastSpeechEnd + Math.min(this.#s.padMs, this.#s.minSilenceMs);
        this.#prevEnd = end;
        return { type: "end", time: end / 1000 };
      }
      this.#candidate = -1;
    }
    return null;
  }

  /**
   * End of input: closes an open segment at `min(last speech + padMs, now)`.
   *
   * @returns The closing `"end"` event, or null when no segment is open.
   *
   * @example
   * ```ts
   * import { SpeechSegmenter } from "./vad.ts";
   * const seg = new SpeechSegmenter({ minSpeechMs: 10 });
   * seg.push(true);
   * console.log(seg.finish()); // { type: "end", time: 0.01 }
   * ```
   */
  finish(): SpeechEvent | null {
    this.#candidate = -1;
    if (!this.#active) return null;
    this.#active = false;
    const end = Math.min(this.#lastSpeechEnd + this.#s.padMs, this.#frames * this.#s.frameMs);
    this.#prevEnd = end;
    return { type: "end", time: end / 1000 };
  }

  /**
   * Forget all state (keeps the options).
   *
   * @example
   * ```ts
   * import { SpeechSegmenter } from "./vad.ts";
   * const seg = new SpeechSegmenter();
   * seg.push(true);
   * seg.reset();
   * console.log(seg.time); // 0
   * ```
   */
  reset(): void {
    this.#frames = 0;
    this.#candidate = -1;
    this.#active = false;
    this.#lastSpeechEnd = 0;
    this.#silence = 0;
    this.#prevEnd = 0;
  }
}

/** Options of {@link speechSegments}. */
export interface SpeechSegmentsOptions extends SpeechSegmenterOptions {
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
}

/**
 * Speech segments of a whole decision sequence (the batch form of
 * {@link SpeechSegmenter}); a segment still open at the end closes at the end of input.
 *
 * @param decisions One value per frame, nonzero for speech.
 * @param options Frame duration, minimum speech and silence, padding, backend.
 * @returns The segments in seconds, in order.
 * @throws {RangeError} for durations that are not integers in range.
 *
 * @example Segments of 10 ms decisions
 * ```ts
 * import { speechSegments } from "./vad.ts";
 * const d = new Uint8Array([1, 1, 1, 0, 0, 0, 1, 1]);
 * console.log(speechSegments(d, { minSpeechMs: 0, minSilenceMs: 20, padMs: 0 }));
 * // [ { start: 0, end: 0.03 }, { start: 0.06, end: 0.08 } ]
 * ```
 */
export function speechSegments(
  decisions: Uint8Array,
  options?: SpeechSegmentsOptions,
): SpeechSegment[] {
  const s = segmenterSettings("segment speech", options);
  const lib = resolveNative(options?.runtimeHint);
  const out: SpeechSegment[] = [];
  if (lib !== null) {
    const pairs = nativeSegments(lib, decisions, s.frameMs, s.minSpeechMs, s.minSilenceMs, s.padMs);
    for (let i = 0; i < pairs.length; i += 2) out.push({ start: pairs[i]!, end: pairs[i + 1]! });
    return out;
  }
  const seg = new SpeechSegmenter(s);
  let start = 0;
  const take = (ev: SpeechEvent | null) => {
    if (ev === null) return;
    if (ev.type === "start") start = ev.time;
    else out.push({ start, end: ev.time });
  };
  for (let i = 0; i < decisions.length; i++) take(seg.push(decisions[i] !== 0));
  take(seg.finish());
  return out;
}

/** Options of {@link detectSpeech}. */
export interface DetectSpeechOptions extends SpeechSegmenterOptions {
  /**
   * Detector frame duration (ms); decisions are reported on the 10 ms grid regardless.
   * @default {10}
   */
  frameMs?: VadFrameMs;
  /**
   * Detector aggressiveness.
   * @default {1}
   */
  mode?: VadMode;
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
}

/** Result of {@link detectSpeech}. */
export interface DetectSpeechResult {
  /** Speech segments (s), after minimum durations and padding. */
  segments: SpeechSegment[];
  /**
   * One decision per 10 ms (`floor(samples.length / (sampleRate / 100))` of them; frame i
   * covers `[10 i, 10 i + 10)` ms): 1 speech, 0 not. A 20 or 30 ms decision fills two or
   * three entries; a trailing partial frame counts as not speech.
   */
  decisions: Uint8Array;
}

/**
 * Run the detector over a whole clip: 10 ms-grid decisions and speech segments.
 *
 * @param samples Mono samples, nominally in [-1, 1].
 * @param sampleRate 8000, 16000, 32000 or 48000 Hz.
 * @param options Detector frame duration and mode, segmenter durations, backend.
 * @returns The decisions and the segments.
 * @throws {RangeError} for an unsupported rate, frame duration, mode or duration.
 *
 * @example Find speech in a clip
 * ```ts
 * import { detectSpeech } from "./vad.ts";
 * const { segments, decisions } = detectSpeech(new Float32Array(16000), 16000);
 * console.log(decisions.length, segments.length); // 100 0
 * ```
 */
export function detectSpeech(
  samples: Float32Array,
  sampleRate: number,
  options?: DetectSpeechOptions,
): DetectSpeechResult {
  const frameMs = options?.frameMs ?? 10;
  const mode = options?.mode ?? 1;
  checkVadOptions("detect speech", sampleRate, frameMs, mode);
  const seg = segmenterSettings("detect speech", { ...options, frameMs: 10 });
  const per = frameMs / 10;
  const grid = new Uint8Array(Math.floor(samples.length / (sampleRate / 100)));
  {
    using vad = new Vad({
      sampleRate: sampleRate as VadSampleRate,
      frameMs,
      mode,
      runtimeHint: options?.runtimeHint,
    });
    const frames = new Uint8Array(Math.floor(samples.length / vad.frameSamples));
    vad.processBuffer(samples, frames);
    for (let f = 0; f < frames.length; f++) {
      if (frames[f]) grid.fill(1, f * per, f * per + per);
    }
  }
  const segments = speechSegments(grid, { ...seg, runtimeHint: options?.runtimeHint });
  return { segments, decisions: grid };
}
