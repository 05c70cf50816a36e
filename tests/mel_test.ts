import assert from "node:assert/strict";
import { LogMel, melFilterbank, whisperLogMel, whisperLogMelAsync } from "../src/dsp/mel.ts";
import type { LogMelResult, MelLayout } from "../src/dsp/mel.ts";
import { NativeError } from "../src/ffi/error.ts";
import { native } from "../src/ffi/loader.ts";
import { melStreamFinalizerFrees, nativeMel } from "../src/ffi/mel.ts";
import { readF32, rng, testdata } from "./_util.ts";

const HINTS = ["native", "ts"] as const;

interface ManifestOutput {
  file: string;
  n_mels: number;
  n_frames: number;
  shape: [number, number];
}
interface ManifestCase {
  name: string;
  input: { file: string; n_samples: number };
  outputs: ManifestOutput[];
}
const manifest: { cases: ManifestCase[] } = JSON.parse(
  Deno.readTextFileSync(testdata("logmel/manifest.json")),
);

function noise(n: number, seed: number, amp = 0.5): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => amp * (2 * r() - 1));
}

/** Max and mean absolute difference; fails with index, expected and actual beyond `tol`. */
function compare(got: Float32Array, want: ArrayLike<number>, tol: number, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  let max = 0, sum = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i]! - want[i]!);
    if (!(e <= tol)) assert.fail(`${what}: index ${i}: expected ${want[i]}, got ${got[i]}`);
    if (e > max) max = e;
    sum += e;
  }
  return { max, mean: sum / got.length };
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
  }
  return out;
}

/** The recipe spelled out in float64: explicit reflect padding, naive DFT, dense filters. */
function oracle(x: Float32Array, filters: Float32Array, nMels: number): Float64Array {
  const L = x.length, nf = Math.floor(L / 160);
  const xp = new Float64Array(L + 400);
  for (let i = 0; i < 200; i++) xp[i] = x[200 - i]!;
  xp.set(x, 200);
  for (let i = 0; i < 200; i++) xp[200 + L + i] = x[L - 2 - i]!;
  const cos = new Float64Array(400), sin = new Float64Array(400);
  for (let i = 0; i < 400; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / 400);
    sin[i] = Math.sin((2 * Math.PI * i) / 400);
  }
  const out = new Float64Array(nMels * nf);
  const frame = new Float64Array(400), p = new Float64Array(201);
  for (let t = 0; t < nf; t++) {
    for (let j = 0; j < 400; j++) {
      frame[j] = xp[160 * t + j]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * j) / 400));
    }
    for (let k = 0; k <= 200; k++) {
      let re = 0, im = 0;
      for (let j = 0; j < 400; j++) {
        const i = (j * k) % 400;
        re += frame[j]! * cos[i]!;
        im -= frame[j]! * sin[i]!;
      }
      p[k] = re * re + im * im;
    }
    for (let m = 0; m < nMels; m++) {
      let s = 0;
      for (let k = 0; k <= 200; k++) s += filters[m * 201 + k]! * p[k]!;
      out[m * nf + t] = Math.log10(Math.max(s, 1e-10));
    }
  }
  let mx = -Infinity;
  for (const v of out) mx = Math.max(mx, v);
  return out.map((v) => (Math.max(v, mx - 8) + 4) / 4);
}

for (const hint of HINTS) {
  Deno.test(`melFilterbank matches the reference matrices within 1e-6 (${hint})`, () => {
    for (const nMels of [80, 128] as const) {
      const want = readF32(`logmel/mel_filters_${nMels}.f32`);
      const got = melFilterbank(nMels, { runtimeHint: hint });
      compare(got, want, 1e-6, `${nMels} mels`);
    }
  });

  Deno.test(`whisperLogMel matches every reference case (${hint})`, () => {
    let checked = 0;
    for (const c of manifest.cases) {
      const x = readF32(`logmel/${c.input.file}`);
      assert.equal(x.length, c.input.n_samples);
      for (const o of c.outputs) {
        const want = readF32(`logmel/${o.file}`);
        const nMels = o.n_mels as 80 | 128;
        const got = whisperLogMel(x, { nMels, runtimeHint: hint });
        assert.deepEqual([got.nMels, got.nFrames], o.shape, `${o.file}: shape`);
        assert.equal(got.layout, "mel-major");
        const { max, mean } = compare(got.data, want, 1e-4, `${o.file} (${hint})`);
        assert.ok(mean <= 1e-5, `${o.file}: mean abs error ${mean} > 1e-5 (max ${max})`);
        console.log(
          `${o.file} (${hint}): max abs error ${max.toExponential(2)}, mean ${
            mean.toExponential(2)
          }`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 3, `only ${checked} reference outputs found`);
  });

  Deno.test(`whisperLogMel frame-major is the exact transpose of mel-major (${hint})`, () => {
    for (const c of manifest.cases) {
      const x = readF32(`logmel/${c.input.file}`);
      for (const nMels of [80, 128] as const) {
        const a = whisperLogMel(x, { nMels, runtimeHint: hint });
        const b = whisperLogMel(x, { nMels, layout: "frame-major", runtimeHint: hint });
        assert.equal(b.layout, "frame-major");
        compare(transpose(b.data, b.nFrames, nMels), a.data, 0, `${c.name} ${nMels}`);
      }
    }
  });

  Deno.test(`whisperLogMel shows the 440 Hz sine where the references say (${hint})`, () => {
    const x = readF32("logmel/sine440_3s.input.f32");
    for (const [nMels, bin] of [[80, 11], [128, 18]] as const) {
      const { data, nFrames } = whisperLogMel(x, { nMels, runtimeHint: hint });
      let best = -1, bestMean = -Infinity;
      for (let m = 0; m < nMels; m++) {
        let s = 0;
        for (let t = 0; t < nFrames; t++) s += data[m * nFrames + t]!;
        if (s / nFrames > bestMean) [best, bestMean] = [m, s / nFrames];
      }
      assert.equal(best, bin, `${nMels} mels: peak bin`);
      if (nMels === 80) {
        const max = Math.max(...data), min = Math.min(...data);
        assert.ok(Math.abs(max - 1.4382) < 1e-4, `max ${max}`);
        assert.ok(Math.abs(max - min - 2) < 1e-6, `range ${max - min}: the clamp sits 2 below`);
      }
    }
  });

  Deno.test(`whisperLogMel matches a float64 oracle over lengths (${hint})`, () => {
    for (
      const [len, nMels] of [[201, 80], [320, 128], [399, 80], [401, 128], [4801, 80]] as const
    ) {
      const x = noise(len, len);
      const want = oracle(x, readF32(`logmel/mel_filters_${nMels}.f32`), nMels);
      const got = whisperLogMel(x, { nMels, runtimeHint: hint });
      assert.equal(got.nFrames, Math.floor(len / 160));
      compare(got.data, want, 1e-4, `len=${len} ${nMels} mels`);
    }
  });

  Deno.test(`whisperLogMel gives [80, 3000] for 30 s and -1.5 for silence (${hint})`, () => {
    const mel = whisperLogMel(new Float32Array(480000), { runtimeHint: hint });
    assert.deepEqual([mel.nMels, mel.nFrames, mel.data.length], [80, 3000, 240000]);
    assert.ok(mel.data.every((v) => v === -1.5), "all-zero input gives the constant -1.5");
    const big = whisperLogMel(new Float32Array(480000), { nMels: 128, runtimeHint: hint });
    assert.deepEqual([big.nMels, big.nFrames], [128, 3000]);
  });

  Deno.test(`whisperLogMel writes into the caller's buffer (${hint})`, () => {
    const x = noise(16000, 5);
    const backing = new Float32Array(80 * 100 + 20);
    const output = backing.subarray(10, 10 + 80 * 100);
    const mel = whisperLogMel(x, { output, runtimeHint: hint });
    assert.equal(mel.data, output);
    assert.equal(backing[9], 0);
    assert.equal(backing[10 + 8000], 0);
    compare(output, whisperLogMel(x, { runtimeHint: hint }).data, 0, "same values");
  });

  Deno.test(`whisperLogMelAsync equals the sync result (${hint})`, async () => {
    const x = noise(48000 + 77, 9);
    const output = new Float32Array(128 * 300);
    const got = await whisperLogMelAsync(x, {
      nMels: 128,
      layout: "frame-major",
      output,
      runtimeHint: hint,
      threads: 2,
    });
    assert.equal(got.data, output);
    const want = whisperLogMel(x, { nMels: 128, layout: "frame-major", runtimeHint: hint });
    compare(got.data, want.data, 0, "async vs sync");
  });

  Deno.test(`LogMel fed in 20 ms, 10 ms and odd chunks equals the batch result (${hint})`, () => {
    const r = rng(77);
    for (const len of [201, 350, 4000, 16000 * 2 + 13]) {
      const x = noise(len, 1000 + len);
      for (const layout of ["mel-major", "frame-major"] as MelLayout[]) {
        const want = whisperLogMel(x, { nMels: 80, layout, runtimeHint: hint });
        using mel = new LogMel({ nMels: 80, layout, runtimeHint: hint, capacityFrames: 10 });
        const chunkings: Array<() => number> = [
          () => 320,
          () => 160,
          () => 1,
          () => 333,
          () => 1 + Math.floor(r() * 700),
        ];
        for (const [ci, next] of chunkings.entries()) {
          let pos = 0;
          while (pos < len) {
            const end = Math.min(len, pos + next());
            const ready = mel.push(x.subarray(pos, end));
            assert.ok(ready <= Math.floor(end / 160), `ready ${ready} at ${end}`);
            assert.equal(mel.framesReady, ready);
            pos = end;
          }
          assert.equal(mel.samples, len);
          assert.equal(mel.outputLength, want.data.length);
          const got = mel.finish(new Float32Array(mel.outputLength).fill(NaN));
          assert.equal(got.nFrames, want.nFrames);
          assert.equal(got.layout, layout);
          compare(got.data, want.data, 0, `len=${len} ${layout} chunking ${ci}`);
          assert.equal(mel.samples, 0, "finish starts a new window");
        }
      }
    }
  });

  Deno.test(`LogMel matches the reference files when streamed (${hint})`, () => {
    const x = readF32("logmel/chirp50-7900_5s.input.f32");
    const want = readF32("logmel/chirp50-7900_5s.mel80.f32");
    using mel = new LogMel({ runtimeHint: hint });
    for (let i = 0; i < x.length; i += 320) mel.push(x.subarray(i, i + 320));
    const got = mel.finish();
    const { mean } = compare(got.data, want, 1e-4, "streamed chirp");
    assert.ok(mean <= 1e-5);
  });

  Deno.test(`LogMel finish writes into the caller's buffer; reset drops audio (${hint})`, () => {
    using mel = new LogMel({ nMels: 128, runtimeHint: hint });
    mel.push(noise(1000, 1));
    mel.reset();
    assert.equal(mel.samples, 0);
    const x = noise(1600, 2);
    mel.push(x);
    const out = new Float32Array(128 * 10);
    const got: LogMelResult = mel.finish(out);
    assert.equal(got.data, out);
    compare(out, whisperLogMel(x, { nMels: 128, runtimeHint: hint }).data, 0, "after reset");
  });

  Deno.test(`whisperLogMel and LogMel reject bad parameters clearly (${hint})`, () => {
    const opts = { runtimeHint: hint };
    const x = noise(480, 3);
    const range = (fn: () => unknown, re: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof RangeError && re.test(e.message));
    range(
      () => whisperLogMel(new Float32Array(200), opts),
      /^Cannot compute log-mel: input has 200 samples; reflect padding needs at least 201$/,
    );
    range(
      // deno-lint-ignore no-explicit-any
      () => whisperLogMel(x, { ...opts, nMels: 64 as any }),
      /^Cannot compute log-mel: nMels 64 is not supported \(80 or 128\)$/,
    );
    range(
      // deno-lint-ignore no-explicit-any
      () => whisperLogMel(x, { ...opts, layout: "rows" as any }),
      /layout "rows" is not "mel-major" or "frame-major"/,
    );
    range(
      () => whisperLogMel(x, { ...opts, output: new Float32Array(239) }),
      /^Cannot compute log-mel: output holds 239 floats, expected 240 \(80 mels x 3 frames\)$/,
    );
    range(
      () => whisperLogMel(x, { ...opts, threads: 0 }),
      /threads 0 is not an integer in 1\.\.64/,
    );
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => whisperLogMel(x, { ...opts, output: new Float64Array(240) as any }),
      (e: unknown) => e instanceof TypeError && /output must be a Float32Array/.test(e.message),
    );
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => whisperLogMel([1, 2, 3] as any, opts),
      (e: unknown) => e instanceof TypeError,
    );
    // deno-lint-ignore no-explicit-any
    range(() => new LogMel({ ...opts, nMels: 64 as any }), /nMels 64 is not supported/);
    const mel = new LogMel(opts);
    mel.push(new Float32Array(200));
    range(() => mel.finish(), /^Cannot finish the log-mel window: input has 200 samples/);
    mel.push(new Float32Array(300));
    range(() => mel.finish(new Float32Array(5)), /output holds 5 floats, expected 240/);
    mel.close();
    mel.close();
    assert.throws(
      () => mel.push(new Float32Array(10)),
      (e: unknown) => e instanceof TypeError && /closed/.test(e.message),
    );
  });
}

Deno.test("whisperLogMel native threads give the same result as one thread", () => {
  const x = noise(16000 * 12 + 5, 21);
  for (const layout of ["mel-major", "frame-major"] as MelLayout[]) {
    const one = whisperLogMel(x, { layout, runtimeHint: "native" });
    for (const threads of [2, 3, 8]) {
      const many = whisperLogMel(x, { layout, threads, runtimeHint: "native" });
      compare(many.data, one.data, 0, `${layout} threads=${threads}`);
    }
  }
});

Deno.test("whisperLogMel native and TS implementations agree", () => {
  const x = noise(16000 * 3 + 99, 8, 0.3);
  for (const nMels of [80, 128] as const) {
    const a = whisperLogMel(x, { nMels, runtimeHint: "native" });
    const b = whisperLogMel(x, { nMels, runtimeHint: "ts" });
    const { mean } = compare(a.data, b.data, 1e-4, `${nMels} mels`);
    assert.ok(mean <= 1e-5, `mean ${mean}`);
  }
});

Deno.test("whisperLogMel native output crosses without a copy (pointer identity)", () => {
  // The output is passed as an FFI "buffer" parameter; rm_debug_addr receives it the
  // same way and echoes the address native code writes to.
  const output = new Float32Array(80 * 3 + 8).subarray(8);
  const seen = native().symbols.rm_debug_addr(output, output.byteLength);
  assert.equal(
    BigInt(Deno.UnsafePointer.value(seen)),
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(output))),
  );
  assert.equal(whisperLogMel(noise(480, 1), { output, runtimeHint: "native" }).data, output);
});

Deno.test("whisperLogMel native library validates arguments itself (NativeError)", async () => {
  const m = nativeMel(native());
  const x = new Float32Array(200);
  const check = (e: unknown) => {
    assert.ok(e instanceof NativeError);
    assert.equal(e.codeName, "RM_ERR_INVALID_ARGUMENT");
    assert.match(e.message, /input has 200 samples; reflect padding needs at least 201/);
    return true;
  };
  assert.throws(() => m.batch(x, 80, 0, 1, new Float32Array(80)), check);
  await assert.rejects(() => m.batchAsync(x, 80, 0, 1, new Float32Array(80)), check);
  assert.throws(() => m.batch(new Float32Array(480), 80, 0, 1, new Float32Array(10)), {
    name: "NativeError",
    message: /RM_ERR_BUFFER_TOO_SMALL/,
  });
  assert.throws(() => m.createStream(64, 0, 0), { name: "NativeError", message: /n_mels 64/ });
});

const gc = (globalThis as { gc?: () => void }).gc;

Deno.test({
  name: "LogMel dropped without close is freed by the finalizer backstop",
  ignore: gc === undefined,
  async fn() {
    const before = melStreamFinalizerFrees();
    (() => {
      for (let i = 0; i < 3; i++) new LogMel({ runtimeHint: "native" }).push(new Float32Array(480));
      new LogMel({ runtimeHint: "native" }).close(); // closed: not the finalizer's
    })();
    for (let i = 0; i < 20 && melStreamFinalizerFrees() - before < 3; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(melStreamFinalizerFrees() - before, 3);
  },
});
