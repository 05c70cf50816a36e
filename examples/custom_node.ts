// A custom TypeScript node in a pipeline: "Loudness" computes the RMS level of each
// audio frame in dBFS and emits it as a JSON item, next to built-in nodes.
//
//   deno run -A examples/custom_node.ts [in.wav]
import { z } from "zod";
import { defaultRegistry, json, Pipeline, PipelineBuilder, wavFrames } from "../mod.ts";

defaultRegistry.register(
  "Loudness",
  z.object({ floor_db: z.number().default(-100) }).strict(),
  ({ floor_db }) => ({
    process(d) {
      if (d.type !== "audio") return d;
      let sum = 0;
      for (let i = 0; i < d.samples.length; i++) sum += d.samples[i]! * d.samples[i]!;
      const rms = Math.sqrt(sum / Math.max(1, d.samples.length));
      const db = Math.max(floor_db, 20 * Math.log10(rms || 1e-12));
      return json({ time: d.timestamp, dbfs: Math.round(db * 10) / 10 });
    },
  }),
  { description: "RMS level of each audio item in dBFS" },
);

const manifest = new PipelineBuilder("loudness")
  .add("gain", "Gain", { gain_db: -6 })
  .add("level", "Loudness", {})
  .connect("gain", "level")
  .toManifest();

const input = Deno.args[0] ?? new URL("./assets/demo_speech.wav", import.meta.url).pathname;
await using pipeline = Pipeline.fromManifest(manifest);
const file = await Deno.open(input);
const levels: number[] = [];
for await (
  const { data } of pipeline.stream(file.readable.pipeThrough(wavFrames({ frameMs: 100 })))
) {
  if (data.type === "json") levels.push((data.value as { dbfs: number }).dbfs);
}
console.log(`${levels.length} frames of 100 ms; level (dBFS): ${levels.join(" ")}`);
const m = pipeline.metrics().node_metrics.find((n) => n.node_id === "level")!;
console.log(`Loudness node: ${m.execution_count} calls, avg ${m.avg_duration_us} us`);
