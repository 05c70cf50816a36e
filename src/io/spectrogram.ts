/**
 * Spectrogram pictures: a log-mel matrix rendered as RGBA pixels with a perceptual
 * (viridis-like) colormap, low mel bands at the bottom, speech segments marked and a
 * time axis with a tick every second. Pass the result to `encodePng` for a PNG file.
 *
 * @module
 */

/** A log-mel matrix, as `whisperLogMel` returns it. */
export interface MelMatrix {
  /** `nMels * nFrames` values, in `layout` order. */
  data: Float32Array;
  /** Mel bands. */
  nMels: number;
  /** Frames. */
  nFrames: number;
  /**
   * `"mel-major"`: `data[m * nFrames + f]`; `"frame-major"`: `data[f * nMels + m]`.
   * @default {"mel-major"}
   */
  layout?: "mel-major" | "frame-major";
}

/** A time span to mark, in seconds (structurally the same as a VAD `SpeechSegment`). */
export interface SpectrogramSegment {
  /** Start time in seconds. */
  start: number;
  /** End time in seconds. */
  end: number;
}

/** Options for {@link renderSpectrogram}. */
export interface RenderSpectrogramOptions {
  /** Spans to mark: a colored band under the spectrogram, a tint and boundary lines. */
  segments?: readonly SpectrogramSegment[];
  /**
   * Seconds per frame (Whisper: 160 samples at 16 kHz).
   * @default {0.01}
   */
  hopSeconds?: number;
  /**
   * Pixels per frame, horizontally.
   * @default {1}
   */
  frameWidth?: number;
  /**
   * Pixels per mel band, vertically.
   * @default {2}
   */
  melHeight?: number;
  /**
   * Values mapped to the two ends of the colormap (clamped outside).
   * @default {[-1.5, 1.5]}
   */
  range?: readonly [number, number];
  /**
   * Height of the segment band under the spectrogram (0 for none).
   * @default {10}
   */
  bandHeight?: number;
  /**
   * Height of the time axis strip at the bottom (0 for none; labels need 12).
   * @default {14}
   */
  axisHeight?: number;
  /**
   * Opacity of the tint laid over segment columns of the spectrogram (0 for none).
   * @default {0.15}
   */
  overlayAlpha?: number;
}

/** An RGBA image, rows top to bottom, 4 bytes per pixel. */
export interface RgbaImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 4` bytes. */
  rgba: Uint8Array;
}

/** Colors used for everything that is not the colormap. */
export const SPECTROGRAM_COLORS = {
  /** Segment band and tint. */
  segment: [255, 140, 26],
  /** Band and axis background. */
  background: [24, 24, 28],
  /** Segment boundary lines. */
  boundary: [255, 255, 255],
  /** Axis ticks and labels. */
  axis: [200, 200, 200],
} as const;

// Viridis at ten evenly spaced points; the LUT interpolates linearly in between.
const STOPS = [
  0x440154,
  0x482878,
  0x3e4989,
  0x31688e,
  0x26828e,
  0x1f9e89,
  0x35b779,
  0x6ece58,
  0xb5de2b,
  0xfde725,
];

let lut: Uint8Array | undefined;

/**
 * The 256-entry RGB colormap (768 bytes): dark blue-violet through teal and green to
 * yellow, with lightness rising monotonically.
 *
 * @returns The lookup table, `lut[3 * i + c]`.
 */
export function colormapLut(): Uint8Array {
  if (lut === undefined) {
    lut = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) {
      const pos = (i / 255) * (STOPS.length - 1);
      const k = Math.min(Math.floor(pos), STOPS.length - 2);
      const f = pos - k;
      for (let c = 0; c < 3; c++) {
        const shift = 16 - 8 * c;
        const a = (STOPS[k]! >> shift) & 0xff, b = (STOPS[k + 1]! >> shift) & 0xff;
        lut[i * 3 + c] = Math.round(a + (b - a) * f);
      }
    }
  }
  return lut;
}

// 3x5 bitmap digits, rows top to bottom, 3 bits per row (MSB = left column).
const DIGITS = [
  [7, 5, 5, 5, 7],
  [2, 6, 2, 2, 7],
  [7, 1, 7, 4, 7],
  [7, 1, 7, 1, 7],
  [5, 5, 7, 1, 1],
  [7, 4, 7, 1, 7],
  [7, 4, 7, 5, 7],
  [7, 1, 1, 1, 1],
  [7, 5, 7, 5, 7],
  [7, 5, 7, 1, 7],
];

function positiveInt(v: number, name: string, min = 1): number {
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(
      `Cannot render spectrogram: ${name} ${v} is not an integer >= ${min}`,
    );
  }
  return v;
}

/**
 * Render a log-mel matrix as an RGBA image: the spectrogram (time left to right, low mel
 * bands at the bottom), then a band that is colored where `segments` say there is speech,
 * then a time axis with a tick and a label every second. Segment columns are also tinted
 * in the spectrogram and framed by boundary lines.
 *
 * Size: `nFrames * frameWidth` by `nMels * melHeight + bandHeight + axisHeight`.
 *
 * @param mel The matrix (values about -1.5..1.5 for Whisper features).
 * @param options Segments, scale, range and strip heights.
 * @returns The image, ready for `encodePng(width, height, rgba)`.
 * @throws {TypeError} when `data.length` is not `nMels * nFrames` or the layout is unknown.
 * @throws {RangeError} for bad sizes, hop, range or segment times.
 *
 * @example Render 3 s of features with one speech segment
 * ```ts
 * import { renderSpectrogram } from "./spectrogram.ts";
 * const mel = { data: new Float32Array(80 * 300), nMels: 80, nFrames: 300 };
 * const img = renderSpectrogram(mel, { segments: [{ start: 0.5, end: 2.1 }] });
 * console.log(img.width, img.height); // 300 184
 * ```
 */
export function renderSpectrogram(
  mel: MelMatrix,
  options: RenderSpectrogramOptions = {},
): RgbaImage {
  const nMels = positiveInt(mel.nMels, "nMels");
  const nFrames = positiveInt(mel.nFrames, "nFrames");
  const layout = mel.layout ?? "mel-major";
  if (layout !== "mel-major" && layout !== "frame-major") {
    throw new TypeError(
      `Cannot render spectrogram: layout "${layout}" is not "mel-major" or "frame-major"`,
    );
  }
  if (mel.data.length !== nMels * nFrames) {
    throw new TypeError(
      `Cannot render spectrogram: ${nMels} mels x ${nFrames} frames needs ` +
        `${nMels * nFrames} values, got ${mel.data.length}`,
    );
  }
  const fw = positiveInt(options.frameWidth ?? 1, "frameWidth");
  const mh = positiveInt(options.melHeight ?? 2, "melHeight");
  const bandH = positiveInt(options.bandHeight ?? 10, "bandHeight", 0);
  const axisH = positiveInt(options.axisHeight ?? 14, "axisHeight", 0);
  const hop = options.hopSeconds ?? 0.01;
  if (!(hop > 0 && Number.isFinite(hop))) {
    throw new RangeError(`Cannot render spectrogram: hopSeconds ${hop} is not positive`);
  }
  const [lo, hi] = options.range ?? [-1.5, 1.5];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
    throw new RangeError(`Cannot render spectrogram: range [${lo}, ${hi}] is not increasing`);
  }
  const alpha = options.overlayAlpha ?? 0.15;
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new RangeError(`Cannot render spectrogram: overlayAlpha ${alpha} is not in 0..1`);
  }

  const width = nFrames * fw;
  const specH = nMels * mh;
  const height = specH + bandH + axisH;
  if (width * height > 1 << 28) {
    throw new RangeError(
      `Cannot render spectrogram: ${width}x${height} pixels is too large; lower frameWidth`,
    );
  }
  const rgba = new Uint8Array(width * height * 4);
  const put = (x: number, y: number, c: readonly number[], a = 1) => {
    const o = (y * width + x) * 4;
    for (let k = 0; k < 3; k++) rgba[o + k] = Math.round(rgba[o + k]! * (1 - a) + c[k]! * a);
    rgba[o + 3] = 255;
  };

  // Speech columns (by frame).
  const speech = new Uint8Array(nFrames);
  const bounds: number[] = [];
  for (const [i, s] of (options.segments ?? []).entries()) {
    if (!(Number.isFinite(s.start) && Number.isFinite(s.end) && s.start >= 0 && s.end >= s.start)) {
      throw new RangeError(
        `Cannot render spectrogram: segments[${i}] {start: ${s.start}, end: ${s.end}} ` +
          "is not a time span with 0 <= start <= end",
      );
    }
    const f0 = Math.min(nFrames, Math.floor(s.start / hop + 1e-9));
    const f1 = Math.min(nFrames, Math.ceil(s.end / hop - 1e-9));
    if (f1 <= f0) continue;
    speech.fill(1, f0, f1);
    bounds.push(f0 * fw, f1 * fw - 1);
  }

  // Spectrogram.
  const cmap = colormapLut();
  const scale = 255 / (hi - lo);
  const seg = SPECTROGRAM_COLORS.segment;
  for (let f = 0; f < nFrames; f++) {
    for (let m = 0; m < nMels; m++) {
      const v = layout === "mel-major" ? mel.data[m * nFrames + f]! : mel.data[f * nMels + m]!;
      const idx = v >= lo ? (v <= hi ? Math.round((v - lo) * scale) : 255) : 0; // NaN -> 0
      let r = cmap[idx * 3]!, g = cmap[idx * 3 + 1]!, b = cmap[idx * 3 + 2]!;
      if (speech[f] && alpha > 0) {
        r = Math.round(r * (1 - alpha) + seg[0] * alpha);
        g = Math.round(g * (1 - alpha) + seg[1] * alpha);
        b = Math.round(b * (1 - alpha) + seg[2] * alpha);
      }
      const y0 = (nMels - 1 - m) * mh;
      for (let dy = 0; dy < mh; dy++) {
        let o = ((y0 + dy) * width + f * fw) * 4;
        for (let dx = 0; dx < fw; dx++, o += 4) {
          rgba[o] = r;
          rgba[o + 1] = g;
          rgba[o + 2] = b;
          rgba[o + 3] = 255;
        }
      }
    }
  }

  // Segment band and axis background.
  for (let y = specH; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBand = y < specH + bandH && speech[Math.floor(x / fw)];
      put(x, y, inBand ? seg : SPECTROGRAM_COLORS.background);
    }
  }

  // Boundary lines through the spectrogram and the band.
  for (const x of bounds) {
    for (let y = 0; y < specH + bandH; y++) put(x, y, SPECTROGRAM_COLORS.boundary, 0.85);
  }

  // Time axis: a tick every second, labelled when there is room.
  if (axisH > 0) {
    const axis = SPECTROGRAM_COLORS.axis;
    const seconds = Math.floor((nFrames * hop) + 1e-9);
    const tickH = Math.min(4, axisH);
    for (let s = 0; s <= seconds; s++) {
      const x = Math.round(s / hop) * fw;
      if (x >= width) break;
      for (let y = specH + bandH; y < specH + bandH + tickH; y++) put(x, y, axis);
      if (axisH < 12) continue;
      const label = String(s);
      const lx = s === 0 ? x + 2 : x - Math.floor((label.length * 4 - 1) / 2);
      if (lx < 0 || lx + label.length * 4 - 1 > width) continue;
      const ly = specH + bandH + tickH + 2;
      for (const [k, ch] of [...label].entries()) {
        const rows = DIGITS[ch.charCodeAt(0) - 48]!;
        for (let r = 0; r < 5; r++) {
          for (let c = 0; c < 3; c++) {
            if ((rows[r]! >> (2 - c)) & 1) put(lx + k * 4 + c, ly + r, axis);
          }
        }
      }
    }
  }
  return { width, height, rgba };
}
