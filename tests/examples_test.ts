// Every example in examples/ runs as the README shows it and prints what it claims.
import assert from "node:assert/strict";
import { withDir } from "./_cli.ts";
import { decodeWav } from "../src/io/wav.ts";
import { decodeNpy } from "../src/io/npy.ts";
import { locateOrt, locateSilero } from "../src/device/_locate.ts";

const dec = new TextDecoder();
const ex = (name: string) => new URL(`../examples/${name}`, import.meta.url).pathname;

async function run(args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    ...(cwd ? { cwd } : {}),
  }).output();
  const text = dec.decode(out.stdout);
  assert.equal(out.code, 0, `${args.join(" ")}\n${text}\n${dec.decode(out.stderr)}`);
  return text;
}

Deno.test("examples/stream_vad.ts prints paired speech starts and ends", async () => {
  const out = await run([ex("stream_vad.ts")]);
  const starts = out.match(/speech starts at/g)?.length ?? 0;
  const ends = out.match(/speech ends +at/g)?.length ?? 0;
  assert.ok(starts >= 2 && starts === ends, out);
  assert.match(out, /classic VAD: 397 frames/);
});

Deno.test("examples/resample_file.ts writes the resampled file", async () => {
  await withDir(async (dir) => {
    const out = await run([
      ex("resample_file.ts"),
      ex("assets/demo_speech.wav"),
      `${dir}/r.wav`,
      "8000",
    ]);
    assert.match(out, /-> .*r\.wav: 63392 frames @ 8000 Hz/);
    const w = decodeWav(await Deno.readFile(`${dir}/r.wav`));
    assert.equal(w.sampleRate, 8000);
    assert.equal(w.frames, 63392);
  });
});

Deno.test("examples/whisper_features.ts writes an [80, n] .npy", async () => {
  await withDir(async (dir) => {
    await run([ex("whisper_features.ts"), ex("assets/demo_speech.wav"), `${dir}/f.npy`]);
    const a = decodeNpy(await Deno.readFile(`${dir}/f.npy`));
    assert.deepEqual(a.shape, [80, 792]);
  });
});

Deno.test("examples/custom_node.ts runs a user-registered node in a pipeline", async () => {
  const out = await run([ex("custom_node.ts")]);
  assert.match(out, /^80 frames of 100 ms; level \(dBFS\): -?\d/m);
  assert.match(out, /Loudness node: 80 calls/);
});

Deno.test("examples/service_client.ts talks to the service over HTTP and WebSocket", async () => {
  const out = await run([ex("service_client.ts")]);
  assert.match(out, /POST \/v1\/audio\/vad -> 200/);
  assert.match(out, /POST \/v1\/audio\/mel -> 200, \.npy shape \[80,792\]/);
  assert.match(out, /event speech_start at/);
  assert.match(out, /tensor from mel: float32 \[80,792\]/);
  assert.match(out, /end of stream/);
});

Deno.test({
  name: "examples/stream_vad.ts --engine silero uses the Silero model",
  ignore: locateOrt().path === undefined || locateSilero().path === undefined,
  async fn() {
    const out = await run([ex("stream_vad.ts"), "--engine", "silero"]);
    assert.match(out, /silero VAD: \d+ frames/);
  },
});
