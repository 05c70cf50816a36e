/**
 * Real FFT of any length.
 *
 * `forward` maps `n` samples to the `n/2 + 1` bins of the real spectrum as interleaved
 * `re, im` pairs (unnormalized, FFTW's r2c layout); `inverse` maps them back scaled by
 * `1/n`, so `inverse(forward(x))` gives `x`. Both write into caller buffers and allocate
 * nothing. The native implementation shares one plan per length between all transforms;
 * the TypeScript one (`runtimeHint: "ts"`) caches plans too.
 *
 * @module
 */

import { type FftBackend, NativeFft } from "../ffi/fft.ts";
import { resolveNative, type RuntimeHint } from "./_backend.ts";
import { MAX_FFT_SIZE, TsFft } from "./_fft_ts.ts";

export type { RuntimeHint } from "./_backend.ts";

function checkTypes(op: string, input: unknown, output: unknown): void {
  if (!(input instanceof Float32Array) || !(output instanceof Float32Array)) {
    throw new TypeError(`Cannot ${op}: input and output must be Float32Arrays`);
  }
}

/** Options for {@link RealFft}. */
export interface RealFftOptions {
  /**
   * Which implementation to use.
   * @default {"auto"}
   */
  runtimeHint?: RuntimeHint;
}

/**
 * A real FFT of one length `n` (1 to 4194304; any factors: mixed radix 2/3/4/5 with a
 * Bluestein path for large prime factors).
 *
 * @example Spectrum of a sine
 * ```ts
 * import { RealFft } from "./fft.ts";
 * using fft = new RealFft(8);
 * const x = Float32Array.from({ length: 8 }, (_, i) => Math.cos((2 * Math.PI * i) / 8));
 * const spec = fft.forward(x, new Float32Array(fft.spectrumLength));
 * console.log(Math.round(spec[2]!)); // 4: bin 1 holds n/2
 * const back = fft.inverse(spec, new Float32Array(8));
 * console.log(Math.abs(back[0]! - 1) < 1e-6); // true
 * ```
 */
export class RealFft implements Disposable {
  #impl: FftBackend | null;
  /** Transform length `n`. */
  readonly size: number;
  /** Floats in a spectrum: `2 * (floor(n / 2) + 1)`. */
  readonly spectrumLength: number;
  /** Which implementation runs: `"native"` or `"ts"`. */
  readonly backend: "native" | "ts";

  /**
   * Create a transform of length `n`.
   *
   * @param n Transform length, an integer in 1..4194304.
   * @param options Backend selection.
   * @throws {RangeError} if `n` is not an integer in range or the hint is unknown.
   * @throws {Error} for `runtimeHint: "native"` when the library cannot be loaded.
   */
  constructor(n: number, options?: RealFftOptions) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_FFT_SIZE) {
      throw new RangeError(
        `Cannot create an FFT: size ${n} is not an integer in 1..${MAX_FFT_SIZE}`,
      );
    }
    const lib = resolveNative(options?.runtimeHint);
    this.#impl = lib === null ? new TsFft(n) : new NativeFft(lib, n);
    this.backend = lib === null ? "ts" : "native";
    this.size = n;
    this.spectrumLength = 2 * (Math.floor(n / 2) + 1);
  }

  /** The native `rm_fft` handle (for experts); null for the TS backend or once closed. */
  get unsafeHandle(): Deno.PointerObject | null {
    return this.#impl instanceof NativeFft ? this.#impl.unsafeHandle : null;
  }

  /**
   * The native binding (tests and benchmarks); null for the TS backend or once closed.
   * @ignore
   */
  get unsafeNative(): NativeFft | null {
    return this.#impl instanceof NativeFft ? this.#impl : null;
  }

  #live(op: string): FftBackend {
    if (this.#impl === null) throw new TypeError(`Cannot ${op}: the RealFft is closed`);
    return this.#impl;
  }

  /**
   * Forward transform (unnormalized) into `output`, allocation-free.
   *
   * @param input `n` samples.
   * @param output `spectrumLength` floats: `n/2 + 1` interleaved `re, im` pairs.
   * @returns `output`.
   * @throws {RangeError} if a buffer has the wrong length.
   * @throws {TypeError} if the transform is closed or a buffer is not a Float32Array.
   *
   * @example DC of a constant signal
   * ```ts
   * import { RealFft } from "./fft.ts";
   * using fft = new RealFft(4);
   * const spec = fft.forward(new Float32Array([1, 1, 1, 1]), new Float32Array(6));
   * console.log(spec[0]); // 4
   * ```
   */
  forward(input: Float32Array, output: Float32Array): Float32Array {
    const impl = this.#live("run the forward FFT");
    checkTypes("run the forward FFT", input, output);
    if (input.length !== this.size) {
      throw new RangeError(
        `Cannot run the forward FFT: input holds ${input.length} samples, expected ${this.size}`,
      );
    }
    if (output.length !== this.spectrumLength) {
      throw new RangeError(
        `Cannot run the forward FFT: output holds ${output.length} floats, expected ${this.spectrumLength}`,
      );
    }
    impl.forward(input, output);
    return output;
  }

  /**
   * Inverse transform, scaled by `1/n`, into `output`, allocation-free. The imaginary
   * parts of bin 0 and (even `n`) bin `n/2` are ignored.
   *
   * @param input `spectrumLength` floats (interleaved `re, im`).
   * @param output `n` samples.
   * @returns `output`.
   * @throws {RangeError} if a buffer has the wrong length.
   * @throws {TypeError} if the transform is closed or a buffer is not a Float32Array.
   *
   * @example Back from a spectrum
   * ```ts
   * import { RealFft } from "./fft.ts";
   * using fft = new RealFft(4);
   * const x = fft.inverse(new Float32Array([4, 0, 0, 0, 0, 0]), new Float32Array(4));
   * console.log(x); // Float32Array [1, 1, 1, 1]
   * ```
   */
  inverse(input: Float32Array, output: Float32Array): Float32Array {
    const impl = this.#live("run the inverse FFT");
    checkTypes("run the inverse FFT", input, output);
    if (input.length !== this.spectrumLength) {
      throw new RangeError(
        `Cannot run the inverse FFT: input holds ${input.length} floats, expected ${this.spectrumLength}`,
      );
    }
    if (output.length !== this.size) {
      throw new RangeError(
        `Cannot run the inverse FFT: output holds ${output.length} samples, expected ${this.size}`,
      );
    }
    impl.inverse(input, output);
    return output;
  }

  /** Release the native handle (the shared plan stays cached while others use it). Idempotent. */
  close(): void {
    this.#impl?.close();
    this.#impl = null;
  }

  /** Same as {@link RealFft.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
