/**
 * `demo`: the voice front end on the bundled clip (or `--input`), printing speech
 * segments and metrics and writing a spectrogram PNG.
 *
 * @module
 */

import type { Command } from "../command.ts";
import { runDemo } from "../_demo.ts";

/** The `demo` command. */
export const demoCommand: Command = {
  name: "demo",
  summary: "Run the voice front end (VAD -> resample -> log-mel) and draw a spectrogram",
  description: "Feeds the bundled speech clip (played as 48 kHz capture) or --input through " +
    "the streaming pipeline in 20 ms frames, prints speech segments and per-node metrics, " +
    "and writes a PNG of the log-mel spectrogram with the segments marked.",
  positionals: [],
  options: {
    input: { type: "string", short: "i", valueName: "a.wav", help: "Your own WAV file" },
    out: {
      type: "string",
      short: "o",
      valueName: "file.png",
      help: "PNG path (default out/demo-spectrogram.png)",
    },
    engine: {
      type: "string",
      help: "VAD engine (default classic; silero needs `deno task setup-models`)",
      choices: ["classic", "silero"],
    },
    "frame-ms": { type: "string", valueName: "ms", help: "Frame length (default 20)" },
  },
  examples: ["remotemedia demo", "remotemedia demo --input my.wav --engine silero"],
  async run(args, ctx) {
    const frameMs = Number(args.values["frame-ms"] ?? 20);
    if (!(frameMs >= 1 && frameMs <= 1000)) {
      throw new RangeError(`--frame-ms ${args.values["frame-ms"]} is not in 1..1000`);
    }
    await runDemo({
      ...(args.values.input ? { input: args.values.input as string } : {}),
      out: (args.values.out as string | undefined) ?? "out/demo-spectrogram.png",
      engine: (args.values.engine ?? "classic") as "classic" | "silero",
      frameMs,
      print: (line) => ctx.stdout(line + "\n"),
    });
  },
};
