// Resampler quality on ../shared/testdata/resample with the testdata README's metrics
// (SNR against the ideal output, alias level, image energy, white-noise flatness), for
// every preset, native and TS. Prints one table.
//
//   deno run -A bench/resample_quality.ts
import { resample, type ResampleQuality } from "../src/dsp/resample.ts";
import { aliasLevelDb, flatnessDb, imageEnergyDb, snrDb } from "../tests/_resample_metrics.ts";
import { testdata } from "../tests/_util.ts";

interface Signal {
  name: string;
  category: string;
  files: { input: string; ideal?: string };
}

const read = (path: string) => {
  const b = Deno.readFileSync(testdata(path));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

const presets: ResampleQuality[] = ["fast", "default", "high"];
console.log("| pair | signal | metric | fast | default | high | ts default |");
console.log("|---|---|---|---|---|---|---|");
for (const pair of ["44100_to_16000", "8000_to_16000"]) {
  const m = JSON.parse(Deno.readTextFileSync(testdata(`resample/${pair}/manifest.json`)));
  const fsIn = m.fs_in as number, fsOut = m.fs_out as number;
  for (const s of m.signals as Signal[]) {
    const x = read(`resample/${pair}/${s.files.input}`);
    const ideal = s.files.ideal ? read(`resample/${pair}/${s.files.ideal}`) : null;
    let metric: string;
    let f: (y: Float32Array) => number;
    if (ideal) {
      metric = "SNR dB";
      f = (y) => snrDb(y, ideal, fsOut);
    } else if (s.category.startsWith("alias")) {
      metric = "alias dB";
      f = (y) => aliasLevelDb(y, x, fsOut, fsIn);
    } else {
      metric = "flatness dB";
      f = (y) => flatnessDb(y, x, fsIn, fsOut);
    }
    const cells = presets.map((q) => f(resample(x, fsIn, fsOut, { quality: q })).toFixed(1));
    cells.push(f(resample(x, fsIn, fsOut, { runtimeHint: "ts" })).toFixed(1));
    console.log(`| ${pair} | ${s.name} | ${metric} | ${cells.join(" | ")} |`);
    if (ideal && fsOut > fsIn && s.name.startsWith("sine")) {
      const img = presets.map((q) =>
        imageEnergyDb(resample(x, fsIn, fsOut, { quality: q }), fsIn, fsOut).toFixed(1)
      );
      console.log(`| ${pair} | ${s.name} | image dB | ${img.join(" | ")} | |`);
    }
  }
}
