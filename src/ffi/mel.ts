/**
 * Native bindings of the Whisper log-mel kernels: batch (sync and `nonblocking`), the
 * filterbank, and streaming handles. Typed arrays are passed in place.
 *
 * @module
 */

import type { NativeLibrary } from "./loader.ts";

/** Layout codes of the C ABI: 0 = `[n_mels][n_frames]`, 1 = `[n_frames][n_mels]`. */
export type MelLayoutCode = 0 | 1;

/** A streaming log-mel: what both implementations offer. */
export interface MelStreamBackend {
  /** Append samples; returns the frames computed so far. */
  push(samples: Float32Array): number;
  /** Write the finished window (length checked by the caller), reset, return the frame count. */
  finish(out: Float32Array): number;
  /** Drop all audio and frames. */
  reset(): void;
  /** Release native resources (idempotent). */
  close(): void;
}

/** The log-mel kernels of one implementation. Arguments are validated by the caller. */
export interface MelBackend {
  /** Batch log-mel of `samples` into `out` (`nMels * floor(len / 160)` floats). */
  batch(
    samples: Float32Array,
    nMels: number,
    layout: MelLayoutCode,
    threads: number,
    out: Float32Array,
  ): void;
  /** Like `batch`, off the JS thread where the implementation can. */
  batchAsync(
    samples: Float32Array,
    nMels: number,
    layout: MelLayoutCode,
    threads: number,
    out: Float32Array,
  ): Promise<void>;
  /** The `[nMels][201]` Slaney filterbank into `out`. */
  filters(nMels: number, out: Float32Array): void;
  /** A new stream with room for `capacityFrames` frames before it grows. */
  createStream(nMels: number, layout: MelLayoutCode, capacityFrames: number): MelStreamBackend;
}

interface Held {
  lib: NativeLibrary;
  handle: Deno.PointerObject;
}

let finalizerFrees = 0;

const registry = new FinalizationRegistry<Held>(({ lib, handle }) => {
  lib.symbols.rm_mel_stream_free(handle);
  finalizerFrees++;
});

/**
 * Native log-mel streams freed by the finalizer backstop (not by `close`), for lifetime tests.
 *
 * @returns The count since the module loaded.
 */
export function melStreamFinalizerFrees(): number {
  return finalizerFrees;
}

/** A native `rm_mel_stream` handle. */
export class NativeMelStream implements MelStreamBackend {
  #lib: NativeLibrary;
  #handle: Deno.PointerObject | null;

  /**
   * Create the stream.
   *
   * @param lib The loaded library.
   * @param nMels 80 or 128 (validated by the caller).
   * @param layout Layout code.
   * @param capacityFrames Frames to reserve.
   * @throws {NativeError} if the library rejects the arguments.
   */
  constructor(lib: NativeLibrary, nMels: number, layout: MelLayoutCode, capacityFrames: number) {
    const handle = lib.symbols.rm_mel_stream_new(nMels, layout, capacityFrames);
    if (handle === null) {
      lib.check(-2, "rm_mel_stream_new");
      throw new Error("unreachable: rm_mel_stream_new returned null without an error");
    }
    this.#lib = lib;
    this.#handle = handle;
    registry.register(this, { lib, handle }, this);
  }

  /** The native handle, or null once closed (for experts). */
  get unsafeHandle(): Deno.PointerObject | null {
    return this.#handle;
  }

  #live(): Deno.PointerObject {
    if (this.#handle === null) throw new TypeError("Cannot use a closed log-mel stream");
    return this.#handle;
  }

  push(samples: Float32Array): number {
    const r = this.#lib.symbols.rm_mel_stream_push(this.#live(), samples, samples.length);
    this.#lib.check(r, "rm_mel_stream_push");
    return r;
  }

  finish(out: Float32Array): number {
    const r = this.#lib.symbols.rm_mel_stream_finish(this.#live(), out, out.length);
    this.#lib.check(r, "rm_mel_stream_finish");
    return r;
  }

  reset(): void {
    this.#lib.check(this.#lib.symbols.rm_mel_stream_reset(this.#live()), "rm_mel_stream_reset");
  }

  close(): void {
    if (this.#handle === null) return;
    registry.unregister(this);
    this.#lib.symbols.rm_mel_stream_free(this.#handle);
    this.#handle = null;
  }
}

const cache = new WeakMap<NativeLibrary, MelBackend>();

/**
 * The log-mel kernels of `lib` (one object per library).
 *
 * @param lib A loaded native library.
 * @returns The bound kernels.
 */
export function nativeMel(lib: NativeLibrary): MelBackend {
  const hit = cache.get(lib);
  if (hit) return hit;
  const s = lib.symbols;
  const m: MelBackend = {
    batch(samples, nMels, layout, threads, out) {
      lib.check(
        s.rm_mel_batch(samples, samples.length, nMels, layout, threads, out, out.length),
        "rm_mel_batch",
      );
    },
    async batchAsync(samples, nMels, layout, threads, out) {
      // `samples` and `out` stay referenced by this frame until the call settles.
      const status = await s.rm_mel_batch_nonblocking(
        samples,
        samples.length,
        nMels,
        layout,
        threads,
        out,
        out.length,
      );
      if (status < 0) {
        // The message was recorded on the worker thread; the synchronous call fails the
        // same way and records it on this one.
        lib.check(
          s.rm_mel_batch(samples, samples.length, nMels, layout, threads, out, out.length),
          "rm_mel_batch",
        );
        lib.check(status, "rm_mel_batch_nonblocking");
      }
    },
    filters(nMels, out) {
      lib.check(s.rm_mel_filters(nMels, out, out.length), "rm_mel_filters");
    },
    createStream(nMels, layout, capacityFrames) {
      return new NativeMelStream(lib, nMels, layout, capacityFrames);
    },
  };
  cache.set(lib, m);
  return m;
}
