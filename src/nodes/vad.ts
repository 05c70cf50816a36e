// VAD: the classic noise-adaptive VAD as a pipeline node. Audio is re-cut by the scheduler
// into frames of `frame_ms` and passes through unchanged (the last, short frame too: it is
// not judged); speech_start/speech_end events come from the streaming segmenter (minimum
// speech and silence durations, padding) as they are decided. Mono audio at 8, 16, 32 or
// 48 kHz: put Downmix/AudioResample before it for other input.

import { z } from "zod";
import { SpeechSegmenter, Vad, type VadMode } from "../dsp/vad.ts";
import { event, type RuntimeData } from "../pipeline/data.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";

const params = z.object({
  mode: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).default(1),
  frame_ms: z.union([z.literal(10), z.literal(20), z.literal(30)]).default(20),
  min_speech_ms: z.number().min(0).max(60_000).default(250),
  min_silence_ms: z.number().min(0).max(60_000).default(100),
  pad_ms: z.number().min(0).max(10_000).default(30),
  emit_audio: z.boolean().default(true),
}).strict();

const RATES = new Set([8000, 16000, 32000, 48000]);

/** Register `VAD` in `registry`. */
export function registerVad(registry: NodeRegistry): void {
  registry.register("VAD", params, (p, { runtimeHint }) => {
    let vad: Vad | null = null;
    const seg = new SpeechSegmenter({
      frameMs: p.frame_ms,
      minSpeechMs: p.min_speech_ms,
      minSilenceMs: p.min_silence_ms,
      padMs: p.pad_ms,
    });
    return {
      frameSize: (rate: number) => Math.round((rate * p.frame_ms) / 1000),
      frameRemainder: "short",
      process(d) {
        if (d.type !== "audio") return d;
        if (d.channels !== 1 || !RATES.has(d.sampleRate)) {
          throw new RangeError(
            `Cannot run VAD: it needs mono audio at 8, 16, 32 or 48 kHz, got ${d.sampleRate} Hz ` +
              `with ${d.channels} channel(s); put Downmix/AudioResample before it`,
          );
        }
        vad ??= new Vad({
          sampleRate: d.sampleRate as 8000 | 16000 | 32000 | 48000,
          frameMs: p.frame_ms,
          mode: p.mode as VadMode,
          runtimeHint,
        });
        if (d.samples.length !== vad.frameSamples) return p.emit_audio ? d : null; // short tail
        const ev = seg.push(vad.process(d.samples));
        if (ev === null) return p.emit_audio ? d : null;
        const e = event(ev.type === "start" ? "speech_start" : "speech_end", ev.time);
        const out: RuntimeData[] = p.emit_audio ? [d, e] : [e];
        return out;
      },
      flush() {
        const ev = seg.finish();
        return ev === null ? null : event("speech_end", ev.time);
      },
      close() {
        vad?.close();
        vad = null;
      },
    };
  }, {
    description:
      "Classic noise-adaptive VAD: passes audio through, emits speech_start/speech_end events",
  });
}
