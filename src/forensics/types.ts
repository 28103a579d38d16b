/** Types of fingerprints and lineage verdicts. */
import type { ModelFamily } from '../model/types.js';

/** A float matrix stored in a fingerprint (row-major). */
export interface StoredMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** Per-layer data of a fingerprint. */
export interface LayerPrint {
  readonly index: number;
  /** MLP evidence: folded gate and up rows of selected units, as responses to the pool tokens. */
  readonly mlp: {
    /** Total hidden units in the layer (all experts pooled). */
    readonly units: number;
    /** Indices of the units stored (in the model's own order). */
    readonly selected: Int32Array;
    /** How units were chosen. */
    readonly selection: 'all' | 'gate-norm-top' | 'index-sample';
    /** selected × pool: gate_u(folded) · e_t for each pool token t. */
    readonly gate: StoredMatrix;
    readonly up: StoredMatrix;
  } | null;
  /** Raw values at seeded (unit, coordinate) positions for the exact same-index tests. */
  readonly identity: {
    readonly units: Int32Array;
    readonly coords: Int32Array;
    readonly gate: StoredMatrix;
    readonly up: StoredMatrix;
    /** Quantization bin widths at the same positions when the tensors are block-quantized. */
    readonly gateStep: StoredMatrix | null;
    readonly upStep: StoredMatrix | null;
  } | null;
  /** Attention invariants in pool-token coordinates (local fingerprints only). */
  readonly attn: {
    /** Gram matrices pool×pool of folded Wq, Wk, Wv rows and of Woᵀ columns, projected. */
    readonly gq: StoredMatrix;
    readonly gk: StoredMatrix;
    readonly gv: StoredMatrix;
    readonly go: StoredMatrix;
    /** Σ_h Qp_hᵀ Kp_g(h) and Σ_h Op_hᵀ Vp_g(h) (pool×pool): QKᵀ and VO operators in pool coordinates. */
    readonly qk: StoredMatrix;
    readonly vo: StoredMatrix;
  } | null;
  /** Effective RMSNorm gains (input and pre-MLP) — short vectors kept whole. */
  readonly norms: { readonly attn: Float32Array | null; readonly mlp: Float32Array | null };
  /** Standard deviation of each role's raw weights (σ-curves; weak evidence, shown with a caveat). */
  readonly sigma: Readonly<Record<string, number>>;
}

/** A compact, storable description of a model sufficient for every lineage test. */
export interface Fingerprint {
  readonly format: 'model-customs/fingerprint';
  readonly version: 1;
  readonly tool: string;
  readonly model: {
    readonly spec: string;
    readonly format: 'safetensors' | 'gguf';
    readonly family: ModelFamily;
    readonly architecture: string;
    readonly hiddenSize: number;
    readonly numLayers: number;
    readonly intermediateSize: number;
    readonly numHeads: number;
    readonly numKvHeads: number;
    readonly headDim: number;
    readonly vocabSize: number;
    readonly parameters: number;
    readonly dtypes: Readonly<Record<string, number>>;
    readonly bytes: number;
    readonly files: readonly { path: string; size: number; sha256: string | null }[];
  };
  readonly params: {
    readonly seed: number;
    readonly poolSize: number;
    readonly identityUnits: number;
    readonly identityCoords: number;
  };
  readonly coverage: {
    readonly mode: 'full' | 'sample';
    readonly bytesRead: number;
    readonly unitFraction: number;
    readonly notes: readonly string[];
  };
  /** Pool tokens (strings) whose embeddings define the residual coordinates. */
  readonly pool: {
    readonly tokens: readonly string[];
    /** Raw embedding rows of the pool tokens (pool × hidden), for the pool Gram. */
    readonly embeddings: StoredMatrix;
  };
  /** Raw embedding values of pool tokens at the identity coordinates (residual-coordinate exact test). */
  readonly embeddingIdentity: { readonly coords: Int32Array; readonly values: StoredMatrix } | null;
  readonly layers: readonly LayerPrint[];
  /** SHA-256 of each fully read tensor's decoded float32 values (name → hex). */
  readonly tensorHashes: Readonly<Record<string, string>>;
}
