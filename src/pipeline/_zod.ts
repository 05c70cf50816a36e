// zod helpers shared by the manifest and node params schemas: issue formatting in the house
// style ("nodes[2].params.target_rate: expected a positive integer, got -5") and small
// schema builders whose errors read that way.

import { z } from "zod";

/** One validation problem: where (a dotted path) and what. */
export interface Issue {
  /** Location, e.g. `nodes[2].params.target_rate` (`(root)` for the whole document). */
  path: string;
  /** What is wrong, e.g. `expected a positive integer, got -5`. */
  message: string;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `["nodes", 2, "params", "rate"]` -> `nodes[2].params.rate`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = "";
  for (const k of path) {
    if (typeof k === "number") s += `[${k}]`;
    else if (typeof k === "string" && IDENT.test(k)) s += s === "" ? k : `.${k}`;
    else s += `[${JSON.stringify(String(k))}]`;
  }
  return s === "" ? "(root)" : s;
}

/** A short description of a received value for messages. */
export function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") {
    const s = JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
    return `the string ${s}`;
  }
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "object") return "an object";
  return typeof v;
}

const TYPE_NAMES: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  bigint: "a bigint",
  record: "an object",
};

function plural(n: number | bigint, unit: string): string {
  return `${n} ${unit}${Number(n) === 1 ? "" : "s"}`;
}

type RawIssue = z.core.$ZodRawIssue;

function expectation(iss: RawIssue): string {
  switch (iss.code) {
    case "invalid_type":
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}`;
    case "too_small":
    case "too_big": {
      const lo = iss.code === "too_small";
      const bound = lo ? iss.minimum : iss.maximum;
      const op = lo ? (iss.inclusive ? ">=" : ">") : (iss.inclusive ? "<=" : "<");
      if (iss.origin === "array" || iss.origin === "set") {
        return `expected ${lo ? "at least" : "at most"} ${plural(bound, "item")}`;
      }
      if (iss.origin === "string") {
        return `expected ${lo ? "at least" : "at most"} ${plural(bound, "character")}`;
      }
      return `expected a number ${op} ${bound}`;
    }
    case "invalid_value":
      return iss.values.length === 1
        ? `expected ${JSON.stringify(iss.values[0])}`
        : `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "not_multiple_of":
      return `expected a multiple of ${iss.divisor}`;
    case "invalid_format":
      return `expected ${iss.format === "regex" ? "a string matching the pattern" : iss.format}`;
    case "invalid_union":
      return "expected one of the allowed forms";
    default:
      return iss.message ?? "is invalid";
  }
}

function gotOf(iss: RawIssue): string {
  const input = iss.input;
  if (iss.code === "too_small" || iss.code === "too_big") {
    if (Array.isArray(input)) return plural(input.length, "item");
    if (typeof input === "string") return plural(input.length, "character");
  }
  return describe(input);
}

/** Per-parse zod error map producing `expected ..., got ...` messages. */
export function errorMap(iss: RawIssue): string {
  if (iss.code === "unrecognized_keys") return "unknown key";
  if (iss.code === "custom") return iss.message ?? "is invalid";
  return `${expectation(iss)}, got ${gotOf(iss)}`;
}

/** A schema-level error function: `expected <what>, got <input>`. */
export function expecting(what: string): (iss: RawIssue) => string {
  return (iss) => `expected ${what}, got ${gotOf(iss)}`;
}

/**
 * Validate `value` with `schema`, turning zod issues into {@link Issue}s under `prefix`.
 * Returns the parsed value or the issues.
 */
export function parseWith<T>(
  schema: { safeParse(data: unknown, options?: object): unknown },
  value: unknown,
  prefix: ReadonlyArray<PropertyKey>,
): { ok: true; value: T } | { ok: false; issues: Issue[] } {
  const r = schema.safeParse(value, { error: errorMap }) as
    | { success: true; data: T }
    | { success: false; error: unknown };
  if (r.success) return { ok: true, value: r.data };
  const zerr = r.error as { issues?: z.core.$ZodIssue[] } | undefined;
  if (!Array.isArray(zerr?.issues)) {
    const msg = r.error instanceof Error ? r.error.message : String(r.error);
    return { ok: false, issues: [{ path: formatPath(prefix), message: msg }] };
  }
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const iss of zerr.issues) {
    const add = (path: ReadonlyArray<PropertyKey>, message: string) => {
      const p = formatPath([...prefix, ...path]);
      const key = `${p}\0${message}`;
      if (!seen.has(key)) {
        seen.add(key);
        issues.push({ path: p, message });
      }
    };
    if (iss.code === "unrecognized_keys") {
      for (const k of iss.keys) add([...iss.path, k], "unknown key");
    } else {
      add(iss.path, iss.message);
    }
  }
  return { ok: false, issues };
}

/** A positive safe integer whose errors read `expected a positive integer, got ...`. */
export function positiveInt(): z.ZodInt {
  const e = expecting("a positive integer");
  return z.int({ error: e }).positive({ error: e });
}

/** A non-negative safe integer. */
export function nonNegativeInt(): z.ZodInt {
  const e = expecting("a non-negative integer");
  return z.int({ error: e }).nonnegative({ error: e });
}

/** A finite number > 0. */
export function positiveNumber(): z.ZodNumber {
  const e = expecting("a positive number");
  return z.number({ error: e }).positive({ error: e });
}

/** A finite number >= 0. */
export function nonNegativeNumber(): z.ZodNumber {
  const e = expecting("a non-negative number");
  return z.number({ error: e }).nonnegative({ error: e });
}
