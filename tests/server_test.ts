import assert from "node:assert/strict";
import { HttpError, jsonResponse } from "../src/server/errors.ts";
import type { Route } from "../src/server/service.ts";
import type { StreamHandler, StreamStart } from "../src/server/stream.ts";
import { encodeWav } from "../src/io/wav.ts";
import { startServer, WsClient } from "./_server.ts";

type ErrorJson = { error: { code: string; message: string; details: Record<string, unknown> } };

async function errorOf(res: Response, status: number): Promise<ErrorJson["error"]> {
  const text = await res.text();
  assert.equal(res.status, status, `status ${res.status}, body ${text}`);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = JSON.parse(text) as ErrorJson;
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "details", "message"]);
  assert.equal(typeof body.error.message, "string");
  return body.error;
}

const echoRoutes: Route[] = [
  {
    method: "POST",
    path: "/echo/json",
    handler: async (_req, ctx) => jsonResponse({ got: await ctx.readJson() }),
  },
  {
    method: "POST",
    path: "/echo/bytes",
    handler: async (_req, ctx) => jsonResponse({ bytes: (await ctx.readBody()).length }),
  },
  {
    method: "POST",
    path: "/wav",
    handler: async (_req, ctx) => {
      const { wav, upload } = await ctx.readWav();
      let sum = 0;
      for (const v of wav.samples) sum += v;
      return jsonResponse({ rate: wav.sampleRate, frames: wav.frames, sum, fields: upload.fields });
    },
  },
  {
    method: "GET",
    path: "/items/:id",
    handler: (_req, ctx) => jsonResponse({ id: ctx.params.id }),
  },
];

Deno.test("createService answers GET /healthz with status and limits", async () => {
  await using s = startServer({ limits: { maxBodyBytes: 1234 }, health: () => ({ build: "t" }) });
  const res = await fetch(`${s.base}/healthz`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, "ok");
  assert.equal(body.limits.max_body_bytes, 1234);
  assert.equal(body.build, "t");
  assert.equal(body.in_flight, 0);
});

Deno.test("createService answers 404 for an unknown path and 405 with Allow", async () => {
  await using s = startServer({ routes: echoRoutes });
  const nf = await errorOf(await fetch(`${s.base}/nope`), 404);
  assert.equal(nf.code, "not_found");
  assert.equal(nf.details.path, "/nope");
  const res = await fetch(`${s.base}/echo/json`);
  assert.equal(res.headers.get("allow"), "POST");
  const na = await errorOf(res, 405);
  assert.equal(na.code, "method_not_allowed");
  assert.deepEqual(na.details.allowed, ["POST"]);
  await errorOf(await fetch(`${s.base}/healthz`, { method: "POST" }), 405);
});

Deno.test("createService decodes path parameters and rejects bad percent-encoding", async () => {
  await using s = startServer({ routes: echoRoutes });
  assert.deepEqual(await (await fetch(`${s.base}/items/a%20b`)).json(), { id: "a b" });
  assert.equal((await errorOf(await fetch(`${s.base}/items/%E0%A4%A`), 400)).code, "bad_request");
});

Deno.test("createService answers 400 for malformed JSON and 415 for another type", async () => {
  await using s = startServer({ routes: echoRoutes });
  const ok = await fetch(`${s.base}/echo/json`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"a": [1, 2]}',
  });
  assert.deepEqual(await ok.json(), { got: { a: [1, 2] } });
  const bad = await errorOf(
    await fetch(`${s.base}/echo/json`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a": ',
    }),
    400,
  );
  assert.equal(bad.code, "malformed_json");
  assert.match(bad.message, /^Cannot parse the body as JSON: /);
  const wrong = await errorOf(
    await fetch(`${s.base}/echo/json`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    }),
    415,
  );
  assert.equal(wrong.code, "unsupported_media_type");
  assert.equal(wrong.details.content_type, "text/plain");
});

Deno.test("createService answers 413 for a declared body over the limit without reading it", async () => {
  await using s = startServer({ routes: echoRoutes, limits: { maxBodyBytes: 1000 } });
  const ok = await fetch(`${s.base}/echo/bytes`, { method: "POST", body: new Uint8Array(1000) });
  assert.deepEqual(await ok.json(), { bytes: 1000 });
  const e = await errorOf(
    await fetch(`${s.base}/echo/bytes`, { method: "POST", body: new Uint8Array(1001) }),
    413,
  );
  assert.equal(e.code, "payload_too_large");
  assert.equal(e.details.max_body_bytes, 1000);
  assert.equal(e.details.received_bytes, 1001);
});

Deno.test("createService stops reading a streamed body at the limit (413)", async () => {
  await using s = startServer({ routes: echoRoutes, limits: { maxBodyBytes: 256 * 1024 } });
  const chunk = new Uint8Array(64 * 1024);
  const total = 64 * 1024 * 1024;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled >= total) return c.close();
      pulled += chunk.length;
      c.enqueue(chunk);
    },
  });
  const res = await fetch(`${s.base}/echo/bytes`, { method: "POST", body });
  const e = await errorOf(res, 413);
  assert.equal(e.details.max_body_bytes, 256 * 1024);
  assert.ok(pulled < total / 4, `client produced ${pulled} of ${total} bytes before the 413`);
});

Deno.test("createService answers 429 over the concurrency limit and recovers", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered = 0;
  let allIn!: () => void;
  const bothIn = new Promise<void>((r) => (allIn = r));
  await using s = startServer({
    limits: { maxConcurrentRequests: 2 },
    routes: [{
      method: "GET",
      path: "/slow",
      handler: async () => {
        if (++entered === 2) allIn();
        await gate;
        return jsonResponse({ ok: true });
      },
    }],
  });
  const a = fetch(`${s.base}/slow`);
  const b = fetch(`${s.base}/slow`);
  await bothIn;
  const third = await fetch(`${s.base}/slow`);
  assert.equal(third.headers.get("retry-after"), "1");
  const e = await errorOf(third, 429);
  assert.equal(e.code, "too_many_requests");
  assert.equal(e.details.max_concurrent_requests, 2);
  // Health checks are not counted against the limit.
  assert.equal((await (await fetch(`${s.base}/healthz`)).json()).in_flight, 2);
  release();
  assert.equal((await a).status, 200);
  assert.equal((await b).status, 200);
  await (await a).body?.cancel();
  await (await b).body?.cancel();
  const again = await fetch(`${s.base}/slow`);
  assert.equal(again.status, 200);
  await again.body?.cancel();
});

Deno.test("createService answers 504 at the time limit and aborts the handler's signal", async () => {
  let handlerSawAbort = false;
  let handlerDone!: () => void;
  const done = new Promise<void>((r) => (handlerDone = r));
  await using s = startServer({
    limits: { requestTimeoutMs: 100 },
    routes: [{
      method: "GET",
      path: "/stuck",
      handler: async (_req, ctx) => {
        await new Promise<void>((r) => ctx.signal.addEventListener("abort", () => r()));
        handlerSawAbort = true;
        handlerDone();
        return jsonResponse({ late: true });
      },
    }],
  });
  const e = await errorOf(await fetch(`${s.base}/stuck`), 504);
  assert.equal(e.code, "timeout");
  assert.equal(e.details.request_timeout_ms, 100);
  await done;
  assert.ok(handlerSawAbort);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(s.service.stats().inFlight, 0);
});

Deno.test("createService times out a body that arrives too slowly (504)", async () => {
  await using s = startServer({ routes: echoRoutes, limits: { requestTimeoutMs: 150 } });
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(new Uint8Array(10)); // ...and nothing more until the answer came
    },
  });
  const res = await fetch(`${s.base}/echo/bytes`, { method: "POST", body });
  assert.equal((await errorOf(res, 504)).code, "timeout");
  controller.close(); // let the client finish its upload so the connection can end
});

Deno.test("createService hides unexpected handler errors behind a 500 and logs them", async () => {
  await using s = startServer({
    routes: [{
      method: "GET",
      path: "/boom",
      handler: () => {
        throw new Error("secret internals /etc/passwd");
      },
    }, {
      method: "GET",
      path: "/teapot",
      handler: () => {
        throw new HttpError(418, "teapot", "Cannot brew: I am a teapot", { tea: true });
      },
    }],
  });
  const res = await fetch(`${s.base}/boom`);
  const id = res.headers.get("x-request-id");
  const e = await errorOf(res, 500);
  assert.equal(e.code, "internal");
  assert.equal(e.message, "Internal error");
  assert.equal(e.details.request_id, id);
  assert.equal(s.logged.length, 1);
  assert.match(String(s.logged[0]), /secret internals/);
  const t = await errorOf(await fetch(`${s.base}/teapot`), 418);
  assert.deepEqual(t, {
    code: "teapot",
    message: "Cannot brew: I am a teapot",
    details: { tea: true },
  });
});

Deno.test("RequestContext readWav takes a raw audio/wav body", async () => {
  await using s = startServer({ routes: echoRoutes });
  const wav = encodeWav(new Float32Array([0.5, 0.25, -0.25]), { sampleRate: 8000 }) as Uint8Array<
    ArrayBuffer
  >;
  const res = await fetch(`${s.base}/wav`, {
    method: "POST",
    headers: { "content-type": "audio/wav" },
    body: wav,
  });
  const body = await res.json();
  assert.equal(res.status, 200);
  assert.equal(body.rate, 8000);
  assert.equal(body.frames, 3);
  assert.ok(Math.abs(body.sum - 0.5) < 1e-3, `sum ${body.sum}`);
});

Deno.test("RequestContext readWav takes a multipart form with text fields", async () => {
  await using s = startServer({ routes: echoRoutes });
  const form = new FormData();
  form.append("manifest", JSON.stringify({ version: "v1" }));
  form.append(
    "file",
    new Blob([encodeWav(new Float32Array(16), { sampleRate: 16000 }) as Uint8Array<ArrayBuffer>], {
      type: "audio/wav",
    }),
    "a.wav",
  );
  const res = await fetch(`${s.base}/wav`, { method: "POST", body: form });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.frames, 16);
  assert.deepEqual(body.fields, { manifest: '{"version":"v1"}' });
});

Deno.test("RequestContext readWav answers 400 naming the WAV problem, 415 for other types", async () => {
  await using s = startServer({ routes: echoRoutes });
  const post = (body: BodyInit, type: string) =>
    fetch(`${s.base}/wav`, { method: "POST", headers: { "content-type": type }, body });
  const e1 = await errorOf(await post("RIFX....WAVE", "audio/wav"), 400);
  assert.equal(e1.code, "malformed_wav");
  assert.match(e1.message, /^Cannot read WAV: expected "RIFF" at offset 0, found "RIFX"/);
  const e2 = await errorOf(await post("not a form", "multipart/form-data; boundary=zz"), 400);
  assert.equal(e2.code, "malformed_multipart");
  const e3 = await errorOf(await post("x", "application/octet-stream"), 415);
  assert.ok((e3.details.accepted as string[]).includes("audio/wav"));
  const form = new FormData();
  form.append("manifest", "{}");
  const e4 = await errorOf(await fetch(`${s.base}/wav`, { method: "POST", body: form }), 400);
  assert.equal(e4.code, "missing_audio");
  assert.deepEqual(e4.details.parts, ["manifest"]);
});

Deno.test("createService survives hostile requests and keeps serving", async () => {
  await using s = startServer({ routes: echoRoutes, limits: { maxBodyBytes: 4096 } });
  const attempts: Array<[string, RequestInit]> = [
    ["/../../etc/passwd", {}],
    ["/echo/json", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "\xff\xfe",
    }],
    ["/echo/bytes", { method: "POST", headers: { "content-length": "12" }, body: "x".repeat(12) }],
    ["/wav", {
      method: "POST",
      headers: { "content-type": "audio/wav" },
      body: new Uint8Array(44),
    }],
    ["/wav", {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "--x\r\n",
    }],
    ["/wav", {
      method: "POST",
      headers: { "content-type": 'multipart/form-data; boundary="a"' },
      body: '--a\r\ncontent-disposition: form-data; name="file"\r\n\r\n' + "\0".repeat(40),
    }],
    ["/v1/stream", {}],
  ];
  for (const [path, init] of attempts) {
    const res = await fetch(`${s.base}${path}`, init);
    assert.ok(res.status < 500 || res.status === 504, `${path}: ${res.status}`);
    await res.body?.cancel();
  }
  assert.equal((await fetch(`${s.base}/healthz`)).status, 200);
  assert.equal(s.logged.length, 0, String(s.logged));
});

// ---- WebSocket stream --------------------------------------------------------------

interface FakeLog {
  starts: StreamStart[];
  frames: number[][];
  closes: number;
}

/** A fake streaming pipeline: one event per frame (count and sum), a flush at close. */
function fakeHandler(log: FakeLog): StreamHandler {
  let total = 0;
  return {
    onStart(start) {
      log.starts.push(start);
      return [{ type: "started", sample_rate: start.sampleRate }];
    },
    async onAudio(samples) {
      await Promise.resolve();
      log.frames.push([...samples]);
      total += samples.length;
      const out = new Uint8Array(new Float32Array([samples.length]).buffer);
      return [{ type: "frame", n: samples.length, sum: samples.reduce((a, b) => a + b, 0) }, out];
    },
    onClose() {
      log.closes++;
      return [{ type: "flush", total }];
    },
  };
}

const newLog = (): FakeLog => ({ starts: [], frames: [], closes: 0 });

Deno.test("stream runs start, s16 and f32 frames, and stop with the handler's flush", async () => {
  const log = newLog();
  await using s = startServer({ stream: () => fakeHandler(log) });
  for (const format of ["s16", "f32"] as const) {
    const c = new WsClient(`${s.ws}/v1/stream`);
    await c.opened;
    c.send({ type: "start", sample_rate: 16000, format, pipeline: "voice-frontend" });
    const frame = format === "s16"
      ? new Int16Array([16384, -32768, 0, 8192])
      : new Float32Array([0.5, -1, 0, 0.25]);
    c.send(frame);
    c.send(frame);
    c.send({ type: "stop" });
    const closed = await c.closed;
    assert.equal(closed.code, 1000);
    const types = c.messages.map((m) => m instanceof Uint8Array ? "bytes" : m.type);
    assert.deepEqual(types, [
      "started",
      "ready",
      "frame",
      "bytes",
      "frame",
      "bytes",
      "flush",
      "end",
    ]);
    assert.deepEqual(c.ofType("frame")[0], { type: "frame", n: 4, sum: -0.25 });
    assert.deepEqual(c.ofType("flush")[0], { type: "flush", total: 8 });
    assert.deepEqual([...new Float32Array((c.messages[3] as Uint8Array).slice().buffer)], [4]);
  }
  assert.equal(log.starts.length, 2);
  assert.equal(log.starts[0]!.pipeline, "voice-frontend");
  assert.equal(log.starts[0]!.format, "s16");
  assert.equal(log.starts[0]!.channels, 1);
  assert.deepEqual(log.frames[0], [0.5, -1, 0, 0.25]);
  assert.deepEqual(log.frames[2], [0.5, -1, 0, 0.25]);
  assert.equal(log.closes, 2);
});

async function streamError(
  base: string,
  steps: (c: WsClient) => void,
): Promise<{ code: number; error: Record<string, unknown> }> {
  const c = new WsClient(`${base}/v1/stream`);
  await c.opened;
  steps(c);
  const closed = await c.closed;
  const err = c.ofType("error")[0];
  assert.ok(err, `no error message; got ${JSON.stringify(c.messages)}`);
  return { code: closed.code, error: err.error as Record<string, unknown> };
}

Deno.test("stream rejects audio before start and bad start messages (1008)", async () => {
  const log = newLog();
  await using s = startServer({ stream: () => fakeHandler(log) });
  let r = await streamError(s.ws, (c) => c.send(new Int16Array(4)));
  assert.equal(r.code, 1008);
  assert.equal(r.error.code, "start_required");
  r = await streamError(s.ws, (c) => c.send({ type: "start", sample_rate: 16000, format: "u8" }));
  assert.equal(r.code, 1008);
  assert.equal(r.error.code, "bad_start");
  assert.match(String(r.error.message), /format "u8" is not "s16" or "f32"/);
  r = await streamError(s.ws, (c) => c.send({ type: "start", sample_rate: -5 }));
  assert.deepEqual(r.error.details, { field: "sample_rate" });
  r = await streamError(s.ws, (c) => c.send("{not json"));
  assert.equal(r.code, 1007);
  assert.equal(r.error.code, "malformed_json");
  assert.equal(log.closes, 0);
});

Deno.test("stream rejects a frame that is not whole samples (1007) and closes the handler", async () => {
  const log = newLog();
  await using s = startServer({ stream: () => fakeHandler(log) });
  const r = await streamError(s.ws, (c) => {
    c.send({ type: "start", sample_rate: 16000, format: "f32", channels: 2 });
    c.send(new Uint8Array(12));
  });
  assert.equal(r.code, 1007);
  assert.equal(r.error.code, "bad_frame");
  assert.deepEqual(r.error.details, { bytes: 12, frame_bytes: 8 });
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(log.closes, 1);
});

Deno.test("stream closes with 1009 for a frame over wsMaxFrameBytes", async () => {
  const log = newLog();
  await using s = startServer({ stream: () => fakeHandler(log), limits: { wsMaxFrameBytes: 640 } });
  const r = await streamError(s.ws, (c) => {
    c.send({ type: "start", sample_rate: 16000 });
    c.send(new Int16Array(320));
    c.send(new Int16Array(321));
  });
  assert.equal(r.code, 1009);
  assert.equal(r.error.code, "frame_too_large");
  assert.deepEqual(r.error.details, { ws_max_frame_bytes: 640, received_bytes: 642 });
});

Deno.test("stream closes an idle connection (1008 idle_timeout) and closes the handler", async () => {
  const log = newLog();
  await using s = startServer({ stream: () => fakeHandler(log), limits: { wsIdleTimeoutMs: 100 } });
  const r = await streamError(s.ws, (c) => c.send({ type: "start", sample_rate: 16000 }));
  assert.equal(r.code, 1008);
  assert.equal(r.error.code, "idle_timeout");
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(log.closes, 1);
  assert.equal(s.service.stats().streams, 0);
});

Deno.test("stream calls onClose once when the client just disconnects", async () => {
  const log = newLog();
  await using s = startServer({ stream: () => fakeHandler(log) });
  const c = new WsClient(`${s.ws}/v1/stream`);
  await c.opened;
  c.send({ type: "start", sample_rate: 16000 });
  c.send(new Int16Array(160));
  await c.waitFor(4);
  c.socket.close(1000);
  await c.closed;
  for (let i = 0; i < 50 && s.service.stats().streams > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(log.closes, 1);
  assert.equal(s.service.stats().streams, 0);
});

Deno.test("stream answers 426 without an upgrade and 429 over maxStreams", async () => {
  const log = newLog();
  await using s = startServer({ stream: () => fakeHandler(log), limits: { maxStreams: 1 } });
  const e = await errorOf(await fetch(`${s.base}/v1/stream`), 426);
  assert.equal(e.code, "upgrade_required");
  const first = new WsClient(`${s.ws}/v1/stream`);
  await first.opened;
  const second = new WebSocket(`${s.ws}/v1/stream`);
  const failed = await new Promise<boolean>((resolve) => {
    second.onerror = () => resolve(true);
    second.onopen = () => resolve(false);
  });
  assert.ok(failed, "second stream was accepted");
  const res = await fetch(`${s.base}/v1/stream`, {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    },
  });
  assert.equal((await errorOf(res, 429)).code, "too_many_requests");
  first.send({ type: "stop" });
  await first.closed;
});

Deno.test("stream turns a handler exception into close 1011 and logs it", async () => {
  await using s = startServer({
    stream: () => ({
      onStart: () => {},
      onAudio: () => {
        throw new Error("kernel exploded");
      },
      onClose: () => {},
    }),
  });
  const r = await streamError(s.ws, (c) => {
    c.send({ type: "start", sample_rate: 16000 });
    c.send(new Int16Array(10));
  });
  assert.equal(r.code, 1011);
  assert.deepEqual(r.error, {
    code: "internal",
    message: "The stream handler failed",
    details: {},
  });
  assert.match(String(s.logged[0]), /kernel exploded/);
});
