// Kernel nodes in pipelines: streaming results equal the batch kernels on the same audio.
import assert from "node:assert/strict";
import { Pipeline } from "../src/pipeline/pipeline.ts";
import { audio, type EventData, type RuntimeData, type TensorData } from "../src/pipeline/data.ts";
import { detectSpeech } from "../src/dsp/vad.ts";
import { decodeWav } from "../src/io/wav.ts";
import type { ManifestV1 } from "../src/pipeline/manifest.ts";
import { whisperLogMel } from "../src/dsp/mel.ts";
import { resample } from "../src/dsp/resample.ts";
import { firstMismatch, readF32, rng, testdata } from "./_util.ts";

function frames(x: Float32Array, size: number, rate: number, channels = 1): RuntimeData[] {
  const out: RuntimeData[] = [];
  const step = size * channels;
  for (let i = 0; i < x.length; i += step) {
    out.push(
      audio(x.subarray(i, Math.min(x.length, i + step)), rate, channels, {
        timestamp: i / channels / rate,
      }),
    );
  }
  return out;
}

function one(node: string, params: Record<string, unknown>): ManifestV1 {
  return {
    version: "v1",
    metadata: { name: node },
    nodes: [{ id: "n", node_type: node, params }],
    connections: [],
  };
}

const tensors = (outs: { data: RuntimeData }[]) =>
  outs.map((o) => o.data).filter((d): d is TensorData => d.type === "tensor");

Deno.test("WhisperMel node fed 20 ms frames equals whisperLogMel on the same audio", async () => {
  const x = readF32("logmel/sine440_3s.input.f32");
  for (const layout of ["mel-major", "frame-major"] as const) {
    await using p = Pipeline.fromManifest(one("WhisperMel", { layout }));
    const out = tensors(await p.run(frames(x, 320, 16000)));
    assert.equal(out.length, 1);
    const want = whisperLogMel(x, { layout });
    assert.deepEqual(out[0]!.shape, layout === "mel-major" ? [80, 300] : [300, 80]);
    const i = firstMismatch(out[0]!.data as Float32Array, want.data, 1e-6);
    assert.equal(i, -1, `index ${i}`);
  }
});

Deno.test("WhisperMel node cuts windows of window_s and pads the last on request", async () => {
  const x = readF32("logmel/chirp50-7900_5s.input.f32"); // 5 s
  await using p = Pipeline.fromManifest(one("WhisperMel", { window_s: 2, pad_to_window: true }));
  const out = tensors(await p.run(frames(x, 333, 16000)));
  assert.equal(out.length, 3);
  for (let w = 0; w < 3; w++) {
    const seg = new Float32Array(32000);
    seg.set(x.subarray(w * 32000, Math.min(x.length, (w + 1) * 32000)));
    const want = whisperLogMel(seg);
    assert.deepEqual(out[w]!.shape, [80, 200]);
    const i = firstMismatch(out[w]!.data as Float32Array, want.data, 1e-6);
    assert.equal(i, -1, `window ${w} index ${i}`);
  }
});

Deno.test("WhisperMel node rejects audio that is not 16 kHz mono", async () => {
  await using p = Pipeline.fromManifest({ ...one("WhisperMel", {}), config: { on_error: "fail" } });
  await assert.rejects(
    () => p.run([audio(new Float32Array(960), 48000)]),
    /needs 16 kHz mono audio, got 48000 Hz.*AudioResample/,
  );
});

const audioOf = (outs: { data: RuntimeData }[]) =>
  outs.map((o) => o.data).filter((d) => d.type === "audio");

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const RESAMPLE_CASES: Array<[number, number, number]> = [
  [48000, 16000, 1],
  [44100, 16000, 2],
  [8000, 16000, 1],
];
for (const [inRate, outRate, channels] of RESAMPLE_CASES) {
  Deno.test(`AudioResample node streaming ${inRate}->${outRate} x${channels} equals resample()`, async () => {
    const r = rng(inRate + channels);
    const n = Math.round(inRate * 0.73);
    const x = new Float32Array(n * channels).map(() => r() - 0.5);
    await using p = Pipeline.fromManifest(one("AudioResample", { target_rate: outRate }));
    const outs = audioOf(await p.run(frames(x, Math.round(inRate * 0.02), inRate, channels)));
    const got = concat(outs.map((a) => a.type === "audio" ? a.samples : new Float32Array()));
    const want = resample(x, inRate, outRate, { channels });
    assert.equal(got.length, want.length);
    assert.equal(got.length, Math.round((n * outRate) / inRate) * channels);
    const i = firstMismatch(got, want, 1e-6);
    assert.equal(i, -1, `index ${i}: expected ${want[i]}, got ${got[i]}`);
    // timestamps follow the emitted frames
    let t = 0;
    for (const a of outs) {
      if (a.type !== "audio") continue;
      assert.ok(Math.abs(a.timestamp - t / outRate) < 1e-9);
      t += a.samples.length / channels;
    }
  });
}

Deno.test("AudioResample node passes audio already at the target rate through (no copy)", async () => {
  const x = new Float32Array(320);
  await using p = Pipeline.fromManifest(one("AudioResample", { target_rate: 16000 }));
  const outs = await p.run(audio(x, 16000));
  assert.equal(outs.length, 1);
  assert.equal(outs[0]!.data.type === "audio" && outs[0]!.data.samples, x);
});

Deno.test("VAD node on 20 ms frames emits the segments detectSpeech finds", async () => {
  const wav = decodeWav(Deno.readFileSync(testdata("vad/vad04_brown_5dB.wav")));
  await using p = Pipeline.fromManifest(one("VAD", { mode: 2, frame_ms: 20, emit_audio: false }));
  // odd-sized input items: the scheduler re-cuts them to exact 20 ms frames
  const outs = await p.run(frames(wav.samples, 333, 16000));
  const evs = outs.map((o) => o.data).filter((d): d is EventData => d.type === "event");
  const want = detectSpeech(wav.samples, 16000, { frameMs: 20, mode: 2 }).segments;
  assert.deepEqual(
    evs.map((e) => [e.kind, e.time]),
    want.flatMap((s) => [["speech_start", s.start], ["speech_end", s.end]]),
  );
  assert.ok(want.length >= 2);
});

Deno.test("VAD node passes audio through unchanged and rejects unsupported rates", async () => {
  const x = new Float32Array(16000 * 0.5).map((_, i) => Math.sin(i / 5) * 0.1);
  await using p = Pipeline.fromManifest(one("VAD", {}));
  const outs = audioOf(await p.run(frames(x, 320, 16000)));
  const got = concat(outs.map((a) => a.type === "audio" ? a.samples : new Float32Array()));
  assert.deepEqual(got, x);
  await using q = Pipeline.fromManifest({ ...one("VAD", {}), config: { on_error: "fail" } });
  await assert.rejects(
    () => q.run(audio(new Float32Array(882), 44100)),
    /needs mono audio at 8, 16, 32 or 48 kHz, got 44100 Hz/,
  );
});

Deno.test("voice front end VAD -> resample 48k->16k -> WhisperMel on 20 ms frames equals batch", async () => {
  const wav = decodeWav(Deno.readFileSync(testdata("vad/vad01_clean_48k.wav")));
  await using p = Pipeline.fromManifest({
    version: "v1",
    metadata: { name: "fe" },
    nodes: [
      { id: "vad", node_type: "VAD", params: { mode: 2, frame_ms: 20 } },
      { id: "rs", node_type: "AudioResample", params: { target_rate: 16000 } },
      { id: "mel", node_type: "WhisperMel", params: {} },
    ],
    connections: [{ from: "vad", to: "rs" }, { from: "rs", to: "mel" }],
  });
  const outs: { data: RuntimeData }[] = [];
  for await (const o of p.stream(frames(wav.samples, 960, 48000))) outs.push(o);
  const mel = tensors(outs);
  assert.equal(mel.length, 1);
  const want = whisperLogMel(resample(wav.samples, 48000, 16000));
  assert.deepEqual(mel[0]!.shape, [80, want.nFrames]);
  const i = firstMismatch(mel[0]!.data as Float32Array, want.data, 1e-6);
  assert.equal(i, -1, `index ${i}`);
  const evs = outs.map((o) => o.data).filter((d): d is EventData => d.type === "event");
  const segs = detectSpeech(wav.samples, 48000, { frameMs: 20, mode: 2 }).segments;
  assert.deepEqual(
    evs.map((e) => [e.kind, e.time]),
    segs.flatMap((s) => [["speech_start", s.start], ["speech_end", s.end]]),
  );
});
