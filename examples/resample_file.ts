// Resample a WAV file with the streaming resampler, in 20 ms blocks, delay trimmed.
//
//   deno run -A examples/resample_file.ts [in.wav] [out.wav] [rate]
//
// Defaults: the bundled clip, out/resampled.wav, 48000 Hz.
import { readWavFile, Resampler, writeWavFile } from "../mod.ts";

const input = Deno.args[0] ?? new URL("./assets/demo_speech.wav", import.meta.url).pathname;
const output = Deno.args[1] ?? "out/resampled.wav";
const rate = Number(Deno.args[2] ?? 48000);

const wav = await readWavFile(input);
const ch = wav.channels;
using rs = new Resampler({ inputRate: wav.sampleRate, outputRate: rate, channels: ch });

// Real-time style: fixed 20 ms input blocks, one preallocated output buffer.
const block = Math.round(wav.sampleRate * 0.02);
const scratch = new Float32Array(rs.outputFramesNext(block) * ch);
const total = Math.round((wav.frames * rate) / wav.sampleRate);
const out = new Float32Array(total * ch);
let skip = rs.delay; // output frames of latency to trim
let written = 0;
const take = (buf: Float32Array, frames: number) => {
  const s = Math.min(skip, frames);
  skip -= s;
  const n = Math.min(frames - s, total - written);
  out.set(buf.subarray(s * ch, (s + n) * ch), written * ch);
  written += n;
};
for (let f = 0; f < wav.frames; f += block) {
  take(
    scratch,
    rs.process(wav.samples.subarray(f * ch, Math.min(wav.frames, f + block) * ch), scratch),
  );
}
const tail = new Float32Array(rs.flushFramesNext() * ch);
take(tail, rs.flush(tail));

await Deno.mkdir(output.split("/").slice(0, -1).join("/") || ".", { recursive: true });
await writeWavFile(output, out, { sampleRate: rate, channels: ch, encoding: wav.encoding });
console.log(
  `${input}: ${wav.frames} frames @ ${wav.sampleRate} Hz -> ${output}: ${written} frames @ ${rate} Hz ` +
    `(delay ${rs.delay} frames trimmed, ${rs.backend} backend)`,
);
