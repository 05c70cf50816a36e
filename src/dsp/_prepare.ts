// Input preparation shared by the CLI and the service: any rate/channel count -> the
// 16 kHz mono float32 the speech kernels (log-mel, Silero) expect.

import { downmix } from "./convert.ts";
import { resample } from "./resample.ts";

/**
 * Mono 16 kHz samples of interleaved audio (downmixed and resampled as needed; the input
 * itself when it already is 16 kHz mono).
 */
export function to16kMono(
  samples: Float32Array,
  sampleRate: number,
  channels: number,
): Float32Array {
  const mono = channels === 1 ? samples : downmix(samples, channels);
  return sampleRate === 16000 ? mono : resample(mono, sampleRate, 16000);
}
