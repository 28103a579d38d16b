/**
 * A remote model is fingerprinted from HTTP ranges reading at most 5% of its bytes, and the
 * sampled fingerprint still detects derivation against a full local fingerprint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  compareFingerprints,
  extractFingerprint,
  REMOTE_READ_FRACTION,
} from '../../src/forensics/index.js';
import { tempDir, writeHfModel } from '../helpers/fixtures.js';
import { startRangeServer } from '../helpers/range-server.js';
import { loadMemoryModel, transformModel, writeMemoryModel } from '../../src/forensics/index.js';

test('remote fingerprint reads ≤ 5% of the bytes and still detects an obfuscated copy', async () => {
  const root = tempDir();
  const shape = {
    hidden: 256,
    layers: 3,
    heads: 4,
    kvHeads: 2,
    headDim: 64,
    ffn: 1024,
    vocab: 8192,
  };
  writeHfModel(join(root, 'parent'), 'llama', shape);
  const mem = await loadMemoryModel(join(root, 'parent'));
  writeMemoryModel(transformModel(mem, 'obfuscate-all', 9), join(root, 'child'));
  writeHfModel(join(root, 'other'), 'llama', shape, 'F32');
  const srv = await startRangeServer(root);
  try {
    const A = await extractFingerprint({ model: join(root, 'parent'), digest: false });
    const B = await extractFingerprint({ model: `${srv.url}/child`, digest: false });
    assert.equal(B.coverage.mode, 'sample');
    const total = B.model.bytes;
    assert.ok(
      B.coverage.bytesRead <= REMOTE_READ_FRACTION * total,
      `read ${B.coverage.bytesRead} of ${total}`,
    );
    const v = compareFingerprints(A, B);
    assert.equal(v.verdict, 'derived');
    assert.ok(v.log10PValue < -6, String(v.log10PValue));
  } finally {
    await srv.close();
  }
});
