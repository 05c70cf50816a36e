import assert from "node:assert/strict";
import { z } from "zod";
import {
  backoffDelay,
  CircuitBreaker,
  CircuitOpenError,
  isRetryable,
  NativeError,
  NodeError,
  Pipeline,
  PipelineBuilder,
  type PipelineOutput,
  RetryableError,
  text,
} from "../mod.ts";
import {
  deferred,
  FakeClock,
  probe,
  settle,
  tags,
  testRegistry,
  textOf,
  texts,
} from "./_pipeline_util.ts";

function errorsOf(out: PipelineOutput[]): NodeError[] {
  return out.flatMap((o) =>
    o.data.type === "event" && o.data.kind === "error" ? [o.data.data as NodeError] : []
  );
}

function failing(policy: Record<string, unknown>, failOn: string[], extra = {}) {
  const p = probe();
  const clock = new FakeClock();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: [
      { id: "f", node_type: "Fail", params: { fail_on: failOn, ...extra }, ...policy },
      { id: "t", node_type: "Tag" },
    ],
    connections: [{ from: "f", to: "t" }],
  }, { registry: testRegistry(p), clock });
  return { p, pipe, clock };
}

Deno.test("NodeError carries node id, operation, cause and retryability", () => {
  const cause = new RangeError("rate 0");
  const e = new NodeError("rs", "process", cause, { nodeType: "AudioResample", attempts: 4 });
  assert.equal(e.nodeId, "rs");
  assert.equal(e.operation, "process");
  assert.equal(e.cause, cause);
  assert.equal(e.retryable, false);
  assert.equal(e.attempts, 4);
  assert.equal(e.message, 'Node "rs" (AudioResample) failed to process after 4 attempts: rate 0');
  assert.equal(new NodeError("x", "flush", new RetryableError("busy")).retryable, true);
});

Deno.test("isRetryable classifies transient errors only", () => {
  assert.equal(isRetryable(new RetryableError("busy")), true);
  assert.equal(isRetryable(Object.assign(new Error("x"), { retryable: true })), true);
  assert.equal(isRetryable(new NativeError(-11, "rm_x", "busy")), true);
  assert.equal(isRetryable(new NativeError(-12, "rm_x", "timeout")), true);
  assert.equal(isRetryable(new NativeError(-2, "rm_x", "bad arg")), false);
  assert.equal(isRetryable(new Deno.errors.TimedOut("t")), true);
  assert.equal(isRetryable(new TypeError("shape")), false);
  assert.equal(isRetryable("oops"), false);
});

Deno.test("Pipeline on_error emit (default) outputs a tagged error event and continues", async () => {
  const { pipe, p } = failing({}, ["t1"]);
  const out = await pipe.run(texts(3));
  assert.deepEqual(tags(out), ["t:t0>f>t", "f:event", "t:t2>f>t"]);
  const [err] = errorsOf(out);
  assert.ok(err instanceof NodeError);
  assert.equal(err.nodeId, "f");
  assert.equal(err.nodeType, "Fail");
  assert.equal(err.operation, "process");
  assert.equal((err.cause as Error).message, "boom on t1");
  assert.equal(err.message, 'Node "f" (Fail) failed to process: boom on t1');
  assert.deepEqual(p.processed.filter((s) => s.startsWith("t(")), ["t(t0>f)", "t(t2>f)"]);
  const m = pipe.metrics().node_metrics[0]!;
  assert.equal(m.execution_count, 3);
  assert.equal(m.error_count, 1);
  assert.equal(m.success_rate, 2 / 3);
});

Deno.test("Pipeline on_error skip drops the item silently", async () => {
  const { pipe } = failing({ on_error: "skip" }, ["t1"]);
  assert.deepEqual(tags(await pipe.run(texts(3))), ["t:t0>f>t", "t:t2>f>t"]);
  assert.equal(pipe.metrics().node_metrics[0]!.error_count, 1);
});

Deno.test("Pipeline on_error fail throws the NodeError and closes every node", async () => {
  const { pipe, p } = failing({ on_error: "fail" }, ["t1"]);
  const seen: string[] = [];
  await assert.rejects(
    async () => {
      for await (const o of pipe.stream(texts(5))) seen.push(textOf(o.data));
    },
    (e: unknown) => e instanceof NodeError && e.nodeId === "f" && e.operation === "process",
  );
  assert.deepEqual(seen, ["t0>f>t"]);
  assert.deepEqual(p.closed.sort(), ["f", "t"]);
  assert.deepEqual(p.flushed, []);
});

Deno.test("Pipeline config.on_error sets the default; a node setting wins", async () => {
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: [
      { id: "a", node_type: "Fail", params: { fail_on: ["t0"] } },
      { id: "b", node_type: "Fail", params: { fail_on: ["t0"] }, on_error: "emit" },
    ],
    config: { on_error: "skip" },
  }, { registry: testRegistry(p) });
  assert.deepEqual(tags(await pipe.run(texts(2))), ["b:event", "a:t1>a", "b:t1>b"]);
});

Deno.test("Pipeline an error in one stream does not affect another", async () => {
  const { pipe } = failing({ on_error: "fail" }, ["bad"]);
  const good = pipe.stream(texts(4));
  const bad = pipe.stream([text("x"), text("bad"), text("y")]);
  const got: string[] = [];
  assert.equal((await good.next()).done, false);
  await assert.rejects(async () => {
    for await (const _ of bad) { /* runs into the error */ }
  }, NodeError);
  for await (const o of good) got.push(textOf(o.data));
  assert.deepEqual(got, ["t1>f>t", "t2>f>t", "t3>f>t"]);
});

Deno.test("Pipeline flush and factory errors name their operation", async () => {
  const registry = testRegistry(probe())
    .register("BadFlush", z.object({}), () => ({
      process: (d) => d,
      flush() {
        throw new Error("cannot drain");
      },
    }))
    .register("BadMake", z.object({}), () => {
      throw new Error("no device");
    });
  const out = await new PipelineBuilder().add("bf", "BadFlush").build({ registry }).run(text("x"));
  const [e] = errorsOf(out);
  assert.equal(e!.operation, "flush");
  assert.equal(e!.message, 'Node "bf" (BadFlush) failed to flush: cannot drain');
  const p = probe();
  const r2 = testRegistry(p).register("BadMake", z.object({}), () => {
    throw new Error("no device");
  });
  const pipe = new PipelineBuilder().add("a", "Tag").add("m", "BadMake").connect("a", "m").build({
    registry: r2,
  });
  await assert.rejects(() => pipe.run(text("x")), {
    name: "NodeError",
    message: 'Node "m" (BadMake) failed to create: no device',
  });
  assert.deepEqual(p.closed, ["a"]); // the node made before the failure is closed
});

Deno.test("Pipeline rejects a node output that is not RuntimeData", async () => {
  const registry = testRegistry(probe()).register("Bad", z.object({}), () => ({
    process: () => ({ hello: 1 }) as never,
  }));
  const out = await new PipelineBuilder().add("b", "Bad").build({ registry }).run(text("x"));
  assert.equal(
    errorsOf(out)[0]!.message,
    'Node "b" (Bad) failed to process: the node returned an object without a known type; ' +
      "expected RuntimeData",
  );
});

Deno.test("backoffDelay is exponential and capped", () => {
  const p = { max_retries: 5, initial_backoff_ms: 100, multiplier: 2, max_backoff_ms: 30_000 };
  assert.deepEqual([0, 1, 2, 3].map((r) => backoffDelay(r, p)), [100, 200, 400, 800]);
  const q = { max_retries: 5, initial_backoff_ms: 10, multiplier: 3, max_backoff_ms: 50 };
  assert.deepEqual([0, 1, 2, 3].map((r) => backoffDelay(r, q)), [10, 30, 50, 50]);
});

Deno.test("Pipeline retries a retryable error after 100, 200, 400 ms (fake clock)", async () => {
  const clock = new FakeClock();
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: [{ id: "f", node_type: "Fail", params: { fail_on: ["t0"], retryable: true, times: 3 } }],
  }, { registry: testRegistry(p), clock });
  const run = pipe.run(text("t0"));
  let finished = false;
  run.then(() => (finished = true), () => (finished = true));
  for (const [i, delay] of [100, 200, 400].entries()) {
    await clock.untilSleeping();
    assert.equal(clock.requested[i], delay);
    assert.equal(p.processed.length, i + 1);
    await clock.advance(delay - 1);
    assert.equal(p.processed.length, i + 1, "retried before its delay");
    assert.equal(finished, false);
    await clock.advance(1);
  }
  const out = await run;
  assert.deepEqual(tags(out), ["f:t0>f"]);
  assert.deepEqual(clock.requested, [100, 200, 400]);
  assert.equal(p.processed.length, 4);
  const m = pipe.metrics().node_metrics[0]!;
  assert.deepEqual([m.execution_count, m.success_count, m.error_count], [4, 1, 3]);
});

Deno.test("Pipeline gives up after max_retries with the attempt count", async () => {
  const clock = new FakeClock();
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: [{
      id: "f",
      node_type: "Fail",
      params: { fail_on: ["t0"], retryable: true },
      retry: { max_retries: 2, initial_backoff_ms: 10, multiplier: 3 },
    }],
  }, { registry: testRegistry(p), clock });
  const run = pipe.run(text("t0"));
  for (const d of [10, 30]) {
    await clock.untilSleeping();
    await clock.advance(d);
  }
  const [e] = errorsOf(await run);
  assert.equal(e!.attempts, 3);
  assert.equal(e!.retryable, true);
  assert.equal(e!.message, 'Node "f" (Fail) failed to process after 3 attempts: boom on t0');
  assert.deepEqual(clock.requested, [10, 30]);
});

Deno.test("Pipeline does not retry a non-retryable error", async () => {
  const { pipe, clock, p } = failing({}, ["t0"]);
  const out = await pipe.run(text("t0"));
  assert.equal(errorsOf(out)[0]!.attempts, 1);
  assert.deepEqual(clock.requested, []);
  assert.deepEqual(p.processed, ["f(t0)"]);
});

Deno.test("Pipeline stopping during a backoff wait ends the wait", async () => {
  const clock = new FakeClock();
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: [{ id: "f", node_type: "Fail", params: { fail_on: ["t0"], retryable: true } }],
  }, { registry: testRegistry(p), clock });
  const it = pipe.stream(texts(3));
  const next = it.next();
  await clock.untilSleeping();
  await pipe.close();
  await assert.rejects(() => next, { message: "Cannot continue the run: the pipeline was closed" });
  assert.equal(clock.pending, 0);
  assert.deepEqual(p.closed, ["f"]);
});

Deno.test("CircuitBreaker opens after N consecutive failures and half-opens after the delay", () => {
  const clock = new FakeClock();
  const b = new CircuitBreaker({ failure_threshold: 3, reset_timeout_ms: 1000 }, clock);
  assert.equal(b.state, "closed");
  b.onFailure();
  b.onFailure();
  b.onSuccess(); // resets the count
  b.onFailure();
  b.onFailure();
  assert.equal(b.state, "closed");
  assert.equal(b.allow(), true);
  b.onFailure();
  assert.equal(b.state, "open");
  assert.equal(b.allow(), false);
  assert.equal(b.retryInMs, 1000);
  clock.t = 999;
  assert.equal(b.allow(), false);
  clock.t = 1000;
  assert.equal(b.state, "half-open");
  assert.equal(b.allow(), true); // the one trial call
  assert.equal(b.allow(), false); // no second call while the trial runs
  b.onFailure(); // trial failed: open again for another 1000 ms
  assert.equal(b.state, "open");
  clock.t = 1999;
  assert.equal(b.allow(), false);
  clock.t = 2000;
  assert.equal(b.allow(), true);
  b.onSuccess(); // trial succeeded: closed
  assert.equal(b.state, "closed");
  assert.equal(b.consecutiveFailures, 0);
});

Deno.test("CircuitBreaker with threshold 0 never opens", () => {
  const b = new CircuitBreaker({ failure_threshold: 0, reset_timeout_ms: 10 }, new FakeClock());
  for (let i = 0; i < 100; i++) b.onFailure();
  assert.equal(b.allow(), true);
  assert.equal(b.state, "closed");
});

Deno.test("Pipeline circuit breaker refuses calls while open, then tries again", async () => {
  const clock = new FakeClock();
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: [{
      id: "f",
      node_type: "Fail",
      params: { fail_on: ["t0", "t1", "t2", "t3", "t4"] },
      circuit_breaker: { failure_threshold: 3, reset_timeout_ms: 1000 },
    }],
  }, { registry: testRegistry(p), clock });
  const gate = deferred();
  async function* input() {
    yield* texts(5); // t0..t2 fail and open the breaker; t3, t4 are refused
    await gate.promise;
    yield text("t5"); // after the reset timeout: the trial call, succeeds
    yield text("t6");
  }
  const out: PipelineOutput[] = [];
  const run = (async () => {
    for await (const o of pipe.stream(input())) out.push(o);
  })();
  await settle(10);
  assert.deepEqual(p.processed, ["f(t0)", "f(t1)", "f(t2)"]);
  const refused = errorsOf(out).slice(3);
  assert.equal(refused.length, 2);
  for (const e of refused) {
    assert.ok(e.cause instanceof CircuitOpenError);
    assert.equal(
      e.message,
      'Node "f" (Fail) failed to process: Cannot call the node: circuit breaker is open after 3 ' +
        "consecutive failures (half-opens in 1000 ms)",
    );
  }
  clock.t = 1000;
  gate.resolve();
  await run;
  assert.deepEqual(p.processed, ["f(t0)", "f(t1)", "f(t2)", "f(t5)", "f(t6)"]);
  assert.deepEqual(tags(out).slice(5), ["f:t5>f", "f:t6>f"]);
  assert.equal(pipe.metrics().node_metrics[0]!.error_count, 5);
});
