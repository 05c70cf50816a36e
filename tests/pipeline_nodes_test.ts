import assert from "node:assert/strict";
import {
  audio,
  type AudioData,
  binary,
  type BinaryData,
  event,
  json,
  PipelineBuilder,
  tensor,
  type TensorData,
  text,
} from "../mod.ts";
import { firstMismatch, rng } from "./_util.ts";

const HINTS = ["ts", "native"] as const;

Deno.test("audio validates rate, channels and length", () => {
  const a = audio(new Float32Array(4), 16000, 2, { timestamp: 1.5 });
  assert.deepEqual(
    { ...a, samples: a.samples.length },
    {
      type: "audio",
      samples: 4,
      sampleRate: 16000,
      channels: 2,
      interleaved: true,
      timestamp: 1.5,
    },
  );
  assert.throws(() => audio(new Float32Array(3), 16000, 2), {
    name: "TypeError",
    message: "Cannot make audio: 3 samples is not a multiple of 2 channels",
  });
  assert.throws(() => audio(new Float32Array(2), 0), {
    name: "RangeError",
    message: "Cannot make audio: sample rate 0 is not a positive number",
  });
  assert.throws(() => audio(new Float32Array(2), 8000, 0), {
    name: "RangeError",
    message: "Cannot make audio: channel count 0 is not an integer in 1..64",
  });
});

Deno.test("tensor infers dtype, C strides and contiguity flags", () => {
  const t = tensor(new Int16Array(24), [2, 3, 4]);
  assert.equal(t.dtype, "int16");
  assert.deepEqual(t.strides, [12, 4, 1]);
  assert.equal(t.cContiguous, true);
  assert.equal(t.fContiguous, false);
  const f = tensor(new Float32Array(6), [2, 3], { strides: [1, 2] });
  assert.equal(f.cContiguous, false);
  assert.equal(f.fContiguous, true);
  const strided = tensor(new Float64Array(10), [2, 2], { strides: [5, 2] }); // a slice view
  assert.equal(strided.cContiguous || strided.fContiguous, false);
  assert.equal(tensor(new BigInt64Array(3)).dtype, "int64");
  assert.deepEqual(tensor(new Uint8Array(5)).shape, [5]);
});

Deno.test("tensor rejects shapes and strides that do not fit the data", () => {
  assert.throws(() => tensor(new Float32Array(5), [2, 3]), {
    name: "TypeError",
    message: "Cannot make a tensor: shape [2,3] with strides [3,1] reaches element 5, but data " +
      "holds 5",
  });
  assert.throws(() => tensor(new Float32Array(5), [2, -1]), {
    message: "Cannot make a tensor: shape[1] = -1 is not a non-negative integer",
  });
  assert.throws(() => tensor(new Float32Array(6), [2, 3], { strides: [1] }), {
    message: "Cannot make a tensor: 1 strides for 2 dimensions",
  });
});

Deno.test("text, json, event and binary make their items", () => {
  assert.deepEqual(text("hi"), { type: "text", text: "hi" });
  assert.deepEqual(json({ a: 1 }), { type: "json", value: { a: 1 } });
  assert.deepEqual(event("speech_end", 2.5), { type: "event", kind: "speech_end", time: 2.5 });
  assert.deepEqual(event("x", 0, { n: 1 }).data, { n: 1 });
  const b = binary(new Uint8Array([1]), "audio/wav");
  assert.equal(b.mimeType, "audio/wav");
  assert.throws(() => event("x", NaN), { name: "RangeError" });
  assert.throws(() => binary([1] as never), { name: "TypeError" });
});

Deno.test("Gain scales audio into a new array and passes other items", async () => {
  const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 0.5);
  const copy = x.slice();
  for (const runtime_hint of HINTS) {
    for (
      const [params, g] of [[{ gain: 0.25 }, 0.25], [{ gain_db: -6 }, 10 ** (-6 / 20)]] as const
    ) {
      const pipe = new PipelineBuilder().add("g", "Gain", params, { runtime_hint }).build();
      const [o, t] = await pipe.run([audio(x, 8000), text("t")]);
      const y = (o!.data as AudioData).samples;
      assert.notEqual(y, x);
      const want = x.map((v) => v * g);
      const i = firstMismatch(y, want, 1e-7);
      assert.equal(
        i,
        -1,
        `${runtime_hint} ${JSON.stringify(params)} at ${i}: ${want[i]} vs ${y[i]}`,
      );
      assert.deepEqual(t!.data, text("t"));
    }
  }
  assert.deepEqual(x, copy, "the input is not modified");
});

Deno.test("Downmix averages channels, interleaved or planar; mono passes as is", async () => {
  const r = rng(4);
  const frames = 100;
  const x = Float32Array.from({ length: frames * 3 }, () => r() - 0.5);
  const want = Float32Array.from(
    { length: frames },
    (_, i) => (x[3 * i]! + x[3 * i + 1]! + x[3 * i + 2]!) / 3,
  );
  const planar = new Float32Array(x.length);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < 3; c++) planar[c * frames + i] = x[3 * i + c]!;
  }
  for (const runtime_hint of HINTS) {
    const pipe = new PipelineBuilder().add("d", "Downmix", undefined, { runtime_hint }).build();
    for (
      const a of [
        audio(x, 8000, 3, { timestamp: 2 }),
        audio(planar, 8000, 3, { interleaved: false, timestamp: 2 }),
      ]
    ) {
      const [o] = await pipe.run(a);
      const m = o!.data as AudioData;
      assert.equal(m.channels, 1);
      assert.equal(m.timestamp, 2);
      const i = firstMismatch(m.samples, want, 1e-6);
      assert.equal(i, -1, `${runtime_hint} interleaved=${a.interleaved} at ${i}`);
    }
    const mono = audio(new Float32Array(4), 8000);
    assert.equal((await pipe.run(mono))[0]!.data, mono);
  }
});

/** int16 -> float oracle. */
const toFloat = (v: number) => v / 32768;
/** float -> int16 oracle: ties to even, saturating. */
function toInt16(f: number): number {
  const x = f * 32768;
  if (x >= 32767) return 32767;
  if (x <= -32768) return -32768;
  const fl = Math.floor(x);
  const d = x - fl;
  return d > 0.5 || (d === 0.5 && fl % 2 !== 0) ? fl + 1 : fl;
}

Deno.test("FormatConvert to float32: PCM bytes in any chunking, carrying partial frames", async () => {
  const r = rng(11);
  for (const channels of [1, 2]) {
    const pcm = Int16Array.from({ length: 999 * channels }, () => Math.floor(r() * 65536) - 32768);
    pcm[0] = -32768;
    pcm[1] = 32767;
    const bytes = new Uint8Array(pcm.buffer);
    for (const runtime_hint of HINTS) {
      for (const cut of [1, 3, 7, 640, 100000]) {
        const pipe = new PipelineBuilder()
          .add("f", "FormatConvert", { to: "float32", sample_rate: 16000, channels }, {
            runtime_hint,
          })
          .build();
        // Items at odd byte offsets too: views into a buffer with a 1-byte prefix.
        const shifted = new Uint8Array(bytes.length + 1);
        shifted.set(bytes, 1);
        const items: BinaryData[] = [];
        for (let off = 0; off < bytes.length; off += cut) {
          items.push(binary(shifted.subarray(1 + off, 1 + Math.min(off + cut, bytes.length))));
        }
        const out = (await pipe.run(items)).map((o) => o.data as AudioData);
        const all = out.flatMap((a) => [...a.samples]);
        const what = `${channels} ch, ${runtime_hint}, cut ${cut}`;
        assert.equal(all.length, pcm.length, what);
        const i = firstMismatch(all, Array.from(pcm, toFloat));
        assert.equal(i, -1, `${what}: at ${i}: expected ${toFloat(pcm[i]!)}, got ${all[i]}`);
        let frames = 0;
        for (const a of out) {
          assert.equal(a.channels, channels);
          assert.equal(a.timestamp, frames / 16000, what);
          frames += a.samples.length / channels;
        }
      }
    }
  }
});

Deno.test("FormatConvert to float32 from an int16 tensor", async () => {
  const pcm = new Int16Array([0, 16384, -16384, 32767]);
  const pipe = new PipelineBuilder().add("f", "FormatConvert", { to: "float32", sample_rate: 8000 })
    .build();
  const [o] = await pipe.run(tensor(pcm, [2, 2]));
  const a = o!.data as AudioData;
  assert.equal(a.channels, 2);
  assert.deepEqual([...a.samples], Array.from(pcm, toFloat));
});

Deno.test("FormatConvert to int16 as binary or tensor (ties to even, saturating)", async () => {
  const x = new Float32Array([0, 0.5, -1, 1, 2, -2, 1.5 / 32768, 2.5 / 32768, NaN, -0.25]);
  const want = Array.from(x, (v) => (Number.isNaN(v) ? 0 : toInt16(v)));
  for (const runtime_hint of HINTS) {
    const bin = new PipelineBuilder().add("f", "FormatConvert", { to: "int16" }, { runtime_hint })
      .build();
    const [b] = await bin.run(audio(x, 8000, 2));
    const bytes = (b!.data as BinaryData).bytes;
    assert.deepEqual([...new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2)], want);
    const ten = new PipelineBuilder()
      .add("f", "FormatConvert", { to: "int16", output: "tensor" }, { runtime_hint })
      .build();
    const [t] = await ten.run(audio(x, 8000, 2));
    const td = t!.data as TensorData;
    assert.equal(td.dtype, "int16");
    assert.deepEqual(td.shape, [5, 2]);
    assert.deepEqual([...td.data as Int16Array], want);
  }
});

Deno.test("FormatConvert int16 -> float32 -> int16 round trip is exact", async () => {
  const pcm = Int16Array.from({ length: 4096 }, (_, i) => ((i * 7919) % 65536) - 32768);
  const pipe = new PipelineBuilder()
    .add("a", "FormatConvert", { to: "float32", sample_rate: 16000 })
    .add("b", "FormatConvert", { to: "int16" })
    .connect("a", "b")
    .build();
  const out = await pipe.run(binary(new Uint8Array(pcm.buffer)));
  const bytes = (out[0]!.data as BinaryData).bytes;
  assert.deepEqual(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2), pcm);
});
