/**
 * Node errors and the fault-tolerance pieces the scheduler uses: retry with exponential
 * backoff (retryable errors only), a per-node circuit breaker, and an injectable clock so
 * tests can drive both without waiting.
 *
 * @module
 */

import { NativeError } from "../ffi/error.ts";

/** What a node was doing when it failed. */
export type NodeOperation = "create" | "process" | "flush" | "close";

/** Options for {@link NodeError}. */
export interface NodeErrorOptions {
  /** Node type (e.g. `"AudioResample"`), for the message. */
  nodeType?: string;
  /** Whether trying again may succeed. */
  retryable?: boolean;
  /**
   * How many times the operation was attempted.
   * @default {1}
   */
  attempts?: number;
}

/**
 * A node failed: carries the node id, the operation, whether it is retryable, how many
 * attempts were made, and the original error as `cause`.
 *
 * @example Inspect a failure
 * ```ts
 * import { NodeError } from "./errors.ts";
 * const e = new NodeError("resample", "process", new RangeError("bad rate"));
 * console.log(e.nodeId, e.operation, e.retryable); // resample process false
 * console.log(e.message); // Node "resample" failed to process: bad rate
 * ```
 */
export class NodeError extends Error {
  /** The failing node's id. */
  readonly nodeId: string;
  /** The failing node's type, when known. */
  readonly nodeType: string | undefined;
  /** The operation that failed. */
  readonly operation: NodeOperation;
  /** Whether the failure is transient (retrying may succeed). */
  readonly retryable: boolean;
  /** Attempts made (1 + retries). */
  readonly attempts: number;

  /**
   * Wrap `cause` as a failure of node `nodeId` during `operation`.
   *
   * @param nodeId The node id.
   * @param operation What it was doing.
   * @param cause The original error.
   * @param options Node type, retryability, attempt count.
   */
  constructor(
    nodeId: string,
    operation: NodeOperation,
    cause: unknown,
    options?: NodeErrorOptions,
  ) {
    const what = options?.nodeType ? `Node "${nodeId}" (${options.nodeType})` : `Node "${nodeId}"`;
    const tries = (options?.attempts ?? 1) > 1 ? ` after ${options?.attempts} attempts` : "";
    super(`${what} failed to ${operation}${tries}: ${messageOf(cause)}`, { cause });
    this.name = "NodeError";
    this.nodeId = nodeId;
    this.nodeType = options?.nodeType;
    this.operation = operation;
    this.retryable = options?.retryable ?? isRetryable(cause);
    this.attempts = options?.attempts ?? 1;
  }
}

/**
 * A transient failure a node throws to ask for a retry (device busy, connection reset).
 *
 * @example
 * ```ts
 * import { isRetryable, RetryableError } from "./errors.ts";
 * const e = new RetryableError("Cannot run inference: device queue is full");
 * console.log(isRetryable(e)); // true
 * ```
 */
export class RetryableError extends Error {
  /** Always true: marks the error as transient. */
  readonly retryable = true;

  /**
   * Create the error.
   *
   * @param message What could not be done, then the detail.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RetryableError";
  }
}

/**
 * Thrown in place of calling a node while its circuit breaker is open.
 *
 * @example
 * ```ts
 * import { CircuitOpenError } from "./errors.ts";
 * console.log(new CircuitOpenError(5, 1200).message);
 * ```
 */
export class CircuitOpenError extends Error {
  /**
   * Create the error.
   *
   * @param failures Consecutive failures that opened the breaker.
   * @param retryInMs Milliseconds until the breaker half-opens.
   */
  constructor(failures: number, retryInMs: number) {
    super(
      `Cannot call the node: circuit breaker is open after ${failures} consecutive failures ` +
        `(half-opens in ${Math.max(0, Math.round(retryInMs))} ms)`,
    );
    this.name = "CircuitOpenError";
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const RETRYABLE_NATIVE = new Set([-5, -11, -12]); // device unavailable, busy, timeout

/**
 * Whether an error is transient: it has `retryable: true` (e.g. {@link RetryableError}),
 * or it is a `NativeError` for an unavailable/busy device or a timeout, or one of Deno's
 * transient I/O errors. Everything else (bad input, bad state) is not retried.
 *
 * @param e The error.
 * @returns True if retrying may succeed.
 *
 * @example
 * ```ts
 * import { isRetryable, RetryableError } from "./errors.ts";
 * console.log(isRetryable(new RetryableError("busy")), isRetryable(new RangeError("x"))); // true false
 * ```
 */
export function isRetryable(e: unknown): boolean {
  if (typeof e === "object" && e !== null && (e as { retryable?: unknown }).retryable === true) {
    return true;
  }
  if (e instanceof NativeError) return RETRYABLE_NATIVE.has(e.code);
  return e instanceof Deno.errors.TimedOut || e instanceof Deno.errors.Interrupted ||
    e instanceof Deno.errors.ConnectionReset || e instanceof Deno.errors.ConnectionAborted ||
    e instanceof Deno.errors.WouldBlock;
}

/** Time source for retries and breakers: replace it in tests to skip the waiting. */
export interface Clock {
  /** Current time in milliseconds (monotonic). */
  now(): number;
  /** Resolve after `ms` milliseconds, or early (without rejecting) once `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `performance.now()` and `setTimeout`.
 *
 * @example
 * ```ts
 * import { systemClock } from "./errors.ts";
 * await systemClock.sleep(1);
 * console.log(systemClock.now() > 0); // true
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(id);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const id = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** Retry policy for retryable errors (manifest `retry`). */
export interface RetryPolicy {
  /**
   * Retries after the first attempt (0 disables retrying).
   * @default {3}
   */
  max_retries: number;
  /**
   * Delay before the first retry, in milliseconds.
   * @default {100}
   */
  initial_backoff_ms: number;
  /**
   * Factor applied to the delay after each retry.
   * @default {2}
   */
  multiplier: number;
  /**
   * Upper bound on one delay, in milliseconds.
   * @default {30000}
   */
  max_backoff_ms: number;
}

/** Circuit breaker policy (manifest `circuit_breaker`). */
export interface BreakerPolicy {
  /**
   * Consecutive failed items (after retries) that open the breaker; 0 disables it.
   * @default {5}
   */
  failure_threshold: number;
  /**
   * Milliseconds the breaker stays open before letting one trial call through.
   * @default {30000}
   */
  reset_timeout_ms: number;
}

/**
 * Delay before retry number `retry` (0-based): `initial * multiplier^retry`, capped at
 * `max_backoff_ms`. The defaults give 100, 200, 400 ms.
 *
 * @param retry Which retry (0 for the first).
 * @param policy The retry policy.
 * @returns Milliseconds to wait.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./errors.ts";
 * const p = { max_retries: 3, initial_backoff_ms: 100, multiplier: 2, max_backoff_ms: 30000 };
 * console.log([0, 1, 2].map((r) => backoffDelay(r, p))); // [100, 200, 400]
 * ```
 */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  return Math.min(policy.initial_backoff_ms * policy.multiplier ** retry, policy.max_backoff_ms);
}

/** States of a {@link CircuitBreaker}. */
export type BreakerState = "closed" | "open" | "half-open";

/**
 * A per-node circuit breaker. Closed: calls go through; `failure_threshold` consecutive
 * failures open it. Open: calls are refused until `reset_timeout_ms` has passed, then it
 * half-opens. Half-open: one trial call goes through; success closes it, failure opens it
 * again for another `reset_timeout_ms`.
 *
 * @example Open after 2 failures, half-open after 1 s
 * ```ts
 * import { CircuitBreaker } from "./errors.ts";
 * let t = 0;
 * const b = new CircuitBreaker({ failure_threshold: 2, reset_timeout_ms: 1000 }, {
 *   now: () => t,
 *   sleep: () => Promise.resolve(),
 * });
 * b.onFailure();
 * b.onFailure();
 * console.log(b.state, b.allow()); // open false
 * t = 1000;
 * console.log(b.allow(), b.state); // true half-open
 * b.onSuccess();
 * console.log(b.state); // closed
 * ```
 */
export class CircuitBreaker {
  #policy: BreakerPolicy;
  #clock: Clock;
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  /**
   * Create a closed breaker.
   *
   * @param policy Threshold and reset timeout.
   * @param clock Time source.
   */
  constructor(policy: BreakerPolicy, clock: Clock = systemClock) {
    this.#policy = policy;
    this.#clock = clock;
  }

  /** Current state (an open breaker whose timeout has passed reads as half-open). */
  get state(): BreakerState {
    if (
      this.#state === "open" && this.#clock.now() - this.#openedAt >= this.#policy.reset_timeout_ms
    ) {
      return "half-open";
    }
    return this.#state;
  }

  /** Consecutive failures counted so far. */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Milliseconds until an open breaker half-opens (0 otherwise). */
  get retryInMs(): number {
    if (this.#state !== "open") return 0;
    return Math.max(0, this.#openedAt + this.#policy.reset_timeout_ms - this.#clock.now());
  }

  /**
   * Whether a call may go through now. In half-open state, admits one trial call.
   * @returns True to call the node, false to refuse.
   */
  allow(): boolean {
    if (this.#policy.failure_threshold <= 0) return true;
    const s = this.state;
    if (s === "closed") return true;
    if (s === "open") return false;
    if (this.#trialInFlight) return false;
    this.#state = "half-open";
    this.#trialInFlight = true;
    return true;
  }

  /** Record a successful call: closes the breaker and resets the count. */
  onSuccess(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    this.#state = "closed";
  }

  /** Record a failed call: opens the breaker at the threshold, or again after a failed trial. */
  onFailure(): void {
    this.#failures++;
    const trial = this.#trialInFlight;
    this.#trialInFlight = false;
    if (this.#policy.failure_threshold <= 0) return;
    if (trial || this.#failures >= this.#policy.failure_threshold) {
      this.#state = "open";
      this.#openedAt = this.#clock.now();
    }
  }
}
