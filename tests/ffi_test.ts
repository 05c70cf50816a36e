import assert from "node:assert/strict";
import { native } from "../src/ffi/loader.ts";
import { NativePool } from "../src/ffi/pool.ts";
import { NativeError } from "../src/ffi/error.ts";
import { int16ToFloat32 } from "../src/dsp/convert.ts";

const lib = native();
const s = lib.symbols;
const addr = (p: Deno.PointerValue) => BigInt(Deno.UnsafePointer.value(p));

Deno.test("rm_debug_addr sees the TypedArray's own address (no copy)", () => {
  const a = new Float32Array(960);
  assert.equal(addr(s.rm_debug_addr(a, a.byteLength)), addr(Deno.UnsafePointer.of(a)));
});

Deno.test("rm_debug_addr sees a subarray's address (no copy)", () => {
  const a = new Float32Array(960);
  const sub = a.subarray(37, 500);
  const got = addr(s.rm_debug_addr(sub, sub.byteLength));
  assert.equal(got, addr(Deno.UnsafePointer.of(sub)));
  assert.equal(got, addr(Deno.UnsafePointer.of(a)) + 37n * 4n);
});

Deno.test("PoolBlock view and native pointer alias", () => {
  using pool = new NativePool();
  using block = pool.acquire(256);
  const f = block.f32();
  f[3] = 1.5;
  f[10] = 2;
  assert.equal(s.rm_debug_sum(block.unsafePointer, 64), 3.5);
  lib.check(s.rm_debug_fill(block.unsafePointer, 64, 0.25), "rm_debug_fill");
  assert.equal(f[0], 0.25);
  assert.equal(f[63], 0.25);
  assert.equal(block.address % 64n, 0n);
});

Deno.test("NativePool steady-state convert loop creates no new blocks", () => {
  using pool = new NativePool();
  const pcm = new Int16Array(960).map((_, i) => (i * 37) % 2000 - 1000);
  // warm-up
  {
    using a = pool.acquire(960 * 4);
    int16ToFloat32(pcm, a.f32(), { runtimeHint: "native" });
  }
  const before = pool.stats();
  for (let i = 0; i < 10_000; i++) {
    using block = pool.acquire(960 * 4);
    int16ToFloat32(pcm, block.f32(), { runtimeHint: "native" });
  }
  const after = pool.stats();
  assert.equal(after.blocksCreated, before.blocksCreated);
  assert.equal(after.blocksInUse, 0);
  assert.equal(after.acquires - before.acquires, 10_000);
  assert.equal(after.reuses - before.reuses, 10_000);
});

Deno.test("PoolBlock release detaches its buffer and is idempotent", () => {
  using pool = new NativePool();
  const block = pool.acquire(64);
  const view = block.f32();
  block.release();
  block.release();
  assert.equal(view.length, 0);
  assert.equal(block.buffer.detached, true);
  assert.throws(() => block.unsafePointer, TypeError);
  assert.equal(pool.stats().blocksInUse, 0);
});

Deno.test("NativePool close detaches live blocks", () => {
  const pool = new NativePool();
  const block = pool.acquire(128);
  const view = block.f32();
  pool.close();
  pool.close();
  assert.equal(view.length, 0);
  assert.throws(() => pool.acquire(16), TypeError);
});

Deno.test("NativePool acquire rejects bad sizes", () => {
  using pool = new NativePool();
  assert.throws(() => pool.acquire(0), RangeError);
  assert.throws(() => pool.acquire(-1), RangeError);
  assert.throws(() => pool.acquire(1.5), RangeError);
  assert.throws(() => pool.acquire(2 ** 31), RangeError);
});

Deno.test("rm_pool_* reject null, foreign and double-released pointers", () => {
  const p = s.rm_pool_new()!;
  try {
    assert.equal(s.rm_pool_acquire(null, 10), null);
    assert.match(lib.lastError(), /pool handle is null/);
    assert.equal(s.rm_pool_acquire(p, 0), null);
    const foreign = Deno.UnsafePointer.of(new Uint8Array(8));
    assert.equal(s.rm_pool_release(p, foreign), -7);
    const b = s.rm_pool_acquire(p, 10);
    assert.equal(s.rm_pool_release(p, b), 0);
    assert.equal(s.rm_pool_release(p, b), -7);
    assert.equal(s.rm_pool_release(p, null), -1);
    assert.equal(s.rm_pool_stats(p, new BigUint64Array(4), 4), -3);
  } finally {
    s.rm_pool_free(p);
    s.rm_pool_free(null);
  }
});

Deno.test("rm_debug_panic is caught by the guard and the process survives", () => {
  assert.equal(s.rm_debug_panic(), -6);
  assert.match(lib.lastError(), /deliberate panic/);
  assert.throws(() => lib.check(s.rm_debug_panic(), "rm_debug_panic"), (e: unknown) => {
    assert.ok(e instanceof NativeError);
    assert.equal(e.codeName, "RM_ERR_PANIC");
    assert.equal(e.symbol, "rm_debug_panic");
    return true;
  });
  // still alive and working
  assert.equal(s.rm_noop(), 0);
});

const convertCases: Array<[string, () => number, number]> = [
  ["null src with length", () => s.rm_i16_to_f32(null, 4, new Float32Array(4), 4), -1],
  ["null dst with length", () => s.rm_i16_to_f32(new Int16Array(4), 4, null, 4), -1],
  ["dst too small", () => s.rm_i16_to_f32(new Int16Array(4), 4, new Float32Array(2), 2), -3],
  ["zero lengths", () => s.rm_i16_to_f32(null, 0, null, 0), 0],
  ["i24 odd byte count", () => s.rm_i24_to_f32(new Uint8Array(5), 5, new Float32Array(2), 2), -2],
  ["f32->i24 dst short", () => s.rm_f32_to_i24(new Float32Array(2), 2, new Uint8Array(5), 5), -3],
  [
    "downmix length not multiple",
    () => s.rm_downmix(new Float32Array(5), 5, 2, new Float32Array(5), 5),
    -2,
  ],
  ["downmix 0 channels", () => s.rm_downmix(new Float32Array(4), 4, 0, new Float32Array(4), 4), -2],
  [
    "interleave 65 channels",
    () => s.rm_interleave(new Float32Array(65), 65, 65, new Float32Array(65), 65),
    -2,
  ],
  [
    "deinterleave dst short",
    () => s.rm_deinterleave(new Float32Array(4), 4, 2, new Float32Array(3), 3),
    -3,
  ],
  ["gain NaN", () => s.rm_gain(new Float32Array(4), 4, NaN), -2],
  ["gain Inf", () => s.rm_gain(new Float32Array(4), 4, Infinity), -2],
  ["gain null with length", () => s.rm_gain(null, 4, 1), -1],
  ["f64->f32 dst short", () => s.rm_f64_to_f32(new Float64Array(3), 3, new Float32Array(1), 1), -3],
  ["u8 dst null", () => s.rm_u8_to_f32(new Uint8Array(3), 3, null, 3), -1],
  ["i32 dst short", () => s.rm_i32_to_f32(new Int32Array(3), 3, new Float32Array(2), 2), -3],
  ["f32->i32 dst short", () => s.rm_f32_to_i32(new Float32Array(3), 3, new Int32Array(2), 2), -3],
  ["f32->i16 dst short", () => s.rm_f32_to_i16(new Float32Array(3), 3, new Int16Array(2), 2), -3],
];

Deno.test("convert exports return typed errors for bad input", () => {
  for (const [name, call, want] of convertCases) {
    assert.equal(call(), want, name);
    if (want < 0) assert.ok(lib.lastError().length > 0, name);
  }
});

Deno.test("convert exports reject overlapping input and output", () => {
  const buf = new Float32Array(8);
  assert.equal(s.rm_deinterleave(buf, 8, 2, buf.subarray(2), 6), -2);
  assert.match(lib.lastError(), /overlap/);
});

Deno.test("NaN and Inf samples convert to documented values", () => {
  const out = new Int16Array(4);
  lib.check(
    s.rm_f32_to_i16(new Float32Array([NaN, Infinity, -Infinity, 0.5]), 4, out, 4),
    "rm_f32_to_i16",
  );
  assert.deepEqual([...out], [0, 32767, -32768, 16384]);
});

Deno.test("NativeLibrary reports version and ABI", () => {
  assert.equal(lib.abiVersion, 1);
  assert.match(lib.version, /^\d+\.\d+\.\d+/);
  assert.equal(Deno.UnsafePointerView.getCString(s.rm_status_str(-3)!), "RM_ERR_BUFFER_TOO_SMALL");
  assert.equal(Deno.UnsafePointerView.getCString(s.rm_status_str(-999)!), "RM_ERR_UNKNOWN");
});
