import assert from "node:assert/strict";
import { z } from "zod";
import {
  audio,
  createRegistry,
  NativePool,
  Pipeline,
  PipelineBuilder,
  type PipelineOutput,
  type RuntimeData,
  text,
} from "../mod.ts";
import { type Deferred, deferred, probe, settle, testRegistry, textOf } from "./_pipeline_util.ts";

/** An endless source that counts the items it produced and whether it was closed. */
function counter() {
  const state = { produced: 0, finalized: false };
  async function* gen(): AsyncGenerator<RuntimeData> {
    try {
      for (let i = 0;; i++) {
        state.produced++;
        yield text(`t${i}`);
      }
    } finally {
      state.finalized = true;
    }
  }
  return { state, source: gen() };
}

Deno.test("Pipeline.stream with a slow consumer pulls input only as output is taken", async () => {
  const pipe = new PipelineBuilder()
    .add("a", "PassThrough")
    .add("b", "PassThrough")
    .connect("a", "b")
    .build();
  const { state, source } = counter();
  let consumed = 0;
  let maxInFlight = 0;
  for await (const _ of pipe.stream(source)) {
    consumed++;
    maxInFlight = Math.max(maxInFlight, state.produced - consumed);
    await new Promise((r) => setTimeout(r, 1)); // slow consumer
    if (consumed === 50) break;
  }
  assert.ok(maxInFlight <= 1, `items in flight reached ${maxInFlight}`);
  assert.ok(state.produced <= 51, `produced ${state.produced} for 50 consumed`);
  assert.equal(state.finalized, true);
});

Deno.test("Pipeline.stream bounds queued items at max_queue behind a busy async node", async () => {
  const gates: Deferred<void>[] = [];
  const registry = createRegistry().register("Gate", z.object({}), () => ({
    async process(d) {
      const g = deferred();
      gates.push(g);
      await g.promise;
      return d;
    },
  }));
  const pipe = new PipelineBuilder().add("g", "Gate").config({ max_queue: 4 }).build({ registry });
  const { state, source } = counter();
  const it = pipe.stream(source);
  const first = it.next(); // the consumer asks for one output
  await settle(20);
  // One item is in the node, max_queue wait in its queue; nothing more is pulled.
  assert.equal(gates.length, 1);
  assert.equal(state.produced, 1 + 4);
  gates[0]!.resolve();
  const r = await first;
  assert.equal(textOf((r.value as PipelineOutput).data), "t0");
  await settle(20);
  assert.ok(state.produced <= 1 + 4 + 2, `produced ${state.produced}`);
  // Release everything still pending, then stop.
  const done = it.return(undefined);
  for (const g of gates) g.resolve();
  await done;
  assert.equal(state.finalized, true);
});

Deno.test("Pipeline.stream break closes every node and the input", async () => {
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: [{ id: "a", node_type: "Tag" }, { id: "b", node_type: "Tag" }],
    connections: [{ from: "a", to: "b" }],
  }, { registry: testRegistry(p) });
  const { state, source } = counter();
  let n = 0;
  for await (const _ of pipe.stream(source)) if (++n === 3) break;
  assert.deepEqual(p.closed.sort(), ["a", "b"]);
  assert.deepEqual(p.flushed, []); // stopped early: no flush
  assert.equal(state.finalized, true);
});

Deno.test("Pipeline.stream break releases native handles held by nodes", async () => {
  using pool = new NativePool();
  const registry = createRegistry().register("Hold", z.object({}), () => {
    const block = pool.acquire(4096); // a native buffer held for the node's lifetime
    return {
      process(d) {
        block.f32()[0] = 1;
        return d;
      },
      close() {
        block.release();
      },
    };
  });
  const pipe = new PipelineBuilder()
    .add("h1", "Hold")
    .add("h2", "Hold")
    .connect("h1", "h2")
    .build({ registry });
  const { source } = counter();
  let n = 0;
  for await (const _ of pipe.stream(source)) {
    assert.equal(pool.stats().blocksInUse, 2);
    if (++n === 5) break;
  }
  assert.equal(pool.stats().blocksInUse, 0);
});

Deno.test("Pipeline.stream break waits for an in-flight async call before closing", async () => {
  const order: string[] = [];
  const gate = deferred();
  const registry = createRegistry().register("Late", z.object({}), (_p, { id }) => ({
    async process(d) {
      if (textOf(d) === "t1") {
        order.push("call started");
        await gate.promise;
        order.push("call settled");
      }
      return d;
    },
    close() {
      order.push(`closed ${id}`);
    },
  }));
  const pipe = new PipelineBuilder().add("a", "PassThrough").add("l", "Late").add(
    "z",
    "PassThrough",
  )
    .connect("a", "l").config({ outputs: ["a", "l"] }).build({ registry });
  const { source } = counter();
  const it = pipe.stream(source);
  await it.next(); // a:t0
  await it.next(); // l:t0
  await it.next(); // a:t1 (l is now busy with t1)
  const stop = it.return(undefined);
  await settle(5);
  assert.deepEqual(order, ["call started"]);
  gate.resolve();
  await stop;
  assert.deepEqual(order, ["call started", "call settled", "closed l"]);
});

Deno.test("Pipeline.close stops open streams and refuses new runs", async () => {
  const p = probe();
  const pipe = Pipeline.fromManifest({ version: "v1", nodes: [{ id: "a", node_type: "Tag" }] }, {
    registry: testRegistry(p),
  });
  const { source } = counter();
  const it = pipe.stream(source);
  await it.next();
  await pipe.close();
  assert.deepEqual(p.closed, ["a"]);
  await assert.rejects(() => it.next(), {
    name: "TypeError",
    message: "Cannot continue the run: the pipeline was closed",
  });
  await assert.rejects(() => pipe.run(text("x")), {
    name: "TypeError",
    message: "Cannot run the pipeline: it is closed",
  });
  await pipe.close(); // idempotent
});

Deno.test("Pipeline await using closes on scope exit", async () => {
  const p = probe();
  {
    await using pipe = Pipeline.fromManifest({
      version: "v1",
      nodes: [{ id: "a", node_type: "Tag" }],
    }, {
      registry: testRegistry(p),
    });
    const it = pipe.stream(counter().source);
    await it.next();
  }
  assert.deepEqual(p.closed, ["a"]);
});

Deno.test("Pipeline concurrent streams have separate node state", async () => {
  const registry = createRegistry().register("Count", z.object({}), () => {
    let n = 0;
    return { process: () => text(String(++n)) };
  });
  const pipe = new PipelineBuilder().add("c", "Count").build({ registry });
  const a = pipe.stream([text("x"), text("x"), text("x")]);
  const b = pipe.stream([text("y"), text("y")]);
  const got: string[] = [];
  // Interleave the two streams.
  for (let i = 0; i < 3; i++) {
    const ra = await a.next();
    if (!ra.done) got.push(`a${textOf(ra.value.data)}`);
    const rb = await b.next();
    if (!rb.done) got.push(`b${textOf(rb.value.data)}`);
  }
  assert.deepEqual(got, ["a1", "b1", "a2", "b2", "a3"]);
  assert.deepEqual((await pipe.run(text("z"))).map((o) => textOf(o.data)), ["1"]);
});

Deno.test("Pipeline.toTransformStream pipes with backpressure and ends cleanly", async () => {
  const p = probe();
  const pipe = Pipeline.fromManifest({ version: "v1", nodes: [{ id: "a", node_type: "Tag" }] }, {
    registry: testRegistry(p),
  });
  let pulled = 0;
  const src = new ReadableStream<RuntimeData>({
    pull(c) {
      if (pulled === 200) return c.close();
      c.enqueue(text(`t${pulled++}`));
    },
  }, { highWaterMark: 0 });
  const out = src.pipeThrough(pipe.toTransformStream());
  const reader = out.getReader();
  const first = await reader.read();
  assert.equal(textOf(first.value!.data), "t0>a");
  await settle(10);
  assert.ok(pulled <= 5, `pulled ${pulled} items for one output`);
  let n = 1;
  while (!(await reader.read()).done) n++;
  assert.equal(n, 200);
  assert.deepEqual(p.flushed, ["a"]);
  assert.deepEqual(p.closed, ["a"]);
});

Deno.test("Pipeline.toTransformStream cancel closes every node", async () => {
  const p = probe();
  const pipe = Pipeline.fromManifest({ version: "v1", nodes: [{ id: "a", node_type: "Tag" }] }, {
    registry: testRegistry(p),
  });
  let cancelled = false;
  let i = 0;
  const src = new ReadableStream<RuntimeData>({
    pull(c) {
      c.enqueue(text(`t${i++}`));
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const reader = src.pipeThrough(pipe.toTransformStream()).getReader();
  await reader.read();
  await reader.read();
  await reader.cancel();
  await settle(10);
  assert.deepEqual(p.closed, ["a"]);
  assert.equal(cancelled, true);
});

Deno.test("Pipeline.stream passes audio views through PassThrough without copies", async () => {
  const pipe = new PipelineBuilder().add("a", "PassThrough").add("b", "PassThrough").connect(
    "a",
    "b",
  )
    .build();
  const frame = audio(new Float32Array(320), 16000);
  const [o] = await pipe.run(frame);
  assert.equal(o!.data, frame);
});

Deno.test("Pipeline.close during node creation closes the new nodes", async () => {
  const gate = deferred();
  const closed: string[] = [];
  const registry = createRegistry().register("SlowMake", z.object({}), async (_p, { id }) => {
    await gate.promise;
    return { process: (d) => d, close: () => void closed.push(id) };
  });
  const pipe = new PipelineBuilder().add("s", "SlowMake").build({ registry });
  const run = pipe.run(text("x"));
  await settle(2);
  const closing = pipe.close();
  gate.resolve();
  await closing;
  await assert.rejects(() => run, { message: "Cannot run the pipeline: it is closed" });
  assert.deepEqual(closed, ["s"]);
});
