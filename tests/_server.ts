// Helpers for service tests: a real Deno.serve on a loopback port, and WebSocket clients.
import { createService, type Service, type ServiceOptions } from "../src/server/service.ts";
import { type App, type AppOptions, createApp } from "../src/server/app.ts";

/** A running test server. */
export interface TestServer extends AsyncDisposable {
  service: Service;
  base: string;
  ws: string;
  logged: unknown[];
}

/** Start `createService(options)` with `Deno.serve` on 127.0.0.1, port 0. */
export function startServer(options: ServiceOptions = {}): TestServer {
  const logged: unknown[] = [];
  const service = createService({ log: (e) => logged.push(e.error), ...options });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    service.fetch,
  );
  const { port } = server.addr;
  return {
    service,
    base: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    logged,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** A WebSocket client that records every message and the close event. */
export class WsClient {
  readonly socket: WebSocket;
  readonly messages: Array<Record<string, unknown> | Uint8Array> = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  #waiters: Array<() => void> = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.binaryType = "arraybuffer";
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = (e) => reject(e);
    });
    this.closed = new Promise((resolve) => {
      this.socket.onclose = (e) => {
        resolve(e);
        for (const w of this.#waiters) w();
      };
    });
    this.socket.onmessage = (e) => {
      this.messages.push(
        typeof e.data === "string" ? JSON.parse(e.data) : new Uint8Array(e.data as ArrayBuffer),
      );
      for (const w of this.#waiters) w();
    };
  }

  /** Wait until `n` messages have arrived (or the socket closed). */
  async waitFor(n: number): Promise<void> {
    while (this.messages.length < n && this.socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** JSON messages of a given type. */
  ofType(type: string): Record<string, unknown>[] {
    return this.messages.filter((m): m is Record<string, unknown> =>
      !(m instanceof Uint8Array) && m.type === type
    );
  }

  send(data: string | ArrayBufferView | ArrayBuffer | Record<string, unknown>): void {
    if (typeof data === "object" && !ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer)) {
      this.socket.send(JSON.stringify(data));
    } else this.socket.send(data as string);
  }
}

/** A running app (`createApp`) on a loopback port. */
export interface TestApp extends AsyncDisposable {
  app: App;
  base: string;
  ws: string;
  logged: unknown[];
}

/** Start `createApp(options)` with `Deno.serve` on 127.0.0.1, port 0. */
export async function startApp(options: AppOptions = {}): Promise<TestApp> {
  const logged: unknown[] = [];
  const app = await createApp({ log: (e) => logged.push(e.error), ...options });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  const { port } = server.addr;
  return {
    app,
    base: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    logged,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await app.close();
    },
  };
}
