/**
 * A log-linear histogram of durations in microseconds: preallocated counts, O(1) recording
 * with no allocation, quantiles with a documented error bound.
 *
 * Values are quantized to 1/32 us units. Below 2 us (64 units) every unit has its own
 * bucket; above, each power of two is split into 64 equal buckets. A quantile is reported
 * as the midpoint of the bucket holding the nearest-rank sample, clamped to [min, max], so
 * it differs from the exact nearest-rank value by at most 1/64 us below 2 us and by at most
 * 1/128 (0.79 %) of the value above. Values beyond 2^32 units (~134 s) are counted in an
 * overflow bucket, whose quantiles report the exact maximum.
 *
 * @module
 */

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS; // 64 sub-buckets per power of two
const UNITS_PER_US = 32;
const MAX_UNITS = 2 ** 32;
const BUCKETS = (32 - SUB_BITS + 1) * SUB; // 1728, plus one overflow bucket

/**
 * Log-linear histogram of microsecond durations.
 *
 * @example Median of three durations
 * ```ts
 * import { LogLinearHistogram } from "./histogram.ts";
 * const h = new LogLinearHistogram();
 * for (const us of [10, 20, 30]) h.record(us);
 * console.log(h.count, h.quantile(0.5)); // 3 20.125 (within 1/128 of 20)
 * ```
 */
export class LogLinearHistogram {
  /** Relative error bound of {@link LogLinearHistogram.quantile} above 2 us. */
  static readonly RELATIVE_ERROR: number = 1 / (2 * SUB);
  /** Absolute error bound of {@link LogLinearHistogram.quantile} in microseconds below 2 us. */
  static readonly ABSOLUTE_ERROR_US: number = 1 / (2 * UNITS_PER_US);

  /** Bucket counts. */
  readonly counts: Float64Array = new Float64Array(BUCKETS + 1);
  /** Values recorded. */
  count = 0;
  /** Sum of the values (exact). */
  sum = 0;
  /** Smallest value (exact; Infinity when empty). */
  min: number = Infinity;
  /** Largest value (exact; -Infinity when empty). */
  max: number = -Infinity;

  /**
   * Record one duration. No allocation.
   *
   * @param us Duration in microseconds (negative values count as 0).
   */
  record(us: number): void {
    const v = us > 0 ? us : 0;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const units = v * UNITS_PER_US;
    let idx: number;
    if (units < SUB) {
      idx = units | 0;
    } else if (units < MAX_UNITS) {
      const x = units >>> 0;
      const shift = 31 - Math.clz32(x) - SUB_BITS;
      idx = ((shift + 1) << SUB_BITS) + (x >>> shift) - SUB;
    } else {
      idx = BUCKETS;
    }
    this.counts[idx]!++;
  }

  /**
   * The nearest-rank quantile, as the midpoint of its bucket clamped to [min, max].
   *
   * @param q Quantile in [0, 1].
   * @returns Microseconds (0 when empty).
   * @throws {RangeError} if `q` is outside [0, 1].
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`Cannot compute quantile ${q}: expected 0..1`);
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, midpoint(i)));
    }
    return this.max; // the overflow bucket
  }

  /**
   * Add every value recorded in `other` to this histogram (as if recorded here).
   *
   * @param other Another histogram.
   */
  merge(other: LogLinearHistogram): void {
    if (other.count === 0) return;
    const c = this.counts, o = other.counts;
    for (let i = 0; i < c.length; i++) c[i]! += o[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Clear everything. */
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

function midpoint(idx: number): number {
  if (idx < SUB) return (idx + 0.5) / UNITS_PER_US;
  const shift = (idx >>> SUB_BITS) - 1;
  const width = 2 ** shift;
  const lower = (SUB + (idx & (SUB - 1))) * width;
  return (lower + width / 2) / UNITS_PER_US;
}
