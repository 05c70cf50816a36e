import assert from "node:assert/strict";
import { parseMultipart, readBody, readUpload } from "../src/server/body.ts";
import { HttpError } from "../src/server/errors.ts";
import { rng } from "./_util.ts";

/** Serialize a FormData with the platform's own encoder (the independent producer). */
async function serialize(form: FormData): Promise<{ body: Uint8Array; type: string }> {
  const req = new Request("http://x/", { method: "POST", body: form });
  return {
    body: new Uint8Array(await req.arrayBuffer()),
    type: req.headers.get("content-type")!,
  };
}

async function rejectsWith(p: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof HttpError, String(e));
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    return true;
  });
}

Deno.test("parseMultipart reads what the platform's FormData encoder writes", async () => {
  const r = rng(11);
  const binary = new Uint8Array(5000).map(() => Math.floor(r() * 256));
  // Bytes that look like line breaks and dashes inside the data must survive.
  binary.set(new TextEncoder().encode("\r\n--\r\n\r\n--"), 100);
  const form = new FormData();
  form.append("manifest", '{"version": "v1", "name": "ünïcode"}');
  form.append("file", new Blob([binary], { type: "audio/wav" }), 'my "clip".wav');
  form.append("empty", "");
  const { body, type } = await serialize(form);
  const parts = parseMultipart(body, type);
  assert.deepEqual(parts.map((p) => p.name), ["manifest", "file", "empty"]);
  assert.equal(new TextDecoder().decode(parts[0]!.data), '{"version": "v1", "name": "ünïcode"}');
  assert.equal(parts[1]!.contentType, "audio/wav");
  assert.equal(parts[1]!.filename, 'my "clip".wav');
  assert.deepEqual(parts[1]!.data, binary);
  assert.equal(parts[1]!.data.buffer, body.buffer, "parts view the body (no copy)");
  assert.equal(parts[2]!.data.length, 0);
});

Deno.test("parseMultipart accepts a preamble and a quoted boundary", () => {
  const text =
    'preamble\r\n--q"b\r\ncontent-disposition: form-data; name=a\r\n\r\n1\r\n--q"b--\r\n';
  const body = new TextEncoder().encode(text.replaceAll('q"b', "q b"));
  const parts = parseMultipart(body, 'multipart/form-data; boundary="q b"');
  assert.equal(parts.length, 1);
  assert.equal(parts[0]!.name, "a");
  assert.equal(new TextDecoder().decode(parts[0]!.data), "1");
});

Deno.test("parseMultipart names what is malformed", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const t = "multipart/form-data; boundary=b";
  const cases: Array<[string, string, RegExp]> = [
    ["--b\r\n\r\n", "multipart/form-data", /no usable boundary/],
    ["hello", t, /boundary "b" not found/],
    ["x--b\r\n", t, /first boundary does not start a line/],
    ["--b\r\ncontent-disposition: form-data; name=a\r\n\r\nno end", t, /part 0 is not closed/],
    ["--b\r\nbroken header\r\n\r\nx\r\n--b--", t, /part 0 has a bad header line/],
    ["--b\r\ncontent-type: text/plain\r\n\r\nx\r\n--b--", t, /no "content-disposition: form-data"/],
    ["--b\r\ncontent-disposition: form-data\r\n\r\nx\r\n--b--", t, /part 0 has no name/],
    ["--bXX", t, /expected CRLF after the boundary/],
  ];
  for (const [body, type, re] of cases) {
    assert.throws(() => parseMultipart(enc(body), type), (e) => {
      assert.ok(e instanceof HttpError && e.status === 400 && e.code === "malformed_multipart");
      assert.match(e.message, re, body);
      return true;
    });
  }
});

Deno.test("readBody reads a body of unknown length up to the limit exactly", async () => {
  for (const n of [0, 1, 65535, 65536, 65537, 200_000]) {
    const data = new Uint8Array(n).map((_, i) => i * 7);
    const chunks = [data.subarray(0, n >> 1), data.subarray(n >> 1)];
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next === undefined) c.close();
        else c.enqueue(next.slice());
      },
    });
    const req = new Request("http://x/", { method: "POST", body });
    const got = await readBody(req, { maxBytes: 200_000 });
    assert.deepEqual(got, data, `n = ${n}`);
  }
});

Deno.test("readBody refuses bodies over the limit, declared or streamed", async () => {
  const big = new Request("http://x/", { method: "POST", body: new Uint8Array(11) });
  await rejectsWith(readBody(big, { maxBytes: 10 }), 413, "payload_too_large");
  let pulls = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      pulls++;
      c.enqueue(new Uint8Array(1024));
    },
  });
  const req = new Request("http://x/", { method: "POST", body: endless });
  await rejectsWith(readBody(req, { maxBytes: 10_000 }), 413, "payload_too_large");
  assert.ok(pulls <= 12, `pulled ${pulls} chunks`);
  const badLength = new Request("http://x/", {
    method: "POST",
    body: "abc",
    headers: { "content-length": "3x" },
  });
  await rejectsWith(readBody(badLength, { maxBytes: 10 }), 400, "bad_request");
});

Deno.test("readBody stops when its signal aborts", async () => {
  const ac = new AbortController();
  const never = new ReadableStream<Uint8Array>({ pull() {} });
  const req = new Request("http://x/", { method: "POST", body: never });
  const p = readBody(req, { maxBytes: 100, signal: ac.signal });
  ac.abort(new HttpError(504, "timeout", "too slow"));
  await rejectsWith(p, 504, "timeout");
});

Deno.test("readUpload picks the audio part by name, then by filename or type", async () => {
  const wav = new Uint8Array([1, 2, 3]);
  const make = async (name: string, filename?: string) => {
    const form = new FormData();
    form.append("manifest", "{}");
    if (filename) form.append(name, new Blob([wav]), filename);
    else form.append(name, new Blob([wav], { type: "audio/x-wav" }));
    const { body, type } = await serialize(form);
    return new Request("http://x/", {
      method: "POST",
      headers: { "content-type": type },
      body: body as Uint8Array<ArrayBuffer>,
    });
  };
  for (const [name, filename] of [["audio", undefined], ["file", "a.wav"], ["clip", "c.wav"]]) {
    const up = await readUpload(await make(name!, filename), { maxBytes: 1 << 20 });
    assert.equal(up.kind, "multipart");
    assert.deepEqual(up.audio, wav, `part ${name}`);
    assert.deepEqual(up.fields, { manifest: "{}" });
  }
  const named = await readUpload(await make("clip", "c.wav"), {
    maxBytes: 1 << 20,
    audioField: "other",
  });
  assert.equal(named.audio, undefined);
  const raw = new Request("http://x/", {
    method: "POST",
    headers: { "content-type": "audio/x-wav; codec=1" },
    body: wav,
  });
  const up = await readUpload(raw, { maxBytes: 10 });
  assert.equal(up.kind, "raw");
  assert.deepEqual(up.audio, wav);
});
