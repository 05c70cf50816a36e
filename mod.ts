/**
 * remotemedia-edge: streaming media pipelines for Deno, on a zero-copy native core.
 *
 * Audio goes through typed arrays that cross into the native (Rust, C ABI) library
 * without copies; every kernel also has a pure-TypeScript implementation selected with
 * `runtimeHint: "ts"` or automatically where FFI is not allowed.
 *
 * @example Convert 16-bit PCM from a WAV file
 * ```ts ignore
 * import { readWavFile } from "@remotemedia/edge";
 * const wav = await readWavFile("speech.wav");
 * console.log(wav.sampleRate, wav.channels, wav.samples.length);
 * ```
 *
 * @module
 */

// ---- foundation: native library, errors, pool -----------------------------------
export {
  loadNative,
  loadNativeSync,
  type LoadOptions,
  type NativeLibrary,
} from "./src/ffi/loader.ts";
export { NativeError } from "./src/ffi/error.ts";
export { NativePool, PoolBlock, type PoolStats } from "./src/ffi/pool.ts";

// ---- sample format conversion ----------------------------------------------------
export {
  applyGain,
  type ConvertOptions,
  deinterleave,
  downmix,
  float32ToInt16,
  float32ToInt24,
  float32ToInt32,
  float64ToFloat32,
  int16ToFloat32,
  int24ToFloat32,
  int32ToFloat32,
  interleave,
  type RuntimeHint,
  uint8ToFloat32,
} from "./src/dsp/convert.ts";

// ---- WAV I/O -----------------------------------------------------------------------
export {
  decodeWav,
  type DecodeWavOptions,
  encodeWav,
  type EncodeWavOptions,
  readWavFile,
  type WavAudio,
  type WavEncoding,
  writeWavFile,
} from "./src/io/wav.ts";

// ---- DSP kernels (issue 3): fft, resample, mel, vad --------------------------------
export {
  detectSpeech,
  type DetectSpeechOptions,
  type DetectSpeechResult,
  type SpeechEvent,
  type SpeechSegment,
  SpeechSegmenter,
  type SpeechSegmenterOptions,
  speechSegments,
  type SpeechSegmentsOptions,
  Vad,
  type VadFrameMs,
  type VadMode,
  type VadOptions,
  type VadSampleRate,
} from "./src/dsp/vad.ts";

// ---- pipeline runtime (issue 4) ----------------------------------------------------

// ---- accelerator dispatch (issue 6) ------------------------------------------------
