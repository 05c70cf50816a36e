/**
 * `mel`: Whisper log-mel features of a WAV file as a float32 .npy [n_mels, n_frames].
 * Any rate and channel count: the audio is downmixed and resampled to 16 kHz first.
 *
 * @module
 */

import { to16kMono } from "../../dsp/_prepare.ts";
import { whisperLogMel } from "../../dsp/mel.ts";
import { encodeNpy } from "../../io/npy.ts";
import type { Command } from "../command.ts";
import { writeOutput } from "../_files.ts";
import { readWav } from "../_audio.ts";

/** The `mel` command. */
export const melCommand: Command = {
  name: "mel",
  summary: "Whisper log-mel features to a float32 .npy [n_mels, n_frames]",
  positionals: [{ name: "in.wav", help: "Input WAV (any rate; resampled to 16 kHz)" }],
  options: {
    "n-mels": { type: "string", help: "Mel bins (default 80)", choices: ["80", "128"] },
    out: {
      type: "string",
      short: "o",
      valueName: "features.npy",
      help: "Output .npy",
      required: true,
    },
  },
  examples: [
    "remotemedia mel speech.wav --out features.npy",
    "remotemedia mel a.wav --n-mels 128 -o a.npy",
  ],
  async run(args, ctx) {
    const input = args.positionals[0]!;
    const nMels = Number(args.values["n-mels"] ?? 80) as 80 | 128;
    const wav = await readWav(input);
    const x = to16kMono(wav.samples, wav.sampleRate, wav.channels);
    if (x.length < 201) {
      throw new RangeError(
        `Cannot compute log-mel: ${input} has ${x.length} samples at 16 kHz; at least 201 needed`,
      );
    }
    const t0 = performance.now();
    const mel = whisperLogMel(x, { nMels, threads: navigator.hardwareConcurrency > 1 ? 2 : 1 });
    const ms = performance.now() - t0;
    const path = args.values.out as string;
    await writeOutput(path, encodeNpy(mel.data, [mel.nMels, mel.nFrames]));
    if (!ctx.quiet) {
      ctx.stdout(
        `${input} (${(x.length / 16000).toFixed(2)} s) -> ${path} [${mel.nMels}, ${mel.nFrames}] ` +
          `in ${ms.toFixed(1)} ms\n`,
      );
    }
  },
};
