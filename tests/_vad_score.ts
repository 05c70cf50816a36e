// Shared VAD scoring and reference-clip helpers (tests and bench/vad_score.ts).
// Scoring follows shared/testdata/README.md section 3: decisions on the 10 ms grid
// against `labels_merged`, ignoring a collar of 3 frames on each side of every label
// transition.

import { readWavFile } from "../src/io/wav.ts";
import { testdata } from "./_util.ts";

/** Frame-level scores of one clip. */
export interface VadScore {
  precision: number;
  recall: number;
  f1: number;
  /** Missed speech frames / speech frames. */
  missRate: number;
  /** Speech decisions on non-speech frames / non-speech frames. */
  falseAlarmRate: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Score 10 ms-grid decisions against a label string ('0'/'1' per 10 ms), ignoring
 * `collar` frames on each side of every label change. Decisions shorter than the labels
 * count as non-speech for the missing frames.
 */
export function scoreVad(decisions: ArrayLike<number>, labels: string, collar = 3): VadScore {
  const n = labels.length;
  const keep = new Uint8Array(n).fill(1);
  for (let t = 1; t < n; t++) {
    if (labels[t] !== labels[t - 1]) {
      for (let i = Math.max(0, t - collar); i < Math.min(n, t + collar); i++) keep[i] = 0;
    }
  }
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const d = i < decisions.length && decisions[i] !== 0;
    const l = labels[i] === "1";
    if (d && l) tp++;
    else if (d) fp++;
    else if (l) fn++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    precision,
    recall,
    f1,
    missRate: tp + fn > 0 ? fn / (tp + fn) : 0,
    falseAlarmRate: fp + tn > 0 ? fp / (fp + tn) : 0,
    tp,
    fp,
    fn,
    tn,
  };
}

/** A reference clip: samples, labels and its noise condition. */
export interface VadClip {
  name: string;
  /** "clean", "20dB", "10dB", "5dB" or "0dB". */
  condition: string;
  noise: string;
  sampleRate: number;
  samples: Float32Array;
  labels: string;
  /** The 48 kHz variant, when the clip has one. */
  variant48k?: Float32Array;
}

/** Every clip listed in shared/testdata/vad/manifest.json, loaded. */
export async function loadVadClips(): Promise<VadClip[]> {
  const manifest = JSON.parse(await Deno.readTextFile(testdata("vad/manifest.json")));
  const out: VadClip[] = [];
  for (const c of manifest.clips) {
    const json = JSON.parse(await Deno.readTextFile(testdata(`vad/${c.labels}`)));
    const wav = await readWavFile(testdata(`vad/${c.wav}`), { runtimeHint: "ts" });
    const v48 = c.variants?.["48000"];
    out.push({
      name: c.name,
      condition: c.snr_db === null ? "clean" : `${c.snr_db}dB`,
      noise: c.noise,
      sampleRate: wav.sampleRate,
      samples: wav.samples,
      labels: json.labels_merged,
      variant48k: v48
        ? (await readWavFile(testdata(`vad/${v48}`), { runtimeHint: "ts" })).samples
        : undefined,
    });
  }
  return out;
}

/**
 * 48 kHz -> 16 kHz by a windowed-sinc low-pass (Blackman, 241 taps, cut-off 7.7 kHz)
 * evaluated at every third input sample. The filter is centred, so output k sits at
 * input time 3k (no delay); the input is taken as zero outside its range.
 */
export function decimate48kTo16k(x: Float32Array): Float32Array {
  const M = 120;
  const fc = 7700 / 48000;
  const h = new Float64Array(2 * M + 1);
  let sum = 0;
  for (let i = -M; i <= M; i++) {
    const sinc = i === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * i) / (Math.PI * i);
    const w = 0.42 + 0.5 * Math.cos((Math.PI * i) / M) + 0.08 * Math.cos((2 * Math.PI * i) / M);
    h[i + M] = sinc * w;
    sum += sinc * w;
  }
  for (let i = 0; i < h.length; i++) h[i]! /= sum;
  const n = Math.floor(x.length / 3);
  const y = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const c = 3 * k;
    let acc = 0;
    const lo = Math.max(-M, -c), hi = Math.min(M, x.length - 1 - c);
    for (let i = lo; i <= hi; i++) acc += h[i + M]! * x[c + i]!;
    y[k] = acc;
  }
  return y;
}

/** A speech segment in seconds. */
export interface Segment {
  start: number;
  end: number;
}

/** Decisions on the 10 ms grid: frame i is speech when any segment overlaps it. */
export function segmentsToFrames(segments: readonly Segment[], nFrames: number): Uint8Array {
  const d = new Uint8Array(nFrames);
  for (const s of segments) {
    const a = Math.max(0, Math.floor(s.start * 100 + 1e-9));
    const b = Math.min(nFrames, Math.ceil(s.end * 100 - 1e-9));
    for (let i = a; i < b; i++) d[i] = 1;
  }
  return d;
}
