/**
 * Named limits on attacker-controlled sizes in model files. Each bounds memory or time that a
 * hostile header could otherwise make us spend; values are generous for real models.
 */

/** safetensors JSON header: the reference Rust implementation refuses headers over 100 MB. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;
/** Tensors in one file (largest real checkpoints have ~10^4 per shard). */
export const MAX_TENSORS_PER_FILE = 1_000_000;
/** Tensor rank (real models use ≤ 5). */
export const MAX_TENSOR_RANK = 8;
/** Elements in one tensor (2^50 ≫ any real tensor; keeps sizes exact in float64 arithmetic). */
export const MAX_TENSOR_ELEMENTS = 2 ** 50;
/** GGUF metadata key/value pairs (real files have < 100, tokenizer arrays excluded). */
export const GGUF_MAX_KV = 65_536;
/** GGUF string length (keys and values; chat templates reach ~100 KB). */
export const GGUF_MAX_STRING_BYTES = 16 * 1024 * 1024;
/** Elements in one GGUF metadata array (vocabularies reach ~260k tokens). */
export const GGUF_MAX_ARRAY_ELEMENTS = 16_000_000;
/** Nesting depth of GGUF arrays of arrays. */
export const GGUF_MAX_ARRAY_DEPTH = 4;
/** Total bytes of decoded GGUF metadata kept in memory (vocab + merges of big tokenizers ~ 30 MB). */
export const GGUF_MAX_METADATA_BYTES = 512 * 1024 * 1024;
/** Shards listed by one index.json / split GGUF. */
export const MAX_SHARDS = 10_000;
/** Companion JSON files (config.json, index.json, tokenizer.json) read whole: cap their size. */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;
