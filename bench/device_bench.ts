// Accelerator dispatch benchmarks (run: deno bench -A bench/device_bench.ts).
//
// - Silero per 32 ms window: our SileroVad vs the same model through the npm package
//   onnxruntime-node in Deno (what LiveKit's JS agents do: new tensors per window).
// - 8 streams: one batched run (SileroVadBatch, B=8) vs 8 separate runs.
// - Dispatch overhead: submit + complete of an empty job vs a direct sync call.
//
// Needs `deno task setup-models` (the model, ONNX Runtime and onnxruntime-node).
import { testdata } from "../tests/_util.ts";
import { createRequire } from "node:module";
import { decodeWav } from "../src/io/wav.ts";
import { applyGain } from "../src/dsp/convert.ts";
import { MODELS_DIR } from "../src/device/_locate.ts";
import { locateOrt, locateSilero } from "../src/device/_locate.ts";
import { DeviceQueue } from "../src/device/queue.ts";
import { OnnxSession } from "../src/device/onnx.ts";
import { SileroVad, SileroVadBatch } from "../src/device/silero.ts";

// ---- dispatch overhead (needs only the native library) -------------------------------

const buf16 = new Float32Array(16).fill(1);
const qWait = new DeviceQueue(0, { completion: "wait" });
const qCallback = new DeviceQueue(0, { completion: "callback" });

Deno.bench({
  group: "dispatch: one job",
  name: "direct sync call (applyGain, 16 samples)",
  baseline: true,
  fn: () => {
    applyGain(buf16, 1, { runtimeHint: "native" });
  },
});
Deno.bench({
  group: "dispatch: one job",
  name: "empty job, submit + complete (nonblocking wait)",
  fn: async () => {
    await qWait.empty();
  },
});
Deno.bench({
  group: "dispatch: one job",
  name: "empty job, submit + complete (threadSafe callback)",
  fn: async () => {
    await qCallback.empty();
  },
});
Deno.bench({
  group: "dispatch: one job",
  name: "gain job 16 samples, submit + complete (nonblocking wait)",
  fn: async () => {
    await qWait.gain(buf16, 1);
  },
});

const jobs64: Promise<void>[] = new Array(64);
Deno.bench({
  group: "dispatch: 64 jobs in flight",
  name: "64 direct sync calls",
  baseline: true,
  fn: () => {
    for (let i = 0; i < 64; i++) applyGain(buf16, 1, { runtimeHint: "native" });
  },
});
Deno.bench({
  group: "dispatch: 64 jobs in flight",
  name: "64 empty jobs (nonblocking wait)",
  fn: async () => {
    for (let i = 0; i < 64; i++) jobs64[i] = qWait.empty();
    await Promise.all(jobs64);
  },
});
Deno.bench({
  group: "dispatch: 64 jobs in flight",
  name: "64 empty jobs (threadSafe callback)",
  fn: async () => {
    for (let i = 0; i < 64; i++) jobs64[i] = qCallback.empty();
    await Promise.all(jobs64);
  },
});

// ---- Silero ----------------------------------------------------------------------------

const ortPath = locateOrt().path;
const modelPath = locateSilero().path;
const ortNodeDir = `${MODELS_DIR}onnxruntime-node`;
let haveOrtNode = false;
try {
  haveOrtNode = Deno.statSync(`${ortNodeDir}/package.json`).isFile;
} catch { /* not installed */ }

if (ortPath === undefined || modelPath === undefined || !haveOrtNode) {
  console.warn(
    "device_bench: skipping the Silero benchmarks: run `deno task setup-models` first",
  );
} else {
  // onnxruntime-node, loaded from the same npm install (minimal typing of what we use).
  interface OrtTensor {
    data: Float32Array;
  }
  interface OrtNode {
    Tensor: new (type: string, data: Float32Array | BigInt64Array, dims: number[]) => OrtTensor;
    InferenceSession: {
      create(path: string, opts: Record<string, unknown>): Promise<{
        run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
      }>;
    };
  }
  const ortNode = createRequire(import.meta.url)(ortNodeDir) as OrtNode;
  const nodeSession = await ortNode.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  });
  const speech = decodeWav(
    Deno.readFileSync(testdata("vad/vad01_clean.wav")),
  ).samples;
  const nWindows = Math.floor(speech.length / 512);
  let pos = 0;
  const nextWindow = (): Float32Array => {
    const w = speech.subarray(pos * 512, pos * 512 + 512);
    pos = (pos + 1) % nWindows;
    return w;
  };

  // The LiveKit-style loop: context + window copied into a new input, new tensors per run.
  class NodeSilero {
    context = new Float32Array(64);
    state: Float32Array = new Float32Array(256);
    sr = BigInt64Array.of(16000n);
    async process(w: Float32Array): Promise<number> {
      const input = new Float32Array(576);
      input.set(this.context, 0);
      input.set(w, 64);
      this.context = input.slice(512);
      const out = await nodeSession.run({
        input: new ortNode.Tensor("float32", input, [1, 576]),
        state: new ortNode.Tensor("float32", this.state, [2, 1, 128]),
        sr: new ortNode.Tensor("int64", this.sr, []),
      });
      this.state = out.stateN!.data;
      return out.output!.data[0]!;
    }
  }

  const nodeOne = new NodeSilero();
  const ours = await SileroVad.create();
  const session = await OnnxSession.open(modelPath);
  const binding = session.bind({
    inputs: { input: [1, 576], state: [2, 1, 128], sr: [] },
    outputs: { output: [1, 1], stateN: [2, 1, 128] },
  });
  (binding.input("sr") as BigInt64Array)[0] = 16000n;
  // Warm up every path before timing.
  for (let i = 0; i < 20; i++) {
    await nodeOne.process(nextWindow());
    await ours.process(nextWindow());
    await binding.run();
  }

  Deno.bench({
    group: "silero: one 32 ms window",
    name: "onnxruntime-node (npm) session.run, new tensors per window",
    baseline: true,
    fn: async () => {
      await nodeOne.process(nextWindow());
    },
  });
  Deno.bench({
    group: "silero: one 32 ms window",
    name: "SileroVad.process (device queue, bound buffers, segmenting)",
    fn: async () => {
      await ours.process(nextWindow());
    },
  });
  Deno.bench({
    group: "silero: one 32 ms window",
    name: "OnnxBinding.run (device queue, bound buffers)",
    fn: async () => {
      await binding.run();
    },
  });
  Deno.bench({
    group: "silero: one 32 ms window",
    name: "OnnxBinding.runSync (blocks the JS thread)",
    fn: () => {
      binding.runSync();
    },
  });

  const B = 8;
  const separate = await Promise.all(Array.from({ length: B }, () => SileroVad.create()));
  const batch = await SileroVadBatch.create({ streams: B });
  const nodeMany = Array.from({ length: B }, () => new NodeSilero());
  const stepWindows = Array.from({ length: B }, () => new Float32Array(512));
  const step = () => {
    for (let i = 0; i < B; i++) stepWindows[i]!.set(nextWindow());
  };
  for (let i = 0; i < 10; i++) {
    step();
    await Promise.all(separate.map((v, k) => v.process(stepWindows[k]!)));
    await Promise.all(stepWindows.map((w, k) => batch.stream(k).process(w)));
  }

  Deno.bench({
    group: "silero: 8 streams, one window each",
    name: "8 separate runs (SileroVad x8)",
    baseline: true,
    fn: async () => {
      step();
      await Promise.all(separate.map((v, k) => v.process(stepWindows[k]!)));
    },
  });
  Deno.bench({
    group: "silero: 8 streams, one window each",
    name: "one batched run (SileroVadBatch, B=8)",
    fn: async () => {
      step();
      await Promise.all(stepWindows.map((w, k) => batch.stream(k).process(w)));
    },
  });
  Deno.bench({
    group: "silero: 8 streams, one window each",
    name: "8 separate runs (onnxruntime-node)",
    fn: async () => {
      step();
      for (let k = 0; k < B; k++) await nodeMany[k]!.process(stepWindows[k]!);
    },
  });

  globalThis.addEventListener("unload", () => {
    const st = batch.stats();
    console.log(
      `batch: ${st.runs} runs, ${st.windows} windows (${
        (st.windows / st.runs).toFixed(2)
      } per run); ` +
        `session load ${st.loadMs.toFixed(1)} ms, first run ${st.firstRunMs.toFixed(2)} ms, ` +
        `steady ${st.steadyAvgUs.toFixed(0)} us`,
    );
  });
}
