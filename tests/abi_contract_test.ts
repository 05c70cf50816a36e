// The ABI contract, checked three ways: native/include/remotemedia.h, the library's
// exported symbols (nm -D), and src/ffi/symbols.ts must agree.
import assert from "node:assert/strict";
import { symbols } from "../src/ffi/symbols.ts";
import { native } from "../src/ffi/loader.ts";

const root = new URL("../", import.meta.url);
const header = Deno.readTextFileSync(new URL("native/include/remotemedia.h", root));

interface Decl {
  name: string;
  result: string;
  params: string[];
}

function parseHeader(text: string): Map<string, Decl> {
  const out = new Map<string, Decl>();
  const re = /^\s*([A-Za-z_][\w\s]*?\**)\s*\b(rm_\w+)\s*\(([^)]*)\)\s*;/gm;
  for (const m of text.matchAll(re)) {
    const params = m[3]!.trim() === "void" || m[3]!.trim() === ""
      ? []
      : m[3]!.split(",").map((p) => p.trim());
    out.set(m[2]!, { name: m[2]!, result: m[1]!.trim(), params });
  }
  return out;
}

/** Deno FFI types a C type may be bound as. */
function compatible(cType: string): string[] {
  const t = cType.replace(/\b(const|struct)\b/g, "").replace(/\s+/g, " ").trim();
  if (t.includes("*")) return ["buffer", "pointer", "function"];
  const base = t.split(" ")[0]!;
  const map: Record<string, string[]> = {
    void: ["void"],
    uint8_t: ["u8"],
    int8_t: ["i8"],
    uint16_t: ["u16"],
    int16_t: ["i16"],
    uint32_t: ["u32"],
    int32_t: ["i32"],
    uint64_t: ["u64", "usize"],
    int64_t: ["i64", "isize"],
    size_t: ["usize", "u64"],
    float: ["f32"],
    double: ["f64"],
    bool: ["bool", "u8"],
  };
  return map[base] ?? [`<unknown C type ${cType}>`];
}

function paramType(decl: string): string {
  // "const float *src" -> "const float *"; "uint32_t n" -> "uint32_t"
  const m = decl.match(/^(.*?)(\w+)$/);
  return m ? m[1]!.trim() || decl : decl;
}

const decls = parseHeader(header);

function exportedSymbols(path: string): Set<string> {
  const out = new Deno.Command("nm", { args: ["-D", "--defined-only", path] }).outputSync();
  assert.ok(out.success, "nm -D failed");
  const names = new TextDecoder().decode(out.stdout).split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3 && f[1] === "T" && f[2]!.startsWith("rm_"))
    .map((f) => f[2]!);
  return new Set(names);
}

Deno.test("abi contract: header declares every symbol in symbols.ts with matching types", () => {
  for (const [name, def] of Object.entries(symbols)) {
    const d = decls.get(name);
    assert.ok(d, `${name} is in symbols.ts but not declared in remotemedia.h`);
    const params = def.parameters as readonly string[];
    assert.equal(params.length, d.params.length, `${name}: parameter count`);
    params.forEach((p, i) => {
      const ok = compatible(paramType(d.params[i]!));
      assert.ok(ok.includes(p), `${name} parameter ${i}: TS ${p} vs C "${d.params[i]}"`);
    });
    assert.ok(
      compatible(d.result).includes(def.result),
      `${name} result: ${def.result} vs C ${d.result}`,
    );
  }
});

Deno.test("abi contract: every header declaration is bound in symbols.ts", () => {
  for (const name of decls.keys()) {
    assert.ok(name in symbols, `${name} is declared in remotemedia.h but missing from symbols.ts`);
  }
});

Deno.test("abi contract: the built library exports exactly the header's functions", () => {
  const exported = exportedSymbols(native().path);
  for (const name of decls.keys()) assert.ok(exported.has(name), `${name} is not exported`);
  for (const name of exported) {
    assert.ok(decls.has(name), `${name} is exported but not in the header`);
  }
});

Deno.test("abi contract: RM_ABI_VERSION in the header matches the library", () => {
  const m = header.match(/#define RM_ABI_VERSION (\d+)/);
  assert.ok(m);
  assert.equal(Number(m[1]), native().abiVersion);
});
