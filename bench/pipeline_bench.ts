// Scheduler + metrics overhead per node per frame: a chain of N PassThrough nodes over
// 20 ms frames (16 kHz mono), against calling the same node functions in a plain loop.
//
//   deno bench -A bench/pipeline_bench.ts      ratios against the plain loop, per group
//   deno run -A bench/pipeline_bench.ts        the overhead table: microseconds per node
//                                              per frame, metrics on and off
import { audio, PipelineBuilder, type PipelineNode, type RuntimeData } from "../mod.ts";
import { defaultRegistry } from "../src/nodes/builtin.ts";

const FRAMES = 500;
const frames: RuntimeData[] = Array.from(
  { length: FRAMES },
  (_, i) => audio(new Float32Array(320), 16000, 1, { timestamp: i * 0.02 }),
);

function chain(n: number, metrics: boolean) {
  const b = new PipelineBuilder(`passthrough-x${n}`).config({ enable_metrics: metrics });
  for (let i = 0; i < n; i++) b.add(`p${i}`, "PassThrough");
  for (let i = 1; i < n; i++) b.connect(`p${i - 1}`, `p${i}`);
  return b.build();
}

async function plainNodes(n: number): Promise<PipelineNode[]> {
  const def = defaultRegistry.get("PassThrough")!;
  const nodes: PipelineNode[] = [];
  for (let i = 0; i < n; i++) {
    nodes.push(await def.factory({}, { id: `p${i}`, type: "PassThrough", runtimeHint: "auto" }));
  }
  return nodes;
}

const ctx = {
  nodeId: "p",
  nodeType: "PassThrough",
  runtimeHint: "auto" as const,
  signal: new AbortController().signal,
};

/** The baseline: the same `process` calls in a plain loop, outputs collected. */
function plainLoop(nodes: PipelineNode[]): RuntimeData[] {
  const out: RuntimeData[] = [];
  for (const f of frames) {
    let d = f;
    for (const node of nodes) d = node.process(d, ctx) as RuntimeData;
    out.push(d);
  }
  return out;
}

for (const n of [1, 4, 16]) {
  const group = `${n} PassThrough x ${FRAMES} frames`;
  const nodes = await plainNodes(n);
  const on = chain(n, true);
  const off = chain(n, false);
  Deno.bench({ group, name: "plain loop", baseline: true }, () => {
    plainLoop(nodes);
  });
  Deno.bench({ group, name: "pipeline.run, metrics on" }, async () => {
    await on.run(frames);
  });
  Deno.bench({ group, name: "pipeline.run, metrics off" }, async () => {
    await off.run(frames);
  });
  Deno.bench({ group, name: "pipeline.stream, metrics on" }, async () => {
    for await (const _ of on.stream(frames)) { /* drain */ }
  });
}

async function timeIt(fn: () => unknown, reps: number): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm up
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!; // median ms per run
}

if (import.meta.main) {
  console.log(`per node per frame (us), ${FRAMES} frames of 20 ms, median of 200 runs`);
  console.log("| nodes | plain loop | run, metrics on | run, metrics off | stream, metrics on |");
  console.log("|---|---|---|---|---|");
  for (const n of [1, 4, 16]) {
    const nodes = await plainNodes(n);
    const on = chain(n, true);
    const off = chain(n, false);
    const base = await timeIt(() => plainLoop(nodes), 200);
    const tOn = await timeIt(() => on.run(frames), 200);
    const tOff = await timeIt(() => off.run(frames), 200);
    const tStream = await timeIt(async () => {
      for await (const _ of on.stream(frames)) { /* drain */ }
    }, 200);
    const per = (ms: number) => ((ms * 1000) / (FRAMES * n)).toFixed(3);
    const over = (ms: number) => ((ms - base) * 1000 / (FRAMES * n)).toFixed(3);
    console.log(
      `| ${n} | ${per(base)} | ${per(tOn)} (+${over(tOn)}) | ${per(tOff)} (+${over(tOff)}) | ` +
        `${per(tStream)} (+${over(tStream)}) |`,
    );
  }
  console.log(
    `metrics_overhead_us (collector self-measure): ${chain(1, true).metrics().metrics_overhead_us}`,
  );
}
