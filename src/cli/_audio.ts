// Audio helpers for CLI commands: decode a WAV naming the file, cut it into frames.

import { decodeWav, type WavAudio } from "../io/wav.ts";
import { audio, type AudioData } from "../pipeline/data.ts";
import { readInput } from "./_files.ts";

/** Read and decode a WAV file; errors name the path. */
export async function readWav(path: string): Promise<WavAudio> {
  const bytes = await readInput(path);
  try {
    return decodeWav(bytes);
  } catch (e) {
    throw new Error(`${path}: ${e instanceof Error ? e.message : e}`, { cause: e });
  }
}

/** Cut interleaved audio into frames of `frameMs` (views, no copies; the last may be short). */
export function* framesOf(wav: WavAudio, frameMs: number): Generator<AudioData> {
  const frameFrames = Math.max(1, Math.round((wav.sampleRate * frameMs) / 1000));
  const step = frameFrames * wav.channels;
  for (let i = 0; i < wav.samples.length; i += step) {
    yield audio(
      wav.samples.subarray(i, Math.min(wav.samples.length, i + step)),
      wav.sampleRate,
      wav.channels,
      { timestamp: i / wav.channels / wav.sampleRate },
    );
  }
}
