/**
 * `Pipeline`: a validated manifest plus the streaming scheduler. Each `run`/`stream` call
 * creates its own node instances (fresh state and native handles), so concurrent streams
 * never share state and an error in one never affects another; `metrics()` aggregates all
 * of them.
 *
 * Semantics:
 * - Input items go to every source node (nodes without parents). Outputs are the items of
 *   the sink nodes (no children), or of `config.outputs`, tagged with the node id.
 * - Each node gets items one at a time, in order; its outputs go depth-first to its
 *   children in connection order. Fan-in: items from several parents arrive in the order
 *   the parents emit them. Sync nodes run inline; async nodes overlap with independent
 *   branches.
 * - Backpressure: input is pulled only when the consumer asks for output and no node queue
 *   is at `config.max_queue` (default 16), so a slow consumer slows the producer.
 * - End of input: nodes flush in topological order (a re-framed node first receives its
 *   remainder frame), then every node is closed. A consumer that stops early (`break`,
 *   `return`, a cancelled stream) also closes every node, after in-flight calls settle.
 * - Errors (`on_error`, default `"emit"`): retryable errors are retried with exponential
 *   backoff (default 3 retries, 100/200/400 ms); then the item counts as one failure for
 *   the node's circuit breaker (default: opens after 5 consecutive failed items, half-opens
 *   after 30 s) and the policy applies: `"emit"` drops the item and outputs
 *   `event("error", time, nodeError)` tagged with the node id; `"skip"` drops it silently
 *   (metrics count it); `"fail"` stops the run and throws the `NodeError`.
 *
 * @module
 */

import { type ExecutionMetrics, MetricsCollector } from "../metrics/collector.ts";
import { formatPrometheus, type PrometheusOptions } from "../metrics/prometheus.ts";
import { defaultRegistry } from "../nodes/builtin.ts";
import { Execution, type PipelineOutput } from "./_scheduler.ts";
import { event, isRuntimeData, type RuntimeData } from "./data.ts";
import { type Clock, systemClock } from "./errors.ts";
import { type ManifestV1, type ResolvedManifest, resolveManifest } from "./manifest.ts";
import type { NodeRegistry } from "./registry.ts";

export type { PipelineOutput } from "./_scheduler.ts";

/** Options for {@link Pipeline.fromManifest}. */
export interface PipelineOptions {
  /**
   * Node types to resolve `node_type` against.
   * @default {the built-in registry}
   */
  registry?: NodeRegistry;
  /**
   * Time source for retry backoff and circuit breakers (tests inject a fake one).
   * @default {systemClock}
   */
  clock?: Clock;
  /** A native pool whose reserved bytes count towards `peak_memory_bytes`. */
  pool?: { stats(): { bytesReserved: number } };
}

/** What `run` and `stream` accept: one item, or a (sync or async) sequence of items. */
export type PipelineInput = RuntimeData | Iterable<RuntimeData> | AsyncIterable<RuntimeData>;

type Source =
  | { sync: Iterator<RuntimeData>; async?: undefined }
  | { sync?: undefined; async: AsyncIterator<RuntimeData> };

function sourceOf(input: PipelineInput): Source {
  if (isRuntimeData(input)) return { sync: [input][Symbol.iterator]() };
  const any = input as Partial<AsyncIterable<RuntimeData> & Iterable<RuntimeData>> | null;
  if (any !== null && typeof any === "object") {
    if (typeof any[Symbol.asyncIterator] === "function") {
      return { async: any[Symbol.asyncIterator]!() };
    }
    if (typeof any[Symbol.iterator] === "function") return { sync: any[Symbol.iterator]!() };
  }
  throw new TypeError(
    "Cannot run the pipeline: input must be a RuntimeData item, or an iterable or async " +
      "iterable of them",
  );
}

/**
 * A runnable pipeline.
 *
 * @example Batch run: gain then downmix
 * ```ts
 * import { audio, Pipeline } from "../../mod.ts";
 * await using p = Pipeline.fromManifest({
 *   version: "v1",
 *   nodes: [
 *     { id: "gain", node_type: "Gain", params: { gain: 0.5 } },
 *     { id: "mono", node_type: "Downmix" },
 *   ],
 *   connections: [{ from: "gain", to: "mono" }],
 * });
 * const out = await p.run(audio(new Float32Array([1, 1, 0.5, 0.5]), 16000, 2));
 * console.log(out[0]!.node, out[0]!.data); // mono { type: "audio", samples: Float32Array [0.5, 0.25], ... }
 * ```
 *
 * @example Streaming with backpressure
 * ```ts ignore
 * const file = await Deno.open("speech.wav");
 * const frames = file.readable.pipeThrough(wavFrames({ frameMs: 20 }));
 * for await (const { node, data } of pipeline.stream(frames)) console.log(node, data.type);
 * ```
 */
export class Pipeline implements AsyncDisposable {
  #plan: ResolvedManifest;
  #clock: Clock;
  #metrics: MetricsCollector;
  #open = new Set<Execution>();
  #closed = false;

  private constructor(plan: ResolvedManifest, options?: PipelineOptions) {
    this.#plan = plan;
    this.#clock = options?.clock ?? systemClock;
    this.#metrics = new MetricsCollector(plan.name, plan.nodes.map((n) => n.id), {
      pool: options?.pool,
    });
  }

  /**
   * Validate a manifest and build a pipeline (nodes are instantiated per run).
   *
   * @param manifest Manifest object or JSON text.
   * @param options Registry, clock, pool.
   * @returns The pipeline.
   * @throws {ManifestError} listing every problem in the manifest.
   */
  static fromManifest(manifest: ManifestV1 | string, options?: PipelineOptions): Pipeline {
    const plan = resolveManifest(manifest, options?.registry ?? defaultRegistry);
    return new Pipeline(plan, options);
  }

  /** The pipeline's name (`metadata.name`, or `"pipeline"`). */
  get name(): string {
    return this.#plan.name;
  }

  /** The validated manifest, as given. */
  get manifest(): ManifestV1 {
    return this.#plan.manifest;
  }

  /** Node ids in topological order. */
  get nodeIds(): string[] {
    return this.#plan.nodes.map((n) => n.id);
  }

  #checkOpen(): void {
    if (this.#closed) throw new TypeError("Cannot run the pipeline: it is closed");
  }

  async #start(): Promise<Execution> {
    this.#checkOpen();
    const ex = await Execution.create(
      this.#plan,
      this.#clock,
      this.#plan.enableMetrics ? this.#metrics : null,
    );
    if (this.#closed) {
      await ex.close(); // closed while the nodes were being created
      this.#checkOpen();
    }
    this.#open.add(ex);
    this.#metrics.sampleMemory();
    return ex;
  }

  /** Close a run that reached its end; apply each node's policy to close errors. */
  async #closeErrors(ex: Execution): Promise<PipelineOutput[]> {
    const out: PipelineOutput[] = [];
    for (const e of await ex.close()) {
      const policy = this.#plan.nodes.find((n) => n.id === e.nodeId)?.onError ?? "emit";
      if (policy === "fail") throw e;
      if (policy === "emit") out.push({ node: e.nodeId, data: event("error", 0, e) });
    }
    return out;
  }

  #stopped(ex: Execution): never {
    throw ex.failure ?? new TypeError("Cannot continue the run: the pipeline was closed");
  }

  /**
   * Run the pipeline over `input` to the end and return every output.
   *
   * @param input One item, or a sync or async sequence of items.
   * @returns All outputs, in emission order.
   * @throws {NodeError} from a node with `on_error: "fail"` (after closing every node).
   * @throws {TypeError} for input that is not RuntimeData, or a closed pipeline.
   */
  async run(input: PipelineInput): Promise<PipelineOutput[]> {
    const src = sourceOf(input);
    if (src.async !== undefined) {
      const out: PipelineOutput[] = [];
      for await (const o of this.#drive(src)) out.push(o);
      return out;
    }
    const ex = await this.#start();
    const t0 = performance.now();
    const out: PipelineOutput[] = [];
    let ok = false;
    const take = () => {
      while (ex.outputCount > 0) out.push(ex.takeOutput());
      if (ex.failure !== null || ex.closedByPipeline) this.#stopped(ex);
    };
    try {
      for (let r = src.sync.next(); !r.done; r = src.sync.next()) {
        ex.push(r.value);
        take();
        while (ex.overCapacity) {
          await ex.progress();
          take();
        }
        if ((ex.pushed & 255) === 0) this.#metrics.sampleMemory();
      }
      ex.end();
      take();
      while (!ex.finished) {
        await ex.progress();
        take();
      }
      out.push(...await this.#closeErrors(ex));
      ok = true;
      return out;
    } finally {
      if (!ok) {
        await ex.close();
        src.sync.return?.();
      }
      this.#open.delete(ex);
      this.#metrics.endRun((performance.now() - t0) * 1000, ex.mediaSeconds);
    }
  }

  /**
   * Stream `input` through the pipeline. Input is pulled only as the consumer pulls
   * output (bounded buffering); breaking out of the loop closes every node.
   *
   * @param input One item, or a sync or async sequence of items.
   * @returns The outputs, as they are produced.
   * @throws {NodeError} from a node with `on_error: "fail"` (after closing every node).
   * @throws {TypeError} for input that is not RuntimeData, or a closed pipeline.
   */
  stream(input: PipelineInput): AsyncGenerator<PipelineOutput, void, undefined> {
    return this.#drive(sourceOf(input));
  }

  async *#drive(src: Source): AsyncGenerator<PipelineOutput, void, undefined> {
    const ex = await this.#start();
    // Processing time: wall time minus waits for input and for the consumer.
    let active = 0;
    let mark = performance.now();
    let running = true;
    const pause = () => {
      if (running) active += performance.now() - mark;
      running = false;
    };
    const resume = () => {
      mark = performance.now();
      running = true;
    };
    let pending: Promise<IteratorResult<RuntimeData>> | null = null;
    let exhausted = false;
    let ok = false;
    try {
      let ended = false;
      while (true) {
        while (ex.outputCount > 0) {
          const o = ex.takeOutput();
          pause();
          yield o;
          resume();
        }
        if (ex.failure !== null || ex.closedByPipeline) this.#stopped(ex);
        if (ended) {
          if (ex.finished) break;
          await ex.progress();
          continue;
        }
        if (ex.overCapacity) {
          await ex.progress();
          continue;
        }
        let res: IteratorResult<RuntimeData>;
        if (src.sync !== undefined) {
          res = src.sync.next();
        } else {
          pending ??= src.async.next();
          if (ex.inflight > 0) {
            const r = await Promise.race([pending, ex.progress()]);
            if (r === undefined) continue; // an async node settled first
            res = r;
          } else {
            pause();
            res = await pending;
            resume();
          }
          pending = null;
        }
        if (res.done) {
          exhausted = true;
          ended = true;
          ex.end();
          continue;
        }
        ex.push(res.value);
        if ((ex.pushed & 255) === 0) this.#metrics.sampleMemory();
      }
      const closing = await this.#closeErrors(ex);
      ok = true;
      for (const o of closing) {
        pause();
        yield o;
        resume();
      }
    } finally {
      if (!ok) {
        await ex.close();
        if (!exhausted) {
          if (src.sync !== undefined) src.sync.return?.();
          else src.async.return?.()?.catch(() => {});
        }
      }
      pause();
      this.#open.delete(ex);
      this.#metrics.endRun(active * 1000, ex.mediaSeconds);
    }
  }

  /**
   * The pipeline as a web-streams pair for `pipeThrough`: write RuntimeData items, read
   * outputs, with backpressure; cancelling the readable side closes every node.
   *
   * @returns A `{ writable, readable }` pair (one run).
   *
   * @example WAV file -> 20 ms frames -> pipeline
   * ```ts ignore
   * const out = (await Deno.open("speech.wav")).readable
   *   .pipeThrough(wavFrames({ frameMs: 20 }))
   *   .pipeThrough(pipeline.toTransformStream());
   * for await (const { node, data } of out) console.log(node, data.type);
   * ```
   */
  toTransformStream(): ReadableWritablePair<PipelineOutput, RuntimeData> {
    const input = new TransformStream<RuntimeData, RuntimeData>();
    const readable = ReadableStream.from(this.stream(input.readable));
    return { writable: input.writable, readable };
  }

  /**
   * Metrics of every run so far (JSON shape `ExecutionMetrics`).
   * @returns A fresh object.
   */
  metrics(): ExecutionMetrics {
    return this.#metrics.toJSON();
  }

  /**
   * Metrics of every run so far as Prometheus text exposition.
   *
   * @param options Metric name prefix.
   * @returns The exposition text.
   */
  prometheus(options?: PrometheusOptions): string {
    return formatPrometheus(this.#metrics.toJSON(), options);
  }

  /**
   * Add this pipeline's metrics so far to `target` (an aggregate over many pipelines built
   * from the same manifest, e.g. one per request in a service).
   *
   * @param target A collector with this pipeline's node ids (`nodeIds`), in order.
   * @throws {TypeError} when the node ids differ.
   *
   * @example
   * ```ts
   * import { audio, MetricsCollector, Pipeline } from "../../mod.ts";
   * const manifest = { version: "v1" as const, nodes: [{ id: "g", node_type: "Gain" }] };
   * const total = new MetricsCollector("gain", ["g"]);
   * for (let i = 0; i < 2; i++) {
   *   await using p = Pipeline.fromManifest(manifest);
   *   await p.run(audio(new Float32Array(160), 16000));
   *   p.mergeMetricsInto(total);
   * }
   * console.log(total.toJSON().total_executions); // 2
   * ```
   */
  mergeMetricsInto(target: MetricsCollector): void {
    target.merge(this.#metrics);
  }

  /** Clear the metrics. */
  resetMetrics(): void {
    this.#metrics.reset();
  }

  /**
   * Close the pipeline: stop every open run (closing its nodes); later runs throw.
   * Idempotent.
   *
   * @returns Resolves when every node of every open run is closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const runs = [...this.#open];
    for (const ex of runs) ex.closedByPipeline = true;
    await Promise.all(runs.map((ex) => ex.close()));
  }

  /** Same as {@link Pipeline.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
