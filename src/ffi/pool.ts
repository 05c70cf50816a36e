/**
 * `NativePool` and `PoolBlock`: native, 64-byte aligned memory viewed from TS without
 * copies (`UnsafePointerView.getArrayBuffer`).
 *
 * Lifetime: a block is returned by `release()` / `using`. As a backstop, a
 * `FinalizationRegistry` watches the block's `ArrayBuffer`: when no view of it is left,
 * the block goes back to the pool. On release the `ArrayBuffer` is detached (via
 * `transfer(0)`), so a stale view reads as empty instead of touching reused memory.
 * Closing the pool releases and detaches every block it handed out.
 *
 * @module
 */

import { native, type NativeLibrary } from "./loader.ts";

/** Pool statistics (native counters plus the TS finalizer count). */
export interface PoolStats {
  /** Blocks allocated from the system over the pool's life. */
  blocksCreated: number;
  /** Blocks currently handed out. */
  blocksInUse: number;
  /** Most blocks ever handed out at once. */
  highWaterBlocks: number;
  /** Bytes allocated from the system (block capacities). */
  bytesReserved: number;
  /** Bytes in blocks currently handed out. */
  bytesInUse: number;
  /** Successful acquires. */
  acquires: number;
  /** Releases. */
  releases: number;
  /** Acquires served from a free list. */
  reuses: number;
  /** Blocks returned by the finalizer backstop rather than `release()`. */
  finalizerReleases: number;
}

interface PoolState {
  lib: NativeLibrary;
  handle: Deno.PointerObject | null;
  /** Weak refs to the buffers of live blocks, so `close()` can detach them. */
  live: Set<WeakRef<ArrayBuffer>>;
  finalized: number;
}

interface Held {
  state: PoolState;
  ptr: Deno.PointerObject;
  ref: WeakRef<ArrayBuffer>;
}

const registry = new FinalizationRegistry<Held>(({ state, ptr, ref }) => {
  state.live.delete(ref);
  if (state.handle === null) return;
  const status = state.lib.symbols.rm_pool_release(state.handle, ptr);
  if (status === 0) state.finalized++;
});

/**
 * A block of native memory from a {@link NativePool}.
 *
 * @example Fill a block and view it as floats
 * ```ts ignore
 * using pool = new NativePool();
 * using block = pool.acquire(960 * 4);
 * block.f32().fill(0.5);
 * ```
 */
export class PoolBlock implements Disposable {
  #state: PoolState;
  #ptr: Deno.PointerObject | null;
  #buffer: ArrayBuffer;
  #ref: WeakRef<ArrayBuffer>;
  #f32?: Float32Array;
  /** Requested size in bytes (the view's length). */
  readonly byteLength: number;

  /** @internal Created by {@link NativePool.acquire}. */
  constructor(state: PoolState, ptr: Deno.PointerObject, byteLength: number) {
    this.#state = state;
    this.#ptr = ptr;
    this.byteLength = byteLength;
    this.#buffer = Deno.UnsafePointerView.getArrayBuffer(ptr, byteLength);
    this.#ref = new WeakRef(this.#buffer);
    state.live.add(this.#ref);
    registry.register(this.#buffer, { state, ptr, ref: this.#ref }, this);
  }

  /** The native memory as an `ArrayBuffer` (detached once released). */
  get buffer(): ArrayBuffer {
    return this.#buffer;
  }

  /** Whether the block has been released. */
  get released(): boolean {
    return this.#ptr === null;
  }

  /** The native pointer (for experts; only `src/ffi/` should need it). */
  get unsafePointer(): Deno.PointerObject {
    if (this.#ptr === null) throw new TypeError("Cannot use a released pool block");
    return this.#ptr;
  }

  /** The native address, for identity checks. */
  get address(): bigint {
    return BigInt(Deno.UnsafePointer.value(this.unsafePointer));
  }

  /**
   * The block as float32 samples (one cached view over the whole block).
   * @returns A Float32Array of `byteLength / 4` elements.
   */
  f32(): Float32Array {
    return this.#f32 ??= new Float32Array(this.#buffer, 0, this.byteLength >>> 2);
  }

  /**
   * Return the block to its pool and detach its buffer. Idempotent.
   * @throws {NativeError} if the pool rejects the block (never for a block it made).
   */
  release(): void {
    const ptr = this.#ptr;
    if (ptr === null) return;
    this.#ptr = null;
    this.#f32 = undefined;
    this.#state.live.delete(this.#ref);
    registry.unregister(this);
    this.#buffer.transfer(0);
    if (this.#state.handle !== null) {
      const status = this.#state.lib.symbols.rm_pool_release(this.#state.handle, ptr);
      this.#state.lib.check(status, "rm_pool_release");
    }
  }

  /** Same as {@link PoolBlock.release}. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * A native buffer pool: aligned blocks in power-of-two size classes, reused after
 * release, with statistics that prove steady-state streaming allocates nothing.
 *
 * @example Steady state allocates no new blocks
 * ```ts ignore
 * using pool = new NativePool();
 * for (let i = 0; i < 100; i++) {
 *   using block = pool.acquire(3840);
 *   block.f32().fill(i);
 * }
 * console.log(pool.stats().blocksCreated); // 1
 * ```
 */
export class NativePool implements Disposable {
  #state: PoolState;
  #stats = new BigUint64Array(8);

  /**
   * Create a pool in the native library.
   *
   * @param lib The native library (default: the package's own build).
   * @throws {NativeError} if the native pool cannot be created.
   */
  constructor(lib: NativeLibrary = native()) {
    const handle = lib.symbols.rm_pool_new();
    if (handle === null) lib.check(-8, "rm_pool_new");
    this.#state = { lib, handle, live: new Set(), finalized: 0 };
  }

  /** The native pool handle (for experts). */
  get unsafeHandle(): Deno.PointerObject | null {
    return this.#state.handle;
  }

  /**
   * Acquire a block of `bytes` bytes (64-byte aligned; capacity rounded up to a power of two).
   *
   * @param bytes Size in bytes, 1 .. 2^30.
   * @returns The block; release it with `using` or `release()`.
   * @throws {RangeError} for a size out of range.
   * @throws {TypeError} if the pool is closed.
   */
  acquire(bytes: number): PoolBlock {
    const handle = this.#state.handle;
    if (handle === null) throw new TypeError("Cannot acquire a block: the pool is closed");
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > 2 ** 30) {
      throw new RangeError(`Cannot acquire a block: size ${bytes} is not an integer in 1..2^30`);
    }
    const ptr = this.#state.lib.symbols.rm_pool_acquire(handle, bytes);
    if (ptr === null) {
      this.#state.lib.check(-8, "rm_pool_acquire");
      throw new Error("unreachable");
    }
    return new PoolBlock(this.#state, ptr, bytes);
  }

  /**
   * Current statistics.
   * @returns Native counters plus finalizer releases.
   */
  stats(): PoolStats {
    const handle = this.#state.handle;
    if (handle === null) throw new TypeError("Cannot read stats: the pool is closed");
    this.#state.lib.check(
      this.#state.lib.symbols.rm_pool_stats(handle, this.#stats, 8),
      "rm_pool_stats",
    );
    const s = this.#stats;
    return {
      blocksCreated: Number(s[0]),
      blocksInUse: Number(s[1]),
      highWaterBlocks: Number(s[2]),
      bytesReserved: Number(s[3]),
      bytesInUse: Number(s[4]),
      acquires: Number(s[5]),
      releases: Number(s[6]),
      reuses: Number(s[7]),
      finalizerReleases: this.#state.finalized,
    };
  }

  /**
   * Detach every live block's buffer (stale views read as empty), then free the native
   * pool and all its memory. Idempotent.
   */
  close(): void {
    if (this.#state.handle === null) return;
    for (const ref of this.#state.live) {
      const buf = ref.deref();
      if (buf !== undefined && !buf.detached) buf.transfer(0);
    }
    this.#state.live.clear();
    this.#state.lib.symbols.rm_pool_free(this.#state.handle);
    this.#state.handle = null;
  }

  /** Same as {@link NativePool.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
