import assert from "node:assert/strict";
import { z } from "zod";
import {
  audio,
  type AudioData,
  createRegistry,
  PipelineBuilder,
  type PipelineOutput,
  Reframer,
  text,
} from "../mod.ts";
import { firstMismatch, rng } from "./_util.ts";

/** A seeded signal of `frames` frames x `channels`. */
function signal(frames: number, channels: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: frames * channels }, () => r() * 2 - 1);
}

/** Cut `x` into audio items of the given sizes (frames per item, cycled). */
function chunk(x: Float32Array, rate: number, channels: number, sizes: number[]): AudioData[] {
  const out: AudioData[] = [];
  let off = 0;
  for (let k = 0; off < x.length; k++) {
    const n = Math.min(sizes[k % sizes.length]! * channels, x.length - off);
    out.push(audio(x.subarray(off, off + n), rate, channels, { timestamp: off / channels / rate }));
    off += n;
  }
  return out;
}

function frames(out: PipelineOutput[]): AudioData[] {
  return out.map((o) => {
    assert.equal(o.data.type, "audio");
    return o.data as AudioData;
  });
}

function concat(fs: AudioData[]): Float32Array {
  const total = fs.reduce((a, f) => a + f.samples.length, 0);
  const out = new Float32Array(total);
  let off = 0;
  for (const f of fs) {
    out.set(f.samples, off);
    off += f.samples.length;
  }
  return out;
}

const CHUNKINGS: Record<string, number[]> = {
  "20 ms": [320],
  "10 ms": [160],
  "one item": [1e9],
  "odd sizes": [1, 7, 333, 2, 1023, 64],
};

Deno.test("Reframer output equals the batch result over frame sizes and chunkings", async () => {
  const rate = 16000;
  for (const channels of [1, 2]) {
    const x = signal(4000 + 13, channels, 7 + channels);
    for (const frameSize of [1, 7, 160, 441, 512, 4013]) {
      const pipe = new PipelineBuilder().add("c", "Chunker", { frame_size: frameSize }).build();
      const batch = frames(await pipe.run(audio(x, rate, channels)));
      for (const [name, sizes] of Object.entries(CHUNKINGS)) {
        const what = `${channels} ch, frame ${frameSize}, ${name}`;
        const got = frames(await pipe.run(chunk(x, rate, channels, sizes)));
        assert.equal(got.length, batch.length, what);
        for (let k = 0; k < got.length; k++) {
          assert.equal(got[k]!.samples.length, frameSize * channels, `${what}: frame ${k} size`);
          const dt = Math.abs(got[k]!.timestamp - batch[k]!.timestamp);
          assert.ok(dt < 1e-9, `${what}: frame ${k} timestamp ${got[k]!.timestamp}`);
          const i = firstMismatch(got[k]!.samples, batch[k]!.samples);
          assert.equal(i, -1, `${what}: frame ${k} differs at ${i}`);
        }
        // The frames hold the signal, zero-padded to a whole frame.
        const all = concat(got);
        const expectLen = Math.ceil(x.length / channels / frameSize) * frameSize * channels;
        assert.equal(all.length, expectLen, what);
        const i = firstMismatch(all.subarray(0, x.length), x);
        assert.equal(i, -1, `${what}: sample ${i}: expected ${x[i]}, got ${all[i]}`);
        assert.ok(all.subarray(x.length).every((v) => v === 0), `${what}: padding is zeros`);
      }
    }
  }
});

Deno.test("Reframer timestamps follow the first sample of each frame", async () => {
  const pipe = new PipelineBuilder().add("c", "Chunker", { frame_size: 300 }).build();
  const x = signal(1000, 1, 3);
  const got = frames(await pipe.run(chunk(x, 16000, 1, [7, 320, 33])));
  assert.deepEqual(got.map((f) => Math.round(f.timestamp * 16000)), [0, 300, 600, 900]);
});

Deno.test("Reframer remainder modes: pad, short, drop", async () => {
  const x = signal(1000, 2, 5);
  const run = async (remainder: string) => {
    const pipe = new PipelineBuilder().add("c", "Chunker", { frame_size: 300, remainder }).build();
    return frames(await pipe.run(chunk(x, 8000, 2, [111])));
  };
  assert.deepEqual((await run("pad")).map((f) => f.samples.length), [600, 600, 600, 600]);
  const short = await run("short");
  assert.deepEqual(short.map((f) => f.samples.length), [600, 600, 600, 200]);
  assert.equal(firstMismatch(concat(short), x), -1);
  assert.deepEqual((await run("drop")).map((f) => f.samples.length), [600, 600, 600]);
});

Deno.test("Reframer frame_ms follows the stream's sample rate", async () => {
  const pipe = new PipelineBuilder().add("c", "Chunker", { frame_ms: 20 }).build();
  for (const rate of [8000, 16000, 44100, 48000]) {
    const got = frames(await pipe.run(chunk(signal(rate / 10, 1, 1), rate, 1, [128])));
    assert.equal(got[0]!.samples.length, Math.round(rate * 0.02), `${rate} Hz`);
  }
});

Deno.test("Reframer passes whole frames as views and an exact frame as the same item", async () => {
  const pipe = new PipelineBuilder().add("c", "Chunker", { frame_size: 160 }).build();
  const exact = audio(new Float32Array(160), 16000);
  assert.equal((await pipe.run(exact))[0]!.data, exact);
  const big = audio(new Float32Array(480), 16000);
  const got = frames(await pipe.run(big));
  assert.equal(got.length, 3);
  for (const [k, f] of got.entries()) {
    assert.equal(f.samples.buffer, big.samples.buffer, `frame ${k} views the input`);
    assert.equal(f.samples.byteOffset, k * 160 * 4);
  }
});

Deno.test("Reframer interleaves planar input", async () => {
  const pipe = new PipelineBuilder().add("c", "Chunker", { frame_size: 2 }).build();
  // planar: L = [1, 2, 3, 4], R = [5, 6, 7, 8]
  const planar = audio(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), 8000, 2, { interleaved: false });
  const got = frames(await pipe.run(planar));
  assert.deepEqual(got.map((f) => [...f.samples]), [[1, 5, 2, 6], [3, 7, 4, 8]]);
  assert.ok(got.every((f) => f.interleaved));
});

Deno.test("Reframer ends the frame when the format changes", () => {
  const r = new Reframer(4, { remainder: "short" });
  const got: AudioData[] = [];
  r.push(audio(new Float32Array([1, 2, 3]), 8000), (f) => got.push(f));
  r.push(audio(new Float32Array([4, 5, 6, 7, 8]), 16000), (f) => got.push(f));
  r.finish((f) => got.push(f));
  assert.deepEqual(got.map((f) => [f.sampleRate, ...f.samples]), [
    [8000, 1, 2, 3],
    [16000, 4, 5, 6, 7],
    [16000, 8],
  ]);
});

Deno.test("Reframer rejects a bad frame size", () => {
  assert.throws(() => new Reframer(0), {
    name: "RangeError",
    message: "Cannot re-frame audio: frame size 0 is not a positive integer",
  });
  const r = new Reframer(() => 2.5);
  assert.throws(() => r.push(audio(new Float32Array(4), 8000), () => {}), {
    message: "Cannot re-frame audio: frame size 2.5 is not a positive integer",
  });
});

Deno.test("Pipeline re-frames upstream audio for a node that declares frameSize", async () => {
  // A model-like node that only accepts 512-sample windows.
  const seen: number[] = [];
  const registry = createRegistry().register("Window512", z.object({}), () => ({
    frameSize: 512,
    process(d) {
      if (d.type === "audio") {
        if (d.samples.length !== 512) throw new RangeError(`wrong window ${d.samples.length}`);
        seen.push(d.samples.length);
      }
      return d;
    },
  }));
  const pipe = new PipelineBuilder()
    .add("gain", "Gain", { gain: 2 })
    .add("w", "Window512")
    .connect("gain", "w")
    .build({ registry });
  const x = signal(16000, 1, 9);
  const out = await pipe.run([...chunk(x, 16000, 1, [320]), text("not audio")]);
  assert.equal(seen.length, Math.ceil(16000 / 512));
  assert.equal(out.filter((o) => o.data.type === "event").length, 0, "no window errors");
  assert.equal(out.at(-2)!.data.type, "text", "non-audio items bypass the buffer");
  const all = concat(frames(out.filter((o) => o.data.type === "audio")));
  const twice = x.map((v) => v * 2);
  assert.equal(firstMismatch(all.subarray(0, x.length), twice, 1e-7), -1);
});
