/**
 * Devices and the ONNX Runtime behind the accelerator dispatch: what is available, and
 * why the execution providers that are not were skipped.
 *
 * Execution providers are tried in this documented priority order: VitisAI (AMD XDNA
 * NPU), OpenVINO (Intel NPU), QNN (Qualcomm NPU), CUDA (GPU), then CPU. A provider that
 * the loaded ONNX Runtime build cannot append ("not supported in this build", "failed to
 * load shared library") is recorded with ORT's message and skipped; CPU always remains.
 *
 * @module
 */

import { native } from "../ffi/loader.ts";
import {
  nativeDescribeDevice,
  nativeDeviceCount,
  nativeOrtInfo,
  nativeOrtLoad,
} from "../ffi/device.ts";
import { locateOrt, SETUP_HINT } from "./_locate.ts";

/** What kind of hardware a device is. */
export type DeviceKind = "cpu" | "gpu" | "npu";

/** ONNX Runtime execution providers, in priority order. */
export type ExecutionProvider = "VitisAI" | "OpenVINO" | "QNN" | "CUDA" | "CPU";

/** The priority order in which execution providers are tried. */
export const PROVIDER_PRIORITY: readonly ExecutionProvider[] = [
  "VitisAI",
  "OpenVINO",
  "QNN",
  "CUDA",
  "CPU",
];

/** One device jobs can run on. */
export interface DeviceInfo {
  /** Index for queues (0 is always the native cpu device). */
  index: number;
  /** Name, e.g. `"cpu"` or `"onnx-cpu"`. */
  name: string;
  /** Hardware kind. */
  kind: DeviceKind;
  /** `"cpu"` (built-in native ops) or `"onnx"` (ONNX Runtime). */
  backend: "cpu" | "onnx";
  /** `"native"` for the cpu backend, else the execution provider. */
  provider: string;
  /** What it can run (`"gain"`, `"dot"`, `"empty"`, or `"onnx"` and ORT's provider name). */
  capabilities: string[];
  /** Hardware threads of the host. */
  hostThreads: number;
}

/** Whether an execution provider is usable, and why not. */
export interface ProviderStatus {
  /** Provider name. */
  provider: ExecutionProvider;
  /** ORT's name for it (`"CPUExecutionProvider"`). */
  ortName: string;
  /** Device kind it targets. */
  kind: DeviceKind;
  /** Whether it could be appended to a session. */
  available: boolean;
  /** ORT's error when unavailable (empty otherwise). */
  reason: string;
}

/** The ONNX Runtime found (or why none was). */
export interface OnnxRuntimeInfo {
  /** Whether the runtime is loaded. */
  loaded: boolean;
  /** Library path. */
  path?: string;
  /** ORT version, e.g. "1.30.0". */
  version?: string;
  /** `OrtApi` version requested. */
  apiVersion?: number;
  /** ORT's build description. */
  buildInfo?: string;
  /** Providers compiled into the build (not necessarily loadable). */
  compiledProviders: string[];
  /** Every provider of the priority list with its status. */
  providers: ProviderStatus[];
  /** Why the runtime could not be loaded (when `loaded` is false). */
  error?: string;
}

/** Options for {@link listDevices} and {@link onnxRuntimeInfo}. */
export interface DeviceOptions {
  /** Path of ONNX Runtime's C library (else `REMOTEMEDIA_ORT_LIB`, else the setup cache). */
  ortLibrary?: string;
  /**
   * Try to load ONNX Runtime (a missing runtime is reported, not thrown).
   * @default {true}
   */
  loadOnnxRuntime?: boolean;
}

let lastLoadError: string | undefined;

/**
 * Load ONNX Runtime's C library (once per process; later calls return the same runtime).
 *
 * Search order: `ortLibrary`, the `REMOTEMEDIA_ORT_LIB` environment variable, then the
 * npm package `onnxruntime-node` installed by `deno task setup-models`.
 *
 * @param options Where to look first.
 * @returns The loaded runtime's description.
 * @throws {Error} naming every path tried and how to install the runtime.
 * @throws {NativeError} when the file exists but is not a usable ONNX Runtime.
 *
 * @example Load the runtime and list its providers
 * ```ts ignore
 * const ort = loadOnnxRuntime();
 * for (const p of ort.providers) console.log(p.provider, p.available, p.reason);
 * ```
 */
export function loadOnnxRuntime(options: { ortLibrary?: string } = {}): OnnxRuntimeInfo {
  const lib = native();
  const current = nativeOrtInfo(lib) as OnnxRuntimeInfo;
  const found = locateOrt(options.ortLibrary);
  // One runtime per process: once loaded it is returned, unless an explicitly named
  // library does not exist (that is reported, never silently replaced).
  if (current.loaded && !found.explicitMissing) return normalize(current);
  if (found.path === undefined) {
    lastLoadError = `Cannot load ONNX Runtime: no library found; tried:\n  ${
      found.tried.join("\n  ")
    }\n${SETUP_HINT}, or set REMOTEMEDIA_ORT_LIB`;
    throw new Error(lastLoadError);
  }
  try {
    nativeOrtLoad(lib, found.path);
  } catch (e) {
    lastLoadError = e instanceof Error ? e.message : String(e);
    throw e;
  }
  lastLoadError = undefined;
  return normalize(nativeOrtInfo(lib) as OnnxRuntimeInfo);
}

function normalize(info: OnnxRuntimeInfo): OnnxRuntimeInfo {
  return {
    ...info,
    compiledProviders: info.compiledProviders ?? [],
    providers: info.providers ?? [],
  };
}

/**
 * Describe the ONNX Runtime: loaded path, version, and every execution provider with
 * why it is or is not available. Never throws for a missing runtime: `error` says why.
 *
 * @param options Runtime path and whether to try loading it.
 * @returns The description.
 *
 * @example Report why providers were skipped
 * ```ts ignore
 * const info = onnxRuntimeInfo();
 * if (!info.loaded) console.log(info.error);
 * for (const p of info.providers.filter((p) => !p.available)) console.log(p.provider, p.reason);
 * ```
 */
export function onnxRuntimeInfo(options: DeviceOptions = {}): OnnxRuntimeInfo {
  if (options.loadOnnxRuntime !== false) {
    try {
      return loadOnnxRuntime(options);
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable) throw e;
    }
  }
  const info = normalize(nativeOrtInfo(native()) as OnnxRuntimeInfo);
  if (!info.loaded && lastLoadError !== undefined) info.error = lastLoadError;
  return info;
}

/**
 * List the devices jobs can run on: the native cpu device (index 0), then one device per
 * available ONNX Runtime execution provider, in priority order.
 *
 * @param options Runtime path and whether to try loading ONNX Runtime.
 * @returns The devices; without ONNX Runtime only the cpu device.
 * @throws {Error} when the native library itself cannot be loaded.
 *
 * @example List devices
 * ```ts ignore
 * for (const d of listDevices()) console.log(d.index, d.name, d.kind, d.provider);
 * ```
 */
export function listDevices(options: DeviceOptions = {}): DeviceInfo[] {
  if (options.loadOnnxRuntime !== false) onnxRuntimeInfo(options);
  const lib = native();
  const n = nativeDeviceCount(lib);
  const out: DeviceInfo[] = [];
  for (let i = 0; i < n; i++) out.push(nativeDescribeDevice(lib, i) as DeviceInfo);
  return out;
}
