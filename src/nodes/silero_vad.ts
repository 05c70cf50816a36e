// SileroVad: the Silero VAD ONNX model (through the device layer) as a pipeline node.
// Audio passes through unchanged; speech start/end events are emitted as they are decided.
// The model, ONNX Runtime and the session are created on the first audio item (the model
// runs at 16 or 8 kHz mono: put AudioResample/Downmix before it for other input).

import { z } from "zod";
import { SileroVad } from "../device/silero.ts";
import type { SpeechEvent } from "../device/_segmenter.ts";
import { event, type RuntimeData } from "../pipeline/data.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";

const params = z.object({
  threshold: z.number().gt(0).lt(1).default(0.5),
  neg_threshold: z.number().gt(0).lt(1).default(0.35),
  min_speech_ms: z.number().min(0).default(250),
  min_silence_ms: z.number().min(0).default(100),
  pad_ms: z.number().min(0).default(30),
  provider: z.enum(["auto", "VitisAI", "OpenVINO", "QNN", "CUDA", "CPU"]).default("auto"),
  device_kind: z.enum(["auto", "cpu", "gpu", "npu"]).default("auto"),
  emit_audio: z.boolean().default(true),
}).strict();

function toEvents(evs: readonly SpeechEvent[], out: RuntimeData[]): void {
  for (const e of evs) out.push(event(e.type === "start" ? "speech_start" : "speech_end", e.time));
}

/** Register `SileroVad` in `registry`. */
export function registerSileroVad(registry: NodeRegistry): void {
  registry.register("SileroVad", params, (p) => {
    let vad: SileroVad | null = null;
    let creating: Promise<SileroVad> | null = null;
    let rate = 0;
    return {
      async process(d) {
        if (d.type !== "audio") return d;
        if (d.channels !== 1 || (d.sampleRate !== 16000 && d.sampleRate !== 8000)) {
          throw new RangeError(
            `Cannot run SileroVad: it needs 16 kHz or 8 kHz mono audio, got ${d.sampleRate} Hz ` +
              `with ${d.channels} channel(s); put AudioResample/Downmix before it`,
          );
        }
        if (rate !== 0 && rate !== d.sampleRate) {
          throw new RangeError(
            `Cannot run SileroVad: sample rate changed from ${rate} to ${d.sampleRate} Hz`,
          );
        }
        rate = d.sampleRate;
        creating ??= SileroVad.create({
          sampleRate: d.sampleRate as 16000 | 8000,
          threshold: p.threshold,
          negThreshold: p.neg_threshold,
          minSpeechMs: p.min_speech_ms,
          minSilenceMs: p.min_silence_ms,
          padMs: p.pad_ms,
          provider: p.provider,
          deviceKind: p.device_kind,
        });
        vad ??= await creating;
        const r = await vad.process(d.samples);
        const out: RuntimeData[] = p.emit_audio ? [d] : [];
        toEvents(r.events, out);
        return out;
      },
      async flush() {
        if (vad === null) return null;
        const out: RuntimeData[] = [];
        toEvents((await vad.flush()).events, out);
        return out;
      },
      async close() {
        if (vad === null && creating !== null) vad = await creating.catch(() => null);
        vad?.close();
        vad = null;
      },
    };
  }, {
    description:
      "Silero VAD (ONNX, device-dispatched): passes audio through, emits speech_start/speech_end events",
  });
}
