import assert from "node:assert/strict";
import { RealFft } from "../src/dsp/fft.ts";
import { NativeError } from "../src/ffi/error.ts";
import { fftFinalizerFrees } from "../src/ffi/fft.ts";
import { native } from "../src/ffi/loader.ts";
import { rng } from "./_util.ts";

const HINTS = ["native", "ts"] as const;

const SIZES = [
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  11,
  12,
  13,
  15,
  16,
  17,
  25,
  27,
  30,
  31,
  32,
  37,
  49,
  60,
  61,
  64,
  97,
  100,
  125,
  127,
  128,
  194,
  200,
  243,
  251,
  256,
  320,
  400,
  480,
  500,
  511,
  512,
  1000,
  1009,
  1024,
  2018,
  4093,
  4096,
];

function noise(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}

/** The obvious O(n^2) DFT in float64 (angles reduced exactly). */
function naiveDft(x: Float32Array): Float64Array {
  const n = x.length;
  const cos = new Float64Array(n), sin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cos[i] = Math.cos((-2 * Math.PI * i) / n);
    sin[i] = Math.sin((-2 * Math.PI * i) / n);
  }
  const out = new Float64Array(2 * (Math.floor(n / 2) + 1));
  for (let k = 0; k <= n / 2; k++) {
    let re = 0, im = 0;
    for (let j = 0; j < n; j++) {
      const i = (j * k) % n;
      re += x[j]! * cos[i]!;
      im += x[j]! * sin[i]!;
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

/** Error bound relative to sqrt(n) * rms(x) (f32 data; measured worst ~0.3x of this). */
function tolerance(n: number): number {
  return 1.5e-7 * (2 + Math.log2(n));
}

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

for (const hint of HINTS) {
  Deno.test(`RealFft forward matches a naive DFT over a size grid (${hint})`, () => {
    for (const n of SIZES) {
      const x = noise(n, n);
      const want = naiveDft(x);
      using fft = new RealFft(n, { runtimeHint: hint });
      assert.equal(fft.backend, hint);
      const out = fft.forward(x, new Float32Array(fft.spectrumLength).fill(NaN));
      const scale = Math.sqrt(n) * rms(x);
      for (let i = 0; i < out.length; i++) {
        const err = Math.abs(out[i]! - want[i]!) / scale;
        if (!(err <= tolerance(n))) {
          assert.fail(`n=${n} index ${i}: expected ${want[i]}, got ${out[i]} (rel err ${err})`);
        }
      }
    }
  });

  Deno.test(`RealFft inverse undoes forward over a size grid (${hint})`, () => {
    for (const n of SIZES) {
      const x = noise(n, 3 * n + 1);
      using fft = new RealFft(n, { runtimeHint: hint });
      const spec = fft.forward(x, new Float32Array(fft.spectrumLength));
      const back = fft.inverse(spec, new Float32Array(n).fill(NaN));
      for (let i = 0; i < n; i++) {
        if (!(Math.abs(back[i]! - x[i]!) <= 4 * tolerance(n))) {
          assert.fail(`n=${n} index ${i}: expected ${x[i]}, got ${back[i]}`);
        }
      }
    }
  });

  Deno.test(`RealFft inverse matches a naive inverse DFT (${hint})`, () => {
    // An arbitrary half spectrum (not the output of forward): x_j = (1/n) * sum over the
    // Hermitian extension; imaginary parts of bin 0 and bin n/2 are ignored.
    for (const n of [1, 2, 5, 8, 9, 12, 97, 400, 512]) {
      using fft = new RealFft(n, { runtimeHint: hint });
      const spec = noise(fft.spectrumLength, 99 + n);
      const got = fft.inverse(spec, new Float32Array(n));
      for (let j = 0; j < n; j++) {
        let acc = spec[0]!;
        for (let k = 1; k < n / 2; k++) {
          const a = (2 * Math.PI * ((j * k) % n)) / n;
          acc += 2 * (spec[2 * k]! * Math.cos(a) - spec[2 * k + 1]! * Math.sin(a));
        }
        if (n % 2 === 0 && n > 1) acc += spec[n]! * (j % 2 === 0 ? 1 : -1);
        const want = acc / n;
        if (!(Math.abs(got[j]! - want) <= 1e-5)) {
          assert.fail(`n=${n} index ${j}: expected ${want}, got ${got[j]}`);
        }
      }
    }
  });

  Deno.test(`RealFft writes into the caller's buffer (${hint})`, () => {
    using fft = new RealFft(400, { runtimeHint: hint });
    const backing = new Float32Array(1000);
    const out = backing.subarray(100, 100 + fft.spectrumLength);
    const x = noise(400, 1);
    assert.equal(fft.forward(x, out), out);
    assert.ok(out.some((v) => v !== 0));
    assert.equal(backing[99], 0);
    assert.equal(backing[100 + fft.spectrumLength], 0);
    const back = new Float32Array(400);
    assert.equal(fft.inverse(out, back), back);
  });

  Deno.test(`RealFft rejects bad sizes and buffers with clear errors (${hint})`, () => {
    const opts = { runtimeHint: hint };
    for (const n of [0, -1, 1.5, NaN, 4194305]) {
      assert.throws(() => new RealFft(n, opts), (e: unknown) => {
        assert.ok(e instanceof RangeError);
        assert.match(
          e.message,
          /^Cannot create an FFT: size .* is not an integer in 1\.\.4194304$/,
        );
        return true;
      });
    }
    const fft = new RealFft(8, opts);
    assert.throws(
      () => fft.forward(new Float32Array(7), new Float32Array(10)),
      /Cannot run the forward FFT: input holds 7 samples, expected 8/,
    );
    assert.throws(
      () => fft.forward(new Float32Array(8), new Float32Array(9)),
      /Cannot run the forward FFT: output holds 9 floats, expected 10/,
    );
    assert.throws(
      () => fft.inverse(new Float32Array(8), new Float32Array(8)),
      /Cannot run the inverse FFT: input holds 8 floats, expected 10/,
    );
    assert.throws(
      () => fft.inverse(new Float32Array(10), new Float32Array(9)),
      /Cannot run the inverse FFT: output holds 9 samples, expected 8/,
    );
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => fft.forward(new Float64Array(8) as any, new Float32Array(10)),
      (e: unknown) => e instanceof TypeError && /must be Float32Arrays/.test(e.message),
    );
    fft.close();
    fft.close();
    assert.throws(
      () => fft.forward(new Float32Array(8), new Float32Array(10)),
      (e: unknown) => e instanceof TypeError && /closed/.test(e.message),
    );
  });
}

Deno.test("RealFft native and TS implementations agree", () => {
  for (const n of [17, 400, 480, 512, 1009]) {
    using a = new RealFft(n, { runtimeHint: "native" });
    using b = new RealFft(n, { runtimeHint: "ts" });
    const x = noise(n, 42);
    const pa = a.forward(x, new Float32Array(a.spectrumLength));
    const pb = b.forward(x, new Float32Array(b.spectrumLength));
    const scale = Math.sqrt(n) * rms(x);
    for (let i = 0; i < pa.length; i++) {
      if (!(Math.abs(pa[i]! - pb[i]!) / scale <= 2 * tolerance(n))) {
        assert.fail(`n=${n} index ${i}: native ${pa[i]}, ts ${pb[i]}`);
      }
    }
  }
});

Deno.test("RealFft native transforms of one length share a plan", () => {
  using a = new RealFft(400, { runtimeHint: "native" });
  using b = new RealFft(400, { runtimeHint: "native" });
  using c = new RealFft(512, { runtimeHint: "native" });
  const pa = a.unsafeNative!.planAddress;
  assert.ok(pa !== 0n);
  assert.equal(b.unsafeNative!.planAddress, pa);
  assert.notEqual(c.unsafeNative!.planAddress, pa);
  assert.match(a.unsafeNative!.isa, /^(avx2|scalar)$/);
});

Deno.test("RealFft native input crosses without a copy (pointer identity)", () => {
  // The FFT's buffers are passed as FFI "buffer" parameters; rm_debug_addr takes its
  // pointer the same way and echoes the address native code sees.
  const s = native().symbols;
  const x = noise(512, 2).subarray(0, 400);
  const seen = BigInt(Deno.UnsafePointer.value(s.rm_debug_addr(x, x.byteLength)));
  assert.equal(seen, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(x))));
});

Deno.test("RealFft native library validates lengths itself (NativeError)", () => {
  using fft = new RealFft(8, { runtimeHint: "native" });
  const raw = fft.unsafeNative!;
  assert.throws(() => raw.forward(new Float32Array(7), new Float32Array(10)), (e: unknown) => {
    assert.ok(e instanceof NativeError);
    assert.equal(e.codeName, "RM_ERR_INVALID_ARGUMENT");
    assert.match(e.message, /rm_fft_forward.*input holds 7 floats, expected 8/);
    return true;
  });
  assert.throws(() => raw.forward(new Float32Array(8), new Float32Array(9)), (e: unknown) => {
    assert.ok(e instanceof NativeError);
    assert.equal(e.codeName, "RM_ERR_BUFFER_TOO_SMALL");
    return true;
  });
});

const gc = (globalThis as { gc?: () => void }).gc;

Deno.test({
  name: "RealFft dropped without close is freed by the finalizer backstop",
  ignore: gc === undefined,
  async fn() {
    const before = fftFinalizerFrees();
    (() => {
      for (let i = 0; i < 3; i++) new RealFft(400, { runtimeHint: "native" });
      new RealFft(512, { runtimeHint: "native" }).close(); // closed: not the finalizer's
    })();
    for (let i = 0; i < 20 && fftFinalizerFrees() - before < 3; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(fftFinalizerFrees() - before, 3);
  },
});
