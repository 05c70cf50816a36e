// AudioResample: streaming sample-rate conversion of audio items to `target_rate`.
// With `align` (the default) the resampler's delay is trimmed: the first `delay` output
// frames are dropped and the end of stream is flushed, so output frame k sits at time
// k / target_rate and a stream of n input frames yields round(n * target_rate / rate)
// frames in all, exactly as the batch `resample()` does. Audio already at the target rate
// passes through untouched (no copy). Non-audio items pass through.

import { z } from "zod";
import { Resampler } from "../dsp/resample.ts";
import { audio, type RuntimeData } from "../pipeline/data.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";
import { positiveInt } from "../pipeline/_zod.ts";

const params = z.object({
  target_rate: positiveInt(),
  quality: z.enum(["fast", "default", "high"]).default("default"),
  align: z.boolean().default(true),
}).strict();

/** Register `AudioResample` in `registry`. */
export function registerAudioResample(registry: NodeRegistry): void {
  registry.register("AudioResample", params, (p, { runtimeHint }) => {
    let rs: Resampler | null = null;
    let channels = 1;
    let inFrames = 0; // input frames consumed
    let produced = 0; // output frames produced by the resampler
    let emitted = 0; // output frames emitted (after trimming the delay)
    let skip = 0; // output frames still to drop
    let rate = 0;

    const emit = (out: Float32Array, frames: number, limit: number): RuntimeData | null => {
      produced += frames;
      let start = 0;
      if (skip > 0) {
        start = Math.min(skip, frames);
        skip -= start;
      }
      let end = frames;
      if (emitted + (end - start) > limit) end = start + Math.max(0, limit - emitted);
      if (end <= start) return null;
      const a = audio(out.subarray(start * channels, end * channels), p.target_rate, channels, {
        timestamp: emitted / p.target_rate,
      });
      emitted += end - start;
      return a;
    };

    return {
      process(d) {
        if (d.type !== "audio") return d;
        if (rs === null && d.sampleRate === p.target_rate) return d;
        if (rs === null) {
          rate = d.sampleRate;
          channels = d.channels;
          rs = new Resampler({
            inputRate: d.sampleRate,
            outputRate: p.target_rate,
            channels: d.channels,
            quality: p.quality,
            runtimeHint,
          });
          skip = p.align ? rs.delay : 0;
        } else if (d.sampleRate !== rate || d.channels !== channels) {
          throw new RangeError(
            `Cannot resample: the stream changed from ${rate} Hz/${channels} ch to ` +
              `${d.sampleRate} Hz/${d.channels} ch`,
          );
        }
        const frames = d.samples.length / channels;
        inFrames += frames;
        const out = new Float32Array(rs.outputFramesNext(frames) * channels);
        return emit(out, rs.process(d.samples, out), Infinity);
      },
      flush() {
        if (rs === null) return null;
        const total = Math.round((inFrames * p.target_rate) / rate);
        const limit = p.align ? total : Infinity;
        const out = new Float32Array(rs.flushFramesNext() * channels);
        return emit(out, rs.flush(out), limit);
      },
      close() {
        rs?.close();
        rs = null;
      },
    };
  }, {
    description:
      "Resample audio to target_rate (streaming; delay trimmed so output aligns with input)",
  });
}
