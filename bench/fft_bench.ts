// Real FFT, n = 512 and n = 400 (Whisper's frame): native RealFft vs the pure-TS fallback
// vs npm:fft.js, the FFT a JS user picks (baseline). fft.js only does powers of two, so
// n = 400 runs through Bluestein on top of fft.js (bench/_fftjs.ts). For orientation,
// FFTW 3.3.10 (float r2c, measured plans) takes ~450 ns (512) and ~610 ns (400) on these
// machines.
// Run: deno task bench (or deno bench -A bench/fft_bench.ts)
import { RealFft } from "../src/dsp/fft.ts";
import { FftJsReal } from "./_fftjs.ts";

for (const n of [512, 400]) {
  const group = `real FFT n=${n}`;
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.1 * Math.cos(i));
  const xs = Array.from(x);
  const nat = new RealFft(n, { runtimeHint: "native" });
  const ts = new RealFft(n, { runtimeHint: "ts" });
  const out = new Float32Array(nat.spectrumLength);
  const out64 = new Float64Array(nat.spectrumLength);
  const fj = new FftJsReal(n);

  Deno.bench({
    group,
    name: n === 400 ? "npm:fft.js (Bluestein over 1024)" : "npm:fft.js realTransform",
    baseline: true,
    fn() {
      fj.forward(xs, out64);
    },
  });
  Deno.bench({
    group,
    name: "native RealFft.forward",
    fn() {
      nat.forward(x, out);
    },
  });
  const raw = nat.unsafeNative!;
  Deno.bench({
    group,
    name: `native binding only (rm_fft_forward, ${raw.isa})`,
    fn() {
      raw.forward(x, out);
    },
  });
  Deno.bench({
    group,
    name: "TS RealFft.forward",
    fn() {
      ts.forward(x, out);
    },
  });
}
