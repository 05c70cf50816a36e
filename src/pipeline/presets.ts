/**
 * Named pipelines ("presets"): ready-made manifests that the service runs by name
 * (`POST /v1/pipelines/voice-frontend/run`, a WebSocket start message
 * `{"pipeline": "voice-frontend"}`) and that scripts and the CLI can start from.
 *
 * - `voice-frontend`: any rate and channel count -> mono (`Downmix`) -> 16 kHz
 *   (`AudioResample`) -> classic VAD (`VAD`, speech start/end events, audio passes
 *   through) -> Whisper log-mel (`WhisperMel`, 80 bins, one tensor per 30 s window).
 * - `vad`: any input -> mono 16 kHz -> classic VAD events only.
 * - `resample-16k`: any input -> mono 16 kHz audio.
 * - `vad-silero`: mono 16 kHz -> Silero VAD speech events (needs `deno task setup-models`).
 *
 * @module
 */

import type { ManifestV1 } from "./manifest.ts";

/** A named pipeline. */
export interface PresetInfo {
  /** The name used to ask for it. */
  name: string;
  /** One line on what it does. */
  description: string;
  /** Its manifest (a fresh copy: change it freely). */
  manifest: ManifestV1;
}

const PRESETS: Readonly<Record<string, Omit<PresetInfo, "name">>> = {
  "voice-frontend": {
    description:
      "Downmix to mono, resample to 16 kHz, classic VAD events, Whisper log-mel (80 bins, 30 s windows)",
    manifest: {
      version: "v1",
      metadata: { name: "voice-frontend" },
      nodes: [
        { id: "mono", node_type: "Downmix" },
        { id: "resample", node_type: "AudioResample", params: { target_rate: 16000 } },
        { id: "vad", node_type: "VAD", params: { mode: 1, frame_ms: 20 } },
        { id: "mel", node_type: "WhisperMel", params: { n_mels: 80 } },
      ],
      connections: [
        { from: "mono", to: "resample" },
        { from: "resample", to: "vad" },
        { from: "vad", to: "mel" },
      ],
    },
  },
  "vad": {
    description: "Downmix to mono, resample to 16 kHz, classic VAD speech events",
    manifest: {
      version: "v1",
      metadata: { name: "vad" },
      nodes: [
        { id: "mono", node_type: "Downmix" },
        { id: "resample", node_type: "AudioResample", params: { target_rate: 16000 } },
        { id: "vad", node_type: "VAD", params: { mode: 1, frame_ms: 20, emit_audio: false } },
      ],
      connections: [{ from: "mono", to: "resample" }, { from: "resample", to: "vad" }],
    },
  },
  "resample-16k": {
    description: "Downmix to mono and resample to 16 kHz (delay-compensated)",
    manifest: {
      version: "v1",
      metadata: { name: "resample-16k" },
      nodes: [
        { id: "mono", node_type: "Downmix" },
        { id: "resample", node_type: "AudioResample", params: { target_rate: 16000 } },
      ],
      connections: [{ from: "mono", to: "resample" }],
    },
  },
  "vad-silero": {
    description:
      "Downmix, resample to 16 kHz, Silero VAD speech_start/speech_end events (needs the model)",
    manifest: {
      version: "v1",
      metadata: { name: "vad-silero" },
      nodes: [
        { id: "mono", node_type: "Downmix" },
        { id: "resample", node_type: "AudioResample", params: { target_rate: 16000 } },
        { id: "vad", node_type: "SileroVad", params: { emit_audio: false } },
      ],
      connections: [{ from: "mono", to: "resample" }, { from: "resample", to: "vad" }],
    },
  },
};

/**
 * Names of the built-in presets, sorted.
 *
 * @returns The names.
 *
 * @example
 * ```ts
 * import { presetNames } from "./presets.ts";
 * console.log(presetNames().includes("voice-frontend")); // true
 * ```
 */
export function presetNames(): string[] {
  return Object.keys(PRESETS).sort();
}

/**
 * Whether `name` is a built-in preset.
 *
 * @param name A pipeline name.
 * @returns True for a preset.
 *
 * @example
 * ```ts
 * import { isPreset } from "./presets.ts";
 * console.log(isPreset("resample-16k"), isPreset("toString")); // true false
 * ```
 */
export function isPreset(name: string): boolean {
  return Object.hasOwn(PRESETS, name);
}

/**
 * The manifest of a preset (a fresh copy each call).
 *
 * @param name The preset's name.
 * @returns Its manifest.
 * @throws {RangeError} for an unknown name, listing the known ones.
 *
 * @example Run the voice front end on one second of audio
 * ```ts
 * import { audio, Pipeline, presetManifest } from "../../mod.ts";
 * await using p = Pipeline.fromManifest(presetManifest("voice-frontend"));
 * const [mel] = await p.run(audio(new Float32Array(48000), 48000, 1));
 * if (mel!.data.type === "tensor") console.log(mel!.data.shape); // [80, 100]
 * ```
 */
export function presetManifest(name: string): ManifestV1 {
  if (!isPreset(name)) {
    throw new RangeError(
      `Unknown pipeline preset "${name}": expected one of ${presetNames().join(", ")}`,
    );
  }
  return structuredClone(PRESETS[name]!.manifest);
}

/**
 * Every preset with its description and manifest.
 *
 * @returns One entry per preset, sorted by name.
 *
 * @example
 * ```ts
 * import { listPresets } from "./presets.ts";
 * for (const p of listPresets()) console.log(p.name, p.manifest.nodes.length);
 * ```
 */
export function listPresets(): PresetInfo[] {
  return presetNames().map((name) => ({
    name,
    description: PRESETS[name]!.description,
    manifest: presetManifest(name),
  }));
}
