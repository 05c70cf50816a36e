/**
 * The service for `deno serve`:
 *
 * ```sh
 * deno task serve                                   # deno serve --allow-all src/server/serve.ts
 * deno serve --allow-all --parallel --port 8000 src/server/serve.ts   # one isolate per core
 * ```
 *
 * Each isolate creates the app at startup (loading the native library, and opening a
 * Silero VAD session when the model is installed) and holds its own limits and metrics.
 *
 * Configuration (environment variables; unset means the default):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `REMOTEMEDIA_MAX_BODY_BYTES` | 33554432 (32 MiB) | largest request body (413 beyond) |
 * | `REMOTEMEDIA_MAX_CONCURRENCY` | 32 | requests in flight per isolate (429 beyond) |
 * | `REMOTEMEDIA_TIMEOUT_MS` | 30000 | time for one request, body included (504 beyond) |
 * | `REMOTEMEDIA_MAX_STREAMS` | 64 | open `/v1/stream` WebSockets per isolate (429 beyond) |
 * | `REMOTEMEDIA_WS_MAX_FRAME_BYTES` | 1048576 | largest WebSocket message (close 1009) |
 * | `REMOTEMEDIA_WS_IDLE_TIMEOUT_MS` | 30000 | close a silent WebSocket (close 1008) |
 * | `REMOTEMEDIA_WS_MAX_PENDING_FRAMES` | 256 | unprocessed messages before close 1013 |
 * | `REMOTEMEDIA_MAX_MANIFEST_NODES` | 64 | nodes in a manifest sent by a client |
 * | `REMOTEMEDIA_WARM_SILERO` | 1 | open the Silero session at startup (0: on first use) |
 * | `REMOTEMEDIA_NATIVE_LIB` | package build | the native library to load |
 *
 * @module
 */

import { createApp } from "./app.ts";
import { appOptionsFromEnv } from "./_config.ts";

const app = await createApp(appOptionsFromEnv((name) => Deno.env.get(name)));

export default { fetch: app.fetch } satisfies Deno.ServeDefaultExport;
