// The /v1/stream WebSocket of the app over a real loopback socket: 20 ms PCM frames in,
// feature tensors and speech events out, equal to the batch path; the bounded queue.
import assert from "node:assert/strict";
import { decodeWav } from "../src/io/wav.ts";
import { resample } from "../src/dsp/resample.ts";
import { whisperLogMel } from "../src/dsp/mel.ts";
import { detectSpeechSilero } from "../src/device/silero.ts";
import { locateOrt, locateSilero } from "../src/device/_locate.ts";
import { AsyncQueue } from "../src/server/_queue.ts";
import { testdata } from "./_util.ts";
import { startApp, WsClient } from "./_server.ts";
import { parseExposition } from "./_prometheus.ts";

const sileroReady = locateOrt().path !== undefined && locateSilero().path !== undefined;
if (!sileroReady) {
  console.warn(
    "server_stream_app_test: SKIPPING the Silero stream test: ONNX Runtime or the Silero " +
      "model is missing; run `deno task setup-models`",
  );
}

/** A test-data WAV: its decoded samples and its raw int16 PCM (44-byte header). */
function clip(name: string): { rate: number; samples: Float32Array; pcm: Uint8Array } {
  const bytes = Deno.readFileSync(testdata(`vad/${name}`));
  const w = decodeWav(bytes);
  assert.equal(w.encoding, "pcm16");
  return { rate: w.sampleRate, samples: w.samples, pcm: bytes.subarray(44) };
}

/** Stream `pcm` as 20 ms int16 frames after `start`, then stop; wait for the close. */
async function streamClip(
  url: string,
  start: Record<string, unknown>,
  rate: number,
  pcm: Uint8Array,
): Promise<{ client: WsClient; close: CloseEvent }> {
  const client = new WsClient(url);
  await client.opened;
  client.send({ type: "start", sample_rate: rate, format: "s16", ...start });
  const frameBytes = (rate / 50) * 2;
  for (let off = 0, n = 0; off < pcm.length; off += frameBytes, n++) {
    client.send(pcm.slice(off, Math.min(pcm.length, off + frameBytes)));
    if (n % 50 === 49) await new Promise((r) => setTimeout(r, 0));
  }
  client.send({ type: "stop" });
  const close = await client.closed;
  return { client, close };
}

function f32(b64: string): Float32Array {
  const bytes = Uint8Array.fromBase64(b64);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function assertEqualArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(`${what}: index ${i}: expected ${expected[i]}, actual ${actual[i]}`);
    }
  }
}

Deno.test("createApp /v1/stream: 20 ms int16 frames through voice-frontend give the batch mel", async () => {
  await using s = await startApp({ warmSilero: false, limits: { wsMaxPendingFrames: 4096 } });
  const c = clip("vad01_clean_48k.wav");
  const { client, close } = await streamClip(
    `${s.ws}/v1/stream`,
    {
      pipeline: "voice-frontend",
    },
    c.rate,
    c.pcm,
  );
  assert.equal(close.code, 1000, JSON.stringify(client.ofType("error")));
  const types = client.messages.map((m) => (m as { type: string }).type)
    .filter((t) => t !== "event");
  assert.deepEqual(types, ["pipeline", "ready", "tensor", "end"]);
  const kinds = client.ofType("event").map((e) => e.kind);
  assert.ok(kinds.length >= 2 && kinds[0] === "speech_start", `events ${kinds}`);
  assert.deepEqual(client.ofType("pipeline")[0], {
    type: "pipeline",
    name: "voice-frontend",
    source: "preset",
    nodes: ["mono", "resample", "vad", "mel"],
  });
  const t = client.ofType("tensor")[0]!;
  const ref = whisperLogMel(resample(c.samples, 48000, 16000));
  assert.equal(t.node, "mel");
  assert.equal(t.dtype, "float32");
  assert.equal(t.encoding, "base64");
  assert.deepEqual(t.shape, [80, ref.nFrames]);
  assertEqualArrays(f32(t.data as string), ref.data, "streamed mel");
  const fams = parseExposition(await (await fetch(`${s.base}/metrics`)).text());
  const streams = fams.get("remotemedia_ws_streams_total")!.samples;
  assert.equal(streams.find((x) => x.labels.source === "preset")!.value, 1);
  const runs = fams.get("remotemedia_pipeline_runs_total")!.samples;
  assert.deepEqual(runs.map((x) => [x.labels.pipeline, x.value]), [["voice-frontend", 1]]);
});

Deno.test({
  name: "createApp /v1/stream: SileroVad in an inline manifest sends speech events and the mel",
  ignore: !sileroReady,
  fn: async () => {
    await using s = await startApp({ limits: { wsMaxPendingFrames: 4096 } });
    const c = clip("vad04_brown_5dB_48k.wav");
    const manifest = {
      version: "v1",
      nodes: [
        { id: "rs", node_type: "AudioResample", params: { target_rate: 16000 } },
        { id: "vad", node_type: "SileroVad" },
        { id: "mel", node_type: "WhisperMel" },
      ],
      connections: [{ from: "rs", to: "vad" }, { from: "vad", to: "mel" }],
    };
    const { client, close } = await streamClip(`${s.ws}/v1/stream`, { manifest }, c.rate, c.pcm);
    assert.equal(close.code, 1000, JSON.stringify(client.ofType("error")));
    const x16 = resample(c.samples, 48000, 16000);
    const { segments } = await detectSpeechSilero(x16);
    assert.ok(segments.length > 0);
    const events = client.ofType("event").map((e) => [e.kind, e.time]);
    assert.deepEqual(
      events,
      segments.flatMap((g) => [["speech_start", g.start], ["speech_end", g.end]]),
    );
    // Events go out as they are decided: the first one before the end of the stream.
    const order = client.messages.map((m) => (m as { type: string }).type);
    assert.ok(order.indexOf("event") < order.indexOf("tensor"));
    const t = client.ofType("tensor")[0]!;
    assertEqualArrays(f32(t.data as string), whisperLogMel(x16).data, "mel after SileroVad");
  },
});

Deno.test("createApp /v1/stream sends tensors as JSON arrays with tensor_encoding array", async () => {
  await using s = await startApp({ warmSilero: false, limits: { wsMaxPendingFrames: 4096 } });
  const c = clip("vad01_clean.wav");
  const n = 16000; // one second
  const { client, close } = await streamClip(
    `${s.ws}/v1/stream`,
    {
      pipeline: "voice-frontend",
      tensor_encoding: "array",
    },
    16000,
    c.pcm.subarray(0, n * 2),
  );
  assert.equal(close.code, 1000);
  const t = client.ofType("tensor")[0]!;
  assert.equal(t.encoding, "array");
  assertEqualArrays(t.data as number[], whisperLogMel(c.samples.subarray(0, n)).data, "array mel");
});

async function startError(url: string, start: Record<string, unknown>) {
  const client = new WsClient(url);
  await client.opened;
  client.send({ type: "start", sample_rate: 16000, ...start });
  const close = await client.closed;
  const err = client.ofType("error")[0];
  assert.ok(err, `no error message; got ${JSON.stringify(client.messages)}`);
  return { code: close.code, error: err.error as Record<string, unknown> };
}

Deno.test("createApp /v1/stream refuses bad pipelines in the start message (1008)", async () => {
  await using s = await startApp({ warmSilero: false });
  const url = `${s.ws}/v1/stream`;
  let r = await startError(url, { pipeline: "nope" });
  assert.equal(r.code, 1008);
  assert.equal(r.error.code, "unknown_pipeline");
  r = await startError(url, {});
  assert.equal(r.error.code, "missing_pipeline");
  r = await startError(url, {
    manifest: { version: "v1", nodes: [{ id: "m", node_type: "OnnxModel", params: {} }] },
  });
  assert.equal(r.code, 1008);
  assert.equal(r.error.code, "invalid_manifest");
  assert.match(String(r.error.message), /node type "OnnxModel" is not allowed/);
  r = await startError(url, { manifest: "{bad json" });
  assert.equal(r.error.code, "invalid_manifest");
  r = await startError(url, { pipeline: "voice-frontend", tensor_encoding: "hex" });
  assert.equal(r.error.code, "bad_start");
  for (let i = 0; i < 50 && s.app.service.stats().streams > 0; i++) {
    await new Promise((res) => setTimeout(res, 10));
  }
  assert.equal(s.app.service.stats().streams, 0);
});

Deno.test("createApp /v1/stream closes with 1011 pipeline_failed when a fail-policy node throws", async () => {
  await using s = await startApp({ warmSilero: false });
  const client = new WsClient(`${s.ws}/v1/stream`);
  await client.opened;
  client.send({
    type: "start",
    sample_rate: 48000,
    manifest: {
      version: "v1",
      nodes: [{ id: "mel", node_type: "WhisperMel", on_error: "fail" }],
    },
  });
  for (let i = 0; i < 5; i++) client.send(new Int16Array(960));
  client.send({ type: "stop" });
  const close = await client.closed;
  assert.equal(close.code, 1011);
  const err = client.ofType("error")[0]!.error as Record<string, unknown>;
  assert.equal(err.code, "pipeline_failed");
  assert.match(String(err.message), /WhisperMel: it needs 16 kHz mono audio, got 48000 Hz/);
  assert.deepEqual(err.details, { node: "mel", operation: "process" });
});

Deno.test("createApp /v1/stream closes the pipeline when the client disconnects", async () => {
  await using s = await startApp({ warmSilero: false });
  const client = new WsClient(`${s.ws}/v1/stream`);
  await client.opened;
  client.send({ type: "start", sample_rate: 16000, pipeline: "voice-frontend" });
  for (let i = 0; i < 10; i++) client.send(new Int16Array(320));
  await client.waitFor(2);
  client.socket.close(1000);
  await client.closed;
  for (let i = 0; i < 100 && s.app.service.stats().streams > 0; i++) {
    await new Promise((res) => setTimeout(res, 10));
  }
  assert.equal(s.app.service.stats().streams, 0);
  const fams = parseExposition(s.app.metricsText());
  const runs = fams.get("remotemedia_service_pipeline_runs_total")!.samples;
  assert.equal(
    runs.find((x) => x.labels.source === "preset" && x.labels.result === "ok")!.value,
    1,
  );
});

Deno.test("AsyncQueue push waits at capacity and resumes as the consumer takes items", async () => {
  const q = new AsyncQueue<number>(2);
  const it = q[Symbol.asyncIterator]();
  assert.equal(await q.push(1), true);
  assert.equal(await q.push(2), true);
  let third = false;
  const p3 = q.push(3).then((v) => (third = v));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(third, false, "push past capacity must wait");
  assert.equal(q.size, 2);
  assert.deepEqual(await it.next(), { value: 1, done: false });
  await p3;
  assert.equal(third, true);
  q.end();
  assert.deepEqual(await it.next(), { value: 2, done: false });
  assert.deepEqual(await it.next(), { value: 3, done: false });
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  await assert.rejects(() => q.push(4), TypeError);
});

Deno.test("AsyncQueue hands an item straight to a waiting consumer and releases pushers on return", async () => {
  const q = new AsyncQueue<string>(1);
  const it = q[Symbol.asyncIterator]();
  const waiting = it.next();
  assert.equal(await q.push("a"), true);
  assert.deepEqual(await waiting, { value: "a", done: false });
  assert.equal(await q.push("b"), true);
  const blocked = q.push("c");
  await it.return!();
  assert.equal(await blocked, false);
  assert.equal(await q.push("d"), false);
  assert.equal(q.stopped, true);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});
