import assert from "node:assert/strict";
import { encodePng, type PngFilter } from "../src/io/png.ts";
import { crc32Bitwise, decodePng, readChunks } from "./_png.ts";
import { firstMismatch, rng } from "./_util.ts";

function randomImage(w: number, h: number, ch: number, seed: number): Uint8Array {
  const r = rng(seed);
  const px = new Uint8Array(w * h * ch);
  // Smooth gradients plus noise, so the filters have something to work with.
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < ch; c++) {
        px[(y * w + x) * ch + c] = (x * 3 + y * 5 + c * 40 + Math.floor(r() * 12)) & 0xff;
      }
    }
  }
  return px;
}

Deno.test("encodePng round-trips through an independent decoder over a size/filter grid", async () => {
  const filters: PngFilter[] = ["none", "sub", "up", "auto"];
  let seed = 1;
  for (const [w, h] of [[1, 1], [1, 7], [7, 1], [13, 9], [64, 33]] as const) {
    for (const ch of [3, 4] as const) {
      for (const filter of filters) {
        const px = randomImage(w, h, ch, seed++);
        const png = await encodePng(w, h, px, { channels: ch, filter });
        const img = await decodePng(png);
        const where = `${w}x${h}x${ch} filter=${filter}`;
        assert.equal(img.width, w, where);
        assert.equal(img.height, h, where);
        assert.equal(img.channels, ch, where);
        const i = firstMismatch(img.pixels, px);
        assert.equal(i, -1, `${where}: byte ${i}: expected ${px[i]}, got ${img.pixels[i]}`);
        const want = { none: 0, sub: 1, up: 2 } as Record<string, number>;
        if (filter !== "auto") assert.ok(img.filters.every((f) => f === want[filter]), where);
        else assert.ok(img.filters.every((f) => f >= 0 && f <= 2), where);
      }
    }
  }
});

Deno.test("encodePng writes the signature, IHDR, IDAT, IEND with correct CRCs", async () => {
  const png = await encodePng(5, 3, randomImage(5, 3, 4, 9));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks = readChunks(png);
  assert.deepEqual(chunks.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
  for (const c of chunks) assert.equal(c.crc, c.computedCrc, `${c.type} CRC`);
  const ihdr = chunks[0]!.data;
  assert.deepEqual([...ihdr], [0, 0, 0, 5, 0, 0, 0, 3, 8, 6, 0, 0, 0]);
  // IEND is always the same 12 bytes.
  assert.deepEqual([...png.subarray(png.length - 12)], [
    0,
    0,
    0,
    0,
    0x49,
    0x45,
    0x4e,
    0x44,
    0xae,
    0x42,
    0x60,
    0x82,
  ]);
  // The IDAT payload is a zlib stream: CMF says deflate, and the header check holds.
  const z = chunks[1]!.data;
  assert.equal(z[0]! & 0x0f, 8);
  assert.equal(((z[0]! << 8) | z[1]!) % 31, 0);
});

Deno.test("encodePng RGB sets color type 2", async () => {
  const png = await encodePng(2, 2, new Uint8Array(12).fill(200), { channels: 3 });
  assert.equal(readChunks(png)[0]!.data[9], 2);
});

Deno.test("crc32Bitwise oracle matches the published check value", () => {
  assert.equal(crc32Bitwise(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("encodePng compresses a flat image well", async () => {
  const w = 300, h = 200;
  const png = await encodePng(w, h, new Uint8Array(w * h * 4).fill(128));
  assert.ok(png.length < 2000, `flat ${w}x${h} RGBA took ${png.length} bytes`);
});

Deno.test("encodePng rejects bad sizes, channels, filters and pixel lengths", async () => {
  await assert.rejects(encodePng(0, 1, new Uint8Array(0)), RangeError);
  await assert.rejects(encodePng(1.5, 1, new Uint8Array(4)), RangeError);
  await assert.rejects(
    encodePng(1, 1, new Uint8Array(2), { channels: 2 as 3 }),
    /channels 2 is not 3 \(RGB\) or 4 \(RGBA\)/,
  );
  await assert.rejects(
    encodePng(1, 1, new Uint8Array(4), { filter: "paeth" as "up" }),
    RangeError,
  );
  await assert.rejects(
    encodePng(2, 2, new Uint8Array(15)),
    /2x2x4 needs 16 bytes, got 15/,
  );
});
