/**
 * Native binding of the streaming resampler (`rm_resampler_*`): a handle class that
 * passes typed arrays in place (`"buffer"` parameters) and turns a negative status into
 * `NativeError`. Argument checking with friendly messages happens one layer up, in
 * `src/dsp/resample.ts`; this layer only guarantees memory safety.
 *
 * @module
 */

import type { NativeLibrary } from "./loader.ts";

/** Values written by `rm_resampler_info`, in order. */
export interface NativeResamplerInfo {
  /** Input rate in Hz. */
  inRate: number;
  /** Output rate in Hz. */
  outRate: number;
  /** Interleaved channels. */
  channels: number;
  /** Quality code (0 fast, 1 default, 2 high). */
  quality: number;
  /** Interpolation factor L of the reduced ratio L/M. */
  up: number;
  /** Decimation factor M of the reduced ratio L/M. */
  down: number;
  /** Taps per polyphase row. */
  taps: number;
  /** Latency in output frames. */
  delay: number;
  /** Dot-product kernel: `"scalar"` or `"avx2"`. */
  kernel: "scalar" | "avx2";
}

interface Held {
  lib: NativeLibrary;
  handle: Deno.PointerObject;
}

const registry = new FinalizationRegistry<Held>(({ lib, handle }) => {
  lib.symbols.rm_resampler_free(handle);
});

/**
 * A native streaming resampler (one `rm_resampler` handle).
 *
 * @example Resample 20 ms of stereo from 48 kHz to 16 kHz
 * ```ts ignore
 * using r = new NativeResampler(native(), 48000, 16000, 2, 1);
 * const out = new Float32Array(r.outputFramesNext(960) * 2);
 * const frames = r.process(new Float32Array(960 * 2), out);
 * ```
 */
export class NativeResampler implements Disposable {
  #lib: NativeLibrary;
  #handle: Deno.PointerObject | null;
  #u32 = new Uint32Array(1);
  /** Latency in output frames. */
  readonly delay: number;

  /**
   * Create the native resampler.
   *
   * @param lib A loaded native library.
   * @param inRate Input rate in Hz.
   * @param outRate Output rate in Hz.
   * @param channels Interleaved channels (1..64).
   * @param quality 0 fast, 1 default, 2 high.
   * @throws {NativeError} when the library rejects the parameters.
   */
  constructor(
    lib: NativeLibrary,
    inRate: number,
    outRate: number,
    channels: number,
    quality: number,
  ) {
    this.#lib = lib;
    const handle = lib.symbols.rm_resampler_new(inRate, outRate, channels, quality);
    if (handle === null) {
      // A null handle carries no status code; bad parameters are the only cause, so it
      // is reported as RM_ERR_INVALID_ARGUMENT with the library's own message.
      lib.check(-2, "rm_resampler_new");
      throw new Error("unreachable");
    }
    this.#handle = handle;
    registry.register(this, { lib, handle }, this);
    this.delay = this.#query(
      lib.symbols.rm_resampler_delay(handle, this.#u32),
      "rm_resampler_delay",
    );
  }

  #h(): Deno.PointerObject {
    if (this.#handle === null) throw new TypeError("Cannot use the resampler: it is closed");
    return this.#handle;
  }

  #query(status: number, symbol: string): number {
    this.#lib.check(status, symbol);
    return this.#u32[0]!;
  }

  /** The native handle (for experts; null once closed). */
  get unsafeHandle(): Deno.PointerObject | null {
    return this.#handle;
  }

  /**
   * Output frames the next `process` of `inputFrames` frames writes.
   * @param inputFrames Input frames (u32).
   * @returns Output frames.
   */
  outputFramesNext(inputFrames: number): number {
    const s = this.#lib.symbols;
    return this.#query(
      s.rm_resampler_output_frames_next(this.#h(), inputFrames, this.#u32),
      "rm_resampler_output_frames_next",
    );
  }

  /**
   * Input frames needed before at least `outputFrames` more frames are written.
   * @param outputFrames Output frames (u32).
   * @returns Input frames.
   */
  inputFramesNext(outputFrames: number): number {
    const s = this.#lib.symbols;
    return this.#query(
      s.rm_resampler_input_frames_next(this.#h(), outputFrames, this.#u32),
      "rm_resampler_input_frames_next",
    );
  }

  /**
   * Output frames the next `flush` writes.
   * @returns Output frames.
   */
  flushFramesNext(): number {
    const s = this.#lib.symbols;
    return this.#query(
      s.rm_resampler_flush_frames(this.#h(), this.#u32),
      "rm_resampler_flush_frames",
    );
  }

  /**
   * Resample interleaved `input` into `output` (no allocation).
   * @param input Interleaved samples.
   * @param output Destination (large enough for `outputFramesNext`).
   * @returns Frames written.
   */
  process(input: Float32Array, output: Float32Array): number {
    const s = this.#lib.symbols;
    return this.#query(
      s.rm_resampler_process(
        this.#h(),
        input,
        input.length,
        output,
        output.length,
        this.#u32,
      ),
      "rm_resampler_process",
    );
  }

  /**
   * Write the rest of the stream, then reset.
   * @param output Destination (large enough for `flushFramesNext`).
   * @returns Frames written.
   */
  flush(output: Float32Array): number {
    const s = this.#lib.symbols;
    return this.#query(
      s.rm_resampler_flush(this.#h(), output, output.length, this.#u32),
      "rm_resampler_flush",
    );
  }

  /** Forget all input. */
  reset(): void {
    this.#lib.check(this.#lib.symbols.rm_resampler_reset(this.#h()), "rm_resampler_reset");
  }

  /**
   * Static facts about the native resampler.
   * @returns Rates, ratio, taps, delay and kernel.
   */
  info(): NativeResamplerInfo {
    const v = new Uint32Array(9);
    this.#lib.check(
      this.#lib.symbols.rm_resampler_info(this.#h(), v, v.length),
      "rm_resampler_info",
    );
    return {
      inRate: v[0]!,
      outRate: v[1]!,
      channels: v[2]!,
      quality: v[3]!,
      up: v[4]!,
      down: v[5]!,
      taps: v[6]!,
      delay: v[7]!,
      kernel: v[8] === 1 ? "avx2" : "scalar",
    };
  }

  /**
   * Address of the buffer the last process or flush wrote to (0 before the first).
   * @returns The address.
   */
  lastOutputAddress(): bigint {
    const p = this.#lib.symbols.rm_resampler_last_output(this.#h());
    return BigInt(Deno.UnsafePointer.value(p));
  }

  /** Free the native resampler. Idempotent. */
  close(): void {
    if (this.#handle === null) return;
    registry.unregister(this);
    this.#lib.symbols.rm_resampler_free(this.#handle);
    this.#handle = null;
  }

  /** Same as {@link NativeResampler.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * The address of a typed array's first element, for zero-copy identity checks.
 *
 * @param a A typed array (or a view of one).
 * @returns The address as a bigint.
 */
export function addressOf(a: Float32Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(a)));
}
