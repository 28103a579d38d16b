import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProjectionPool } from '../../src/forensics/project-pool.js';
import { mat, mulABt, seededNormals } from '../../src/forensics/linalg.js';

test('worker projection equals the inline product', async () => {
  const pool = mat(96, 256, seededNormals(96 * 256, 1));
  const rows = seededNormals(2000 * 256, 2);
  const p = new ProjectionPool(pool, 2);
  try {
    const got = await p.project(rows, 2000);
    const want = mulABt(mat(2000, 256, rows), pool);
    assert.equal(got.rows, 2000);
    assert.equal(got.cols, 96);
    let maxDiff = 0;
    for (let i = 0; i < want.data.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((got.data[i] ?? 0) - (want.data[i] ?? 0)));
    assert.equal(maxDiff, 0);
    assert.equal(rows.length, 2000 * 256, 'input must not be detached');
  } finally {
    await p.close();
  }
});
