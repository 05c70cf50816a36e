// Helpers for the pipeline tests: a fake clock, deferred promises, small user nodes.
import { z } from "zod";
import {
  type Clock,
  createRegistry,
  type NodeRegistry,
  type PipelineOutput,
  type RuntimeData,
  text,
} from "../mod.ts";

/** A promise with its resolve/reject exposed. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

/** Make a deferred promise. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Let pending promise callbacks and zero-delay timers run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

/** A clock that only moves when told to; records every sleep requested. */
export class FakeClock implements Clock {
  t = 0;
  /** Every delay passed to sleep, in order. */
  readonly requested: number[] = [];
  #sleepers: { until: number; resolve: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.requested.push(ms);
    return new Promise((resolve) => {
      const s = { until: this.t + ms, resolve };
      this.#sleepers.push(s);
      signal?.addEventListener("abort", () => {
        this.#sleepers = this.#sleepers.filter((x) => x !== s);
        resolve();
      }, { once: true });
    });
  }

  /** Sleeps not yet due. */
  get pending(): number {
    return this.#sleepers.length;
  }

  /** Move time forward and wake the sleepers that are due. */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.#sleepers.filter((s) => s.until <= this.t);
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.t);
    for (const s of due) s.resolve();
    await settle();
  }

  /** Wait (in real time, by yielding) until some sleep is pending. */
  async untilSleeping(): Promise<void> {
    for (let i = 0; i < 1000 && this.#sleepers.length === 0; i++) await settle(1);
    if (this.#sleepers.length === 0) throw new Error("no sleep was requested");
  }
}

/** Text of a text item (assertion helper). */
export function textOf(d: RuntimeData): string {
  if (d.type !== "text") throw new TypeError(`expected a text item, got ${d.type}`);
  return d.text;
}

/** `node:text` strings of outputs. */
export function tags(out: PipelineOutput[]): string[] {
  return out.map((o) => `${o.node}:${o.data.type === "text" ? o.data.text : o.data.type}`);
}

/** Input items t0..t(n-1). */
export function texts(n: number): RuntimeData[] {
  return Array.from({ length: n }, (_, i) => text(`t${i}`));
}

/** Shared bookkeeping of the test nodes, per test. */
export interface Probe {
  created: string[];
  processed: string[];
  flushed: string[];
  closed: string[];
}

/**
 * A registry with the built-ins plus:
 * - `Tag`: text item -> text `${text}>${id}` (records process/flush/close in the probe);
 *   params `{ flush_text?: string }` emits that text at flush.
 * - `Fail`: throws on items whose text is in `fail_on` (params `{ fail_on: string[],
 *   retryable?: boolean, times?: number }`; `times` = failures per item before success).
 */
export function testRegistry(probe: Probe): NodeRegistry {
  const r = createRegistry();
  r.register(
    "Tag",
    z.object({ flush_text: z.string().optional() }).strict(),
    ({ flush_text }, { id }) => {
      probe.created.push(id);
      return {
        process(d) {
          probe.processed.push(`${id}(${textOf(d)})`);
          return text(`${textOf(d)}>${id}`);
        },
        flush() {
          probe.flushed.push(id);
          return flush_text === undefined ? null : text(flush_text);
        },
        close() {
          probe.closed.push(id);
        },
      };
    },
  );
  r.register(
    "Fail",
    z.object({
      fail_on: z.array(z.string()),
      retryable: z.boolean().default(false),
      times: z.number().default(Infinity),
    }).strict(),
    ({ fail_on, retryable, times }, { id }) => {
      const counts = new Map<string, number>();
      return {
        process(d) {
          const t = textOf(d);
          probe.processed.push(`${id}(${t})`);
          const n = counts.get(t) ?? 0;
          if (fail_on.includes(t) && n < times) {
            counts.set(t, n + 1);
            const e = new Error(`boom on ${t}`) as Error & { retryable?: boolean };
            if (retryable) e.retryable = true;
            throw e;
          }
          return text(`${t}>${id}`);
        },
        close() {
          probe.closed.push(id);
        },
      };
    },
  );
  return r;
}

/** A fresh probe. */
export function probe(): Probe {
  return { created: [], processed: [], flushed: [], closed: [] };
}
