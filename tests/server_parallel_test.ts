// `deno serve --parallel src/server/serve.ts` as a subprocess: two isolates, each loading
// the native library, answering concurrent requests on fresh connections with the same
// results as the library computes directly.
import assert from "node:assert/strict";
import { decodeNpy } from "../src/io/npy.ts";
import { decodeWav } from "../src/io/wav.ts";
import { resample } from "../src/dsp/resample.ts";
import { whisperLogMel } from "../src/dsp/mel.ts";
import { detectSpeechSilero } from "../src/device/silero.ts";
import { locateOrt, locateSilero } from "../src/device/_locate.ts";
import { testdata } from "./_util.ts";

const sileroReady = locateOrt().path !== undefined && locateSilero().path !== undefined;
if (!sileroReady) {
  console.warn(
    "server_parallel_test: SKIPPING the Silero requests: ONNX Runtime or the Silero model is " +
      "missing; run `deno task setup-models`",
  );
}

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

/** One request on its own connection (so the kernel can hand it to any isolate). */
async function fresh(url: string, init?: RequestInit): Promise<Response> {
  using client = Deno.createHttpClient({});
  const res = await fetch(url, { ...init, client });
  const body = new Uint8Array(await res.arrayBuffer());
  return new Response(body, { status: res.status, headers: res.headers });
}

Deno.test("serve.ts under deno serve --parallel answers concurrent requests from every isolate", async () => {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--allow-all",
      "--parallel",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "src/server/serve.ts",
    ],
    cwd: ROOT,
    env: { DENO_JOBS: "2", REMOTEMEDIA_MAX_CONCURRENCY: "64", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const drain = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) log += chunk;
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  try {
    // Wait until both isolates answer (each starts on its own: native library, Silero).
    const started = new Set<string>();
    for (let i = 0; i < 600 && started.size < 2; i++) {
      try {
        const h = await fresh(`${base}/healthz`);
        if (h.status === 200) started.add((await h.json()).isolate);
      } catch {
        // not listening yet
      }
      if (started.size < 2) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(started.size, 2, `two isolates did not start; the server's output:\n${log}`);

    const bytes = Deno.readFileSync(testdata("vad/vad01_clean_48k.wav"));
    const ref = whisperLogMel(resample(decodeWav(bytes).samples, 48000, 16000));
    const mel = () =>
      fresh(`${base}/v1/audio/mel`, {
        method: "POST",
        headers: { "content-type": "audio/wav" },
        body: bytes,
      });
    const vad = () =>
      fresh(`${base}/v1/audio/vad?engine=silero`, {
        method: "POST",
        headers: { "content-type": "audio/wav" },
        body: bytes,
      });
    const health = () => fresh(`${base}/healthz`);
    const [mels, vads, healths] = await Promise.all([
      Promise.all(Array.from({ length: 16 }, mel)),
      Promise.all(Array.from({ length: sileroReady ? 8 : 0 }, vad)),
      Promise.all(Array.from({ length: 32 }, health)),
    ]);
    if (sileroReady) {
      const x16 = resample(decodeWav(bytes).samples, 48000, 16000);
      const expected = (await detectSpeechSilero(x16)).segments;
      for (const [i, res] of vads.entries()) {
        const body = await res.json();
        assert.equal(res.status, 200, `vad request ${i}: ${JSON.stringify(body)}`);
        assert.deepEqual(body.segments, expected, `vad request ${i}`);
      }
    }
    for (const [i, res] of mels.entries()) {
      assert.equal(res.status, 200, `mel request ${i}: ${res.status}`);
      const npy = decodeNpy(new Uint8Array(await res.arrayBuffer()));
      assert.deepEqual(npy.shape, [80, ref.nFrames]);
      const bad = npy.data.findIndex((v, k) => v !== ref.data[k]);
      assert.equal(
        bad,
        -1,
        `mel request ${i}: index ${bad}: expected ${ref.data[bad]}, actual ${npy.data[bad]}`,
      );
    }
    // Both isolates answered at startup; which one takes each later connection is the
    // kernel's choice (SO_REUSEPORT), so count them together.
    const isolates = new Set<string>(started);
    for (const res of healths) {
      const h = await res.json();
      assert.equal(h.native.loaded, true, "every isolate loads the native library");
      isolates.add(h.isolate);
    }
    assert.equal(isolates.size, 2, `isolates seen: ${[...isolates].join(", ")}`);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await drained;
  }
});
