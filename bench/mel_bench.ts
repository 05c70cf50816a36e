// Whisper log-mel of 30 s (480000 samples, 80 mels -> [80, 3000]): native (one thread, both
// layouts; two threads; streamed in 20 ms chunks) vs the pure-TS fallback vs an
// npm:fft.js-based TS implementation (baseline: Bluestein FFT, dense W @ P). For
// orientation, numpy float32 takes 14-41 ms here and the FFTs alone with FFTW ~1.2 ms;
// the target is <= 5 ms on one core.
// Run: deno task bench (or deno bench -A bench/mel_bench.ts)
import { LogMel, melFilterbank, whisperLogMel } from "../src/dsp/mel.ts";
import { fftJsLogMel } from "./_fftjs.ts";

const N = 480000;
const x = Float32Array.from(
  { length: N },
  (_, n) => 0.5 * Math.sin(2 * Math.PI * (50 * n / 16000 + 130 * (n / 16000) ** 2)),
);
const out = new Float32Array(80 * 3000);
const filters = melFilterbank(80);
const group = "log-mel 30 s, 80 mels";

Deno.bench({
  group,
  name: "npm:fft.js-based TS (Bluestein + dense)",
  baseline: true,
  n: 5,
  warmup: 1,
  fn() {
    fftJsLogMel(x, filters, 80);
  },
});
Deno.bench({
  group,
  name: "native, mel-major, 1 thread",
  fn() {
    whisperLogMel(x, { output: out, runtimeHint: "native" });
  },
});
Deno.bench({
  group,
  name: "native, frame-major, 1 thread",
  fn() {
    whisperLogMel(x, { output: out, layout: "frame-major", runtimeHint: "native" });
  },
});
Deno.bench({
  group,
  name: "native, mel-major, 2 threads",
  fn() {
    whisperLogMel(x, { output: out, threads: 2, runtimeHint: "native" });
  },
});
const out128 = new Float32Array(128 * 3000);
Deno.bench({
  group,
  name: "native, 128 mels, mel-major, 1 thread",
  fn() {
    whisperLogMel(x, { nMels: 128, output: out128, runtimeHint: "native" });
  },
});
const stream = new LogMel({ runtimeHint: "native" });
Deno.bench({
  group,
  name: "native LogMel, 20 ms pushes + finish",
  fn() {
    for (let i = 0; i < N; i += 320) stream.push(x.subarray(i, i + 320));
    stream.finish(out);
  },
});
Deno.bench({
  group,
  name: "TS fallback",
  n: 10,
  warmup: 2,
  fn() {
    whisperLogMel(x, { output: out, runtimeHint: "ts" });
  },
});

const chunk = x.subarray(0, 320);
const pushGroup = "log-mel stream: one 20 ms push";
const nat = new LogMel({ runtimeHint: "native" });
const ts = new LogMel({ runtimeHint: "ts" });
Deno.bench({
  group: pushGroup,
  name: "TS LogMel.push",
  baseline: true,
  fn() {
    ts.push(chunk);
    if (ts.samples >= N) ts.reset();
  },
});
Deno.bench({
  group: pushGroup,
  name: "native LogMel.push",
  fn() {
    nat.push(chunk);
    if (nat.samples >= N) nat.reset();
  },
});
