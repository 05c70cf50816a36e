/**
 * WAV (RIFF/WAVE) reading and writing: PCM 8/16/24/32-bit, IEEE float 32/64, any channel
 * count, `WAVE_FORMAT_EXTENSIBLE`. Samples come out as interleaved float32.
 *
 * A float32 data chunk at a 4-byte aligned offset is viewed in place (no copy); other
 * encodings are converted by the native kernels (or the TS fallback).
 *
 * @module
 */

import {
  type ConvertOptions,
  float32ToInt16,
  float32ToInt24,
  float32ToInt32,
  float64ToFloat32,
  int16ToFloat32,
  int24ToFloat32,
  int32ToFloat32,
  uint8ToFloat32,
} from "../dsp/convert.ts";

/** Sample encodings a WAV file can hold. */
export type WavEncoding = "pcm8" | "pcm16" | "pcm24" | "pcm32" | "float32" | "float64";

/** Decoded WAV audio. */
export interface WavAudio {
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Channel count. */
  channels: number;
  /** Frames (samples per channel). */
  frames: number;
  /** Interleaved float32 samples (`frames * channels`). */
  samples: Float32Array;
  /** The file's sample encoding. */
  encoding: WavEncoding;
  /** True when `samples` views the input bytes directly (float32 data, aligned). */
  zeroCopy: boolean;
}

/** Options for {@link decodeWav}. */
export interface DecodeWavOptions extends ConvertOptions {}

/** Options for {@link encodeWav}. */
export interface EncodeWavOptions extends ConvertOptions {
  /** Sample rate in Hz. */
  sampleRate: number;
  /**
   * Channel count of the interleaved input.
   * @default {1}
   */
  channels?: number;
  /**
   * Output encoding.
   * @default {"pcm16"}
   */
  encoding?: WavEncoding;
}

const FORMAT_NAMES: Record<number, string> = {
  1: "PCM",
  2: "MS ADPCM",
  3: "IEEE float",
  6: "A-law",
  7: "mu-law",
  0x11: "IMA ADPCM",
  0x55: "MP3",
  0xfffe: "extensible",
};

function fourcc(b: Uint8Array, off: number): string {
  let s = "";
  for (let i = 0; i < 4 && off + i < b.length; i++) {
    const c = b[off + i]!;
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return s;
}

function fail(detail: string): never {
  throw new TypeError(`Cannot read WAV: ${detail}`);
}

function encodingOf(tag: number, bits: number): WavEncoding {
  if (tag === 1) {
    if (bits === 8) return "pcm8";
    if (bits === 16) return "pcm16";
    if (bits === 24) return "pcm24";
    if (bits === 32) return "pcm32";
    fail(`PCM with ${bits} bits per sample is not supported (8, 16, 24 or 32)`);
  }
  if (tag === 3) {
    if (bits === 32) return "float32";
    if (bits === 64) return "float64";
    fail(`IEEE float with ${bits} bits per sample is not supported (32 or 64)`);
  }
  const name = FORMAT_NAMES[tag] ?? "unknown";
  fail(
    `format tag 0x${tag.toString(16).padStart(4, "0")} (${name}) is not supported; ` +
      "supported: PCM (1), IEEE float (3), extensible (0xfffe) with a PCM or float subformat",
  );
}

/**
 * Decode a WAV file's bytes to interleaved float32.
 *
 * @param bytes The whole file.
 * @param options Backend selection for the conversion.
 * @returns The audio.
 * @throws {TypeError} for a truncated, non-RIFF or unsupported file, saying what was found.
 *
 * @example Round trip
 * ```ts
 * import { decodeWav, encodeWav } from "./wav.ts";
 * const bytes = encodeWav(new Float32Array([0, 0.5, -0.5]), { sampleRate: 16000 });
 * const wav = decodeWav(bytes);
 * console.log(wav.sampleRate, wav.samples); // 16000 Float32Array [0, 0.5, -0.5]
 * ```
 */
export function decodeWav(bytes: Uint8Array, options?: DecodeWavOptions): WavAudio {
  if (bytes.length < 12) fail(`file is ${bytes.length} bytes; a RIFF header needs 12`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourcc(bytes, 0) !== "RIFF") {
    fail(`expected "RIFF" at offset 0, found "${fourcc(bytes, 0)}"`);
  }
  if (fourcc(bytes, 8) !== "WAVE") fail(`expected "WAVE" at offset 8, found "${fourcc(bytes, 8)}"`);

  let off = 12;
  let fmt: { tag: number; channels: number; rate: number; align: number; bits: number } | null =
    null;
  let dataOff = -1;
  let dataLen = 0;
  while (off + 8 <= bytes.length) {
    const id = fourcc(bytes, off);
    const size = dv.getUint32(off + 4, true);
    const body = off + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) fail(`"fmt " chunk is truncated (${size} bytes)`);
      let tag = dv.getUint16(body, true);
      const bits = dv.getUint16(body + 14, true);
      if (tag === 0xfffe) {
        if (size < 40 || body + 40 > bytes.length) {
          fail(`extensible "fmt " chunk has ${size} bytes; 40 needed`);
        }
        tag = dv.getUint16(body + 24, true); // first two bytes of the SubFormat GUID
      }
      fmt = {
        tag,
        channels: dv.getUint16(body + 2, true),
        rate: dv.getUint32(body + 4, true),
        align: dv.getUint16(body + 12, true),
        bits,
      };
    } else if (id === "data") {
      dataOff = body;
      // Streaming writers leave 0 or 0xffffffff; take what the file holds.
      dataLen = Math.min(size === 0 ? Infinity : size, bytes.length - body);
      if (fmt !== null) break;
    }
    off = body + size + (size & 1);
  }
  if (fmt === null) fail(`no "fmt " chunk found in ${bytes.length} bytes`);
  if (dataOff < 0) fail(`no "data" chunk found in ${bytes.length} bytes`);
  const encoding = encodingOf(fmt.tag, fmt.bits);
  if (fmt.channels < 1) fail("channel count is 0");
  if (fmt.rate < 1) fail("sample rate is 0");
  const bps = fmt.bits / 8;
  const frameBytes = bps * fmt.channels;
  const frames = Math.floor(dataLen / frameBytes);
  const n = frames * fmt.channels;
  const abs = bytes.byteOffset + dataOff;
  let samples: Float32Array;
  let zeroCopy = false;
  const aligned = (k: number) => abs % k === 0;
  const copyAligned = (k: number) => {
    const c = new Uint8Array(n * k);
    c.set(bytes.subarray(dataOff, dataOff + n * k));
    return c.buffer;
  };
  switch (encoding) {
    case "float32":
      if (aligned(4)) {
        samples = new Float32Array(bytes.buffer, abs, n);
        zeroCopy = true;
      } else {
        samples = new Float32Array(copyAligned(4));
      }
      break;
    case "float64": {
      const src = aligned(8)
        ? new Float64Array(bytes.buffer, abs, n)
        : new Float64Array(copyAligned(8));
      samples = float64ToFloat32(src, undefined, options);
      break;
    }
    case "pcm16": {
      const src = aligned(2)
        ? new Int16Array(bytes.buffer, abs, n)
        : new Int16Array(copyAligned(2));
      samples = int16ToFloat32(src, undefined, options);
      break;
    }
    case "pcm32": {
      const src = aligned(4)
        ? new Int32Array(bytes.buffer, abs, n)
        : new Int32Array(copyAligned(4));
      samples = int32ToFloat32(src, undefined, options);
      break;
    }
    case "pcm24":
      samples = int24ToFloat32(bytes.subarray(dataOff, dataOff + n * 3), undefined, options);
      break;
    case "pcm8":
      samples = uint8ToFloat32(bytes.subarray(dataOff, dataOff + n), undefined, options);
      break;
  }
  return { sampleRate: fmt.rate, channels: fmt.channels, frames, samples, encoding, zeroCopy };
}

const BITS: Record<WavEncoding, number> = {
  pcm8: 8,
  pcm16: 16,
  pcm24: 24,
  pcm32: 32,
  float32: 32,
  float64: 64,
};

/**
 * Encode interleaved float32 samples as a WAV file (44-byte header for mono/stereo PCM
 * and float; `WAVE_FORMAT_EXTENSIBLE` for more than 2 channels or 24/32-bit PCM).
 *
 * @param samples Interleaved samples.
 * @param options Rate, channels, encoding.
 * @returns The file bytes.
 * @throws {RangeError} for a bad rate, channel count or length.
 *
 * @example Write 16-bit PCM
 * ```ts
 * import { encodeWav } from "./wav.ts";
 * const bytes = encodeWav(new Float32Array(160), { sampleRate: 16000 });
 * console.log(bytes.length); // 364
 * ```
 */
export function encodeWav(samples: Float32Array, options: EncodeWavOptions): Uint8Array {
  const channels = options.channels ?? 1;
  const encoding = options.encoding ?? "pcm16";
  const rate = options.sampleRate;
  if (!Number.isInteger(rate) || rate < 1) {
    throw new RangeError(`Cannot write WAV: sample rate ${rate} is not a positive integer`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
    throw new RangeError(`Cannot write WAV: channel count ${channels} is not in 1..64`);
  }
  if (samples.length % channels !== 0) {
    throw new RangeError(
      `Cannot write WAV: ${samples.length} samples is not a multiple of ${channels} channels`,
    );
  }
  const bits = BITS[encoding];
  const isFloat = encoding === "float32" || encoding === "float64";
  const extensible = channels > 2 || (!isFloat && bits > 16);
  const fmtSize = extensible ? 40 : 16;
  const dataBytes = samples.length * (bits / 8);
  const headerBytes = 12 + 8 + fmtSize + 8;
  const out = new Uint8Array(headerBytes + dataBytes + (dataBytes & 1));
  const dv = new DataView(out.buffer);
  const put = (off: number, s: string) => {
    for (let i = 0; i < 4; i++) out[off + i] = s.charCodeAt(i);
  };
  put(0, "RIFF");
  dv.setUint32(4, out.length - 8, true);
  put(8, "WAVE");
  put(12, "fmt ");
  dv.setUint32(16, fmtSize, true);
  const tag = isFloat ? 3 : 1;
  dv.setUint16(20, extensible ? 0xfffe : tag, true);
  dv.setUint16(22, channels, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, rate * channels * (bits / 8), true);
  dv.setUint16(32, channels * (bits / 8), true);
  dv.setUint16(34, bits, true);
  if (extensible) {
    dv.setUint16(36, 22, true);
    dv.setUint16(38, bits, true);
    dv.setUint32(40, channels <= 18 ? (1 << channels) - 1 : 0, true);
    // SubFormat GUID: tag + 0000-0010-8000-00aa00389b71
    const guid = [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
    dv.setUint16(44, tag, true);
    out.set(guid, 46);
  }
  const dataHdr = 12 + 8 + fmtSize;
  put(dataHdr, "data");
  dv.setUint32(dataHdr + 4, dataBytes, true);
  const body = dataHdr + 8; // always even: 44 or 68
  switch (encoding) {
    case "pcm16":
      float32ToInt16(samples, new Int16Array(out.buffer, body, samples.length), options);
      break;
    case "pcm32":
      float32ToInt32(samples, new Int32Array(out.buffer, body, samples.length), options);
      break;
    case "pcm24":
      float32ToInt24(samples, out.subarray(body, body + dataBytes), options);
      break;
    case "float32":
      new Float32Array(out.buffer, body, samples.length).set(samples);
      break;
    case "float64": {
      // body is 44 or 68: not 8-aligned, so stage through an aligned array
      const f64 = Float64Array.from(samples);
      out.set(new Uint8Array(f64.buffer), body);
      break;
    }
    case "pcm8":
      for (let i = 0; i < samples.length; i++) {
        const v = Math.round(Math.max(-1, Math.min(127 / 128, samples[i]! || 0)) * 128) + 128;
        out[body + i] = v;
      }
      break;
  }
  return out;
}

/**
 * Read and decode a WAV file.
 *
 * @param path File path.
 * @param options Backend selection.
 * @returns The audio.
 * @throws {TypeError} for a malformed file (message names the path).
 *
 * @example
 * ```ts ignore
 * const wav = await readWavFile("speech.wav");
 * ```
 */
export async function readWavFile(path: string, options?: DecodeWavOptions): Promise<WavAudio> {
  const bytes = await Deno.readFile(path);
  try {
    return decodeWav(bytes, options);
  } catch (e) {
    if (e instanceof TypeError) throw new TypeError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Encode and write a WAV file.
 *
 * @param path File path.
 * @param samples Interleaved samples.
 * @param options Rate, channels, encoding.
 * @returns Resolves when written.
 *
 * @example
 * ```ts ignore
 * await writeWavFile("out.wav", samples, { sampleRate: 16000 });
 * ```
 */
export async function writeWavFile(
  path: string,
  samples: Float32Array,
  options: EncodeWavOptions,
): Promise<void> {
  await Deno.writeFile(path, encodeWav(samples, options));
}
