// The demo: the voice front end (PCM -> VAD -> resample -> Whisper log-mel) on a bundled
// clip through the streaming pipeline runtime, in 20 ms frames, then speech segments,
// per-node metrics and a spectrogram PNG with the segments marked.

import { resample } from "../dsp/resample.ts";
import { downmix, float32ToInt16 } from "../dsp/convert.ts";
import { decodeWav } from "../io/wav.ts";
import { encodePng } from "../io/png.ts";
import { renderSpectrogram } from "../io/spectrogram.ts";
import { binary, type TensorData } from "../pipeline/data.ts";
import type { ManifestV1 } from "../pipeline/manifest.ts";
import { Pipeline } from "../pipeline/pipeline.ts";
import type { ExecutionMetrics } from "../metrics/collector.ts";

/** Options of the demo. */
export interface DemoOptions {
  /** A WAV file to use instead of the bundled clip. */
  input?: string;
  /** Where to write the PNG. */
  out: string;
  /** VAD engine: the classic native VAD or Silero (needs `deno task setup-models`). */
  engine: "classic" | "silero";
  /** Frame length fed to the pipeline, in ms. */
  frameMs: number;
  /** Write a line of text. */
  print(line: string): void;
}

/** What the demo measured (also returned for tests). */
export interface DemoResult {
  /** Speech segments in seconds. */
  segments: { start: number; end: number }[];
  /** Mel features [n_mels, n_frames]. */
  mel: { nMels: number; nFrames: number };
  /** Audio duration in seconds. */
  durationS: number;
  /** Pipeline metrics. */
  metrics: ExecutionMetrics;
  /** PNG path and size. */
  png: { path: string; width: number; height: number; bytes: number };
}

/** The bundled clip (16 kHz mono int16, three phrases with pink noise). */
export const DEMO_CLIP = new URL("../../examples/assets/demo_speech.wav", import.meta.url);

/**
 * The voice front end as a manifest: int16 PCM bytes in, VAD events and log-mel out.
 *
 * @param rate Input sample rate.
 * @param engine VAD engine.
 * @returns The manifest.
 */
export function voiceFrontendManifest(rate: number, engine: "classic" | "silero"): ManifestV1 {
  const vad = engine === "classic"
    ? { id: "vad", node_type: "VAD", params: { mode: 1, frame_ms: 20 } }
    : { id: "vad", node_type: "SileroVad", params: {} };
  const chain = engine === "classic"
    ? ["pcm", "vad", "resample", "mel"]
    : ["pcm", "resample", "vad", "mel"];
  return {
    version: "v1",
    metadata: { name: "voice-frontend" },
    nodes: [
      { id: "pcm", node_type: "FormatConvert", params: { to: "float32", sample_rate: rate } },
      vad,
      { id: "resample", node_type: "AudioResample", params: { target_rate: 16000 } },
      { id: "mel", node_type: "WhisperMel", params: { n_mels: 80 } },
    ],
    connections: chain.slice(1).map((to, i) => ({ from: chain[i]!, to })),
    config: { enable_metrics: true },
  };
}

/**
 * Run the demo.
 *
 * @param o Options.
 * @returns What was measured.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const src = o.input ?? DEMO_CLIP;
  const wav = decodeWav(await Deno.readFile(src));
  let samples = wav.channels === 1 ? wav.samples : downmix(wav.samples, wav.channels);
  let rate = wav.sampleRate;
  const label = o.input ?? "bundled clip examples/assets/demo_speech.wav";
  o.print(
    `input: ${label} (${(wav.frames / wav.sampleRate).toFixed(2)} s, ${wav.sampleRate} Hz, ` +
      `${wav.channels} ch)`,
  );
  if (o.input === undefined) {
    // Play the clip as a 48 kHz capture device would deliver it, so the chain resamples.
    samples = resample(samples, rate, 48000);
    rate = 48000;
    o.print("simulating a 48 kHz microphone: the pipeline resamples to 16 kHz");
  }
  const pcm = float32ToInt16(samples);
  const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const frameBytes = Math.round((rate * o.frameMs) / 1000) * 2;
  function* frames() {
    for (let i = 0; i < bytes.length; i += frameBytes) {
      yield binary(bytes.subarray(i, Math.min(bytes.length, i + frameBytes)));
    }
  }
  const manifest = voiceFrontendManifest(rate, o.engine);
  o.print(
    `pipeline: ${manifest.connections!.map((c) => c.from).join(" -> ")} -> mel ` +
      `(${o.engine} VAD), ${o.frameMs} ms frames`,
  );
  await using p = Pipeline.fromManifest(manifest);
  const segments: { start: number; end: number }[] = [];
  const mels: TensorData[] = [];
  let open: number | null = null;
  for await (const { data } of p.stream(frames())) {
    if (data.type === "event" && data.kind === "speech_start") open = data.time;
    else if (data.type === "event" && data.kind === "speech_end" && open !== null) {
      segments.push({ start: open, end: data.time });
      open = null;
    } else if (data.type === "event" && data.kind === "error") {
      throw data.data instanceof Error ? data.data : new Error(String(data.data));
    } else if (data.type === "tensor") mels.push(data);
  }
  const durationS = samples.length / rate;
  if (open !== null) segments.push({ start: open, end: durationS });
  const metrics = p.metrics();

  o.print(`\nspeech segments (${segments.length}):`);
  for (const s of segments) {
    o.print(`  ${s.start.toFixed(2).padStart(6)} s - ${s.end.toFixed(2).padStart(6)} s`);
  }
  const mel = mels[0];
  if (mel === undefined) throw new Error("Cannot finish the demo: the pipeline produced no mel");
  const [nMels, nFrames] = mel.shape as [number, number];
  o.print(`\nlog-mel features: [${nMels}, ${nFrames}] (Whisper layout)`);

  o.print("\nper-node metrics (microseconds per call):");
  o.print("  node        calls    avg    p50    p95    p99  RTF       deadline misses");
  // (RTF is "-" for a node that received no audio items: the PCM decoder gets bytes.)
  for (const n of metrics.node_metrics) {
    o.print(
      `  ${n.node_id.padEnd(10)} ${String(n.execution_count).padStart(6)} ` +
        `${n.avg_duration_us.toFixed(1).padStart(6)} ${n.p50_duration_us.toFixed(1).padStart(6)} ` +
        `${n.p95_duration_us.toFixed(1).padStart(6)} ${
          n.p99_duration_us.toFixed(1).padStart(6)
        }  ` +
        `${(n.realtime_factor > 0 ? n.realtime_factor.toExponential(2) : "-").padEnd(9)} ` +
        `${n.deadline_misses}`,
    );
  }
  o.print(
    `pipeline: ${(metrics.total_duration_us / 1000).toFixed(1)} ms for ${durationS.toFixed(2)} s ` +
      `of audio, real-time factor ${metrics.realtime_factor.toExponential(2)} ` +
      `(${(1 / Math.max(metrics.realtime_factor, 1e-9)).toFixed(0)}x faster than real time), ` +
      `metrics overhead ${metrics.metrics_overhead_us} us/record, ` +
      `peak memory ${(metrics.peak_memory_bytes / 2 ** 20).toFixed(1)} MiB`,
  );

  const img = renderSpectrogram(
    { data: mel.data as Float32Array, nMels, nFrames, layout: "mel-major" },
    { segments, frameWidth: 1, melHeight: 2 },
  );
  const png = await encodePng(img.width, img.height, img.rgba);
  const dir = o.out.includes("/") ? o.out.slice(0, o.out.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(o.out, png);
  o.print(`\nspectrogram with speech segments marked: ${o.out} (${img.width}x${img.height} PNG)`);
  return {
    segments,
    mel: { nMels, nFrames },
    durationS,
    metrics,
    png: { path: o.out, width: img.width, height: img.height, bytes: png.length },
  };
}
