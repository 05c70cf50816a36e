// Frame-level VAD quality on the reference corpus, ours against WebRTC VAD (fvad-wasm),
// both measured in this run. Scoring as in shared/testdata/README.md section 3: 10 ms
// grid, labels_merged, 3-frame collar. For fvad, every mode (0-3) and frame size
// (10/20/30 ms) is scored and the best by mean F1 is reported per condition.
//
// Run: deno run -A bench/vad_score.ts [dir]
//   dir: a folder of clips (WAV + same-name JSON with labels_merged and condition, as in
//        shared/testdata/vad); default shared/testdata/vad.

import { readWavFile } from "../src/io/wav.ts";
import { detectSpeech, type VadFrameMs, type VadMode } from "../src/dsp/vad.ts";
import { scoreVad, type VadScore } from "../tests/_vad_score.ts";
import { testdata } from "../tests/_util.ts";
import { fvadDecisions } from "./_fvad.ts";

interface Clip {
  name: string;
  condition: string;
  samples: Float32Array;
  labels: string;
}

async function loadDir(dir: string): Promise<Clip[]> {
  const out: Clip[] = [];
  const names = [...Deno.readDirSync(dir)]
    .map((e) => e.name)
    .filter((n) => n.endsWith(".json") && n !== "manifest.json")
    .sort();
  for (const n of names) {
    const json = JSON.parse(await Deno.readTextFile(`${dir}/${n}`));
    if (typeof json.labels_merged !== "string") continue;
    const snr = json.condition?.snr_db ?? null;
    const wav = await readWavFile(`${dir}/${n.replace(/\.json$/, ".wav")}`);
    if (wav.sampleRate !== 16000) continue;
    out.push({
      name: n.replace(/\.json$/, ""),
      condition: snr === null ? "clean" : `${snr}dB`,
      samples: wav.samples,
      labels: json.labels_merged,
    });
  }
  return out;
}

const dir = Deno.args[0] ?? testdata("vad");
const clips = await loadDir(dir);
const CONDITIONS = ["clean", "20dB", "10dB", "5dB", "0dB"].filter((c) =>
  clips.some((x) => x.condition === c)
);
const OURS = { mode: 1 as VadMode, frameMs: 10 as VadFrameMs };

const t0 = performance.now();
const ours = clips.map((c) =>
  scoreVad(
    detectSpeech(c.samples, 16000, { ...OURS, runtimeHint: "native" }).decisions,
    c.labels,
  )
);
const oursMs = performance.now() - t0;
const t1 = performance.now();
const fvad = new Map<string, VadScore[]>(); // "mode/frame" -> per clip
for (const mode of [0, 1, 2, 3]) {
  for (const frameMs of [10, 20, 30]) {
    fvad.set(
      `${mode}/${frameMs}`,
      clips.map((c) => scoreVad(fvadDecisions(c.samples, 16000, frameMs, mode), c.labels)),
    );
  }
}
const fvadMs = (performance.now() - t1) / 12;

const mean = (xs: VadScore[], k: keyof VadScore) => xs.reduce((a, s) => a + s[k], 0) / xs.length;
const f = (x: number) => x.toFixed(3);
const f4 = (x: number) => x.toFixed(4);
const row = (s: { f1: number; precision: number; recall: number; falseAlarmRate: number }) =>
  `${f4(s.f1)} ${f(s.precision)} ${f(s.recall)} ${f(s.falseAlarmRate)}`;
const avg = (xs: VadScore[]) => ({
  f1: mean(xs, "f1"),
  precision: mean(xs, "precision"),
  recall: mean(xs, "recall"),
  falseAlarmRate: mean(xs, "falseAlarmRate"),
});

// fvad's best (mode, frame) per condition, by mean F1
const best = new Map<string, string>();
for (const cond of CONDITIONS) {
  const idx = clips.map((c, i) => (c.condition === cond ? i : -1)).filter((i) => i >= 0);
  let bestKey = "", bestF1 = -1;
  for (const [key, scores] of fvad) {
    const f1 = mean(idx.map((i) => scores[i]!), "f1");
    if (f1 > bestF1) [bestKey, bestF1] = [key, f1];
  }
  best.set(cond, bestKey);
}

console.log(`VAD scores on ${dir} (${clips.length} clips; 10 ms grid, labels_merged, collar 3)`);
console.log(
  `ours: detectSpeech mode ${OURS.mode}, ${OURS.frameMs} ms frames, native ` +
    `(${(oursMs / clips.length).toFixed(1)} ms/clip); fvad-wasm: best mode/frame per ` +
    `condition (${(fvadMs / clips.length).toFixed(1)} ms/clip per setting)\n`,
);
console.log(
  "per clip                 cond  | ours F1   P     R     FA    | fvad best  F1     P     R     FA",
);
clips.forEach((c, i) => {
  const key = best.get(c.condition)!;
  console.log(
    `${c.name.padEnd(24)} ${c.condition.padEnd(5)} | ${row(ours[i]!)} | ` +
      `m${key.replace("/", " ")}ms`.padEnd(9) + ` ${row(fvad.get(key)![i]!)}`,
  );
});
console.log(
  "\nper condition (mean)   | ours F1   P     R     FA    | fvad best  F1     P     R     FA    | " +
    "F1 >= and FA <=",
);
for (const cond of CONDITIONS) {
  const idx = clips.map((c, i) => (c.condition === cond ? i : -1)).filter((i) => i >= 0);
  const o = avg(idx.map((i) => ours[i]!));
  const key = best.get(cond)!;
  const w = avg(idx.map((i) => fvad.get(key)![i]!));
  const ok = o.f1 >= w.f1 && o.falseAlarmRate <= w.falseAlarmRate;
  console.log(
    `${cond.padEnd(5)} (${idx.length} clip${idx.length > 1 ? "s" : " "})`.padEnd(22) +
      ` | ${row(o)} | ${`m${key.replace("/", " ")}ms`.padEnd(9)} ${row(w)} | ${ok ? "yes" : "NO"}`,
  );
}
