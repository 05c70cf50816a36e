// Streaming VAD over a WAV file in 20 ms frames: the file is read as a byte stream, cut
// into audio frames by `wavFrames`, and pushed through a pipeline (with backpressure);
// speech start/end events are printed as they are decided.
//
//   deno run -A examples/stream_vad.ts [in.wav] [--engine classic|silero]
//
// Any rate: 8/16/32/48 kHz go straight to the classic VAD; other rates are resampled.
import { parseArgs } from "node:util";
import { Pipeline, PipelineBuilder, wavFrames } from "../mod.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { engine: { type: "string", default: "classic" } },
});
const input = positionals[0] ?? new URL("./assets/demo_speech.wav", import.meta.url).pathname;

const builder = new PipelineBuilder("stream-vad").add("mono", "Downmix", {});
if (values.engine === "silero") {
  // Silero runs at 16 kHz (needs `deno task setup-models`).
  builder.add("rs", "AudioResample", { target_rate: 16000 }).add("vad", "SileroVad", {
    emit_audio: false,
  }).connect("mono", "rs").connect("rs", "vad");
} else {
  builder.add("rs", "AudioResample", { target_rate: 16000 })
    .add("vad", "VAD", { mode: 1, frame_ms: 20, emit_audio: false })
    .connect("mono", "rs").connect("rs", "vad");
}
await using pipeline = Pipeline.fromManifest(builder.toManifest());

const file = await Deno.open(input);
const frames = file.readable.pipeThrough(wavFrames({ frameMs: 20 }));
let start = 0;
for await (const { data } of pipeline.stream(frames)) {
  if (data.type !== "event") continue;
  if (data.kind === "speech_start") {
    start = data.time;
    console.log(`speech starts at ${data.time.toFixed(2)} s`);
  } else if (data.kind === "speech_end") {
    console.log(`speech ends   at ${data.time.toFixed(2)} s (${(data.time - start).toFixed(2)} s)`);
  }
}
const vad = pipeline.metrics().node_metrics.find((n) => n.node_id === "vad")!;
console.log(
  `${values.engine} VAD: ${vad.execution_count} frames, ${vad.avg_duration_us} us avg per frame, ` +
    `real-time factor ${vad.realtime_factor.toExponential(2)}`,
);
