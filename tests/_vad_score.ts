// Frame-level VAD scoring as in shared/testdata/README.md §3: 10 ms frames, compared
// with `labels_merged`, ignoring a collar of ±3 frames around every reference transition.

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

/** Precision, recall and F1 of `hyp` against the reference label string, with a collar. */
export function scoreFrames(
  hyp: Uint8Array,
  labels: string,
  collar = 3,
): { precision: number; recall: number; f1: number } {
  const n = labels.length;
  const ignore = new Uint8Array(n);
  for (let i = 1; i < n; i++) {
    if (labels[i] !== labels[i - 1]) {
      for (let k = i - collar; k < i + collar; k++) if (k >= 0 && k < n) ignore[k] = 1;
    }
  }
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < n; i++) {
    if (ignore[i]) continue;
    const r = labels[i] === "1";
    const h = hyp[i] === 1;
    if (r && h) tp++;
    else if (h) fp++;
    else if (r) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? 2 * precision * recall / (precision + recall) : 0;
  return { precision, recall, f1 };
}
