// int16 -> float32 on 1,048,576 samples: native vs a plain TS loop vs the memory-bandwidth
// floor (copying the 4 MiB float32 result with Float32Array.prototype.set).
// Run: deno task bench (or deno bench -A bench/convert_bench.ts)
import { float32ToInt16, int16ToFloat32 } from "../src/dsp/convert.ts";

const N = 1 << 20;
const pcm = new Int16Array(N).map((_, i) => ((i * 7919) % 65536) - 32768);
const out = new Float32Array(N);
const copySrc = new Float32Array(N).fill(0.25);
const native = { runtimeHint: "native" } as const;
const ts = { runtimeHint: "ts" } as const;

Deno.bench({
  group: "i16->f32 1M",
  name: "copy floor: Float32Array.set of 4 MiB",
  baseline: true,
  fn() {
    out.set(copySrc);
  },
});

Deno.bench({
  group: "i16->f32 1M",
  name: "native int16ToFloat32",
  fn() {
    int16ToFloat32(pcm, out, native);
  },
});

Deno.bench({
  group: "i16->f32 1M",
  name: "TS loop int16ToFloat32",
  fn() {
    int16ToFloat32(pcm, out, ts);
  },
});

const f = new Float32Array(N).map((_, i) => Math.sin(i) * 1.1);
const i16 = new Int16Array(N);

Deno.bench({
  group: "f32->i16 1M",
  name: "TS loop float32ToInt16",
  baseline: true,
  fn() {
    float32ToInt16(f, i16, ts);
  },
});

Deno.bench({
  group: "f32->i16 1M",
  name: "native float32ToInt16",
  fn() {
    float32ToInt16(f, i16, native);
  },
});
