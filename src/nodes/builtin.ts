/**
 * The built-in node types and the default registry.
 *
 * To add a kernel node (AudioResample, VAD, WhisperMel): write
 * `src/nodes/<name>.ts` exporting `register<Name>(registry)` (see the example in
 * `src/pipeline/registry.ts`) and call it in {@link createRegistry}.
 *
 * @module
 */

import { NodeRegistry } from "../pipeline/registry.ts";
import { registerAudioResample } from "./audio_resample.ts";
import { registerChunker } from "./chunker.ts";
import { registerDownmix } from "./downmix.ts";
import { registerFormatConvert } from "./format_convert.ts";
import { registerGain } from "./gain.ts";
import { registerOnnxModel } from "./onnx_model.ts";
import { registerPassThrough } from "./passthrough.ts";
import { registerSileroVad } from "./silero_vad.ts";
import { registerVad } from "./vad.ts";
import { registerWhisperMel } from "./whisper_mel.ts";

/**
 * A new registry holding every built-in node type (add your own types to it freely).
 *
 * @returns The registry.
 *
 * @example
 * ```ts
 * import { createRegistry } from "./builtin.ts";
 * console.log(createRegistry().types().includes("Gain")); // true
 * ```
 */
export function createRegistry(): NodeRegistry {
  const r = new NodeRegistry();
  registerPassThrough(r);
  registerGain(r);
  registerDownmix(r);
  registerFormatConvert(r);
  registerChunker(r);
  registerSileroVad(r);
  registerOnnxModel(r);
  registerWhisperMel(r);
  registerAudioResample(r);
  registerVad(r);
  return r;
}

/**
 * The registry `Pipeline.fromManifest` uses by default. Registering a type here makes it
 * available to every pipeline built afterwards; use {@link createRegistry} (or `clone()`)
 * for an isolated set.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from "./builtin.ts";
 * console.log(defaultRegistry.has("Gain")); // true
 * ```
 */
export const defaultRegistry: NodeRegistry = createRegistry();
