import assert from "node:assert/strict";
import { decodeNpy, encodeNpy } from "../src/io/npy.ts";
import { firstMismatch, rng } from "./_util.ts";

const latin1 = (b: Uint8Array) => new TextDecoder("latin1").decode(b);

/** A .npy file assembled by hand from the format description (the oracle). */
function handMade(header: string, data: Float32Array, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  const out = new Uint8Array(pre + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  for (let i = 0; i < data.length; i++) dv.setFloat32(pre + header.length + i * 4, data[i]!, true);
  return out;
}

Deno.test("encodeNpy writes the exact v1.0 header", () => {
  const cases: Array<[number[], string]> = [
    [[2, 3], "(2, 3)"],
    [[5], "(5,)"],
    [[], "()"],
    [[80, 3000], "(80, 3000)"],
    [[1, 2, 3, 4], "(1, 2, 3, 4)"],
  ];
  for (const [shape, repr] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const bytes = encodeNpy(new Float32Array(n), shape);
    const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${repr}, }`;
    const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
    const header = dict + " ".repeat(total - 10 - dict.length - 1) + "\n";
    assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    assert.equal(bytes[8]! | (bytes[9]! << 8), header.length, `header length for ${repr}`);
    assert.equal(latin1(bytes.subarray(10, total)), header, `header for ${repr}`);
    assert.equal(total % 64, 0);
    assert.equal(bytes.length, total + n * 4, `file size for ${repr}`);
  }
});

Deno.test("encodeNpy writes little-endian float32 data after the header", () => {
  const data = new Float32Array([1.5, -2, 0, 3.25e-5, Infinity, -0]);
  const bytes = encodeNpy(data, [2, 3]);
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < data.length; i++) {
    assert.ok(Object.is(dv.getFloat32(128 + i * 4, true), data[i]), `element ${i}`);
  }
});

Deno.test("decodeNpy round-trips encodeNpy over a shape grid", () => {
  const r = rng(5);
  for (const shape of [[0], [1], [7], [3, 4], [80, 17], [2, 3, 5], [4, 0, 2], []]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n).map(() => r() * 4 - 2);
    const out = decodeNpy(encodeNpy(data, shape));
    assert.deepEqual(out.shape, shape);
    const i = firstMismatch(out.data, data);
    assert.equal(i, -1, `shape [${shape}] element ${i}: expected ${data[i]}, got ${out.data[i]}`);
  }
});

Deno.test("decodeNpy views aligned data in place", () => {
  const bytes = encodeNpy(new Float32Array([1, 2, 3]), [3]);
  const out = decodeNpy(bytes);
  assert.equal(out.data.buffer, bytes.buffer);
  // An unaligned copy of the file still decodes (by copying).
  const shifted = new Uint8Array(bytes.length + 1).subarray(1);
  shifted.set(bytes);
  assert.deepEqual([...decodeNpy(shifted).data], [1, 2, 3]);
});

Deno.test("decodeNpy reads hand-made v1 and v2 files with numpy-style padding", () => {
  const data = new Float32Array([0, 1, 2, 3, 4, 5]);
  // numpy 2 leaves spare spaces after the dict so the shape can grow in place.
  const h1 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n";
  const a = decodeNpy(handMade(h1, data));
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...a.data], [...data]);
  const h2 = "{'shape': (6,), 'fortran_order': False, 'descr': '<f4'}\n";
  const b = decodeNpy(handMade(h2, data, 2));
  assert.deepEqual(b.shape, [6]);
  assert.deepEqual([...b.data], [...data]);
});

Deno.test("decodeNpy rejects other dtypes, Fortran order, truncation and bad magic", () => {
  const d = new Float32Array(4);
  const hdr = (descr: string, fortran = "False", shape = "(4,)") =>
    `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
  assert.throws(() => decodeNpy(handMade(hdr("<f8"), d)), /dtype '<f8' is not supported/);
  assert.throws(() => decodeNpy(handMade(hdr(">f4"), d)), /dtype '>f4' is not supported/);
  assert.throws(
    () => decodeNpy(handMade(hdr("<f4", "True", "(2, 2)"), d)),
    /Fortran-order arrays are not supported/,
  );
  assert.throws(
    () => decodeNpy(handMade(hdr("<f4", "False", "(5,)"), d)),
    /shape \(5,\) needs 20 data bytes, the file has 16/,
  );
  assert.throws(() => decodeNpy(handMade(hdr("<f4", "False", "(-1,)"), d)), /shape entry "-1"/);
  assert.throws(() => decodeNpy(new TextEncoder().encode("RIFF....WAVEfmt ")), /magic/);
  assert.throws(() => decodeNpy(new Uint8Array(3)), /file is 3 bytes/);
  const bad = handMade(hdr("<f4"), d);
  bad[6] = 9;
  assert.throws(() => decodeNpy(bad), /format version 9\.0 is not supported/);
  assert.throws(() => decodeNpy(bad), TypeError);
});

Deno.test("encodeNpy rejects shapes that do not match the data", () => {
  assert.throws(
    () => encodeNpy(new Float32Array(5), [2, 3]),
    /shape \(2, 3\) holds 6 elements, data has 5/,
  );
  assert.throws(() => encodeNpy(new Float32Array(0), [-1]), RangeError);
  assert.throws(() => encodeNpy(new Float32Array(2), [2.5]), RangeError);
});

const hasNumpy = (() => {
  try {
    return new Deno.Command("python3", { args: ["-c", "import numpy"], stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "encodeNpy files load in numpy and numpy's files decode (needs python3 + numpy)",
  ignore: !hasNumpy,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const data = new Float32Array(80 * 7).map((_, i) => Math.sin(i) * 3);
      await Deno.writeFile(`${dir}/ours.npy`, encodeNpy(data, [80, 7]));
      const script = [
        "import numpy as np, sys",
        `a = np.load('${dir}/ours.npy')`,
        "assert a.dtype == np.float32 and a.shape == (80, 7) and a.flags.c_contiguous",
        "i = np.arange(80 * 7, dtype=np.float64)",
        "assert np.array_equal(a.ravel(), (np.sin(i) * 3).astype(np.float32))",
        `np.save('${dir}/theirs.npy', (np.arange(12, dtype=np.float32) / 4).reshape(3, 4))`,
      ].join("\n");
      const r = await new Deno.Command("python3", { args: ["-c", script] }).output();
      assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
      const theirs = decodeNpy(await Deno.readFile(`${dir}/theirs.npy`));
      assert.deepEqual(theirs.shape, [3, 4]);
      assert.deepEqual([...theirs.data], Array.from({ length: 12 }, (_, i) => i / 4));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
