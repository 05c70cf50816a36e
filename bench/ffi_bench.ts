// FFI overhead: what our TS wrapper adds on top of the raw native call.
// Run: deno task bench (or deno bench -A bench/ffi_bench.ts)
import { native } from "../src/ffi/loader.ts";
import { int16ToFloat32 } from "../src/dsp/convert.ts";

const lib = native();
const s = lib.symbols;
const src = new Int16Array(0);
const dst = new Float32Array(0);
const opts = { runtimeHint: "native" } as const;

Deno.bench({
  group: "ffi-overhead",
  name: "raw rm_i16_to_f32, 0-length buffers",
  baseline: true,
  fn() {
    s.rm_i16_to_f32(src, 0, dst, 0);
  },
});

Deno.bench({
  group: "ffi-overhead",
  name: "raw rm_noop (empty call)",
  fn() {
    s.rm_noop();
  },
});

Deno.bench({
  group: "ffi-overhead",
  name: "wrapped int16ToFloat32, 0-length buffers",
  fn() {
    int16ToFloat32(src, dst, opts);
  },
});
