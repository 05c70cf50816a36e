/**
 * `PipelineBuilder`: build a manifest in code instead of JSON. `toManifest()` produces the
 * same object a hand-written manifest would be (keys in the order `version`, `metadata`,
 * `nodes`, `connections`, `config`; `params` omitted when not given), and `build()` makes
 * the pipeline through the same validation as `Pipeline.fromManifest`.
 *
 * @module
 */

import type { RuntimeHint } from "../dsp/_backend.ts";
import type { ManifestConfig, ManifestNode, ManifestPolicy, ManifestV1 } from "./manifest.ts";
import { Pipeline, type PipelineOptions } from "./pipeline.ts";

/** Per-node options for {@link PipelineBuilder.add}. */
export interface AddNodeOptions extends ManifestPolicy {
  /**
   * Kernel implementation to use.
   * @default {"auto"}
   */
  runtime_hint?: RuntimeHint;
}

/**
 * Builds a pipeline manifest step by step.
 *
 * @example The voice front end's shape
 * ```ts
 * import { PipelineBuilder } from "./builder.ts";
 * const manifest = new PipelineBuilder("front-end")
 *   .add("mono", "Downmix")
 *   .add("frames", "Chunker", { frame_ms: 20 })
 *   .connect("mono", "frames")
 *   .config({ enable_metrics: true })
 *   .toManifest();
 * console.log(JSON.stringify(manifest.connections)); // [{"from":"mono","to":"frames"}]
 * ```
 */
export class PipelineBuilder {
  #name: string | undefined;
  #metadata: Record<string, unknown> = {};
  #nodes: ManifestNode[] = [];
  #connections: { from: string; to: string }[] = [];
  #config: ManifestConfig | undefined;

  /**
   * Start a manifest.
   *
   * @param name `metadata.name` (the metrics `pipeline_id`).
   */
  constructor(name?: string) {
    this.#name = name;
  }

  /**
   * Add metadata fields (merged).
   *
   * @param fields Free-form metadata.
   * @returns This builder.
   */
  metadata(fields: Record<string, unknown>): this {
    Object.assign(this.#metadata, fields);
    return this;
  }

  /**
   * Add a node.
   *
   * @param id Unique node id.
   * @param nodeType Registered node type.
   * @param params Params for the type's schema (omitted from the manifest when undefined).
   * @param options `runtime_hint`, `on_error`, `retry`, `circuit_breaker`, `deadline_us`.
   * @returns This builder.
   */
  add(
    id: string,
    nodeType: string,
    params?: Record<string, unknown>,
    options?: AddNodeOptions,
  ): this {
    const node: ManifestNode = { id, node_type: nodeType };
    if (params !== undefined) node.params = structuredClone(params);
    if (options !== undefined) Object.assign(node, structuredClone(options));
    this.#nodes.push(node);
    return this;
  }

  /**
   * Connect `from` to `to` (every output of `from` is delivered to `to`).
   *
   * @param from Parent id.
   * @param to Child id, or several children (one connection each, in order).
   * @returns This builder.
   */
  connect(from: string, to: string | readonly string[]): this {
    for (const t of typeof to === "string" ? [to] : to) this.#connections.push({ from, to: t });
    return this;
  }

  /**
   * Set pipeline-wide settings (merged with earlier calls).
   *
   * @param config Settings.
   * @returns This builder.
   */
  config(config: ManifestConfig): this {
    this.#config = { ...this.#config, ...structuredClone(config) };
    return this;
  }

  /**
   * The manifest (a fresh copy; not validated: {@link PipelineBuilder.build} validates).
   *
   * @returns Manifest v1.
   */
  toManifest(): ManifestV1 {
    const meta = { ...(this.#name !== undefined ? { name: this.#name } : {}), ...this.#metadata };
    const m: ManifestV1 = { version: "v1", nodes: [] };
    if (Object.keys(meta).length > 0) m.metadata = structuredClone(meta);
    m.nodes = structuredClone(this.#nodes);
    m.connections = structuredClone(this.#connections);
    if (this.#config !== undefined) m.config = structuredClone(this.#config);
    // Re-create in the documented key order.
    return {
      version: m.version,
      ...(m.metadata ? { metadata: m.metadata } : {}),
      nodes: m.nodes,
      connections: m.connections,
      ...(m.config ? { config: m.config } : {}),
    };
  }

  /**
   * Validate and build the pipeline.
   *
   * @param options Registry, clock, pool.
   * @returns The pipeline.
   * @throws {ManifestError} listing every problem.
   */
  build(options?: PipelineOptions): Pipeline {
    return Pipeline.fromManifest(this.toManifest(), options);
  }
}
