import assert from "node:assert/strict";
import { decodeWav, encodeWav, readWavFile, type WavEncoding } from "../src/io/wav.ts";
import { rng, testdata } from "./_util.ts";

const TOL: Record<WavEncoding, number> = {
  pcm8: 1 / 128,
  pcm16: 1 / 32768,
  pcm24: 2 ** -23,
  pcm32: 2 ** -24,
  float32: 0,
  float64: 0,
};

for (const encoding of Object.keys(TOL) as WavEncoding[]) {
  for (const channels of [1, 2, 6]) {
    Deno.test(`encodeWav/decodeWav round-trip ${encoding} with ${channels} channels`, () => {
      const r = rng(channels * 31 + encoding.length);
      const frames = 1001;
      const x = new Float32Array(frames * channels).map(() => r() * 1.8 - 0.9);
      const bytes = encodeWav(x, { sampleRate: 44100, channels, encoding });
      const wav = decodeWav(bytes);
      assert.equal(wav.sampleRate, 44100);
      assert.equal(wav.channels, channels);
      assert.equal(wav.frames, frames);
      assert.equal(wav.encoding, encoding);
      for (let i = 0; i < x.length; i++) {
        assert.ok(
          Math.abs(wav.samples[i]! - x[i]!) <= TOL[encoding],
          `index ${i}: expected ${x[i]}, got ${wav.samples[i]}`,
        );
      }
    });
  }
}

Deno.test("decodeWav views aligned float32 data in place (zero copy)", () => {
  const bytes = encodeWav(new Float32Array([0.25, -0.5]), {
    sampleRate: 8000,
    encoding: "float32",
  });
  const wav = decodeWav(bytes);
  assert.equal(wav.zeroCopy, true);
  assert.equal(wav.samples.buffer, bytes.buffer);
  bytes[44 + 3] = 0; // change the first sample in the file bytes
  assert.notEqual(wav.samples[0], 0.25);
});

Deno.test("decodeWav copies misaligned float32 data", () => {
  const bytes = encodeWav(new Float32Array([0.25, -0.5]), {
    sampleRate: 8000,
    encoding: "float32",
  });
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  const wav = decodeWav(shifted.subarray(1));
  assert.equal(wav.zeroCopy, false);
  assert.deepEqual([...wav.samples], [0.25, -0.5]);
});

Deno.test("decodeWav reads WAVE_FORMAT_EXTENSIBLE files", () => {
  const bytes = encodeWav(new Float32Array(6 * 10).fill(0.5), {
    sampleRate: 48000,
    channels: 6,
    encoding: "pcm24",
  });
  const dv = new DataView(bytes.buffer);
  assert.equal(dv.getUint16(20, true), 0xfffe);
  const wav = decodeWav(bytes);
  assert.equal(wav.channels, 6);
  assert.equal(wav.encoding, "pcm24");
  assert.equal(wav.samples[59], 0.5);
});

Deno.test("decodeWav skips unknown chunks and odd-sized padding", () => {
  const base = encodeWav(new Float32Array([0.5, -0.5]), { sampleRate: 16000 });
  // insert a 3-byte "LIST" chunk (padded to 4) between fmt and data
  const extra = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]);
  const out = new Uint8Array(base.length + extra.length);
  out.set(base.subarray(0, 36));
  out.set(extra, 36);
  out.set(base.subarray(36), 36 + extra.length);
  const wav = decodeWav(out);
  assert.deepEqual([...wav.samples], [0.5, -0.5]);
});

Deno.test("decodeWav reads the shared VAD clip (16 kHz int16)", async () => {
  const wav = await readWavFile(testdata("vad/vad01_clean.wav"));
  assert.equal(wav.sampleRate, 16000);
  assert.equal(wav.channels, 1);
  assert.equal(wav.frames, 168160);
  assert.equal(wav.encoding, "pcm16");
});

Deno.test("decodeWav rejects truncated, non-RIFF and unsupported files with what it found", () => {
  assert.throws(() => decodeWav(new Uint8Array(5)), /file is 5 bytes; a RIFF header needs 12/);
  const id3 = new TextEncoder().encode("ID3\x03xxxxxxxxxxxxxxxx");
  assert.throws(() => decodeWav(id3), /expected "RIFF" at offset 0, found "ID3\\x03"/);
  const good = encodeWav(new Float32Array(4), { sampleRate: 16000 });
  const mp3 = good.slice();
  new DataView(mp3.buffer).setUint16(20, 0x55, true);
  assert.throws(() => decodeWav(mp3), /format tag 0x0055 \(MP3\) is not supported/);
  assert.throws(() => decodeWav(good.slice(0, 40)), /no "data" chunk/);
  const noFmt = good.slice();
  noFmt.set(new TextEncoder().encode("junk"), 12);
  assert.throws(() => decodeWav(noFmt), /no "fmt " chunk/);
  const odd = good.slice();
  new DataView(odd.buffer).setUint16(34, 12, true);
  assert.throws(() => decodeWav(odd), /PCM with 12 bits per sample is not supported/);
});

Deno.test("readWavFile names the path in errors", async () => {
  const path = await Deno.makeTempFile({ suffix: ".wav" });
  try {
    await Deno.writeTextFile(path, "not a wav file at all");
    await assert.rejects(() => readWavFile(path), (e: Error) => e.message.startsWith(path));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("encodeWav rejects bad rate, channels and lengths", () => {
  assert.throws(() => encodeWav(new Float32Array(2), { sampleRate: 0 }), /sample rate 0/);
  assert.throws(
    () => encodeWav(new Float32Array(3), { sampleRate: 8000, channels: 2 }),
    /3 samples/,
  );
  assert.throws(() => encodeWav(new Float32Array(2), { sampleRate: 8000, channels: 65 }), /65/);
});
