// Whisper log-mel features of a WAV file, written as a numpy-readable .npy [n_mels, n_frames].
//
//   deno run -A examples/whisper_features.ts [in.wav] [out.npy]
//
// Any rate or channel count: the audio is downmixed and resampled to 16 kHz first.
import { downmix, encodeNpy, readWavFile, resample, whisperLogMel } from "../mod.ts";

const input = Deno.args[0] ?? new URL("./assets/demo_speech.wav", import.meta.url).pathname;
const output = Deno.args[1] ?? "out/features.npy";

const wav = await readWavFile(input);
const mono = wav.channels === 1 ? wav.samples : downmix(wav.samples, wav.channels);
const x16k = wav.sampleRate === 16000 ? mono : resample(mono, wav.sampleRate, 16000);

const t0 = performance.now();
const mel = whisperLogMel(x16k, { nMels: 80 }); // [80][n_frames], Whisper's layout
const ms = performance.now() - t0;

await Deno.mkdir(output.split("/").slice(0, -1).join("/") || ".", { recursive: true });
await Deno.writeFile(output, encodeNpy(mel.data, [mel.nMels, mel.nFrames]));
console.log(
  `${input}: ${(x16k.length / 16000).toFixed(2)} s -> ${output} [${mel.nMels}, ${mel.nFrames}] ` +
    `in ${ms.toFixed(2)} ms (load it with numpy.load)`,
);
