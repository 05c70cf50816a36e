// OnnxModel: a generic ONNX model as a pipeline node. Each incoming tensor item (or audio
// item, viewed as a float32 [1, n] tensor) is bound to the model input `input`; constant
// inputs (a state, a sample rate) come from `constants`; every requested output is emitted
// as a tensor item, in `outputs` order. Audio can be re-cut to the model's window with
// `frame_size`. The model path is read from the manifest, so services that accept
// manifests from clients must not register this node (see src/server/).

import { z } from "zod";
import { OnnxModel, type Tensor, type TensorArray, type TensorType } from "../device/onnx.ts";
import { type RuntimeData, tensor, type TensorData } from "../pipeline/data.ts";
import type { NodeRegistry } from "../pipeline/registry.ts";
import { positiveInt } from "../pipeline/_zod.ts";

const dtypes = ["float32", "float64", "int32", "int16", "int8", "uint8", "int64"] as const;

const constant = z.object({
  dtype: z.enum(dtypes),
  shape: z.array(z.number().int().min(0)),
  /** Values, or one value repeated (default 0). */
  values: z.union([z.number(), z.array(z.number())]).default(0),
}).strict();

const params = z.object({
  model: z.string().min(1),
  input: z.string().min(1),
  outputs: z.array(z.string().min(1)).min(1).optional(),
  constants: z.record(z.string(), constant).default({}),
  output_shapes: z.record(z.string(), z.array(z.number().int().min(0))).optional(),
  frame_size: positiveInt().optional(),
  provider: z.enum(["auto", "VitisAI", "OpenVINO", "QNN", "CUDA", "CPU"]).default("auto"),
  device_kind: z.enum(["auto", "cpu", "gpu", "npu"]).default("auto"),
}).strict();

function makeConstant(c: z.infer<typeof constant>): Tensor {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const vals = typeof c.values === "number" ? new Array<number>(n).fill(c.values) : c.values;
  if (vals.length !== n) {
    throw new RangeError(
      `Cannot build constant: ${vals.length} values for shape [${c.shape}] (${n} elements)`,
    );
  }
  let data: TensorArray;
  switch (c.dtype) {
    case "float32":
      data = Float32Array.from(vals);
      break;
    case "float64":
      data = Float64Array.from(vals);
      break;
    case "int32":
      data = Int32Array.from(vals);
      break;
    case "int16":
      data = Int16Array.from(vals);
      break;
    case "int8":
      data = Int8Array.from(vals);
      break;
    case "uint8":
      data = Uint8Array.from(vals);
      break;
    case "int64":
      data = BigInt64Array.from(vals, (v) => BigInt(Math.trunc(v)));
      break;
  }
  return { type: c.dtype, shape: [...c.shape], data };
}

function toTensor(d: TensorData): Tensor {
  if (!d.cContiguous) {
    throw new TypeError("Cannot run OnnxModel: the input tensor is not C-contiguous");
  }
  const type = d.dtype as TensorType;
  return { type, shape: [...d.shape], data: d.data as TensorArray };
}

/** Register `OnnxModel` in `registry`. */
export function registerOnnxModel(registry: NodeRegistry): void {
  registry.register("OnnxModel", params, (p) => {
    const constants: Record<string, Tensor> = {};
    for (const [name, c] of Object.entries(p.constants)) constants[name] = makeConstant(c);
    let model: OnnxModel | null = null;
    let loading: Promise<OnnxModel> | null = null;
    return {
      frameSize: p.frame_size,
      async process(d) {
        let input: Tensor;
        if (d.type === "audio") {
          input = { type: "float32", shape: [1, d.samples.length], data: d.samples };
        } else if (d.type === "tensor") {
          input = toTensor(d);
        } else {
          return d;
        }
        loading ??= OnnxModel.load(p.model, {
          provider: p.provider,
          deviceKind: p.device_kind,
          ...(p.output_shapes ? { outputShapes: p.output_shapes } : {}),
          ...(p.outputs ? { outputNames: p.outputs } : {}),
        });
        model ??= await loading;
        const out = await model.process({ ...constants, [p.input]: input });
        const names = p.outputs ?? Object.keys(out);
        const items: RuntimeData[] = [];
        for (const name of names) {
          const t = out[name];
          if (t === undefined) {
            throw new TypeError(`Cannot run OnnxModel: the model produced no output "${name}"`);
          }
          items.push(tensor(t.data, t.shape));
        }
        return items;
      },
      async close() {
        if (model === null && loading !== null) model = await loading.catch(() => null);
        model?.close();
        model = null;
      },
    };
  }, {
    description:
      "Run an ONNX model (device-dispatched) on each tensor/audio item; emits its outputs as tensors",
  });
}
