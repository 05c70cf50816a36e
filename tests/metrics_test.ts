import assert from "node:assert/strict";
import { z } from "zod";
import {
  audio,
  createRegistry,
  type ExecutionMetrics,
  formatPrometheus,
  LogLinearHistogram,
  MetricsCollector,
  NodeRecorder,
  PipelineBuilder,
  text,
} from "../mod.ts";
import { rng } from "./_util.ts";
import { parseExposition } from "./_prometheus.ts";

/** Nearest-rank quantile of sorted values: the oracle. */
function oracle(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

const QS = [0, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

function checkQuantiles(values: number[], what: string): void {
  const h = new LogLinearHistogram();
  for (const v of values) h.record(v);
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of QS) {
    const exact = oracle(sorted, q);
    const est = h.quantile(q);
    const bound = Math.max(
      LogLinearHistogram.ABSOLUTE_ERROR_US,
      exact * LogLinearHistogram.RELATIVE_ERROR,
    );
    assert.ok(
      Math.abs(est - exact) <= bound * (1 + 1e-9),
      `${what} q=${q}: expected ${exact}, got ${est} (bound ${bound})`,
    );
  }
  assert.equal(h.count, values.length);
  assert.equal(h.min, sorted[0]);
  assert.equal(h.max, sorted.at(-1));
  const sum = values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(h.sum - sum) <= 1e-9 * Math.abs(sum), `${what} sum`);
}

Deno.test("LogLinearHistogram quantiles match a sorted oracle within the error bound", () => {
  const r = rng(42);
  const dists: Record<string, () => number> = {
    "uniform 0..2 us": () => r() * 2,
    "uniform 0..100 us": () => r() * 100,
    "log-uniform 0.01 us..10 s": () => 10 ** (r() * 9 - 2),
    "bimodal 1 us / 1 ms": () => (r() < 0.9 ? 1 + r() * 0.1 : 1000 + r() * 100),
    "integers 0..20": () => Math.floor(r() * 21),
  };
  for (const [name, gen] of Object.entries(dists)) {
    for (const n of [1, 2, 7, 100, 10_000]) {
      checkQuantiles(Array.from({ length: n }, gen), `${name}, n=${n}`);
    }
  }
  checkQuantiles(new Array(50).fill(17.3), "constant");
});

Deno.test("LogLinearHistogram handles empty, zero, negative and out-of-range values", () => {
  const h = new LogLinearHistogram();
  assert.equal(h.quantile(0.5), 0);
  h.record(-5);
  h.record(0);
  h.record(1e9); // 1000 s: beyond the bucket range
  assert.equal(h.min, 0);
  assert.equal(h.max, 1e9);
  assert.equal(h.quantile(1), 1e9);
  assert.equal(h.quantile(0.5), 0.015625);
  assert.throws(() => h.quantile(1.5), { name: "RangeError" });
  h.reset();
  assert.equal(h.count, 0);
  assert.equal(h.quantile(0.99), 0);
});

Deno.test("NodeRecorder arithmetic: rates, averages, real-time factor, deadlines", () => {
  const r = new NodeRecorder("n");
  // Four 20 ms audio frames at 100, 200, 300, 25000 us (the last misses its 20 ms deadline).
  for (const us of [100, 200, 300, 25_000]) r.recordSuccess(us, 1280, 0.02, 20_000);
  r.recordError(50, 1280);
  r.recordOtherError();
  r.bytesOut += 640;
  const m = r.toJSON();
  assert.equal(m.execution_count, 5);
  assert.equal(m.success_count, 4);
  assert.equal(m.error_count, 2);
  assert.equal(m.success_rate, 0.8);
  assert.equal(m.total_duration_us, 25_650);
  assert.equal(m.avg_duration_us, 5130);
  assert.equal(m.min_duration_us, 50);
  assert.equal(m.max_duration_us, 25_000);
  assert.equal(m.bytes_in, 6400);
  assert.equal(m.bytes_out, 640);
  assert.equal(m.deadline_misses, 1);
  assert.ok(Math.abs(m.realtime_factor - 25_650e-6 / 0.08) < 1e-12);
  assert.ok(Math.abs(m.p50_duration_us - 200) <= 200 / 128);
  r.reset();
  assert.equal(r.toJSON().success_rate, 1);
  assert.equal(r.toJSON().realtime_factor, 0);
});

const RUN_KEYS = [
  "pipeline_id",
  "total_executions",
  "total_duration_us",
  "realtime_factor",
  "peak_memory_bytes",
  "metrics_overhead_us",
  "node_metrics",
];
const NODE_KEYS = [
  "node_id",
  "execution_count",
  "success_count",
  "error_count",
  "success_rate",
  "total_duration_us",
  "avg_duration_us",
  "min_duration_us",
  "max_duration_us",
  "p50_duration_us",
  "p95_duration_us",
  "p99_duration_us",
  "bytes_in",
  "bytes_out",
  "realtime_factor",
  "deadline_misses",
];

Deno.test("MetricsCollector JSON has exactly the ExecutionMetrics field names", () => {
  const c = new MetricsCollector("p", ["a", "b"], {
    memory: () => 1000,
    pool: { stats: () => ({ bytesReserved: 24 }) },
  });
  c.node(1).recordSuccess(3, 10, 0, Infinity);
  c.sampleMemory();
  c.endRun(500, 0.25);
  c.endRun(1500, 0.25);
  const m = c.toJSON();
  assert.deepEqual(Object.keys(m), RUN_KEYS);
  for (const n of m.node_metrics) assert.deepEqual(Object.keys(n), NODE_KEYS);
  assert.deepEqual(m.node_metrics.map((n) => n.node_id), ["a", "b"]);
  assert.equal(m.total_executions, 2);
  assert.equal(m.total_duration_us, 2000);
  assert.equal(m.realtime_factor, 0.004); // 2 ms over 0.5 s
  assert.equal(m.peak_memory_bytes, 1024);
  assert.ok(m.metrics_overhead_us > 0 && m.metrics_overhead_us < 1000);
  assert.throws(() => c.node(2), { name: "RangeError" });
  c.reset();
  assert.equal(c.toJSON().total_executions, 0);
});

function spin(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) { /* busy */ }
}

Deno.test("Pipeline metrics count executions, bytes, media time and deadline misses", async () => {
  const registry = createRegistry().register("Spin", z.object({ us: z.number() }), ({ us }) => ({
    process(d) {
      spin(us);
      return d;
    },
  }));
  const pipe = new PipelineBuilder("m")
    .add("g", "Gain", { gain: 2 })
    .add("slow", "Spin", { us: 300 })
    .add("relaxed", "Spin", { us: 300 }, { deadline_us: 1e9 })
    .connect("g", "slow")
    .connect("slow", "relaxed")
    .build({ registry });
  // 10 frames of 96 samples at 48 kHz (2 ms each) and 10 frames of 4 samples (83 us each:
  // a 300 us call always misses their deadline).
  const frames = [
    ...Array.from(
      { length: 10 },
      (_, i) => audio(new Float32Array(96), 48000, 1, { timestamp: i }),
    ),
    ...Array.from({ length: 10 }, () => audio(new Float32Array(4), 48000)),
    text("no media"),
  ];
  await pipe.run(frames);
  const m = pipe.metrics();
  assert.equal(m.pipeline_id, "m");
  assert.equal(m.total_executions, 1);
  const [g, slow, relaxed] = m.node_metrics;
  for (const n of [g!, slow!, relaxed!]) {
    assert.equal(n.execution_count, 21, n.node_id);
    assert.equal(n.success_count, 21);
    assert.equal(n.bytes_in, 10 * 96 * 4 + 10 * 16 + "no media".length);
    assert.equal(n.bytes_out, n.bytes_in);
    assert.ok(n.min_duration_us <= n.p50_duration_us && n.p50_duration_us <= n.p95_duration_us);
    assert.ok(n.p95_duration_us <= n.p99_duration_us && n.p99_duration_us <= n.max_duration_us);
    assert.ok(Math.abs(n.avg_duration_us - n.total_duration_us / 21) < 0.01);
  }
  const media = (10 * 96 + 10 * 4) / 48000;
  assert.ok(Math.abs(slow!.realtime_factor - slow!.total_duration_us / 1e6 / media) < 1e-9);
  assert.ok(slow!.min_duration_us >= 300);
  assert.ok(slow!.deadline_misses >= 10, `misses ${slow!.deadline_misses}`);
  assert.equal(relaxed!.deadline_misses, 0);
  assert.ok(Math.abs(m.realtime_factor - m.total_duration_us / 1e6 / media) < 1e-6);
  assert.ok(m.total_duration_us >= 2 * 21 * 300);
  assert.ok(m.peak_memory_bytes > 0);
});

Deno.test("Pipeline with enable_metrics false records no node metrics", async () => {
  const pipe = new PipelineBuilder().add("p", "PassThrough").config({ enable_metrics: false })
    .build();
  await pipe.run([text("a"), text("b")]);
  const m = pipe.metrics();
  assert.equal(m.total_executions, 1);
  assert.equal(m.node_metrics[0]!.execution_count, 0);
  pipe.resetMetrics();
  assert.equal(pipe.metrics().total_executions, 0);
});

Deno.test("formatPrometheus output parses back to the JSON values", async () => {
  const name = 'voice "front"\\end\nv2';
  const pipe = new PipelineBuilder(name)
    .add("mono", "Downmix")
    .add("gain", "Gain", { gain: 0.5 })
    .connect("mono", "gain")
    .build();
  await pipe.run(Array.from({ length: 30 }, () => audio(new Float32Array(640), 16000, 2)));
  const json: ExecutionMetrics = pipe.metrics();
  const fams = parseExposition(formatPrometheus(json));
  const one = (fam: string, labels: Record<string, string>, sampleName = fam) => {
    const hits = fams.get(fam)!.samples.filter((s) =>
      s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
      Object.keys(s.labels).length === Object.keys(labels).length
    );
    assert.equal(hits.length, 1, `${sampleName} ${JSON.stringify(labels)}`);
    return hits[0]!.value;
  };
  const pl = { pipeline: name };
  assert.equal(one("remotemedia_pipeline_runs_total", pl), json.total_executions);
  assert.equal(fams.get("remotemedia_pipeline_runs_total")!.type, "counter");
  assert.equal(one("remotemedia_pipeline_duration_microseconds_total", pl), json.total_duration_us);
  assert.equal(one("remotemedia_pipeline_realtime_factor", pl), json.realtime_factor);
  assert.equal(one("remotemedia_pipeline_peak_memory_bytes", pl), json.peak_memory_bytes);
  for (const n of json.node_metrics) {
    const nl = { pipeline: name, node: n.node_id };
    const d = "remotemedia_node_duration_microseconds";
    assert.equal(fams.get(d)!.type, "summary");
    assert.equal(one(d, { ...nl, quantile: "0.5" }), n.p50_duration_us);
    assert.equal(one(d, { ...nl, quantile: "0.95" }), n.p95_duration_us);
    assert.equal(one(d, { ...nl, quantile: "0.99" }), n.p99_duration_us);
    assert.equal(one(d, nl, `${d}_sum`), n.total_duration_us);
    assert.equal(one(d, nl, `${d}_count`), n.execution_count);
    assert.equal(one("remotemedia_node_executions_total", nl), n.execution_count);
    assert.equal(one("remotemedia_node_successes_total", nl), n.success_count);
    assert.equal(one("remotemedia_node_errors_total", nl), n.error_count);
    assert.equal(one("remotemedia_node_success_ratio", nl), n.success_rate);
    assert.equal(one("remotemedia_node_bytes_in_total", nl), n.bytes_in);
    assert.equal(one("remotemedia_node_bytes_out_total", nl), n.bytes_out);
    assert.equal(one("remotemedia_node_realtime_factor", nl), n.realtime_factor);
    assert.equal(one("remotemedia_node_deadline_misses_total", nl), n.deadline_misses);
    assert.equal(one("remotemedia_node_duration_max_microseconds", nl), n.max_duration_us);
  }
  assert.equal(json.node_metrics[0]!.bytes_in, 30 * 640 * 4);
  assert.equal(json.node_metrics[0]!.bytes_out, 30 * 320 * 4);
  for (const f of fams.values()) assert.ok(f.help.length > 0);
});

Deno.test("formatPrometheus merges several pipelines into one family each", () => {
  const mk = (id: string): ExecutionMetrics => ({
    pipeline_id: id,
    total_executions: 1,
    total_duration_us: 1,
    realtime_factor: NaN,
    peak_memory_bytes: 0,
    metrics_overhead_us: 0.1,
    node_metrics: [],
  });
  const text = formatPrometheus([mk("a"), mk("b")], { prefix: "edge" });
  const fams = parseExposition(text);
  assert.deepEqual(
    fams.get("edge_pipeline_runs_total")!.samples.map((s) => s.labels.pipeline),
    ["a", "b"],
  );
  assert.ok(text.includes('edge_pipeline_realtime_factor{pipeline="a"} NaN'));
  assert.throws(() => formatPrometheus(mk("a"), { prefix: "9bad" }), { name: "RangeError" });
});

Deno.test("MetricsCollector realtime factor uses node audio when the input carried none", () => {
  const m = new MetricsCollector("p", ["pcm", "vad"]);
  m.node(1).recordSuccess(1000, 640, 0.5, 0);
  m.node(1).recordSuccess(1000, 640, 0.5, 0);
  m.endRun(2000, 0); // binary input: 1 s of audio seen by "vad"
  assert.ok(Math.abs(m.toJSON().realtime_factor - 0.002) < 1e-12);
  m.node(1).recordSuccess(1000, 640, 1, 0);
  m.endRun(1000, 0); // second run: 1 more second
  assert.ok(Math.abs(m.toJSON().realtime_factor - 0.0015) < 1e-12);
});
