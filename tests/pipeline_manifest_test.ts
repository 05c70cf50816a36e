import assert from "node:assert/strict";
import { z } from "zod";
import {
  createRegistry,
  defaultRegistry,
  ManifestError,
  type ManifestIssue,
  manifestJsonSchema,
  type ManifestV1,
  NodeRegistry,
  Pipeline,
  PipelineBuilder,
} from "../mod.ts";

/** The issues of the ManifestError that `manifest` raises. */
function issuesOf(manifest: unknown, registry = defaultRegistry): ManifestIssue[] {
  try {
    Pipeline.fromManifest(manifest as ManifestV1, { registry });
  } catch (e) {
    assert.ok(e instanceof ManifestError, `expected ManifestError, got ${e}`);
    return [...e.issues];
  }
  assert.fail("the manifest was accepted");
}

function lines(manifest: unknown, registry = defaultRegistry): string[] {
  return issuesOf(manifest, registry).map((i) => `${i.path}: ${i.message}`);
}

const ok: ManifestV1 = {
  version: "v1",
  metadata: { name: "front" },
  nodes: [
    { id: "gain", node_type: "Gain", params: { gain: 0.5 } },
    { id: "frames", node_type: "Chunker", params: { frame_size: 160 } },
  ],
  connections: [{ from: "gain", to: "frames" }],
  config: { enable_metrics: true },
};

Deno.test("Pipeline.fromManifest accepts a valid manifest object and JSON text", () => {
  const a = Pipeline.fromManifest(ok);
  const b = Pipeline.fromManifest(JSON.stringify(ok));
  assert.equal(a.name, "front");
  assert.deepEqual(a.nodeIds, ["gain", "frames"]);
  assert.deepEqual(b.manifest, ok);
});

Deno.test("ManifestError names the path and rule for a bad node param", () => {
  const m = structuredClone(ok);
  m.nodes.push({ id: "c", node_type: "Chunker", params: { frame_size: -5 } });
  assert.deepEqual(lines(m), ["nodes[2].params.frame_size: expected a positive integer, got -5"]);
});

Deno.test("ManifestError message lists every issue", () => {
  const m = {
    version: "v1",
    nodes: [
      { id: "a", node_type: "Chunker", params: { frame_size: 1.5 } },
      { id: "b", node_type: "Gain", params: { gain: "loud" } },
    ],
  };
  try {
    Pipeline.fromManifest(m as ManifestV1);
    assert.fail("accepted");
  } catch (e) {
    assert.ok(e instanceof ManifestError);
    assert.equal(
      e.message,
      "Invalid pipeline manifest (2 problems):\n" +
        "  nodes[0].params.frame_size: expected a positive integer, got 1.5\n" +
        '  nodes[1].params.gain: expected a number, got the string "loud"',
    );
  }
});

Deno.test("ManifestError for a wrong version and no nodes", () => {
  assert.deepEqual(lines({ version: "v2", nodes: [] }), [
    'version: expected "v1", got the string "v2"',
    "nodes: expected at least 1 item, got 0 items",
  ]);
});

Deno.test("ManifestError for a document that is not an object or not JSON", () => {
  assert.deepEqual(lines(42), ["(root): expected an object, got 42"]);
  const l = lines("{ nodes: ");
  assert.equal(l.length, 1);
  assert.match(l[0]!, /^\(root\): invalid JSON: /);
});

Deno.test("ManifestError for missing fields and unknown keys", () => {
  assert.deepEqual(
    lines({ version: "v1", nodes: [{ id: "a", nodetype: "Gain" }], extra: 1 }),
    [
      "nodes[0].node_type: expected a string, got nothing",
      "nodes[0].nodetype: unknown key",
      "extra: unknown key",
    ],
  );
});

Deno.test("ManifestError for an unknown node type lists the known types", () => {
  assert.deepEqual(lines({ version: "v1", nodes: [{ id: "a", node_type: "Resampler" }] }), [
    'nodes[0].node_type: unknown node type "Resampler"; known types: ' +
    defaultRegistry.types().join(", "),
  ]);
});

Deno.test("ManifestError for duplicate ids", () => {
  assert.deepEqual(
    lines({
      version: "v1",
      nodes: [
        { id: "a", node_type: "PassThrough" },
        { id: "b", node_type: "PassThrough" },
        { id: "a", node_type: "Downmix" },
      ],
    }),
    ['nodes[2].id: duplicate node id "a" (first used by nodes[0])'],
  );
});

Deno.test("ManifestError for a bad id", () => {
  assert.deepEqual(lines({ version: "v1", nodes: [{ id: "9 lives", node_type: "PassThrough" }] }), [
    "nodes[0].id: expected an id of letters, digits, _, - or . starting with a letter or _, " +
    'got the string "9 lives"',
  ]);
});

Deno.test("ManifestError for connections to unknown ids (dangling edges)", () => {
  assert.deepEqual(
    lines({
      version: "v1",
      nodes: [{ id: "a", node_type: "PassThrough" }, { id: "b", node_type: "PassThrough" }],
      connections: [{ from: "a", to: "c" }, { from: "x", to: "b" }],
    }),
    [
      'connections[0].to: unknown node id "c"; known ids: a, b',
      'connections[1].from: unknown node id "x"; known ids: a, b',
    ],
  );
});

Deno.test("ManifestError for a duplicate connection", () => {
  assert.deepEqual(
    lines({
      version: "v1",
      nodes: [{ id: "a", node_type: "PassThrough" }, { id: "b", node_type: "PassThrough" }],
      connections: [{ from: "a", to: "b" }, { from: "a", to: "b" }],
    }),
    ['connections[1]: duplicate connection "a" -> "b" (same as connections[0])'],
  );
});

Deno.test("ManifestError names the nodes on a cycle", () => {
  const nodes = ["src", "a", "b", "c", "sink"].map((id) => ({ id, node_type: "PassThrough" }));
  assert.deepEqual(
    lines({
      version: "v1",
      nodes,
      connections: [
        { from: "src", to: "a" },
        { from: "a", to: "b" },
        { from: "b", to: "c" },
        { from: "c", to: "a" },
        { from: "c", to: "sink" },
      ],
    }),
    ['connections: cycle "a" -> "b" -> "c" -> "a"; a pipeline must be acyclic'],
  );
});

Deno.test("ManifestError names a self-loop and two separate cycles", () => {
  const nodes = ["a", "b", "c", "d"].map((id) => ({ id, node_type: "PassThrough" }));
  assert.deepEqual(
    lines({
      version: "v1",
      nodes,
      connections: [
        { from: "a", to: "a" },
        { from: "b", to: "c" },
        { from: "c", to: "d" },
        { from: "d", to: "c" },
      ],
    }),
    [
      'connections: cycle "a" -> "a"; a pipeline must be acyclic',
      'connections: cycle "c" -> "d" -> "c"; a pipeline must be acyclic',
    ],
  );
});

Deno.test("ManifestError for config values and unknown output ids", () => {
  assert.deepEqual(
    lines({
      version: "v1",
      nodes: [{ id: "a", node_type: "PassThrough", runtime_hint: "gpu" }],
      config: {
        max_queue: 0,
        on_error: "ignore",
        retry: { max_retries: 1.5, initial_backoff_ms: -1 },
        circuit_breaker: { failure_threshold: -2 },
        deadline_us: 0,
        outputs: ["zz"],
      },
    }),
    [
      'nodes[0].runtime_hint: expected one of "auto", "native", "ts", got the string "gpu"',
      "config.max_queue: expected a positive integer, got 0",
      'config.on_error: expected one of "fail", "skip", "emit", got the string "ignore"',
      "config.retry.max_retries: expected a non-negative integer, got 1.5",
      "config.retry.initial_backoff_ms: expected a non-negative number, got -1",
      "config.circuit_breaker.failure_threshold: expected a non-negative integer, got -2",
      "config.deadline_us: expected a positive number, got 0",
    ],
  );
  assert.deepEqual(
    lines({
      version: "v1",
      nodes: [{ id: "a", node_type: "PassThrough" }],
      config: { outputs: ["zz"] },
    }),
    ['config.outputs[0]: unknown node id "zz"; known ids: a'],
  );
});

Deno.test("ManifestError for built-in node param rules", () => {
  assert.deepEqual(
    lines({
      version: "v1",
      nodes: [
        { id: "a", node_type: "Gain", params: { gain: 2, gain_db: 6 } },
        { id: "b", node_type: "Chunker", params: {} },
        { id: "c", node_type: "FormatConvert", params: { to: "float32" } },
        {
          id: "d",
          node_type: "FormatConvert",
          params: { to: "float32", sample_rate: 8000, channels: 0 },
        },
        { id: "e", node_type: "PassThrough", params: { x: 1 } },
      ],
    }),
    [
      "nodes[0].params.gain_db: expected gain or gain_db, not both",
      "nodes[1].params.frame_size: expected frame_size or frame_ms, got neither",
      'nodes[2].params.sample_rate: expected a positive integer (required when to is "float32"), ' +
      "got nothing",
      "nodes[3].params.channels: expected an integer in 1..64, got 0",
      "nodes[4].params.x: unknown key",
    ],
  );
});

Deno.test("ManifestError reports user schema issues with the generic messages", () => {
  const registry = createRegistry().register(
    "Model",
    z.object({
      path: z.string().min(3),
      layers: z.array(z.number()).max(2),
      mode: z.literal("fast"),
      step: z.number().multipleOf(4),
    }).strict(),
    () => ({ process: (d) => d }),
  );
  assert.deepEqual(
    lines(
      {
        version: "v1",
        nodes: [{
          id: "m",
          node_type: "Model",
          params: { path: "x", layers: [1, 2, 3], mode: "slow", step: 6 },
        }],
      },
      registry,
    ),
    [
      "nodes[0].params.path: expected at least 3 characters, got 1 character",
      "nodes[0].params.layers: expected at most 2 items, got 3 items",
      'nodes[0].params.mode: expected "fast", got the string "slow"',
      "nodes[0].params.step: expected a multiple of 4, got 6",
    ],
  );
});

Deno.test("PipelineBuilder produces the identical manifest", () => {
  const hand: ManifestV1 = {
    version: "v1",
    metadata: { name: "voice-frontend" },
    nodes: [
      { id: "in", node_type: "FormatConvert", params: { to: "float32", sample_rate: 48000 } },
      { id: "mono", node_type: "Downmix" },
      {
        id: "gain",
        node_type: "Gain",
        params: { gain_db: -6 },
        runtime_hint: "ts",
        on_error: "skip",
      },
      { id: "frames", node_type: "Chunker", params: { frame_ms: 20 } },
    ],
    connections: [
      { from: "in", to: "mono" },
      { from: "mono", to: "gain" },
      { from: "mono", to: "frames" },
    ],
    config: { enable_metrics: true, max_queue: 8, retry: { max_retries: 2 } },
  };
  const b = new PipelineBuilder("voice-frontend")
    .add("in", "FormatConvert", { to: "float32", sample_rate: 48000 })
    .add("mono", "Downmix")
    .add("gain", "Gain", { gain_db: -6 }, { runtime_hint: "ts", on_error: "skip" })
    .add("frames", "Chunker", { frame_ms: 20 })
    .connect("in", "mono")
    .connect("mono", ["gain", "frames"])
    .config({ enable_metrics: true, max_queue: 8 })
    .config({ retry: { max_retries: 2 } });
  assert.deepEqual(b.toManifest(), hand);
  assert.equal(JSON.stringify(b.toManifest()), JSON.stringify(hand));
  assert.deepEqual(b.build().manifest, Pipeline.fromManifest(JSON.stringify(hand)).manifest);
});

Deno.test("PipelineBuilder.build validates like fromManifest", () => {
  assert.throws(
    () => new PipelineBuilder().add("a", "PassThrough").connect("a", "b").build(),
    (e: unknown) =>
      e instanceof ManifestError &&
      e.message ===
        'Invalid pipeline manifest: connections[0].to: unknown node id "b"; known ids: a',
  );
});

Deno.test("PipelineBuilder.toManifest returns an independent copy", () => {
  const params = { gain: 2 };
  const b = new PipelineBuilder().add("g", "Gain", params);
  params.gain = 3;
  const m = b.toManifest();
  m.nodes[0]!.params!.gain = 4;
  assert.deepEqual(b.toManifest().nodes[0]!.params, { gain: 2 });
});

Deno.test("NodeRegistry lists types with descriptions and params JSON Schema", () => {
  const list = defaultRegistry.list();
  const types = list.map((t) => t.type);
  assert.deepEqual(types, [...types].sort());
  for (const t of ["Chunker", "Downmix", "FormatConvert", "Gain", "PassThrough", "SileroVad"]) {
    assert.ok(types.includes(t), `${t} is listed`);
  }
  for (const t of list) assert.ok(t.description.length > 10, `${t.type} has a description`);
  const chunker = list.find((t) => t.type === "Chunker")!;
  const props = chunker.params.properties as Record<string, { type?: string; enum?: string[] }>;
  assert.equal(props.frame_size!.type, "integer");
  assert.deepEqual(props.remainder!.enum, ["pad", "short", "drop"]);
  assert.equal(chunker.params.additionalProperties, false);
});

Deno.test("NodeRegistry.register rejects bad and duplicate names", () => {
  const r = new NodeRegistry();
  const schema = z.object({});
  const factory = () => ({ process: () => null });
  assert.throws(
    () => r.register("my node", schema, factory),
    {
      name: "TypeError",
      message:
        'Cannot register node type "my node": names are letters, digits and _, starting with a letter',
    },
  );
  r.register("Mine", schema, factory);
  assert.throws(() => r.register("Mine", schema, factory), {
    message:
      'Cannot register node type "Mine": already registered (pass { replace: true } to override)',
  });
  r.register("Mine", schema, factory, { replace: true, description: "v2" });
  assert.equal(r.list()[0]!.description, "v2");
  assert.equal(r.clone().has("Mine"), true);
  assert.equal(r.unregister("Mine"), true);
  assert.equal(r.has("Mine"), false);
});

Deno.test("Pipeline.fromManifest resolves types against the given registry only", () => {
  const r = new NodeRegistry();
  assert.deepEqual(lines({ version: "v1", nodes: [{ id: "a", node_type: "Gain" }] }, r), [
    'nodes[0].node_type: unknown node type "Gain"; the registry has no node types',
  ]);
});

Deno.test("manifestJsonSchema describes the manifest", () => {
  const s = manifestJsonSchema();
  const props = s.properties as Record<string, unknown>;
  assert.deepEqual(Object.keys(props).sort(), [
    "config",
    "connections",
    "metadata",
    "nodes",
    "version",
  ]);
  assert.deepEqual(s.required, ["version", "nodes"]);
});
