// Kernel nodes in pipelines: streaming results equal the batch kernels on the same audio.
import assert from "node:assert/strict";
import { Pipeline } from "../src/pipeline/pipeline.ts";
import { audio, type RuntimeData, type TensorData } from "../src/pipeline/data.ts";
import type { ManifestV1 } from "../src/pipeline/manifest.ts";
import { whisperLogMel } from "../src/dsp/mel.ts";
import { firstMismatch, readF32 } from "./_util.ts";

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
