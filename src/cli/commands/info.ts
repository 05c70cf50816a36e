/**
 * `info`: what this installation is made of — versions, the native library (path,
 * version, ABI), platform and the CPU's SIMD features.
 *
 * @module
 */

import config from "../../../deno.json" with { type: "json" };
import { loadNativeSync } from "../../ffi/loader.ts";
import { EXPECTED_ABI_VERSION } from "../../ffi/symbols.ts";
import type { Command } from "../command.ts";
import {
  type DeviceInfo,
  listDevices,
  type OnnxRuntimeInfo,
  onnxRuntimeInfo,
} from "../../device/devices.ts";
import { Vad } from "../../dsp/vad.ts";

/** CPU flags worth reporting for the kernels (x86 and Arm names as Linux spells them). */
const FLAGS_OF_INTEREST = [
  "sse4_1",
  "sse4_2",
  "avx",
  "avx2",
  "fma",
  "f16c",
  "avx512f",
  "avx512bw",
  "avx512vl",
  "avx512_vnni",
  "avx_vnni",
  "asimd",
  "asimdhp",
  "sve",
  "sve2",
];

/** What `info` reports, also its `--json` shape. */
export interface InfoReport {
  /** Package name and version. */
  package: { name: string; version: string };
  /** Deno, V8 and TypeScript versions. */
  runtime: { deno: string; v8: string; typescript: string };
  /** Operating system and architecture. */
  platform: { os: string; arch: string };
  /** The native library, or why it did not load. */
  native:
    | { loaded: true; path: string; version: string; abi: number; expected_abi: number }
    | { loaded: false; error: string; expected_abi: number };
  /** CPU model, logical cores and the flags of interest that are present. */
  cpu: { model: string | null; logical_cores: number; features: string[] | null; source: string };
  /** SIMD kernel the native VAD picked at construction (e.g. "avx2"), when loaded. */
  kernels: { vad: string } | null;
  /** Devices the native device layer lists (null when the library is not loaded). */
  devices: DeviceInfo[] | null;
  /** ONNX Runtime: where it was found, and each execution provider with why it was skipped. */
  onnx: OnnxRuntimeInfo | null;
}

/**
 * Parse `/proc/cpuinfo` text: the model name and the flags of interest present.
 *
 * @param text The file's contents.
 * @returns The model (or null) and the features in a fixed order.
 */
export function parseCpuinfo(text: string): { model: string | null; features: string[] } {
  let model: string | null = null;
  const flags = new Set<string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (model === null && (key === "model name" || key === "hardware" || key === "cpu model")) {
      model = value;
    }
    if (key === "flags" || key === "features") { for (const f of value.split(/\s+/)) flags.add(f); }
  }
  return { model, features: FLAGS_OF_INTEREST.filter((f) => flags.has(f)) };
}

async function cpuReport(): Promise<InfoReport["cpu"]> {
  const logical_cores = navigator.hardwareConcurrency;
  if (Deno.build.os !== "linux") {
    return { model: null, logical_cores, features: null, source: `not read on ${Deno.build.os}` };
  }
  try {
    const { model, features } = parseCpuinfo(await Deno.readTextFile("/proc/cpuinfo"));
    return { model, logical_cores, features, source: "/proc/cpuinfo" };
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    return {
      model: null,
      logical_cores,
      features: null,
      source: `/proc/cpuinfo unreadable: ${why}`,
    };
  }
}

/**
 * Gather the report.
 *
 * @returns The report.
 */
export async function infoReport(): Promise<InfoReport> {
  let native: InfoReport["native"];
  try {
    const lib = loadNativeSync();
    native = {
      loaded: true,
      path: lib.path,
      version: lib.version,
      abi: lib.abiVersion,
      expected_abi: EXPECTED_ABI_VERSION,
    };
  } catch (e) {
    const error = (e instanceof Error ? e.message : String(e)).split("\n").map((s) => s.trim())
      .filter((s) => s).join("; ");
    native = { loaded: false, error, expected_abi: EXPECTED_ABI_VERSION };
  }
  let kernels: InfoReport["kernels"] = null;
  let devices: DeviceInfo[] | null = null;
  let onnx: OnnxRuntimeInfo | null = null;
  if (native.loaded) {
    using vad = new Vad({ sampleRate: 16000, runtimeHint: "native" });
    kernels = { vad: vad.kernel };
    onnx = onnxRuntimeInfo();
    devices = listDevices({ loadOnnxRuntime: false });
  }
  return {
    package: { name: config.name, version: config.version },
    runtime: { deno: Deno.version.deno, v8: Deno.version.v8, typescript: Deno.version.typescript },
    platform: { os: Deno.build.os, arch: Deno.build.arch },
    native,
    cpu: await cpuReport(),
    kernels,
    devices,
    onnx,
  };
}

/**
 * Render the report as aligned text lines.
 *
 * @param r The report.
 * @returns The text (ends with a newline).
 */
export function formatInfo(r: InfoReport): string {
  const rows: Array<[string, string]> = [
    ["package", `${r.package.name} ${r.package.version}`],
    ["deno", `${r.runtime.deno} (v8 ${r.runtime.v8}, typescript ${r.runtime.typescript})`],
    ["platform", `${r.platform.os} ${r.platform.arch}`],
  ];
  if (r.native.loaded) {
    rows.push(
      ["native library", r.native.path],
      ["native version", r.native.version],
      ["native ABI", `${r.native.abi} (this code expects ${r.native.expected_abi})`],
    );
  } else {
    rows.push(["native library", `not loaded: ${r.native.error}`]);
  }
  rows.push(
    ["cpu", `${r.cpu.model ?? "unknown model"}, ${r.cpu.logical_cores} logical cores`],
    [
      "cpu features",
      r.cpu.features === null
        ? `unknown (${r.cpu.source})`
        : `${r.cpu.features.join(" ") || "none of interest"} (from ${r.cpu.source})`,
    ],
  );
  if (r.kernels) rows.push(["simd kernel", r.kernels.vad]);
  for (const d of r.devices ?? []) {
    rows.push([
      `device ${d.index}`,
      `${d.name} (${d.kind}, ${d.backend}, provider ${d.provider}; ${d.capabilities.join(", ")})`,
    ]);
  }
  if (r.onnx) {
    rows.push([
      "onnx runtime",
      r.onnx.loaded
        ? `${r.onnx.version} at ${r.onnx.path}`
        : `not loaded: ${r.onnx.error ?? "unknown reason"}`,
    ]);
    for (const p of r.onnx.providers) {
      rows.push([
        `  ${p.provider}`,
        p.available ? `available (${p.kind})` : `skipped: ${p.reason}`,
      ]);
    }
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n") + "\n";
}

/** The `info` command. */
export const infoCommand: Command = {
  name: "info",
  summary: "Show versions, the native library (path, ABI), CPU features, devices and providers",
  description: "Exits 0 even when the native library cannot be loaded; the reason is printed.",
  positionals: [],
  options: {
    json: { type: "boolean", help: "Print the report as JSON" },
  },
  examples: ["remotemedia info", "remotemedia info --json"],
  async run(args, ctx) {
    const report = await infoReport();
    ctx.stdout(args.values.json ? JSON.stringify(report, null, 2) + "\n" : formatInfo(report));
  },
};
