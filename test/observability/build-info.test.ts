import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { cairnVersion, registerBuildInfo } from '../../src/observability/build-info.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-build-info-'));
  dirs.push(dir);
  return dir;
};

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('build info', () => {
  it('finds Cairn\'s package.json above a compiled file, skipping other packages\' on the way', () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'cairn', version: '9.8.7' }));
    const compiled = path.join(root, 'dist/src/observability');
    fs.mkdirSync(compiled, { recursive: true });
    fs.writeFileSync(path.join(root, 'dist/package.json'), JSON.stringify({ name: 'something-else', version: '1.0.0' }));
    expect(cairnVersion(compiled)).toBe('9.8.7');
  });

  it('says unknown rather than failing when there is no package.json of Cairn', () => {
    expect(cairnVersion(tempDir())).toBe('unknown');
  });

  it('exports cairn_build_info 1 with the version and the Node.js version as labels', async () => {
    const registry = new Registry();
    registerBuildInfo(registry, '1.2.3');
    expect(await registry.metrics()).toContain(`cairn_build_info{version="1.2.3",node_version="${process.version}"} 1`);
  });
});
