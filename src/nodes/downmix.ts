// Downmix: multi-channel audio -> mono by averaging the channels (native kernel with the
// TS fallback); mono audio and other items pass through unchanged.

import { z } from "zod";
import { downmix, interleave } from "../dsp/convert.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";

/** Register `Downmix` in `registry`. */
export function registerDownmix(registry: NodeRegistry): void {
  registry.register("Downmix", z.object({}).strict(), (_p, { runtimeHint }) => {
    const opts = { runtimeHint };
    return {
      process(d) {
        if (d.type !== "audio" || d.channels === 1) return d;
        const src = d.interleaved ? d.samples : interleave(d.samples, d.channels, undefined, opts);
        return {
          type: "audio",
          samples: downmix(src, d.channels, undefined, opts),
          sampleRate: d.sampleRate,
          channels: 1,
          interleaved: true,
          timestamp: d.timestamp,
        };
      },
    };
  }, { description: "Average the channels of audio into mono" });
}
