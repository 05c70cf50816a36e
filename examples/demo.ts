// Placeholder demo for the foundation: synthesize a tone, write it as 16-bit WAV,
// read it back through the native conversion kernels and report what happened.
// (Issue 5 replaces this with the full voice front end.)
import { decodeWav, encodeWav, NativePool } from "../mod.ts";

const rate = 48000;
const tone = new Float32Array(rate).map((_, i) => 0.5 * Math.sin(2 * Math.PI * 440 * i / rate));
const bytes = encodeWav(tone, { sampleRate: rate, encoding: "pcm16" });
const wav = decodeWav(bytes);
using pool = new NativePool();
using block = pool.acquire(wav.samples.byteLength);
block.f32().set(wav.samples);
let maxErr = 0;
for (let i = 0; i < tone.length; i++) {
  maxErr = Math.max(maxErr, Math.abs(block.f32()[i]! - tone[i]!));
}
console.log(
  `converted ${wav.frames} frames @ ${wav.sampleRate} Hz (${wav.encoding}); ` +
    `max quantization error ${maxErr.toExponential(2)}; pool: ${JSON.stringify(pool.stats())}`,
);
