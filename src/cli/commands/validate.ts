/**
 * `validate`: check a pipeline manifest; exit 0, or print every problem with its path.
 *
 * @module
 */

import { Pipeline } from "../../pipeline/pipeline.ts";
import { ManifestError } from "../../pipeline/manifest.ts";
import type { Command } from "../command.ts";
import { readInput } from "../_files.ts";

/** Read a manifest file as text (errors name the path). */
export async function readManifest(path: string): Promise<string> {
  return new TextDecoder().decode(await readInput(path));
}

/** The `validate` command. */
export const validateCommand: Command = {
  name: "validate",
  summary: "Check a pipeline manifest (exit 0, or the path-precise errors and exit 1)",
  positionals: [{ name: "manifest.json", help: "Manifest v1 file" }],
  options: {},
  examples: ["remotemedia validate voice.json"],
  async run(args, ctx) {
    const path = args.positionals[0]!;
    const text = await readManifest(path);
    try {
      await using p = Pipeline.fromManifest(text);
      if (!ctx.quiet) {
        ctx.stdout(
          `${path}: ok (${p.name}: ${p.nodeIds.length} nodes, ` +
            `${p.manifest.connections?.length ?? 0} connections)\n`,
        );
      }
      return 0;
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      for (const i of e.issues) ctx.stderr(`${path}: ${i.path}: ${i.message}\n`);
      return 1;
    }
  },
};
