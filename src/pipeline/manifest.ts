/**
 * Manifest v1: the JSON description of a pipeline, validated with zod, then checked as a
 * graph (duplicate ids, unknown ids, cycles) and resolved against a node registry (node
 * types, params). Every problem is reported with its path and the rule it broke, all at
 * once, in one {@link ManifestError}.
 *
 * @module
 */

import { z } from "zod";
import type { RuntimeHint } from "../dsp/_backend.ts";
import {
  expecting,
  type Issue,
  nonNegativeInt,
  nonNegativeNumber,
  parseWith,
  positiveInt,
  positiveNumber,
} from "./_zod.ts";
import type { BreakerPolicy, RetryPolicy } from "./errors.ts";
import type { NodeDefinition, NodeRegistry } from "./registry.ts";

/** What a node does with an item it failed on (after retries). */
export type ErrorPolicy = "fail" | "skip" | "emit";

/** Retry settings in a manifest (all optional; defaults 3 retries, 100/200/400 ms). */
export type ManifestRetry = Partial<RetryPolicy>;

/** Circuit breaker settings in a manifest (defaults: opens after 5, half-opens after 30 s). */
export type ManifestBreaker = Partial<BreakerPolicy>;

/** Fault-tolerance and timing settings, per node or as defaults in `config`. */
export interface ManifestPolicy {
  /**
   * What to do with an item the node failed on: `"fail"` stops the stream with the
   * `NodeError`; `"skip"` drops the item (counted in metrics); `"emit"` drops it and emits
   * an `event("error", time, nodeError)` output tagged with the node id.
   * @default {"emit"}
   */
  on_error?: ErrorPolicy;
  /** Retry settings for retryable errors. */
  retry?: ManifestRetry;
  /** Circuit breaker settings. */
  circuit_breaker?: ManifestBreaker;
  /**
   * Per-item time budget in microseconds; an item that takes longer counts as a deadline
   * miss. Default: an audio frame's own duration (no budget for other items).
   */
  deadline_us?: number;
}

/** One node in a manifest. */
export interface ManifestNode extends ManifestPolicy {
  /** Unique id (letters, digits, `_`, `-`, `.`; starts with a letter or `_`). */
  id: string;
  /** Registered node type, e.g. `"AudioResample"`. */
  node_type: string;
  /** Parameters, validated by the type's schema. */
  params?: Record<string, unknown>;
  /**
   * Kernel implementation to use.
   * @default {"auto"}
   */
  runtime_hint?: RuntimeHint;
}

/** An edge: every output of `from` is delivered to `to`. */
export interface ManifestConnection {
  /** Parent node id. */
  from: string;
  /** Child node id. */
  to: string;
}

/** Pipeline-wide settings. */
export interface ManifestConfig extends ManifestPolicy {
  /**
   * Collect per-node metrics.
   * @default {true}
   */
  enable_metrics?: boolean;
  /**
   * Items a node may have queued while it is busy (async nodes) before the input is paused.
   * @default {16}
   */
  max_queue?: number;
  /** Node ids whose outputs the pipeline returns. Default: the sinks (nodes with no children). */
  outputs?: string[];
}

/** A pipeline manifest, version 1. */
export interface ManifestV1 {
  /** Always `"v1"`. */
  version: "v1";
  /** Free-form metadata; `name` becomes the metrics `pipeline_id`. */
  metadata?: { name?: string; description?: string; [key: string]: unknown };
  /** The nodes (at least one). */
  nodes: ManifestNode[];
  /** The edges. */
  connections?: ManifestConnection[];
  /** Pipeline-wide settings and policy defaults. */
  config?: ManifestConfig;
}

const ID = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const policyShape = {
  on_error: z.enum(["fail", "skip", "emit"]).optional(),
  retry: z.object({
    max_retries: nonNegativeInt().max(100, { error: expecting("an integer <= 100") }).optional(),
    initial_backoff_ms: nonNegativeNumber().optional(),
    multiplier: z.number().min(1).optional(),
    max_backoff_ms: nonNegativeNumber().optional(),
  }).strict().optional(),
  circuit_breaker: z.object({
    failure_threshold: nonNegativeInt().optional(),
    reset_timeout_ms: nonNegativeNumber().optional(),
  }).strict().optional(),
  deadline_us: positiveNumber().optional(),
};

const NodeSchema = z.object({
  id: z.string().regex(ID, {
    error: expecting("an id of letters, digits, _, - or . starting with a letter or _"),
  }),
  node_type: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
  runtime_hint: z.enum(["auto", "native", "ts"]).optional(),
  ...policyShape,
}).strict();

const ManifestSchema = z.object({
  version: z.literal("v1"),
  metadata: z.object({ name: z.string().optional(), description: z.string().optional() })
    .loose().optional(),
  nodes: z.array(NodeSchema).min(1),
  connections: z.array(z.object({ from: z.string(), to: z.string() }).strict()).optional(),
  config: z.object({
    enable_metrics: z.boolean().optional(),
    max_queue: positiveInt().max(65536, { error: expecting("an integer <= 65536") }).optional(),
    outputs: z.array(z.string()).optional(),
    ...policyShape,
  }).strict().optional(),
}).strict();

/**
 * JSON Schema (draft 2020-12) of manifest v1 (node params are checked separately, per type).
 *
 * @returns The schema object.
 *
 * @example
 * ```ts
 * import { manifestJsonSchema } from "./manifest.ts";
 * console.log(manifestJsonSchema().type); // object
 * ```
 */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ManifestSchema, { io: "input" }) as Record<string, unknown>;
}

/** One manifest problem: where and what. */
export interface ManifestIssue {
  /** Location, e.g. `nodes[2].params.target_rate` (`(root)` for the whole document). */
  path: string;
  /** What is wrong, e.g. `expected a positive integer, got -5`. */
  message: string;
}

/**
 * An invalid manifest. `issues` lists every problem found; the message shows them all,
 * one per line, as `path: message`.
 *
 * @example
 * ```ts
 * import { ManifestError } from "./manifest.ts";
 * const e = new ManifestError([{ path: "version", message: 'expected "v1", got the string "v2"' }]);
 * console.log(e.message); // Invalid pipeline manifest: version: expected "v1", got the string "v2"
 * ```
 */
export class ManifestError extends Error {
  /** Every problem found. */
  readonly issues: readonly ManifestIssue[];

  /**
   * Create the error.
   *
   * @param issues The problems (at least one).
   */
  constructor(issues: readonly ManifestIssue[]) {
    const lines = issues.map((i) => `${i.path}: ${i.message}`);
    super(
      lines.length === 1
        ? `Invalid pipeline manifest: ${lines[0]}`
        : `Invalid pipeline manifest (${lines.length} problems):\n  ${lines.join("\n  ")}`,
    );
    this.name = "ManifestError";
    this.issues = issues;
  }
}

/** A node after validation: parsed params and effective policies. */
export interface ResolvedNode {
  /** Node id. */
  readonly id: string;
  /** Node type. */
  readonly type: string;
  /** Position in the manifest's `nodes`. */
  readonly index: number;
  /** Params parsed by the type's schema (defaults applied). */
  readonly params: unknown;
  /** Effective runtime hint. */
  readonly runtimeHint: RuntimeHint;
  /** Effective error policy. */
  readonly onError: ErrorPolicy;
  /** Effective retry policy. */
  readonly retry: RetryPolicy;
  /** Effective breaker policy. */
  readonly breaker: BreakerPolicy;
  /** Per-item budget in microseconds, or null (audio frames use their own duration). */
  readonly deadlineUs: number | null;
  /** The node type's definition. */
  readonly definition: NodeDefinition;
  /** Indices (into `ResolvedManifest.nodes`) of the children, in connection order. */
  readonly children: readonly number[];
  /** Number of parents. */
  readonly parentCount: number;
  /** Whether this node's outputs are pipeline outputs. */
  readonly isOutput: boolean;
}

/** A validated manifest, nodes in topological order. */
export interface ResolvedManifest {
  /** The manifest as given (validated). */
  readonly manifest: ManifestV1;
  /** `metadata.name`, or `"pipeline"`. */
  readonly name: string;
  /** Nodes in topological order (parents before children; ties in manifest order). */
  readonly nodes: readonly ResolvedNode[];
  /** Whether metrics are collected. */
  readonly enableMetrics: boolean;
  /** Queue bound per node. */
  readonly maxQueue: number;
}

const DEFAULT_RETRY: RetryPolicy = {
  max_retries: 3,
  initial_backoff_ms: 100,
  multiplier: 2,
  max_backoff_ms: 30_000,
};
const DEFAULT_BREAKER: BreakerPolicy = { failure_threshold: 5, reset_timeout_ms: 30_000 };

function list(ids: Iterable<string>): string {
  return [...ids].join(", ");
}

/**
 * Find cycles among `remaining` nodes (those Kahn's algorithm could not order). Returns
 * each cycle as a list of node indices, first node repeated at the end.
 */
function findCycles(remaining: Set<number>, edges: number[][]): number[][] {
  const color = new Map<number, 0 | 1 | 2>();
  const stack: number[] = [];
  const cycles: number[][] = [];
  const seen = new Set<string>();
  const visit = (v: number) => {
    color.set(v, 1);
    stack.push(v);
    for (const w of edges[v]!) {
      if (!remaining.has(w)) continue;
      const c = color.get(w) ?? 0;
      if (c === 0) visit(w);
      else if (c === 1) {
        const cyc = stack.slice(stack.indexOf(w));
        const key = [...cyc].sort((a, b) => a - b).join(",");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cyc, w]);
        }
      }
    }
    stack.pop();
    color.set(v, 2);
  };
  for (const v of [...remaining].sort((a, b) => a - b)) if ((color.get(v) ?? 0) === 0) visit(v);
  return cycles;
}

/**
 * Validate a manifest (object or JSON text) against the schema, the graph rules and the
 * registry, and resolve it.
 *
 * @param input Manifest object or JSON string.
 * @param registry Node types.
 * @returns The resolved manifest.
 * @throws {ManifestError} listing every problem found.
 *
 * @example
 * ```ts
 * import { resolveManifest } from "./manifest.ts";
 * import { defaultRegistry } from "../nodes/builtin.ts";
 * const r = resolveManifest({
 *   version: "v1",
 *   nodes: [{ id: "a", node_type: "PassThrough" }, { id: "b", node_type: "Gain", params: { gain: 2 } }],
 *   connections: [{ from: "a", to: "b" }],
 * }, defaultRegistry);
 * console.log(r.nodes.map((n) => n.id)); // ["a", "b"]
 * ```
 */
export function resolveManifest(input: unknown, registry: NodeRegistry): ResolvedManifest {
  let doc = input;
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new ManifestError([{
        path: "(root)",
        message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}`,
      }]);
    }
  }
  const parsed = parseWith<ManifestV1>(ManifestSchema, doc, []);
  if (!parsed.ok) throw new ManifestError(parsed.issues);
  const m = parsed.value;
  const issues: Issue[] = [];
  const cfg = m.config ?? {};

  // Ids and types.
  const index = new Map<string, number>();
  m.nodes.forEach((n, i) => {
    const first = index.get(n.id);
    if (first !== undefined) {
      issues.push({
        path: `nodes[${i}].id`,
        message: `duplicate node id "${n.id}" (first used by nodes[${first}])`,
      });
    } else index.set(n.id, i);
  });
  const known = () => `known ids: ${list(index.keys())}`;
  const defs: (NodeDefinition | undefined)[] = m.nodes.map((n, i) => {
    const def = registry.get(n.node_type);
    if (def === undefined) {
      issues.push({
        path: `nodes[${i}].node_type`,
        message: `unknown node type "${n.node_type}"; ` +
          (registry.types().length > 0
            ? `known types: ${list(registry.types())}`
            : "the registry has no node types"),
      });
    }
    return def;
  });
  const params: unknown[] = m.nodes.map((n, i) => {
    const def = defs[i];
    if (def === undefined) return undefined;
    const r = parseWith(def.params, n.params ?? {}, ["nodes", i, "params"]);
    if (r.ok) return r.value;
    issues.push(...r.issues);
    return undefined;
  });

  // Edges.
  const n = m.nodes.length;
  const edges: number[][] = Array.from({ length: n }, () => []);
  const parents = new Array<number>(n).fill(0);
  const edgeAt = new Map<string, number>();
  (m.connections ?? []).forEach((c, i) => {
    const from = index.get(c.from);
    const to = index.get(c.to);
    if (from === undefined) {
      issues.push({
        path: `connections[${i}].from`,
        message: `unknown node id "${c.from}"; ${known()}`,
      });
    }
    if (to === undefined) {
      issues.push({
        path: `connections[${i}].to`,
        message: `unknown node id "${c.to}"; ${known()}`,
      });
    }
    if (from === undefined || to === undefined) return;
    const key = `${from}>${to}`;
    const dup = edgeAt.get(key);
    if (dup !== undefined) {
      issues.push({
        path: `connections[${i}]`,
        message: `duplicate connection "${c.from}" -> "${c.to}" (same as connections[${dup}])`,
      });
      return;
    }
    edgeAt.set(key, i);
    edges[from]!.push(to);
    parents[to]!++;
  });
  (cfg.outputs ?? []).forEach((id, i) => {
    if (!index.has(id)) {
      issues.push({ path: `config.outputs[${i}]`, message: `unknown node id "${id}"; ${known()}` });
    }
  });

  // Topological order (Kahn, ties broken by manifest order) and cycles.
  const indeg = [...parents];
  const order: number[] = [];
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) ready.push(i);
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const v = ready.shift()!;
    order.push(v);
    for (const w of edges[v]!) if (--indeg[w]! === 0) ready.push(w);
  }
  if (order.length < n) {
    const remaining = new Set<number>();
    for (let i = 0; i < n; i++) if (indeg[i]! > 0) remaining.add(i);
    for (const cyc of findCycles(remaining, edges)) {
      issues.push({
        path: "connections",
        message: `cycle ${cyc.map((v) => `"${m.nodes[v]!.id}"`).join(" -> ")}; ` +
          "a pipeline must be acyclic",
      });
    }
  }
  if (issues.length > 0) throw new ManifestError(issues);

  // Resolve.
  const outputs = cfg.outputs ? new Set(cfg.outputs) : null;
  const pos = new Array<number>(n);
  order.forEach((v, k) => (pos[v] = k));
  const nodes = order.map((v): ResolvedNode => {
    const mn = m.nodes[v]!;
    return {
      id: mn.id,
      type: mn.node_type,
      index: v,
      params: params[v],
      runtimeHint: mn.runtime_hint ?? "auto",
      onError: mn.on_error ?? cfg.on_error ?? "emit",
      retry: { ...DEFAULT_RETRY, ...cfg.retry, ...mn.retry },
      breaker: { ...DEFAULT_BREAKER, ...cfg.circuit_breaker, ...mn.circuit_breaker },
      deadlineUs: mn.deadline_us ?? cfg.deadline_us ?? null,
      definition: defs[v]!,
      children: edges[v]!.map((w) => pos[w]!),
      parentCount: parents[v]!,
      isOutput: outputs ? outputs.has(mn.id) : edges[v]!.length === 0,
    };
  });
  return {
    manifest: m,
    name: m.metadata?.name ?? "pipeline",
    nodes,
    enableMetrics: cfg.enable_metrics ?? true,
    maxQueue: cfg.max_queue ?? 16,
  };
}
