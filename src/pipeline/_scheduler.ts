// The streaming DAG scheduler: one `Execution` per run (stream or batch call), holding its
// own node instances, queues, breakers and re-framers, so runs never share state.
//
// Delivery is push-based and depth-first: an item pushed into the pipeline goes to every
// source node; each node's outputs go to its children in connection order, before the
// next sibling output. A node whose `process` returns synchronously runs inline (no
// promise, no allocation beyond its own outputs). A node that returns a Promise is marked
// busy; items that reach it meanwhile wait in its queue (order kept per node), while
// independent branches keep running; when the promise settles its outputs are delivered
// and its queue drains. Fan-in: a node with several parents gets their items in arrival
// order (the order in which the parents emit them), and is flushed after all of them.
//
// Backpressure: the driver (`Pipeline.stream`/`run`) pulls the next input item only when
// the consumer asked for more and no node queue is at `max_queue`; so buffering is bounded
// by max_queue per node plus what one input item expands to.

import { byteLengthOf, durationOf, event, isRuntimeData, type RuntimeData } from "./data.ts";
import {
  backoffDelay,
  CircuitBreaker,
  CircuitOpenError,
  type Clock,
  isRetryable,
  NodeError,
} from "./errors.ts";
import type { ResolvedManifest, ResolvedNode } from "./manifest.ts";
import type { NodeContext, NodeResult, PipelineNode } from "./registry.ts";
import { Reframer } from "./reframe.ts";
import type { MetricsCollector, NodeRecorder } from "../metrics/collector.ts";

/** An item a pipeline emits: the data and the id of the node that produced it. */
export interface PipelineOutput {
  /** Id of the node that emitted the item. */
  readonly node: string;
  /** The item. */
  readonly data: RuntimeData;
}

const FLUSH: unique symbol = Symbol("flush");
type QItem = RuntimeData | typeof FLUSH;

class Slot {
  readonly def: ResolvedNode;
  readonly impl: PipelineNode;
  readonly ctx: NodeContext;
  readonly rec: NodeRecorder | null;
  readonly breaker: CircuitBreaker | null;
  readonly reframer: Reframer | null;
  readonly isOutput: boolean;
  children: Slot[] = [];
  parentsLeft: number;
  queue: QItem[] = [];
  head = 0;
  busy = false;
  pending: Promise<unknown> | null = null;
  flushed = false;

  constructor(
    def: ResolvedNode,
    impl: PipelineNode,
    ctx: NodeContext,
    rec: NodeRecorder | null,
    clock: Clock,
  ) {
    this.def = def;
    this.impl = impl;
    this.ctx = ctx;
    this.rec = rec;
    this.breaker = def.breaker.failure_threshold > 0
      ? new CircuitBreaker(def.breaker, clock)
      : null;
    this.reframer = impl.frameSize === undefined
      ? null
      : new Reframer(impl.frameSize, { remainder: impl.frameRemainder ?? "pad" });
    this.isOutput = def.isOutput;
    this.parentsLeft = def.parentCount === 0 ? 1 : def.parentCount; // sources: the input
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  dequeue(): QItem {
    const item = this.queue[this.head]!;
    this.queue[this.head++] = FLUSH; // drop the reference
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

function isPromise(r: unknown): r is Promise<NodeResult> {
  return r instanceof Promise;
}

function timeOf(item: QItem): number {
  return item !== FLUSH && item.type === "audio" ? item.timestamp : 0;
}

/** One run of a pipeline. */
export class Execution {
  readonly slots: Slot[];
  readonly #sources: Slot[];
  readonly #clock: Clock;
  readonly #maxQueue: number;
  readonly #abort = new AbortController();
  #out: PipelineOutput[] = [];
  #outHead = 0;
  #inflight = 0;
  #full = 0;
  #finished = 0;
  #failure: NodeError | null = null;
  #closed = false;
  readonly #timed: boolean;
  /** Time the last timed step ended: the start of the next node call (metrics on only). */
  #t = 0;
  #wake: (() => void) | null = null;
  #progress: Promise<void> | null = null;
  /** Seconds of audio pushed in. */
  mediaSeconds = 0;
  /** Items pushed in. */
  pushed = 0;
  /** Set when `Pipeline.close()` stopped this run (the driver then throws). */
  closedByPipeline = false;

  private constructor(slots: Slot[], clock: Clock, maxQueue: number, timed: boolean) {
    this.slots = slots;
    this.#timed = timed;
    this.#sources = slots.filter((s) => s.def.parentCount === 0);
    this.#clock = clock;
    this.#maxQueue = maxQueue;
  }

  /**
   * Create node instances for a run (factories may be async). If one fails, the ones
   * already made are closed and a NodeError (operation "create") is thrown.
   */
  static async create(
    plan: ResolvedManifest,
    clock: Clock,
    metrics: MetricsCollector | null,
  ): Promise<Execution> {
    const made: { def: ResolvedNode; impl: PipelineNode }[] = [];
    const abort = new AbortController();
    try {
      for (const def of plan.nodes) {
        let impl: PipelineNode;
        try {
          impl = await def.definition.factory(def.params, {
            id: def.id,
            type: def.type,
            runtimeHint: def.runtimeHint,
          });
          if (impl === null || typeof impl !== "object" || typeof impl.process !== "function") {
            throw new TypeError("the factory did not return an object with a process method");
          }
        } catch (e) {
          throw new NodeError(def.id, "create", e, { nodeType: def.type, retryable: false });
        }
        made.push({ def, impl });
      }
    } catch (e) {
      for (const { impl } of made.reverse()) {
        try {
          await impl.close?.();
        } catch {
          // The creation error is the one to report.
        }
      }
      throw e;
    }
    const slots = made.map(({ def, impl }, i) =>
      new Slot(
        def,
        impl,
        { nodeId: def.id, nodeType: def.type, runtimeHint: def.runtimeHint, signal: abort.signal },
        metrics?.node(i) ?? null,
        clock,
      )
    );
    for (let i = 0; i < slots.length; i++) {
      slots[i]!.children = plan.nodes[i]!.children.map((c) => slots[c]!);
    }
    const ex = new Execution(slots, clock, plan.maxQueue, metrics !== null);
    ex.#abort.signal.addEventListener("abort", () => abort.abort(), { once: true });
    return ex;
  }

  /** Async operations (promises, retry waits) in flight. */
  get inflight(): number {
    return this.#inflight;
  }

  /** True when every node has flushed. */
  get finished(): boolean {
    return this.#finished === this.slots.length;
  }

  /** True when some node queue is at `max_queue`: pull no more input until it drains. */
  get overCapacity(): boolean {
    return this.#full > 0;
  }

  /** The error that stopped the run (policy "fail"), if any. */
  get failure(): NodeError | null {
    return this.#failure;
  }

  /** Outputs waiting to be taken. */
  get outputCount(): number {
    return this.#out.length - this.#outHead;
  }

  /** Take the oldest output (call only when `outputCount > 0`). */
  takeOutput(): PipelineOutput {
    const o = this.#out[this.#outHead]!;
    this.#out[this.#outHead++] = undefined as unknown as PipelineOutput;
    if (this.#outHead === this.#out.length) {
      this.#out.length = 0;
      this.#outHead = 0;
    }
    return o;
  }

  /** Resolves when any async operation settles (or the run fails/ends). */
  progress(): Promise<void> {
    return this.#progress ??= new Promise<void>((resolve) => (this.#wake = resolve));
  }

  #signal(): void {
    const w = this.#wake;
    if (w !== null) {
      this.#wake = null;
      this.#progress = null;
      w();
    }
  }

  /** Feed one input item to every source node. */
  push(item: RuntimeData): void {
    if (!isRuntimeData(item)) {
      throw new TypeError(
        `Cannot run the pipeline: input item ${this.pushed} is not RuntimeData ` +
          "(use audio(), tensor(), text(), json(), event() or binary())",
      );
    }
    this.pushed++;
    if (this.#timed) this.#t = performance.now();
    if (item.type === "audio") this.mediaSeconds += durationOf(item);
    const srcs = this.#sources;
    for (let i = 0; i < srcs.length; i++) this.#deliver(srcs[i]!, item);
  }

  /** End of input: sources flush once their queues drain, then their children, and so on. */
  end(): void {
    if (this.#timed) this.#t = performance.now();
    for (const s of this.#sources) this.#parentDone(s);
  }

  #deliver(s: Slot, item: RuntimeData): void {
    if (this.#failure !== null || this.#closed) return;
    if (s.reframer !== null && item.type === "audio") {
      try {
        s.reframer.push(item, (f) => this.#enqueueOrRun(s, f));
      } catch (e) {
        this.#failed(s, item, e, 0, "process");
      }
      return;
    }
    this.#enqueueOrRun(s, item);
  }

  #enqueueOrRun(s: Slot, item: QItem): void {
    if (this.#failure !== null || this.#closed) return;
    if (s.busy || s.head < s.queue.length) {
      s.queue.push(item);
      if (s.queued === this.#maxQueue) this.#full++;
      return;
    }
    this.#exec(s, item);
  }

  #drain(s: Slot): void {
    while (!s.busy && s.head < s.queue.length) {
      if (this.#failure !== null || this.#closed) return;
      const wasFull = s.queued === this.#maxQueue;
      const item = s.dequeue();
      if (wasFull) this.#full--;
      this.#exec(s, item);
    }
  }

  #exec(s: Slot, item: QItem): void {
    if (item === FLUSH) this.#flush(s);
    else this.#attempt(s, item, 0);
  }

  #attempt(s: Slot, item: RuntimeData, tries: number): void {
    if (tries === 0 && s.breaker !== null && !s.breaker.allow()) {
      s.rec?.recordOtherError();
      const e = new CircuitOpenError(s.breaker.consecutiveFailures, s.breaker.retryInMs);
      this.#failed(s, item, e, tries, "process");
      return;
    }
    const t0 = this.#t;
    let r: NodeResult | Promise<NodeResult>;
    try {
      r = s.impl.process(item, s.ctx);
    } catch (e) {
      this.#onError(s, item, e, tries, t0);
      return;
    }
    if (isPromise(r)) {
      s.busy = true;
      this.#inflight++;
      s.pending = r.then(
        (v) => {
          this.#inflight--;
          s.busy = false;
          s.pending = null;
          if (this.#closed) return;
          this.#succeeded(s, item, v, t0);
          this.#drain(s);
          this.#signal();
        },
        (e) => {
          this.#inflight--;
          s.busy = false;
          s.pending = null;
          if (this.#closed) return;
          this.#onError(s, item, e, tries, t0);
          this.#drain(s);
          this.#signal();
        },
      );
      return;
    }
    this.#succeeded(s, item, r, t0);
  }

  #succeeded(s: Slot, item: RuntimeData, r: NodeResult, t0: number): void {
    const rec = s.rec;
    if (rec !== null) {
      const t1 = performance.now();
      this.#t = t1;
      const us = (t1 - t0) * 1000;
      const media = item.type === "audio" ? durationOf(item) : 0;
      const budget = s.def.deadlineUs ?? (media > 0 ? media * 1e6 : Infinity);
      rec.recordSuccess(us, byteLengthOf(item), media, budget);
    }
    if (s.breaker !== null) s.breaker.onSuccess();
    this.#emit(s, r, item);
  }

  #onError(s: Slot, item: RuntimeData, e: unknown, tries: number, t0: number): void {
    if (s.rec !== null) {
      const t1 = performance.now();
      this.#t = t1;
      s.rec.recordError((t1 - t0) * 1000, byteLengthOf(item));
    }
    if (tries < s.def.retry.max_retries && isRetryable(e)) {
      s.busy = true;
      this.#inflight++;
      s.pending = this.#clock.sleep(backoffDelay(tries, s.def.retry), this.#abort.signal).then(
        () => {
          this.#inflight--;
          s.busy = false;
          s.pending = null;
          if (this.#closed) return;
          if (this.#timed) this.#t = performance.now();
          this.#attempt(s, item, tries + 1);
          this.#drain(s);
          this.#signal();
        },
      );
      return;
    }
    s.breaker?.onFailure();
    this.#failed(s, item, e, tries, "process");
  }

  #failed(
    s: Slot,
    item: QItem,
    e: unknown,
    tries: number,
    op: "process" | "flush" | "close",
  ): void {
    const err = e instanceof NodeError ? e : new NodeError(s.def.id, op, e, {
      nodeType: s.def.type,
      attempts: tries + 1,
    });
    switch (s.def.onError) {
      case "fail":
        if (this.#failure === null) this.#failure = err;
        this.#signal();
        break;
      case "emit":
        this.#out.push({ node: s.def.id, data: event("error", timeOf(item), err) });
        break;
      case "skip":
        break;
    }
  }

  #emit(s: Slot, r: NodeResult, from: QItem): void {
    if (r === undefined || r === null) return;
    if (Array.isArray(r)) {
      for (let i = 0; i < r.length; i++) this.#emitOne(s, r[i], from);
    } else {
      this.#emitOne(s, r as RuntimeData, from);
    }
  }

  #emitOne(s: Slot, d: RuntimeData | undefined, from: QItem): void {
    if (!isRuntimeData(d)) {
      const what = d === null || typeof d !== "object"
        ? String(d)
        : "an object without a known type";
      this.#failed(
        s,
        from,
        new TypeError(`the node returned ${what}; expected RuntimeData`),
        0,
        from === FLUSH ? "flush" : "process",
      );
      return;
    }
    if (s.rec !== null) s.rec.bytesOut += byteLengthOf(d);
    if (s.isOutput) this.#out.push({ node: s.def.id, data: d });
    const ch = s.children;
    for (let i = 0; i < ch.length; i++) this.#deliver(ch[i]!, d);
  }

  #parentDone(s: Slot): void {
    if (--s.parentsLeft > 0) return;
    if (s.reframer !== null) {
      try {
        s.reframer.finish((f) => this.#enqueueOrRun(s, f));
      } catch (e) {
        this.#failed(s, FLUSH, e, 0, "flush");
      }
    }
    this.#enqueueOrRun(s, FLUSH);
  }

  #flush(s: Slot): void {
    const f = s.impl.flush;
    if (f === undefined) return this.#flushed(s);
    let r: NodeResult | Promise<NodeResult>;
    try {
      r = f.call(s.impl, s.ctx);
    } catch (e) {
      s.rec?.recordOtherError();
      this.#failed(s, FLUSH, e, 0, "flush");
      return this.#flushed(s);
    }
    if (this.#timed) this.#t = performance.now();
    if (isPromise(r)) {
      s.busy = true;
      this.#inflight++;
      s.pending = r.then(
        (v) => {
          this.#inflight--;
          s.busy = false;
          s.pending = null;
          if (this.#closed) return;
          if (this.#timed) this.#t = performance.now();
          this.#emit(s, v, FLUSH);
          this.#flushed(s);
          this.#signal();
        },
        (e) => {
          this.#inflight--;
          s.busy = false;
          s.pending = null;
          if (this.#closed) return;
          s.rec?.recordOtherError();
          this.#failed(s, FLUSH, e, 0, "flush");
          this.#flushed(s);
          this.#signal();
        },
      );
      return;
    }
    this.#emit(s, r, FLUSH);
    this.#flushed(s);
  }

  #flushed(s: Slot): void {
    s.flushed = true;
    this.#finished++;
    for (const c of s.children) this.#parentDone(c);
    if (this.finished) this.#signal();
  }

  /**
   * Stop the run: abort in-flight work (nodes see `ctx.signal`), wait for pending calls to
   * settle (so no native buffer is released under a running call), then close every node
   * (children first). Idempotent. Returns the close errors (each a NodeError "close").
   */
  async close(): Promise<NodeError[]> {
    if (this.#closed) return [];
    this.#closed = true;
    this.#abort.abort();
    this.#signal();
    const pending = this.slots.map((s) => s.pending).filter((p) => p !== null);
    if (pending.length > 0) await Promise.allSettled(pending);
    const errors: NodeError[] = [];
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const s = this.slots[i]!;
      if (s.impl.close === undefined) continue;
      try {
        await s.impl.close();
      } catch (e) {
        s.rec?.recordOtherError();
        errors.push(new NodeError(s.def.id, "close", e, { nodeType: s.def.type }));
      }
    }
    this.#out.length = 0;
    this.#outHead = 0;
    return errors;
  }
}
