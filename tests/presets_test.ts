import assert from "node:assert/strict";
import {
  audio,
  defaultRegistry,
  isPreset,
  listPresets,
  Pipeline,
  presetManifest,
  presetNames,
  resample,
  whisperLogMel,
} from "../mod.ts";
import { decodeWav } from "../src/io/wav.ts";
import { testdata } from "./_util.ts";

Deno.test("presetNames lists voice-frontend and resample-16k, sorted", () => {
  const names = presetNames();
  assert.ok(names.includes("voice-frontend") && names.includes("resample-16k"));
  assert.deepEqual(names, [...names].sort());
  assert.deepEqual(listPresets().map((p) => p.name), names);
});

Deno.test("presetManifest validates against the default registry for every preset", () => {
  for (const name of presetNames()) {
    const p = Pipeline.fromManifest(presetManifest(name), { registry: defaultRegistry });
    assert.equal(p.name, name);
  }
});

Deno.test("presetManifest returns a fresh copy each call", () => {
  const a = presetManifest("voice-frontend");
  a.nodes[0]!.id = "changed";
  assert.equal(presetManifest("voice-frontend").nodes[0]!.id, "mono");
});

Deno.test("presetManifest throws RangeError naming the known presets for an unknown name", () => {
  assert.throws(
    () => presetManifest("toString"),
    (e: unknown) =>
      e instanceof RangeError &&
      e.message ===
        `Unknown pipeline preset "toString": expected one of ${presetNames().join(", ")}`,
  );
  assert.equal(isPreset("constructor"), false);
  assert.equal(isPreset("resample-16k"), true);
});

Deno.test("presetManifest voice-frontend gives the batch mel of the resampled mono audio", async () => {
  const w = decodeWav(Deno.readFileSync(testdata("vad/vad01_clean_48k.wav")));
  const stereo = new Float32Array(w.samples.length * 2);
  for (let i = 0; i < w.samples.length; i++) stereo[2 * i] = stereo[2 * i + 1] = w.samples[i]!;
  await using p = Pipeline.fromManifest(presetManifest("voice-frontend"));
  const out = await p.run(audio(stereo, 48000, 2));
  const tensors = out.filter((o) => o.data.type === "tensor");
  const events = out.filter((o) => o.data.type === "event");
  assert.equal(tensors.length, 1);
  // the VAD's speech events pass through the mel node, paired start/end
  assert.ok(events.length >= 2 && events.length % 2 === 0, `${events.length} events`);
  const t = tensors[0]!.data;
  assert.equal(t.type, "tensor");
  const ref = whisperLogMel(resample(w.samples, 48000, 16000));
  if (t.type !== "tensor") return;
  assert.deepEqual(t.shape, [80, ref.nFrames]);
  const got = t.data as Float32Array;
  const bad = got.findIndex((v, i) => v !== ref.data[i]);
  assert.equal(bad, -1, `index ${bad}: expected ${ref.data[bad]}, actual ${got[bad]}`);
});
