// A bounded async queue: the producer awaits `push` while `capacity` items wait, the
// consumer iterates it (`for await`, or as a pipeline's input). Ending the queue lets the
// consumer drain what is left and finish; a consumer that stops early (`return`) makes
// every later push resolve at once with `false`, so a producer never waits forever.

/** A bounded single-producer, single-consumer async queue. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly capacity: number;
  #items: T[] = [];
  #ended = false;
  #stopped = false;
  #taker: ((r: IteratorResult<T>) => void) | null = null;
  #pushers: Array<() => void> = [];

  /** @param capacity Items that may wait before `push` waits (>= 1). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create the queue: capacity ${capacity} is not an integer >= 1`);
    }
    this.capacity = capacity;
  }

  /** Items waiting. */
  get size(): number {
    return this.#items.length;
  }

  /** True once the consumer stopped early. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Add an item; resolves when there is room for it (at once below capacity).
   *
   * @returns True if queued, false when the consumer has stopped (the item is dropped).
   * @throws {TypeError} after `end()`.
   */
  async push(item: T): Promise<boolean> {
    if (this.#ended) throw new TypeError("Cannot push to the queue: it has ended");
    if (this.#stopped) return false;
    if (this.#taker !== null) {
      const take = this.#taker;
      this.#taker = null;
      take({ value: item, done: false });
      return true;
    }
    while (this.#items.length >= this.capacity && !this.#stopped) {
      await new Promise<void>((r) => this.#pushers.push(r));
    }
    if (this.#stopped) return false;
    this.#items.push(item);
    return true;
  }

  /** No more items: the consumer finishes after the waiting ones. Idempotent. */
  end(): void {
    this.#ended = true;
    if (this.#taker !== null && this.#items.length === 0) {
      const take = this.#taker;
      this.#taker = null;
      take({ value: undefined, done: true });
    }
  }

  #stop(): void {
    this.#stopped = true;
    this.#items.length = 0;
    for (const p of this.#pushers.splice(0)) p();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0) {
          const value = this.#items.shift()!;
          this.#pushers.shift()?.();
          return Promise.resolve({ value, done: false });
        }
        if (this.#ended || this.#stopped) {
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve) => (this.#taker = resolve));
      },
      return: () => {
        this.#stop();
        const take = this.#taker;
        this.#taker = null;
        take?.({ value: undefined, done: true });
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
