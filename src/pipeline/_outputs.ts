// Shared helpers for pipeline outputs, used by the CLI `run` command and the service:
// a JSON summary of each output item, and concatenation of audio / tensor outputs into
// one WAV-able audio item or one float32 array for a .npy file.

import type { PipelineOutput } from "./_scheduler.ts";
import { audio, type AudioData, type TensorData } from "./data.ts";

/** A JSON-friendly summary of one output item (tensors and audio by shape, not data). */
export function summarize(o: PipelineOutput): Record<string, unknown> {
  const d = o.data;
  switch (d.type) {
    case "audio":
      return {
        node: o.node,
        type: "audio",
        sample_rate: d.sampleRate,
        channels: d.channels,
        frames: d.samples.length / d.channels,
        timestamp: d.timestamp,
      };
    case "tensor":
      return { node: o.node, type: "tensor", dtype: d.dtype, shape: d.shape };
    case "event":
      return {
        node: o.node,
        type: "event",
        kind: d.kind,
        time: d.time,
        ...(d.data !== undefined
          ? { data: d.data instanceof Error ? d.data.message : d.data }
          : {}),
      };
    case "text":
      return { node: o.node, type: "text", text: d.text };
    case "json":
      return { node: o.node, type: "json", value: d.value };
    case "binary":
      return { node: o.node, type: "binary", bytes: d.bytes.length, mime_type: d.mimeType };
  }
}

/**
 * Concatenate audio items of one format into one interleaved item.
 *
 * @throws {TypeError} when the items mix sample rates or channel counts.
 */
export function concatAudio(items: AudioData[]): AudioData {
  const first = items[0]!;
  for (const a of items) {
    if (a.sampleRate !== first.sampleRate || a.channels !== first.channels) {
      throw new TypeError(
        `Cannot write WAV: outputs mix ${first.sampleRate} Hz/${first.channels} ch and ` +
          `${a.sampleRate} Hz/${a.channels} ch audio`,
      );
    }
  }
  const n = items.reduce((s, a) => s + a.samples.length, 0);
  const out = new Float32Array(n);
  let off = 0;
  for (const a of items) {
    out.set(a.samples, off);
    off += a.samples.length;
  }
  return audio(out, first.sampleRate, first.channels);
}

/**
 * Concatenate float32 tensors along their last axis (e.g. mel windows [80, n]).
 *
 * @throws {TypeError} for a tensor that is not C-contiguous float32, or shapes that differ
 *   before the last axis.
 */
export function concatTensors(items: TensorData[]): { data: Float32Array; shape: number[] } {
  const first = items[0]!;
  const lead = first.shape.slice(0, -1);
  let last = 0;
  for (const t of items) {
    if (t.dtype !== "float32" || !t.cContiguous) {
      throw new TypeError(
        `Cannot write .npy: tensors must be C-contiguous float32, got ${t.dtype}`,
      );
    }
    if (
      t.shape.length !== first.shape.length || t.shape.slice(0, -1).some((d, i) => d !== lead[i])
    ) {
      throw new TypeError(
        `Cannot write .npy: tensor shapes [${first.shape}] and [${t.shape}] differ before the last axis`,
      );
    }
    last += t.shape[t.shape.length - 1] ?? 1;
  }
  if (items.length === 1) return { data: first.data as Float32Array, shape: [...first.shape] };
  const rows = lead.reduce((a, b) => a * b, 1);
  const out = new Float32Array(rows * last);
  let col = 0;
  for (const t of items) {
    const w = t.shape[t.shape.length - 1] ?? 1;
    const src = t.data as Float32Array;
    for (let r = 0; r < rows; r++) out.set(src.subarray(r * w, r * w + w), r * last + col);
    col += w;
  }
  return { data: out, shape: [...lead, last] };
}
