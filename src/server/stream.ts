/**
 * The streaming WebSocket protocol (`GET /v1/stream`) and its per-connection driver.
 *
 * Client -> server: first a text message
 * `{"type": "start", "sample_rate": 16000, "format": "s16" | "f32", "channels": 1, ...}`
 * (any other fields, e.g. `"pipeline"`, are passed through), then binary messages of
 * interleaved little-endian PCM, then `{"type": "stop"}` for a clean close.
 *
 * Server -> client: `{"type": "ready"}` after the start; whatever the handler returns
 * (objects as JSON text, bytes as binary) in order; on stop the handler's flush, then
 * `{"type": "end"}` and close code 1000. A protocol or handler error sends
 * `{"type": "error", "error": {code, message, details}}` and closes with 1007 (bad
 * data), 1008 (protocol, idle), 1009 (frame too large), 1013 (overloaded) or 1011.
 *
 * @module
 */

import { int16ToFloat32 } from "../dsp/convert.ts";
import { type ErrorDetails, HttpError } from "./errors.ts";

/** PCM sample formats a stream can carry. */
export type PcmFormat = "s16" | "f32";

/** A validated start message. */
export interface StreamStart {
  /** Sample rate in Hz (`sample_rate`). */
  sampleRate: number;
  /** Binary frame format (`format`). */
  format: PcmFormat;
  /** Interleaved channel count (`channels`, default 1). */
  channels: number;
  /** The `pipeline` field, when given. */
  pipeline?: string;
  /** The whole start message as sent. */
  message: Record<string, unknown>;
}

/** One thing to send: an object (as JSON text) or bytes (as a binary message). */
export type StreamOutput = Record<string, unknown> | Uint8Array;

/** What a handler callback returns: outputs to send now, possibly asynchronously. */
export type StreamOutputs =
  | readonly StreamOutput[]
  | void
  | Promise<readonly StreamOutput[] | void>;

/**
 * Sends outputs now, outside any callback (e.g. results of asynchronous work as they are
 * ready). Dropped once the socket is closing or closed. Outputs emitted before a callback
 * settles go out before what that callback returns.
 */
export type StreamEmit = (outputs: readonly StreamOutput[]) => void;

/**
 * A per-connection stream handler (e.g. a streaming pipeline). Callbacks run strictly in
 * message order, one at a time.
 */
export interface StreamHandler {
  /**
   * The start message arrived; throw an {@link HttpError} to refuse it. `emit` sends
   * outputs at any later time, until the socket closes (after `onClose` settles).
   */
  onStart(start: StreamStart, emit: StreamEmit): StreamOutputs;
  /**
   * A binary frame as float32 interleaved samples. The array is valid only until the
   * returned promise settles (it may view a reused buffer).
   */
  onAudio(samples: Float32Array): StreamOutputs;
  /**
   * The stream ends: return the flush. Called exactly once per handler that was started,
   * also when the client just disconnects (then the outputs are dropped).
   */
  onClose(): StreamOutputs;
}

/** Makes a handler for each accepted connection. */
export type StreamHandlerFactory = (req: Request) => StreamHandler;

/** Limits for one stream connection. */
export interface StreamLimits {
  /** Largest binary or text message accepted, in bytes. */
  wsMaxFrameBytes: number;
  /** Close a connection that sends nothing for this long, in milliseconds. */
  wsIdleTimeoutMs: number;
  /** Close a connection whose unprocessed messages pile up beyond this count. */
  wsMaxPendingFrames: number;
}

/** Error that closes a stream with a WebSocket close code. */
class StreamError extends Error {
  constructor(
    readonly closeCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

const FORMATS: readonly PcmFormat[] = ["s16", "f32"];

/**
 * Validate a start message (the object parsed from the first text frame).
 *
 * @param msg The parsed message.
 * @returns The validated start.
 * @throws {HttpError} 400 `bad_start` naming the field.
 *
 * @example
 * ```ts
 * import { parseStartMessage } from "./stream.ts";
 * const s = parseStartMessage({ type: "start", sample_rate: 16000, format: "s16" });
 * console.log(s.sampleRate, s.format, s.channels); // 16000 s16 1
 * ```
 */
export function parseStartMessage(msg: unknown): StreamStart {
  const bad = (field: string, detail: string): never => {
    throw new HttpError(400, "bad_start", `Cannot start the stream: ${field} ${detail}`, {
      field,
    });
  };
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    bad("message", "is not a JSON object");
  }
  const m = msg as Record<string, unknown>;
  if (m.type !== "start") bad("type", `is ${JSON.stringify(m.type)}, expected "start"`);
  const rate = m.sample_rate;
  if (typeof rate !== "number" || !Number.isInteger(rate) || rate < 1000 || rate > 384000) {
    bad("sample_rate", `${JSON.stringify(rate)} is not an integer in 1000..384000`);
  }
  const format = m.format ?? "s16";
  if (!FORMATS.includes(format as PcmFormat)) {
    bad("format", `${JSON.stringify(format)} is not "s16" or "f32"`);
  }
  const channels = m.channels ?? 1;
  if (typeof channels !== "number" || !Number.isInteger(channels) || channels < 1 || channels > 8) {
    bad("channels", `${JSON.stringify(channels)} is not an integer in 1..8`);
  }
  if (m.pipeline !== undefined && typeof m.pipeline !== "string") {
    bad("pipeline", "is not a string");
  }
  const start: StreamStart = {
    sampleRate: rate as number,
    format: format as PcmFormat,
    channels: channels as number,
    message: m,
  };
  if (typeof m.pipeline === "string") start.pipeline = m.pipeline;
  return start;
}

/**
 * Drive one accepted WebSocket with a handler: parse the protocol, convert PCM to float32
 * (reusing one buffer), run the callbacks one at a time in message order, enforce the
 * limits, and close cleanly. Never throws; every failure becomes an error message and a
 * close, and unexpected handler errors also go to `onFailure`.
 *
 * @param socket The server side of an upgraded socket (before it opens).
 * @param handler The connection's handler.
 * @param limits Frame size, idle time and queue limits.
 * @param onEnd Called once when the connection is over and the handler has closed.
 * @param onFailure Called with unexpected handler errors (for logging).
 *
 * @example Upgrade and attach a handler
 * ```ts ignore
 * const { socket, response } = Deno.upgradeWebSocket(req);
 * attachStream(socket, handler, limits, () => {}, console.error);
 * return response;
 * ```
 */
export function attachStream(
  socket: WebSocket,
  handler: StreamHandler,
  limits: StreamLimits,
  onEnd: () => void,
  onFailure: (error: unknown) => void,
): void {
  socket.binaryType = "arraybuffer";
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let accepting = true; // false after stop, an error or the client's close
  let start: StreamStart | undefined;
  let handlerClosed = false;
  let ended = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let scratch = new Float32Array(0);

  /** Run `task` after everything scheduled before it; callbacks never overlap. */
  const schedule = (task: () => Promise<void>) => {
    chain = chain.then(task).catch(onFailure);
  };

  const send = (outputs: readonly StreamOutput[] | void) => {
    if (!outputs || socket.readyState !== WebSocket.OPEN) return;
    for (const o of outputs) socket.send(o instanceof Uint8Array ? o : JSON.stringify(o));
  };

  const stopTimer = () => {
    if (idle !== undefined) clearTimeout(idle);
    idle = undefined;
  };

  const closeHandler = async (sendFlush: boolean) => {
    if (start === undefined || handlerClosed) return;
    handlerClosed = true;
    const outputs = await handler.onClose();
    if (sendFlush) send(outputs);
  };

  /** Refuse further input, tell the client why, close, then close the handler. */
  const abort = (e: unknown) => {
    accepting = false;
    stopTimer();
    let se: StreamError;
    if (e instanceof StreamError) se = e;
    else if (e instanceof HttpError) {
      se = new StreamError(e.status >= 500 ? 1011 : 1008, e.code, e.message, e.details);
    } else {
      onFailure(e);
      se = new StreamError(1011, "internal", "The stream handler failed");
    }
    if (socket.readyState === WebSocket.OPEN) {
      const error = { code: se.code, message: se.message, details: se.details };
      socket.send(JSON.stringify({ type: "error", error }));
      socket.close(se.closeCode, se.code);
    }
    schedule(() => closeHandler(false));
  };

  const armIdle = () => {
    stopTimer();
    idle = setTimeout(() => {
      idle = undefined;
      abort(
        new StreamError(
          1008,
          "idle_timeout",
          `Closing the stream: no message for ${limits.wsIdleTimeoutMs} ms`,
          { ws_idle_timeout_ms: limits.wsIdleTimeoutMs },
        ),
      );
    }, limits.wsIdleTimeoutMs);
  };

  const onText = async (text: string) => {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      throw new StreamError(
        1007,
        "malformed_json",
        `Cannot parse the message as JSON: ${e instanceof Error ? e.message : e}`,
      );
    }
    const type = (msg as { type?: unknown } | null)?.type;
    if (start === undefined) {
      if (type !== "start") {
        throw new StreamError(
          1008,
          "start_required",
          'The first message must be {"type": "start", ...}',
        );
      }
      let parsed: StreamStart;
      try {
        parsed = parseStartMessage(msg);
      } catch (e) {
        if (e instanceof HttpError) throw new StreamError(1008, e.code, e.message, e.details);
        throw e;
      }
      start = parsed;
      send(await handler.onStart(parsed, send));
      send([{ type: "ready" }]);
      return;
    }
    if (type === "stop") {
      accepting = false;
      stopTimer();
      await closeHandler(true);
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "end" }));
        socket.close(1000, "done");
      }
      return;
    }
    if (type === "start") {
      throw new StreamError(1008, "already_started", "The stream has already started");
    }
    throw new StreamError(1008, "unknown_message", `Unknown message type ${JSON.stringify(type)}`);
  };

  const onBinary = async (data: ArrayBuffer) => {
    if (start === undefined) {
      throw new StreamError(1008, "start_required", "Audio arrived before the start message");
    }
    const unit = (start.format === "s16" ? 2 : 4) * start.channels;
    if (data.byteLength % unit !== 0) {
      throw new StreamError(
        1007,
        "bad_frame",
        `Cannot read the audio frame: ${data.byteLength} bytes is not a whole number of ` +
          `${start.channels}-channel ${start.format} frames (${unit} bytes each)`,
        { bytes: data.byteLength, frame_bytes: unit },
      );
    }
    let samples: Float32Array;
    if (start.format === "f32") {
      samples = new Float32Array(data);
    } else {
      const n = data.byteLength / 2;
      if (scratch.length < n) scratch = new Float32Array(n);
      samples = int16ToFloat32(new Int16Array(data), scratch.subarray(0, n));
    }
    send(await handler.onAudio(samples));
  };

  socket.onopen = () => armIdle();
  socket.onmessage = (ev: MessageEvent) => {
    if (!accepting) return;
    armIdle();
    const data = ev.data as string | ArrayBuffer;
    const size = typeof data === "string" ? data.length : data.byteLength;
    if (size > limits.wsMaxFrameBytes) {
      abort(
        new StreamError(
          1009,
          "frame_too_large",
          `Cannot accept a ${size}-byte message: the limit is ${limits.wsMaxFrameBytes} bytes`,
          { ws_max_frame_bytes: limits.wsMaxFrameBytes, received_bytes: size },
        ),
      );
      return;
    }
    if (pending >= limits.wsMaxPendingFrames) {
      abort(
        new StreamError(
          1013,
          "overloaded",
          `Closing the stream: more than ${limits.wsMaxPendingFrames} messages are waiting`,
          { ws_max_pending_frames: limits.wsMaxPendingFrames },
        ),
      );
      return;
    }
    pending++;
    schedule(async () => {
      pending--;
      if (!accepting) return;
      try {
        if (typeof data === "string") await onText(data);
        else await onBinary(data);
      } catch (e) {
        abort(e);
      }
    });
  };
  socket.onclose = () => {
    accepting = false;
    stopTimer();
    schedule(async () => {
      try {
        await closeHandler(false);
      } finally {
        if (!ended) {
          ended = true;
          onEnd();
        }
      }
    });
  };
  socket.onerror = () => {};
}
