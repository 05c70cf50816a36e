/**
 * `serve`: the HTTP/WebSocket service on one port (one isolate). For one isolate per core
 * use `deno serve --parallel --allow-all src/server/serve.ts` (`deno task serve`).
 *
 * @module
 */

import { createApp } from "../../server/app.ts";
import { appOptionsFromEnv } from "../../server/_config.ts";
import type { Command } from "../command.ts";

/** The `serve` command. */
export const serveCommand: Command = {
  name: "serve",
  summary: "Serve the HTTP/WebSocket API (pipelines, VAD, mel, streaming, /metrics)",
  description: "Limits come from REMOTEMEDIA_* environment variables (see src/server/serve.ts). " +
    "Stops on Ctrl-C. For one isolate per core: deno serve --parallel --allow-all src/server/serve.ts",
  positionals: [],
  options: {
    port: { type: "string", short: "p", valueName: "port", help: "Port (default 8000)" },
    hostname: { type: "string", valueName: "host", help: "Address (default 127.0.0.1)" },
  },
  examples: ["remotemedia serve --port 8000"],
  async run(args, ctx) {
    const port = Number(args.values.port ?? 8000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`--port ${args.values.port} is not a port number`);
    }
    const hostname = (args.values.hostname as string | undefined) ?? "127.0.0.1";
    const app = await createApp(appOptionsFromEnv((name) => Deno.env.get(name)));
    const ac = new AbortController();
    const server = Deno.serve({
      port,
      hostname,
      signal: ac.signal,
      onListen: (a) => {
        if (!ctx.quiet) ctx.stderr(`remotemedia: listening on http://${a.hostname}:${a.port}/\n`);
      },
    }, app.fetch);
    const stop = () => ac.abort();
    Deno.addSignalListener("SIGINT", stop);
    try {
      await server.finished;
    } finally {
      Deno.removeSignalListener("SIGINT", stop);
      await app.close();
    }
  },
};
