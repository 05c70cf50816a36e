/**
 * NumPy `.npy` files holding little-endian float32 (`<f4`) arrays in C order: what
 * `numpy.load` reads and `numpy.save` writes for a `float32` array.
 *
 * @module
 */

/** A float32 array with its shape, as stored in a `.npy` file. */
export interface NpyArray {
  /** The elements in C (row-major) order. */
  data: Float32Array;
  /** The dimensions; `[]` for a scalar. */
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkShape(shape: readonly number[], what: string): number {
  let n = 1;
  for (const [i, d] of shape.entries()) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`Cannot ${what}: shape[${i}] = ${d} is not a non-negative integer`);
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`Cannot ${what}: shape [${shape.join(", ")}] has too many elements`);
  }
  return n;
}

/** `(80, 3000)`, `(5,)` or `()`: Python's tuple repr. */
function tupleRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/**
 * Encode a float32 array as a `.npy` v1.0 file: `<f4`, C order, header padded with spaces
 * and a newline so the data starts at a multiple of 64 bytes.
 *
 * @param data Elements in C (row-major) order.
 * @param shape Dimensions; their product must equal `data.length`.
 * @returns The file bytes.
 * @throws {RangeError} for a dimension that is not a non-negative integer.
 * @throws {TypeError} when the shape's element count differs from `data.length`.
 *
 * @example An 80 x 3 feature matrix
 * ```ts
 * import { encodeNpy } from "./npy.ts";
 * const bytes = encodeNpy(new Float32Array(240), [80, 3]);
 * console.log(bytes.length); // 64 + 240 * 4 = 1024
 * ```
 */
export function encodeNpy(
  data: Float32Array,
  shape: readonly number[],
): Uint8Array<ArrayBuffer> {
  const n = checkShape(shape, "encode .npy");
  if (n !== data.length) {
    throw new TypeError(
      `Cannot encode .npy: shape ${tupleRepr(shape)} holds ${n} elements, data has ${data.length}`,
    );
  }
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tupleRepr(shape)}, }`;
  // magic (6) + version (2) + header length (2) + dict + padding + '\n' ≡ 0 (mod 64)
  const unpadded = 10 + dict.length + 1;
  const headerLen = dict.length + 1 + ((64 - (unpadded % 64)) % 64);
  if (headerLen > 0xffff) {
    throw new RangeError(`Cannot encode .npy: a ${shape.length}-d header needs format v2`);
  }
  const out = new Uint8Array(10 + headerLen + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = headerLen & 0xff;
  out[9] = headerLen >> 8;
  out.fill(0x20, 10, 10 + headerLen - 1);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out[10 + headerLen - 1] = 0x0a;
  const body = 10 + headerLen;
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), body);
  } else {
    const dv = new DataView(out.buffer, body);
    for (let i = 0; i < data.length; i++) dv.setFloat32(i * 4, data[i]!, true);
  }
  return out;
}

function fail(detail: string): never {
  throw new TypeError(`Cannot read .npy: ${detail}`);
}

/** Parse the header dict without evaluating it: exactly the three keys numpy writes. */
function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  const t = text.trim();
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(t)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(t)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(t)?.[1];
  if (!t.startsWith("{") || !t.endsWith("}")) fail(`header ${JSON.stringify(t)} is not a dict`);
  if (descr === undefined) fail(`header ${JSON.stringify(t)} has no 'descr'`);
  if (fortran === undefined) fail(`header ${JSON.stringify(t)} has no 'fortran_order'`);
  if (shapeText === undefined) fail(`header ${JSON.stringify(t)} has no 'shape' tuple`);
  const parts = shapeText.split(",").map((s) => s.trim());
  if (parts.at(-1) === "") parts.pop();
  const shape = parts.map((p) => {
    if (!/^\d+L?$/.test(p)) fail(`shape entry "${p}" is not a non-negative integer`);
    return Number.parseInt(p, 10);
  });
  return { descr, fortran: fortran === "True", shape };
}

/**
 * Decode a `.npy` file (format v1, v2 or v3) holding a little-endian float32 array in C
 * order. The data is viewed in place when it is 4-byte aligned (it is, for files
 * written by numpy or {@link encodeNpy}, when `bytes` starts at an aligned offset).
 *
 * @param bytes The whole file.
 * @returns The data and its shape.
 * @throws {TypeError} for a file that is not `.npy`, is truncated, or holds another dtype
 *   or Fortran order, saying what was found.
 *
 * @example Round trip
 * ```ts
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 * const { data, shape } = decodeNpy(encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]));
 * console.log(shape, data[5]); // [2, 3] 6
 * ```
 */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10) fail(`file is ${bytes.length} bytes; the preamble needs 10`);
  for (let i = 0; i < 6; i++) {
    if (bytes[i] !== MAGIC[i]) fail(`no "\\x93NUMPY" magic at offset 0`);
  }
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number, headerLen: number;
  if (major === 1) {
    headerStart = 10;
    headerLen = dv.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(`v${major} file is ${bytes.length} bytes; the preamble needs 12`);
    headerStart = 12;
    headerLen = dv.getUint32(8, true);
  } else {
    fail(`format version ${major}.${bytes[7]} is not supported (1.0, 2.0, 3.0)`);
  }
  if (headerStart + headerLen > bytes.length) {
    fail(`header of ${headerLen} bytes runs past the end of the ${bytes.length}-byte file`);
  }
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  const { descr, fortran, shape } = parseHeader(header);
  if (descr !== "<f4" && !(descr === "=f4" && LITTLE_ENDIAN)) {
    fail(`dtype '${descr}' is not supported; only little-endian float32 ('<f4')`);
  }
  if (fortran && shape.length > 1) fail("Fortran-order arrays are not supported");
  let n: number;
  try {
    n = checkShape(shape, "read .npy");
  } catch (e) {
    fail(e instanceof Error ? e.message.replace(/^Cannot read \.npy: /, "") : String(e));
  }
  const body = headerStart + headerLen;
  if (body + n * 4 > bytes.length) {
    fail(
      `shape ${tupleRepr(shape)} needs ${n * 4} data bytes, the file has ${bytes.length - body}`,
    );
  }
  const abs = bytes.byteOffset + body;
  let data: Float32Array;
  if (abs % 4 === 0 && LITTLE_ENDIAN) {
    data = new Float32Array(bytes.buffer, abs, n);
  } else {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = dv.getFloat32(body + i * 4, true);
  }
  return { data, shape };
}
