// The SileroVad pipeline node over the real model (installed by `deno task setup-models`).
import assert from "node:assert/strict";
import { testdata } from "./_util.ts";
import { locateOrt, locateSilero } from "../src/device/_locate.ts";
import { decodeWav } from "../src/io/wav.ts";
import { Pipeline } from "../src/pipeline/pipeline.ts";
import type { ManifestV1 } from "../src/pipeline/manifest.ts";
import { audio, type EventData } from "../src/pipeline/data.ts";

const ready = locateOrt().path !== undefined && locateSilero().path !== undefined;
if (!ready) {
  console.warn("pipeline_silero_test: SKIPPING: run `deno task setup-models`");
}

function frames(x: Float32Array, size: number, rate: number) {
  const out = [];
  for (let i = 0; i < x.length; i += size) {
    out.push(audio(x.subarray(i, Math.min(x.length, i + size)), rate, 1, { timestamp: i / rate }));
  }
  return out;
}

const manifest: ManifestV1 = {
  version: "v1" as const,
  metadata: { name: "silero" },
  nodes: [{ id: "vad", node_type: "SileroVad", params: { emit_audio: false } }],
  connections: [],
};

Deno.test({
  name: "SileroVad node emits speech start/end events matching the clip's speech",
  ignore: !ready,
  async fn() {
    const wav = decodeWav(Deno.readFileSync(testdata("vad/vad01_clean.wav")));
    const labels = JSON.parse(Deno.readTextFileSync(testdata("vad/vad01_clean.json")));
    await using p = Pipeline.fromManifest(manifest);
    const outs = await p.run(frames(wav.samples, 320, 16000));
    const evs = outs.map((o) => o.data).filter((d): d is EventData => d.type === "event");
    const starts = evs.filter((e) => e.kind === "speech_start");
    const ends = evs.filter((e) => e.kind === "speech_end");
    assert.equal(starts.length, ends.length);
    assert.ok(starts.length >= 1);
    // every labelled segment overlaps some detected segment
    for (const [s, e] of labels.segments as [number, number][]) {
      const hit = starts.some((st, i) => st.time < e && ends[i]!.time > s);
      assert.ok(hit, `labelled speech ${s}-${e} s not detected`);
    }
  },
});

Deno.test("SileroVad node rejects audio it cannot run on, naming the fix", async () => {
  await using p = Pipeline.fromManifest({
    ...manifest,
    config: { on_error: "fail" },
  });
  await assert.rejects(
    () => p.run([audio(new Float32Array(441), 44100)]),
    /needs 16 kHz or 8 kHz mono audio, got 44100 Hz.*AudioResample/,
  );
});

Deno.test({
  name: "OnnxModel node runs the Silero model as a generic model on re-framed audio",
  ignore: !ready,
  async fn() {
    await using p = Pipeline.fromManifest({
      version: "v1",
      metadata: { name: "onnx" },
      nodes: [{
        id: "m",
        node_type: "OnnxModel",
        params: {
          model: locateSilero().path!,
          input: "input",
          outputs: ["output"],
          frame_size: 576,
          constants: {
            state: { dtype: "float32", shape: [2, 1, 128] },
            sr: { dtype: "int64", shape: [], values: [16000] },
          },
          output_shapes: { output: [1, 1], stateN: [2, 1, 128] },
        },
      }],
      connections: [],
    });
    const x = new Float32Array(576 * 5).map((_, i) => 0.3 * Math.sin(i / 7));
    const outs = await p.run(frames(x, 320, 16000));
    assert.equal(outs.length, 5);
    for (const o of outs) {
      assert.equal(o.data.type, "tensor");
      if (o.data.type !== "tensor") continue;
      assert.deepEqual(o.data.shape, [1, 1]);
      const v = o.data.data[0] as number;
      assert.ok(v >= 0 && v <= 1, `probability ${v}`);
    }
  },
});
