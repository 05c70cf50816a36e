/**
 * The HTTP/WebSocket service framework behind `deno serve`: routing, JSON errors, limits
 * (body size, concurrent requests, per-request time, WebSocket frame size and idle time),
 * `GET /healthz` and the `GET /v1/stream` WebSocket. Route handlers and the stream handler
 * are injected, so the service itself holds no pipeline code.
 *
 * ```ts ignore
 * // serve.ts
 * const service = createService({ routes: [...], stream: (req) => makeHandler(req) });
 * export default { fetch: service.fetch };
 * ```
 *
 * Limits are per isolate: under `deno serve --parallel` each isolate enforces its own.
 *
 * @module
 */

import { HttpError, jsonResponse } from "./errors.ts";
import { readBody, readJson, readUpload, type Upload } from "./body.ts";
import { attachStream, type StreamHandlerFactory } from "./stream.ts";
import { decodeWav, type WavAudio } from "../io/wav.ts";

/** Every configurable limit of the service. */
export interface ServiceLimits {
  /** Largest request body in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Requests handled at once, per isolate (429 beyond). `/healthz` is not counted. */
  maxConcurrentRequests: number;
  /** Time for one request, body included, in ms (504 beyond). */
  requestTimeoutMs: number;
  /** Open `/v1/stream` connections at once (429 beyond). */
  maxStreams: number;
  /** Largest WebSocket message in bytes (close 1009 beyond). */
  wsMaxFrameBytes: number;
  /** Close a WebSocket that sends nothing for this long, in ms (close 1008). */
  wsIdleTimeoutMs: number;
  /** Close a WebSocket with more unprocessed messages than this (close 1013). */
  wsMaxPendingFrames: number;
}

/** Default limits. */
export const DEFAULT_LIMITS: Readonly<ServiceLimits> = Object.freeze({
  maxBodyBytes: 32 * 1024 * 1024,
  maxConcurrentRequests: 32,
  requestTimeoutMs: 30_000,
  maxStreams: 64,
  wsMaxFrameBytes: 1024 * 1024,
  wsIdleTimeoutMs: 30_000,
  wsMaxPendingFrames: 256,
});

/** What a route handler gets besides the request. */
export interface RequestContext {
  /** Path parameters (`/v1/pipelines/:name` gives `{ name }`), URI-decoded. */
  params: Record<string, string>;
  /** The parsed request URL. */
  url: URL;
  /** Aborted at the time limit; pass it on to long work. */
  signal: AbortSignal;
  /** The limits in force for this route. */
  limits: Readonly<ServiceLimits>;
  /** An id for this request (also the `x-request-id` response header). */
  requestId: string;
  /** Read the body as bytes within the size limit (413 beyond). */
  readBody(): Promise<Uint8Array>;
  /** Read a JSON body (415 for another type, 400 when malformed, 413). */
  readJson(): Promise<unknown>;
  /** Read a raw `audio/wav` body or a multipart form (415, 400, 413). */
  readUpload(audioField?: string): Promise<Upload>;
  /** Read and decode the uploaded WAV (400 `malformed_wav` naming the problem). */
  readWav(audioField?: string): Promise<{ wav: WavAudio; upload: Upload }>;
}

/** A route handler: return a response or throw an {@link HttpError}. */
export type RouteHandler = (req: Request, ctx: RequestContext) => Response | Promise<Response>;

/** One route. */
export interface Route {
  /** HTTP method, upper case. */
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  /** Path pattern: literal segments and `:name` parameters, e.g. `/v1/pipelines/:name`. */
  path: string;
  /** The handler. */
  handler: RouteHandler;
  /** Tighter or looser body-size and time limits for this route. */
  limits?: Partial<Pick<ServiceLimits, "maxBodyBytes" | "requestTimeoutMs">>;
  /** Do not count this route against `maxConcurrentRequests` (cheap reads like `/metrics`). */
  uncounted?: boolean;
}

/** A log record for a server-side failure (a 500 or a stream handler error). */
export interface ServiceLogEntry {
  /** The request id. */
  requestId: string;
  /** Method and path. */
  request: string;
  /** What was thrown. */
  error: unknown;
}

/** What {@link ServiceOptions.onResponse} learns about each answered request. */
export interface ResponseInfo {
  /** The request method. */
  method: string;
  /**
   * The matched route's path pattern (`/v1/pipelines/:name/run`), `/healthz`, the stream
   * path, or `(unmatched)` for a 404 and a bad path.
   */
  route: string;
  /** The response status. */
  status: number;
  /** The error code of an error response (`too_many_requests`, `payload_too_large`...). */
  code?: string;
  /** Time from the request's arrival to its response, in milliseconds. */
  durationMs: number;
}

/** Options for {@link createService}. */
export interface ServiceOptions {
  /** The routes (`/healthz` and the stream path are built in). */
  routes?: readonly Route[];
  /** Handler factory for the `GET /v1/stream` WebSocket; no stream endpoint without it. */
  stream?: StreamHandlerFactory;
  /**
   * Path of the WebSocket endpoint.
   * @default {"/v1/stream"}
   */
  streamPath?: string;
  /** Limits; unspecified ones take {@link DEFAULT_LIMITS}. */
  limits?: Partial<ServiceLimits>;
  /** Extra fields for the `/healthz` answer. */
  health?: () => Record<string, unknown>;
  /**
   * Where server-side failures are reported.
   * @default {one line on stderr}
   */
  log?: (entry: ServiceLogEntry) => void;
  /**
   * Called once per answered request, after its response is made (for request metrics).
   * It must not throw.
   */
  onResponse?: (info: ResponseInfo) => void;
}

/** Live counters of a service (this isolate). */
export interface ServiceStats {
  /** Requests being handled now (counted ones). */
  inFlight: number;
  /** Open stream connections. */
  streams: number;
  /** Requests answered since start, by status. */
  responses: Record<number, number>;
}

/** A running service: its `fetch` for `Deno.serve` / `deno serve`, limits and counters. */
export interface Service {
  /** The request handler; never throws. */
  fetch(req: Request, info?: Deno.ServeHandlerInfo): Promise<Response>;
  /** The limits in force. */
  readonly limits: Readonly<ServiceLimits>;
  /** Live counters. */
  stats(): ServiceStats;
}

interface CompiledRoute {
  route: Route;
  segments: Array<{ param: string } | { literal: string }>;
}

function compile(route: Route): CompiledRoute {
  if (!route.path.startsWith("/")) {
    throw new TypeError(`Cannot add route ${route.method} ${route.path}: path must start with /`);
  }
  const segments = route.path.split("/").slice(1).map((s) =>
    s.startsWith(":") ? { param: s.slice(1) } : { literal: s }
  );
  return { route, segments };
}

function match(c: CompiledRoute, parts: readonly string[]): Record<string, string> | null {
  if (parts.length !== c.segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = c.segments[i]!;
    const part = parts[i]!;
    if ("literal" in seg) {
      if (seg.literal !== part) return null;
    } else {
      if (part === "") return null;
      params[seg.param] = part;
    }
  }
  return params;
}

function checkLimits(limits: ServiceLimits): void {
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot create the service: limit ${key} = ${value} is not a positive integer`,
      );
    }
  }
  if (limits.requestTimeoutMs > 2 ** 31 - 1 || limits.wsIdleTimeoutMs > 2 ** 31 - 1) {
    throw new RangeError("Cannot create the service: a timeout is longer than 2^31-1 ms");
  }
}

function defaultLog(entry: ServiceLogEntry): void {
  const e = entry.error;
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(`remotemedia serve: ${entry.request} [${entry.requestId}] failed: ${text}`);
}

/**
 * Create the service: routes, built-in `/healthz`, the optional stream WebSocket, limits
 * and JSON errors. Nothing a client sends reaches anything but the injected handlers, and
 * every failure becomes a JSON error (a handler's unexpected exception is a 500 whose
 * detail goes to `log`, not to the client).
 *
 * Statuses: 400 malformed input, 404 unknown path, 405 wrong method (with `Allow`),
 * 413 body too large, 415 wrong content type, 426 stream without upgrade, 429 over the
 * concurrency or stream limit (with `Retry-After`), 504 over the time limit, 500 bugs.
 * A timed-out handler keeps its concurrency slot until it really finishes, so slow work
 * cannot pile up past the limit.
 *
 * @param options Routes, stream handler, limits, health fields and logger.
 * @returns The service.
 * @throws {RangeError} for a limit that is not a positive integer.
 * @throws {TypeError} for a route path that does not start with `/`.
 *
 * @example Serve one route on a loopback port
 * ```ts
 * import { createService, jsonResponse } from "../../mod.ts";
 * const service = createService({
 *   routes: [{ method: "GET", path: "/v1/hello", handler: () => jsonResponse({ hi: 1 }) }],
 *   limits: { maxConcurrentRequests: 4 },
 * });
 * const res = await service.fetch(new Request("http://localhost/v1/hello"));
 * console.log(res.status, await res.json()); // 200 { hi: 1 }
 * ```
 */
export function createService(options: ServiceOptions = {}): Service {
  const limits: ServiceLimits = { ...DEFAULT_LIMITS, ...options.limits };
  checkLimits(limits);
  const routes = (options.routes ?? []).map(compile);
  const streamPath = options.streamPath ?? "/v1/stream";
  const log = options.log ?? defaultLog;
  const started = Date.now();
  let inFlight = 0;
  let streams = 0;
  const responses: Record<number, number> = {};

  const count = (
    res: Response,
    method: string,
    route: string,
    t0: number,
    code?: string,
  ): Response => {
    responses[res.status] = (responses[res.status] ?? 0) + 1;
    if (options.onResponse) {
      const info: ResponseInfo = {
        method,
        route,
        status: res.status,
        durationMs: performance.now() - t0,
      };
      if (code !== undefined) info.code = code;
      options.onResponse(info);
    }
    return res;
  };

  const tooMany = (what: string, limit: number, key: string) =>
    new HttpError(
      429,
      "too_many_requests",
      `Cannot take the request: ${what} are at the limit of ${limit}`,
      { [key]: limit },
      { "retry-after": "1" },
    );

  const health = (): Response =>
    jsonResponse({
      status: "ok",
      uptime_s: Math.round((Date.now() - started) / 1000),
      in_flight: inFlight,
      streams,
      limits: {
        max_body_bytes: limits.maxBodyBytes,
        max_concurrent_requests: limits.maxConcurrentRequests,
        request_timeout_ms: limits.requestTimeoutMs,
        max_streams: limits.maxStreams,
        ws_max_frame_bytes: limits.wsMaxFrameBytes,
        ws_idle_timeout_ms: limits.wsIdleTimeoutMs,
      },
      ...options.health?.(),
    });

  const openStream = (req: Request, requestId: string): Response => {
    if (req.method !== "GET") {
      throw new HttpError(405, "method_not_allowed", `Cannot ${req.method} ${streamPath}`, {
        allowed: ["GET"],
      }, { allow: "GET" });
    }
    if ((req.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
      throw new HttpError(
        426,
        "upgrade_required",
        `Cannot open ${streamPath}: it is a WebSocket endpoint (send "Upgrade: websocket")`,
        {},
        { upgrade: "websocket" },
      );
    }
    if (streams >= limits.maxStreams) {
      throw tooMany("open streams", limits.maxStreams, "max_streams");
    }
    const handler = options.stream!(req);
    const { socket, response } = Deno.upgradeWebSocket(req);
    streams++;
    attachStream(
      socket,
      handler,
      limits,
      () => streams--,
      (error) => log({ requestId, request: `GET ${streamPath}`, error }),
    );
    return response;
  };

  const runRoute = async (
    req: Request,
    url: URL,
    compiled: CompiledRoute,
    params: Record<string, string>,
    requestId: string,
  ): Promise<Response> => {
    const { route } = compiled;
    const routeLimits: ServiceLimits = { ...limits, ...route.limits };
    const ac = new AbortController();
    const timeout = new HttpError(
      504,
      "timeout",
      `Cannot finish ${route.method} ${url.pathname} within ${routeLimits.requestTimeoutMs} ms`,
      { request_timeout_ms: routeLimits.requestTimeoutMs },
    );
    let timedOut: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      timedOut = () => reject(timeout);
    });
    expired.catch(() => {});
    const timer = setTimeout(() => {
      ac.abort(timeout);
      timedOut!();
    }, routeLimits.requestTimeoutMs);
    const bodyOptions = { maxBytes: routeLimits.maxBodyBytes, signal: ac.signal };
    const ctx: RequestContext = {
      params,
      url,
      signal: ac.signal,
      limits: routeLimits,
      requestId,
      readBody: () => readBody(req, bodyOptions),
      readJson: () => readJson(req, bodyOptions),
      readUpload: (audioField) => readUpload(req, { ...bodyOptions, audioField }),
      readWav: async (audioField) => {
        const upload = await readUpload(req, { ...bodyOptions, audioField });
        if (upload.audio === undefined) {
          throw new HttpError(
            400,
            "missing_audio",
            `Cannot read the upload: no audio part (expected a part named ` +
              `${audioField ? `"${audioField}"` : `"audio" or "file"`}, or a file part)`,
            { parts: upload.parts.map((p) => p.name) },
          );
        }
        try {
          return { wav: decodeWav(upload.audio), upload };
        } catch (e) {
          if (e instanceof TypeError || e instanceof RangeError) {
            throw new HttpError(400, "malformed_wav", e.message);
          }
          throw e;
        }
      },
    };
    const counted = !route.uncounted;
    if (counted) inFlight++;
    const work = (async () => await route.handler(req, ctx))();
    const settled = work.then(() => {}, () => {}).finally(() => {
      clearTimeout(timer);
      if (counted) inFlight--;
    });
    void settled;
    return await Promise.race([work, expired]);
  };

  const fetch = async (req: Request, _info?: Deno.ServeHandlerInfo): Promise<Response> => {
    const requestId = crypto.randomUUID();
    const t0 = performance.now();
    let url: URL | undefined;
    let route = "(unmatched)";
    try {
      url = new URL(req.url);
      if (url.pathname === "/healthz") {
        if (req.method !== "GET" && req.method !== "HEAD") {
          throw new HttpError(405, "method_not_allowed", `Cannot ${req.method} /healthz`, {
            allowed: ["GET"],
          }, { allow: "GET" });
        }
        return count(health(), req.method, "/healthz", t0);
      }
      if (options.stream && url.pathname === streamPath) {
        route = streamPath;
        return count(openStream(req, requestId), req.method, route, t0);
      }
      let parts: string[];
      try {
        parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
      } catch {
        throw new HttpError(
          400,
          "bad_request",
          `Cannot route ${url.pathname}: bad percent-encoding`,
        );
      }
      const matches = routes
        .map((c) => ({ c, params: match(c, parts) }))
        .filter((m) => m.params !== null);
      if (matches.length === 0) {
        throw new HttpError(404, "not_found", `No route for ${url.pathname}`, {
          path: url.pathname,
        });
      }
      route = matches[0]!.c.route.path;
      const hit = matches.find((m) => m.c.route.method === req.method);
      if (hit === undefined) {
        const allowed = [...new Set(matches.map((m) => m.c.route.method))];
        throw new HttpError(
          405,
          "method_not_allowed",
          `Cannot ${req.method} ${url.pathname}: allowed ${allowed.join(", ")}`,
          { allowed },
          { allow: allowed.join(", ") },
        );
      }
      route = hit.c.route.path;
      if (!hit.c.route.uncounted && inFlight >= limits.maxConcurrentRequests) {
        throw tooMany(
          "requests in flight",
          limits.maxConcurrentRequests,
          "max_concurrent_requests",
        );
      }
      const res = await runRoute(req, url, hit.c, hit.params!, requestId);
      if (!res.headers.has("x-request-id")) {
        try {
          res.headers.set("x-request-id", requestId);
        } catch {
          // immutable headers (e.g. a Response.redirect): leave them
        }
      }
      return count(res, req.method, route, t0);
    } catch (e) {
      let err: HttpError;
      if (e instanceof HttpError) err = e;
      else {
        log({ requestId, request: `${req.method} ${url?.pathname ?? req.url}`, error: e });
        err = new HttpError(500, "internal", "Internal error", { request_id: requestId });
      }
      const res = err.toResponse();
      res.headers.set("x-request-id", requestId);
      return count(res, req.method, route, t0, err.code);
    }
  };

  return {
    fetch,
    limits,
    stats: () => ({ inFlight, streams, responses: { ...responses } }),
  };
}
