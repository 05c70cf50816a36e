/**
 * Device queues: jobs are submitted to a device's worker threads and complete
 * asynchronously, so the JS thread never waits on them. Per-device metrics: queue wait,
 * execution time, batch sizes.
 *
 * @module
 */

import { native } from "../ffi/loader.ts";
import { type CompletionMode, NativeQueue, type NativeQueueStats } from "../ffi/device.ts";
import { type DeviceInfo, listDevices } from "./devices.ts";

export type { CompletionMode } from "../ffi/device.ts";

/** Options for {@link DeviceQueue}. */
export interface DeviceQueueOptions {
  /**
   * Worker threads of the queue.
   * @default {1}
   */
  threads?: number;
  /**
   * How completions reach JS: one outstanding `nonblocking` wait (`"wait"`, measured
   * cheaper) or a thread-safe callback (`"callback"`).
   * @default {"wait"}
   */
  completion?: CompletionMode;
}

/** Metrics of one device queue. */
export interface DeviceStats {
  /** Device index. */
  index: number;
  /** Device name. */
  device: string;
  /** Device kind. */
  kind: string;
  /** Provider of the device. */
  provider: string;
  /** Jobs submitted. */
  submitted: number;
  /** Jobs completed successfully. */
  completed: number;
  /** Jobs that failed. */
  failed: number;
  /** Jobs cancelled by a shutdown. */
  cancelled: number;
  /** Mean time a job waited in the queue, in microseconds. */
  queueWaitAvgUs: number;
  /** Longest queue wait, in microseconds. */
  queueWaitMaxUs: number;
  /** Mean execution time, in microseconds. */
  execAvgUs: number;
  /** Shortest execution time, in microseconds. */
  execMinUs: number;
  /** Longest execution time, in microseconds. */
  execMaxUs: number;
  /** Model runs. */
  modelRuns: number;
  /** Mean batch size of model runs. */
  batchAvg: number;
  /** Largest batch size. */
  batchMax: number;
  /** Deepest the queue has been. */
  queueDepthMax: number;
}

function toStats(d: DeviceInfo, s: NativeQueueStats): DeviceStats {
  const done = s.completed + s.failed;
  return {
    index: d.index,
    device: d.name,
    kind: d.kind,
    provider: d.provider,
    submitted: s.submitted,
    completed: s.completed,
    failed: s.failed,
    cancelled: s.cancelled,
    queueWaitAvgUs: done ? s.waitNsTotal / done / 1e3 : 0,
    queueWaitMaxUs: s.waitNsMax / 1e3,
    execAvgUs: done ? s.execNsTotal / done / 1e3 : 0,
    execMinUs: s.execNsMin / 1e3,
    execMaxUs: s.execNsMax / 1e3,
    modelRuns: s.modelRuns,
    batchAvg: s.modelRuns ? s.batchItems / s.modelRuns : 0,
    batchMax: s.batchMax,
    queueDepthMax: s.depthMax,
  };
}

/**
 * A queue of jobs for one device. Jobs run on native worker threads; each method
 * returns a promise that settles when the job completed. Buffers passed in must not be
 * touched until then.
 *
 * @example Run a gain job off the JS thread
 * ```ts ignore
 * using q = new DeviceQueue(0);
 * const buf = new Float32Array([1, 2, 3]);
 * await q.gain(buf, 2); // buf is now [2, 4, 6]
 * ```
 */
export class DeviceQueue implements Disposable {
  #q: NativeQueue;
  /** The device this queue runs on. */
  readonly device: DeviceInfo;

  /**
   * Create a queue for a device.
   *
   * @param device Device index or name (see {@link listDevices}).
   * @param options Threads and completion mode.
   * @throws {RangeError} for an unknown device or a bad thread count.
   */
  constructor(device: number | string = 0, options: DeviceQueueOptions = {}) {
    const devices = listDevices({ loadOnnxRuntime: false });
    const d = typeof device === "number" ? devices[device] : devices.find((x) => x.name === device);
    if (d === undefined) {
      throw new RangeError(
        `Cannot create a device queue: no device ${JSON.stringify(device)} (devices: ${
          devices.map((x) => `${x.index} ${x.name}`).join(", ")
        })`,
      );
    }
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new RangeError(
        `Cannot create a device queue: thread count ${threads} is not an integer in 1..64`,
      );
    }
    const mode = options.completion ?? "wait";
    if (mode !== "wait" && mode !== "callback") {
      throw new RangeError(
        `Cannot create a device queue: completion "${mode}" is not "wait" or "callback"`,
      );
    }
    this.device = d;
    this.#q = new NativeQueue(native(), d.index, threads, mode);
  }

  /**
   * The native queue (internal: used by sessions of this package).
   * @ignore
   */
  get unsafeQueue(): NativeQueue {
    return this.#q;
  }

  /** Jobs submitted and not settled yet. */
  get pending(): number {
    return this.#q.pending;
  }

  /**
   * Submit an empty job (measures dispatch overhead).
   * @returns Settles when it completed.
   * @throws {TypeError} when the queue is closed.
   */
  empty(): Promise<void> {
    return this.#q.submitEmpty();
  }

  /**
   * Multiply `buf` by `gain` in place, on the device.
   * @param buf Samples (not touched by JS until the promise settles).
   * @param gain Finite gain.
   * @returns Settles when done.
   * @throws {NativeError} for a non-finite gain or an empty buffer.
   */
  gain(buf: Float32Array, gain: number): Promise<void> {
    return this.#q.submitGain(buf, gain);
  }

  /**
   * Dot product of two equally long vectors, on the device.
   * @param a First vector.
   * @param b Second vector.
   * @returns The dot product.
   * @throws {RangeError} when the lengths differ.
   */
  async dot(a: Float32Array, b: Float32Array): Promise<number> {
    if (a.length !== b.length) {
      throw new RangeError(
        `Cannot compute a dot product: lengths ${a.length} and ${b.length} differ`,
      );
    }
    const out = new Float32Array(1);
    await this.#q.submitDot(a, b, out);
    return out[0]!;
  }

  /**
   * Queue metrics.
   * @returns Counters and timings.
   */
  stats(): DeviceStats {
    return toStats(this.device, this.#q.stats());
  }

  /** Cancel queued jobs (their promises reject) and free the queue. Idempotent. */
  close(): void {
    this.#q.close();
  }

  /** Same as {@link DeviceQueue.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

const shared = new Map<string, DeviceQueue>();

/**
 * The process-wide queue of a device (created on first use, shared by every session on
 * that device).
 *
 * @param index Device index.
 * @param completion Completion mode.
 * @returns The shared queue.
 * @ignore
 */
export function sharedQueue(index: number, completion: CompletionMode = "wait"): DeviceQueue {
  const key = `${index}:${completion}`;
  let q = shared.get(key);
  if (q === undefined) {
    q = new DeviceQueue(index, { completion });
    shared.set(key, q);
  }
  return q;
}

/**
 * Metrics of every device queue used by sessions so far (queue wait, execution time,
 * batch sizes). Session warm-up and provider fallbacks are in `OnnxSession.stats()`.
 *
 * @returns One entry per shared queue.
 *
 * @example Print per-device metrics
 * ```ts ignore
 * for (const s of deviceStats()) console.log(s.device, s.execAvgUs, s.batchAvg);
 * ```
 */
export function deviceStats(): DeviceStats[] {
  return [...shared.values()].map((q) => q.stats());
}
