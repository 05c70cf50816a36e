// Cost per frame of the VAD: native vs the TypeScript fallback vs WebRTC VAD in wasm
// (npm:@echogarden/fvad-wasm, the baseline). Frames are taken in turn from a real clip
// (shared/testdata/vad/vad05_pink_10dB.wav) so the detectors see speech and noise.
// Run: deno bench -A bench/vad_bench.ts

import { readWavFile } from "../src/io/wav.ts";
import { float32ToInt16 } from "../src/dsp/convert.ts";
import { detectSpeech, Vad } from "../src/dsp/vad.ts";
import { testdata } from "../tests/_util.ts";
import { Fvad } from "./_fvad.ts";

const clip16 = (await readWavFile(testdata("vad/vad05_pink_10dB.wav"))).samples;
const clip48 = (await readWavFile(testdata("vad/vad04_brown_5dB_48k.wav"))).samples;

function frames(x: Float32Array, n: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i + n <= x.length; i += n) out.push(x.subarray(i, i + n));
  return out;
}

for (const [rate, clip] of [[16000, clip16], [48000, clip48]] as const) {
  const group = `vad 20 ms frame @ ${rate / 1000} kHz`;
  const f32 = frames(clip, (rate * 20) / 1000);
  const i16 = f32.map((f) => float32ToInt16(f));
  const native = new Vad({ sampleRate: rate, frameMs: 20, runtimeHint: "native" });
  const ts = new Vad({ sampleRate: rate, frameMs: 20, runtimeHint: "ts" });
  const fvad = new Fvad(rate, 20, 3);
  let a = 0, b = 0, c = 0, d = 0;
  Deno.bench({
    group,
    name: "fvad-wasm (int16 frame)",
    baseline: true,
    fn: () => {
      fvad.processInt16(i16[a++ % i16.length]!);
    },
  });
  Deno.bench({
    group,
    name: "fvad-wasm (float frame, int16 conversion included)",
    fn: () => {
      fvad.processFloat(f32[b++ % f32.length]!);
    },
  });
  Deno.bench({
    group,
    name: `native (${native.kernel})`,
    fn: () => {
      native.process(f32[c++ % f32.length]!);
    },
  });
  Deno.bench({
    group,
    name: "TypeScript fallback",
    fn: () => {
      ts.process(f32[d++ % f32.length]!);
    },
  });
}

Deno.bench({
  group: "detectSpeech, 13.2 s clip @ 16 kHz",
  name: "native",
  baseline: true,
  fn: () => {
    detectSpeech(clip16, 16000, { runtimeHint: "native" });
  },
});
Deno.bench({
  group: "detectSpeech, 13.2 s clip @ 16 kHz",
  name: "TypeScript fallback",
  fn: () => {
    detectSpeech(clip16, 16000, { runtimeHint: "ts" });
  },
});
