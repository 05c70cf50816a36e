/**
 * Re-framing: cut a stream of audio items of any sizes (20 ms, 10 ms, odd sizes) into
 * frames of exactly `frameSize` samples per channel.
 *
 * Whole frames inside an incoming item are passed on as `subarray` views (no copy; an
 * item that is exactly one frame is passed on as is); a frame that spans items is
 * assembled in a new array that is handed off (never reused), so downstream may keep it.
 * Output frames are interleaved; planar input is interleaved first. Timestamps follow the
 * samples: a frame's timestamp is that of its first sample. A change of sample rate or
 * channel count ends the current frame (as at end of stream) and starts over.
 *
 * @module
 */

import type { AudioData } from "./data.ts";
import type { FrameRemainder } from "./registry.ts";

/** Options for {@link Reframer}. */
export interface ReframerOptions {
  /**
   * The last incomplete frame at end of stream (or at a format change): zero-padded to
   * `frameSize` (`"pad"`), delivered short (`"short"`) or dropped (`"drop"`).
   * @default {"pad"}
   */
  remainder?: FrameRemainder;
}

function toInterleaved(a: AudioData): Float32Array {
  if (a.interleaved || a.channels === 1) return a.samples;
  const c = a.channels;
  const frames = a.samples.length / c;
  const out = new Float32Array(a.samples.length);
  for (let ch = 0; ch < c; ch++) {
    const plane = ch * frames;
    for (let i = 0; i < frames; i++) out[i * c + ch] = a.samples[plane + i]!;
  }
  return out;
}

/**
 * Buffers audio and re-cuts it into fixed-size frames.
 *
 * @example 20 ms frames at 16 kHz into 512-sample windows
 * ```ts
 * import { Reframer } from "./reframe.ts";
 * import { audio } from "./data.ts";
 * const r = new Reframer(512);
 * const sizes: number[] = [];
 * for (let i = 0; i < 4; i++) r.push(audio(new Float32Array(320), 16000), (f) => sizes.push(f.samples.length));
 * r.finish((f) => sizes.push(f.samples.length));
 * console.log(sizes); // [512, 512, 512] (1280 samples, the last frame zero-padded)
 * ```
 */
export class Reframer {
  #size: number | ((sampleRate: number) => number);
  #remainder: FrameRemainder;
  #rate = 0;
  #channels = 0;
  #frames = 0; // frame size in samples per channel for the current format
  #buf: Float32Array | null = null;
  #fill = 0; // samples (all channels) in #buf
  #ts = 0; // timestamp of #buf[0]

  /**
   * Create a reframer.
   *
   * @param frameSize Samples per channel per frame, or a function of the sample rate.
   * @param options Remainder handling.
   * @throws {RangeError} for a frame size that is not a positive integer.
   */
  constructor(frameSize: number | ((sampleRate: number) => number), options?: ReframerOptions) {
    if (typeof frameSize === "number") checkSize(frameSize);
    this.#size = frameSize;
    this.#remainder = options?.remainder ?? "pad";
  }

  /** Samples (all channels) waiting for the next frame. */
  get buffered(): number {
    return this.#fill;
  }

  /**
   * Add an audio item; call `sink` for every complete frame, in order.
   *
   * @param a The audio item.
   * @param sink Receives each frame.
   * @throws {RangeError} if a frame-size function returns a bad size.
   */
  push(a: AudioData, sink: (frame: AudioData) => void): void {
    if (a.sampleRate !== this.#rate || a.channels !== this.#channels) {
      this.finish(sink);
      this.#rate = a.sampleRate;
      this.#channels = a.channels;
      this.#frames = typeof this.#size === "number"
        ? this.#size
        : checkSize(this.#size(a.sampleRate));
    }
    const c = this.#channels;
    const per = this.#frames * c;
    const src = toInterleaved(a);
    const n = src.length;
    let off = 0;
    if (this.#fill === 0 && n === per && a.interleaved) {
      sink(a); // exactly one frame: pass the item itself
      return;
    }
    if (this.#fill > 0) {
      const take = Math.min(per - this.#fill, n);
      this.#buf!.set(src.subarray(0, take), this.#fill);
      this.#fill += take;
      off = take;
      if (this.#fill === per) this.#emitBuffer(per, sink);
    }
    while (n - off >= per) {
      sink(this.#frame(src.subarray(off, off + per), a.timestamp + off / c / this.#rate));
      off += per;
    }
    if (off < n) {
      this.#buf = new Float32Array(per);
      this.#buf.set(src.subarray(off));
      this.#fill = n - off;
      this.#ts = a.timestamp + off / c / this.#rate;
    }
  }

  /**
   * End of stream: deliver the incomplete frame (padded, short or not at all) and reset.
   *
   * @param sink Receives the last frame, if any.
   */
  finish(sink: (frame: AudioData) => void): void {
    const fill = this.#fill;
    if (fill === 0) return;
    if (this.#remainder === "pad") this.#emitBuffer(fill, sink, true);
    else if (this.#remainder === "short") this.#emitBuffer(fill, sink);
    this.#buf = null;
    this.#fill = 0;
  }

  #emitBuffer(len: number, sink: (frame: AudioData) => void, full = false): void {
    const buf = this.#buf!;
    this.#buf = null;
    this.#fill = 0;
    const ts = this.#ts;
    this.#ts += len / this.#channels / this.#rate;
    sink(this.#frame(full || len === buf.length ? buf : buf.subarray(0, len), ts));
  }

  #frame(samples: Float32Array, timestamp: number): AudioData {
    return {
      type: "audio",
      samples,
      sampleRate: this.#rate,
      channels: this.#channels,
      interleaved: true,
      timestamp,
    };
  }
}

function checkSize(n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot re-frame audio: frame size ${n} is not a positive integer`);
  }
  return n;
}
