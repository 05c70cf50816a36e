// PassThrough: emits every item unchanged (the same object: no copy). Useful as a tap, a
// fan-out point, and as the zero-work node of the scheduler benchmark.

import { z } from "zod";
import type { NodeRegistry } from "../pipeline/registry.ts";

/** Register `PassThrough` in `registry`. */
export function registerPassThrough(registry: NodeRegistry): void {
  registry.register("PassThrough", z.object({}).strict(), () => ({ process: (d) => d }), {
    description: "Emit every item unchanged (no copy)",
  });
}
