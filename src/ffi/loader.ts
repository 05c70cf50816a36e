/**
 * The native library loader: the only place that calls `Deno.dlopen`.
 *
 * Search order (first hit wins):
 * 1. `options.path`, or `options.url` + `options.sha256` (downloaded once into a cache,
 *    checksum verified on every load);
 * 2. the `REMOTEMEDIA_NATIVE_LIB` environment variable;
 * 3. this package's own cargo build: `native/target/release/`.
 *
 * A permission error is rethrown as is. Any other failure becomes one error listing
 * every path tried and how to build the library. Right after `dlopen` the ABI version is
 * compared with the one this code expects.
 *
 * @module
 */

import { NativeError } from "./error.ts";
import { EXPECTED_ABI_VERSION, type NativeSymbols, symbols } from "./symbols.ts";

/** Where to load the native library from. */
export interface LoadOptions {
  /** An explicit path to the shared library. */
  path?: string;
  /** A URL (`file:`, `https:`) of a released build; requires `sha256`. */
  url?: string | URL;
  /** Hex SHA-256 of the library at `url`; verified on every load. */
  sha256?: string;
  /**
   * Cache folder for downloaded libraries.
   * @default {"$XDG_CACHE_HOME/remotemedia" or "$HOME/.cache/remotemedia"}
   */
  cacheDir?: string;
}

/** A loaded native library: its symbols plus where it came from. */
export interface NativeLibrary {
  /**
   * The bound `rm_*` functions (internal: only `src/ffi/` calls them).
   * @ignore
   */
  readonly symbols: NativeSymbols;
  /** Filesystem path the library was loaded from. */
  readonly path: string;
  /** Library version string (`rm_version`). */
  readonly version: string;
  /** ABI version reported by the library. */
  readonly abiVersion: number;
  /** Throw a `NativeError` for a negative status returned by `symbol`. */
  check(status: number, symbol: string): void;
  /** The thread's last native error message. */
  lastError(): string;
}

const EXT = Deno.build.os === "windows" ? "dll" : Deno.build.os === "darwin" ? "dylib" : "so";
const FILE = Deno.build.os === "windows" ? "remotemedia.dll" : `libremotemedia.${EXT}`;
const BUILD_HINT =
  "build it with `deno task build` (or `cargo build --release --manifest-path native/Cargo.toml`), " +
  "or set REMOTEMEDIA_NATIVE_LIB to the library's path";

const loaded = new Map<string, NativeLibrary>();

function isPermissionError(e: unknown): boolean {
  return e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied;
}

function packageBuildPath(): string | undefined {
  const url = new URL(`../../native/target/release/${FILE}`, import.meta.url);
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : undefined;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function defaultCacheDir(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  return `${xdg ?? `${home}/.cache`}/remotemedia`;
}

/**
 * Fetch a library from `url` into the cache (once) and verify its SHA-256 every time.
 * Returns the cached path.
 */
async function fromUrl(url: string | URL, sha256: string, cacheDir?: string): Promise<string> {
  const want = sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(want)) {
    throw new TypeError(`Cannot load native library: sha256 "${sha256}" is not 64 hex digits`);
  }
  const dir = `${cacheDir ?? defaultCacheDir()}/${want}`;
  const path = `${dir}/${FILE}`;
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (isPermissionError(e)) throw e;
  }
  if (bytes === undefined || (await sha256Hex(bytes)) !== want) {
    const res = await fetch(url);
    if (!res.ok) {
      throw new Error(`Cannot load native library: GET ${url} answered ${res.status}`);
    }
    bytes = new Uint8Array(await res.arrayBuffer());
    const got = await sha256Hex(bytes);
    if (got !== want) {
      throw new Error(
        `Cannot load native library: checksum mismatch for ${url}: expected ${want}, got ${got}`,
      );
    }
    await Deno.mkdir(dir, { recursive: true });
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeFile(tmp, bytes, { mode: 0o755 });
    await Deno.rename(tmp, path);
  }
  return path;
}

function readCString(p: Deno.PointerValue): string {
  return p === null ? "" : Deno.UnsafePointerView.getCString(p);
}

function open(path: string): NativeLibrary {
  const cached = loaded.get(path);
  if (cached) return cached;
  // Check the ABI with a one-symbol binding first: a library of another version may lack
  // symbols, and binding them all would fail with a less useful message.
  const probe = Deno.dlopen(path, { rm_abi_version: symbols.rm_abi_version });
  const abiVersion = probe.symbols.rm_abi_version();
  probe.close();
  if (abiVersion !== EXPECTED_ABI_VERSION) {
    throw new Error(
      `Cannot load native library ${path}: ABI version ${abiVersion} does not match the ` +
        `version ${EXPECTED_ABI_VERSION} this code expects; rebuild it (${BUILD_HINT})`,
    );
  }
  const lib = Deno.dlopen(path, symbols);
  const errBuf = new Uint8Array(1024);
  const decoder = new TextDecoder();
  const lastError = (): string => {
    const n = lib.symbols.rm_last_error(errBuf, errBuf.length);
    return decoder.decode(errBuf.subarray(0, Math.min(n, errBuf.length - 1)));
  };
  const native: NativeLibrary = {
    symbols: lib.symbols,
    path,
    version: readCString(lib.symbols.rm_version()),
    abiVersion,
    lastError,
    check(status: number, symbol: string): void {
      if (status < 0) throw new NativeError(status, symbol, lastError());
    },
  };
  loaded.set(path, native);
  return native;
}

/**
 * Load the native library (cached per path; later calls return the same object).
 *
 * @param options Where to look first.
 * @returns The loaded library.
 * @throws {Deno.errors.NotCapable} without `--allow-ffi` (rethrown as is).
 * @throws {Error} listing every path tried when no library could be loaded.
 *
 * @example Load from the package build
 * ```ts ignore
 * const lib = await loadNative();
 * console.log(lib.path, lib.version);
 * ```
 */
export async function loadNative(options: LoadOptions = {}): Promise<NativeLibrary> {
  if (options.url !== undefined) {
    if (options.sha256 === undefined) {
      throw new TypeError("Cannot load native library: `url` needs `sha256`");
    }
    return open(await fromUrl(options.url, options.sha256, options.cacheDir));
  }
  return loadNativeSync(options);
}

/**
 * Synchronous form of {@link loadNative} for paths (no `url`).
 *
 * @param options Where to look first.
 * @returns The loaded library.
 * @throws {Error} listing every path tried when no library could be loaded.
 */
export function loadNativeSync(options: Omit<LoadOptions, "url" | "sha256"> = {}): NativeLibrary {
  const candidates: Array<[string, string]> = [];
  if (options.path) candidates.push(["options.path", options.path]);
  let env: string | undefined;
  try {
    env = Deno.env.get("REMOTEMEDIA_NATIVE_LIB");
  } catch (e) {
    if (!isPermissionError(e)) throw e;
  }
  if (env) candidates.push(["REMOTEMEDIA_NATIVE_LIB", env]);
  const pkg = packageBuildPath();
  if (pkg) candidates.push(["package build", pkg]);

  const tried: string[] = [];
  let firstCause: unknown;
  for (const [source, path] of candidates) {
    try {
      return open(path);
    } catch (e) {
      if (isPermissionError(e)) throw e;
      const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
      tried.push(`  ${source}: ${path} (${msg})`);
      firstCause ??= e;
      if (e instanceof Error && e.message.includes("ABI version")) throw e;
    }
  }
  throw new Error(
    `Cannot load the remotemedia native library; tried:\n${tried.join("\n")}\n${BUILD_HINT}`,
    { cause: firstCause },
  );
}

let defaultLib: NativeLibrary | null | undefined;
let defaultError: unknown;

/**
 * The default library (loaded on first use), or `null` when it cannot be loaded; the
 * reason is kept for {@link nativeUnavailableReason}. Used by `runtime_hint: "auto"`.
 *
 * @returns The library or null.
 */
export function tryNative(): NativeLibrary | null {
  if (defaultLib === undefined) {
    try {
      defaultLib = loadNativeSync();
    } catch (e) {
      defaultLib = null;
      defaultError = e;
    }
  }
  return defaultLib;
}

/**
 * The default library, throwing when it cannot be loaded.
 *
 * @returns The library.
 * @throws {Error} why the library could not be loaded.
 */
export function native(): NativeLibrary {
  const lib = tryNative();
  if (lib === null) throw defaultError;
  return lib;
}

/**
 * Why the default library could not be loaded (after {@link tryNative} returned null).
 *
 * @returns A one-line reason, or undefined when it loaded.
 */
export function nativeUnavailableReason(): string | undefined {
  if (defaultError === undefined) return undefined;
  return defaultError instanceof Error ? defaultError.message : String(defaultError);
}
