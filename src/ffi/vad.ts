/**
 * Native bindings of the voice activity detector: an `rm_vad` handle wrapped in a small
 * class, and the batch segmenter. The only code that calls the `rm_vad_*` symbols.
 *
 * @module
 */

import type { NativeLibrary } from "./loader.ts";

/** One detector implementation (native or TypeScript) behind the public `Vad`. */
export interface VadKernel {
  /** Samples per frame. */
  readonly frameSamples: number;
  /** Which code runs: `"avx2"`, `"portable"` (native) or `"ts"`. */
  readonly kernel: string;
  /** Decide one frame of exactly `frameSamples` samples. */
  process(frame: Float32Array): boolean;
  /** Decide every whole frame of `samples` into `decisions`; returns the frame count. */
  processBuffer(samples: Float32Array, decisions: Uint8Array): number;
  /** Forget all state. */
  reset(): void;
  /** Write the last 10 ms sub-frame's statistic and threshold into `out[0]`, `out[1]`. */
  statistic(out: Float64Array): void;
  /** Release native resources (idempotent). */
  close(): void;
}

interface Held {
  lib: NativeLibrary;
  handle: Deno.PointerObject;
}

const registry = new FinalizationRegistry<Held>(({ lib, handle }) => {
  lib.symbols.rm_vad_free(handle);
});

/** An `rm_vad` handle. Callers validate arguments first; native errors still surface. */
export class NativeVad implements VadKernel {
  #lib: NativeLibrary;
  #handle: Deno.PointerObject | null;
  #frames = new Uint32Array(1);
  readonly frameSamples: number;
  readonly kernel: string;

  /**
   * Create the native detector.
   *
   * @param lib A loaded native library.
   * @param sampleRate Input rate (Hz).
   * @param frameMs Frame duration (ms).
   * @param mode Aggressiveness 0..3.
   * @throws {NativeError} when the library rejects the arguments.
   */
  constructor(lib: NativeLibrary, sampleRate: number, frameMs: number, mode: number) {
    this.#lib = lib;
    const h = lib.symbols.rm_vad_new(sampleRate, frameMs, mode);
    if (h === null) lib.check(-2, "rm_vad_new");
    this.#handle = h!;
    this.frameSamples = lib.symbols.rm_vad_frame_samples(h);
    const name = lib.symbols.rm_vad_kernel(h);
    this.kernel = name === null ? "native" : Deno.UnsafePointerView.getCString(name);
    registry.register(this, { lib, handle: h! }, this);
  }

  /** The raw handle, for experts. */
  get unsafeHandle(): Deno.PointerObject {
    if (this.#handle === null) throw new TypeError("Cannot use a closed VAD");
    return this.#handle;
  }

  process(frame: Float32Array): boolean {
    const r = this.#lib.symbols.rm_vad_process(this.unsafeHandle, frame, frame.length);
    if (r < 0) this.#lib.check(r, "rm_vad_process");
    return r === 1;
  }

  processBuffer(samples: Float32Array, decisions: Uint8Array): number {
    const s = this.#lib.symbols;
    this.#lib.check(
      s.rm_vad_process_buffer(
        this.unsafeHandle,
        samples,
        samples.length,
        decisions,
        decisions.length,
        this.#frames,
      ),
      "rm_vad_process_buffer",
    );
    return this.#frames[0]!;
  }

  reset(): void {
    this.#lib.check(this.#lib.symbols.rm_vad_reset(this.unsafeHandle), "rm_vad_reset");
  }

  statistic(out: Float64Array): void {
    this.#lib.check(
      this.#lib.symbols.rm_vad_statistic(this.unsafeHandle, out, out.length),
      "rm_vad_statistic",
    );
  }

  close(): void {
    const h = this.#handle;
    if (h === null) return;
    this.#handle = null;
    registry.unregister(this);
    this.#lib.symbols.rm_vad_free(h);
  }
}

/**
 * Speech segments of a decision sequence, natively.
 *
 * @param lib A loaded native library.
 * @param decisions One byte per frame, nonzero for speech.
 * @param frameMs Frame duration (ms).
 * @param minSpeechMs Shortest reported segment (ms).
 * @param minSilenceMs Silence that ends a segment (ms).
 * @param padMs Padding on each side (ms).
 * @returns `[start, end]` pairs in seconds.
 * @throws {NativeError} when the library rejects the arguments.
 */
export function nativeSegments(
  lib: NativeLibrary,
  decisions: Uint8Array,
  frameMs: number,
  minSpeechMs: number,
  minSilenceMs: number,
  padMs: number,
): Float64Array {
  // A segment needs a speech frame and a following silence: at most n/2 + 1 of them.
  const out = new Float64Array(2 * (Math.floor(decisions.length / 2) + 1));
  const count = new Uint32Array(1);
  lib.check(
    lib.symbols.rm_vad_segments(
      decisions,
      decisions.length,
      frameMs,
      minSpeechMs,
      minSilenceMs,
      padMs,
      out,
      out.length,
      count,
    ),
    "rm_vad_segments",
  );
  return out.subarray(0, 2 * count[0]!);
}
