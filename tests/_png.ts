// Minimal PNG reader for tests: parses chunks, checks every CRC with a bitwise CRC-32,
// inflates IDAT with DecompressionStream("deflate") and undoes all five row filters.
// Supports what the tests need: 8-bit RGB and RGBA, no interlace.

/** One chunk as found in the file. */
export interface PngChunk {
  type: string;
  data: Uint8Array;
  crc: number;
  /** CRC computed here over type + data. */
  computedCrc: number;
}

/** A decoded image. */
export interface DecodedPng {
  width: number;
  height: number;
  channels: 3 | 4;
  pixels: Uint8Array;
  chunks: PngChunk[];
  filters: number[];
}

/** Bit-by-bit CRC-32 (reflected, polynomial 0xEDB88320): the slow, obvious oracle. */
export function crc32Bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (c & 1 ? 0xedb88320 : 0);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Split a PNG into chunks (after checking the 8-byte signature). */
export function readChunks(png: Uint8Array): PngChunk[] {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let i = 0; i < 8; i++) {
    if (png[i] !== sig[i]) throw new Error(`bad PNG signature byte ${i}: ${png[i]}`);
  }
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let off = 8;
  while (off < png.length) {
    if (off + 12 > png.length) throw new Error(`truncated chunk header at ${off}`);
    const len = dv.getUint32(off);
    if (off + 12 + len > png.length) throw new Error(`truncated chunk at ${off} (${len} bytes)`);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    chunks.push({
      type,
      data: png.subarray(off + 8, off + 8 + len),
      crc: dv.getUint32(off + 8 + len),
      computedCrc: crc32Bitwise(png.subarray(off + 4, off + 8 + len)),
    });
    off += 12 + len;
  }
  return chunks;
}

async function inflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const s = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decode an 8-bit RGB/RGBA, non-interlaced PNG. */
export async function decodePng(png: Uint8Array): Promise<DecodedPng> {
  const chunks = readChunks(png);
  const ihdr = chunks[0];
  if (ihdr?.type !== "IHDR" || ihdr.data.length !== 13) throw new Error("first chunk not IHDR");
  const dv = new DataView(ihdr.data.buffer, ihdr.data.byteOffset, 13);
  const width = dv.getUint32(0), height = dv.getUint32(4);
  const [depth, color, comp, filt, interlace] = ihdr.data.subarray(8);
  if (depth !== 8 || (color !== 2 && color !== 6) || comp !== 0 || filt !== 0 || interlace !== 0) {
    throw new Error(`unsupported IHDR ${[depth, color, comp, filt, interlace]}`);
  }
  const channels = color === 6 ? 4 : 3;
  const idats = chunks.filter((c) => c.type === "IDAT");
  const z = new Uint8Array(idats.reduce((n, c) => n + c.data.length, 0));
  let o = 0;
  for (const c of idats) {
    z.set(c.data, o);
    o += c.data.length;
  }
  const raw = await inflate(z);
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) {
    throw new Error(`inflated ${raw.length} bytes, expected ${height * (stride + 1)}`);
  }
  const pixels = new Uint8Array(height * stride);
  const filters: number[] = [];
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    filters.push(type);
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[y * stride + i - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels]! : 0;
      const pred = type === 0
        ? 0
        : type === 1
        ? a
        : type === 2
        ? b
        : type === 3
        ? (a + b) >> 1
        : type === 4
        ? paeth(a, b, c)
        : NaN;
      if (Number.isNaN(pred)) throw new Error(`row ${y}: unknown filter type ${type}`);
      pixels[y * stride + i] = (src[i]! + pred) & 0xff;
    }
  }
  return { width, height, channels, pixels, chunks, filters };
}
