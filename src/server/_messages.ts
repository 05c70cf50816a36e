// Pipeline outputs as `/v1/stream` messages (JSON text).
//
//   event   {"type":"event","node","kind","time"[,"data"]}            time in seconds
//   tensor  {"type":"tensor","node","dtype","shape","encoding","data"}
//   audio   {"type":"audio","node","sample_rate","channels","timestamp","frames","encoding","data"}
//   text    {"type":"text","node","text"}
//   json    {"type":"json","node","value"}
//   binary  {"type":"binary","node","mime_type","encoding":"base64","data"}
//
// Numeric data (tensors, audio) goes as `encoding: "base64"` by default: the elements'
// little-endian bytes in C order (tensors) or interleaved frames (audio), base64-coded —
// exact, and a third of the size of decimal text. `encoding: "array"` (asked for with
// `"tensor_encoding": "array"` in the start message) sends a flat JSON number array in the
// same order instead (64-bit integers as numbers, exact below 2^53).

import type { PipelineOutput } from "../pipeline/_scheduler.ts";
import type { TensorArray, TensorData } from "../pipeline/data.ts";

/** How numeric data is written in messages. */
export type DataEncoding = "base64" | "array";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The tensor's elements in C order (the view itself when already C-contiguous). */
function cOrder(t: TensorData): TensorArray {
  if (t.cContiguous) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    return t.data.subarray(0, n) as TensorArray;
  }
  const n = t.shape.reduce((a, b) => a * b, 1);
  const Ctor = t.data.constructor as new (n: number) => TensorArray;
  const out = new Ctor(n);
  const idx = new Array<number>(t.shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let d = 0; d < idx.length; d++) off += idx[d]! * t.strides[d]!;
    (out as unknown as Record<number, number | bigint>)[k] = t.data[off]!;
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d]! < t.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

function encode(data: TensorArray, encoding: DataEncoding): string | number[] {
  if (encoding === "array") {
    return Array.from(data as ArrayLike<number | bigint>, (v) => Number(v));
  }
  let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!LITTLE_ENDIAN && data.BYTES_PER_ELEMENT > 1) {
    bytes = bytes.slice();
    const w = data.BYTES_PER_ELEMENT;
    for (let i = 0; i < bytes.length; i += w) bytes.subarray(i, i + w).reverse();
  }
  return bytes.toBase64();
}

/** One pipeline output as a stream message. */
export function outputMessage(o: PipelineOutput, encoding: DataEncoding): Record<string, unknown> {
  const d = o.data;
  switch (d.type) {
    case "event": {
      const m: Record<string, unknown> = {
        type: "event",
        node: o.node,
        kind: d.kind,
        time: d.time,
      };
      if (d.data !== undefined) m.data = d.data instanceof Error ? d.data.message : d.data;
      return m;
    }
    case "tensor":
      return {
        type: "tensor",
        node: o.node,
        dtype: d.dtype,
        shape: [...d.shape],
        encoding,
        data: encode(cOrder(d), encoding),
      };
    case "audio": {
      let samples = d.samples;
      if (!d.interleaved && d.channels > 1) {
        const frames = samples.length / d.channels;
        samples = new Float32Array(samples.length);
        for (let c = 0; c < d.channels; c++) {
          for (let i = 0; i < frames; i++) samples[i * d.channels + c] = d.samples[c * frames + i]!;
        }
      }
      return {
        type: "audio",
        node: o.node,
        sample_rate: d.sampleRate,
        channels: d.channels,
        timestamp: d.timestamp,
        frames: samples.length / d.channels,
        encoding,
        data: encode(samples, encoding),
      };
    }
    case "text":
      return { type: "text", node: o.node, text: d.text };
    case "json":
      return { type: "json", node: o.node, value: d.value };
    case "binary":
      return {
        type: "binary",
        node: o.node,
        mime_type: d.mimeType,
        encoding: "base64",
        data: d.bytes.toBase64(),
      };
  }
}
