/**
 * `run`: run a manifest on a WAV file, batch (one item) or streaming (`--stream`, frames of
 * `--frame-ms`), and write or print the results and metrics.
 *
 * @module
 */

import { Pipeline } from "../../pipeline/pipeline.ts";
import { ManifestError } from "../../pipeline/manifest.ts";
import type { PipelineOutput } from "../../pipeline/pipeline.ts";
import { audio, type AudioData, type RuntimeData, type TensorData } from "../../pipeline/data.ts";
import { concatAudio, concatTensors, summarize } from "../../pipeline/_outputs.ts";
import { encodeWav, type WavEncoding } from "../../io/wav.ts";
import { encodeNpy } from "../../io/npy.ts";
import type { Command } from "../command.ts";
import { writeOutput } from "../_files.ts";
import { framesOf, readWav } from "../_audio.ts";
import { readManifest } from "./validate.ts";

export { concatTensors, summarize } from "../../pipeline/_outputs.ts";

/** The `run` command. */
export const runCommand: Command = {
  name: "run",
  summary: "Run a pipeline manifest on a WAV file",
  description: "Without --stream the whole file is one audio item; with --stream it is fed " +
    "in frames of --frame-ms through the streaming scheduler. --output picks the format by " +
    "extension: .wav (audio outputs concatenated), .npy (float32 tensors concatenated along " +
    "their last axis), .json (a summary of every output). Without --output the summary is " +
    "printed on stdout.",
  positionals: [{ name: "manifest.json", help: "Manifest v1 file" }],
  options: {
    input: { type: "string", short: "i", valueName: "a.wav", help: "Input WAV", required: true },
    output: { type: "string", short: "o", valueName: "out", help: "Output .wav, .npy or .json" },
    metrics: { type: "string", help: "Print metrics", choices: ["json", "prom"] },
    stream: { type: "boolean", help: "Feed the input in frames (streaming)" },
    "frame-ms": {
      type: "string",
      valueName: "ms",
      help: "Frame length with --stream (default 20)",
    },
  },
  examples: [
    "remotemedia run voice.json --input speech.wav --output features.npy --metrics json",
    "remotemedia run voice.json -i speech.wav --stream --frame-ms 20",
  ],
  async run(args, ctx) {
    const path = args.positionals[0]!;
    const frameMs = Number(args.values["frame-ms"] ?? 20);
    if (!(frameMs > 0 && frameMs <= 10_000)) {
      throw new RangeError(`--frame-ms ${args.values["frame-ms"]} is not in (0, 10000]`);
    }
    let pipeline: Pipeline;
    try {
      pipeline = Pipeline.fromManifest(await readManifest(path));
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      for (const i of e.issues) ctx.stderr(`${path}: ${i.path}: ${i.message}\n`);
      return 1;
    }
    await using p = pipeline;
    const wav = await readWav(args.values.input as string);
    const seconds = wav.frames / wav.sampleRate;
    const outputs: PipelineOutput[] = [];
    if (args.values.stream) {
      const progress = ctx.progress(seconds, "run");
      let done = 0;
      for await (const o of p.stream(framesOf(wav, frameMs))) {
        outputs.push(o);
        if (o.data.type === "audio") {
          done = Math.max(
            done,
            o.data.timestamp + o.data.samples.length / o.data.channels / o.data.sampleRate,
          );
          progress.update(Math.min(done, seconds));
        }
      }
      progress.done();
    } else {
      outputs.push(...await p.run(audio(wav.samples, wav.sampleRate, wav.channels)));
    }
    const out = args.values.output as string | undefined;
    const summary = outputs.map(summarize);
    if (out === undefined) {
      ctx.stdout(JSON.stringify({ outputs: summary }, null, 2) + "\n");
    } else if (out.endsWith(".wav")) {
      const items = outputs.map((o) => o.data).filter((d): d is AudioData => d.type === "audio");
      if (items.length === 0) throw new Error("Cannot write WAV: the pipeline produced no audio");
      const a = concatAudio(items);
      const encoding: WavEncoding = wav.encoding;
      await writeOutput(
        out,
        encodeWav(a.samples, { sampleRate: a.sampleRate, channels: a.channels, encoding }),
      );
    } else if (out.endsWith(".npy")) {
      const items = outputs.map((o) => o.data).filter((d): d is TensorData => d.type === "tensor");
      if (items.length === 0) throw new Error("Cannot write .npy: the pipeline produced no tensor");
      const t = concatTensors(items);
      await writeOutput(out, encodeNpy(t.data, t.shape));
    } else if (out.endsWith(".json")) {
      await writeOutput(
        out,
        new TextEncoder().encode(JSON.stringify({ outputs: summary }, null, 2) + "\n"),
      );
    } else {
      throw new RangeError(`Cannot write ${out}: use a .wav, .npy or .json extension`);
    }
    if (args.values.metrics === "json") ctx.stdout(JSON.stringify(p.metrics(), null, 2) + "\n");
    else if (args.values.metrics === "prom") ctx.stdout(p.prometheus());
    const errors = outputs.filter((o) =>
      o.data.type === "event" && (o.data as RuntimeData & { kind: string }).kind === "error"
    );
    if (errors.length > 0 && !ctx.quiet) {
      ctx.stderr(`${errors.length} node error(s) were reported as events\n`);
    }
  },
};
