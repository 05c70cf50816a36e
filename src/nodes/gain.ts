// Gain: scales audio by a linear factor (`gain`) or by decibels (`gain_db`) into a new
// array (the input may be shared with sibling nodes); other items pass through.

import { z } from "zod";
import { applyGain } from "../dsp/convert.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";

const params = z.object({
  gain: z.number().optional(),
  gain_db: z.number().optional(),
}).strict().superRefine((p, ctx) => {
  if (p.gain !== undefined && p.gain_db !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["gain_db"],
      message: "expected gain or gain_db, not both",
    });
  }
});

/** Register `Gain` in `registry`. */
export function registerGain(registry: NodeRegistry): void {
  registry.register("Gain", params, ({ gain, gain_db }, { runtimeHint }) => {
    const factor = gain_db !== undefined ? 10 ** (gain_db / 20) : gain ?? 1;
    const opts = { runtimeHint };
    return {
      process(d) {
        if (d.type !== "audio") return d;
        const out = new Float32Array(d.samples.length);
        out.set(d.samples);
        applyGain(out, factor, opts);
        return { ...d, samples: out };
      },
    };
  }, { description: "Multiply audio by gain (linear, default 1) or gain_db (decibels)" });
}
