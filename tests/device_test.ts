// Device layer: device list, queues with asynchronous completion, the ONNX backend's
// provider fallback and zero-copy bindings, and bad arguments to every device export.
import assert from "node:assert/strict";
import { rng } from "./_util.ts";
import { native } from "../src/ffi/loader.ts";
import { NativeError } from "../src/ffi/error.ts";
import { locateOrt, locateSilero } from "../src/device/_locate.ts";
import {
  listDevices,
  loadOnnxRuntime,
  onnxRuntimeInfo,
  PROVIDER_PRIORITY,
} from "../src/device/devices.ts";
import { DeviceQueue } from "../src/device/queue.ts";
import { OnnxModel, OnnxSession } from "../src/device/onnx.ts";

const lib = native();
const s = lib.symbols;
const enc = new TextEncoder();

const ortPath = locateOrt().path;
const modelPath = locateSilero().path;
const ready = ortPath !== undefined && modelPath !== undefined;
if (!ready) {
  console.warn(
    "device_test: SKIPPING the ONNX tests: ONNX Runtime or the Silero model is missing; " +
      "run `deno task setup-models`",
  );
}

function onnxTest(name: string, fn: () => Promise<void> | void): void {
  Deno.test({ name, ignore: !ready, fn });
}

Deno.test("listDevices lists the native cpu device first, without ONNX Runtime too", () => {
  const d = listDevices({ loadOnnxRuntime: false });
  assert.ok(d.length >= 1);
  assert.equal(d[0]!.index, 0);
  assert.equal(d[0]!.name, "cpu");
  assert.equal(d[0]!.kind, "cpu");
  assert.equal(d[0]!.backend, "cpu");
  assert.deepEqual(d[0]!.capabilities, ["empty", "gain", "dot"]);
  d.forEach((x, i) => {
    assert.equal(x.index, i);
    assert.ok(["cpu", "gpu", "npu"].includes(x.kind), x.kind);
  });
});

for (const completion of ["wait", "callback"] as const) {
  Deno.test(`DeviceQueue (${completion}) runs gain and dot jobs off the JS thread`, async () => {
    using q = new DeviceQueue(0, { completion });
    const r = rng(11);
    for (const n of [1, 7, 64, 1000]) {
      const a = Float32Array.from({ length: n }, () => r() * 2 - 1);
      const b = Float32Array.from({ length: n }, () => r() * 2 - 1);
      let naive = 0;
      for (let i = 0; i < n; i++) naive += a[i]! * b[i]!;
      const got = await q.dot(a, b);
      assert.ok(
        Math.abs(got - naive) <= 1e-5 * Math.max(1, Math.abs(naive)),
        `n=${n}: ${got} vs ${naive}`,
      );
      const g = a.slice();
      await q.gain(g, -1.5);
      for (let i = 0; i < n; i++) {
        if (g[i] !== Math.fround(a[i]! * -1.5)) {
          assert.fail(`n=${n} index ${i}: expected ${Math.fround(a[i]! * -1.5)}, actual ${g[i]}`);
        }
      }
    }
    assert.equal(q.pending, 0);
  });

  Deno.test(`DeviceQueue (${completion}) settles many concurrent jobs`, async () => {
    using q = new DeviceQueue(0, { completion, threads: 2 });
    const bufs = Array.from({ length: 50 }, (_, i) => new Float32Array(16).fill(i));
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) jobs.push(q.empty());
    bufs.forEach((b) => jobs.push(q.gain(b, 2)));
    assert.ok(q.pending > 0, "jobs are pending right after submission");
    await Promise.all(jobs);
    bufs.forEach((b, i) => assert.equal(b[15], 2 * i));
    const st = q.stats();
    assert.equal(st.submitted, 250);
    assert.equal(st.completed, 250);
    assert.equal(st.failed, 0);
    assert.ok(st.execMaxUs >= st.execMinUs);
    assert.ok(st.queueDepthMax >= 1);
  });
}

Deno.test("DeviceQueue rejects failed jobs with NativeError and bad input eagerly", async () => {
  using q = new DeviceQueue("cpu");
  await assert.rejects(q.dot(new Float32Array(3), new Float32Array(4)), RangeError);
  assert.throws(() => q.gain(new Float32Array(4), NaN), (e: unknown) => {
    assert.ok(e instanceof NativeError);
    assert.equal(e.codeName, "RM_ERR_INVALID_ARGUMENT");
    assert.equal(e.symbol, "rm_queue_submit_gain");
    return true;
  });
  assert.throws(() => q.gain(new Float32Array(0), 1), NativeError);
  assert.throws(() => new DeviceQueue(99), RangeError);
  assert.throws(() => new DeviceQueue("nope"), RangeError);
  assert.throws(() => new DeviceQueue(0, { threads: 0 }), RangeError);
  assert.equal(q.stats().failed, 0);
});

Deno.test("DeviceQueue close rejects pending jobs and later use", async () => {
  const q = new DeviceQueue(0);
  const jobs = Array.from({ length: 20 }, () => q.empty());
  q.close();
  q.close();
  const settled = await Promise.allSettled(jobs);
  assert.ok(settled.every((r) => r.status === "fulfilled" || r.reason instanceof Error));
  assert.throws(() => q.empty(), TypeError);
});

Deno.test("device exports reject null and bad arguments with error codes", () => {
  const buf = new Uint8Array(64);
  const f = new Float32Array(4);
  const fp = Deno.UnsafePointer.of(f);
  const name = enc.encode("input");
  const shape = BigInt64Array.of(1n);
  const cases: Array<[string, () => number, number]> = [
    ["describe index out of range", () => s.rm_device_describe(9999, buf, 64), -2],
    ["describe null buffer with capacity", () => s.rm_device_describe(0, null, 8), -1],
    ["ort_load null path", () => s.rm_ort_load(null, 4), -1],
    ["ort_load empty path", () => s.rm_ort_load(null, 0), -2],
    ["ort_load invalid utf-8", () => s.rm_ort_load(new Uint8Array([0xff, 0xfe]), 2), -2],
    ["ort_info null buffer with capacity", () => s.rm_ort_info(null, 8), -1],
    ["queue_shutdown null", () => s.rm_queue_shutdown(null), -1],
    ["submit_empty null", () => s.rm_queue_submit_empty(null), -1],
    ["submit_gain null queue", () => s.rm_queue_submit_gain(null, fp, 4, 1), -1],
    ["submit_dot null queue", () => s.rm_queue_submit_dot(null, fp, fp, 4, fp), -1],
    ["submit_load null queue", () => s.rm_queue_submit_load(null, null), -1],
    ["submit_run null queue", () => s.rm_queue_submit_run(null, null), -1],
    ["poll null queue", () => s.rm_queue_poll(null, new Int32Array(4), 4), -1],
    ["job_error null queue", () => s.rm_queue_job_error(null, 0), -1],
    ["set_callback null queue", () => s.rm_queue_set_callback(null, null, 0), -1],
    ["stats null queue", () => s.rm_queue_stats(null, new Float64Array(13), 13), -1],
    ["session_load null", () => s.rm_onnx_session_load(null), -1],
    ["session_info null", () => s.rm_onnx_session_info(null, buf, 64), -1],
    ["session_stats null", () => s.rm_onnx_session_stats(null, new Float64Array(8), 8), -1],
    [
      "binding_bind null",
      () => s.rm_onnx_binding_bind(null, 0, name, name.length, 1, shape, 1, fp, 16),
      -1,
    ],
    ["binding_run null", () => s.rm_onnx_binding_run(null), -1],
  ];
  for (const [what, call, want] of cases) {
    assert.equal(call(), want, `${what}: ${lib.lastError()}`);
  }
  assert.equal(s.rm_queue_new(9999, 1), null);
  assert.match(lib.lastError(), /out of range/);
  assert.equal(s.rm_queue_new(0, 0), null);
  assert.equal(s.rm_onnx_session_new(null, 3, 0, 0, 1, 1, 99), null);
  const p = enc.encode("m.onnx");
  assert.equal(s.rm_onnx_session_new(p, p.length, 6, 0, 1, 1, 99), null);
  assert.equal(s.rm_onnx_session_new(p, p.length, 0, 4, 1, 1, 99), null);
  assert.equal(s.rm_onnx_session_new(p, p.length, 0, 0, 1, 1, 5), null);
  assert.equal(s.rm_onnx_session_new(p, p.length, 4, 3, 1, 1, 99), null, "CUDA is not an npu");
  assert.equal(s.rm_onnx_binding_new(null), null);
  assert.equal(s.rm_onnx_binding_data_ptr(null, 0, name, name.length), null);
  s.rm_queue_free(null);
  s.rm_onnx_session_free(null);
  s.rm_onnx_binding_free(null);

  // A live queue and an unloaded session: bad lengths, tickets and states.
  const q = s.rm_queue_new(0, 1)!;
  const sess = s.rm_onnx_session_new(p, p.length, 0, 0, 1, 1, 99)!;
  try {
    assert.equal(s.rm_queue_submit_gain(q, null, 4, 1), -1);
    assert.equal(s.rm_queue_submit_gain(q, fp, 4, Infinity), -2);
    assert.equal(s.rm_queue_submit_dot(q, fp, fp, 4, fp), -2, "out overlaps the inputs");
    assert.equal(s.rm_queue_submit_load(q, null), -1);
    assert.equal(s.rm_queue_submit_run(q, null), -1);
    assert.equal(s.rm_queue_poll(q, new Int32Array(1), 1), -3);
    assert.equal(s.rm_queue_poll(q, null, 4), -1);
    assert.equal(s.rm_queue_job_error(q, -5), -2);
    assert.equal(s.rm_queue_job_error(q, 12345), -2);
    assert.equal(s.rm_queue_stats(q, new Float64Array(12), 12), -3);
    assert.equal(s.rm_onnx_session_stats(sess, new Float64Array(7), 7), -3);
    assert.equal(s.rm_onnx_binding_new(sess), null, "an unloaded session has no binding");
    assert.match(lib.lastError(), /not loaded/);
    assert.equal(s.rm_queue_shutdown(q), 0);
    assert.equal(s.rm_queue_submit_empty(q), -13);
  } finally {
    s.rm_queue_free(q);
    s.rm_onnx_session_free(sess);
  }
});

Deno.test("loadOnnxRuntime names the missing path and how to install it", () => {
  assert.throws(
    () => loadOnnxRuntime({ ortLibrary: "/nonexistent/libonnxruntime.so.1" }),
    (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /\/nonexistent\/libonnxruntime\.so\.1/);
      assert.match(e.message, /deno task setup-models/);
      return true;
    },
  );
  const info = onnxRuntimeInfo({ ortLibrary: "/nonexistent/libonnxruntime.so.1" });
  if (!info.loaded) assert.match(info.error ?? "", /nonexistent/);
});

onnxTest("onnxRuntimeInfo reports every provider in priority order with reasons", () => {
  const info = onnxRuntimeInfo();
  assert.equal(info.loaded, true);
  assert.match(info.version ?? "", /^\d+\.\d+\.\d+/);
  assert.deepEqual(info.providers.map((p) => p.provider), PROVIDER_PRIORITY);
  for (const p of info.providers) {
    assert.ok(p.available || p.reason.length > 0, `${p.provider} unavailable without reason`);
  }
  const cpu = info.providers.at(-1)!;
  assert.equal(cpu.available, true);
  const devices = listDevices();
  const onnx = devices.filter((d) => d.backend === "onnx");
  assert.deepEqual(
    onnx.map((d) => d.provider),
    info.providers.filter((p) => p.available).map((p) => p.provider),
  );
});

onnxTest("OnnxSession auto falls back to CPU and reports the providers skipped", async () => {
  using session = await OnnxSession.open(modelPath!);
  const info = onnxRuntimeInfo();
  const firstAvailable = info.providers.find((p) => p.available)!.provider;
  assert.equal(session.provider, firstAvailable);
  assert.deepEqual(
    session.attempts.map((a) => a.provider).slice(0, -1),
    PROVIDER_PRIORITY.slice(0, session.attempts.length - 1),
  );
  assert.equal(session.attempts.at(-1)!.ok, true);
  for (const a of session.attempts.slice(0, -1)) {
    assert.equal(a.ok, false);
    assert.ok(a.reason.length > 0, `${a.provider}: no reason`);
  }
  const st = session.stats();
  assert.equal(st.provider, session.provider);
  assert.equal(st.fallbacks, session.attempts.length - 1);
  assert.ok(st.loadMs > 0);
  assert.equal(session.device.provider, session.provider);
  assert.deepEqual(session.inputs.map((i) => i.name).sort(), ["input", "sr", "state"]);
});

onnxTest(
  "OnnxSession forcing an unavailable provider or kind is RM_ERR_DEVICE_UNAVAILABLE",
  async () => {
    const info = onnxRuntimeInfo();
    const missing = info.providers.filter((p) => !p.available);
    for (const p of missing) {
      await assert.rejects(OnnxSession.open(modelPath!, { provider: p.provider }), (e: unknown) => {
        assert.ok(e instanceof NativeError, String(e));
        assert.equal(e.codeName, "RM_ERR_DEVICE_UNAVAILABLE");
        assert.ok(e.message.includes(p.provider), e.message);
        assert.ok(e.message.includes(p.reason.slice(0, 20)), e.message);
        return true;
      });
    }
    if (!info.providers.some((p) => p.available && p.kind === "npu")) {
      await assert.rejects(
        OnnxSession.open(modelPath!, { deviceKind: "npu" }),
        (e: unknown) => e instanceof NativeError && e.codeName === "RM_ERR_DEVICE_UNAVAILABLE",
      );
    }
    await assert.rejects(OnnxSession.open(modelPath!, { provider: "TPU" as "CPU" }), RangeError);
    await assert.rejects(OnnxSession.open("/nonexistent/model.onnx"), /\/nonexistent\/model\.onnx/);
    using forced = await OnnxSession.open(modelPath!, { provider: "CPU" });
    assert.equal(forced.provider, "CPU");
  },
);

onnxTest("OnnxBinding tensors are our pool memory: ORT's data pointer equals it", async () => {
  using session = await OnnxSession.open(modelPath!);
  using b = session.bind({
    inputs: { input: [2, 576], state: [2, 2, 128], sr: [] },
    outputs: { output: [2, 1], stateN: [2, 2, 128] },
  });
  for (
    const [name, out] of [["input", false], ["state", false], ["sr", false], [
      "output",
      true,
    ], ["stateN", true]] as const
  ) {
    assert.equal(b.ortDataAddress(name, out), b.bufferAddress(name, out), name);
  }
  // ORT writes the output view in place.
  (b.input("sr") as BigInt64Array)[0] = 16000n;
  const out = b.output("output") as Float32Array;
  out.fill(-1);
  await b.run();
  assert.ok(out.every((p) => p >= 0 && p <= 1), `probabilities ${out}`);
  assert.equal(b.batch, 2);
  assert.throws(() => b.input("nope"), TypeError);
  assert.throws(
    () => session.bind({ inputs: { input: [1, 576] }, outputs: { output: [1, 1] } }),
    TypeError,
  );
  assert.throws(
    () =>
      session.bind({
        inputs: { input: [1, 576], state: [2, 1, 64], sr: [] },
        outputs: { output: [1, 1] },
      }),
    (e: unknown) => e instanceof NativeError && /dimension 2/.test(e.message),
  );
});

onnxTest("OnnxBinding one run at a time; sync and async runs agree", async () => {
  using session = await OnnxSession.open(modelPath!);
  const shapes = {
    inputs: { input: [1, 576], state: [2, 1, 128], sr: [] },
    outputs: { output: [1, 1], stateN: [2, 1, 128] },
  };
  using a = session.bind(shapes);
  using b = session.bind(shapes);
  const r = rng(3);
  const x = Float32Array.from({ length: 576 }, () => (r() * 2 - 1) * 0.3);
  for (const k of [a, b]) {
    (k.input("input") as Float32Array).set(x);
    (k.input("sr") as BigInt64Array)[0] = 16000n;
  }
  const p = a.run();
  assert.equal(a.running, true);
  assert.throws(() => a.run(), TypeError);
  await p;
  b.runSync();
  assert.equal((a.output("output") as Float32Array)[0], (b.output("output") as Float32Array)[0]);
  assert.deepEqual(a.output("stateN"), b.output("stateN"));
});

onnxTest("OnnxModel process maps named tensors and matches a binding", async () => {
  using model = await OnnxModel.load(modelPath!, {
    outputShapes: { output: [1, 1], stateN: [2, 1, 128] },
  });
  const r = rng(5);
  const x = Float32Array.from({ length: 576 }, () => (r() * 2 - 1) * 0.2);
  const inputs = {
    input: { type: "float32" as const, shape: [1, 576], data: x },
    state: { type: "float32" as const, shape: [2, 1, 128], data: new Float32Array(256) },
    sr: { type: "int64" as const, shape: [], data: BigInt64Array.of(16000n) },
  };
  const o1 = await model.process(inputs);
  const o2 = await model.process(inputs);
  assert.deepEqual(o1.output!.shape, [1, 1]);
  assert.deepEqual(o2.output!.data, o1.output!.data, "stateless across calls");
  using b = model.session.bind({
    inputs: { input: [1, 576], state: [2, 1, 128], sr: [] },
    outputs: { output: [1, 1] },
  });
  (b.input("input") as Float32Array).set(x);
  (b.input("sr") as BigInt64Array)[0] = 16000n;
  b.runSync();
  assert.equal((o1.output!.data as Float32Array)[0], (b.output("output") as Float32Array)[0]);
  await assert.rejects(model.process({ ...inputs, sr: undefined! }), TypeError);
  await assert.rejects(
    model.process({
      ...inputs,
      input: { type: "float32", shape: [1, 576], data: new Float32Array(3) },
    }),
    TypeError,
  );
  assert.deepEqual(await model.flush(), {});
});
