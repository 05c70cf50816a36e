/**
 * The node registry: node types by name, each with a zod params schema, a factory and a
 * description. A pipeline run calls the factory once per node, so every stream gets its
 * own node instances (state, native handles) and is closed independently.
 *
 * ## Adding a kernel node
 *
 * A node wrapping a streaming kernel keeps the kernel as state, processes each frame into
 * a new output array, drains the kernel in `flush()` and releases it in `close()`. For
 * example, an `AudioResample` node over the streaming `Resampler` of `src/dsp/resample.ts`
 * (in `src/nodes/audio_resample.ts`, then one `register...` line in `src/nodes/builtin.ts`):
 *
 * ```ts ignore
 * import { z } from "zod";
 * import { Resampler } from "../dsp/resample.ts";
 * import { audio, type AudioData } from "../pipeline/data.ts";
 * import type { NodeRegistry } from "../pipeline/registry.ts";
 * import { positiveInt } from "../pipeline/_zod.ts";
 *
 * export function registerAudioResample(registry: NodeRegistry): void {
 *   registry.register(
 *     "AudioResample",
 *     z.object({
 *       target_rate: positiveInt(),
 *       quality: z.enum(["fast", "default", "high"]).default("default"),
 *     }).strict(),
 *     ({ target_rate, quality }, { runtimeHint }) => {
 *       let rs: Resampler | null = null;
 *       let t = 0; // output frames emitted, for timestamps
 *       let fmt: AudioData | null = null;
 *       const emit = (out: Float32Array, frames: number) => {
 *         const a = audio(out.subarray(0, frames * fmt!.channels), target_rate, fmt!.channels, {
 *           timestamp: t / target_rate,
 *         });
 *         t += frames;
 *         return a;
 *       };
 *       return {
 *         process(d) {
 *           if (d.type !== "audio") return d; // pass non-audio items through
 *           fmt = d;
 *           rs ??= new Resampler({
 *             inputRate: d.sampleRate,
 *             outputRate: target_rate,
 *             channels: d.channels,
 *             quality,
 *             runtimeHint,
 *           });
 *           const inFrames = d.samples.length / d.channels;
 *           const out = new Float32Array(rs.outputFramesNext(inFrames) * d.channels);
 *           return emit(out, rs.process(d.samples, out));
 *         },
 *         flush() {
 *           if (rs === null) return null;
 *           const out = new Float32Array((Math.ceil(rs.delay) + 1) * fmt!.channels);
 *           return emit(out, rs.flush(out));
 *         },
 *         close() {
 *           rs?.close(); // releases the native handle, also when a stream stops early
 *           rs = null;
 *         },
 *       };
 *     },
 *     { description: "Resample audio to target_rate (streaming, delay-compensated at flush)" },
 *   );
 * }
 * ```
 *
 * A node that needs fixed windows (VAD: 10/20/30 ms; a model: 512 samples) declares
 * `frameSize` (samples per channel, or a function of the sample rate) and the scheduler
 * re-cuts upstream audio to exactly that size.
 *
 * @module
 */

import { z } from "zod";
import type { RuntimeHint } from "../dsp/_backend.ts";
import type { RuntimeData } from "./data.ts";

/** What `process`/`flush` return: one item, several, or nothing. */
export type NodeResult = RuntimeData | readonly RuntimeData[] | null | undefined | void;

/** Per-node context handed to every call (one object per node instance, not per call). */
export interface NodeContext {
  /** The node's id in the manifest. */
  readonly nodeId: string;
  /** The node's type. */
  readonly nodeType: string;
  /** The node's `runtime_hint`. */
  readonly runtimeHint: RuntimeHint;
  /** Aborted when the run stops (consumer broke out, pipeline closed): cancel async work. */
  readonly signal: AbortSignal;
}

/** How the scheduler treats the last, incomplete frame of a framed node at end of stream. */
export type FrameRemainder = "pad" | "short" | "drop";

/**
 * A node instance. `process` may be sync (runs inline, no promise) or async (overlaps with
 * independent branches). Items from one stream reach `process` one at a time, in order.
 */
export interface PipelineNode {
  /**
   * Samples per channel this node needs in each audio item, or a function of the sample
   * rate. The scheduler buffers upstream audio and re-cuts it to exactly this size
   * (non-audio items bypass the buffer).
   */
  readonly frameSize?: number | ((sampleRate: number) => number);
  /**
   * The last incomplete frame at end of stream: zero-padded to `frameSize` (`"pad"`),
   * delivered short (`"short"`) or dropped (`"drop"`).
   * @default {"pad"}
   */
  readonly frameRemainder?: FrameRemainder;
  /**
   * Handle one item. Treat `data` as read-only (it may be shared with sibling nodes).
   * An async call should honour `ctx.signal`: when a run stops, the scheduler waits for
   * in-flight calls to settle before calling `close()` (so no handle is freed under a
   * running call).
   *
   * @param data The item.
   * @param ctx The node's context.
   * @returns Items for the children (or a promise of them).
   */
  process(data: RuntimeData, ctx: NodeContext): NodeResult | Promise<NodeResult>;
  /**
   * End of stream: emit what is still buffered (called once, after the last `process`).
   *
   * @param ctx The node's context.
   * @returns Final items.
   */
  flush?(ctx: NodeContext): NodeResult | Promise<NodeResult>;
  /** Release resources (native handles). Called once per instance, also on early stop. */
  close?(): void | Promise<void>;
}

/** What a factory learns about the node it creates. */
export interface NodeInit {
  /** The node's id. */
  readonly id: string;
  /** The node's type. */
  readonly type: string;
  /** The node's `runtime_hint`. */
  readonly runtimeHint: RuntimeHint;
}

/**
 * A params schema: any zod 4 schema (`z.object({...}).strict()`). The registry relies on
 * `safeParse` (validation, with issues reported in the manifest's style) and on
 * `z.toJSONSchema` (the `nodes` listing).
 */
export interface ParamsSchema<P> {
  /**
   * Validate `data`.
   *
   * @param data The params object from the manifest.
   * @param options zod parse options.
   * @returns The parsed params or the error.
   */
  safeParse(
    data: unknown,
    options?: object,
  ): { success: true; data: P } | { success: false; error: unknown };
}

/** Creates a node instance from validated params. */
export type NodeFactory<P> = (params: P, init: NodeInit) => PipelineNode | Promise<PipelineNode>;

/** A registered node type. */
export interface NodeDefinition<P = unknown> {
  /** The type name used in manifests (`node_type`). */
  readonly type: string;
  /** The params schema. */
  readonly params: ParamsSchema<P>;
  /** The factory. */
  readonly factory: NodeFactory<P>;
  /** One line on what the node does. */
  readonly description: string;
}

/** A node type as the `nodes` listing prints it. */
export interface NodeTypeInfo {
  /** The type name. */
  type: string;
  /** One line on what the node does. */
  description: string;
  /** JSON Schema (draft 2020-12) of the params object. */
  params: Record<string, unknown>;
}

/** Options for {@link NodeRegistry.register}. */
export interface RegisterOptions {
  /** One line on what the node does. */
  description?: string;
  /**
   * Replace an existing type of the same name instead of throwing.
   * @default {false}
   */
  replace?: boolean;
}

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Node types by name.
 *
 * @example Register a user-defined node
 * ```ts
 * import { z } from "zod";
 * import { NodeRegistry } from "./registry.ts";
 * import { text } from "./data.ts";
 *
 * const registry = new NodeRegistry();
 * registry.register(
 *   "Label",
 *   z.object({ prefix: z.string().default("") }).strict(),
 *   ({ prefix }) => ({ process: (d) => text(`${prefix}${d.type}`) }),
 *   { description: "Replace each item with a text label of its type" },
 * );
 * console.log(registry.types()); // ["Label"]
 * ```
 */
export class NodeRegistry {
  #defs = new Map<string, NodeDefinition>();

  /**
   * Register a node type.
   *
   * @param type Name used as `node_type` (letters, digits, `_`; starts with a letter).
   * @param params zod schema of the params object (use `.strict()` to reject unknown keys).
   * @param factory Creates an instance from parsed params.
   * @param options Description; `replace` to override an existing type.
   * @returns This registry (for chaining).
   * @throws {TypeError} for a bad name, or a name already registered without `replace`.
   */
  register<P>(
    type: string,
    params: ParamsSchema<P>,
    factory: NodeFactory<P>,
    options?: RegisterOptions,
  ): this {
    if (!TYPE_NAME.test(type)) {
      throw new TypeError(
        `Cannot register node type "${type}": names are letters, digits and _, starting with a letter`,
      );
    }
    if (this.#defs.has(type) && !options?.replace) {
      throw new TypeError(
        `Cannot register node type "${type}": already registered (pass { replace: true } to override)`,
      );
    }
    this.#defs.set(type, {
      type,
      params: params as ParamsSchema<unknown>,
      factory: factory as NodeFactory<unknown>,
      description: options?.description ?? "",
    });
    return this;
  }

  /**
   * Remove a node type.
   *
   * @param type The type name.
   * @returns True if it was registered.
   */
  unregister(type: string): boolean {
    return this.#defs.delete(type);
  }

  /**
   * Look up a node type.
   *
   * @param type The type name.
   * @returns Its definition, or undefined.
   */
  get(type: string): NodeDefinition | undefined {
    return this.#defs.get(type);
  }

  /**
   * Whether a type is registered.
   *
   * @param type The type name.
   * @returns True if registered.
   */
  has(type: string): boolean {
    return this.#defs.has(type);
  }

  /**
   * Registered type names, sorted.
   * @returns The names.
   */
  types(): string[] {
    return [...this.#defs.keys()].sort();
  }

  /**
   * Every type with its description and params JSON Schema (for a `nodes` listing).
   * @returns One entry per type, sorted by name.
   */
  list(): NodeTypeInfo[] {
    return this.types().map((type) => {
      const def = this.#defs.get(type)!;
      let params: Record<string, unknown>;
      try {
        params = z.toJSONSchema(def.params as unknown as z.ZodType, {
          io: "input",
          unrepresentable: "any",
        }) as Record<string, unknown>;
      } catch {
        params = {}; // not a zod schema: no JSON Schema available
      }
      return { type, description: def.description, params };
    });
  }

  /**
   * A copy of this registry (add types to the copy without changing the original).
   * @returns The new registry.
   */
  clone(): NodeRegistry {
    const r = new NodeRegistry();
    for (const [k, v] of this.#defs) r.#defs.set(k, v);
    return r;
  }
}
