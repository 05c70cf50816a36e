/**
 * The CLI's command table. Each entry is a {@link Command} in `commands/<name>.ts`.
 *
 * @module
 */

import type { Command } from "./command.ts";
import { convertCommand } from "./commands/convert.ts";
import { benchCommand } from "./commands/bench.ts";
import { demoCommand } from "./commands/demo.ts";
import { infoCommand } from "./commands/info.ts";
import { melCommand } from "./commands/mel.ts";
import { nodesCommand } from "./commands/nodes.ts";
import { resampleCommand } from "./commands/resample.ts";
import { runCommand } from "./commands/run.ts";
import { serveCommand } from "./commands/serve.ts";
import { validateCommand } from "./commands/validate.ts";
import { vadCommand } from "./commands/vad.ts";

/** Every command, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  // ---- pipelines: run, validate, nodes ----------------------------------------------------
  runCommand,
  validateCommand,
  nodesCommand,
  // ---- kernels: resample, mel, vad --------------------------------------------------------
  resampleCommand,
  melCommand,
  vadCommand,
  // ---- files and diagnostics -------------------------------------------------------------
  convertCommand,
  infoCommand,
  // ---- service, benchmarks, demo: serve, bench, demo -------------------------------------
  serveCommand,
  benchCommand,
  demoCommand,
];
