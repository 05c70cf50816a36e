// Speech segmentation from per-window speech probabilities (hysteresis + minimum speech
// and silence durations + padding), in samples. Streaming: windows in, start/end events
// out; `finish` closes an open segment at the end of the audio.

/** A speech start or end, in samples and seconds. */
export interface SpeechEvent {
  /** `"start"` or `"end"` of speech. */
  type: "start" | "end";
  /** Sample index (padding applied). */
  sample: number;
  /** Time in seconds (padding applied). */
  time: number;
}

/** Segmenter parameters, in samples. */
export interface SegmenterParams {
  sampleRate: number;
  window: number;
  threshold: number;
  negThreshold: number;
  minSpeech: number;
  minSilence: number;
  pad: number;
}

/** Streaming hysteresis segmenter over window probabilities. */
export class ProbabilitySegmenter {
  #p: SegmenterParams;
  #triggered = false;
  #started = false;
  #speechStart = 0;
  #tempEnd = -1;
  #lastEnd = 0;

  constructor(params: SegmenterParams) {
    this.#p = params;
  }

  #event(type: "start" | "end", sample: number, out: SpeechEvent[]): void {
    out.push({ type, sample, time: sample / this.#p.sampleRate });
  }

  #emitStart(out: SpeechEvent[]): void {
    const s = Math.max(this.#speechStart - this.#p.pad, this.#lastEnd, 0);
    this.#started = true;
    this.#event("start", s, out);
  }

  /** Feed window `index` with speech probability `prob`; events are appended to `out`. */
  push(index: number, prob: number, out: SpeechEvent[]): void {
    const p = this.#p;
    const winStart = index * p.window;
    const winEnd = winStart + p.window;
    if (prob >= p.threshold) {
      this.#tempEnd = -1;
      if (!this.#triggered) {
        this.#triggered = true;
        this.#started = false;
        this.#speechStart = winStart;
      }
    } else if (prob < p.negThreshold && this.#triggered) {
      if (this.#tempEnd < 0) this.#tempEnd = winStart;
      if (winEnd - this.#tempEnd >= p.minSilence) {
        this.#close(this.#tempEnd, Infinity, out);
        return;
      }
    }
    if (this.#triggered && !this.#started) {
      const upTo = this.#tempEnd >= 0 ? this.#tempEnd : winEnd;
      if (upTo - this.#speechStart >= p.minSpeech) this.#emitStart(out);
    }
  }

  #close(end: number, limit: number, out: SpeechEvent[]): void {
    if (end - this.#speechStart >= this.#p.minSpeech) {
      if (!this.#started) this.#emitStart(out);
      const e = Math.min(end + this.#p.pad, limit);
      this.#lastEnd = e;
      this.#event("end", e, out);
    }
    this.#triggered = false;
    this.#started = false;
    this.#tempEnd = -1;
  }

  /** End of audio after `totalSamples`: close an open segment. */
  finish(totalSamples: number, out: SpeechEvent[]): void {
    if (this.#triggered) {
      const end = this.#tempEnd >= 0 ? this.#tempEnd : totalSamples;
      this.#close(Math.min(end, totalSamples), totalSamples, out);
    }
  }

  /** Forget everything. */
  reset(): void {
    this.#triggered = false;
    this.#started = false;
    this.#speechStart = 0;
    this.#tempEnd = -1;
    this.#lastEnd = 0;
  }
}
