/**
 * PNG writing: 8-bit RGB or RGBA, per-row filtering (none, sub, up, or chosen per row),
 * zlib through the platform's `CompressionStream("deflate")`.
 *
 * @module
 */

/** Row filters {@link encodePng} can use. `"auto"` picks none, sub or up per row. */
export type PngFilter = "none" | "sub" | "up" | "auto";

/** Options for {@link encodePng}. */
export interface EncodePngOptions {
  /**
   * Bytes per pixel of `pixels` and of the image: 3 (RGB) or 4 (RGBA).
   * @default {4}
   */
  channels?: 3 | 4;
  /**
   * Row filter. `"auto"` takes, per row, the filter whose output has the smallest sum of
   * absolute (signed) byte values, the usual heuristic.
   * @default {"auto"}
   */
  filter?: PngFilter;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable: Uint32Array | undefined;

function table(): Uint32Array {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  return crcTable;
}

/** CRC-32 (ISO 3309, as PNG uses it) of `bytes`. */
function crc32(bytes: Uint8Array): number {
  const t = table();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function deflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Sum of |signed byte| over a filtered row: the per-row filter heuristic. */
function cost(row: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    s += v < 128 ? v : 256 - v;
  }
  return s;
}

function filterRows(
  pixels: Uint8Array,
  width: number,
  height: number,
  bpp: number,
  filter: PngFilter,
): Uint8Array<ArrayBuffer> {
  const stride = width * bpp;
  const out = new Uint8Array(height * (stride + 1));
  const sub = new Uint8Array(stride);
  const up = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    for (let i = 0; i < stride; i++) {
      sub[i] = row[i]! - (i >= bpp ? row[i - bpp]! : 0);
      up[i] = row[i]! - (prev === null ? 0 : prev[i]!);
    }
    let type = 0;
    if (filter === "sub") type = 1;
    else if (filter === "up") type = 2;
    else if (filter === "auto") {
      const c0 = cost(row), c1 = cost(sub), c2 = cost(up);
      type = c1 < c0 && c1 <= c2 ? 1 : c2 < c0 ? 2 : 0;
    }
    const at = y * (stride + 1);
    out[at] = type;
    out.set(type === 0 ? row : type === 1 ? sub : up, at + 1);
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encode 8-bit RGBA (or RGB) pixels, row by row from the top, as a PNG file.
 *
 * @param width Image width in pixels (1..2^24).
 * @param height Image height in pixels (1..2^24).
 * @param pixels `width * height * channels` bytes, rows top to bottom.
 * @param options Channels and row filter.
 * @returns The PNG file bytes.
 * @throws {RangeError} for a bad size, channel count or filter.
 * @throws {TypeError} when `pixels` does not hold `width * height * channels` bytes.
 *
 * @example A 2x1 image: one red pixel, one transparent one
 * ```ts
 * import { encodePng } from "./png.ts";
 * const png = await encodePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0]));
 * console.log(png.subarray(1, 4)); // Uint8Array [80, 78, 71] ("PNG")
 * ```
 */
export async function encodePng(
  width: number,
  height: number,
  pixels: Uint8Array,
  options: EncodePngOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const channels = options.channels ?? 4;
  const filter = options.filter ?? "auto";
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 1 << 24) {
      throw new RangeError(`Cannot encode PNG: ${name} ${v} is not an integer in 1..16777216`);
    }
  }
  if (channels !== 3 && channels !== 4) {
    throw new RangeError(`Cannot encode PNG: channels ${channels} is not 3 (RGB) or 4 (RGBA)`);
  }
  if (!["none", "sub", "up", "auto"].includes(filter)) {
    throw new RangeError(
      `Cannot encode PNG: filter "${filter}" is not "none", "sub", "up" or "auto"`,
    );
  }
  const expected = width * height * channels;
  if (pixels.length !== expected) {
    throw new TypeError(
      `Cannot encode PNG: ${width}x${height}x${channels} needs ${expected} bytes, got ${pixels.length}`,
    );
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 4 ? 6 : 2; // color type: truecolor with alpha / truecolor
  // compression 0 (deflate), filter method 0 (adaptive), interlace 0 (none)
  const idat = await deflate(filterRows(pixels, width, height, channels, filter));
  const parts = [
    Uint8Array.from(SIGNATURE),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
