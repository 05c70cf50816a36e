// Resampler: both implementations against a slow direct-convolution oracle over a grid
// of rate pairs, channel counts and chunkings; chunk invariance; the testdata metrics
// (README §2) with the README's thresholds; the preset targets on synthesized tones;
// delay compensation; zero copy; bad parameters.
import assert from "node:assert/strict";
import { resample, type ResampleQuality, Resampler } from "../src/dsp/resample.ts";
import { besselI0, designResampler, QUALITY_PARAMS } from "../src/dsp/_resample_ts.ts";
import { addressOf, NativeResampler } from "../src/ffi/resample.ts";
import { native } from "../src/ffi/loader.ts";
import { NativeError } from "../src/ffi/error.ts";
import { readF32, rng, testdata } from "./_util.ts";
import { aliasLevelDb, flatnessDb, imageEnergyDb, snrDb } from "./_resample_metrics.ts";

const HINTS = ["native", "ts"] as const;
const QUALITIES: ResampleQuality[] = ["fast", "default", "high"];

function noise(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

function sine(n: number, fs: number, f: number, phase = 0.3, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, k) => amp * Math.sin(2 * Math.PI * f * k / fs + phase),
  );
}

/**
 * Slow oracle: zero-delay output k = sum_n x[n] g(k·M/L - n), with g the continuous
 * Kaiser-windowed sinc of the preset, evaluated in f64 (x is silent outside its range).
 */
function oracle(
  x: Float32Array,
  channels: number,
  fi: number,
  fo: number,
  q: ResampleQuality,
  nOut: number,
): Float64Array {
  const d = designResampler(fi, fo, q);
  const { pass, stop, atten } = QUALITY_PARAMS[q];
  const fc = (pass + stop) / 2 * (Math.min(fi, fo) / 2) / fi;
  const half = d.taps / 2;
  const beta = 0.1102 * (atten - 8.7);
  const frames = x.length / channels;
  const y = new Float64Array(nOut * channels);
  for (let k = 0; k < nOut; k++) {
    const t = k * d.down / d.up;
    for (let n = Math.max(0, Math.floor(t - half)); n <= Math.min(frames - 1, t + half); n++) {
      const tau = t - n;
      if (Math.abs(tau) >= half) continue;
      const r = tau / half;
      const a = Math.PI * 2 * fc * tau;
      const g = 2 * fc * (a === 0 ? 1 : Math.sin(a) / a) *
        besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta);
      for (let c = 0; c < channels; c++) y[k * channels + c]! += x[n * channels + c]! * g;
    }
  }
  return y;
}

/** Stream `x` through `r` in chunks (sizes cycled), then flush; returns every output. */
function streamChunks(r: Resampler, x: Float32Array, chunks: number[]): Float32Array {
  const c = r.channels;
  const frames = x.length / c;
  const parts: Float32Array[] = [];
  let pos = 0;
  for (let i = 0; pos < frames; i++) {
    const n = Math.min(chunks[i % chunks.length]!, frames - pos);
    const out = new Float32Array(r.outputFramesNext(n) * c);
    assert.equal(r.process(x.subarray(pos * c, (pos + n) * c), out) * c, out.length);
    parts.push(out);
    pos += n;
  }
  const tail = new Float32Array(r.flushFramesNext() * c);
  assert.equal(r.flush(tail) * c, tail.length);
  parts.push(tail);
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

function assertClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) {
      assert.fail(`${what}: index ${i}: expected ${want[i]}, actual ${got[i]} (tolerance ${tol})`);
    }
  }
}

const PAIRS: Array<[number, number]> = [
  [48000, 16000],
  [44100, 16000],
  [8000, 16000],
  [16000, 48000],
  [22050, 44100],
];

Deno.test("Resampler matches a direct-convolution oracle over rates, channels and chunkings", () => {
  for (const [fi, fo] of PAIRS) {
    for (const channels of [1, 2, 4]) {
      const frames = Math.round(fi * 0.06); // 60 ms
      const x = noise(frames * channels, fi + fo + channels);
      const q: ResampleQuality = channels === 2 ? "fast" : "default";
      for (const hint of HINTS) {
        using r: Resampler = new Resampler({
          inputRate: fi,
          outputRate: fo,
          channels,
          quality: q,
          runtimeHint: hint,
        });
        const d: number = r.delay;
        const total: number = d + Math.ceil(frames * fo / fi);
        const want = oracle(x, channels, fi, fo, q, total - d);
        for (const chunks of [[Math.floor(fi / 50)], [Math.floor(fi / 100)], [1, 7, 333]]) {
          const y = streamChunks(r, x, chunks);
          assert.equal(y.length, total * channels, `${fi}->${fo} ${hint}: frames`);
          assertClose(
            y.subarray(d * channels),
            want,
            2e-5,
            `${fi}->${fo} ${channels}ch ${q} ${hint} chunks ${chunks}`,
          );
        }
      }
    }
  }
});

Deno.test("Resampler output does not depend on chunking", () => {
  for (const [fi, fo] of [...PAIRS, [44100, 48000] as [number, number]]) {
    for (const channels of [1, 2]) {
      const x = noise(Math.round(fi * 0.25) * channels, 7 * fi + channels);
      for (const hint of HINTS) {
        using r = new Resampler({ inputRate: fi, outputRate: fo, channels, runtimeHint: hint });
        const whole = streamChunks(r, x, [1 << 30]);
        for (
          const chunks of [[Math.floor(fi / 50)], [Math.floor(fi / 100)], [1, 7, 333], [0, 4096, 3]]
        ) {
          assertClose(streamChunks(r, x, chunks), whole, 1e-6, `${fi}->${fo} ${hint} ${chunks}`);
        }
      }
    }
  }
});

Deno.test("Resampler native and TS implementations agree", () => {
  for (
    const [fi, fo] of [
      ...PAIRS,
      [11025, 96000] as [number, number],
      [96000, 8000] as [number, number],
    ]
  ) {
    for (const quality of QUALITIES) {
      const x = noise(Math.round(fi * 0.05) * 2, fi ^ fo);
      const a = resample(x, fi, fo, { channels: 2, quality, runtimeHint: "native" });
      const b = resample(x, fi, fo, { channels: 2, quality, runtimeHint: "ts" });
      assertClose(a, b, 1e-5, `${fi}->${fo} ${quality}`);
    }
  }
});

Deno.test("Resampler native and TS implementations report the same frame counts", () => {
  for (
    const [fi, fo] of [
      ...PAIRS,
      [44100, 48000] as [number, number],
      [96000, 11025] as [number, number],
    ]
  ) {
    for (const quality of QUALITIES) {
      const opts = { inputRate: fi, outputRate: fo, channels: 2, quality };
      using a = new Resampler({ ...opts, runtimeHint: "native" });
      using b = new Resampler({ ...opts, runtimeHint: "ts" });
      assert.equal(a.delay, b.delay, `${fi}->${fo} ${quality}: delay`);
      for (const n of [0, 1, 7, 333, 960, 4410]) {
        const what = `${fi}->${fo} ${quality} after ${n}`;
        assert.equal(a.outputFramesNext(n), b.outputFramesNext(n), `${what}: outputFramesNext`);
        assert.equal(a.inputFramesNext(n), b.inputFramesNext(n), `${what}: inputFramesNext`);
        assert.equal(a.flushFramesNext(), b.flushFramesNext(), `${what}: flushFramesNext`);
        const x = new Float32Array(n * 2);
        const out = new Float32Array(a.outputFramesNext(n) * 2);
        assert.equal(a.process(x, out), b.process(x, out), what);
      }
    }
  }
});

Deno.test("Resampler keeps state across pauses without a flush", () => {
  for (const hint of HINTS) {
    using r = new Resampler({ inputRate: 48000, outputRate: 16000, runtimeHint: hint });
    const x = sine(4800, 48000, 440);
    const whole = streamChunks(r, x, [1 << 30]);
    // Feed 10 ms, pause (empty calls and size queries), continue: same samples.
    const parts: number[] = [];
    for (let pos = 0; pos < x.length; pos += 480) {
      for (let i = 0; i < 3; i++) {
        assert.equal(r.outputFramesNext(0), 0);
        assert.equal(r.process(new Float32Array(0), new Float32Array(0)), 0);
      }
      const out = new Float32Array(r.outputFramesNext(480));
      r.process(x.subarray(pos, pos + 480), out);
      parts.push(...out);
    }
    const tail = new Float32Array(r.flushFramesNext());
    r.flush(tail);
    parts.push(...tail);
    assertClose(parts, whole, 0, hint);
  }
});

Deno.test("Resampler frame counts: outputFramesNext, inputFramesNext, flushFramesNext", () => {
  for (const [fi, fo] of PAIRS) {
    for (const hint of HINTS) {
      using r = new Resampler({ inputRate: fi, outputRate: fo, channels: 2, runtimeHint: hint });
      assert.equal(r.flushFramesNext(), 0);
      let fed = 0, got = 0;
      for (const n of [1, 0, 333, Math.floor(fi / 50), 7]) {
        const need = r.inputFramesNext(5);
        assert.ok(
          r.outputFramesNext(need) >= 5,
          `${fi}->${fo} ${hint}: inputFramesNext(5)=${need}`,
        );
        if (need > 0) assert.ok(r.outputFramesNext(need - 1) < 5);
        const out = new Float32Array(r.outputFramesNext(n) * 2);
        got += r.process(new Float32Array(n * 2), out);
        fed += n;
      }
      assert.equal(got + r.flushFramesNext(), r.delay + Math.ceil(fed * fo / fi));
      r.reset();
      assert.equal(r.flushFramesNext(), 0);
      assert.equal(r.outputFramesNext(0), 0);
    }
  }
});

Deno.test("Resampler reset starts a new stream", () => {
  for (const hint of HINTS) {
    using r = new Resampler({ inputRate: 44100, outputRate: 16000, runtimeHint: hint });
    const x = noise(4410, 3);
    const first = streamChunks(r, x, [441]);
    r.process(noise(1000, 4), new Float32Array(r.outputFramesNext(1000)));
    r.reset();
    assertClose(streamChunks(r, x, [441]), first, 0, hint);
  }
});

Deno.test("resample trims the delay: output k sits at time k/outputRate", () => {
  for (const [fi, fo] of PAIRS) {
    for (const hint of HINTS) {
      // An impulse at an input time that is also an output time: the output peaks there.
      const step = fi / gcd(fi, fo);
      const n0 = step * Math.ceil(500 / step);
      const x = new Float32Array(fi / 10);
      x[n0] = 1;
      const y = resample(x, fi, fo, { runtimeHint: hint });
      assert.equal(y.length, Math.round(x.length * fo / fi));
      const k0 = n0 * fo / fi;
      let peak = 0;
      for (let k = 1; k < y.length; k++) if (Math.abs(y[k]!) > Math.abs(y[peak]!)) peak = k;
      assert.equal(peak, k0, `${fi}->${fo} ${hint}: peak`);
      for (let i = 1; i < 40; i++) {
        assert.ok(
          Math.abs(y[k0 + i]! - y[k0 - i]!) < 1e-6,
          `${fi}->${fo} ${hint}: symmetry at ${i}`,
        );
      }
      // The streaming output is the same signal `delay` frames later.
      using r = new Resampler({ inputRate: fi, outputRate: fo, runtimeHint: hint });
      const s = streamChunks(r, x, [Math.floor(fi / 100)]);
      assertClose(s.subarray(r.delay, r.delay + y.length), y, 0, `${fi}->${fo} ${hint}: stream`);
    }
  }
});

Deno.test("resample returns round(n * out / in) frames for odd lengths and channels", () => {
  for (const hint of HINTS) {
    for (
      const [n, fi, fo, ch] of [
        [1001, 44100, 16000, 2],
        [7, 8000, 16000, 1],
        [1, 48000, 16000, 4],
        [0, 16000, 48000, 1],
      ]
    ) {
      const y = resample(noise(n! * ch!, n!), fi!, fo!, { channels: ch!, runtimeHint: hint });
      assert.equal(y.length, Math.round(n! * fo! / fi!) * ch!, `${n} ${fi}->${fo} ${hint}`);
    }
  }
});

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

interface Signal {
  name: string;
  kind: string;
  category: string;
  files: { input: string; ideal?: string; resample_poly: string };
  threshold?: Record<string, number>;
  resample_poly_metrics: Record<string, number>;
}

interface Manifest {
  fs_in: number;
  fs_out: number;
  signals: Signal[];
}

const DIRS = ["44100_to_16000", "8000_to_16000"];

function manifest(dir: string): Manifest {
  return JSON.parse(Deno.readTextFileSync(testdata(`resample/${dir}/manifest.json`)));
}

/** Every README metric that applies to a signal. */
function metrics(m: Manifest, dir: string, s: Signal, y: Float32Array): Record<string, number> {
  const x = readF32(`resample/${dir}/${s.files.input}`);
  const out: Record<string, number> = {};
  if (s.files.ideal) out.snr_db = snrDb(y, readF32(`resample/${dir}/${s.files.ideal}`), m.fs_out);
  if (s.kind === "alias_tone") out.alias_level_db = aliasLevelDb(y, x, m.fs_out, m.fs_in);
  if (s.kind === "noise_white") out.flatness_db = flatnessDb(y, x, m.fs_in, m.fs_out);
  if (s.kind === "sine" && m.fs_out > m.fs_in) {
    out.image_energy_db = imageEnergyDb(y, m.fs_in, m.fs_out);
  }
  return out;
}

Deno.test("resample metrics reproduce the manifest's values for resample_poly", () => {
  for (const dir of DIRS) {
    const m = manifest(dir);
    for (const s of m.signals) {
      const got = metrics(m, dir, s, readF32(`resample/${dir}/${s.files.resample_poly}`));
      for (const [k, want] of Object.entries(s.resample_poly_metrics)) {
        assert.ok(
          Math.abs(got[k]! - want) < 1e-6,
          `${dir} ${s.name} ${k}: expected ${want}, actual ${got[k]}`,
        );
      }
    }
  }
});

Deno.test("resample passes the testdata thresholds with every preset and both backends", () => {
  for (const dir of DIRS) {
    const m = manifest(dir);
    for (const s of m.signals) {
      const x = readF32(`resample/${dir}/${s.files.input}`);
      for (const quality of QUALITIES) {
        for (const hint of HINTS) {
          const y = resample(x, m.fs_in, m.fs_out, { quality, runtimeHint: hint });
          assert.equal(y.length, m.fs_out);
          const got = metrics(m, dir, s, y);
          const what = `${dir} ${s.name} ${quality} ${hint}`;
          const t = s.threshold ?? {};
          if (t.snr_db_min !== undefined) {
            assert.ok(got.snr_db! >= t.snr_db_min, `${what}: SNR ${got.snr_db} < ${t.snr_db_min}`);
          }
          if (t.image_energy_db_max !== undefined) {
            assert.ok(
              got.image_energy_db! <= t.image_energy_db_max,
              `${what}: image ${got.image_energy_db}`,
            );
          }
          if (t.alias_level_db_max !== undefined) {
            assert.ok(
              got.alias_level_db! <= t.alias_level_db_max,
              `${what}: alias ${got.alias_level_db}`,
            );
          }
          if (t.flatness_db_max !== undefined) {
            assert.ok(
              got.flatness_db! <= t.flatness_db_max,
              `${what}: flatness ${got.flatness_db}`,
            );
          }
          // Beyond the README: the default and high presets hold their own targets here.
          if (quality !== "fast") {
            const floor = quality === "high" ? 130 : 100;
            if (s.category === "alias_info" || s.category.startsWith("alias_")) {
              assert.ok(got.alias_level_db! <= -floor, `${what}: alias ${got.alias_level_db}`);
            }
            if (s.kind === "sine" && s.category === "low" && s.name === "sine_1000hz") {
              assert.ok(got.snr_db! >= floor, `${what}: SNR ${got.snr_db}`);
            }
          }
        }
      }
    }
  }
});

const TONE_PAIRS: Array<[number, number]> = [
  ...PAIRS,
  [44100, 48000],
  [48000, 44100],
  [96000, 16000],
  [11025, 16000],
  [32000, 24000],
];

Deno.test("resample default reaches 100 dB and high 130 dB SNR on a 1 kHz sine", () => {
  for (const [fi, fo] of TONE_PAIRS) {
    const x = sine(fi, fi, 1000, 1.1);
    const ideal = sine(fo, fo, 1000, 1.1);
    for (const [quality, floor] of [["default", 100], ["high", 130]] as const) {
      for (const hint of HINTS) {
        const snr = snrDb(resample(x, fi, fo, { quality, runtimeHint: hint }), ideal, fo);
        assert.ok(
          snr >= floor,
          `${fi}->${fo} ${quality} ${hint}: SNR ${snr.toFixed(1)} dB < ${floor}`,
        );
      }
    }
  }
});

Deno.test("resample default keeps gain within 0.1 dB up to 0.875 of the Nyquist", () => {
  for (const [fi, fo] of TONE_PAIRS) {
    const nyq = Math.min(fi, fo) / 2;
    for (const frac of [0.1, 0.5, 0.8, 0.875]) {
      const f = frac * nyq;
      const x = sine(fi, fi, f);
      const ideal = sine(fo, fo, f);
      for (const quality of ["default", "high"] as const) {
        const y = resample(x, fi, fo, { quality, runtimeHint: "native" });
        const gain = 10 * Math.log10(power(y, fo) / power(ideal, fo));
        assert.ok(Math.abs(gain) <= 0.1, `${fi}->${fo} ${quality} at ${f} Hz: gain ${gain} dB`);
      }
    }
  }
});

function power(x: Float32Array, fs: number): number {
  const e = Math.round(fs / 10);
  let s = 0;
  for (let i = e; i < x.length - e; i++) s += x[i]! * x[i]!;
  return s / (x.length - 2 * e);
}

Deno.test("resample default leaves tones above the target Nyquist 100 dB down (high: 130 dB)", () => {
  for (const [fi, fo] of TONE_PAIRS.filter(([a, b]) => b < a)) {
    for (const mult of [1.01, 1.1, 1.25, 1.5, 2.5]) {
      const f = mult * fo / 2;
      if (f >= fi / 2) continue;
      const x = sine(fi, fi, f);
      for (const [quality, floor] of [["default", 100], ["high", 130]] as const) {
        for (const hint of HINTS) {
          const y = resample(x, fi, fo, { quality, runtimeHint: hint });
          const level = aliasLevelDb(y, x, fo, fi);
          assert.ok(
            level <= -floor,
            `${fi}->${fo} ${quality} ${hint} tone ${f} Hz: ${level.toFixed(1)} dB`,
          );
        }
      }
    }
  }
});

// The README's image metric is a Blackman-Harris periodogram of the trimmed 0.8 s
// output: for a tone between its bins (1.25 Hz apart) the window's own leakage sits near
// -120 dB and hides the resampler. So the tones are put on bins; then the metric reaches
// below -140 dB.
Deno.test("resample default and high leave images of upsampled tones 100 / 130 dB down", () => {
  for (const [fi, fo] of TONE_PAIRS.filter(([a, b]) => b > a)) {
    for (const frac of [0.1, 0.5, 0.875]) {
      const f = Math.round(frac * fi / 2 / 1.25) * 1.25;
      const x = sine(fi, fi, f);
      for (const [quality, floor] of [["default", 100], ["high", 130]] as const) {
        for (const hint of HINTS) {
          const y = resample(x, fi, fo, { quality, runtimeHint: hint });
          const image = imageEnergyDb(y, fi, fo);
          assert.ok(
            image <= -floor,
            `${fi}->${fo} ${quality} ${hint} tone ${f} Hz: image ${image.toFixed(1)} dB`,
          );
        }
      }
    }
  }
});

Deno.test("Resampler native output lands in the caller's buffer (no copy)", () => {
  using r = new Resampler({
    inputRate: 48000,
    outputRate: 16000,
    channels: 2,
    runtimeHint: "native",
  });
  const big = new Float32Array(4096);
  const view = big.subarray(100);
  const x = sine(960 * 2, 48000, 440);
  const n = r.process(x, view);
  assert.ok(n > 0);
  const seen = BigInt(
    Deno.UnsafePointer.value(native().symbols.rm_resampler_last_output(r.unsafeHandle)),
  );
  assert.equal(seen, addressOf(view));
  assert.equal(seen, addressOf(big) + 400n);
  assert.ok(view.subarray(0, n * 2).some((v) => v !== 0));
  assert.ok(big.subarray(0, 100).every((v) => v === 0));
  // And with the binding directly.
  using nr = new NativeResampler(native(), 48000, 16000, 1, 1);
  const out = new Float32Array(nr.outputFramesNext(960));
  nr.process(x.subarray(0, 960), out);
  assert.equal(nr.lastOutputAddress(), addressOf(out));
  // The native design is the TS design (same taps, ratio and delay).
  const info = nr.info();
  const d = designResampler(48000, 16000, "default");
  assert.deepEqual(
    [info.inRate, info.outRate, info.channels, info.quality, info.up, info.down, info.taps],
    [48000, 16000, 1, 1, d.up, d.down, d.taps],
  );
  assert.equal(info.delay, d.delay);
  assert.equal(nr.delay, d.delay);
});

Deno.test("Resampler rejects bad parameters with clear errors", () => {
  for (const hint of HINTS) {
    const make = (o: Partial<ConstructorParameters<typeof Resampler>[0]>) => () =>
      new Resampler({ inputRate: 48000, outputRate: 16000, runtimeHint: hint, ...o });
    assert.throws(make({ inputRate: 0 }), {
      name: "RangeError",
      message: "Cannot create resampler: input rate 0 Hz is not an integer in 1..1536000",
    });
    assert.throws(make({ outputRate: 0 }), RangeError);
    assert.throws(make({ outputRate: 16000.5 }), RangeError);
    assert.throws(make({ inputRate: 44100, outputRate: 44101 }), {
      name: "RangeError",
      message: /ratio 44101\/44100 reduces to 44101\/44100, whose terms exceed 4096/,
    });
    assert.throws(make({ inputRate: 1000, outputRate: 1000000 }), /beyond the supported factor/);
    assert.throws(make({ channels: 0 }), {
      name: "RangeError",
      message: "Cannot create resampler: channel count 0 is not an integer in 1..64",
    });
    assert.throws(make({ channels: 65 }), /channel count 65 is not an integer in 1..64/);
    assert.throws(make({ quality: "best" as ResampleQuality }), /unknown quality "best"/);
    using r = new Resampler({
      inputRate: 48000,
      outputRate: 16000,
      channels: 2,
      runtimeHint: hint,
    });
    assert.throws(() => r.process(new Float32Array(7), new Float32Array(100)), {
      name: "RangeError",
      message: "Cannot resample: input length 7 is not a multiple of 2 channels",
    });
    const need = r.outputFramesNext(960) * 2;
    assert.throws(() => r.process(new Float32Array(1920), new Float32Array(need - 1)), {
      name: "RangeError",
      message: `Cannot resample: output holds ${need - 1} samples, ${need} needed (${
        need / 2
      } frames of 2 channels)`,
    });
    // Nothing changed: the same call with room succeeds and writes `need` samples.
    assert.equal(r.process(new Float32Array(1920), new Float32Array(need)) * 2, need);
    const shared = new Float32Array(4000);
    assert.throws(() => r.process(shared.subarray(0, 1920), shared.subarray(1000)), {
      name: "RangeError",
      message: "Cannot resample: input and output buffers overlap",
    });
    const f = r.flushFramesNext() * 2;
    assert.throws(() => r.flush(new Float32Array(f - 1)), /Cannot flush resampler: output holds/);
    assert.throws(() => r.outputFramesNext(-1), RangeError);
    assert.throws(
      () => resample(new Float32Array(3), 48000, 16000, { channels: 2, runtimeHint: hint }),
      /not a multiple of 2 channels/,
    );
    r.close();
    r.close();
    assert.throws(() => r.process(new Float32Array(2), new Float32Array(2)), {
      name: "TypeError",
      message: "Cannot resample: the resampler is closed",
    });
  }
});

Deno.test("NativeResampler reports native errors as NativeError", () => {
  assert.throws(() => new NativeResampler(native(), 0, 16000, 1, 1), (e: unknown) => {
    assert.ok(e instanceof NativeError);
    assert.equal(e.symbol, "rm_resampler_new");
    assert.match(e.message, /input rate 0 Hz is out of range/);
    return true;
  });
  assert.throws(() => new NativeResampler(native(), 44100, 44101, 1, 1), /terms exceed 4096/);
  assert.throws(() => new NativeResampler(native(), 16000, 8000, 65, 1), /channel count 65/);
  using r = new NativeResampler(native(), 48000, 16000, 2, 1);
  assert.throws(() => r.process(new Float32Array(7), new Float32Array(100)), (e: unknown) => {
    assert.ok(e instanceof NativeError);
    assert.equal(e.codeName, "RM_ERR_INVALID_ARGUMENT");
    assert.match(e.message, /input length 7 is not a multiple of 2 channels/);
    return true;
  });
  assert.throws(() => r.process(new Float32Array(1920), new Float32Array(2)), (e: unknown) => {
    assert.ok(e instanceof NativeError);
    assert.equal(e.codeName, "RM_ERR_BUFFER_TOO_SMALL");
    return true;
  });
});
