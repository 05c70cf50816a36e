// Pipelines for requests: a preset by name (server-defined, full registry) or a manifest
// sent by the client (validated against the client registry, which lacks every node type
// that could read a file or load a library named in the manifest).

import { z } from "zod";
import { ManifestError, type ManifestIssue } from "../pipeline/manifest.ts";
import { Pipeline } from "../pipeline/pipeline.ts";
import { isPreset, presetManifest, presetNames } from "../pipeline/presets.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";
import type { RunSource } from "./_app_metrics.ts";
import { HttpError } from "./errors.ts";

/**
 * Node types a client manifest may not use: `OnnxModel` opens the model file its `model`
 * param names (and loads ONNX Runtime for it).
 */
export const SERVER_ONLY_NODE_TYPES: readonly string[] = ["OnnxModel"];

/**
 * Params of node types that the server chooses for client manifests: pinned to `"auto"`
 * (SileroVad's execution provider and device kind — which ONNX Runtime provider library
 * gets loaded is the server's decision, not a request's).
 */
export const SERVER_CHOSEN_PARAMS: Readonly<Record<string, readonly string[]>> = {
  SileroVad: ["provider", "device_kind"],
};

/**
 * A copy of `base` without the server-only node types, and with the server-chosen params
 * of the others pinned to `"auto"`.
 */
export function clientRegistry(base: NodeRegistry): NodeRegistry {
  const r = base.clone();
  for (const t of SERVER_ONLY_NODE_TYPES) r.unregister(t);
  for (const [type, keys] of Object.entries(SERVER_CHOSEN_PARAMS)) {
    const def = r.get(type);
    const schema = def?.params as unknown as z.ZodObject | undefined;
    if (def === undefined || typeof schema?.extend !== "function") continue;
    const pinned = Object.fromEntries(keys.map((k) => [k, z.literal("auto").default("auto")]));
    r.register(type, schema.extend(pinned), def.factory, {
      description: def.description,
      replace: true,
    });
  }
  return r;
}

/** What a request asks to run. */
export interface PipelineSpec {
  /** A preset name. */
  preset?: string;
  /** A client manifest: an object, or JSON text. */
  manifest?: unknown;
}

/** A pipeline built for one request or stream. */
export interface OpenedPipeline {
  pipeline: Pipeline;
  source: RunSource;
}

/** The registries and limits {@link openPipeline} works with. */
export interface PipelineResolver {
  /** Registry for presets. */
  presetRegistry: NodeRegistry;
  /** Registry for client manifests. */
  clientRegistry: NodeRegistry;
  /** Most nodes a client manifest may have. */
  maxManifestNodes: number;
}

function unknownPreset(name: string): HttpError {
  return new HttpError(
    404,
    "unknown_pipeline",
    `Cannot run pipeline "${name}": no such preset (known: ${presetNames().join(", ")})`,
    { pipeline: name, available: presetNames() },
  );
}

function invalid(issues: readonly ManifestIssue[]): HttpError {
  const e = new ManifestError(issues);
  return new HttpError(400, "invalid_manifest", e.message, { issues: [...issues] });
}

/**
 * Build the pipeline a request asks for: exactly one of a preset name or a manifest.
 *
 * @throws {HttpError} 400 `missing_pipeline` / `ambiguous_pipeline`, 404 `unknown_pipeline`,
 *   400 `invalid_manifest` listing every problem (server-only node types included).
 */
export function openPipeline(spec: PipelineSpec, r: PipelineResolver): OpenedPipeline {
  const hasManifest = spec.manifest !== undefined;
  if (spec.preset !== undefined && hasManifest) {
    throw new HttpError(
      400,
      "ambiguous_pipeline",
      "Cannot choose the pipeline: both a preset name and a manifest were given",
    );
  }
  if (spec.preset !== undefined) {
    if (!isPreset(spec.preset)) throw unknownPreset(spec.preset);
    return {
      pipeline: Pipeline.fromManifest(presetManifest(spec.preset), {
        registry: r.presetRegistry,
      }),
      source: "preset",
    };
  }
  if (!hasManifest) {
    throw new HttpError(
      400,
      "missing_pipeline",
      "Cannot choose the pipeline: give a preset name (pipeline) or a manifest",
      { available: presetNames() },
    );
  }
  let doc = spec.manifest;
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc);
    } catch (e) {
      throw invalid([{
        path: "(root)",
        message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}`,
      }]);
    }
  }
  const nodes = (doc as { nodes?: unknown } | null)?.nodes;
  if (Array.isArray(nodes) && nodes.length > r.maxManifestNodes) {
    throw invalid([{
      path: "nodes",
      message: `expected at most ${r.maxManifestNodes} nodes, got ${nodes.length}`,
    }]);
  }
  try {
    return {
      pipeline: Pipeline.fromManifest(doc as never, { registry: r.clientRegistry }),
      source: "inline",
    };
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    throw invalid(e.issues.map((issue) => {
      const m = /^nodes\[(\d+)\]\.node_type$/.exec(issue.path);
      const type = m ? (nodes as Array<{ node_type?: unknown }>)[Number(m[1])]?.node_type : null;
      if (typeof type === "string" && SERVER_ONLY_NODE_TYPES.includes(type)) {
        return {
          path: issue.path,
          message: `node type "${type}" is not allowed in manifests sent to the service ` +
            "(it opens files named in its params)",
        };
      }
      return issue;
    }));
  }
}
