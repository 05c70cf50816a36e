/**
 * `bench`: run the benchmark suite (`deno bench` over `bench/`), each group against a
 * baseline measured in the same run, so the figures read as ratios.
 *
 * @module
 */

import type { Command } from "../command.ts";

/** The `bench` command. */
export const benchCommand: Command = {
  name: "bench",
  summary: "Run the benchmarks (ratios against baselines measured in the same run)",
  positionals: [{
    name: "filter",
    help: "Only benchmarks whose name contains this",
    optional: true,
  }],
  options: {
    file: {
      type: "string",
      valueName: "name",
      help: "One bench file, e.g. resample (bench/resample_bench.ts)",
    },
  },
  examples: ["remotemedia bench", "remotemedia bench --file mel", "remotemedia bench native"],
  async run(args, ctx) {
    const dir = new URL("../../../bench/", import.meta.url);
    if (dir.protocol !== "file:") {
      throw new Error("Cannot run benchmarks: the package is not on the local filesystem");
    }
    const file = args.values.file as string | undefined;
    if (file !== undefined && !/^[a-z_]+$/.test(file)) {
      throw new RangeError(`--file ${file} is not a bench name (letters and underscores)`);
    }
    const target = file === undefined
      ? decodeURIComponent(dir.pathname)
      : decodeURIComponent(new URL(`${file}_bench.ts`, dir).pathname);
    const filter = args.positionals[0];
    const cmdArgs = ["bench", "--allow-all", ...(filter ? ["--filter", filter] : []), target];
    if (!ctx.quiet) ctx.stderr(`deno ${cmdArgs.join(" ")}\n`);
    const child = new Deno.Command(Deno.execPath(), {
      args: cmdArgs,
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    return (await child.status).code === 0 ? 0 : 1;
  },
};
