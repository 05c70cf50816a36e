/**
 * Native bindings of the real FFT: a handle per transform (the native plan behind it is
 * cached and shared by length), called with typed arrays passed in place.
 *
 * @module
 */

import type { NativeLibrary } from "./loader.ts";

/** One real FFT of a fixed length: what both the native and the TS implementation offer. */
export interface FftBackend {
  /** Transform length. */
  readonly size: number;
  /** Forward transform of `n` samples into `2*(n/2+1)` interleaved floats (lengths checked by the caller). */
  forward(input: Float32Array, output: Float32Array): void;
  /** Inverse transform scaled by `1/n` (lengths checked by the caller). */
  inverse(input: Float32Array, output: Float32Array): void;
  /** Release native resources (idempotent). */
  close(): void;
}

interface Held {
  lib: NativeLibrary;
  handle: Deno.PointerObject;
}

let finalizerFrees = 0;

const registry = new FinalizationRegistry<Held>(({ lib, handle }) => {
  lib.symbols.rm_fft_free(handle);
  finalizerFrees++;
});

/**
 * Native FFT handles freed by the finalizer backstop (not by `close`), for lifetime tests.
 *
 * @returns The count since the module loaded.
 */
export function fftFinalizerFrees(): number {
  return finalizerFrees;
}

/** A native `rm_fft` handle. */
export class NativeFft implements FftBackend {
  #lib: NativeLibrary;
  #handle: Deno.PointerObject | null;
  /** Transform length. */
  readonly size: number;

  /**
   * Create the native transform.
   *
   * @param lib The loaded library.
   * @param n Transform length (validated by the caller).
   * @throws {NativeError} if the library rejects the length.
   */
  constructor(lib: NativeLibrary, n: number) {
    const handle = lib.symbols.rm_fft_new(n);
    if (handle === null) {
      lib.check(-2, "rm_fft_new");
      throw new Error("unreachable: rm_fft_new returned null without an error");
    }
    this.#lib = lib;
    this.#handle = handle;
    this.size = n;
    registry.register(this, { lib, handle }, this);
  }

  /** The native handle, or null once closed (for experts). */
  get unsafeHandle(): Deno.PointerObject | null {
    return this.#handle;
  }

  /** Address of the shared native plan (equal for live transforms of the same size). */
  get planAddress(): bigint {
    return BigInt(Deno.UnsafePointer.value(this.#lib.symbols.rm_fft_plan_addr(this.#live())));
  }

  /** The instruction set the native kernels use (`"avx2"` or `"scalar"`). */
  get isa(): string {
    const p = this.#lib.symbols.rm_fft_isa(this.#live());
    return p === null ? "" : Deno.UnsafePointerView.getCString(p);
  }

  #live(): Deno.PointerObject {
    if (this.#handle === null) throw new TypeError("Cannot use a closed FFT");
    return this.#handle;
  }

  forward(input: Float32Array, output: Float32Array): void {
    this.#lib.check(
      this.#lib.symbols.rm_fft_forward(this.#live(), input, input.length, output, output.length),
      "rm_fft_forward",
    );
  }

  inverse(input: Float32Array, output: Float32Array): void {
    this.#lib.check(
      this.#lib.symbols.rm_fft_inverse(this.#live(), input, input.length, output, output.length),
      "rm_fft_inverse",
    );
  }

  close(): void {
    if (this.#handle === null) return;
    registry.unregister(this);
    this.#lib.symbols.rm_fft_free(this.#handle);
    this.#handle = null;
  }
}
