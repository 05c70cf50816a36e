/**
 * HTTP errors for the service: one class carrying status, code and details, rendered as
 * `{ "error": { "code", "message", "details" } }`.
 *
 * @module
 */

/** JSON-serializable details attached to an error. */
export type ErrorDetails = Record<string, unknown>;

/** The JSON body of every error response. */
export interface ErrorBody {
  /** What went wrong. */
  error: {
    /** Stable machine-readable code, e.g. `payload_too_large`. */
    code: string;
    /** One readable sentence: what could not be done, then the detail. */
    message: string;
    /** Structured facts (limits, what was received); `{}` when there are none. */
    details: ErrorDetails;
  };
}

/**
 * An error with an HTTP status that the service answers as JSON. Route handlers throw it
 * for client errors; anything else thrown becomes a 500 whose message is not exposed.
 *
 * @example Reject a request
 * ```ts
 * import { HttpError } from "./errors.ts";
 * const e = new HttpError(400, "bad_request", "Cannot run: missing field `pipeline`");
 * console.log(e.toResponse().status); // 400
 * ```
 */
export class HttpError extends Error {
  /** HTTP status code. */
  readonly status: number;
  /** Stable machine-readable code. */
  readonly code: string;
  /** Structured details. */
  readonly details: ErrorDetails;
  /** Extra response headers (e.g. `Allow`, `Retry-After`). */
  readonly headers: Record<string, string>;

  /**
   * Create the error.
   *
   * @param status HTTP status (400..599).
   * @param code Machine-readable code.
   * @param message Readable message.
   * @param details Structured details.
   * @param headers Extra response headers.
   */
  constructor(
    status: number,
    code: string,
    message: string,
    details: ErrorDetails = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  /**
   * The JSON body.
   *
   * @returns `{ error: { code, message, details } }`.
   */
  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }

  /**
   * The error as a JSON response with its status and headers.
   *
   * @returns The response.
   */
  toResponse(): Response {
    return jsonResponse(this.toJSON(), { status: this.status, headers: this.headers });
  }
}

/**
 * A JSON response (`content-type: application/json; charset=utf-8`).
 *
 * @param data Any JSON-serializable value.
 * @param init Status and headers.
 * @returns The response.
 *
 * @example
 * ```ts
 * import { jsonResponse } from "./errors.ts";
 * const res = jsonResponse({ segments: [] });
 * console.log(res.headers.get("content-type")); // application/json; charset=utf-8
 * ```
 */
export function jsonResponse(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(data), { ...init, headers });
}
