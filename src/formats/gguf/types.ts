/**
 * GGML tensor types as numbered in ggml.h (`enum ggml_type`) with their block geometry
 * (elements per block, bytes per block). Numbers are fixed by the GGUF spec
 * (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md); removed ids stay unused.
 */

/** A GGML type's geometry and whether we can dequantize it. */
export interface GgmlTypeInfo {
  readonly id: number;
  readonly name: string;
  readonly blockSize: number;
  readonly typeSize: number;
  readonly dequantizable: boolean;
}

const T = (
  id: number,
  name: string,
  blockSize: number,
  typeSize: number,
  dequantizable = true,
): GgmlTypeInfo => ({
  id,
  name,
  blockSize,
  typeSize,
  dequantizable,
});

/** Every GGML type id this tool knows (decodable or not). */
export const GGML_TYPES: ReadonlyMap<number, GgmlTypeInfo> = new Map(
  [
    T(0, 'F32', 1, 4),
    T(1, 'F16', 1, 2),
    T(2, 'Q4_0', 32, 18),
    T(3, 'Q4_1', 32, 20),
    T(6, 'Q5_0', 32, 22),
    T(7, 'Q5_1', 32, 24),
    T(8, 'Q8_0', 32, 34),
    T(9, 'Q8_1', 32, 36),
    T(10, 'Q2_K', 256, 84),
    T(11, 'Q3_K', 256, 110),
    T(12, 'Q4_K', 256, 144),
    T(13, 'Q5_K', 256, 176),
    T(14, 'Q6_K', 256, 210),
    T(15, 'Q8_K', 256, 292),
    T(16, 'IQ2_XXS', 256, 66, false),
    T(17, 'IQ2_XS', 256, 74, false),
    T(18, 'IQ3_XXS', 256, 98, false),
    T(19, 'IQ1_S', 256, 50, false),
    T(20, 'IQ4_NL', 32, 18),
    T(21, 'IQ3_S', 256, 110, false),
    T(22, 'IQ2_S', 256, 82, false),
    T(23, 'IQ4_XS', 256, 136, false),
    T(24, 'I8', 1, 1),
    T(25, 'I16', 1, 2),
    T(26, 'I32', 1, 4),
    T(27, 'I64', 1, 8),
    T(28, 'F64', 1, 8),
    T(29, 'IQ1_M', 256, 56, false),
    T(30, 'BF16', 1, 2),
    T(34, 'TQ1_0', 256, 54, false),
    T(35, 'TQ2_0', 256, 66, false),
    T(39, 'MXFP4', 32, 17, false),
  ].map((t) => [t.id, t]),
);

/** Type id by name (e.g. "Q4_K" → 12). */
export const GGML_TYPE_ID: Readonly<Record<string, number>> = Object.fromEntries(
  [...GGML_TYPES.values()].map((t) => [t.name, t.id]),
);

/** GGUF metadata value types (gguf.md, `enum gguf_metadata_value_type`). */
export const GGUF_VALUE_TYPE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** A GGUF metadata value type number. */
export type GgufValueType = (typeof GGUF_VALUE_TYPE)[keyof typeof GGUF_VALUE_TYPE];
