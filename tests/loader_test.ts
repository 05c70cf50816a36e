import assert from "node:assert/strict";
import { loadNative, loadNativeSync, native } from "../src/ffi/loader.ts";

const built = native().path;

async function sha256(path: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("loadNative from a file:// URL verifies the checksum and caches the library", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const url = new URL(`file://${built}`);
    const want = await sha256(built);
    const lib = await loadNative({ url, sha256: want, cacheDir });
    assert.equal(lib.path, `${cacheDir}/${want}/libremotemedia.so`);
    assert.equal(lib.abiVersion, 1);
    assert.equal(lib.symbols.rm_noop(), 0);
    // second load: served from the cache, verified again
    const again = await loadNative({ url: new URL("file:///nonexistent"), sha256: want, cacheDir });
    assert.equal(again.path, lib.path);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("loadNative rejects a checksum mismatch and a malformed checksum", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const url = new URL(`file://${built}`);
    await assert.rejects(
      () => loadNative({ url, sha256: "0".repeat(64), cacheDir }),
      /checksum mismatch .* expected 0{64}, got [0-9a-f]{64}/,
    );
    await assert.rejects(() => loadNative({ url, sha256: "abc", cacheDir }), /not 64 hex digits/);
    await assert.rejects(() => loadNative({ url }), /`url` needs `sha256`/);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("loadNativeSync prefers an explicit path and falls back past a bad one", () => {
  assert.equal(loadNativeSync({ path: built }).path, built);
  // a bad explicit path is skipped in favour of the package build
  assert.equal(loadNativeSync({ path: "/nonexistent/libremotemedia.so" }).path, built);
});

Deno.test("loadNativeSync lists every path tried when nothing loads", async () => {
  // Copy the ffi folder somewhere without a native build, so the package path is missing too.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/src/ffi`, { recursive: true });
    for (const e of Deno.readDirSync(new URL("../src/ffi/", import.meta.url))) {
      await Deno.copyFile(
        new URL(`../src/ffi/${e.name}`, import.meta.url),
        `${dir}/src/ffi/${e.name}`,
      );
    }
    const probe = `${dir}/src/ffi/_probe.ts`;
    await Deno.writeTextFile(
      probe,
      `import { loadNativeSync } from "./loader.ts";
       try { loadNativeSync({ path: "/nope/explicit.so" }); } catch (e) { console.log((e as Error).message); }`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-config", probe],
      env: { REMOTEMEDIA_NATIVE_LIB: "/nope/env.so" },
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.match(text, /Cannot load the remotemedia native library; tried:/);
    assert.match(text, /options\.path: \/nope\/explicit\.so/);
    assert.match(text, /REMOTEMEDIA_NATIVE_LIB: \/nope\/env\.so/);
    assert.match(text, new RegExp(`package build: ${dir}/native/target/release/libremotemedia`));
    assert.match(text, /deno task build/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadNativeSync refuses a library with another ABI version, naming both", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/fake.c`,
      "unsigned int rm_abi_version(void) { return 999; }\n",
    );
    const cc = await new Deno.Command("cc", {
      args: ["-shared", "-fPIC", "-o", `${dir}/libfake.so`, `${dir}/fake.c`],
    }).output();
    assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
    assert.throws(
      () => loadNativeSync({ path: `${dir}/libfake.so` }),
      /libfake\.so: ABI version 999 does not match the version 1 this code expects/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
