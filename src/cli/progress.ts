/**
 * A one-line progress display for long inputs: percent of the audio done and the
 * real-time factor (processing time / audio time), redrawn in place on a terminal.
 *
 * @module
 */

/** Options for {@link ProgressReporter}. */
export interface ProgressOptions {
  /** Duration of the whole input in seconds of audio. */
  totalSeconds: number;
  /** Text before the numbers (e.g. the file name). */
  label?: string | undefined;
  /** Draw at all (the CLI passes: stderr is a terminal and not `--quiet`). */
  enabled: boolean;
  /** Where to draw. */
  write: (text: string) => void;
  /**
   * Clock in milliseconds.
   * @default {performance.now}
   */
  now?: () => number;
  /**
   * Least time between redraws, in milliseconds.
   * @default {100}
   */
  minIntervalMs?: number;
}

/**
 * Shows `label  42%  3.4 s / 8.0 s  RTF 0.012 (83x real time)` on one line, redrawn with
 * a carriage return at most every `minIntervalMs`; does nothing when disabled.
 *
 * @example
 * ```ts
 * import { ProgressReporter } from "./progress.ts";
 * const p = new ProgressReporter({ totalSeconds: 8, enabled: true, write: (t) => console.log(JSON.stringify(t)) });
 * p.update(4);
 * p.done();
 * ```
 */
export class ProgressReporter {
  readonly #total: number;
  readonly #label: string;
  readonly #enabled: boolean;
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  readonly #interval: number;
  readonly #start: number;
  #last = -Infinity;
  #drawn = 0;
  #doneSeconds = 0;
  #finished = false;

  /**
   * Create a reporter; nothing is drawn until the first {@link ProgressReporter.update}.
   *
   * @param options Total duration, label, whether to draw and where.
   */
  constructor(options: ProgressOptions) {
    this.#total = Math.max(0, options.totalSeconds);
    this.#label = options.label ?? "";
    this.#enabled = options.enabled;
    this.#write = options.write;
    this.#now = options.now ?? (() => performance.now());
    this.#interval = options.minIntervalMs ?? 100;
    this.#start = this.#now();
  }

  /** Whether anything is drawn. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /**
   * The real-time factor so far: elapsed wall time / seconds of audio done.
   *
   * @returns The factor, or 0 before any audio is done.
   */
  realtimeFactor(): number {
    if (this.#doneSeconds <= 0) return 0;
    return (this.#now() - this.#start) / 1000 / this.#doneSeconds;
  }

  /**
   * Report that `doneSeconds` of audio are processed (redraws when due).
   *
   * @param doneSeconds Seconds of audio processed so far.
   */
  update(doneSeconds: number): void {
    this.#doneSeconds = Math.max(0, Math.min(doneSeconds, this.#total || doneSeconds));
    if (!this.#enabled || this.#finished) return;
    const t = this.#now();
    if (t - this.#last < this.#interval) return;
    this.#last = t;
    this.#draw();
  }

  /** Draw the final state and end the line (no-op when disabled or already done). */
  done(): void {
    if (!this.#enabled || this.#finished) return;
    this.#finished = true;
    this.#doneSeconds = this.#total || this.#doneSeconds;
    this.#draw();
    this.#write("\n");
  }

  #draw(): void {
    const pct = this.#total > 0 ? Math.floor((100 * this.#doneSeconds) / this.#total) : 100;
    const rtf = this.realtimeFactor();
    const speed = rtf > 0 ? ` (${(1 / rtf).toFixed(rtf < 0.01 ? 0 : 1)}x real time)` : "";
    const text = `${this.#label ? `${this.#label}  ` : ""}${String(pct).padStart(3)}%  ` +
      `${this.#doneSeconds.toFixed(1)} s / ${this.#total.toFixed(1)} s  ` +
      `RTF ${rtf.toFixed(3)}${speed}`;
    const pad = Math.max(0, this.#drawn - text.length);
    this.#write(`\r${text}${" ".repeat(pad)}`);
    this.#drawn = text.length;
  }
}
