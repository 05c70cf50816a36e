// The `/v1/stream` handler: one pipeline per connection, fed through a bounded queue.
//
// Start message fields (besides sample_rate, format, channels): `pipeline` (a preset name)
// or `manifest` (an inline manifest, object or JSON text, checked against the client
// registry), and `tensor_encoding` ("base64", the default, or "array"). Each binary frame
// becomes one audio item (copied: the framework's buffer is reused) timestamped by the
// frames received so far; `onAudio` resolves once the queue has room, so a client that
// sends faster than the pipeline runs fills the framework's pending-message limit and is
// closed with 1013 rather than growing memory. Outputs are sent as they come out of the
// pipeline; on stop the queue ends, the pipeline flushes, and the flush goes out before
// `{"type": "end"}`.

import type { AudioData, RuntimeData } from "../pipeline/data.ts";
import { audio } from "../pipeline/data.ts";
import { NodeError } from "../pipeline/errors.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { AppMetrics, RunSource } from "./_app_metrics.ts";
import { type DataEncoding, outputMessage } from "./_messages.ts";
import { openPipeline, type PipelineResolver } from "./_pipelines.ts";
import { AsyncQueue } from "./_queue.ts";
import { HttpError } from "./errors.ts";
import type { StreamEmit, StreamHandler, StreamStart } from "./stream.ts";

/** Options of the stream handler. */
export interface StreamPipelineOptions {
  resolver: PipelineResolver;
  metrics: AppMetrics;
  /** Audio items that may wait for the pipeline before `onAudio` waits. */
  queueFrames: number;
}

function pipelineFailure(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  const detail = e instanceof NodeError
    ? { node: e.nodeId, operation: e.operation }
    : {} as Record<string, unknown>;
  const cause = e instanceof NodeError ? e.cause : e;
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new HttpError(500, "pipeline_failed", `The pipeline failed: ${msg}`, detail);
}

/** A handler factory running one pipeline per connection. */
export function streamPipelineHandler(options: StreamPipelineOptions): () => StreamHandler {
  return () => {
    let pipeline: Pipeline | null = null;
    let source: RunSource = "preset";
    let queue: AsyncQueue<RuntimeData> | null = null;
    let pump: Promise<void> = Promise.resolve();
    let failure: unknown = undefined;
    let start: StreamStart;
    let frames = 0;

    const check = () => {
      if (failure !== undefined) throw pipelineFailure(failure);
    };

    return {
      onStart(s: StreamStart, emit: StreamEmit) {
        start = s;
        const m = s.message;
        const enc = m.tensor_encoding ?? "base64";
        if (enc !== "base64" && enc !== "array") {
          throw new HttpError(
            400,
            "bad_start",
            `Cannot start the stream: tensor_encoding ${
              JSON.stringify(enc)
            } is not "base64" or "array"`,
            { field: "tensor_encoding" },
          );
        }
        const encoding = enc as DataEncoding;
        const opened = openPipeline(
          { preset: s.pipeline, manifest: m.manifest },
          options.resolver,
        );
        pipeline = opened.pipeline;
        source = opened.source;
        options.metrics.streamStarted(source);
        const q = new AsyncQueue<RuntimeData>(options.queueFrames);
        queue = q;
        const p = pipeline;
        pump = (async () => {
          try {
            for await (const o of p.stream(q)) emit([outputMessage(o, encoding)]);
          } catch (e) {
            failure = e;
          }
        })();
        return [{ type: "pipeline", name: p.name, source, nodes: p.nodeIds }];
      },
      async onAudio(samples: Float32Array) {
        check();
        const item: AudioData = audio(samples.slice(), start.sampleRate, start.channels, {
          timestamp: frames / start.sampleRate,
        });
        frames += samples.length / start.channels;
        await queue!.push(item);
        check();
      },
      async onClose() {
        if (pipeline === null) return;
        queue!.end();
        await pump;
        const p = pipeline;
        pipeline = null;
        await p.close();
        options.metrics.runFinished(source, p, failure === undefined);
        check();
      },
    };
  };
}
