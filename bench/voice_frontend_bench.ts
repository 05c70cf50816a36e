// The voice front end (VAD -> resample 48k->16k -> Whisper log-mel) fed 20 ms frames:
// the pipeline runtime vs the same kernels called in a plain loop (baseline), so the
// ratio is the runtime's share (scheduling, re-framing, item objects, metrics).
//
//   deno bench -A bench/voice_frontend_bench.ts     (Deno.bench table)
//   deno run -A bench/voice_frontend_bench.ts       (real-time factor and runtime share)
import { decodeWav } from "../src/io/wav.ts";
import { resample, Resampler } from "../src/dsp/resample.ts";
import { LogMel } from "../src/dsp/mel.ts";
import { SpeechSegmenter, Vad } from "../src/dsp/vad.ts";
import { audio, type AudioData } from "../src/pipeline/data.ts";
import { Pipeline } from "../src/pipeline/pipeline.ts";
import type { ManifestV1 } from "../src/pipeline/manifest.ts";

const clip = decodeWav(
  Deno.readFileSync(new URL("../examples/assets/demo_speech.wav", import.meta.url)),
);
const x48 = resample(clip.samples, clip.sampleRate, 48000);
const FRAME = 960; // 20 ms at 48 kHz
const frames: AudioData[] = [];
for (let i = 0; i + FRAME <= x48.length; i += FRAME) {
  frames.push(audio(x48.subarray(i, i + FRAME), 48000, 1, { timestamp: i / 48000 }));
}
const seconds = (frames.length * FRAME) / 48000;

const manifest = (metrics: boolean): ManifestV1 => ({
  version: "v1",
  metadata: { name: "voice-frontend" },
  nodes: [
    { id: "vad", node_type: "VAD", params: { mode: 1, frame_ms: 20 } },
    { id: "rs", node_type: "AudioResample", params: { target_rate: 16000 } },
    { id: "mel", node_type: "WhisperMel", params: {} },
  ],
  connections: [{ from: "vad", to: "rs" }, { from: "rs", to: "mel" }],
  config: { enable_metrics: metrics },
});

/** The same work without the runtime: kernels in a loop, preallocated buffers. */
function kernelsOnly(): number {
  using vad = new Vad({ sampleRate: 48000, frameMs: 20, mode: 1 });
  const seg = new SpeechSegmenter({ frameMs: 20 });
  using rs = new Resampler({ inputRate: 48000, outputRate: 16000 });
  using mel = new LogMel({ capacityFrames: 3000 }); // as the WhisperMel node reserves a 30 s window
  const out = new Float32Array(rs.outputFramesNext(FRAME));
  let events = 0;
  let skip = rs.delay;
  for (const f of frames) {
    if (seg.push(vad.process(f.samples)) !== null) events++;
    const n = rs.process(f.samples, out);
    const s = Math.min(skip, n);
    skip -= s;
    if (n > s) mel.push(out.subarray(s, n));
  }
  const tail = new Float32Array(rs.flushFramesNext());
  const n = rs.flush(tail);
  mel.push(tail.subarray(Math.min(skip, n), n));
  if (seg.finish() !== null) events++;
  return mel.finish().nFrames + events;
}

// Built once (manifest validation is a one-time cost); every run gets fresh node instances,
// so kernel construction (filter design, FFT plans) is in both paths alike.
const pipelines = {
  on: Pipeline.fromManifest(manifest(true)),
  off: Pipeline.fromManifest(manifest(false)),
};

async function viaPipeline(metrics: boolean, streaming: boolean): Promise<number> {
  const p = metrics ? pipelines.on : pipelines.off;
  let n = 0;
  if (streaming) {
    for await (const _ of p.stream(frames)) n++;
  } else {
    n = (await p.run(frames)).length;
  }
  return n;
}

Deno.bench({
  group: "voice front end, 7.9 s at 48 kHz in 20 ms frames",
  name: "kernels in a plain loop",
  baseline: true,
  fn: () => {
    kernelsOnly();
  },
});
Deno.bench({
  group: "voice front end, 7.9 s at 48 kHz in 20 ms frames",
  name: "pipeline.run, metrics on",
  fn: async () => {
    await viaPipeline(true, false);
  },
});
Deno.bench({
  group: "voice front end, 7.9 s at 48 kHz in 20 ms frames",
  name: "pipeline.stream, metrics on",
  fn: async () => {
    await viaPipeline(true, true);
  },
});

if (import.meta.main) {
  // Interleave the paths round by round so machine-load drift hits them alike; report
  // medians.
  const paths: [string, () => unknown][] = [
    ["kernels in a plain loop", kernelsOnly],
    ["pipeline.run, metrics on", () => viaPipeline(true, false)],
    ["pipeline.run, metrics off", () => viaPipeline(false, false)],
    ["pipeline.stream, metrics on", () => viaPipeline(true, true)],
  ];
  const ROUNDS = 60;
  const times = paths.map(() => [] as number[]);
  for (let r = -5; r < ROUNDS; r++) {
    for (let j = 0; j < paths.length; j++) {
      const t0 = performance.now();
      await paths[j]![1]();
      if (r >= 0) times[j]!.push(performance.now() - t0);
    }
  }
  const med = times.map((t) => t.sort((a, b) => a - b)[t.length >> 1]!);
  const k = med[0]!;
  console.log(
    `voice front end, ${seconds.toFixed(2)} s of 48 kHz audio in ${frames.length} frames of ` +
      `20 ms (median of ${ROUNDS} interleaved rounds)`,
  );
  console.log("| path | ms | real-time factor | runtime share |");
  console.log("|---|---|---|---|");
  paths.forEach(([name], j) => {
    const ms = med[j]!;
    const share = j === 0 ? "-" : `${(100 * (ms - k) / ms).toFixed(1)}%`;
    console.log(
      `| ${name} | ${ms.toFixed(2)} | ${(ms / 1000 / seconds).toExponential(2)} | ${share} |`,
    );
  });
}
