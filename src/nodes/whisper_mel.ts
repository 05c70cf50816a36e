// WhisperMel: Whisper-compatible log-mel features of 16 kHz mono audio, streaming.
// Frames are computed as audio arrives (LogMel); every `window_s` seconds (Whisper's 30 s
// chunk) the window is finished — log, global max-8 clamp, scaling — and emitted as one
// tensor [n_mels, n_frames] ("mel-major", Whisper's layout) or [n_frames, n_mels]
// ("frame-major", what NPU encoders want). The features equal the batch `whisperLogMel`
// of the same window. At end of stream the partial window is emitted too: zero-padded to a
// full window when `pad_to_window` is set (Whisper's pad_or_trim), else as is (a tail of
// fewer than 201 samples is zero-padded to 201, the minimum the STFT's reflect pad needs).
// Non-audio items pass through.

import { z } from "zod";
import { LogMel } from "../dsp/mel.ts";
import { type RuntimeData, tensor } from "../pipeline/data.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";
import { positiveNumber } from "../pipeline/_zod.ts";

const params = z.object({
  n_mels: z.union([z.literal(80), z.literal(128)]).default(80),
  window_s: positiveNumber().max(600).default(30),
  layout: z.enum(["mel-major", "frame-major"]).default("mel-major"),
  pad_to_window: z.boolean().default(false),
}).strict();

const MIN_SAMPLES = 201;

/** Register `WhisperMel` in `registry`. */
export function registerWhisperMel(registry: NodeRegistry): void {
  registry.register("WhisperMel", params, (p, { runtimeHint }) => {
    const windowSamples = Math.round(p.window_s * 16000);
    let mel: LogMel | null = null;
    let pushed = 0;
    const emit = (): RuntimeData => {
      const r = mel!.finish();
      pushed = 0;
      const shape = r.layout === "mel-major" ? [r.nMels, r.nFrames] : [r.nFrames, r.nMels];
      return tensor(r.data, shape);
    };
    return {
      process(d) {
        if (d.type !== "audio") return d;
        if (d.sampleRate !== 16000 || d.channels !== 1) {
          throw new RangeError(
            `Cannot compute WhisperMel: it needs 16 kHz mono audio, got ${d.sampleRate} Hz with ` +
              `${d.channels} channel(s); put AudioResample/Downmix before it`,
          );
        }
        mel ??= new LogMel({
          nMels: p.n_mels,
          layout: p.layout,
          capacityFrames: Math.floor(windowSamples / 160),
          runtimeHint,
        });
        const out: RuntimeData[] = [];
        let x = d.samples;
        while (x.length > 0) {
          const take = Math.min(x.length, windowSamples - pushed);
          mel.push(take === x.length ? x : x.subarray(0, take));
          pushed += take;
          x = x.subarray(take);
          if (pushed === windowSamples) out.push(emit());
        }
        return out;
      },
      flush() {
        if (mel === null || pushed === 0) return null;
        const target = p.pad_to_window ? windowSamples : Math.max(pushed, MIN_SAMPLES);
        if (target > pushed) mel.push(new Float32Array(target - pushed));
        pushed = target;
        return emit();
      },
      close() {
        mel?.close();
        mel = null;
      },
    };
  }, {
    description:
      "Whisper log-mel features of 16 kHz mono audio, one tensor per window (streaming, equals batch)",
  });
}
