import assert from "node:assert/strict";
import { audio, LogLinearHistogram, MetricsCollector, NodeRecorder, Pipeline } from "../mod.ts";
import { rng } from "./_util.ts";

Deno.test("LogLinearHistogram merge equals recording every value in one histogram", () => {
  const r = rng(7);
  const a = new LogLinearHistogram(), b = new LogLinearHistogram(), all = new LogLinearHistogram();
  for (let i = 0; i < 500; i++) {
    const v = r() < 0.5 ? r() * 3 : Math.exp(r() * 14);
    (i % 3 === 0 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  assert.equal(a.count, all.count);
  assert.ok(Math.abs(a.sum - all.sum) <= 1e-9 * all.sum, `sum ${a.sum} vs ${all.sum}`);
  assert.equal(a.min, all.min);
  assert.equal(a.max, all.max);
  assert.deepEqual(a.counts, all.counts);
  for (const q of [0, 0.5, 0.95, 0.99, 1]) assert.equal(a.quantile(q), all.quantile(q), `q ${q}`);
  const empty = new LogLinearHistogram();
  empty.merge(new LogLinearHistogram());
  assert.equal(empty.count, 0);
  assert.equal(empty.min, Infinity);
});

Deno.test("NodeRecorder merge adds counts, bytes and media time", () => {
  const a = new NodeRecorder("n"), b = new NodeRecorder("n");
  a.recordSuccess(10, 100, 0.02, 5);
  b.recordSuccess(20, 200, 0.02, 50);
  b.recordError(30, 300);
  b.bytesOut = 64;
  a.merge(b);
  const j = a.toJSON();
  assert.equal(j.execution_count, 3);
  assert.equal(j.success_count, 2);
  assert.equal(j.error_count, 1);
  assert.equal(j.bytes_in, 600);
  assert.equal(j.bytes_out, 64);
  assert.equal(j.deadline_misses, 1);
  assert.equal(j.min_duration_us, 10);
  assert.equal(j.max_duration_us, 30);
  assert.ok(Math.abs(j.realtime_factor - 60e-6 / 0.04) < 1e-12);
});

Deno.test("MetricsCollector merge adds runs and refuses different node ids", () => {
  const total = new MetricsCollector("p", ["a", "b"], { memory: () => 10 });
  const run = new MetricsCollector("p", ["a", "b"], { memory: () => 99 });
  run.node(1).recordSuccess(5, 64, 0.01, 1e9);
  run.endRun(40, 0.5);
  total.merge(run);
  total.merge(run);
  const j = total.toJSON();
  assert.equal(j.total_executions, 2);
  assert.equal(j.total_duration_us, 80);
  assert.equal(j.realtime_factor, 80e-6 / 1);
  assert.equal(j.peak_memory_bytes, 99);
  assert.deepEqual(j.node_metrics.map((n) => n.execution_count), [0, 2]);
  assert.throws(
    () => total.merge(new MetricsCollector("q", ["a"])),
    (e: unknown) =>
      e instanceof TypeError &&
      e.message === 'Cannot merge metrics of pipeline "q" into "p": the node ids differ',
  );
});

Deno.test("Pipeline mergeMetricsInto aggregates the runs of separate pipelines", async () => {
  const manifest = {
    version: "v1" as const,
    nodes: [{ id: "g", node_type: "Gain", params: { gain: 2 } }, { id: "m", node_type: "Downmix" }],
    connections: [{ from: "g", to: "m" }],
  };
  const total = new MetricsCollector("gm", ["g", "m"]);
  for (let i = 0; i < 3; i++) {
    await using p = Pipeline.fromManifest(manifest);
    await p.run([audio(new Float32Array(320), 16000, 2), audio(new Float32Array(320), 16000, 2)]);
    p.mergeMetricsInto(total);
  }
  const j = total.toJSON();
  assert.equal(j.total_executions, 3);
  assert.deepEqual(j.node_metrics.map((n) => n.execution_count), [6, 6]);
  assert.equal(j.node_metrics[0]!.bytes_in, 6 * 320 * 4);
});
