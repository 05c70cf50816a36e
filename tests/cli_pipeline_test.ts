// CLI commands that run the runtime, as real subprocesses: validate, nodes, run, resample,
// mel, demo.
import assert from "node:assert/strict";
import { cli, withDir } from "./_cli.ts";
import { decodeWav } from "../src/io/wav.ts";
import { decodeNpy } from "../src/io/npy.ts";
import { whisperLogMel } from "../src/dsp/mel.ts";
import { resample } from "../src/dsp/resample.ts";
import { firstMismatch, testdata } from "./_util.ts";

const GOOD = {
  version: "v1",
  metadata: { name: "fe" },
  nodes: [
    { id: "rs", node_type: "AudioResample", params: { target_rate: 16000 } },
    { id: "mel", node_type: "WhisperMel", params: {} },
  ],
  connections: [{ from: "rs", to: "mel" }],
};

Deno.test("cli validate accepts a good manifest and names every problem of a bad one", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/good.json`, JSON.stringify(GOOD));
    const ok = await cli("validate", `${dir}/good.json`);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /good\.json: ok \(fe: 2 nodes, 1 connections\)/);
    const bad = structuredClone(GOOD) as typeof GOOD;
    (bad.nodes[0]!.params as Record<string, unknown>).target_rate = -5;
    bad.connections.push({ from: "mel", to: "nowhere" });
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify(bad));
    const r = await cli("validate", `${dir}/bad.json`);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /bad\.json: nodes\[0\]\.params\.target_rate: expected a positive integer, got -5/,
    );
    assert.match(r.stderr, /connections\[1\]\.to: .*nowhere/);
  });
});

Deno.test("cli nodes lists kernel nodes with parameters, and --json parses", async () => {
  const r = await cli("nodes");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^AudioResample\n/m);
  assert.match(r.stdout, /^ {2}target_rate: integer > 0 \(required\)$/m);
  assert.match(r.stdout, /^WhisperMel\n/m);
  const j = await cli("nodes", "--json");
  const list = JSON.parse(j.stdout) as { type: string; params: { properties: object } }[];
  assert.ok(list.some((t) => t.type === "WhisperMel" && "n_mels" in t.params.properties));
});

Deno.test("cli run --stream writes the same features as the batch kernels (.npy)", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/fe.json`, JSON.stringify(GOOD));
    const wavPath = testdata("vad/vad01_clean_48k.wav");
    const r = await cli(
      "run",
      `${dir}/fe.json`,
      "--input",
      wavPath,
      "--stream",
      "--frame-ms",
      "20",
      "--output",
      `${dir}/f.npy`,
      "--metrics",
      "json",
    );
    assert.equal(r.code, 0, r.stderr);
    const metrics = JSON.parse(r.stdout);
    assert.equal(metrics.pipeline_id, "fe");
    assert.deepEqual(metrics.node_metrics.map((n: { node_id: string }) => n.node_id), [
      "rs",
      "mel",
    ]);
    const got = decodeNpy(await Deno.readFile(`${dir}/f.npy`));
    const wav = decodeWav(await Deno.readFile(wavPath));
    const want = whisperLogMel(resample(wav.samples, 48000, 16000));
    assert.deepEqual(got.shape, [80, want.nFrames]);
    const i = firstMismatch(got.data, want.data, 1e-5);
    assert.equal(i, -1, `index ${i}`);
  });
});

Deno.test("cli run prints a JSON summary and --metrics prom text", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/fe.json`, JSON.stringify(GOOD));
    const r = await cli(
      "run",
      `${dir}/fe.json`,
      "-i",
      testdata("vad/vad01_clean.wav"),
      "--metrics",
      "prom",
    );
    assert.equal(r.code, 0, r.stderr);
    const summary = r.stdout.slice(0, r.stdout.indexOf("\n}\n") + 3);
    const j = JSON.parse(summary);
    assert.deepEqual(j.outputs, [{
      node: "mel",
      type: "tensor",
      dtype: "float32",
      shape: [80, 1051],
    }]);
    assert.match(r.stdout, /# TYPE remotemedia_node_duration_microseconds/);
  });
});

Deno.test("cli run reports a bad manifest and a bad input as one-line errors", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/x.json`, "{ not json");
    const r = await cli("run", `${dir}/x.json`, "-i", testdata("vad/vad01_clean.wav"));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /x\.json: /);
    await Deno.writeTextFile(`${dir}/fe.json`, JSON.stringify(GOOD));
    await Deno.writeTextFile(`${dir}/a.wav`, "RIFFxxxxWAVEjunk");
    const w = await cli("run", `${dir}/fe.json`, "-i", `${dir}/a.wav`);
    assert.equal(w.code, 1);
    assert.match(w.stderr, /a\.wav: Cannot read WAV: no "fmt " chunk/);
  });
});

Deno.test("cli resample trims the delay: output has round(n*rate/in) frames, aligned", async () => {
  await withDir(async (dir) => {
    const input = testdata("vad/vad01_clean_48k.wav");
    const r = await cli(
      "resample",
      input,
      "--rate",
      "16000",
      "--out",
      `${dir}/o.wav`,
      "--format",
      "f32",
    );
    assert.equal(r.code, 0, r.stderr);
    const src = decodeWav(await Deno.readFile(input));
    const out = decodeWav(await Deno.readFile(`${dir}/o.wav`));
    assert.equal(out.sampleRate, 16000);
    assert.equal(out.encoding, "float32");
    assert.equal(out.frames, Math.round((src.frames * 16000) / 48000));
    const want = resample(src.samples, 48000, 16000);
    assert.equal(firstMismatch(out.samples, want, 1e-6), -1);
    // format follows the input by default
    await cli("resample", input, "--rate", "8000", "--out", `${dir}/p.wav`);
    assert.equal(decodeWav(await Deno.readFile(`${dir}/p.wav`)).encoding, "pcm16");
    const bad = await cli("resample", input, "--rate", "0", "--out", `${dir}/q.wav`);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--rate 0 is not a positive integer/);
  });
});

Deno.test("cli mel writes float32 [n_mels, n_frames] .npy equal to whisperLogMel", async () => {
  await withDir(async (dir) => {
    const input = testdata("vad/vad01_clean.wav");
    const r = await cli("mel", input, "--n-mels", "128", "--out", `${dir}/m.npy`);
    assert.equal(r.code, 0, r.stderr);
    const got = decodeNpy(await Deno.readFile(`${dir}/m.npy`));
    const want = whisperLogMel(decodeWav(await Deno.readFile(input)).samples, { nMels: 128 });
    assert.deepEqual(got.shape, [128, 1051]);
    assert.equal(firstMismatch(got.data, want.data, 1e-6), -1);
  });
});

Deno.test("cli vad --json prints segments covering the labelled speech (classic)", async () => {
  const clip = testdata("vad/vad04_brown_5dB_48k.wav");
  const r = await cli("vad", clip, "--json");
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.engine, "classic");
  assert.equal(j.duration_s, 10.87);
  const labels = JSON.parse(await Deno.readTextFile(testdata("vad/vad04_brown_5dB.json")));
  assert.equal(j.segments.length, labels.segments.length);
  j.segments.forEach((s: { start: number; end: number }, i: number) => {
    const [a, b] = labels.segments[i] as [number, number];
    assert.ok(
      Math.abs(s.start - a) < 0.15 && Math.abs(s.end - b) < 0.15,
      `${JSON.stringify(s)} vs ${a}-${b}`,
    );
  });
  const bad = await cli("vad", clip, "--mode", "7");
  assert.equal(bad.code, 2);
});

Deno.test("cli demo writes a valid spectrogram PNG and prints segments and metrics", async () => {
  await withDir(async (dir) => {
    const r = await cli("demo", "--out", `${dir}/d.png`);
    assert.equal(r.code, 0, r.stderr);
    const m = r.stdout.match(/speech segments \((\d+)\):/);
    assert.ok(m && Number(m[1]) >= 2, r.stdout);
    assert.match(r.stdout, /log-mel features: \[80, 792\]/);
    assert.match(r.stdout, /^ {2}vad +\d+ /m);
    assert.match(r.stdout, /real-time factor [\d.e+-]+ \(\d+x faster than real time\)/);
    const png = await Deno.readFile(`${dir}/d.png`);
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    const dv = new DataView(png.buffer, png.byteOffset);
    assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
    assert.equal(dv.getUint32(16), 792); // one column per 10 ms frame of the 7.92 s clip
    assert.equal(dv.getUint32(20), 80 * 2 + 10 + 14); // mels x2 + segment band + time axis
    assert.match(r.stdout, new RegExp(`${dir}/d\\.png \\(792x184 PNG\\)`));
  });
});

Deno.test("cli info lists the SIMD kernel, devices and every execution provider tried", async () => {
  const r = await cli("info", "--json");
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(typeof j.kernels.vad === "string");
  assert.equal(j.devices[0].name, "cpu");
  assert.ok(Array.isArray(j.onnx.providers));
  if (j.onnx.loaded) {
    assert.deepEqual(
      j.onnx.providers.map((p: { provider: string }) => p.provider),
      ["VitisAI", "OpenVINO", "QNN", "CUDA", "CPU"],
    );
    const cpu = j.onnx.providers.find((p: { provider: string }) => p.provider === "CPU");
    assert.equal(cpu.available, true);
    for (const p of j.onnx.providers) assert.ok(p.available || p.reason.length > 0);
  }
  const text = await cli("info");
  assert.match(text.stdout, /^device 0 +cpu \(cpu, cpu/m);
});
