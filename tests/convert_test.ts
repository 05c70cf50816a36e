import assert from "node:assert/strict";
import {
  applyGain,
  deinterleave,
  downmix,
  float32ToInt16,
  float32ToInt24,
  float32ToInt32,
  float64ToFloat32,
  int16ToFloat32,
  int24ToFloat32,
  int32ToFloat32,
  interleave,
  type RuntimeHint,
  uint8ToFloat32,
} from "../src/dsp/convert.ts";
import { firstMismatch, readF32, readI16, rng } from "./_util.ts";

const HINTS: RuntimeHint[] = ["native", "ts"];

function assertSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 0) {
  const i = firstMismatch(actual, expected, tol);
  assert.equal(
    i,
    -1,
    i < 0 ? "" : `${what}: index ${i}: expected ${expected[i]}, got ${actual[i]}`,
  );
}

for (const hint of HINTS) {
  Deno.test(`int16ToFloat32 matches i16_all_to_f32 exactly (${hint})`, () => {
    const src = readI16("convert/i16_all.i16");
    const want = readF32("convert/i16_all_to_f32.f32");
    assertSame(int16ToFloat32(src, undefined, { runtimeHint: hint }), want, "i16->f32");
  });

  Deno.test(`float32ToInt16 matches f32_to_i16 expected bit for bit (${hint})`, () => {
    const src = readF32("convert/f32_to_i16.input.f32");
    const want = readI16("convert/f32_to_i16.expected.i16");
    assertSame(float32ToInt16(src, undefined, { runtimeHint: hint }), want, "f32->i16");
  });

  Deno.test(`float32ToInt16 round-trips every int16 (${hint})`, () => {
    const src = readI16("convert/i16_all.i16");
    const f = int16ToFloat32(src, undefined, { runtimeHint: hint });
    assertSame(float32ToInt16(f, undefined, { runtimeHint: hint }), src, "round trip");
  });

  Deno.test(`float32ToInt16 maps NaN bit patterns to 0 without touching neighbours (${hint})`, () => {
    const nan = readF32("convert/f32_to_i16_nan.input.f32");
    const src = new Float32Array([0.5, ...nan, -0.5]);
    const out = float32ToInt16(src, undefined, { runtimeHint: hint });
    assert.deepEqual([...out], [16384, 0, 0, 0, 0, 0, 0, -16384]);
  });

  Deno.test(`int24 and int32 conversions round-trip seeded samples (${hint})`, () => {
    const r = rng(7);
    const x = new Float32Array(4099).map(() => r() * 2 - 1);
    const opts = { runtimeHint: hint };
    const b24 = float32ToInt24(x, undefined, opts);
    assertSame(int24ToFloat32(b24, undefined, opts), x, "i24", 2 ** -23);
    const i32 = float32ToInt32(x, undefined, opts);
    assertSame(int32ToFloat32(i32, undefined, opts), x, "i32", 2 ** -24);
    // saturation and NaN
    const edge = new Float32Array([1, -1, 2, -2, NaN, Infinity, -Infinity]);
    assert.deepEqual(
      [...int24ToFloat32(float32ToInt24(edge, undefined, opts), undefined, opts)],
      [8388607 / 8388608, -1, 8388607 / 8388608, -1, 0, 8388607 / 8388608, -1],
    );
    assert.deepEqual(
      [...float32ToInt32(edge, undefined, opts)],
      [2147483647, -2147483648, 2147483647, -2147483648, 0, 2147483647, -2147483648],
    );
  });

  Deno.test(`uint8ToFloat32 and float64ToFloat32 follow the conventions (${hint})`, () => {
    const opts = { runtimeHint: hint };
    assert.deepEqual([...uint8ToFloat32(new Uint8Array([0, 128, 255]), undefined, opts)], [
      -1,
      0,
      127 / 128,
    ]);
    const d = new Float64Array([0.1, -0.3, 1e-50]);
    assertSame(float64ToFloat32(d, undefined, opts), Float32Array.from(d), "f64");
  });

  Deno.test(`interleave/deinterleave/downmix agree with naive loops over 1..8 channels (${hint})`, () => {
    const opts = { runtimeHint: hint };
    const r = rng(11);
    for (let ch = 1; ch <= 8; ch++) {
      for (const frames of [0, 1, 7, 960]) {
        const planar = new Float32Array(ch * frames).map(() => r() - 0.5);
        const inter = interleave(planar, ch, undefined, opts);
        for (let c = 0; c < ch; c++) {
          for (let i = 0; i < frames; i++) {
            assert.equal(inter[i * ch + c], planar[c * frames + i], `ch ${ch} frame ${i}`);
          }
        }
        assertSame(deinterleave(inter, ch, undefined, opts), planar, `deinterleave ${ch}`);
        const mono = downmix(inter, ch, undefined, opts);
        const want = new Float32Array(frames);
        for (let i = 0; i < frames; i++) {
          let s = 0;
          for (let c = 0; c < ch; c++) s += planar[c * frames + i]!;
          want[i] = s / ch;
        }
        assertSame(mono, want, `downmix ${ch}`, 1e-6);
      }
    }
  });

  Deno.test(`applyGain scales in place (${hint})`, () => {
    const buf = new Float32Array([0.5, -0.25, 0]);
    const out = applyGain(buf, 2, { runtimeHint: hint });
    assert.equal(out, buf);
    assert.deepEqual([...buf], [1, -0.5, 0]);
  });
}

Deno.test("int16ToFloat32 writes into the caller's buffer (zero copy)", () => {
  const dst = new Float32Array(8);
  const out = int16ToFloat32(new Int16Array(8).fill(16384), dst, { runtimeHint: "native" });
  assert.equal(out, dst);
  assert.equal(dst[7], 0.5);
});

Deno.test("native and TS conversions agree on seeded random input", () => {
  const r = rng(3);
  const x = new Float32Array(100_000).map(() => (r() * 2.6 - 1.3));
  assertSame(
    float32ToInt16(x, undefined, { runtimeHint: "native" }),
    float32ToInt16(x, undefined, { runtimeHint: "ts" }),
    "native vs ts",
  );
});

Deno.test("convert functions reject bad arguments with RangeError", () => {
  assert.throws(
    () => int16ToFloat32(new Int16Array(4), new Float32Array(2)),
    /Cannot convert int16 to float32: output holds 2 elements, 4 needed/,
  );
  assert.throws(() => int24ToFloat32(new Uint8Array(4)), /4 bytes is not a multiple of 3/);
  assert.throws(() => downmix(new Float32Array(5), 2), /input length 5 is not a multiple of 2/);
  assert.throws(() => interleave(new Float32Array(4), 0), /channel count 0/);
  assert.throws(() => applyGain(new Float32Array(1), NaN), RangeError);
  assert.throws(
    () => int16ToFloat32(new Int16Array(1), undefined, { runtimeHint: "gpu" as RuntimeHint }),
    /Unknown runtime hint "gpu"/,
  );
});
