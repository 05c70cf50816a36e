import assert from "node:assert/strict";
import { z } from "zod";
import { type ManifestV1, Pipeline, PipelineBuilder, text } from "../mod.ts";
import {
  type Deferred,
  deferred,
  probe,
  tags,
  testRegistry,
  textOf,
  texts,
} from "./_pipeline_util.ts";

function tagNodes(...ids: string[]) {
  return ids.map((id) => ({ id, node_type: "Tag" }));
}

Deno.test("Pipeline runs a chain in order and flushes and closes every node", async () => {
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: tagNodes("a", "b", "c"),
    connections: [{ from: "a", to: "b" }, { from: "b", to: "c" }],
  }, { registry: testRegistry(p) });
  const out = await pipe.run(texts(2));
  assert.deepEqual(tags(out), ["c:t0>a>b>c", "c:t1>a>b>c"]);
  assert.deepEqual(p.flushed, ["a", "b", "c"]);
  assert.deepEqual(p.closed, ["c", "b", "a"]);
});

Deno.test("Pipeline fan-out delivers each output to every child in connection order", async () => {
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: tagNodes("a", "b", "c"),
    connections: [{ from: "a", to: "c" }, { from: "a", to: "b" }],
  }, { registry: testRegistry(p) });
  const out = await pipe.run(texts(2));
  assert.deepEqual(tags(out), ["c:t0>a>c", "b:t0>a>b", "c:t1>a>c", "b:t1>a>b"]);
});

Deno.test("Pipeline fan-in delivers items from several parents in arrival order", async () => {
  const p = probe();
  // Two sources (both get every input) feed one sink.
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: tagNodes("x", "y", "sink"),
    connections: [{ from: "x", to: "sink" }, { from: "y", to: "sink" }],
  }, { registry: testRegistry(p) });
  const out = await pipe.run(texts(2));
  assert.deepEqual(tags(out), [
    "sink:t0>x>sink",
    "sink:t0>y>sink",
    "sink:t1>x>sink",
    "sink:t1>y>sink",
  ]);
});

Deno.test("Pipeline diamond: the join is flushed once, after both branches", async () => {
  const p = probe();
  const registry = testRegistry(p);
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: [
      { id: "a", node_type: "Tag", params: { flush_text: "end-a" } },
      { id: "b", node_type: "Tag", params: { flush_text: "end-b" } },
      { id: "c", node_type: "Tag" },
      { id: "d", node_type: "Tag", params: { flush_text: "end-d" } },
    ],
    connections: [
      { from: "a", to: "b" },
      { from: "a", to: "c" },
      { from: "b", to: "d" },
      { from: "c", to: "d" },
    ],
  }, { registry });
  const out = await pipe.run([text("t0")]);
  assert.deepEqual(tags(out), [
    "d:t0>a>b>d",
    "d:t0>a>c>d",
    "d:end-a>b>d", // a's flush output goes through both branches
    "d:end-a>c>d",
    "d:end-b>d",
    "d:end-d",
  ]);
  assert.deepEqual(p.flushed, ["a", "b", "c", "d"]);
});

Deno.test("Pipeline outputs: sinks by default, config.outputs when given", async () => {
  const p = probe();
  const manifest: ManifestV1 = {
    version: "v1",
    nodes: tagNodes("a", "b", "lone"),
    connections: [{ from: "a", to: "b" }],
  };
  const registry = testRegistry(p);
  assert.deepEqual(tags(await Pipeline.fromManifest(manifest, { registry }).run(text("t"))), [
    "b:t>a>b",
    "lone:t>lone",
  ]);
  manifest.config = { outputs: ["a", "b"] };
  assert.deepEqual(tags(await Pipeline.fromManifest(manifest, { registry }).run(text("t"))), [
    "a:t>a",
    "b:t>a>b",
  ]);
});

Deno.test("Pipeline order follows the topology, not the manifest order", async () => {
  const p = probe();
  const pipe = Pipeline.fromManifest({
    version: "v1",
    nodes: tagNodes("last", "mid", "first"),
    connections: [{ from: "first", to: "mid" }, { from: "mid", to: "last" }],
  }, { registry: testRegistry(p) });
  assert.deepEqual(pipe.nodeIds, ["first", "mid", "last"]);
  assert.deepEqual(tags(await pipe.run(text("t"))), ["last:t>first>mid>last"]);
});

Deno.test("Pipeline nodes may return several items, or none", async () => {
  const p = probe();
  const registry = testRegistry(p).register(
    "Split",
    z.object({}),
    () => ({
      process: (d) =>
        textOf(d) === "drop" ? null : [text(`${textOf(d)}.1`), text(`${textOf(d)}.2`)],
    }),
  );
  const pipe = new PipelineBuilder().add("s", "Split").add("t", "Tag").connect("s", "t").build({
    registry,
  });
  assert.deepEqual(tags(await pipe.run([text("x"), text("drop"), text("y")])), [
    "t:x.1>t",
    "t:x.2>t",
    "t:y.1>t",
    "t:y.2>t",
  ]);
});

Deno.test("Pipeline independent async branches overlap", async () => {
  // Each branch's node waits until the other branch has started the same item: a scheduler
  // that awaited one branch before starting the other would never finish.
  const started = { left: deferred(), right: deferred() };
  const registry = testRegistry(probe()).register(
    "WaitFor",
    z.object({ me: z.enum(["left", "right"]) }),
    ({ me }) => ({
      async process(d) {
        started[me].resolve();
        await started[me === "left" ? "right" : "left"].promise;
        return text(`${textOf(d)}>${me}`);
      },
    }),
  );
  const pipe = new PipelineBuilder()
    .add("src", "PassThrough")
    .add("left", "WaitFor", { me: "left" })
    .add("right", "WaitFor", { me: "right" })
    .connect("src", ["left", "right"])
    .build({ registry });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("branches did not overlap")), 5000);
  });
  try {
    const out = await Promise.race([pipe.run(text("t")), timeout]);
    assert.deepEqual(tags(out).sort(), ["left:t>left", "right:t>right"]);
  } finally {
    clearTimeout(timer);
  }
});

Deno.test("Pipeline async node keeps item order and the sync branch runs ahead", async () => {
  const gates: Deferred<void>[] = [];
  const registry = testRegistry(probe()).register("Slow", z.object({}), () => ({
    async process(d) {
      const g = deferred();
      gates.push(g);
      await g.promise;
      return text(`${textOf(d)}>slow`);
    },
  }));
  const pipe = new PipelineBuilder()
    .add("src", "PassThrough")
    .add("slow", "Slow")
    .add("fast", "Tag")
    .connect("src", ["slow", "fast"])
    .build({ registry });
  const seen: string[] = [];
  const run = (async () => {
    for await (const o of pipe.stream(texts(3))) seen.push(`${o.node}:${textOf(o.data)}`);
  })();
  while (gates.length === 0) await new Promise((r) => setTimeout(r, 0));
  // The slow node holds t0; the fast branch has seen all three inputs meanwhile.
  while (seen.length < 3) await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(seen, ["fast:t0>fast", "fast:t1>fast", "fast:t2>fast"]);
  for (let i = 0; i < 3; i++) {
    while (gates.length <= i) await new Promise((r) => setTimeout(r, 0));
    gates[i]!.resolve();
  }
  await run;
  assert.deepEqual(seen.slice(3), ["slow:t0>slow", "slow:t1>slow", "slow:t2>slow"]);
});

Deno.test("Pipeline items reach a node one at a time (no concurrent calls per node)", async () => {
  let active = 0;
  let maxActive = 0;
  const registry = testRegistry(probe()).register("Busy", z.object({}), () => ({
    async process(d) {
      maxActive = Math.max(maxActive, ++active);
      await new Promise((r) => setTimeout(r, 1));
      active--;
      return d;
    },
  }));
  const pipe = new PipelineBuilder().add("b", "Busy").build({ registry });
  const out = await pipe.run(texts(10));
  assert.equal(out.length, 10);
  assert.equal(maxActive, 1);
  assert.deepEqual(out.map((o) => textOf(o.data)), texts(10).map(textOf));
});

Deno.test("Pipeline.run accepts one item, an array, a generator and an async iterable", async () => {
  const pipe = new PipelineBuilder().add("p", "PassThrough").build();
  assert.equal((await pipe.run(text("one"))).length, 1);
  assert.equal((await pipe.run(texts(3))).length, 3);
  assert.equal((await pipe.run(texts(4).values())).length, 4);
  assert.equal((await pipe.run(ReadableStream.from(texts(5)))).length, 5);
  await assert.rejects(() => pipe.run([{ kind: "nope" } as never]), {
    name: "TypeError",
    message:
      "Cannot run the pipeline: input item 0 is not RuntimeData (use audio(), tensor(), text(), " +
      "json(), event() or binary())",
  });
  await assert.rejects(() => pipe.run(42 as never), { name: "TypeError" });
});
