/**
 * The remotemedia service: the HTTP and WebSocket API over the pipeline runtime, built on
 * {@link createService}. `src/server/serve.ts` exports it for `deno serve`.
 *
 * | route | what |
 * |---|---|
 * | `POST /v1/pipelines/run` | multipart `manifest` (JSON) + `audio` (WAV), or `?pipeline=<preset>` with an `audio/wav` body; `?output=json\|wav\|npy` |
 * | `POST /v1/pipelines/:name/run` | a preset on an `audio/wav` body (or multipart `audio`) |
 * | `GET /v1/pipelines` | the presets and their manifests |
 * | `POST /v1/audio/vad` | `{ segments: [{ start, end }], engine, duration_s }`; `?engine=classic\|silero` |
 * | `POST /v1/audio/mel` | Whisper log-mel as `.npy` (default) or JSON; `?n_mels=80\|128&layout=&format=` |
 * | `GET /v1/stream` | WebSocket: start message, PCM frames, events and tensors back |
 * | `GET /v1/nodes` | node types clients may use, with params JSON Schemas |
 * | `GET /metrics` | Prometheus text: pipeline aggregates and service counters |
 * | `GET /healthz` | status, limits, isolate id, native library and Silero state |
 *
 * Audio uploads are WAV files of any rate and channel count (the audio routes downmix and
 * resample to 16 kHz). Manifests sent by clients are checked against a registry without
 * the node types that open files (`OnnxModel`), so nothing a client sends can read a file
 * or load a library. Every error is JSON `{ "error": { "code", "message", "details" } }`.
 *
 * `/v1/stream` protocol: the client sends `{"type": "start", "sample_rate": 48000,
 * "format": "s16" | "f32", "channels": 1, "pipeline": "voice-frontend"}` (or
 * `"manifest": {...}` instead of `"pipeline"`; optional `"tensor_encoding": "array"`), then
 * binary frames of interleaved little-endian PCM (20 ms is typical), then
 * `{"type": "stop"}`. The server answers `{"type": "pipeline", "name", "source", "nodes"}`
 * and `{"type": "ready"}`, then, as the pipeline produces them,
 * `{"type": "event", "node", "kind": "speech_start" | "speech_end" | ..., "time"}` (seconds)
 * and `{"type": "tensor", "node", "dtype", "shape", "encoding", "data"}` (audio outputs:
 * `{"type": "audio", "node", "sample_rate", "channels", "timestamp", "frames", "encoding",
 * "data"}`); on stop the pipeline's flush, then `{"type": "end"}` and close 1000. Tensor
 * and audio `data` is base64 of the little-endian elements in C order by default (exact,
 * and about a third of the size of decimal JSON); `"tensor_encoding": "array"` sends a
 * flat JSON number array instead. Frames wait in a small per-connection queue; a client
 * that outruns its pipeline is closed with 1013 when `wsMaxPendingFrames` messages wait.
 *
 * State is per isolate: under `deno serve --parallel` each isolate loads the native
 * library once at startup, enforces its own limits and reports its own `/metrics`.
 *
 * @module
 */

import { to16kMono } from "../dsp/_prepare.ts";
import { SileroVad } from "../device/silero.ts";
import { whisperLogMelAsync } from "../dsp/mel.ts";
import { resolveNative } from "../dsp/_backend.ts";
import { nativeUnavailableReason, tryNative } from "../ffi/loader.ts";
import { encodeNpy } from "../io/npy.ts";
import { encodeWav } from "../io/wav.ts";
import { defaultRegistry } from "../nodes/builtin.ts";
import { audio, type AudioData, type TensorData } from "../pipeline/data.ts";
import { NodeError } from "../pipeline/errors.ts";
import type { PipelineOutput } from "../pipeline/pipeline.ts";
import { listPresets, presetNames } from "../pipeline/presets.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";
import { concatAudio, concatTensors, summarize } from "../pipeline/_outputs.ts";
import { AppMetrics } from "./_app_metrics.ts";
import { clientRegistry, openPipeline, type PipelineResolver } from "./_pipelines.ts";
import { streamPipelineHandler } from "./_stream_pipeline.ts";
import {
  type ClassicVadOptions,
  detectClassic,
  detectSilero,
  sileroInstalled,
  VAD_ENGINES,
} from "./_vad_engines.ts";
import { HttpError, jsonResponse } from "./errors.ts";
import {
  createService,
  type RequestContext,
  type Route,
  type Service,
  type ServiceLimits,
  type ServiceLogEntry,
} from "./service.ts";

/** Options for {@link createApp}. */
export interface AppOptions {
  /** Limits; unspecified ones take `DEFAULT_LIMITS`. */
  limits?: Partial<ServiceLimits>;
  /**
   * Node types for presets; client manifests get a copy without `OnnxModel`.
   * @default {defaultRegistry}
   */
  registry?: NodeRegistry;
  /**
   * Most nodes in a manifest sent by a client.
   * @default {64}
   */
  maxManifestNodes?: number;
  /**
   * Audio frames of a `/v1/stream` connection that may wait for its pipeline before the
   * connection stops reading (then the framework's `wsMaxPendingFrames` applies).
   * @default {8}
   */
  streamQueueFrames?: number;
  /**
   * Open a Silero VAD session at startup (when the model is installed) and keep it, so
   * `?engine=silero` requests only bind to the loaded model.
   * @default {true}
   */
  warmSilero?: boolean;
  /**
   * Where server-side failures are reported.
   * @default {one line on stderr}
   */
  log?: (entry: ServiceLogEntry) => void;
}

/** The running service of one isolate. */
export interface App extends AsyncDisposable {
  /** The request handler for `Deno.serve` / `deno serve`; never throws. */
  fetch(req: Request, info?: Deno.ServeHandlerInfo): Promise<Response>;
  /** The underlying service (limits, counters). */
  readonly service: Service;
  /** The node types client manifests may use. */
  readonly clientRegistry: NodeRegistry;
  /** A random id of this isolate's app (in `/healthz`). */
  readonly isolate: string;
  /**
   * The `/metrics` text.
   * @returns Prometheus text exposition.
   */
  metricsText(): string;
  /**
   * Release what startup acquired (the warm Silero session). Idempotent.
   * @returns Resolves when released.
   */
  close(): Promise<void>;
}

type Query = URLSearchParams;

function choice<T extends string>(q: Query, name: string, allowed: readonly T[], dflt: T): T {
  const v = q.get(name);
  if (v === null) return dflt;
  if (!allowed.includes(v as T)) {
    throw new HttpError(
      400,
      "bad_parameter",
      `Cannot read query parameter ${name}: "${v}" is not one of ${allowed.join(", ")}`,
      { parameter: name, value: v, allowed: [...allowed] },
    );
  }
  return v as T;
}

function runFailure(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof NodeError) {
    const cause = e.cause instanceof Error ? e.cause.message : String(e.cause);
    return new HttpError(
      422,
      "pipeline_failed",
      `Cannot run the pipeline: node "${e.nodeId}" failed in ${e.operation}: ${cause}`,
      { node: e.nodeId, operation: e.operation },
    );
  }
  throw e;
}

function noOutput(kind: string, outputs: PipelineOutput[]): HttpError {
  const errors = outputs.filter((o) => o.data.type === "event" && o.data.kind === "error")
    .map(summarize);
  return new HttpError(
    422,
    "no_output",
    `Cannot answer with ${kind}: the pipeline produced no ${
      kind === "wav" ? "audio" : "float32 tensor"
    }`,
    { errors },
  );
}

/**
 * Create the service with every route wired to the runtime. Loads the native library
 * now (so no request loads it) and, when the model is installed, opens a Silero session.
 *
 * @param options Limits, registry, stream queue, Silero warm-up, logger.
 * @returns The app; `close()` it when done.
 * @throws {RangeError} for a limit or option that is not a positive integer.
 *
 * @example Serve on a loopback port
 * ```ts ignore
 * import { createApp } from "@remotemedia/edge";
 * await using app = await createApp({ limits: { maxConcurrentRequests: 8 } });
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 8000 }, app.fetch);
 * ```
 *
 * @example Ask for the presets without a network
 * ```ts
 * import { createApp } from "../../mod.ts";
 * await using app = await createApp({ warmSilero: false });
 * const res = await app.fetch(new Request("http://localhost/v1/pipelines"));
 * console.log((await res.json()).pipelines.map((p: { name: string }) => p.name));
 * ```
 */
export async function createApp(options: AppOptions = {}): Promise<App> {
  const maxManifestNodes = options.maxManifestNodes ?? 64;
  const queueFrames = options.streamQueueFrames ?? 8;
  for (
    const [k, v] of [["maxManifestNodes", maxManifestNodes], ["streamQueueFrames", queueFrames]]
  ) {
    if (!Number.isSafeInteger(v) || (v as number) < 1) {
      throw new RangeError(`Cannot create the app: ${k} = ${v} is not a positive integer`);
    }
  }
  const isolate = crypto.randomUUID().slice(0, 8);
  const base = options.registry ?? defaultRegistry;
  const resolver: PipelineResolver = {
    presetRegistry: base,
    clientRegistry: clientRegistry(base),
    maxManifestNodes,
  };
  const metrics = new AppMetrics();

  // Startup: the native library (the TS fallback says so once on stderr), then Silero.
  const lib = tryNative();
  if (lib === null) resolveNative("auto");
  let sileroAvailable = sileroInstalled();
  let warmVad: SileroVad | null = null;
  if (sileroAvailable && options.warmSilero !== false && lib !== null) {
    try {
      warmVad = await SileroVad.create();
    } catch (e) {
      sileroAvailable = false;
      console.error(
        `remotemedia serve: Silero VAD unavailable: ${
          (e instanceof Error ? e.message : String(e)).split("\n")[0]
        }`,
      );
    }
  }

  const runPipeline = async (ctx: RequestContext, name: string | undefined) => {
    const q = ctx.url.searchParams;
    const output = choice(q, "output", ["json", "wav", "npy"] as const, "json");
    const { wav, upload } = await ctx.readWav();
    const preset = name ?? q.get("pipeline") ?? upload.fields.pipeline;
    const { pipeline, source } = openPipeline(
      { preset: preset ?? undefined, manifest: upload.fields.manifest },
      resolver,
    );
    const stop = () => void pipeline.close();
    ctx.signal.addEventListener("abort", stop, { once: true });
    let outputs: PipelineOutput[];
    let ok = false;
    try {
      outputs = await pipeline.run(audio(wav.samples, wav.sampleRate, wav.channels));
      ok = true;
    } catch (e) {
      throw runFailure(e);
    } finally {
      ctx.signal.removeEventListener("abort", stop);
      await pipeline.close();
      metrics.runFinished(source, pipeline, ok);
    }
    if (output === "wav") {
      const items = outputs.map((o) => o.data).filter((d): d is AudioData => d.type === "audio");
      if (items.length === 0) throw noOutput("wav", outputs);
      let a: AudioData;
      try {
        a = concatAudio(items);
      } catch (e) {
        throw new HttpError(422, "bad_output", (e as Error).message);
      }
      const body = encodeWav(a.samples, {
        sampleRate: a.sampleRate,
        channels: a.channels,
        encoding: wav.encoding,
      });
      return new Response(body as Uint8Array<ArrayBuffer>, {
        headers: { "content-type": "audio/wav" },
      });
    }
    if (output === "npy") {
      const items = outputs.map((o) => o.data).filter((d): d is TensorData => d.type === "tensor");
      if (items.length === 0) throw noOutput("npy", outputs);
      let t: { data: Float32Array; shape: number[] };
      try {
        t = concatTensors(items);
      } catch (e) {
        throw new HttpError(422, "bad_output", (e as Error).message);
      }
      return new Response(encodeNpy(t.data, t.shape), {
        headers: {
          "content-type": "application/octet-stream",
          "x-remotemedia-shape": t.shape.join(","),
        },
      });
    }
    const summary = outputs.map(summarize);
    return jsonResponse({
      pipeline: pipeline.name,
      source,
      outputs: summary,
      errors: summary.filter((s) => s.type === "event" && s.kind === "error").length,
      metrics: pipeline.metrics(),
    });
  };

  const vad = async (ctx: RequestContext) => {
    const q = ctx.url.searchParams;
    const engine = choice(q, "engine", VAD_ENGINES, "classic");
    const classic: ClassicVadOptions = {};
    const frameMs = choice(q, "frame_ms", ["10", "20", "30"] as const, "30");
    if (q.has("frame_ms")) classic.frameMs = Number(frameMs) as 10 | 20 | 30;
    const mode = choice(q, "mode", ["0", "1", "2", "3"] as const, "0");
    if (q.has("mode")) classic.mode = Number(mode) as 0 | 1 | 2 | 3;
    const { wav } = await ctx.readWav();
    const x = to16kMono(wav.samples, wav.sampleRate, wav.channels);
    const segments = x.length === 0
      ? []
      : engine === "classic"
      ? detectClassic(x, classic)
      : await detectSilero(x);
    return jsonResponse({
      segments: segments.map((s) => ({ start: s.start, end: s.end })),
      engine,
      duration_s: wav.frames / wav.sampleRate,
    });
  };

  const mel = async (ctx: RequestContext) => {
    const q = ctx.url.searchParams;
    const nMels = Number(choice(q, "n_mels", ["80", "128"] as const, "80")) as 80 | 128;
    const layout = choice(q, "layout", ["mel-major", "frame-major"] as const, "mel-major");
    const format = choice(q, "format", ["npy", "json"] as const, "npy");
    const { wav } = await ctx.readWav();
    const x = to16kMono(wav.samples, wav.sampleRate, wav.channels);
    if (x.length < 201) {
      throw new HttpError(
        400,
        "audio_too_short",
        `Cannot compute log-mel: the audio has ${x.length} samples at 16 kHz; at least 201 ` +
          "are needed",
        { samples_16k: x.length, min_samples_16k: 201 },
      );
    }
    const m = await whisperLogMelAsync(x, { nMels, layout });
    const shape = layout === "mel-major" ? [m.nMels, m.nFrames] : [m.nFrames, m.nMels];
    if (format === "json") {
      return jsonResponse({
        n_mels: m.nMels,
        n_frames: m.nFrames,
        layout,
        dtype: "float32",
        shape,
        data: Array.from(m.data),
      });
    }
    return new Response(encodeNpy(m.data, shape), {
      headers: {
        "content-type": "application/octet-stream",
        "x-remotemedia-shape": shape.join(","),
      },
    });
  };

  const nodesBody = JSON.stringify({ nodes: resolver.clientRegistry.list() });
  const routes: Route[] = [
    {
      method: "POST",
      path: "/v1/pipelines/run",
      handler: (_r, ctx) => runPipeline(ctx, undefined),
    },
    {
      method: "POST",
      path: "/v1/pipelines/:name/run",
      handler: (_r, ctx) => runPipeline(ctx, ctx.params.name),
    },
    {
      method: "GET",
      path: "/v1/pipelines",
      uncounted: true,
      handler: () => jsonResponse({ pipelines: listPresets() }),
    },
    { method: "POST", path: "/v1/audio/vad", handler: (_r, ctx) => vad(ctx) },
    { method: "POST", path: "/v1/audio/mel", handler: (_r, ctx) => mel(ctx) },
    {
      method: "GET",
      path: "/v1/nodes",
      uncounted: true,
      handler: () =>
        new Response(nodesBody, { headers: { "content-type": "application/json; charset=utf-8" } }),
    },
    {
      method: "GET",
      path: "/metrics",
      uncounted: true,
      handler: () =>
        new Response(metricsText(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        }),
    },
  ];
  const metricsText = () => metrics.prometheus(service.stats(), lib !== null);
  const service: Service = createService({
    routes,
    stream: streamPipelineHandler({ resolver, metrics, queueFrames }),
    limits: options.limits,
    log: options.log,
    onResponse: (info) => metrics.response(info),
    health: () => ({
      isolate,
      native: lib === null
        ? { loaded: false, reason: (nativeUnavailableReason() ?? "").split("\n")[0] }
        : { loaded: true, version: lib.version },
      silero: { available: sileroAvailable, warm: warmVad !== null },
      pipelines: presetNames(),
    }),
  });

  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      warmVad?.close();
      warmVad = null;
    }
    return Promise.resolve();
  };
  return {
    fetch: service.fetch,
    service,
    clientRegistry: resolver.clientRegistry,
    isolate,
    metricsText,
    close,
    [Symbol.asyncDispose]: close,
  };
}
