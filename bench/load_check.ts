// Load check for the service (a script, not a timed test): N concurrent clients on loopback
// for a bounded time; reports requests/s, latency percentiles, statuses (2xx, 429, other),
// transport errors and RSS before/after.
//
//   deno run -A --v8-flags=--expose-gc bench/load_check.ts [--clients 8] [--seconds 5] [--limit 16] [--work-ms 5]
//   deno run -A bench/load_check.ts --url http://127.0.0.1:8000/v1/audio/vad --wav a.wav
//
// Without --url it serves createService() in this process with one route, POST /v1/echo,
// that decodes the uploaded WAV and then waits --work-ms (standing in for async work such
// as inference), so concurrent requests really overlap. Below the concurrency limit
// (--clients <= --limit) errors and 429s should be 0; above it, 429s appear.
import { parseArgs } from "node:util";
import { createService } from "../src/server/service.ts";
import { jsonResponse } from "../src/server/errors.ts";
import { encodeWav } from "../src/io/wav.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    wav: { type: "string" },
    clients: { type: "string", default: "8" },
    seconds: { type: "string", default: "5" },
    limit: { type: "string", default: "16" },
    "work-ms": { type: "string", default: "5" },
  },
});
const clients = Number(values.clients), seconds = Number(values.seconds);
const limit = Number(values.limit), workMs = Number(values["work-ms"]);

const body = values.wav
  ? await Deno.readFile(values.wav)
  : encodeWav(new Float32Array(16000).map((_, i) => 0.3 * Math.sin(i / 10)), {
    sampleRate: 16000,
  });

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
const { rss: rssBefore, heapUsed: heapBefore } = Deno.memoryUsage();

let server: Deno.HttpServer<Deno.NetAddr> | undefined;
let url = values.url;
if (url === undefined) {
  const service = createService({
    limits: { maxConcurrentRequests: limit },
    routes: [{
      method: "POST",
      path: "/v1/echo",
      handler: async (_req, ctx) => {
        const { wav } = await ctx.readWav();
        if (workMs > 0) await new Promise((r) => setTimeout(r, workMs));
        return jsonResponse({ frames: wav.frames });
      },
    }],
  });
  server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, service.fetch);
  url = `http://127.0.0.1:${server.addr.port}/v1/echo`;
}

const latencies: number[] = [];
const statuses = new Map<number, number>();
let transportErrors = 0;
const deadline = performance.now() + seconds * 1000;
const bodyBytes = body as Uint8Array<ArrayBuffer>;

async function client(): Promise<void> {
  while (performance.now() < deadline) {
    const t0 = performance.now();
    try {
      const res = await fetch(url!, {
        method: "POST",
        headers: { "content-type": "audio/wav" },
        body: bodyBytes,
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      latencies.push(performance.now() - t0);
    } catch {
      transportErrors++;
    }
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: clients }, client));
const elapsed = (performance.now() - start) / 1000;
await server?.shutdown();
(globalThis as { gc?: () => void }).gc?.(); // with --v8-flags=--expose-gc
const rssAfter = Deno.memoryUsage().rss;

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const total = latencies.length;
const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
const limited = statuses.get(429) ?? 0;
console.log(
  `target       ${url}${server ? ` (in-process, limit ${limit}, work ${workMs} ms)` : ""}`,
);
console.log(`clients      ${clients} for ${elapsed.toFixed(1)} s, body ${body.length} bytes`);
console.log(`requests     ${total} (${(total / elapsed).toFixed(0)}/s)`);
console.log(
  `latency ms   p50 ${pct(0.5).toFixed(2)}  p99 ${pct(0.99).toFixed(2)}  max ${
    (latencies.at(-1) ?? 0).toFixed(2)
  }`,
);
console.log(
  `statuses     2xx ${ok}  429 ${limited}  other ${
    total - ok - limited
  }  transport errors ${transportErrors}`,
);
console.log(
  `rss          ${mb(rssBefore)} before, ${mb(rssAfter)} after (js heap ${mb(heapBefore)} -> ${
    mb(Deno.memoryUsage().heapUsed)
  })`,
);
