// The service app over real HTTP on a loopback port: every route's happy path against the
// library computing the same thing directly, bad input, limits and /metrics.
import assert from "node:assert/strict";
import { decodeNpy } from "../src/io/npy.ts";
import { decodeWav, encodeWav } from "../src/io/wav.ts";
import { downmix, float32ToInt16, int16ToFloat32 } from "../src/dsp/convert.ts";
import { resample } from "../src/dsp/resample.ts";
import { whisperLogMel } from "../src/dsp/mel.ts";
import { detectSpeechSilero } from "../src/device/silero.ts";
import { locateOrt, locateSilero } from "../src/device/_locate.ts";
import { detectClassic } from "../src/server/_vad_engines.ts";
import { HttpError } from "../src/server/errors.ts";
import { appOptionsFromEnv } from "../src/server/_config.ts";
import { DEFAULT_LIMITS } from "../src/server/service.ts";
import { presetNames } from "../src/pipeline/presets.ts";
import { defaultRegistry } from "../src/nodes/builtin.ts";
import { testdata } from "./_util.ts";
import { startApp } from "./_server.ts";
import { parseExposition } from "./_prometheus.ts";

const sileroReady = locateOrt().path !== undefined && locateSilero().path !== undefined;
if (!sileroReady) {
  console.warn(
    "server_app_test: SKIPPING the Silero tests: ONNX Runtime or the Silero model is missing; " +
      "run `deno task setup-models`",
  );
}

type ErrorJson = { error: { code: string; message: string; details: Record<string, unknown> } };

async function errorOf(res: Response, status: number): Promise<ErrorJson["error"]> {
  const text = await res.text();
  assert.equal(res.status, status, `status ${res.status}, body ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = JSON.parse(text) as ErrorJson;
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "details", "message"]);
  return body.error;
}

const wavBytes = (name: string) => Deno.readFileSync(testdata(`vad/${name}`));

function postWav(url: string, body: Uint8Array): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "audio/wav" },
    body: body as Uint8Array<ArrayBuffer>,
  });
}

function form(fields: Record<string, string>, wav?: Uint8Array): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (wav) {
    f.append("audio", new Blob([wav as Uint8Array<ArrayBuffer>], { type: "audio/wav" }), "a.wav");
  }
  return f;
}

function assertClose(actual: Float32Array, expected: Float32Array, tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) {
      assert.fail(`${what}: index ${i}: expected ${expected[i]}, actual ${actual[i]}`);
    }
  }
}

/** The 16 kHz mono samples the service computes from a WAV, by the library directly. */
function mono16k(bytes: Uint8Array): Float32Array {
  const w = decodeWav(bytes);
  const mono = w.channels === 1 ? w.samples : downmix(w.samples, w.channels);
  return w.sampleRate === 16000 ? mono : resample(mono, w.sampleRate, 16000);
}

Deno.test("createApp POST /v1/audio/mel equals whisperLogMel of the resampled audio", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean_48k.wav");
  const res = await postWav(`${s.base}/v1/audio/mel`, bytes);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/octet-stream");
  const npy = decodeNpy(new Uint8Array(await res.arrayBuffer()));
  const ref = whisperLogMel(mono16k(bytes));
  assert.deepEqual(npy.shape, [80, ref.nFrames]);
  assert.equal(res.headers.get("x-remotemedia-shape"), `80,${ref.nFrames}`);
  assertClose(npy.data, ref.data, 0, "mel");
});

Deno.test("createApp POST /v1/audio/mel takes stereo multipart, 128 mels, frame-major JSON", async () => {
  await using s = await startApp({ warmSilero: false });
  const x = decodeWav(wavBytes("vad02_babble_10dB.wav")).samples.subarray(0, 16000 * 3);
  const stereo = new Float32Array(x.length * 2);
  for (let i = 0; i < x.length; i++) {
    stereo[2 * i] = x[i]!;
    stereo[2 * i + 1] = -0.5 * x[i]!;
  }
  const bytes = encodeWav(stereo, { sampleRate: 16000, channels: 2, encoding: "float32" });
  const res = await fetch(`${s.base}/v1/audio/mel?n_mels=128&layout=frame-major&format=json`, {
    method: "POST",
    body: form({}, bytes),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body).slice(0, 300));
  const ref = whisperLogMel(downmix(stereo, 2), { nMels: 128, layout: "frame-major" });
  assert.deepEqual(body.shape, [ref.nFrames, 128]);
  assert.equal(body.layout, "frame-major");
  assert.equal(body.dtype, "float32");
  assertClose(Float32Array.from(body.data), ref.data, 0, "mel json");
});

Deno.test("createApp POST /v1/audio/mel answers 400 for bad parameters and too little audio", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean.wav");
  const e = await errorOf(await postWav(`${s.base}/v1/audio/mel?n_mels=64`, bytes), 400);
  assert.equal(e.code, "bad_parameter");
  assert.match(e.message, /n_mels: "64" is not one of 80, 128/);
  const short = encodeWav(new Float32Array(150), { sampleRate: 16000 });
  const e2 = await errorOf(await postWav(`${s.base}/v1/audio/mel`, short), 400);
  assert.equal(e2.code, "audio_too_short");
  assert.equal(e2.details.samples_16k, 150);
});

Deno.test({
  name: "createApp POST /v1/audio/vad?engine=silero equals detectSpeechSilero on 16 kHz audio",
  ignore: !sileroReady,
  fn: async () => {
    await using s = await startApp();
    for (const name of ["vad01_clean_48k.wav", "vad03_white_20dB.wav"]) {
      const bytes = wavBytes(name);
      const res = await postWav(`${s.base}/v1/audio/vad?engine=silero`, bytes);
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      const ref = await detectSpeechSilero(mono16k(bytes));
      assert.ok(ref.segments.length > 0);
      assert.deepEqual(body.segments, ref.segments.map((g) => ({ start: g.start, end: g.end })));
      assert.equal(body.engine, "silero");
      const w = decodeWav(bytes);
      assert.equal(body.duration_s, w.frames / w.sampleRate);
    }
  },
});

Deno.test("createApp POST /v1/audio/vad answers the default (classic) engine through detectClassic", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean.wav");
  const res = await postWav(`${s.base}/v1/audio/vad?frame_ms=20&mode=2`, bytes);
  let expected: { status: number; body: unknown };
  try {
    const segments = detectClassic(mono16k(bytes), { frameMs: 20, mode: 2 });
    expected = {
      status: 200,
      body: { segments, engine: "classic", duration_s: decodeWav(bytes).frames / 16000 },
    };
  } catch (e) {
    assert.ok(e instanceof HttpError, String(e));
    expected = { status: e.status, body: e.toJSON() };
  }
  assert.equal(res.status, expected.status);
  assert.deepEqual(await res.json(), expected.body);
});

Deno.test("createApp POST /v1/audio/vad answers 400 for an unknown engine or mode", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean.wav");
  const e = await errorOf(await postWav(`${s.base}/v1/audio/vad?engine=webrtc`, bytes), 400);
  assert.equal(e.code, "bad_parameter");
  assert.deepEqual(e.details.allowed, ["classic", "silero"]);
  const e2 = await errorOf(await postWav(`${s.base}/v1/audio/vad?mode=7`, bytes), 400);
  assert.equal(e2.details.parameter, "mode");
});

const melManifest = {
  version: "v1",
  metadata: { name: "my-mel" },
  nodes: [
    { id: "mono", node_type: "Downmix" },
    { id: "rs", node_type: "AudioResample", params: { target_rate: 16000 } },
    { id: "mel", node_type: "WhisperMel", params: { n_mels: 80 } },
  ],
  connections: [{ from: "mono", to: "rs" }, { from: "rs", to: "mel" }],
};

Deno.test("createApp POST /v1/pipelines/run runs a multipart manifest to .npy equal to the batch path", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad04_brown_5dB_48k.wav");
  const res = await fetch(`${s.base}/v1/pipelines/run?output=npy`, {
    method: "POST",
    body: form({ manifest: JSON.stringify(melManifest) }, bytes),
  });
  assert.equal(res.status, 200, res.status === 200 ? "" : await res.text());
  const npy = decodeNpy(new Uint8Array(await res.arrayBuffer()));
  const ref = whisperLogMel(mono16k(bytes));
  assert.deepEqual(npy.shape, [80, ref.nFrames]);
  assertClose(npy.data, ref.data, 0, "pipeline mel");
});

Deno.test("createApp POST /v1/pipelines/run answers JSON summaries and this run's metrics", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean.wav");
  const res = await fetch(`${s.base}/v1/pipelines/run`, {
    method: "POST",
    body: form({ manifest: JSON.stringify(melManifest) }, bytes),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.pipeline, "my-mel");
  assert.equal(body.source, "inline");
  assert.deepEqual(body.outputs, [{
    node: "mel",
    type: "tensor",
    dtype: "float32",
    shape: [80, Math.floor(decodeWav(bytes).frames / 160)],
  }]);
  assert.equal(body.errors, 0);
  assert.equal(body.metrics.pipeline_id, "my-mel");
  assert.equal(body.metrics.total_executions, 1);
  assert.deepEqual(body.metrics.node_metrics.map((n: { node_id: string }) => n.node_id), [
    "mono",
    "rs",
    "mel",
  ]);
  assert.ok(
    body.metrics.node_metrics.every((n: { execution_count: number }) => n.execution_count === 1),
  );
});

Deno.test("createApp POST /v1/pipelines/<preset>/run runs a preset on a raw WAV body", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean_48k.wav");
  const res = await postWav(`${s.base}/v1/pipelines/voice-frontend/run?output=npy`, bytes);
  assert.equal(res.status, 200, res.status === 200 ? "" : await res.text());
  const npy = decodeNpy(new Uint8Array(await res.arrayBuffer()));
  const ref = whisperLogMel(mono16k(bytes));
  assertClose(npy.data, ref.data, 0, "voice-frontend mel");
  // The same preset through ?pipeline=, as WAV: the resampled audio, in the input's 16-bit PCM.
  const res2 = await postWav(`${s.base}/v1/pipelines/run?pipeline=resample-16k&output=wav`, bytes);
  assert.equal(res2.status, 200);
  assert.equal(res2.headers.get("content-type"), "audio/wav");
  const out = decodeWav(new Uint8Array(await res2.arrayBuffer()));
  assert.equal(out.sampleRate, 16000);
  assert.equal(out.encoding, "pcm16");
  const expected = int16ToFloat32(float32ToInt16(mono16k(bytes)));
  assertClose(out.samples, expected, 0, "resample-16k wav");
});

Deno.test("createApp GET /v1/pipelines lists the presets", async () => {
  await using s = await startApp({ warmSilero: false });
  const body = await (await fetch(`${s.base}/v1/pipelines`)).json();
  assert.deepEqual(body.pipelines.map((p: { name: string }) => p.name), presetNames());
  assert.equal(body.pipelines[0].manifest.version, "v1");
});

Deno.test("createApp POST /v1/pipelines/run answers 400 naming the manifest problem", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean.wav");
  const run = (manifest: string) =>
    fetch(`${s.base}/v1/pipelines/run`, { method: "POST", body: form({ manifest }, bytes) });
  let e = await errorOf(await run("{nope"), 400);
  assert.equal(e.code, "invalid_manifest");
  assert.match(e.message, /^Invalid pipeline manifest: \(root\): invalid JSON/);
  const bad = structuredClone(melManifest);
  bad.nodes[1]!.params = { target_rate: -5 };
  e = await errorOf(await run(JSON.stringify(bad)), 400);
  assert.equal(e.code, "invalid_manifest");
  const issues = e.details.issues as Array<{ path: string; message: string }>;
  assert.equal(issues[0]!.path, "nodes[1].params.target_rate");
  const hinted = structuredClone(melManifest) as typeof melManifest & {
    nodes: Array<Record<string, unknown>>;
  };
  hinted.nodes[0]!.runtime_hint = "gpu";
  e = await errorOf(await run(JSON.stringify(hinted)), 400);
  assert.equal((e.details.issues as Array<{ path: string }>)[0]!.path, "nodes[0].runtime_hint");
});

Deno.test("createApp refuses client manifests with OnnxModel (400), keeps them out of /v1/nodes", async () => {
  await using s = await startApp({ warmSilero: false });
  const manifest = {
    version: "v1",
    nodes: [{
      id: "m",
      node_type: "OnnxModel",
      params: { model: "/etc/passwd", input: "x" },
    }],
  };
  const res = await fetch(`${s.base}/v1/pipelines/run`, {
    method: "POST",
    body: form({ manifest: JSON.stringify(manifest) }, wavBytes("vad01_clean.wav")),
  });
  const e = await errorOf(res, 400);
  assert.equal(e.code, "invalid_manifest");
  assert.deepEqual(e.details.issues, [{
    path: "nodes[0].node_type",
    message: 'node type "OnnxModel" is not allowed in manifests sent to the service ' +
      "(it opens files named in its params)",
  }]);
  const nodes = (await (await fetch(`${s.base}/v1/nodes`)).json()).nodes as Array<
    { type: string; params: Record<string, unknown> }
  >;
  const types = nodes.map((n) => n.type);
  assert.ok(!types.includes("OnnxModel"));
  assert.ok(types.includes("SileroVad") && types.includes("WhisperMel"));
  const mel = nodes.find((n) => n.type === "WhisperMel")!;
  assert.ok("n_mels" in (mel.params.properties as Record<string, unknown>));
  assert.equal(s.app.clientRegistry.has("OnnxModel"), false);
  assert.equal(defaultRegistry.has("OnnxModel"), true, "the base registry keeps it");
});

Deno.test("createApp pins SileroVad's provider and device kind to auto in client manifests", async () => {
  await using s = await startApp({ warmSilero: false });
  const manifest = {
    version: "v1",
    nodes: [{
      id: "vad",
      node_type: "SileroVad",
      params: { provider: "CUDA", device_kind: "gpu" },
    }],
  };
  const res = await fetch(`${s.base}/v1/pipelines/run`, {
    method: "POST",
    body: form({ manifest: JSON.stringify(manifest) }, wavBytes("vad01_clean.wav")),
  });
  const e = await errorOf(res, 400);
  const issues = e.details.issues as Array<{ path: string; message: string }>;
  assert.deepEqual(issues.map((i) => i.path), [
    "nodes[0].params.provider",
    "nodes[0].params.device_kind",
  ]);
  assert.match(issues[0]!.message, /"auto"/);
  const def = s.app.clientRegistry.list().find((n) => n.type === "SileroVad")!;
  const props = def.params.properties as Record<string, { const?: unknown }>;
  assert.equal(props.provider!.const, "auto");
  assert.ok("threshold" in props);
  // The preset registry is untouched.
  assert.equal(
    defaultRegistry.get("SileroVad")!.params.safeParse({ provider: "CPU" }).success,
    true,
  );
});

Deno.test("createApp POST /v1/pipelines/run answers 404/400 for unknown, ambiguous or missing pipelines", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean.wav");
  let e = await errorOf(await postWav(`${s.base}/v1/pipelines/nope/run`, bytes), 404);
  assert.equal(e.code, "unknown_pipeline");
  assert.deepEqual(e.details.available, presetNames());
  e = await errorOf(await postWav(`${s.base}/v1/pipelines/run`, bytes), 400);
  assert.equal(e.code, "missing_pipeline");
  e = await errorOf(
    await fetch(`${s.base}/v1/pipelines/run?pipeline=resample-16k`, {
      method: "POST",
      body: form({ manifest: JSON.stringify(melManifest) }, bytes),
    }),
    400,
  );
  assert.equal(e.code, "ambiguous_pipeline");
  e = await errorOf(
    await postWav(`${s.base}/v1/pipelines/resample-16k/run?output=npy`, bytes),
    422,
  );
  assert.equal(e.code, "no_output");
  e = await errorOf(
    await postWav(`${s.base}/v1/pipelines/resample-16k/run?output=mp3`, bytes),
    400,
  );
  assert.equal(e.code, "bad_parameter");
});

Deno.test("createApp answers 400 naming the problem for a malformed WAV", async () => {
  await using s = await startApp({ warmSilero: false });
  const good = wavBytes("vad01_clean.wav");
  const truncated = good.slice(0, 30);
  for (const path of ["/v1/audio/mel", "/v1/audio/vad", "/v1/pipelines/voice-frontend/run"]) {
    const e = await errorOf(await postWav(`${s.base}${path}`, truncated), 400);
    assert.equal(e.code, "malformed_wav", path);
    assert.match(e.message, /^Cannot read WAV: /);
  }
  const riff = good.slice();
  riff.set(new TextEncoder().encode("RIFX"), 0);
  const e = await errorOf(await postWav(`${s.base}/v1/audio/mel`, riff), 400);
  assert.match(e.message, /expected "RIFF" at offset 0, found "RIFX"/);
});

Deno.test("createApp answers 413 over the body limit", async () => {
  await using s = await startApp({ warmSilero: false, limits: { maxBodyBytes: 64 * 1024 } });
  const e = await errorOf(
    await postWav(`${s.base}/v1/audio/mel`, wavBytes("vad01_clean.wav")),
    413,
  );
  assert.equal(e.code, "payload_too_large");
  assert.equal(e.details.max_body_bytes, 64 * 1024);
});

Deno.test("createApp answers 429 over the concurrency limit and counts it in /metrics", async () => {
  await using s = await startApp({ warmSilero: false, limits: { maxConcurrentRequests: 1 } });
  const bytes = wavBytes("vad01_clean.wav");
  // The first request holds the only slot while its body trickles in.
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const slow = fetch(`${s.base}/v1/audio/mel`, {
    method: "POST",
    headers: { "content-type": "audio/wav" },
    body: new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        c.enqueue(bytes.subarray(0, 1000));
      },
    }),
  });
  for (let i = 0; i < 200 && s.app.service.stats().inFlight === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(s.app.service.stats().inFlight, 1);
  const e = await errorOf(await postWav(`${s.base}/v1/audio/vad`, bytes), 429);
  assert.equal(e.code, "too_many_requests");
  controller.enqueue(bytes.subarray(1000));
  controller.close();
  const done = await slow;
  assert.equal(done.status, 200);
  await done.body?.cancel();
  const fams = parseExposition(await (await fetch(`${s.base}/metrics`)).text());
  const rej = fams.get("remotemedia_http_rejections_total")!.samples;
  assert.equal(rej.find((x) => x.labels.reason === "concurrency")!.value, 1);
  const reqs = fams.get("remotemedia_http_requests_total")!.samples;
  const find = (route: string, status: string) =>
    reqs.find((x) => x.labels.route === route && x.labels.status === status)?.value;
  assert.equal(find("/v1/audio/vad", "429"), 1);
  assert.equal(find("/v1/audio/mel", "200"), 1);
});

Deno.test("createApp GET /metrics parses as Prometheus text with aggregated preset metrics", async () => {
  await using s = await startApp({ warmSilero: false });
  const bytes = wavBytes("vad01_clean.wav");
  for (let i = 0; i < 2; i++) {
    const r = await postWav(`${s.base}/v1/pipelines/voice-frontend/run`, bytes);
    assert.equal(r.status, 200);
    await r.body?.cancel();
  }
  const res = await fetch(`${s.base}/metrics`);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const fams = parseExposition(await res.text());
  const runs = fams.get("remotemedia_pipeline_runs_total")!.samples;
  assert.deepEqual(runs.map((x) => [x.labels.pipeline, x.value]), [["voice-frontend", 2]]);
  const execs = fams.get("remotemedia_node_executions_total")!.samples;
  const byNode = new Map(execs.map((x) => [x.labels.node, x.value]));
  assert.deepEqual([...byNode.keys()], ["mono", "resample", "vad", "mel"]);
  assert.equal(byNode.get("mono"), 2);
  assert.equal(byNode.get("resample"), 2);
  assert.ok(byNode.get("vad")! > 2, "the VAD runs once per 20 ms frame");
  const svc = fams.get("remotemedia_service_pipeline_runs_total")!.samples;
  assert.equal(svc.find((x) => x.labels.source === "preset" && x.labels.result === "ok")!.value, 2);
  assert.equal(fams.get("remotemedia_http_requests_in_flight")!.samples[0]!.value, 0);
  assert.equal(fams.get("remotemedia_service_native_loaded")!.samples[0]!.value, 1);
  const dur = fams.get("remotemedia_http_request_duration_microseconds")!;
  assert.equal(dur.type, "summary");
  const count = dur.samples.find((x) =>
    x.name.endsWith("_count") && x.labels.route === "/v1/pipelines/:name/run"
  );
  assert.equal(count?.value, 2);
});

Deno.test("createApp GET /healthz reports the isolate, native library and presets", async () => {
  await using s = await startApp({ warmSilero: false });
  const body = await (await fetch(`${s.base}/healthz`)).json();
  assert.equal(body.status, "ok");
  assert.equal(body.isolate, s.app.isolate);
  assert.equal(body.native.loaded, true);
  assert.deepEqual(body.pipelines, presetNames());
  assert.equal(body.silero.warm, false);
});

Deno.test("appOptionsFromEnv reads limits from environment variables and rejects bad values", () => {
  const env: Record<string, string> = {
    REMOTEMEDIA_MAX_BODY_BYTES: "1000",
    REMOTEMEDIA_MAX_CONCURRENCY: "3",
    REMOTEMEDIA_TIMEOUT_MS: "250",
    REMOTEMEDIA_WARM_SILERO: "0",
  };
  const o = appOptionsFromEnv((n) => env[n]);
  assert.deepEqual(o.limits, {
    maxBodyBytes: 1000,
    maxConcurrentRequests: 3,
    requestTimeoutMs: 250,
  });
  assert.equal(o.warmSilero, false);
  assert.deepEqual(appOptionsFromEnv(() => undefined), { limits: {} });
  assert.throws(
    () => appOptionsFromEnv((n) => (n === "REMOTEMEDIA_MAX_CONCURRENCY" ? "-2" : undefined)),
    (e: unknown) =>
      e instanceof RangeError &&
      e.message ===
        'Cannot configure the service: REMOTEMEDIA_MAX_CONCURRENCY="-2" is not a positive integer',
  );
  assert.throws(() =>
    appOptionsFromEnv((n) => (n === "REMOTEMEDIA_TIMEOUT_MS" ? "1.5" : undefined))
  );
  assert.equal(DEFAULT_LIMITS.maxConcurrentRequests, 32);
});
