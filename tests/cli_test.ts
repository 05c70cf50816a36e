import assert from "node:assert/strict";
import { cli } from "./_cli.ts";
import { decodeWav, encodeWav, type WavEncoding } from "../src/io/wav.ts";
import { type Command, runCli } from "../src/cli/command.ts";
import { parseCpuinfo } from "../src/cli/commands/info.ts";
import { ProgressReporter } from "../src/cli/progress.ts";
import { rng } from "./_util.ts";

function assertOneErrorLine(stderr: string, re: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.match(lines[0]!, /^remotemedia( \w+)?: error: /);
  assert.match(lines[0]!, re);
  assert.ok(!stderr.includes("    at "), `stack trace in:\n${stderr}`);
}

Deno.test("cli --help lists the commands and exits 0; no command exits 2", async () => {
  const r = await cli("--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: remotemedia <command> \[options\]/);
  assert.match(r.stdout, /\n {2}convert +Convert a WAV file's sample format/);
  assert.match(r.stdout, /\n {2}info +Show versions/);
  const none = await cli();
  assert.equal(none.code, 2);
  assert.equal(none.stdout, "");
  assert.match(none.stderr, /^Usage: remotemedia/);
});

Deno.test("cli --version prints the package version", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const r = await cli("--version");
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `remotemedia ${config.version}\n`);
});

Deno.test("cli <command> --help shows that command's usage and options", async () => {
  for (const args of [["convert", "--help"], ["convert", "-h"], ["help", "convert"]]) {
    const r = await cli(...args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.stdout, /^Usage: remotemedia convert <in\.wav> --out <out\.wav> \[options\]/);
    assert.match(r.stdout, /-f, --format <s16\|s24\|s32\|f32>/);
    assert.match(r.stdout, /--quiet/);
  }
  const info = await cli("info", "--help");
  assert.equal(info.code, 0);
  assert.match(info.stdout, /--json +Print the report as JSON/);
});

Deno.test("cli reports usage errors on one line with exit code 2", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["frob"], /unknown command 'frob'; commands: run, validate, nodes, .*convert, info/],
    [["convert", "a.wav", "--bogus"], /Unknown option '--bogus'/],
    [["convert", "a.wav"], /missing option --out/],
    [["convert", "--out", "b.wav"], /missing argument <in\.wav>/],
    [["convert", "a.wav", "b.wav", "--out", "c.wav"], /unexpected argument 'b\.wav'/],
    [["convert", "a.wav", "--out", "b.wav", "--format", "u8"], /--format 'u8' is not one of/],
    [["--frob", "info"], /unknown option '--frob' before the command/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    assertOneErrorLine(r.stderr, re);
    assert.match(r.stderr, /\nRun 'remotemedia( convert)? --help' for usage\.\n$/);
  }
});

Deno.test("cli convert rewrites a WAV in each format within quantization error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = rng(21);
    const frames = 4000, channels = 2, rate = 22050;
    const samples = new Float32Array(frames * channels).map(() => (r() * 2 - 1) * 0.9);
    const src = `${dir}/in.wav`;
    await Deno.writeFile(
      src,
      encodeWav(samples, { sampleRate: rate, channels, encoding: "float32" }),
    );
    const tol: Record<string, [WavEncoding, number]> = {
      s16: ["pcm16", 1 / 32768],
      s24: ["pcm24", 1 / 8388608],
      s32: ["pcm32", 1e-7],
      f32: ["float32", 0],
    };
    for (const [format, [encoding, eps]] of Object.entries(tol)) {
      const out = `${dir}/out_${format}.wav`;
      const res = await cli("convert", src, "--out", out, "--format", format);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, "");
      assert.match(res.stdout, new RegExp(`-> ${out} \\(${encoding}, \\d+ bytes\\)\\n$`));
      const wav = decodeWav(await Deno.readFile(out));
      assert.equal(wav.encoding, encoding);
      assert.equal(wav.sampleRate, rate);
      assert.equal(wav.channels, channels);
      assert.equal(wav.frames, frames);
      for (let i = 0; i < samples.length; i++) {
        const d = Math.abs(wav.samples[i]! - samples[i]!);
        assert.ok(d <= eps, `${format} sample ${i}: expected ${samples[i]}, got ${wav.samples[i]}`);
      }
    }
    // Without --format the encoding is kept; --quiet prints nothing.
    const same = await cli("convert", `${dir}/out_s24.wav`, "-o", `${dir}/again.wav`, "--quiet");
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout + same.stderr, "");
    assert.deepEqual(
      await Deno.readFile(`${dir}/again.wav`),
      await Deno.readFile(`${dir}/out_s24.wav`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli convert fails with exit 1 and one line naming the file and the problem", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.wav`, "RIFX not really a wav file");
    const bad = await cli("convert", `${dir}/bad.wav`, "--out", `${dir}/o.wav`);
    assert.equal(bad.code, 1);
    assertOneErrorLine(bad.stderr, /bad\.wav: Cannot read WAV: expected "RIFF" at offset 0/);
    assert.equal(bad.stderr.trimEnd().split("\n").length, 1);
    const missing = await cli("convert", `${dir}/none.wav`, "--out", `${dir}/o.wav`);
    assert.equal(missing.code, 1);
    assertOneErrorLine(missing.stderr, /Cannot read .*none\.wav: no such file/);
    const debug = await cli("convert", `${dir}/bad.wav`, "--out", `${dir}/o.wav`, "--debug");
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /\n {4}at /, "--debug shows the stack");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli info prints the library, ABI and the CPU features /proc/cpuinfo lists", async () => {
  const text = await cli("info");
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^package +@remotemedia\/edge /m);
  assert.match(text.stdout, /^native ABI +1 \(this code expects 1\)$/m);
  assert.match(text.stdout, /^cpu features +/m);
  const json = await cli("info", "--json");
  assert.equal(json.code, 0);
  const report = JSON.parse(json.stdout);
  assert.equal(report.native.loaded, true);
  assert.equal(report.native.abi, 1);
  assert.match(report.native.path, /libremotemedia\.(so|dylib)$|remotemedia\.dll$/);
  assert.equal(report.runtime.deno, Deno.version.deno);
  if (Deno.build.os === "linux") {
    const flags = new Set(
      (await Deno.readTextFile("/proc/cpuinfo")).split("\n")
        .filter((l) => /^(flags|Features)\s*:/.test(l))
        .flatMap((l) => l.split(":")[1]!.trim().split(/\s+/)),
    );
    for (const f of ["avx2", "fma", "avx512f", "sse4_2", "asimd"]) {
      assert.equal(report.cpu.features.includes(f), flags.has(f), `feature ${f}`);
    }
  }
});

Deno.test("parseCpuinfo reads x86 flags and Arm features", () => {
  const x86 = "processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse4_2 avx2 fma avx512f\n";
  assert.deepEqual(parseCpuinfo(x86), {
    model: "Test CPU",
    features: ["sse4_2", "avx2", "fma", "avx512f"],
  });
  const arm = "processor\t: 0\nFeatures\t: fp asimd evtstrm sve\nCPU part\t: 0xd0c\n";
  assert.deepEqual(parseCpuinfo(arm), { model: null, features: ["asimd", "sve"] });
});

// ---- in-process framework checks (progress needs a terminal, which a pipe is not) ------

function fakeIo(terminal: boolean) {
  const out: string[] = [], err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      stderrIsTerminal: () => terminal,
    },
  };
}

const progressCommand: Command = {
  name: "work",
  summary: "Pretend to process 2 s of audio",
  positionals: [],
  options: {},
  run(_args, ctx) {
    const p = ctx.progress(2, "clip.wav");
    p.update(1);
    p.done();
    ctx.stdout("result\n");
  },
};
const program = { name: "remotemedia", version: "0.0.0", summary: "test" };

Deno.test("runCli shows progress on a terminal only, and never with --quiet", async () => {
  const tty = fakeIo(true);
  assert.equal(await runCli(["work"], [progressCommand], program, tty.io), 0);
  assert.match(tty.err.join(""), /^\rclip\.wav +50% +1\.0 s \/ 2\.0 s +RTF \d/);
  assert.match(tty.err.join(""), /100% +2\.0 s \/ 2\.0 s .*\n$/);
  assert.deepEqual(tty.out, ["result\n"]);
  const quiet = fakeIo(true);
  assert.equal(await runCli(["work", "--quiet"], [progressCommand], program, quiet.io), 0);
  assert.deepEqual(quiet.err, []);
  const pipe = fakeIo(false);
  assert.equal(await runCli(["-q", "work"], [progressCommand], program, pipe.io), 0);
  assert.deepEqual(pipe.err, []);
  assert.deepEqual(pipe.out, ["result\n"]);
});

Deno.test("runCli returns a command's exit code and folds multi-line errors into one line", async () => {
  const failing: Command = {
    name: "fail",
    summary: "Fail",
    positionals: [],
    options: {},
    run() {
      throw new Error("Cannot load the library; tried:\n  a: /x (gone)\n  b: /y (gone)\nbuild it");
    },
  };
  const exiting: Command = { ...failing, name: "three", run: () => 3 };
  const f = fakeIo(false);
  assert.equal(await runCli(["fail"], [failing, exiting], program, f.io), 1);
  assert.deepEqual(f.err, [
    "remotemedia fail: error: Cannot load the library; tried: a: /x (gone); b: /y (gone); build it\n",
  ]);
  assert.equal(await runCli(["three"], [failing, exiting], program, fakeIo(false).io), 3);
});

Deno.test("ProgressReporter computes percent and real-time factor and throttles redraws", () => {
  let now = 0;
  const writes: string[] = [];
  const p = new ProgressReporter({
    totalSeconds: 10,
    enabled: true,
    write: (t) => writes.push(t),
    now: () => now,
    minIntervalMs: 100,
  });
  now = 1000;
  p.update(5);
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /^\r +50% {2}5\.0 s \/ 10\.0 s {2}RTF 0\.200 \(5\.0x real time\)$/);
  now = 1050;
  p.update(6); // within 100 ms: not drawn
  assert.equal(writes.length, 1);
  assert.ok(Math.abs(p.realtimeFactor() - 1.05 / 6) < 1e-12);
  now = 2000;
  p.done();
  assert.match(writes.at(-2)!, /100% {2}10\.0 s \/ 10\.0 s {2}RTF 0\.200/);
  assert.equal(writes.at(-1), "\n");
  p.update(3);
  p.done();
  assert.equal(writes.length, 3, "nothing after done()");
  const off = new ProgressReporter({ totalSeconds: 1, enabled: false, write: () => assert.fail() });
  off.update(0.5);
  off.done();
});
