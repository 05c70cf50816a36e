/**
 * `convert`: rewrite a WAV file in another sample format (rate and channels unchanged).
 *
 * @module
 */

import { decodeWav, encodeWav, type WavEncoding } from "../../io/wav.ts";
import type { Command } from "../command.ts";
import { readInput, writeOutput } from "../_files.ts";

/** `--format` values and the WAV encodings they mean. */
export const FORMATS: Readonly<Record<string, WavEncoding>> = {
  s16: "pcm16",
  s24: "pcm24",
  s32: "pcm32",
  f32: "float32",
};

/** The `convert` command. */
export const convertCommand: Command = {
  name: "convert",
  summary: "Convert a WAV file's sample format (s16, s24, s32, f32)",
  description: "The output keeps the input's rate and channels; without --format it also " +
    "keeps the input's encoding. Float to integer conversion clips at full scale.",
  positionals: [{ name: "in.wav", help: "Input WAV (PCM 8/16/24/32-bit or float 32/64)" }],
  options: {
    out: {
      type: "string",
      short: "o",
      valueName: "out.wav",
      help: "Output WAV path",
      required: true,
    },
    format: {
      type: "string",
      short: "f",
      help: "Output sample format",
      choices: Object.keys(FORMATS),
    },
  },
  examples: [
    "remotemedia convert speech.wav --out speech_f32.wav --format f32",
    "remotemedia convert music.wav -o music16.wav -f s16",
  ],
  async run(args, ctx) {
    const input = args.positionals[0]!;
    const out = args.values.out as string;
    const bytes = await readInput(input);
    let audio;
    try {
      audio = decodeWav(bytes);
    } catch (e) {
      throw new Error(`${input}: ${e instanceof Error ? e.message : e}`, { cause: e });
    }
    const format = args.values.format as string | undefined;
    const encoding = format === undefined ? audio.encoding : FORMATS[format]!;
    const encoded = encodeWav(audio.samples, {
      sampleRate: audio.sampleRate,
      channels: audio.channels,
      encoding,
    });
    await writeOutput(out, encoded);
    if (!ctx.quiet) {
      const seconds = (audio.frames / audio.sampleRate).toFixed(2);
      ctx.stdout(
        `${input} (${audio.encoding}, ${audio.sampleRate} Hz, ${audio.channels} ch, ${seconds} s) ` +
          `-> ${out} (${encoding}, ${encoded.length} bytes)\n`,
      );
    }
  },
};
