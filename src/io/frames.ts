/**
 * `wavFrames`: a `TransformStream` from WAV file bytes (in chunks of any size, e.g. a
 * file's or a request body's `readable`) to fixed-size audio frames, parsing the header as
 * it streams in. Backpressure flows through: the file is read as fast as frames are taken.
 *
 * The header (everything up to the `data` chunk) is checked by `decodeWav` from
 * `wav.ts`, so the same encodings are accepted (PCM 8/16/24/32, float 32/64, extensible)
 * with the same error messages. Samples are converted by the kernels of
 * `src/dsp/convert.ts`. Reading stops at the end of the `data` chunk (a size of 0 or
 * 0xffffffff, as streaming writers leave it, means "until the end of the stream").
 *
 * @module
 */

import {
  type ConvertOptions,
  float64ToFloat32,
  int16ToFloat32,
  int24ToFloat32,
  int32ToFloat32,
  uint8ToFloat32,
} from "../dsp/convert.ts";
import type { AudioData } from "../pipeline/data.ts";
import { decodeWav, type WavEncoding } from "./wav.ts";

/** Options for {@link wavFrames}. */
export interface WavFramesOptions extends ConvertOptions {
  /**
   * Frame duration in milliseconds (frames = round(rate * frameMs / 1000)).
   * @default {20}
   */
  frameMs?: number;
  /** Frame size in samples per channel (overrides `frameMs`). */
  frameSamples?: number;
  /**
   * The last incomplete frame: delivered short (`"short"`), zero-padded (`"pad"`) or
   * dropped (`"drop"`).
   * @default {"short"}
   */
  remainder?: "short" | "pad" | "drop";
  /**
   * Most header bytes (before the `data` chunk) to accept.
   * @default {1048576}
   */
  maxHeaderBytes?: number;
}

const BYTES: Record<WavEncoding, number> = {
  pcm8: 1,
  pcm16: 2,
  pcm24: 3,
  pcm32: 4,
  float32: 4,
  float64: 8,
};

function fourcc(b: Uint8Array, off: number): string {
  return String.fromCharCode(b[off]!, b[off + 1]!, b[off + 2]!, b[off + 3]!);
}

/**
 * A stream transform from WAV bytes to audio frames (interleaved float32, timestamps from
 * the start of the file).
 *
 * @param options Frame size, remainder handling, conversion backend.
 * @returns The transform.
 * @throws {RangeError} for a bad frame size (from the constructor); the stream errors with
 * a `TypeError` for a malformed or unsupported WAV.
 *
 * @example Frame a WAV held in memory
 * ```ts
 * import { encodeWav } from "./wav.ts";
 * import { wavFrames } from "./frames.ts";
 * const bytes = encodeWav(new Float32Array(1000), { sampleRate: 16000 });
 * const frames = ReadableStream.from([bytes]).pipeThrough(wavFrames({ frameMs: 20 }));
 * const sizes: number[] = [];
 * for await (const f of frames) sizes.push(f.samples.length);
 * console.log(sizes); // [320, 320, 320, 40]
 * ```
 */
export function wavFrames(options?: WavFramesOptions): TransformStream<Uint8Array, AudioData> {
  const frameMs = options?.frameMs ?? 20;
  if (options?.frameSamples !== undefined) {
    const n = options.frameSamples;
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`Cannot frame WAV audio: frameSamples ${n} is not a positive integer`);
    }
  } else if (!(frameMs > 0) || !Number.isFinite(frameMs)) {
    throw new RangeError(`Cannot frame WAV audio: frameMs ${frameMs} is not a positive number`);
  }
  const remainder = options?.remainder ?? "short";
  const maxHeader = options?.maxHeaderBytes ?? 1 << 20;
  const conv = { runtimeHint: options?.runtimeHint };

  let header = new Uint8Array(0);
  let fmt: { rate: number; channels: number; encoding: WavEncoding } | null = null;
  let dataLeft = Infinity; // bytes of the data chunk still to read
  let frameBytes = 0;
  let frameLen = 0; // samples per channel per frame
  let buf = new Uint8Array(0); // one frame of raw bytes (8-byte aligned: a fresh buffer)
  let fill = 0;
  let framesOut = 0;

  const convert = (bytes: Uint8Array, frames: number): Float32Array => {
    const f = fmt!;
    const n = frames * f.channels;
    const ab = bytes.buffer;
    switch (f.encoding) {
      case "pcm16":
        return int16ToFloat32(new Int16Array(ab, 0, n), undefined, conv);
      case "pcm24":
        return int24ToFloat32(bytes.subarray(0, n * 3), undefined, conv);
      case "pcm32":
        return int32ToFloat32(new Int32Array(ab, 0, n), undefined, conv);
      case "float32":
        return new Float32Array(ab.slice(0, n * 4));
      case "float64":
        return float64ToFloat32(new Float64Array(ab, 0, n), undefined, conv);
      case "pcm8":
        return uint8ToFloat32(bytes.subarray(0, n), undefined, conv);
    }
  };

  const emit = (c: TransformStreamDefaultController<AudioData>, frames: number) => {
    const f = fmt!;
    c.enqueue({
      type: "audio",
      samples: convert(buf, frames),
      sampleRate: f.rate,
      channels: f.channels,
      interleaved: true,
      timestamp: framesOut / f.rate,
    });
    framesOut += frames;
  };

  const takeData = (chunk: Uint8Array, c: TransformStreamDefaultController<AudioData>) => {
    let bytes = chunk;
    if (bytes.length > dataLeft) bytes = bytes.subarray(0, dataLeft);
    dataLeft -= bytes.length;
    let off = 0;
    while (off < bytes.length) {
      const take = Math.min(frameBytes - fill, bytes.length - off);
      buf.set(bytes.subarray(off, off + take), fill);
      fill += take;
      off += take;
      if (fill === frameBytes) {
        emit(c, frameLen);
        fill = 0;
      }
    }
  };

  const parseHeader = (c: TransformStreamDefaultController<AudioData>) => {
    if (header.length < 12) return;
    if (fourcc(header, 0) !== "RIFF" || fourcc(header, 8) !== "WAVE") decodeWav(header); // throws
    const dv = new DataView(header.buffer, header.byteOffset, header.byteLength);
    let off = 12;
    while (off + 8 <= header.length) {
      const size = dv.getUint32(off + 4, true);
      if (fourcc(header, off) === "data") {
        const body = off + 8;
        const wav = decodeWav(header.subarray(0, body), conv);
        fmt = { rate: wav.sampleRate, channels: wav.channels, encoding: wav.encoding };
        dataLeft = size === 0 || size === 0xffffffff ? Infinity : size;
        frameLen = options?.frameSamples ??
          Math.max(1, Math.round(wav.sampleRate * frameMs / 1000));
        frameBytes = frameLen * wav.channels * BYTES[wav.encoding];
        buf = new Uint8Array(frameBytes);
        const rest = header.subarray(body);
        header = new Uint8Array(0);
        if (rest.length > 0) takeData(rest, c);
        return;
      }
      off += 8 + size + (size & 1);
    }
    if (header.length > maxHeader) {
      throw new TypeError(
        `Cannot read WAV stream: no "data" chunk in the first ${header.length} bytes ` +
          `(maxHeaderBytes is ${maxHeader})`,
      );
    }
  };

  return new TransformStream<Uint8Array, AudioData>({
    transform(chunk, c) {
      if (fmt !== null) {
        if (dataLeft > 0) takeData(chunk, c);
        return;
      }
      const joined = new Uint8Array(header.length + chunk.length);
      joined.set(header);
      joined.set(chunk, header.length);
      header = joined;
      parseHeader(c);
    },
    flush(c) {
      if (fmt === null) {
        decodeWav(header); // throws the reason (truncated, no fmt/data chunk)
        throw new TypeError(`Cannot read WAV stream: it ended after ${header.length} bytes`);
      }
      if (fill === 0 || remainder === "drop") return;
      const blockAlign = fmt.channels * BYTES[fmt.encoding];
      const frames = Math.floor(fill / blockAlign);
      if (remainder === "pad") {
        buf.fill(0, frames * blockAlign);
        emit(c, frameLen);
      } else if (frames > 0) {
        emit(c, frames);
      }
      fill = 0;
    },
  });
}
