// Load check for the service (a script, not a timed test): N concurrent clients on loopback
// for a bounded time and request count; reports requests/s, latency percentiles, statuses
// (2xx, 429, other), transport errors and RSS before/after.
//
//   # a real route of the app, served in this process with --limit concurrent requests:
//   deno run -A --v8-flags=--expose-gc bench/load_check.ts --route /v1/audio/mel --clients 4 --limit 4
//   deno run -A bench/load_check.ts --route "/v1/audio/vad?engine=silero" --clients 16 --limit 4
//   # a running `deno task serve` (loopback only):
//   deno run -A bench/load_check.ts --url http://127.0.0.1:8000/v1/audio/mel --clients 8
//   # the framework alone: POST /v1/echo decodes the WAV, then waits --work-ms
//   deno run -A bench/load_check.ts --clients 8 --limit 16 --work-ms 5
//
// Options: --wav (default examples/assets/demo_speech.wav), --seconds (default 5),
// --requests (stop after this many, default 2000), --clients (default 8), --limit
// (maxConcurrentRequests of the in-process server, default 16).
// At or below the concurrency limit (--clients <= --limit) errors and 429s should be 0;
// above it, 429s appear (each client then sends its next request at once).
import { parseArgs } from "node:util";
import { createService } from "../src/server/service.ts";
import { createApp } from "../src/server/app.ts";
import { jsonResponse } from "../src/server/errors.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    route: { type: "string" },
    wav: { type: "string" },
    clients: { type: "string", default: "8" },
    seconds: { type: "string", default: "5" },
    requests: { type: "string", default: "2000" },
    limit: { type: "string", default: "16" },
    "work-ms": { type: "string", default: "5" },
  },
});
const clients = Number(values.clients), seconds = Number(values.seconds);
const maxRequests = Number(values.requests);
const limit = Number(values.limit), workMs = Number(values["work-ms"]);
for (
  const [k, v, max] of [["clients", clients, 1024], ["seconds", seconds, 600], [
    "requests",
    maxRequests,
    1e7,
  ], ["limit", limit, 1e6]] as const
) {
  if (!(Number.isFinite(v) && v > 0 && v <= max)) {
    console.error(`load_check: --${k} ${v} is not in (0, ${max}]`);
    Deno.exit(2);
  }
}
if (values.url !== undefined && values.route !== undefined) {
  console.error("load_check: give --url or --route, not both");
  Deno.exit(2);
}

const wavPath = values.wav ??
  decodeURIComponent(new URL("../examples/assets/demo_speech.wav", import.meta.url).pathname);
const body = (await Deno.readFile(wavPath)) as Uint8Array<ArrayBuffer>;

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
(globalThis as { gc?: () => void }).gc?.();
const { rss: rssBefore, heapUsed: heapBefore } = Deno.memoryUsage();

let server: Deno.HttpServer<Deno.NetAddr> | undefined;
let closeApp: (() => Promise<void>) | undefined;
let url = values.url;
let what: string;
if (url !== undefined) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host)) {
    console.error(`load_check: ${url} is not a loopback address; refusing`);
    Deno.exit(2);
  }
  what = "external server";
} else if (values.route !== undefined) {
  const app = await createApp({ limits: { maxConcurrentRequests: limit } });
  closeApp = () => app.close();
  server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  url = `http://127.0.0.1:${server.addr.port}${values.route}`;
  what = `in-process app, limit ${limit}`;
} else {
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
  what = `in-process echo, limit ${limit}, work ${workMs} ms`;
}

const latencies: number[] = [];
const statuses = new Map<number, number>();
let transportErrors = 0;
let started = 0;
const deadline = performance.now() + seconds * 1000;

async function client(): Promise<void> {
  while (performance.now() < deadline && started < maxRequests) {
    started++;
    const t0 = performance.now();
    try {
      const res = await fetch(url!, {
        method: "POST",
        headers: { "content-type": "audio/wav" },
        body,
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
await closeApp?.();
(globalThis as { gc?: () => void }).gc?.(); // with --v8-flags=--expose-gc
const rssAfter = Deno.memoryUsage().rss;

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
const total = latencies.length;
const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
const limited = statuses.get(429) ?? 0;
const others = [...statuses].filter(([s]) => s >= 300 && s !== 429).map(([s, c]) => `${s}x${c}`);
console.log(`target       ${url} (${what})`);
console.log(
  `clients      ${clients} for ${
    elapsed.toFixed(1)
  } s (max ${seconds} s, ${maxRequests} requests), ` +
    `body ${body.length} bytes`,
);
console.log(`requests     ${total} (${(total / elapsed).toFixed(0)}/s)`);
console.log(
  `latency ms   p50 ${pct(0.5).toFixed(2)}  p99 ${pct(0.99).toFixed(2)}  max ${
    (latencies.at(-1) ?? 0).toFixed(2)
  }`,
);
console.log(
  `statuses     2xx ${ok}  429 ${limited}  other ${total - ok - limited}${
    others.length ? ` (${others.join(" ")})` : ""
  }  transport errors ${transportErrors}`,
);
console.log(
  `rss          ${mb(rssBefore)} before, ${mb(rssAfter)} after (js heap ${mb(heapBefore)} -> ${
    mb(Deno.memoryUsage().heapUsed)
  })`,
);
