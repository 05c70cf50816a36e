// FormatConvert: 16-bit PCM <-> float32 audio through the conversion kernels of
// src/dsp/convert.ts (native, or the TS fallback per runtime_hint).
//
// to "float32": binary items (little-endian int16 PCM, interleaved) or int16 tensors
//   ([frames, channels] or [samples]) become audio at `sample_rate` with `channels`;
//   bytes of an incomplete frame are carried over to the next binary item (and dropped at
//   end of stream). Timestamps count the frames converted. Audio passes through.
// to "int16": audio becomes int16 PCM, as binary bytes (default) or an int16 tensor
//   [frames, channels]; planar audio is interleaved first.
// Other items pass through.

import { z } from "zod";
import { float32ToInt16, int16ToFloat32, interleave } from "../dsp/convert.ts";
import { audio, binary, tensor } from "../pipeline/data.ts";
import { expecting, positiveInt } from "../pipeline/_zod.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";

const params = z.object({
  to: z.enum(["float32", "int16"]),
  sample_rate: positiveInt().optional(),
  channels: z.int({ error: expecting("an integer in 1..64") })
    .min(1, { error: expecting("an integer in 1..64") })
    .max(64, { error: expecting("an integer in 1..64") })
    .default(1),
  output: z.enum(["binary", "tensor"]).default("binary"),
}).strict().superRefine((p, ctx) => {
  if (p.to === "float32" && p.sample_rate === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["sample_rate"],
      message: 'expected a positive integer (required when to is "float32"), got nothing',
    });
  }
});

/** Register `FormatConvert` in `registry`. */
export function registerFormatConvert(registry: NodeRegistry): void {
  registry.register("FormatConvert", params, (p, { runtimeHint }) => {
    const opts = { runtimeHint };
    if (p.to === "int16") {
      return {
        process(d) {
          if (d.type !== "audio") return d;
          const src = d.interleaved || d.channels === 1
            ? d.samples
            : interleave(d.samples, d.channels, undefined, opts);
          const pcm = float32ToInt16(src, undefined, opts);
          return p.output === "tensor"
            ? tensor(pcm, [pcm.length / d.channels, d.channels])
            : binary(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
        },
      };
    }
    const rate = p.sample_rate!;
    let frames = 0;
    let carry = new Uint8Array(0);
    const toAudio = (pcm: Int16Array, channels: number) => {
      const a = audio(int16ToFloat32(pcm, undefined, opts), rate, channels, {
        timestamp: frames / rate,
      });
      frames += pcm.length / channels;
      return a;
    };
    return {
      process(d) {
        if (d.type === "tensor") {
          if (d.dtype !== "int16") return d;
          const channels = d.shape.length === 2 ? d.shape[1]! : p.channels;
          if (!d.cContiguous) {
            throw new TypeError("Cannot convert an int16 tensor: it is not C-contiguous");
          }
          const n = d.shape.reduce((a, b) => a * b, 1);
          return toAudio((d.data as Int16Array).subarray(0, n), channels);
        }
        if (d.type !== "binary") return d;
        const frameBytes = 2 * p.channels;
        let bytes = d.bytes;
        if (carry.length > 0) {
          const joined = new Uint8Array(carry.length + bytes.length);
          joined.set(carry);
          joined.set(bytes, carry.length);
          bytes = joined;
        }
        const usable = bytes.length - (bytes.length % frameBytes);
        carry = bytes.slice(usable);
        if (usable === 0) return null;
        const pcm = bytes.byteOffset % 2 === 0
          ? new Int16Array(bytes.buffer, bytes.byteOffset, usable / 2)
          : new Int16Array(bytes.slice(0, usable).buffer);
        return toAudio(pcm, p.channels);
      },
    };
  }, {
    description: 'Convert 16-bit PCM (binary or int16 tensor) to float32 audio (to: "float32"), ' +
      'or audio to 16-bit PCM (to: "int16", as binary or tensor)',
  });
}
