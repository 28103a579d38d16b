/**
 * OpenAPI 3.1 description of the registry HTTP API, with JSON Schemas generated from the same zod
 * schemas that validate requests at the boundary.
 */
import { z } from 'zod';
import { TOOL_VERSION } from '../version.js';

/** Body of `POST /v1/keys`. */
export const EnrollBody = z.object({
  publicKey: z
    .string()
    .min(1)
    .max(16_384)
    .describe('PEM SubjectPublicKeyInfo (ECDSA P-256 recommended)'),
  name: z.string().min(1).max(256).optional().describe('Human-readable owner of the key'),
});

/** Query of `GET /v1/lookup`. */
export const LookupQuery = z
  .object({
    digest: z.string().max(80).optional().describe('Subject digest, sha256:<hex> or <hex>'),
    name: z.string().min(1).max(512).optional().describe('Subject name'),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .refine((q) => (q.digest === undefined) !== (q.name === undefined), {
    message: 'give exactly one of digest or name',
  });

/** Query of `GET /v1/lineage/{digest}`. */
export const LineageQuery = z.object({
  direction: z.enum(['ancestors', 'descendants']).default('ancestors'),
  depth: z.coerce.number().int().min(1).max(64).optional(),
});

/** Query of `GET /v1/proof/inclusion`. */
export const InclusionQuery = z.object({
  index: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  size: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** Query of `GET /v1/proof/consistency`. */
export const ConsistencyQuery = z.object({
  old: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  new: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

const ErrorBody = z.object({
  error: z.string(),
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
const SubmitResultSchema = z.object({
  statementDigest: z.string(),
  index: z.number().int(),
  predicateType: z.string(),
  subjects: z.array(z.object({ name: z.string().optional(), digest: z.string() })),
  signer: z.string(),
  leafHash: z.string(),
  duplicate: z.boolean(),
  treeSize: z.number().int(),
  checkpoint: z.string(),
});

const schema = (s: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: z.ZodType) => ({ 'application/json': { schema: schema(s) } });
const err = (description: string) => ({ description, content: json(ErrorBody) });
const text = (description: string, type = 'text/plain; charset=utf-8') => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
});
const queryParams = (s: z.ZodObject) =>
  Object.entries(s.shape).map(([name, v]) => ({
    name,
    in: 'query',
    required: !(v as z.ZodType).safeParse(undefined).success,
    schema: schema(v as z.ZodType),
  }));
const digestParam = {
  name: 'digest',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^(sha256:)?[0-9a-f]{64}$' },
};

/** The OpenAPI document served at `/openapi.json`. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Model Customs registry',
      version: TOOL_VERSION,
      description:
        'Signed model provenance (OMS manifests, lineage, training data, evaluations) recorded in an RFC 6962 transparency log with C2SP checkpoints, tiles and witness cosignatures.',
    },
    components: {
      securitySchemes: {
        writerToken: { type: 'http', scheme: 'bearer', description: 'Writer token (enrolment)' },
      },
    },
    paths: {
      '/healthz': {
        get: { summary: 'Liveness and log size', responses: { 200: { description: 'OK' } } },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } },
      },
      '/checkpoint': {
        get: {
          summary:
            'Latest signed checkpoint (c2sp.org/tlog-checkpoint), with cosignatures when available',
          responses: { 200: text('Signed note') },
        },
      },
      '/tile/{L}/{N}': {
        get: {
          summary:
            'Merkle tree tile (c2sp.org/tlog-tiles); `N` is x-prefixed 3-digit groups, optional `.p/<W>` suffix',
          parameters: [
            { name: 'L', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'N', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: {
            200: text('Concatenated 32-byte hashes', 'application/octet-stream'),
            400: err('Malformed tile path'),
            404: err('No such tile at this tree size'),
          },
        },
      },
      '/tile/entries/{N}': {
        get: {
          summary: 'Entry bundle (uint16 length-prefixed log entries)',
          parameters: [{ name: 'N', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: text('Entry bundle', 'application/octet-stream'),
            404: err('No such bundle'),
          },
        },
      },
      '/v1/log': {
        get: {
          summary: 'Log origin, verifier key and size',
          responses: { 200: { description: 'OK' } },
        },
      },
      '/v1/keys': {
        get: { summary: 'Enrolled signer keys', responses: { 200: { description: 'Keys' } } },
        post: {
          summary: 'Enrol a signer key',
          security: [{ writerToken: [] }],
          requestBody: { required: true, content: json(EnrollBody) },
          responses: {
            201: { description: 'Enrolled' },
            400: err('Malformed key'),
            401: err('Missing or wrong writer token'),
          },
        },
      },
      '/v1/keys/{fingerprint}': {
        delete: {
          summary: 'Revoke a signer key',
          security: [{ writerToken: [] }],
          parameters: [
            {
              name: 'fingerprint',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            },
          ],
          responses: {
            200: { description: 'Revoked' },
            401: err('Unauthorised'),
            404: err('Unknown key'),
          },
        },
      },
      '/v1/statements': {
        post: {
          summary:
            'Submit a signed statement (Sigstore bundle v0.3 with a DSSE in-toto statement, signed by an enrolled key)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          responses: {
            201: { description: 'Logged', content: json(SubmitResultSchema) },
            400: err('Malformed bundle or statement'),
            403: err('Unknown or revoked key, or bad signature'),
            409: err('Already logged (body carries the existing index)'),
            413: err('Too large'),
            429: err('Rate limited'),
            503: err('Log busy or unavailable'),
          },
        },
      },
      '/v1/statements/{digest}': {
        get: {
          summary: 'A logged statement bundle by its digest',
          parameters: [digestParam],
          responses: { 200: { description: 'Bundle JSON' }, 404: err('Unknown') },
        },
      },
      '/v1/lookup': {
        get: {
          summary: 'Statements about a subject digest or name',
          parameters: queryParams(LookupQuery),
          responses: { 200: { description: 'Summaries' } },
        },
      },
      '/v1/lineage/{digest}': {
        get: {
          summary:
            'Ancestors or descendants of a model; every edge carries an inclusion proof against the returned checkpoint',
          parameters: [digestParam, ...queryParams(LineageQuery)],
          responses: { 200: { description: 'Graph' } },
        },
      },
      '/v1/receipts/{digest}': {
        get: {
          summary: 'Offline receipt (c2sp.org/tlog-proof with the log entry in `extra`)',
          parameters: [digestParam, { name: 'cosigned', in: 'query', schema: { type: 'boolean' } }],
          responses: { 200: text('tlog-proof'), 404: err('Unknown statement') },
        },
      },
      '/v1/proof/inclusion': {
        get: {
          summary: 'Inclusion proof',
          parameters: queryParams(InclusionQuery),
          responses: { 200: { description: 'Proof' } },
        },
      },
      '/v1/proof/consistency': {
        get: {
          summary: 'Consistency proof',
          parameters: queryParams(ConsistencyQuery),
          responses: { 200: { description: 'Proof' } },
        },
      },
      '/v1/entries/{index}': {
        get: {
          summary: 'A log entry',
          parameters: [
            { name: 'index', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } },
          ],
          responses: { 200: { description: 'Entry' } },
        },
      },
    },
  };
}
