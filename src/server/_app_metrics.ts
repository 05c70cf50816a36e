// Service metrics of one isolate: HTTP requests by route and status, their durations,
// rejections (429, 413, 504), stream and pipeline-run counters, and the per-pipeline
// aggregate of every preset run (the per-request pipelines' metrics merged by name).
// Rendered as Prometheus text together with the pipeline families of formatPrometheus.

import { MetricsCollector } from "../metrics/collector.ts";
import { LogLinearHistogram } from "../metrics/histogram.ts";
import { formatPrometheus } from "../metrics/prometheus.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { ResponseInfo, ServiceStats } from "./service.ts";

/** Error codes counted as rejections (the service refused work at a limit). */
const REJECTIONS: Readonly<Record<string, string>> = {
  too_many_requests: "concurrency",
  payload_too_large: "body_size",
  timeout: "time",
};

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labels(ls: Record<string, string | number>): string {
  const parts = Object.entries(ls).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** Where a pipeline run came from. */
export type RunSource = "preset" | "inline";

/** Counters and aggregates of one service isolate. */
export class AppMetrics {
  readonly #started = performance.now();
  readonly #requests = new Map<string, { labels: Record<string, string>; count: number }>();
  readonly #durations = new Map<string, LogLinearHistogram>();
  readonly #rejections = new Map<string, number>(
    Object.values(REJECTIONS).map((r) => [r, 0]),
  );
  readonly #runs = new Map<string, number>([["preset:ok", 0], ["preset:error", 0], [
    "inline:ok",
    0,
  ], ["inline:error", 0]]);
  readonly #streams = new Map<RunSource, number>([["preset", 0], ["inline", 0]]);
  readonly #pipelines = new Map<string, MetricsCollector>();

  /** Count an answered request (the service's `onResponse`). */
  response(info: ResponseInfo): void {
    const key = `${info.method} ${info.route} ${info.status}`;
    let r = this.#requests.get(key);
    if (r === undefined) {
      r = {
        labels: { method: info.method, route: info.route, status: String(info.status) },
        count: 0,
      };
      this.#requests.set(key, r);
    }
    r.count++;
    let h = this.#durations.get(info.route);
    if (h === undefined) this.#durations.set(info.route, h = new LogLinearHistogram());
    h.record(info.durationMs * 1000);
    const reason = info.code === undefined ? undefined : REJECTIONS[info.code];
    if (reason !== undefined) this.#rejections.set(reason, this.#rejections.get(reason)! + 1);
  }

  /** Count a started WebSocket pipeline stream. */
  streamStarted(source: RunSource): void {
    this.#streams.set(source, this.#streams.get(source)! + 1);
  }

  /**
   * Account a finished pipeline run (HTTP or stream). A preset's node metrics are merged
   * into its per-isolate aggregate; an inline manifest's are not (their node ids and
   * names are the client's), only counted.
   */
  runFinished(source: RunSource, pipeline: Pipeline, ok: boolean): void {
    const key = `${source}:${ok ? "ok" : "error"}`;
    this.#runs.set(key, this.#runs.get(key)! + 1);
    if (source !== "preset") return;
    let agg = this.#pipelines.get(pipeline.name);
    if (agg === undefined) {
      agg = new MetricsCollector(pipeline.name, pipeline.nodeIds);
      this.#pipelines.set(pipeline.name, agg);
    }
    pipeline.mergeMetricsInto(agg);
  }

  /** The aggregated metrics of every preset run so far, one entry per preset. */
  pipelineMetrics(): ReturnType<MetricsCollector["toJSON"]>[] {
    return [...this.#pipelines.values()].map((c) => c.toJSON());
  }

  /** Prometheus text: the pipelines' families, then the service's. */
  prometheus(stats: ServiceStats, nativeLoaded: boolean): string {
    let out = this.#pipelines.size > 0 ? formatPrometheus(this.pipelineMetrics()) : "";
    const family = (name: string, type: string, help: string, lines: string[]) => {
      out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${lines.join("")}`;
    };
    family(
      "remotemedia_http_requests_total",
      "counter",
      "HTTP requests answered, by method, route pattern and status.",
      [...this.#requests.values()].map((r) =>
        `remotemedia_http_requests_total${labels(r.labels)} ${r.count}\n`
      ),
    );
    const d: string[] = [];
    for (const [route, h] of this.#durations) {
      for (const q of [0.5, 0.9, 0.99]) {
        d.push(
          `remotemedia_http_request_duration_microseconds${labels({ route, quantile: q })} ${
            h.quantile(q)
          }\n`,
        );
      }
      d.push(`remotemedia_http_request_duration_microseconds_sum${labels({ route })} ${h.sum}\n`);
      d.push(
        `remotemedia_http_request_duration_microseconds_count${labels({ route })} ${h.count}\n`,
      );
    }
    family(
      "remotemedia_http_request_duration_microseconds",
      "summary",
      "Time from a request's arrival to its response, in microseconds.",
      d,
    );
    family(
      "remotemedia_http_requests_in_flight",
      "gauge",
      "Requests being handled now (counted against the concurrency limit).",
      [`remotemedia_http_requests_in_flight ${stats.inFlight}\n`],
    );
    family(
      "remotemedia_http_rejections_total",
      "counter",
      "Requests refused at a limit: concurrency (429), body_size (413), time (504).",
      [...this.#rejections].map(([reason, n]) =>
        `remotemedia_http_rejections_total${labels({ reason })} ${n}\n`
      ),
    );
    family(
      "remotemedia_ws_streams_open",
      "gauge",
      "Open /v1/stream WebSocket connections.",
      [`remotemedia_ws_streams_open ${stats.streams}\n`],
    );
    family(
      "remotemedia_ws_streams_total",
      "counter",
      "Pipeline streams started, by pipeline source (preset or inline manifest).",
      [...this.#streams].map(([source, n]) =>
        `remotemedia_ws_streams_total${labels({ source })} ${n}\n`
      ),
    );
    family(
      "remotemedia_service_pipeline_runs_total",
      "counter",
      "Pipeline runs finished (HTTP and streams), by source and result.",
      [...this.#runs].map(([key, n]) => {
        const [source, result] = key.split(":");
        return `remotemedia_service_pipeline_runs_total${
          labels({ source: source!, result: result! })
        } ${n}\n`;
      }),
    );
    family(
      "remotemedia_service_native_loaded",
      "gauge",
      "1 when the native library is loaded in this isolate, 0 on the TypeScript fallback.",
      [`remotemedia_service_native_loaded ${nativeLoaded ? 1 : 0}\n`],
    );
    family(
      "remotemedia_service_uptime_seconds",
      "gauge",
      "Seconds since this isolate's service started.",
      [
        `remotemedia_service_uptime_seconds ${
          Math.round((performance.now() - this.#started) / 100) / 10
        }\n`,
      ],
    );
    return out;
  }
}
