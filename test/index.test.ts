import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as customs from '../src/index.js';
import { TOOL_VERSION } from '../src/version.js';

const root = join(import.meta.dirname, '..');

test('package.json exports and bin point at real files, and the version matches', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
    exports: { '.': string };
    bin: { customs: string };
  };
  assert.ok(existsSync(join(root, pkg.exports['.'])), pkg.exports['.']);
  assert.ok(existsSync(join(root, pkg.bin.customs)), pkg.bin.customs);
  assert.equal(pkg.version, TOOL_VERSION);
});

test('the public API exposes every capability namespace and the top-level verbs', () => {
  for (const ns of [
    'sources',
    'formats',
    'model',
    'stats',
    'forensics',
    'engine',
    'watermark',
    'probe',
    'monitor',
    'provenance',
    'tlog',
    'server',
    'report',
  ] as const) {
    assert.equal(typeof customs[ns], 'object', ns);
  }
  assert.equal(customs.openModel, customs.model.openModel);
  assert.equal(customs.compareModels, customs.forensics.compareModels);
  assert.equal(customs.monitorLogs, customs.monitor.monitorLogs);
  assert.ok(new customs.UsageError('USAGE', 'x') instanceof customs.CustomsError);
});
