// Run with --v8-flags=--expose-gc (the `test` task does): proves the finalizer backstop
// returns a dropped pool block to its pool.
import assert from "node:assert/strict";
import { NativePool } from "../src/ffi/pool.ts";

const gc = (globalThis as { gc?: () => void }).gc;

Deno.test({
  name: "PoolBlock dropped without release is returned by the finalizer backstop",
  ignore: gc === undefined,
  async fn() {
    using pool = new NativePool();
    (() => {
      for (let i = 0; i < 4; i++) pool.acquire(4096).f32().fill(1);
    })();
    assert.equal(pool.stats().blocksInUse, 4);
    for (let i = 0; i < 20 && pool.stats().blocksInUse > 0; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
    const s = pool.stats();
    assert.equal(s.blocksInUse, 0);
    assert.equal(s.finalizerReleases, 4);
  },
});

Deno.test({
  name: "PoolBlock view kept alive keeps its memory out of the pool",
  ignore: gc === undefined,
  async fn() {
    using pool = new NativePool();
    const view = (() => pool.acquire(256).f32())();
    view[0] = 42;
    for (let i = 0; i < 5; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(pool.stats().blocksInUse, 1);
    assert.equal(view[0], 42);
  },
});

Deno.test("lifetime tests run with --expose-gc", () => {
  assert.ok(gc !== undefined, "run deno test with --v8-flags=--expose-gc (deno task test does)");
});
