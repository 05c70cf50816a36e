import assert from "node:assert/strict";
import {
  colormapLut,
  type MelMatrix,
  renderSpectrogram,
  SPECTROGRAM_COLORS,
} from "../src/io/spectrogram.ts";
import { encodePng } from "../src/io/png.ts";
import { decodePng } from "./_png.ts";
import { rng } from "./_util.ts";

function melOf(nMels: number, nFrames: number, f: (m: number, t: number) => number): MelMatrix {
  const data = new Float32Array(nMels * nFrames);
  for (let m = 0; m < nMels; m++) for (let t = 0; t < nFrames; t++) data[m * nFrames + t] = f(m, t);
  return { data, nMels, nFrames };
}

const px = (img: { width: number; rgba: Uint8Array }, x: number, y: number) => {
  const o = (y * img.width + x) * 4;
  return [...img.rgba.subarray(o, o + 4)];
};
const rgb = (c: readonly number[]) => [...c, 255];

Deno.test("renderSpectrogram has the documented size", () => {
  for (
    const [nMels, nFrames, fw, mh, band, axis] of [
      [80, 300, 1, 2, 10, 14],
      [128, 37, 3, 1, 0, 0],
      [1, 1, 1, 1, 5, 3],
    ]
  ) {
    const img = renderSpectrogram(melOf(nMels!, nFrames!, () => 0), {
      frameWidth: fw!,
      melHeight: mh!,
      bandHeight: band!,
      axisHeight: axis!,
    });
    assert.equal(img.width, nFrames! * fw!);
    assert.equal(img.height, nMels! * mh! + band! + axis!);
    assert.equal(img.rgba.length, img.width * img.height * 4);
  }
});

Deno.test("renderSpectrogram marks exactly the segment columns in the band", () => {
  const mel = melOf(80, 500, () => 0);
  const segments = [{ start: 0.5, end: 1.25 }, { start: 3.0, end: 4.2 }];
  const img = renderSpectrogram(mel, { segments });
  const bandY = 80 * 2 + 5;
  for (let x = 0; x < 500; x++) {
    const t = x * 0.01;
    const inSeg = segments.some((s) => t >= s.start - 1e-9 && t < s.end - 1e-9);
    const want = rgb(inSeg ? SPECTROGRAM_COLORS.segment : SPECTROGRAM_COLORS.background);
    const isBoundary = [50, 124, 300, 419].includes(x);
    if (!isBoundary) assert.deepEqual(px(img, x, bandY), want, `band column ${x}`);
  }
  // Boundary lines at the first and last column of each segment, through the spectrogram.
  for (const x of [50, 124, 300, 419]) {
    const p = px(img, x, 40);
    assert.ok(p[0]! > 200 && p[1]! > 200 && p[2]! > 200, `boundary at ${x}: ${p}`);
  }
  // Segment columns are tinted toward the segment color; others are the plain colormap.
  const plain = px(img, 10, 40), tinted = px(img, 80, 40);
  assert.notDeepEqual(plain, tinted);
  assert.ok(tinted[0]! > plain[0]!, `tint raises red: ${plain} -> ${tinted}`);
  const untinted = renderSpectrogram(mel, { segments, overlayAlpha: 0 });
  assert.deepEqual(px(untinted, 80, 40), plain);
});

Deno.test("renderSpectrogram scales segment columns with frameWidth and clips at the end", () => {
  const img = renderSpectrogram(melOf(4, 50, () => 0), {
    frameWidth: 3,
    segments: [{ start: 0.2, end: 9 }],
    axisHeight: 0,
  });
  const bandY = 4 * 2 + 3;
  for (let x = 0; x < 150; x++) {
    const want = x >= 60 ? SPECTROGRAM_COLORS.segment : SPECTROGRAM_COLORS.background;
    if (x !== 60 && x !== 149) assert.deepEqual(px(img, x, bandY), rgb(want), `column ${x}`);
  }
});

Deno.test("renderSpectrogram puts low mels at the bottom", () => {
  // Mel m has value rising with m: the top row must be the bright end of the colormap.
  const img = renderSpectrogram(melOf(80, 10, (m) => -1.5 + (3 * m) / 79), { axisHeight: 0 });
  const lut = colormapLut();
  assert.deepEqual(px(img, 3, 0), [lut[765]!, lut[766]!, lut[767]!, 255]);
  assert.deepEqual(px(img, 3, 159), [lut[0]!, lut[1]!, lut[2]!, 255]);
});

Deno.test("renderSpectrogram gives the same picture for both layouts", () => {
  const r = rng(3);
  const mm = melOf(20, 33, () => r() * 3 - 1.5);
  const fm = new Float32Array(20 * 33);
  for (let m = 0; m < 20; m++) for (let f = 0; f < 33; f++) fm[f * 20 + m] = mm.data[m * 33 + f]!;
  const a = renderSpectrogram(mm);
  const b = renderSpectrogram({ data: fm, nMels: 20, nFrames: 33, layout: "frame-major" });
  assert.deepEqual(a.rgba, b.rgba);
});

Deno.test("renderSpectrogram clamps out-of-range and NaN values", () => {
  const vals = [-100, NaN, 100, 1.5];
  const img = renderSpectrogram(melOf(1, 4, (_, t) => vals[t]!), { melHeight: 1, axisHeight: 0 });
  const lut = colormapLut();
  assert.deepEqual(px(img, 0, 0), [lut[0]!, lut[1]!, lut[2]!, 255]);
  assert.deepEqual(px(img, 1, 0), [lut[0]!, lut[1]!, lut[2]!, 255]);
  assert.deepEqual(px(img, 2, 0), [lut[765]!, lut[766]!, lut[767]!, 255]);
  assert.deepEqual(px(img, 3, 0), px(img, 2, 0));
});

Deno.test("renderSpectrogram draws a tick every second on the axis", () => {
  const img = renderSpectrogram(melOf(2, 450, () => 0), { melHeight: 1, bandHeight: 2 });
  const y = 2 + 2; // first axis row
  const ticks: number[] = [];
  for (let x = 0; x < img.width; x++) {
    if (px(img, x, y)[0] === SPECTROGRAM_COLORS.axis[0]) ticks.push(x);
  }
  assert.deepEqual(ticks, [0, 100, 200, 300, 400]);
  // Labels are drawn below the ticks (some axis-colored pixels under each tick).
  const labelRow = y + 4 + 2;
  for (const x of [100, 200, 300, 400]) {
    let lit = 0;
    for (let dx = -3; dx <= 3; dx++) {
      for (let dy = 0; dy < 5; dy++) lit += px(img, x + dx, labelRow + dy)[0] === 200 ? 1 : 0;
    }
    assert.ok(lit >= 5, `label under tick ${x} has ${lit} pixels`);
  }
});

Deno.test("colormapLut lightness rises monotonically from dark to light", () => {
  const lut = colormapLut();
  assert.equal(lut.length, 768);
  let prev = -1;
  for (let i = 0; i < 256; i++) {
    const y = 0.2126 * lut[i * 3]! + 0.7152 * lut[i * 3 + 1]! + 0.0722 * lut[i * 3 + 2]!;
    assert.ok(y >= prev - 0.5, `entry ${i}: luminance ${y} after ${prev}`);
    prev = Math.max(prev, y);
  }
  const y0 = 0.2126 * lut[0]! + 0.7152 * lut[1]! + 0.0722 * lut[2]!;
  assert.ok(prev - y0 > 150, `range ${y0}..${prev}`);
});

Deno.test("renderSpectrogram output encodes to a PNG of the same size", async () => {
  const img = renderSpectrogram(melOf(80, 120, (m, t) => Math.sin(m / 7 + t / 9)), {
    segments: [{ start: 0.2, end: 0.8 }],
  });
  const png = await decodePng(await encodePng(img.width, img.height, img.rgba));
  assert.equal(png.width, 120);
  assert.equal(png.height, 184);
  assert.deepEqual(png.pixels, img.rgba);
});

Deno.test("renderSpectrogram rejects bad shapes, options and segments", () => {
  const mel = melOf(4, 5, () => 0);
  assert.throws(
    () => renderSpectrogram({ ...mel, data: new Float32Array(19) }),
    /4 mels x 5 frames needs 20 values, got 19/,
  );
  assert.throws(() => renderSpectrogram({ ...mel, nMels: 0 }), RangeError);
  assert.throws(() => renderSpectrogram(mel, { hopSeconds: 0 }), /hopSeconds 0/);
  assert.throws(() => renderSpectrogram(mel, { range: [1, 1] }), /range \[1, 1\]/);
  assert.throws(() => renderSpectrogram(mel, { frameWidth: 1.5 }), /frameWidth 1.5/);
  assert.throws(
    () => renderSpectrogram(mel, { segments: [{ start: 2, end: 1 }] }),
    /segments\[0\] \{start: 2, end: 1\}/,
  );
  assert.throws(
    () => renderSpectrogram({ ...mel, layout: "columns" as "mel-major" }),
    TypeError,
  );
});
