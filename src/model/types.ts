/** Types of the canonical model view: one shape of model whatever its file format. */

/** Architecture families recognised from config.json `model_type` or GGUF `general.architecture`. */
export type ModelFamily =
  | 'llama'
  | 'mistral'
  | 'mixtral'
  | 'qwen2'
  | 'qwen2_moe'
  | 'qwen3'
  | 'qwen3_moe'
  | 'gemma'
  | 'gemma2'
  | 'gemma3'
  | 'phi3'
  | 'unknown';

/** Hyperparameters in Hugging Face terms, whatever the source format. */
export interface ModelConfig {
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly intermediateSize: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly maxPositions: number | null;
  readonly ropeTheta: number;
  readonly rmsNormEps: number;
  readonly tiedEmbeddings: boolean;
  readonly numExperts: number;
  readonly numExpertsPerToken: number;
  readonly hiddenAct: string;
  /** Gemma multiplies embeddings by √hidden at run time. */
  readonly embeddingScale: number;
}

/**
 * A matrix (or vector) the canonical view can read: rows `[rowOffset, rowOffset + rows)` of a
 * stored tensor seen as 2-D `[prod(shape[:-1]), shape[-1]]`, with the corrections needed to make
 * it equal to the Hugging Face layout.
 */
export interface TensorRef {
  readonly tensor: string;
  readonly rowOffset: number;
  readonly rows: number;
  readonly cols: number;
  /** GGUF llama-style Q/K rows were interleaved per head for ggml's RoPE; undo on read. */
  readonly unpermuteHeads?: { readonly heads: number; readonly headDim: number };
  /** FP8 block-scaled weight: multiply each block by this scale tensor's entry. */
  readonly blockScale?: {
    readonly tensor: string;
    readonly blockRows: number;
    readonly blockCols: number;
  };
  /** Gemma stores RMSNorm gains as w with effective gain 1 + w (HF); add 1 on read. */
  readonly addOne?: boolean;
}

/** Feed-forward weights of a dense MLP or one expert. */
export interface MlpRoles {
  readonly gate?: TensorRef | undefined;
  readonly up?: TensorRef | undefined;
  readonly down?: TensorRef | undefined;
}

/** Roles in one decoder layer. Absent roles are not in the model. */
export interface LayerRoles extends MlpRoles {
  readonly attnNorm?: TensorRef | undefined;
  readonly q?: TensorRef | undefined;
  readonly k?: TensorRef | undefined;
  readonly v?: TensorRef | undefined;
  readonly o?: TensorRef | undefined;
  readonly qBias?: TensorRef | undefined;
  readonly kBias?: TensorRef | undefined;
  readonly vBias?: TensorRef | undefined;
  readonly qNorm?: TensorRef | undefined;
  readonly kNorm?: TensorRef | undefined;
  /** Norm applied to the attention output before the residual add (gemma2/3). */
  readonly postAttnNorm?: TensorRef | undefined;
  /** Norm before the MLP (llama: post_attention_layernorm; gemma2/3: pre_feedforward_layernorm). */
  readonly mlpNorm?: TensorRef | undefined;
  /** Norm applied to the MLP output before the residual add (gemma2/3). */
  readonly postMlpNorm?: TensorRef | undefined;
  readonly router?: TensorRef | undefined;
  readonly experts?: readonly MlpRoles[] | undefined;
  readonly sharedExpert?: MlpRoles | undefined;
}

/** Tensor roles of the whole model. */
export interface ModelRoles {
  readonly embedding: TensorRef;
  /** The output projection; equal to `embedding` when tied. */
  readonly lmHead: TensorRef;
  readonly lmHeadTied: boolean;
  readonly finalNorm?: TensorRef | undefined;
  readonly layers: readonly LayerRoles[];
}

/** A stored tensor, in PyTorch shape order (row-major; the reverse of GGML dims). */
export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** safetensors dtype name or GGML type name. */
  readonly dtype: string;
  readonly elements: number;
  readonly byteLength: number;
  readonly file: string;
  /** Read elements `[start, start + count)` in row-major order as float32. */
  read(start: number, count: number, out?: Float32Array, outOffset?: number): Promise<Float32Array>;
  /** For block-quantized tensors: each element's quantization bin width (else undefined or null). */
  readSteps?(start: number, count: number): Promise<Float32Array | null>;
}

/** The token vocabulary, when the model carries one. */
export interface Vocabulary {
  /** Where it came from. `bytes` means the byte-level vocabulary inferred from vocab_size 256 with no tokenizer file. */
  readonly source: 'tokenizer.json' | 'gguf' | 'bytes';
  /** Token string for each id (null for unused ids). */
  readonly tokens: readonly (string | null)[];
}

/** One file of the model with its size. */
export interface ModelFile {
  readonly path: string;
  readonly size: number;
  readonly role: 'weights' | 'config' | 'tokenizer' | 'index';
}
