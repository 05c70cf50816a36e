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

// ---- entry points (issue 5): PNG, .npy, spectrogram, HTTP/WebSocket service -------
export { encodePng, type EncodePngOptions, type PngFilter } from "./src/io/png.ts";
export { decodeNpy, encodeNpy, type NpyArray } from "./src/io/npy.ts";
export {
  type MelMatrix,
  renderSpectrogram,
  type RenderSpectrogramOptions,
  type RgbaImage,
  type SpectrogramSegment,
} from "./src/io/spectrogram.ts";
export { type ErrorBody, type ErrorDetails, HttpError, jsonResponse } from "./src/server/errors.ts";
export {
  createService,
  DEFAULT_LIMITS,
  type RequestContext,
  type ResponseInfo,
  type Route,
  type RouteHandler,
  type Service,
  type ServiceLimits,
  type ServiceLogEntry,
  type ServiceOptions,
  type ServiceStats,
} from "./src/server/service.ts";
export { type App, type AppOptions, createApp } from "./src/server/app.ts";
export { type MultipartPart, type Upload } from "./src/server/body.ts";
export {
  type PcmFormat,
  type StreamEmit,
  type StreamHandler,
  type StreamHandlerFactory,
  type StreamOutput,
  type StreamOutputs,
  type StreamStart,
} from "./src/server/stream.ts";

// ---- DSP kernels (issue 3): fft, resample, mel, vad --------------------------------
export { RealFft, type RealFftOptions } from "./src/dsp/fft.ts";
export {
  LogMel,
  type LogMelOptions,
  type LogMelResult,
  melFilterbank,
  type MelLayout,
  whisperLogMel,
  whisperLogMelAsync,
  type WhisperLogMelOptions,
} from "./src/dsp/mel.ts";
export {
  resample,
  type ResampleOptions,
  type ResampleQuality,
  Resampler,
  type ResamplerOptions,
} from "./src/dsp/resample.ts";
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
export {
  audio,
  type AudioData,
  type AudioOptions,
  binary,
  type BinaryData,
  event,
  type EventData,
  type EventKind,
  json,
  type JsonData,
  type RuntimeData,
  tensor,
  type TensorArray,
  type TensorData,
  type TensorDType,
  type TensorOptions,
  text,
  type TextData,
} from "./src/pipeline/data.ts";
export {
  type ErrorPolicy,
  type ManifestBreaker,
  type ManifestConfig,
  type ManifestConnection,
  ManifestError,
  type ManifestIssue,
  manifestJsonSchema,
  type ManifestNode,
  type ManifestPolicy,
  type ManifestRetry,
  type ManifestV1,
} from "./src/pipeline/manifest.ts";
export {
  backoffDelay,
  type BreakerPolicy,
  type BreakerState,
  CircuitBreaker,
  CircuitOpenError,
  type Clock,
  isRetryable,
  NodeError,
  type NodeErrorOptions,
  type NodeOperation,
  RetryableError,
  type RetryPolicy,
  systemClock,
} from "./src/pipeline/errors.ts";
export {
  type FrameRemainder,
  type NodeContext,
  type NodeDefinition,
  type NodeFactory,
  type NodeInit,
  NodeRegistry,
  type NodeResult,
  type NodeTypeInfo,
  type ParamsSchema,
  type PipelineNode,
  type RegisterOptions,
} from "./src/pipeline/registry.ts";
export { Reframer, type ReframerOptions } from "./src/pipeline/reframe.ts";
export { createRegistry, defaultRegistry } from "./src/nodes/builtin.ts";
export {
  Pipeline,
  type PipelineInput,
  type PipelineOptions,
  type PipelineOutput,
} from "./src/pipeline/pipeline.ts";
export { type AddNodeOptions, PipelineBuilder } from "./src/pipeline/builder.ts";
export {
  isPreset,
  listPresets,
  type PresetInfo,
  presetManifest,
  presetNames,
} from "./src/pipeline/presets.ts";
export {
  type ExecutionMetrics,
  MetricsCollector,
  type MetricsCollectorOptions,
  type NodeMetrics,
  NodeRecorder,
} from "./src/metrics/collector.ts";
export { LogLinearHistogram } from "./src/metrics/histogram.ts";
export { formatPrometheus, type PrometheusOptions } from "./src/metrics/prometheus.ts";
export { wavFrames, type WavFramesOptions } from "./src/io/frames.ts";

// ---- accelerator dispatch (issue 6) ------------------------------------------------
export {
  type DeviceInfo,
  type DeviceKind,
  type DeviceOptions,
  type ExecutionProvider,
  listDevices,
  loadOnnxRuntime,
  type OnnxRuntimeInfo,
  onnxRuntimeInfo,
  PROVIDER_PRIORITY,
  type ProviderStatus,
} from "./src/device/devices.ts";
export {
  type CompletionMode,
  DeviceQueue,
  type DeviceQueueOptions,
  type DeviceStats,
  deviceStats,
} from "./src/device/queue.ts";
export {
  type BindingShapes,
  OnnxBinding,
  OnnxModel,
  type OnnxModelOptions,
  OnnxSession,
  type OnnxSessionOptions,
  type OnnxSessionStats,
  type ProviderAttempt,
  type Tensor,
  type TensorArray as OnnxTensorArray,
  type TensorInfo,
  type TensorType,
} from "./src/device/onnx.ts";
export {
  detectSpeechSilero,
  type SileroDetection,
  SileroVad,
  SileroVadBatch,
  type SileroVadBatchOptions,
  type SileroVadOptions,
  type SileroVadResult,
  type SileroVadStats,
  type SpeechEvent as SileroSpeechEvent,
  type SpeechSegment as SileroSpeechSegment,
} from "./src/device/silero.ts";
