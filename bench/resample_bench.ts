// Resampler benchmarks: 60 s of mono 48 kHz -> 16 kHz (and 44.1 kHz -> 16 kHz) through
// the native presets, the pure-TS fallback and libsamplerate-js (libsamplerate compiled
// to wasm, the npm package a Deno user would pick) at SINC_FASTEST, its fastest sinc
// mode, as the baseline. Also 1/2/4 channels, and 20 ms streaming frames, native vs TS.
//
//   deno bench -A bench/resample_bench.ts
import lsr from "@alexanderolsen/libsamplerate-js";
import { resample, Resampler } from "../src/dsp/resample.ts";

// The package is CommonJS: Deno exposes it as a default export only.
const { ConverterType, create } = lsr as unknown as {
  ConverterType: { SRC_SINC_FASTEST: number };
  create(
    channels: number,
    inRate: number,
    outRate: number,
    options: { converterType: number },
  ): Promise<{ simple(x: Float32Array): Float32Array; destroy(): void }>;
};

function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 0.5;
  });
}

for (const inRate of [48000, 44100]) {
  const group = `60 s mono ${inRate / 1000}k->16k`;
  const x = noise(inRate * 60, inRate);
  const src = await create(1, inRate, 16000, { converterType: ConverterType.SRC_SINC_FASTEST });
  Deno.bench({
    group,
    name: "libsamplerate-js SINC_FASTEST (wasm)",
    baseline: true,
    n: 5,
    warmup: 1,
    fn: () => void src.simple(x),
  });
  for (const quality of ["fast", "default", "high"] as const) {
    Deno.bench({
      group,
      name: `native ${quality}`,
      n: 20,
      warmup: 2,
      fn: () => void resample(x, inRate, 16000, { quality, runtimeHint: "native" }),
    });
  }
  Deno.bench({
    group,
    name: "ts default",
    n: 3,
    warmup: 1,
    fn: () => void resample(x, inRate, 16000, { runtimeHint: "ts" }),
  });
}

// Channel counts: 10 s of 48 kHz interleaved audio, native default vs libsamplerate-js.
for (const channels of [1, 2, 4]) {
  const group = `10 s ${channels} ch 48k->16k`;
  const x = noise(48000 * 10 * channels, channels);
  const src = await create(channels, 48000, 16000, {
    converterType: ConverterType.SRC_SINC_FASTEST,
  });
  Deno.bench({
    group,
    name: "libsamplerate-js SINC_FASTEST (wasm)",
    baseline: true,
    n: 5,
    warmup: 1,
    fn: () => void src.simple(x),
  });
  Deno.bench({
    group,
    name: "native default",
    n: 20,
    warmup: 2,
    fn: () => void resample(x, 48000, 16000, { channels, runtimeHint: "native" }),
  });
}

// Streaming: 1 s of stereo 48 kHz in 20 ms frames into one reused output buffer.
{
  const group = "stream 20 ms frames, stereo 48k->16k, 1 s";
  const x = noise(48000 * 2, 9);
  for (const hint of ["ts", "native"] as const) {
    const r = new Resampler({
      inputRate: 48000,
      outputRate: 16000,
      channels: 2,
      runtimeHint: hint,
    });
    const out = new Float32Array((r.outputFramesNext(960) + 1) * 2);
    Deno.bench({
      group,
      name: `${hint} default`,
      baseline: hint === "ts",
      fn: () => {
        for (let pos = 0; pos < x.length; pos += 1920) r.process(x.subarray(pos, pos + 1920), out);
      },
    });
  }
}
