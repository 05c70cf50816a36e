import assert from "node:assert/strict";
import {
  type AudioData,
  decodeWav,
  encodeWav,
  PipelineBuilder,
  type WavEncoding,
  wavFrames,
  type WavFramesOptions,
} from "../mod.ts";
import { firstMismatch, rng, testdata } from "./_util.ts";

/** Split bytes into chunks of the given sizes (cycled). */
function chunks(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0, k = 0; off < bytes.length; k++) {
    const n = sizes[k % sizes.length]!;
    out.push(bytes.subarray(off, off + n));
    off += n;
  }
  return out;
}

async function frame(parts: Uint8Array[], options?: WavFramesOptions): Promise<AudioData[]> {
  const out: AudioData[] = [];
  for await (const f of ReadableStream.from(parts).pipeThrough(wavFrames(options))) out.push(f);
  return out;
}

function concat(fs: AudioData[]): Float32Array {
  const out = new Float32Array(fs.reduce((a, f) => a + f.samples.length, 0));
  let off = 0;
  for (const f of fs) {
    out.set(f.samples, off);
    off += f.samples.length;
  }
  return out;
}

/** A float64 WAV (format tag 3, 44-byte header), written by hand. */
function float64Wav(x: Float32Array, rate: number, channels: number): Uint8Array {
  const out = new Uint8Array(44 + x.length * 8);
  const dv = new DataView(out.buffer);
  const put = (off: number, s: string) =>
    [...s].forEach((c, i) => (out[off + i] = c.charCodeAt(0)));
  put(0, "RIFF");
  dv.setUint32(4, out.length - 8, true);
  put(8, "WAVE");
  put(12, "fmt ");
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 3, true);
  dv.setUint16(22, channels, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, rate * channels * 8, true);
  dv.setUint16(32, channels * 8, true);
  dv.setUint16(34, 64, true);
  put(36, "data");
  dv.setUint32(40, x.length * 8, true);
  x.forEach((v, i) => dv.setFloat64(44 + 8 * i, v, true));
  return out;
}

const ENCODINGS: WavEncoding[] = ["pcm8", "pcm16", "pcm24", "pcm32", "float32", "float64"];

Deno.test("wavFrames equals decodeWav over encodings, channels and chunkings", async () => {
  const r = rng(21);
  const rate = 16000;
  for (const channels of [1, 2, 3]) {
    const x = Float32Array.from({ length: 1234 * channels }, () => r() * 1.8 - 0.9);
    for (const encoding of ENCODINGS) {
      // encodeWav cannot write float64 (its data offset, 44 or 68, is not 8-aligned).
      const bytes = encoding === "float64"
        ? float64Wav(x, rate, channels)
        : encodeWav(x, { sampleRate: rate, channels, encoding });
      const want = decodeWav(bytes).samples;
      for (const sizes of [[1], [7, 13], [4096], [bytes.length]]) {
        const what = `${channels} ch ${encoding} chunks ${sizes}`;
        const got = await frame(chunks(bytes, sizes), { frameMs: 20 });
        assert.deepEqual(
          got.map((f) => f.samples.length / channels),
          [320, 320, 320, 274],
          what,
        );
        const i = firstMismatch(concat(got), want);
        assert.equal(i, -1, `${what}: at ${i}: expected ${want[i]}, got ${concat(got)[i]}`);
        got.forEach((f, k) => {
          assert.equal(f.timestamp, (k * 320) / rate, `${what}: timestamp ${k}`);
          assert.equal(f.sampleRate, rate);
          assert.equal(f.channels, channels);
        });
      }
    }
  }
});

Deno.test("wavFrames frame sizes: frameMs, frameSamples and remainder modes", async () => {
  const x = new Float32Array(1000).fill(0.25);
  const bytes = encodeWav(x, { sampleRate: 44100 });
  const sizes = async (o: WavFramesOptions) =>
    (await frame([bytes], o)).map((f) => f.samples.length);
  assert.deepEqual(await sizes({ frameMs: 10 }), [441, 441, 118]);
  assert.deepEqual(await sizes({ frameSamples: 333 }), [333, 333, 333, 1]);
  assert.deepEqual(await sizes({ frameSamples: 333, remainder: "drop" }), [333, 333, 333]);
  const padded = await frame([bytes], { frameSamples: 333, remainder: "pad" });
  assert.deepEqual(padded.map((f) => f.samples.length), [333, 333, 333, 333]);
  assert.equal(padded[3]!.samples[0], 0.25);
  assert.ok(padded[3]!.samples.subarray(1).every((v) => v === 0));
  assert.throws(() => wavFrames({ frameMs: 0 }), {
    name: "RangeError",
    message: "Cannot frame WAV audio: frameMs 0 is not a positive number",
  });
});

Deno.test("wavFrames skips chunks before data and stops at the data chunk's end", async () => {
  const x = Float32Array.from({ length: 500 }, (_, i) => Math.sin(i / 10) * 0.5);
  const wav = encodeWav(x, { sampleRate: 8000 });
  // Insert a LIST chunk (odd size, padded) between "fmt " and "data", append a trailing chunk.
  const list = new Uint8Array(
    [..."LIST"].map((c) => c.charCodeAt(0)).concat([5, 0, 0, 0, 1, 2, 3, 4, 5, 0]),
  );
  const tail = new Uint8Array(
    [..."junk"].map((c) => c.charCodeAt(0)).concat([4, 0, 0, 0, 9, 9, 9, 9]),
  );
  const bytes = new Uint8Array(wav.length + list.length + tail.length);
  bytes.set(wav.subarray(0, 36));
  bytes.set(list, 36);
  bytes.set(wav.subarray(36), 36 + list.length);
  bytes.set(tail, wav.length + list.length);
  const got = concat(await frame(chunks(bytes, [5, 11])));
  assert.equal(firstMismatch(got, decodeWav(wav).samples), -1);
});

Deno.test("wavFrames reports malformed streams with the decodeWav messages", async () => {
  await assert.rejects(() => frame([new TextEncoder().encode("OggS not a wave file")]), {
    name: "TypeError",
    message: 'Cannot read WAV: expected "RIFF" at offset 0, found "OggS"',
  });
  const wav = encodeWav(new Float32Array(10), { sampleRate: 8000 });
  await assert.rejects(() => frame([wav.subarray(0, 30)]), {
    name: "TypeError",
    message: 'Cannot read WAV: "fmt " chunk is truncated (16 bytes)',
  });
  const alaw = wav.slice();
  new DataView(alaw.buffer).setUint16(20, 6, true);
  await assert.rejects(() => frame([alaw]), {
    message: "Cannot read WAV: format tag 0x0006 (A-law) is not supported; supported: PCM (1), " +
      "IEEE float (3), extensible (0xfffe) with a PCM or float subformat",
  });
});

Deno.test("wavFrames frames a test WAV file through a pipeline with pipeThrough", async () => {
  const dir = testdata("vad");
  const wavName = [...Deno.readDirSync(dir)].map((e) => e.name).find((n) => n.endsWith(".wav"));
  assert.ok(wavName, "a WAV file in shared/testdata/vad");
  const path = `${dir}/${wavName}`;
  const want = decodeWav(Deno.readFileSync(path));
  const pipe = new PipelineBuilder("file").add("p", "PassThrough").build();
  const file = await Deno.open(path);
  const out = file.readable
    .pipeThrough(wavFrames({ frameMs: 20 }))
    .pipeThrough(pipe.toTransformStream());
  const frames: AudioData[] = [];
  for await (const o of out) frames.push(o.data as AudioData);
  const per = Math.round(want.sampleRate * 0.02);
  assert.equal(frames.length, Math.ceil(want.frames / per));
  assert.ok(frames.slice(0, -1).every((f) => f.samples.length === per * want.channels));
  assert.equal(firstMismatch(concat(frames), want.samples), -1);
  assert.equal(pipe.metrics().node_metrics[0]!.execution_count, frames.length);
});

Deno.test("wavFrames reads the source only as frames are taken (backpressure)", async () => {
  const bytes = encodeWav(new Float32Array(16000), { sampleRate: 16000 }); // 1 s, 50 frames
  let pulls = 0;
  let off = 0;
  const src = new ReadableStream<Uint8Array>({
    pull(c) {
      if (off >= bytes.length) return c.close();
      pulls++;
      c.enqueue(bytes.subarray(off, off + 640)); // one 20 ms frame of PCM16 per chunk
      off += 640;
    },
  }, { highWaterMark: 0 });
  const reader = src.pipeThrough(wavFrames({ frameMs: 20 })).getReader();
  await reader.read();
  await reader.read();
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(pulls <= 6, `pulled ${pulls} chunks for 2 frames`);
  let n = 2;
  while (!(await reader.read()).done) n++;
  assert.equal(n, 50);
});
