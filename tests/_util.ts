// Shared test helpers: paths into ../shared/testdata and raw-file readers.

/**
 * Absolute path of a file under shared/testdata: `$REMOTEMEDIA_TESTDATA` if set, else
 * `../shared/testdata` beside the project root (where CI puts it).
 */
export function testdata(rel: string): string {
  const env = Deno.env.get("REMOTEMEDIA_TESTDATA");
  if (env) return `${env.replace(/\/$/, "")}/${rel}`;
  return decodeURIComponent(new URL(`../../shared/testdata/${rel}`, import.meta.url).pathname);
}

/** Read a little-endian raw file as the given typed array. */
export function readF32(rel: string): Float32Array {
  const b = Deno.readFileSync(testdata(rel));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

/** Read a little-endian raw int16 file. */
export function readI16(rel: string): Int16Array {
  const b = Deno.readFileSync(testdata(rel));
  return new Int16Array(b.buffer, b.byteOffset, b.byteLength / 2);
}

/** Seeded PRNG (mulberry32) in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** First index where two arrays differ beyond `tol`, or -1. */
export function firstMismatch(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tol = 0,
): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Object.is(x, y)) continue;
    if (!(Math.abs(x - y) <= tol)) return i;
  }
  return -1;
}
