/**
 * The `remotemedia` command line: `deno task cli <command> ...`, or installed with
 * `deno install --global -A -n remotemedia src/cli/main.ts`.
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };
import { commands } from "./commands.ts";
import { type ProgramInfo, runCli } from "./command.ts";

/** Name, version and summary shown by `--help` and `--version`. */
export const PROGRAM: ProgramInfo = {
  name: "remotemedia",
  version: config.version,
  summary: "Streaming audio pipelines for Deno on a zero-copy native core",
};

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, commands, PROGRAM));
}
