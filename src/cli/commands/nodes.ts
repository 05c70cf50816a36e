/**
 * `nodes`: the node types a manifest can use, with their parameters.
 *
 * @module
 */

import { defaultRegistry } from "../../nodes/builtin.ts";
import type { Command } from "../command.ts";

interface JsonSchemaProp {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchemaProp[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

function describeProp(p: JsonSchemaProp): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (p.anyOf) return p.anyOf.map(describeProp).join(" | ");
  if (p.const !== undefined) return JSON.stringify(p.const);
  let t = Array.isArray(p.type) ? p.type.join(" | ") : p.type ?? "any";
  if (p.exclusiveMinimum !== undefined) t += ` > ${p.exclusiveMinimum}`;
  else if (p.minimum !== undefined) t += ` >= ${p.minimum}`;
  if (p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER) t += ` <= ${p.maximum}`;
  return t;
}

/** The `nodes` command. */
export const nodesCommand: Command = {
  name: "nodes",
  summary: "List node types and their parameters",
  positionals: [],
  options: {
    json: { type: "boolean", help: "Print JSON (types, descriptions, params JSON Schema)" },
  },
  examples: ["remotemedia nodes", "remotemedia nodes --json"],
  run(args, ctx) {
    const list = defaultRegistry.list();
    if (args.values.json) {
      ctx.stdout(JSON.stringify(list, null, 2) + "\n");
      return;
    }
    for (const t of list) {
      ctx.stdout(`${t.type}\n  ${t.description}\n`);
      const props = (t.params.properties ?? {}) as Record<string, JsonSchemaProp>;
      const required = new Set((t.params.required ?? []) as string[]);
      for (const [name, p] of Object.entries(props)) {
        const def = p.default !== undefined ? ` (default ${JSON.stringify(p.default)})` : "";
        const req = required.has(name) && p.default === undefined ? " (required)" : "";
        ctx.stdout(`  ${name}: ${describeProp(p)}${def}${req}\n`);
      }
    }
  },
};
