// A strict parser of Prometheus text exposition 0.0.4, for tests of exporters.
import assert from "node:assert/strict";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

/** A strict parser of Prometheus text format 0.0.4 (what a scraper checks). */
export function parseExposition(text: string): Map<string, Family> {
  const fams = new Map<string, Family>();
  const finished = new Set<string>();
  let current: string | null = null;
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  assert.ok(text.endsWith("\n"), "ends with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = line.match(/^# (HELP|TYPE) (\S+) (.*)$/);
    if (meta) {
      const [, kind, name, rest] = meta;
      assert.match(name!, NAME);
      if (current !== name) {
        assert.ok(!finished.has(name!), `family ${name} is split`);
        if (current !== null) finished.add(current);
        current = name!;
      }
      const f: Family = fams.get(name!) ?? { type: "", help: "", samples: [] };
      fams.set(name!, f);
      if (kind === "TYPE") {
        assert.equal(f.type, "", `second TYPE for ${name}`);
        assert.ok(["counter", "gauge", "summary", "histogram", "untyped"].includes(rest!));
        assert.equal(f.samples.length, 0, `TYPE after samples for ${name}`);
        f.type = rest!;
      } else {
        assert.ok(!/\\[^\\n]/.test(rest!.replace(/\\\\/g, "")), "HELP escapes");
        f.help = rest!.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      }
      continue;
    }
    assert.ok(!line.startsWith("#"), `unexpected comment ${line}`);
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/);
    assert.ok(m, `bad sample line: ${line}`);
    const [, name, lab, val] = m;
    const fam = [...fams.keys()].find((f) =>
      name === f ||
      (fams.get(f)!.type === "summary" && (name === `${f}_sum` || name === `${f}_count`))
    );
    assert.ok(fam !== undefined && fam === current, `sample ${name} outside its family`);
    assert.ok(fams.get(fam)!.type !== "", `sample before TYPE: ${name}`);
    const labels: Record<string, string> = {};
    if (lab) {
      let i = 1;
      const s = lab;
      while (i < s.length - 1) {
        const km = s.slice(i).match(/^([a-zA-Z_][a-zA-Z0-9_]*)="/);
        assert.ok(km, `bad label at ${s.slice(i)}`);
        i += km[0].length;
        let v = "";
        while (s[i] !== '"') {
          if (s[i] === "\\") {
            const e = s[i + 1];
            assert.ok(e === "\\" || e === '"' || e === "n", `bad escape \\${e}`);
            v += e === "n" ? "\n" : e;
            i += 2;
          } else {
            assert.ok(s[i] !== "\n");
            v += s[i++];
          }
        }
        i++;
        labels[km[1]!] = v;
        if (s[i] === ",") i++;
      }
    }
    const value = val === "+Inf" ? Infinity : val === "-Inf" ? -Infinity : Number(val);
    assert.ok(val === "NaN" || !Number.isNaN(value), `bad value ${val}`);
    fams.get(fam)!.samples.push({ name: name!, labels, value });
  }
  return fams;
}
