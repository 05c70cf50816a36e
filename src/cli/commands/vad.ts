/**
 * `vad`: speech segments of a WAV file (any rate and channel count; downmixed and
 * resampled to 16 kHz), with the classic native VAD or Silero.
 *
 * @module
 */

import { to16kMono } from "../../dsp/_prepare.ts";
import { detectSpeech, type VadFrameMs, type VadMode } from "../../dsp/vad.ts";
import { detectSpeechSilero } from "../../device/silero.ts";
import type { Command } from "../command.ts";
import { readWav } from "../_audio.ts";

/** The `vad` command. */
export const vadCommand: Command = {
  name: "vad",
  summary: "Detect speech segments in a WAV file (classic VAD or Silero)",
  description: "Prints segments in seconds. --json prints " +
    '{"segments": [{"start": 0.81, "end": 3.72}, ...], "engine", "duration_s", ...}. ' +
    "Silero needs `deno task setup-models`.",
  positionals: [{ name: "in.wav", help: "Input WAV (any rate; resampled to 16 kHz)" }],
  options: {
    "frame-ms": {
      type: "string",
      help: "Classic VAD frame (default 20)",
      choices: ["10", "20", "30"],
    },
    mode: {
      type: "string",
      help: "Classic VAD aggressiveness (default 1)",
      choices: ["0", "1", "2", "3"],
    },
    engine: { type: "string", help: "Engine (default classic)", choices: ["classic", "silero"] },
    json: { type: "boolean", help: "Print JSON" },
  },
  examples: [
    "remotemedia vad call.wav --json",
    "remotemedia vad call.wav --engine silero --json",
    "remotemedia vad noisy.wav --mode 3 --frame-ms 30",
  ],
  async run(args, ctx) {
    const input = args.positionals[0]!;
    const engine = (args.values.engine ?? "classic") as "classic" | "silero";
    const frameMs = Number(args.values["frame-ms"] ?? 20) as VadFrameMs;
    const mode = Number(args.values.mode ?? 1) as VadMode;
    const wav = await readWav(input);
    const x = to16kMono(wav.samples, wav.sampleRate, wav.channels);
    const t0 = performance.now();
    const segments = engine === "classic"
      ? detectSpeech(x, 16000, { frameMs, mode }).segments
      : (await detectSpeechSilero(x)).segments;
    const ms = performance.now() - t0;
    const duration = x.length / 16000;
    const round = (v: number) => Math.round(v * 1000) / 1000;
    const segs = segments.map((s) => ({ start: round(s.start), end: round(s.end) }));
    if (args.values.json) {
      ctx.stdout(
        JSON.stringify({
          segments: segs,
          engine,
          duration_s: round(duration),
          ...(engine === "classic" ? { frame_ms: frameMs, mode } : {}),
          processing_ms: round(ms),
        }) + "\n",
      );
      return;
    }
    for (const s of segs) ctx.stdout(`${s.start.toFixed(3)}\t${s.end.toFixed(3)}\n`);
    if (!ctx.quiet) {
      const speech = segs.reduce((a, s) => a + s.end - s.start, 0);
      ctx.stderr(
        `${segs.length} segment(s), ${speech.toFixed(2)} s of speech in ${duration.toFixed(2)} s ` +
          `(${engine}, ${ms.toFixed(1)} ms)\n`,
      );
    }
  },
};
