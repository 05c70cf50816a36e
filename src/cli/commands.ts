/**
 * The CLI's command table. Each entry is a {@link Command} in `commands/<name>.ts`.
 *
 * @module
 */

import type { Command } from "./command.ts";
import { convertCommand } from "./commands/convert.ts";
import { infoCommand } from "./commands/info.ts";

/** Every command, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  // ---- pipelines (issue 4 runtime): run, validate, nodes -------------------------------
  // ---- kernels (issue 3): resample, mel, vad -------------------------------------------
  // ---- files and diagnostics -------------------------------------------------------------
  convertCommand,
  infoCommand,
  // ---- service, benchmarks, demo: serve, bench, demo -------------------------------------
];
