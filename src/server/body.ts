/**
 * Request body reading with limits enforced while the body streams in: a declared
 * `content-length` over the limit is refused before reading, and a body that grows past
 * the limit is cancelled at the chunk that crosses it. Raw `audio/wav`, JSON and
 * `multipart/form-data` (parsed in place: parts are views into the one body buffer).
 *
 * @module
 */

import { HttpError } from "./errors.ts";

/** Options for {@link readBody}. */
export interface ReadBodyOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Aborts the read (the request's time limit). */
  signal?: AbortSignal;
}

/** One part of a `multipart/form-data` body. */
export interface MultipartPart {
  /** The `name` from `content-disposition`. */
  name: string;
  /** The `filename` from `content-disposition`, when it is a file. */
  filename?: string;
  /** The part's `content-type`, lower-cased, without parameters. */
  contentType?: string;
  /** The part's bytes (a view into the request body). */
  data: Uint8Array;
}

/** An uploaded audio request: a raw WAV body, or a multipart form with an audio part. */
export interface Upload {
  /** How it arrived. */
  kind: "raw" | "multipart";
  /** The audio file's bytes, when there is one. */
  audio?: Uint8Array;
  /** Text fields of a multipart form (e.g. `manifest`), decoded as UTF-8. */
  fields: Record<string, string>;
  /** Every multipart part (empty for a raw body). */
  parts: MultipartPart[];
}

/** Content types accepted as a raw WAV body. */
export const WAV_CONTENT_TYPES: readonly string[] = [
  "audio/wav",
  "audio/x-wav",
  "audio/wave",
  "audio/vnd.wave",
];

const MAX_PARTS = 64;
const MAX_PART_HEADER_BYTES = 16 * 1024;

function tooLarge(maxBytes: number, received: number | string): HttpError {
  return new HttpError(
    413,
    "payload_too_large",
    `Cannot accept the request body: it is larger than the ${maxBytes}-byte limit`,
    { max_body_bytes: maxBytes, received_bytes: received },
  );
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new HttpError(503, "aborted", "Request aborted");
}

/**
 * Read a request body into one `Uint8Array`, enforcing `maxBytes` while it streams.
 *
 * @param req The request.
 * @param options The size limit and an abort signal.
 * @returns The body (empty when there is none).
 * @throws {HttpError} 413 `payload_too_large` past the limit (declared or actual),
 *   400 `bad_request` for a malformed `content-length`, or the signal's reason on abort.
 *
 * @example
 * ```ts
 * import { readBody } from "./body.ts";
 * const req = new Request("http://x/", { method: "POST", body: "hello" });
 * console.log((await readBody(req, { maxBytes: 1024 })).length); // 5
 * ```
 */
export async function readBody(req: Request, options: ReadBodyOptions): Promise<Uint8Array> {
  const { maxBytes, signal } = options;
  const declared = req.headers.get("content-length");
  let expected = -1;
  if (declared !== null) {
    if (!/^\s*\d+\s*$/.test(declared)) {
      throw new HttpError(400, "bad_request", `Cannot read the body: content-length "${declared}"`);
    }
    expected = Number(declared);
    if (expected > maxBytes) throw tooLarge(maxBytes, expected);
  }
  if (req.body === null) return new Uint8Array(0);
  signal?.throwIfAborted();
  const reader = req.body.getReader();
  let buf = new Uint8Array(expected >= 0 ? expected : Math.min(maxBytes, 64 * 1024));
  let len = 0;
  let onAbort: (() => void) | undefined;
  const aborted = signal === undefined ? undefined : new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted?.catch(() => {});
  let done = false;
  try {
    while (true) {
      const next = aborted ? await Promise.race([reader.read(), aborted]) : await reader.read();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = next.value;
      if (len + chunk.length > maxBytes) throw tooLarge(maxBytes, `more than ${maxBytes}`);
      if (len + chunk.length > buf.length) {
        const grown = new Uint8Array(
          Math.min(maxBytes, Math.max(buf.length * 2, len + chunk.length)),
        );
        grown.set(buf.subarray(0, len));
        buf = grown;
      }
      buf.set(chunk, len);
      len += chunk.length;
    }
  } finally {
    if (onAbort) signal!.removeEventListener("abort", onAbort);
    if (!done) reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
  return buf.subarray(0, len);
}

/** The media type of a content-type header: lower-cased, parameters dropped. */
export function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Parameters of a header value like `form-data; name="a"; filename="b.wav"`. */
function headerParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    const v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "").trim();
    // HTML form encoding escapes these three in names and filenames.
    out[m[1]!.toLowerCase()] = v.replace(
      /%(22|0D|0A)/gi,
      (_, h) => String.fromCharCode(parseInt(h, 16)),
    );
  }
  return out;
}

function malformed(detail: string): HttpError {
  return new HttpError(
    400,
    "malformed_multipart",
    `Cannot read the multipart body: ${detail}`,
  );
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i >= 0; i = hay.indexOf(first, i + 1)) {
    if (i + needle.length > hay.length) return -1;
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/**
 * Parse a `multipart/form-data` body. Parts are views into `body` (no copies).
 *
 * @param body The whole body.
 * @param contentType The request's content-type (carries the boundary).
 * @returns The parts in order.
 * @throws {HttpError} 400 `malformed_multipart` naming the problem.
 *
 * @example
 * ```ts
 * import { parseMultipart } from "./body.ts";
 * const body = new TextEncoder().encode(
 *   '--b\r\ncontent-disposition: form-data; name="x"\r\n\r\nhi\r\n--b--\r\n',
 * );
 * const [part] = parseMultipart(body, "multipart/form-data; boundary=b");
 * console.log(part!.name, new TextDecoder().decode(part!.data)); // x hi
 * ```
 */
export function parseMultipart(body: Uint8Array, contentType: string): MultipartPart[] {
  const boundary = headerParams(contentType.slice(contentType.indexOf(";"))).boundary;
  if (!boundary || boundary.length > 200) {
    throw malformed("the content-type has no usable boundary parameter");
  }
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const delim = enc.encode(`--${boundary}`);
  const next = enc.encode(`\r\n--${boundary}`);
  let pos = indexOfBytes(body, delim, 0);
  if (pos < 0) throw malformed(`boundary "${boundary}" not found`);
  if (pos > 0 && !(body[pos - 2] === 13 && body[pos - 1] === 10)) {
    throw malformed("the first boundary does not start a line");
  }
  pos += delim.length;
  const parts: MultipartPart[] = [];
  while (true) {
    if (body[pos] === 45 && body[pos + 1] === 45) return parts; // "--": closing delimiter
    while (body[pos] === 32 || body[pos] === 9) pos++; // transport padding
    if (!(body[pos] === 13 && body[pos + 1] === 10)) {
      throw malformed(`expected CRLF after the boundary at byte ${pos}`);
    }
    pos += 2;
    if (parts.length >= MAX_PARTS) throw malformed(`more than ${MAX_PARTS} parts`);
    const headerEnd = indexOfBytes(body, enc.encode("\r\n\r\n"), pos);
    const emptyHeaders = body[pos] === 13 && body[pos + 1] === 10;
    if (!emptyHeaders && (headerEnd < 0 || headerEnd - pos > MAX_PART_HEADER_BYTES)) {
      throw malformed(`part ${parts.length} has no end of headers`);
    }
    const headerText = emptyHeaders ? "" : dec.decode(body.subarray(pos, headerEnd));
    const start = emptyHeaders ? pos + 2 : headerEnd + 4;
    const end = indexOfBytes(body, next, start);
    if (end < 0) throw malformed(`part ${parts.length} is not closed by the boundary`);
    const headers: Record<string, string> = {};
    for (const line of headerText === "" ? [] : headerText.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon <= 0) throw malformed(`part ${parts.length} has a bad header line "${line}"`);
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const disposition = headers["content-disposition"];
    if (disposition === undefined || mediaType(disposition) !== "form-data") {
      throw malformed(`part ${parts.length} has no "content-disposition: form-data" header`);
    }
    const params = headerParams(disposition.slice(disposition.indexOf(";")));
    if (params.name === undefined) throw malformed(`part ${parts.length} has no name`);
    const part: MultipartPart = {
      name: params.name,
      data: body.subarray(start, end),
    };
    if (params.filename !== undefined) part.filename = params.filename;
    if (headers["content-type"] !== undefined) {
      part.contentType = mediaType(headers["content-type"]);
    }
    parts.push(part);
    pos = end + next.length;
  }
}

/**
 * Read a JSON body (`application/json` or `*+json`) within the size limit.
 *
 * @param req The request.
 * @param options The size limit and an abort signal.
 * @returns The parsed value.
 * @throws {HttpError} 415 for another content type, 400 `malformed_json`, 413.
 *
 * @example
 * ```ts
 * import { readJson } from "./body.ts";
 * const req = new Request("http://x/", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: '{"a":1}',
 * });
 * console.log(await readJson(req, { maxBytes: 1024 })); // { a: 1 }
 * ```
 */
export async function readJson(req: Request, options: ReadBodyOptions): Promise<unknown> {
  const type = mediaType(req.headers.get("content-type"));
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Cannot read the body: content-type "${type || "(none)"}" is not application/json`,
      { content_type: type, accepted: ["application/json"] },
    );
  }
  const bytes = await readBody(req, options);
  return parseJsonBytes(bytes, "the body");
}

/**
 * Parse UTF-8 JSON bytes, answering 400 `malformed_json` on failure.
 *
 * @param bytes UTF-8 JSON.
 * @param what What the bytes are, for the message (e.g. "the manifest field").
 * @returns The parsed value.
 * @throws {HttpError} 400 `malformed_json` with the parser's message.
 */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "malformed_json", `Cannot parse ${what}: it is not valid UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(
      400,
      "malformed_json",
      `Cannot parse ${what} as JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * Read an audio upload: a raw WAV body (`content-type: audio/wav` and its aliases) or a
 * `multipart/form-data` form whose audio part is named `audioField` (or `audio`/`file`),
 * or else is the first part with a filename or an `audio/*` type. Other parts without a
 * filename become text `fields`.
 *
 * @param req The request.
 * @param options The size limit and an abort signal; `audioField` names the audio part.
 * @returns The upload.
 * @throws {HttpError} 415 for another content type, 400 for a malformed form, 413.
 *
 * @example
 * ```ts
 * import { readUpload } from "./body.ts";
 * const req = new Request("http://x/", {
 *   method: "POST",
 *   headers: { "content-type": "audio/wav" },
 *   body: new Uint8Array(44),
 * });
 * console.log((await readUpload(req, { maxBytes: 1 << 20 })).audio?.length); // 44
 * ```
 */
export async function readUpload(
  req: Request,
  options: ReadBodyOptions & { audioField?: string },
): Promise<Upload> {
  const contentType = req.headers.get("content-type");
  const type = mediaType(contentType);
  if (WAV_CONTENT_TYPES.includes(type)) {
    return { kind: "raw", audio: await readBody(req, options), fields: {}, parts: [] };
  }
  if (type !== "multipart/form-data") {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Cannot read the upload: content-type "${type || "(none)"}" is not audio/wav or ` +
        "multipart/form-data",
      { content_type: type, accepted: [...WAV_CONTENT_TYPES, "multipart/form-data"] },
    );
  }
  const parts = parseMultipart(await readBody(req, options), contentType!);
  const names = options.audioField ? [options.audioField] : ["audio", "file"];
  const audioPart = parts.find((p) => names.includes(p.name)) ??
    (options.audioField
      ? undefined
      : parts.find((p) => p.filename !== undefined || p.contentType?.startsWith("audio/")));
  const fields: Record<string, string> = {};
  const dec = new TextDecoder("utf-8", { fatal: true });
  for (const p of parts) {
    if (p === audioPart || p.filename !== undefined) continue;
    try {
      fields[p.name] = dec.decode(p.data);
    } catch {
      throw malformed(`field "${p.name}" is not valid UTF-8 text`);
    }
  }
  const upload: Upload = { kind: "multipart", fields, parts };
  if (audioPart) upload.audio = audioPart.data;
  return upload;
}
