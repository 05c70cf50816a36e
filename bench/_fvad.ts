// WebRTC VAD compiled to WebAssembly (npm:@echogarden/fvad-wasm, libfvad), the peer a
// Deno user would pick today; used as the baseline by vad_bench.ts and vad_score.ts.

import createFvad from "@echogarden/fvad-wasm";

interface FvadModule {
  _fvad_new(): number;
  _fvad_free(h: number): void;
  _fvad_reset(h: number): void;
  _fvad_set_mode(h: number, mode: number): number;
  _fvad_set_sample_rate(h: number, rate: number): number;
  _fvad_process(h: number, frame: number, length: number): number;
  _malloc(bytes: number): number;
  _free(p: number): void;
  HEAP16: Int16Array;
}

const mod = await (createFvad as unknown as () => Promise<FvadModule>)();

/** One libfvad instance with a frame buffer in wasm memory. */
export class Fvad implements Disposable {
  #h: number;
  #buf: number;
  readonly frameSamples: number;

  constructor(sampleRate: number, frameMs: number, mode: number) {
    this.#h = mod._fvad_new();
    if (
      mod._fvad_set_sample_rate(this.#h, sampleRate) < 0 || mod._fvad_set_mode(this.#h, mode) < 0
    ) {
      throw new RangeError(`Cannot create fvad: rate ${sampleRate} or mode ${mode} rejected`);
    }
    this.frameSamples = (sampleRate * frameMs) / 1000;
    this.#buf = mod._malloc(this.frameSamples * 2);
  }

  /** Decide an int16 frame (copied into wasm memory). */
  processInt16(frame: Int16Array): boolean {
    mod.HEAP16.set(frame, this.#buf >> 1);
    return mod._fvad_process(this.#h, this.#buf, this.frameSamples) === 1;
  }

  /** Decide a float frame: converted to int16 (round, clamp) straight into wasm memory. */
  processFloat(frame: Float32Array): boolean {
    const heap = mod.HEAP16, o = this.#buf >> 1;
    for (let i = 0; i < frame.length; i++) {
      const v = Math.round(frame[i]! * 32768);
      heap[o + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return mod._fvad_process(this.#h, this.#buf, this.frameSamples) === 1;
  }

  [Symbol.dispose](): void {
    mod._free(this.#buf);
    mod._fvad_free(this.#h);
  }
}

/** fvad decisions of a whole float clip on the 10 ms grid. */
export function fvadDecisions(
  x: Float32Array,
  sampleRate: number,
  frameMs: number,
  mode: number,
): Uint8Array {
  using v = new Fvad(sampleRate, frameMs, mode);
  const per = frameMs / 10;
  const out = new Uint8Array(Math.floor(x.length / (sampleRate / 100)));
  for (let f = 0; (f + 1) * v.frameSamples <= x.length; f++) {
    if (v.processFloat(x.subarray(f * v.frameSamples, (f + 1) * v.frameSamples))) {
      out.fill(1, f * per, f * per + per);
    }
  }
  return out;
}
