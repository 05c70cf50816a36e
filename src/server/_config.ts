// Service configuration from environment variables (for `deno serve src/server/serve.ts`).

import type { AppOptions } from "./app.ts";
import { DEFAULT_LIMITS, type ServiceLimits } from "./service.ts";

/** Environment variable -> limit, with the defaults of DEFAULT_LIMITS. */
export const LIMIT_VARS: Readonly<Record<string, keyof ServiceLimits>> = {
  REMOTEMEDIA_MAX_BODY_BYTES: "maxBodyBytes",
  REMOTEMEDIA_MAX_CONCURRENCY: "maxConcurrentRequests",
  REMOTEMEDIA_TIMEOUT_MS: "requestTimeoutMs",
  REMOTEMEDIA_MAX_STREAMS: "maxStreams",
  REMOTEMEDIA_WS_MAX_FRAME_BYTES: "wsMaxFrameBytes",
  REMOTEMEDIA_WS_IDLE_TIMEOUT_MS: "wsIdleTimeoutMs",
  REMOTEMEDIA_WS_MAX_PENDING_FRAMES: "wsMaxPendingFrames",
};

function positive(name: string, text: string): number {
  const v = Number(text.trim());
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(
      `Cannot configure the service: ${name}="${text}" is not a positive integer`,
    );
  }
  return v;
}

/**
 * App options from environment variables; unset variables keep the defaults.
 *
 * @param get Reads one variable (e.g. `(n) => Deno.env.get(n)`).
 * @returns The options.
 * @throws {RangeError} for a value that is not a positive integer (or 0/1 for flags).
 */
export function appOptionsFromEnv(get: (name: string) => string | undefined): AppOptions {
  const limits: Partial<ServiceLimits> = {};
  for (const [name, key] of Object.entries(LIMIT_VARS)) {
    const v = get(name);
    if (v !== undefined && v !== "") limits[key] = positive(name, v);
  }
  const options: AppOptions = { limits };
  const nodes = get("REMOTEMEDIA_MAX_MANIFEST_NODES");
  if (nodes) options.maxManifestNodes = positive("REMOTEMEDIA_MAX_MANIFEST_NODES", nodes);
  const warm = get("REMOTEMEDIA_WARM_SILERO");
  if (warm) {
    if (warm !== "0" && warm !== "1") {
      throw new RangeError(
        `Cannot configure the service: REMOTEMEDIA_WARM_SILERO="${warm}" is not 0 or 1`,
      );
    }
    options.warmSilero = warm === "1";
  }
  return options;
}

/** The defaults, for documentation and `--help`-style listings. */
export function configDefaults(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, key] of Object.entries(LIMIT_VARS)) out[name] = DEFAULT_LIMITS[key];
  out.REMOTEMEDIA_MAX_MANIFEST_NODES = 64;
  return out;
}
