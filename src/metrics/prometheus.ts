/**
 * Prometheus text exposition (format 0.0.4) of {@link ExecutionMetrics}: one `# HELP` and
 * `# TYPE` per family, samples of a family together, node durations as a summary with
 * `quantile` labels plus `_sum` and `_count`, label values escaped.
 *
 * @module
 */

import type { ExecutionMetrics, NodeMetrics } from "./collector.ts";

/** Options for {@link formatPrometheus}. */
export interface PrometheusOptions {
  /**
   * Metric name prefix.
   * @default {"remotemedia"}
   */
  prefix?: string;
}

/** Escape a label value: backslash, double quote and newline. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escape HELP text: backslash and newline. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

type Labels = ReadonlyArray<readonly [string, string]>;

function labels(ls: Labels): string {
  return ls.length === 0 ? "" : `{${ls.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

interface Family {
  name: string;
  type: "counter" | "gauge" | "summary";
  help: string;
  lines: string[];
}

/**
 * Format pipeline metrics as Prometheus text exposition.
 *
 * @param metrics One pipeline's metrics, or several (families are merged).
 * @param options Name prefix.
 * @returns The exposition text (ends with a newline).
 * @throws {RangeError} for a prefix that is not a valid metric name.
 *
 * @example
 * ```ts
 * import { formatPrometheus } from "./prometheus.ts";
 * const text = formatPrometheus({
 *   pipeline_id: "demo", total_executions: 1, total_duration_us: 10, realtime_factor: 0.01,
 *   peak_memory_bytes: 1000, metrics_overhead_us: 0.2, node_metrics: [],
 * });
 * console.log(text.split("\n")[0]); // # HELP remotemedia_pipeline_runs_total Pipeline runs (streams and batch runs).
 * ```
 */
export function formatPrometheus(
  metrics: ExecutionMetrics | readonly ExecutionMetrics[],
  options?: PrometheusOptions,
): string {
  const p = options?.prefix ?? "remotemedia";
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(p)) {
    throw new RangeError(`Cannot format metrics: prefix "${p}" is not a valid metric name`);
  }
  const all = Array.isArray(metrics) ? metrics : [metrics as ExecutionMetrics];
  const fams = new Map<string, Family>();
  const fam = (name: string, type: Family["type"], help: string): Family => {
    const full = `${p}_${name}`;
    let f = fams.get(full);
    if (f === undefined) {
      f = { name: full, type, help, lines: [] };
      fams.set(full, f);
    }
    return f;
  };
  const sample = (f: Family, ls: Labels, v: number, suffix = "") => {
    f.lines.push(`${f.name}${suffix}${labels(ls)} ${num(v)}`);
  };

  for (const m of all) {
    const pl: Labels = [["pipeline", m.pipeline_id]];
    sample(
      fam("pipeline_runs_total", "counter", "Pipeline runs (streams and batch runs)."),
      pl,
      m.total_executions,
    );
    sample(
      fam(
        "pipeline_duration_microseconds_total",
        "counter",
        "Processing time of all runs, in microseconds.",
      ),
      pl,
      m.total_duration_us,
    );
    sample(
      fam(
        "pipeline_realtime_factor",
        "gauge",
        "Processing time over the duration of the audio fed in.",
      ),
      pl,
      m.realtime_factor,
    );
    sample(
      fam(
        "pipeline_peak_memory_bytes",
        "gauge",
        "Peak sampled memory: JS heap + external + native pool.",
      ),
      pl,
      m.peak_memory_bytes,
    );
    sample(
      fam("metrics_overhead_microseconds", "gauge", "Measured cost of recording one execution."),
      pl,
      m.metrics_overhead_us,
    );
  }
  for (const m of all) {
    for (const n of m.node_metrics) nodeSamples(m.pipeline_id, n);
  }

  function nodeSamples(pipeline: string, n: NodeMetrics): void {
    const nl: Labels = [["pipeline", pipeline], ["node", n.node_id]];
    sample(fam("node_executions_total", "counter", "Node process calls."), nl, n.execution_count);
    sample(
      fam("node_successes_total", "counter", "Node process calls that returned."),
      nl,
      n.success_count,
    );
    sample(
      fam(
        "node_errors_total",
        "counter",
        "Failed node calls, breaker refusals, failed flush/close.",
      ),
      nl,
      n.error_count,
    );
    sample(fam("node_success_ratio", "gauge", "Successful calls over calls."), nl, n.success_rate);
    const d = fam("node_duration_microseconds", "summary", "Node call duration in microseconds.");
    sample(d, [...nl, ["quantile", "0.5"]], n.p50_duration_us);
    sample(d, [...nl, ["quantile", "0.95"]], n.p95_duration_us);
    sample(d, [...nl, ["quantile", "0.99"]], n.p99_duration_us);
    sample(d, nl, n.total_duration_us, "_sum");
    sample(d, nl, n.execution_count, "_count");
    sample(
      fam("node_duration_min_microseconds", "gauge", "Shortest node call."),
      nl,
      n.min_duration_us,
    );
    sample(
      fam("node_duration_max_microseconds", "gauge", "Longest node call."),
      nl,
      n.max_duration_us,
    );
    sample(fam("node_bytes_in_total", "counter", "Bytes of node input items."), nl, n.bytes_in);
    sample(fam("node_bytes_out_total", "counter", "Bytes of node output items."), nl, n.bytes_out);
    sample(
      fam("node_realtime_factor", "gauge", "Node processing time over media time processed."),
      nl,
      n.realtime_factor,
    );
    sample(
      fam("node_deadline_misses_total", "counter", "Node calls slower than their budget."),
      nl,
      n.deadline_misses,
    );
  }

  let out = "";
  for (const f of fams.values()) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const l of f.lines) out += `${l}\n`;
  }
  return out;
}
