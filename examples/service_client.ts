// Calling the service over HTTP and WebSocket.
//
//   deno run -A examples/service_client.ts [--url http://127.0.0.1:8000]
//
// Without --url it starts the service in this process on a free loopback port (the same
// app `deno task serve` runs), so the example works on its own.
import { parseArgs } from "node:util";
import { createApp, decodeNpy, decodeWav, float32ToInt16, resample } from "../mod.ts";

const { values } = parseArgs({ options: { url: { type: "string" } } });
const clip = await Deno.readFile(new URL("./assets/demo_speech.wav", import.meta.url));

let base = values.url;
let stop = async () => {};
if (base === undefined) {
  const app = await createApp();
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen: () => {} },
    app.fetch,
  );
  base = `http://127.0.0.1:${server.addr.port}`;
  stop = async () => {
    ac.abort();
    await server.finished;
    await app.close();
  };
}
console.log(`service at ${base}`);

// 1. HTTP: speech segments of a WAV upload.
const vad = await fetch(`${base}/v1/audio/vad`, {
  method: "POST",
  headers: { "content-type": "audio/wav" },
  body: clip,
});
console.log(`POST /v1/audio/vad -> ${vad.status}`, await vad.json());

// 2. HTTP: Whisper log-mel features as .npy.
const mel = await fetch(`${base}/v1/audio/mel?n_mels=80`, {
  method: "POST",
  headers: { "content-type": "audio/wav" },
  body: clip,
});
const npy = decodeNpy(new Uint8Array(await mel.arrayBuffer()));
console.log(`POST /v1/audio/mel -> ${mel.status}, .npy shape [${npy.shape}]`);

// 3. WebSocket: stream 20 ms int16 frames at 48 kHz through the voice front end.
const wav = decodeWav(clip);
const pcm = float32ToInt16(resample(wav.samples, wav.sampleRate, 48000));
const ws = new WebSocket(`${base.replace(/^http/, "ws")}/v1/stream`);
const done = new Promise<void>((resolve, reject) => {
  let tensors = 0;
  let ended = false;
  ws.onopen = async () => {
    ws.send(
      JSON.stringify({
        type: "start",
        sample_rate: 48000,
        format: "s16",
        pipeline: "voice-frontend",
      }),
    );
    // A live client sends one 20 ms frame every 20 ms; we send at 10x real time (50 frames
    // per 100 ms). The server closes a client that gets more than 256 frames ahead (1013).
    for (let i = 0, n = 0; i < pcm.length && ws.readyState === WebSocket.OPEN; i += 960, n++) {
      ws.send(pcm.slice(i, i + 960).buffer);
      if (n % 50 === 49) await new Promise((r) => setTimeout(r, 100));
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "stop" }));
  };
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data as string);
    if (msg.type === "event") console.log(`  event ${msg.kind} at ${msg.time.toFixed(2)} s`);
    if (msg.type === "tensor") {
      tensors++;
      console.log(`  tensor from ${msg.node}: ${msg.dtype} [${msg.shape}]`);
    }
    if (msg.type === "end") {
      ended = true;
      console.log(`  end of stream (${tensors} tensor message(s))`);
    }
  };
  ws.onerror = (e) => {
    // After "end" the server may drop the socket before the close handshake completes.
    if (!ended) reject(e instanceof ErrorEvent ? e.error : new Error("WebSocket error"));
  };
  ws.onclose = (e) =>
    ended ? resolve() : reject(new Error(`stream closed early: ${e.code} ${e.reason}`));
});
await done;
await stop();
