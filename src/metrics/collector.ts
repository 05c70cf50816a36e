/**
 * The metrics collector: per-node counters and duration histograms recorded by the
 * scheduler (one preallocated recorder per node; recording allocates nothing), and the
 * JSON export whose field names are part of the public API (`ExecutionMetrics`).
 *
 * Definitions:
 * - `execution_count`: `process` calls (each retry attempt is one); `success_count`: calls
 *   that returned; `error_count`: calls that threw, plus items refused by an open circuit
 *   breaker and failed `flush`/`close` calls; `success_rate = success / executions`
 *   (1 when there were none).
 * - Durations: wall time of each `process` call in microseconds (an async call: from the
 *   call to its settlement). Percentiles come from a log-linear histogram (error bound in
 *   `histogram.ts`: 1/64 us below 2 us, 0.79 % above).
 * - `bytes_in` / `bytes_out`: bytes of the items' views (audio, tensor, binary; text by
 *   length; 0 for json and events).
 * - `realtime_factor`: processing time / media time (audio processed); below 1 is faster
 *   than real time; 0 when no audio was processed.
 * - `deadline_misses`: calls that took longer than the item's budget: `deadline_us` when
 *   configured, otherwise the audio frame's own duration (other items have no budget).
 * - Pipeline `total_duration_us`: processing time of all runs: wall time minus the time
 *   spent waiting for input items and for the consumer. `realtime_factor` is that over the
 *   duration of the audio fed in. `peak_memory_bytes`: largest sample of JS heap used +
 *   external (array buffers) + the native pool's reserved bytes when a pool is attached;
 *   sampled at run start and end and every 256 input items.
 * - `metrics_overhead_us`: the collector's own cost per recorded execution (one clock read
 *   and one record), measured on itself when the metrics are exported.
 *
 * Timing: the scheduler reads the clock once per call. A call's duration runs from the end
 * of the previous timed step in the same run (the previous node call, or the arrival of
 * the input item) to its return, so the scheduler's own work between two calls (delivery,
 * re-framing) is charged to the node it schedules. Async calls run from the call to their
 * settlement.
 *
 * @module
 */

import { LogLinearHistogram } from "./histogram.ts";

/** Per-node metrics (JSON export; field names are public API). */
export interface NodeMetrics {
  /** Node id. */
  node_id: string;
  /** `process` calls. */
  execution_count: number;
  /** Calls that returned. */
  success_count: number;
  /** Failed calls, breaker refusals, failed flush/close. */
  error_count: number;
  /** `success_count / execution_count` (1 with no executions). */
  success_rate: number;
  /** Sum of call durations in microseconds. */
  total_duration_us: number;
  /** Mean call duration. */
  avg_duration_us: number;
  /** Shortest call. */
  min_duration_us: number;
  /** Longest call. */
  max_duration_us: number;
  /** Median call duration (histogram estimate). */
  p50_duration_us: number;
  /** 95th percentile. */
  p95_duration_us: number;
  /** 99th percentile. */
  p99_duration_us: number;
  /** Bytes of input items. */
  bytes_in: number;
  /** Bytes of output items. */
  bytes_out: number;
  /** Processing time over media time (0 without audio). */
  realtime_factor: number;
  /** Calls slower than their budget. */
  deadline_misses: number;
}

/** Pipeline metrics (JSON export; field names are public API). */
export interface ExecutionMetrics {
  /** The pipeline's name (`metadata.name`). */
  pipeline_id: string;
  /** Runs (streams and batch runs) completed or stopped. */
  total_executions: number;
  /** Processing time of all runs in microseconds. */
  total_duration_us: number;
  /** Processing time over the duration of the audio fed in (0 without audio). */
  realtime_factor: number;
  /** Peak sampled memory: JS heap used + external + native pool reserved. */
  peak_memory_bytes: number;
  /** Measured cost of recording one execution, in microseconds. */
  metrics_overhead_us: number;
  /** One entry per node, in topological order. */
  node_metrics: NodeMetrics[];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Counters and a duration histogram for one node. Recording allocates nothing.
 *
 * @example
 * ```ts
 * import { NodeRecorder } from "./collector.ts";
 * const r = new NodeRecorder("gain");
 * r.recordSuccess(12.5, 1280, 0.02, 20_000);
 * console.log(r.toJSON().execution_count, r.toJSON().realtime_factor); // 1 0.000625
 * ```
 */
export class NodeRecorder {
  /** Node id. */
  readonly nodeId: string;
  /** Call durations. */
  readonly histogram: LogLinearHistogram = new LogLinearHistogram();
  /** Calls. */
  executions = 0;
  /** Successful calls. */
  successes = 0;
  /** Errors (see module docs). */
  errors = 0;
  /** Input bytes. */
  bytesIn = 0;
  /** Output bytes. */
  bytesOut = 0;
  /** Seconds of audio processed. */
  mediaSeconds = 0;
  /** Calls over budget. */
  deadlineMisses = 0;

  /**
   * Create a recorder.
   *
   * @param nodeId Node id.
   */
  constructor(nodeId: string) {
    this.nodeId = nodeId;
  }

  /**
   * Record a call that returned.
   *
   * @param us Duration in microseconds.
   * @param bytesIn Bytes of the input item.
   * @param mediaSeconds Audio duration of the input item (0 for non-audio).
   * @param budgetUs Budget for this call (Infinity for none).
   */
  recordSuccess(us: number, bytesIn: number, mediaSeconds: number, budgetUs: number): void {
    this.executions++;
    this.successes++;
    this.bytesIn += bytesIn;
    this.mediaSeconds += mediaSeconds;
    if (us > budgetUs) this.deadlineMisses++;
    this.histogram.record(us);
  }

  /**
   * Record a call that threw.
   *
   * @param us Duration in microseconds.
   * @param bytesIn Bytes of the input item.
   */
  recordError(us: number, bytesIn: number): void {
    this.executions++;
    this.errors++;
    this.bytesIn += bytesIn;
    this.histogram.record(us);
  }

  /** Count an error that was not a `process` call (breaker refusal, flush, close). */
  recordOtherError(): void {
    this.errors++;
  }

  /**
   * The JSON form.
   * @returns This node's metrics.
   */
  toJSON(): NodeMetrics {
    const h = this.histogram;
    const n = this.executions;
    const total = h.sum;
    return {
      node_id: this.nodeId,
      execution_count: n,
      success_count: this.successes,
      error_count: this.errors,
      success_rate: n === 0 ? 1 : this.successes / n,
      total_duration_us: r3(total),
      avg_duration_us: n === 0 ? 0 : r3(total / n),
      min_duration_us: n === 0 ? 0 : r3(h.min),
      max_duration_us: n === 0 ? 0 : r3(h.max),
      p50_duration_us: r3(h.quantile(0.5)),
      p95_duration_us: r3(h.quantile(0.95)),
      p99_duration_us: r3(h.quantile(0.99)),
      bytes_in: this.bytesIn,
      bytes_out: this.bytesOut,
      realtime_factor: this.mediaSeconds > 0 ? total / 1e6 / this.mediaSeconds : 0,
      deadline_misses: this.deadlineMisses,
    };
  }

  /**
   * Add `other`'s counts and durations to this recorder.
   *
   * @param other Another recorder (normally of the same node in another run).
   */
  merge(other: NodeRecorder): void {
    this.histogram.merge(other.histogram);
    this.executions += other.executions;
    this.successes += other.successes;
    this.errors += other.errors;
    this.bytesIn += other.bytesIn;
    this.bytesOut += other.bytesOut;
    this.mediaSeconds += other.mediaSeconds;
    this.deadlineMisses += other.deadlineMisses;
  }

  /** Clear everything. */
  reset(): void {
    this.histogram.reset();
    this.executions = this.successes = this.errors = 0;
    this.bytesIn =
      this.bytesOut =
      this.mediaSeconds =
      this.deadlineMisses =
        0;
  }
}

/** Options for {@link MetricsCollector}. */
export interface MetricsCollectorOptions {
  /**
   * Memory probe in bytes.
   * @default {JS heap used + external, from `Deno.memoryUsage()`}
   */
  memory?: () => number;
  /** A native pool whose reserved bytes are added to the memory samples. */
  pool?: { stats(): { bytesReserved: number } };
}

function defaultMemory(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Metrics for one pipeline: a {@link NodeRecorder} per node plus run totals.
 *
 * @example
 * ```ts
 * import { MetricsCollector } from "./collector.ts";
 * const c = new MetricsCollector("demo", ["a"]);
 * c.node(0).recordSuccess(5, 640, 0.02, 20_000);
 * c.endRun(100, 0.02);
 * const m = c.toJSON();
 * console.log(m.pipeline_id, m.total_executions, m.node_metrics[0]!.execution_count); // demo 1 1
 * ```
 */
export class MetricsCollector {
  /** Pipeline id. */
  readonly pipelineId: string;
  #nodes: NodeRecorder[];
  #memory: () => number;
  #pool: { stats(): { bytesReserved: number } } | undefined;
  #runs = 0;
  #durationUs = 0;
  #mediaSeconds = 0;
  #nodeMediaMark = 0;
  #peak = 0;

  /**
   * Create a collector.
   *
   * @param pipelineId Pipeline id for the export.
   * @param nodeIds Node ids, in the order the export lists them.
   * @param options Memory probe and pool.
   */
  constructor(pipelineId: string, nodeIds: readonly string[], options?: MetricsCollectorOptions) {
    this.pipelineId = pipelineId;
    this.#nodes = nodeIds.map((id) => new NodeRecorder(id));
    this.#memory = options?.memory ?? defaultMemory;
    this.#pool = options?.pool;
  }

  /**
   * The recorder of the node at `index`.
   *
   * @param index Position in `nodeIds`.
   * @returns The recorder.
   * @throws {RangeError} for a bad index.
   */
  node(index: number): NodeRecorder {
    const r = this.#nodes[index];
    if (r === undefined) throw new RangeError(`Cannot find node metrics: no node at ${index}`);
    return r;
  }

  /** Take a memory sample and keep the peak. */
  sampleMemory(): void {
    let bytes = this.#memory();
    if (this.#pool !== undefined) {
      try {
        bytes += this.#pool.stats().bytesReserved;
      } catch {
        // A closed pool has nothing reserved.
      }
    }
    if (bytes > this.#peak) this.#peak = bytes;
  }

  /**
   * Account a finished run.
   *
   * @param activeUs Processing time in microseconds.
   * @param mediaSeconds Duration of the audio fed in. When the input carried no audio
   * items (PCM bytes decoded by a FormatConvert node, say), the longest audio any node
   * received during this run is used instead.
   */
  endRun(activeUs: number, mediaSeconds: number): void {
    this.#runs++;
    this.#durationUs += activeUs;
    let nodeMax = 0;
    for (const n of this.#nodes) if (n.mediaSeconds > nodeMax) nodeMax = n.mediaSeconds;
    this.#mediaSeconds += mediaSeconds > 0
      ? mediaSeconds
      : Math.max(0, nodeMax - this.#nodeMediaMark);
    this.#nodeMediaMark = nodeMax;
    this.sampleMemory();
  }

  /**
   * Measure the cost of recording one execution (one `performance.now()` read, as the
   * scheduler takes per call, and one `recordSuccess`) on a scratch recorder.
   *
   * @param iterations Calls to average over.
   * @returns Microseconds per recorded execution.
   */
  measureOverheadUs(iterations = 4096): number {
    const scratch = new NodeRecorder("overhead");
    const start = performance.now();
    let t0 = start;
    for (let i = 0; i < iterations; i++) {
      const t1 = performance.now();
      scratch.recordSuccess((t1 - t0) * 1000, 640, 0.02, 20_000);
      t0 = t1;
    }
    return ((performance.now() - start) * 1000) / iterations;
  }

  /**
   * The JSON export (ExecutionMetrics).
   * @returns A fresh object.
   */
  toJSON(): ExecutionMetrics {
    return {
      pipeline_id: this.pipelineId,
      total_executions: this.#runs,
      total_duration_us: r3(this.#durationUs),
      realtime_factor: this.#mediaSeconds > 0 ? this.#durationUs / 1e6 / this.#mediaSeconds : 0,
      peak_memory_bytes: this.#peak,
      metrics_overhead_us: r3(this.measureOverheadUs()),
      node_metrics: this.#nodes.map((r) => r.toJSON()),
    };
  }

  /**
   * Add another collector's runs and node metrics to this one (e.g. to aggregate the
   * per-request pipelines of a service by pipeline). Peak memory takes the larger peak.
   *
   * @param other A collector with the same node ids, in the same order.
   * @throws {TypeError} when the node ids differ.
   *
   * @example
   * ```ts
   * import { MetricsCollector } from "./collector.ts";
   * const total = new MetricsCollector("p", ["a"]);
   * const run = new MetricsCollector("p", ["a"]);
   * run.node(0).recordSuccess(5, 640, 0.02, 20_000);
   * run.endRun(10, 0.02);
   * total.merge(run);
   * total.merge(run);
   * console.log(total.toJSON().total_executions, total.node(0).executions); // 2 2
   * ```
   */
  merge(other: MetricsCollector): void {
    const ids = (c: MetricsCollector) => c.#nodes.map((n) => n.nodeId).join("\u0000");
    if (ids(this) !== ids(other)) {
      throw new TypeError(
        `Cannot merge metrics of pipeline "${other.pipelineId}" into "${this.pipelineId}": ` +
          "the node ids differ",
      );
    }
    for (let i = 0; i < this.#nodes.length; i++) this.#nodes[i]!.merge(other.#nodes[i]!);
    this.#runs += other.#runs;
    this.#durationUs += other.#durationUs;
    this.#mediaSeconds += other.#mediaSeconds;
    if (other.#peak > this.#peak) this.#peak = other.#peak;
  }

  /** Clear every counter (the peak memory too). */
  reset(): void {
    for (const r of this.#nodes) r.reset();
    this.#runs =
      this.#durationUs =
      this.#mediaSeconds =
      this.#nodeMediaMark =
      this.#peak =
        0;
  }
}
