// Speech detection engines behind `POST /v1/audio/vad`. Both take mono 16 kHz samples and
// return segments in seconds: `classic` is the native noise-adaptive VAD of
// src/dsp/vad.ts, `silero` the Silero ONNX model through the device layer.

import { detectSpeechSilero, type SpeechSegment } from "../device/silero.ts";
import { locateOrt, locateSilero } from "../device/_locate.ts";
import { HttpError } from "./errors.ts";
import { detectSpeech } from "../dsp/vad.ts";

/** Options of the classic engine (validated from the query string). */
export interface ClassicVadOptions {
  /** Frame length in ms: 10, 20 or 30. */
  frameMs?: 10 | 20 | 30;
  /** Aggressiveness 0..3. */
  mode?: 0 | 1 | 2 | 3;
}

/** The engines `?engine=` accepts. */
export const VAD_ENGINES: readonly string[] = ["classic", "silero"];

/** Classic VAD over mono 16 kHz samples. */
export function detectClassic(
  samples16k: Float32Array,
  options: ClassicVadOptions,
): SpeechSegment[] {
  return detectSpeech(samples16k, 16000, {
    ...(options.frameMs !== undefined ? { frameMs: options.frameMs } : {}),
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
  }).segments;
}

/** Whether ONNX Runtime and the Silero model are installed (no load attempted). */
export function sileroInstalled(): boolean {
  return locateOrt().path !== undefined && locateSilero().path !== undefined;
}

/**
 * Silero VAD over mono 16 kHz samples.
 *
 * @throws {HttpError} 503 `engine_unavailable` when the model or ONNX Runtime is missing.
 */
export async function detectSilero(samples16k: Float32Array): Promise<SpeechSegment[]> {
  if (!sileroInstalled()) {
    throw new HttpError(
      503,
      "engine_unavailable",
      "Cannot detect speech: engine silero is not available on this server (the Silero " +
        "model or ONNX Runtime is not installed; run `deno task setup-models`)",
      { engine: "silero" },
    );
  }
  return (await detectSpeechSilero(samples16k)).segments;
}
