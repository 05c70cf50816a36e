/**
 * `resample`: convert a WAV file to another sample rate. The resampler's delay is trimmed,
 * so output sample k sits at time k/rate and the output has round(n * rate / in_rate)
 * frames. The sample format follows the input unless `--format` says otherwise.
 *
 * @module
 */

import { Resampler } from "../../dsp/resample.ts";
import { encodeWav, type WavEncoding } from "../../io/wav.ts";
import type { Command } from "../command.ts";
import { writeOutput } from "../_files.ts";
import { readWav } from "../_audio.ts";
import { FORMATS } from "./convert.ts";

/** The `resample` command. */
export const resampleCommand: Command = {
  name: "resample",
  summary: "Resample a WAV file (delay-compensated, any channel count)",
  positionals: [{ name: "in.wav", help: "Input WAV" }],
  options: {
    rate: { type: "string", short: "r", valueName: "hz", help: "Output rate", required: true },
    out: { type: "string", short: "o", valueName: "out.wav", help: "Output WAV", required: true },
    quality: {
      type: "string",
      short: "q",
      help: "Quality preset (default: default)",
      choices: ["fast", "default", "high"],
    },
    format: {
      type: "string",
      short: "f",
      help: "Output sample format",
      choices: Object.keys(FORMATS),
    },
  },
  examples: [
    "remotemedia resample speech48k.wav --rate 16000 --out speech16k.wav",
    "remotemedia resample music.wav -r 48000 -o up.wav --quality high --format f32",
  ],
  async run(args, ctx) {
    const input = args.positionals[0]!;
    const rate = Number(args.values.rate);
    if (!Number.isInteger(rate) || rate < 1) {
      throw new RangeError(`--rate ${args.values.rate} is not a positive integer`);
    }
    const wav = await readWav(input);
    const quality = (args.values.quality ?? "default") as "fast" | "default" | "high";
    const ch = wav.channels;
    using rs = new Resampler({
      inputRate: wav.sampleRate,
      outputRate: rate,
      channels: ch,
      quality,
    });
    const total = Math.round((wav.frames * rate) / wav.sampleRate);
    const out = new Float32Array(total * ch);
    // Stream through in 1 s blocks (progress on a terminal); trim the delay at the front.
    const seconds = wav.frames / wav.sampleRate;
    const progress = ctx.progress(seconds, "resample");
    let skip = rs.delay;
    let written = 0;
    const sink = (buf: Float32Array, frames: number) => {
      const start = Math.min(skip, frames);
      skip -= start;
      const take = Math.min(frames - start, total - written);
      if (take > 0) out.set(buf.subarray(start * ch, (start + take) * ch), written * ch);
      written += Math.max(0, take);
    };
    const block = wav.sampleRate;
    const tmp = new Float32Array(rs.outputFramesNext(block) * ch);
    for (let f = 0; f < wav.frames; f += block) {
      const part = wav.samples.subarray(f * ch, Math.min(wav.frames, f + block) * ch);
      sink(tmp, rs.process(part, tmp));
      progress.update(Math.min(seconds, (f + block) / wav.sampleRate));
    }
    const tail = new Float32Array(rs.flushFramesNext() * ch);
    sink(tail, rs.flush(tail));
    progress.done();
    const format = args.values.format as string | undefined;
    const encoding: WavEncoding = format === undefined ? wav.encoding : FORMATS[format]!;
    const out_path = args.values.out as string;
    await writeOutput(out_path, encodeWav(out, { sampleRate: rate, channels: ch, encoding }));
    if (!ctx.quiet) {
      ctx.stdout(
        `${input} (${wav.sampleRate} Hz, ${wav.frames} frames) -> ${out_path} ` +
          `(${rate} Hz, ${total} frames, ${encoding}, quality ${quality})\n`,
      );
    }
  },
};
