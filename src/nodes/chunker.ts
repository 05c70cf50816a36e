// Chunker: re-cuts audio into fixed frames (`frame_size` samples per channel, or
// `frame_ms` at the stream's sample rate) using the scheduler's re-framing; other items
// pass through. The last incomplete frame is padded, short or dropped (`remainder`).

import { z } from "zod";
import { positiveInt, positiveNumber } from "../pipeline/_zod.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";

const params = z.object({
  frame_size: positiveInt().optional(),
  frame_ms: positiveNumber().optional(),
  remainder: z.enum(["pad", "short", "drop"]).default("pad"),
}).strict().superRefine((p, ctx) => {
  if ((p.frame_size === undefined) === (p.frame_ms === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [p.frame_size === undefined ? "frame_size" : "frame_ms"],
      message: p.frame_size === undefined
        ? "expected frame_size or frame_ms, got neither"
        : "expected frame_size or frame_ms, not both",
    });
  }
});

/** Register `Chunker` in `registry`. */
export function registerChunker(registry: NodeRegistry): void {
  registry.register(
    "Chunker",
    params,
    ({ frame_size, frame_ms, remainder }) => ({
      frameSize: frame_size ?? ((rate: number) => Math.max(1, Math.round(rate * frame_ms! / 1000))),
      frameRemainder: remainder,
      process: (d) => d,
    }),
    {
      description: "Re-cut audio into frames of frame_size samples (or frame_ms) per channel; " +
        'the last frame is zero-padded ("pad"), short ("short") or dropped ("drop")',
    },
  );
}
